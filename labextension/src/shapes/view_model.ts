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

/** Call `callback` when any of `names` changes on the model; returns the unsubscribe. */
export function onModelChange(model: AnyModel, names: string[], callback: () => void): () => void {
  for (const name of names) model.on(`change:${name}`, callback);
  return () => {
    for (const name of names) model.off(`change:${name}`, callback);
  };
}

/** Set several fields and send them to the kernel in one message. */
export function saveFields(model: AnyModel, fields: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields)) model.set(name, value);
  model.save_changes();
}
