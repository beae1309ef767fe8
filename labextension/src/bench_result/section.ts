// The view interface every part of the bench view is built on: a section owns one element
// and redraws it from the result and the user's choices.
import type { Metric, ScaleKind } from './metric';
import type { BenchResult } from './schema';

export type SortDirection = 'ascending' | 'descending';

/** What the user chose; kept across re-renders of the same output. */
export interface ViewState {
  metric: Metric;
  scale: ScaleKind;
  sort: { column: string; direction: SortDirection } | null;
}

export const DEFAULT_STATE: ViewState = { metric: 'time', scale: 'log', sort: null };

/** What a section reads, and the one way it changes anything: `setState`. */
export interface ViewContext {
  readonly result: BenchResult;
  readonly state: ViewState;
  setState(patch: Partial<ViewState>): void;
}

export interface Section {
  readonly node: HTMLElement;
  render(ctx: ViewContext): void;
}
