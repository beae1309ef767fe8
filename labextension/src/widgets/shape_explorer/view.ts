// The Shape Explorer, shared by the anywidget front end (src/widgets/index.ts) and the
// labextension's kernel-less panel. It computes live with the TypeScript port of the rules,
// so edits show at once; onChange tells the owner (the widget model, or the panel's state)
// about edited shapes. Each part of it is a section (./table, ./playground, ./strides, ./values).
import { viewRoot } from '../common/dom';
import type { View } from '../common/model';
import { explorerHandle } from '../common/operand_rows';
import { mountSections } from '../common/section';
import { computeFrame, normalise } from './context';
import type { ShapeContext, ShapeState } from './context';
import { playground } from './playground';
import { strides } from './strides';
import { addOperand, legend, operandTable, verdict } from './table';
import { values } from './values';

export type { ShapeState, Values } from './context';
export { valueGrid } from './values';

export interface ShapeExplorerOptions {
  /** The root's data-matmul-magic attribute (the panel passes its own). */
  rootName?: string;
  /** The heading (the panel names itself: a side panel shows no tab title). */
  title?: string;
}

export type ShapeView = View<ShapeState>;

/** Render a Shape Explorer into `el`; returns a handle to update or destroy it. */
export function renderShapeExplorer(
  el: HTMLElement,
  initial: ShapeState,
  onChange: (state: Required<ShapeState>) => void,
  options: ShapeExplorerOptions = {}
): ShapeView {
  const ctx: ShapeContext = {
    state: normalise(initial),
    problems: new Map(),
    render: () => redraw(computeFrame(ctx)),
    commit: () => {
      ctx.render();
      onChange(normalise(ctx.state));
    }
  };
  const root = viewRoot(el, options.rootName ?? 'shape-explorer', 'Shape explorer', 'shape-explorer');
  const { redraw, remove } = mountSections(el, root, options.title ?? 'Broadcasting', [
    operandTable(ctx),
    legend(),
    addOperand(ctx),
    verdict(ctx),
    playground(ctx),
    strides(ctx),
    values(ctx)
  ]);
  ctx.render();
  return explorerHandle(ctx, remove, normalise);
}
