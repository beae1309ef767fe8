// The slice of anywidget's model API the widget front ends use (typed here so the bundle
// needs no anywidget package: anywidget hands the model to render() at runtime).
export interface AnyModel {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, callback: () => void): void;
  off(event: string, callback: () => void): void;
}

export interface RenderProps {
  model: AnyModel;
  el: HTMLElement;
}

/** What each view returns: show a state that changed elsewhere (Python, the panel's restorer),
 * or remove the view and its listeners. */
export interface View<S> {
  update(state: S): void;
  destroy(): void;
}

/** A shape view's render function: draws `initial` into `el`, reports edits through onChange. */
export type RenderView<S> = (el: HTMLElement, initial: S, onChange: (patch: Partial<S>) => void) => View<S>;

/**
 * Draw a view bound to the model's `fields`: edits in the page are saved to the kernel in one
 * message, changes from Python update the view. Returns the cleanup anywidget calls.
 */
export function bindView<S extends object>(
  model: AnyModel,
  el: HTMLElement,
  fields: readonly (keyof S & string)[],
  render: RenderView<S>
): () => void {
  const read = () => Object.fromEntries(fields.map(name => [name, model.get(name)])) as S;
  const view = render(el, read(), patch => {
    for (const [name, value] of Object.entries(patch)) model.set(name, value);
    model.save_changes();
  });
  const changed = () => view.update(read());
  for (const name of fields) model.on(`change:${name}`, changed);
  return () => {
    for (const name of fields) model.off(`change:${name}`, changed);
    view.destroy();
  };
}
