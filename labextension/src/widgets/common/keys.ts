// Keys a widget's control handles stop at the widget. JupyterLab and Notebook 7 read every
// keydown on the document (Notebook 7 in the capture phase, before the control sees it) and run
// their command-mode shortcuts: ArrowDown on a slider would move the active cell instead. Lumino
// skips shortcuts for an event whose target carries `data-lm-suppress-shortcuts`, so the guard
// marks the focused control for the one keydown it handles (read before Lumino's listener, from
// the window's capture phase) and unmarks it after. Keys it does not handle (Shift+Enter, Ctrl+S,
// Tab) still reach the notebook.

export const SUPPRESS = 'data-lm-suppress-shortcuts';

const MOVES = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown'];

/** Whether the control `target` handles this key itself (so no notebook shortcut may take it). */
export function controlHandles(target: Element, event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): boolean {
  const { key } = event;
  if (event.ctrlKey || event.metaKey || event.altKey || key === 'Tab') return false;
  if (key === 'Escape') return target.matches('input, select, textarea, button, summary');
  if (key === 'Enter' && event.shiftKey) return false; // run the cell
  const tag = target.tagName.toLowerCase();
  const type = (target.getAttribute('type') ?? 'text').toLowerCase();
  if (tag === 'textarea' || (tag === 'input' && type === 'text')) return true; // every key types or edits
  if (tag === 'input' && type === 'range') return MOVES.includes(key);
  if (tag === 'select') return MOVES.includes(key) || key === 'Enter' || key === ' ' || key.length === 1;
  if (tag === 'button' || tag === 'summary') return key === 'Enter' || key === ' ';
  return false;
}

/**
 * Guards the controls under `root` (see the top of this file); returns the cleanup that
 * removes the listener.
 */
export function guardKeys(root: HTMLElement): () => void {
  const win = root.ownerDocument.defaultView;
  if (!win) return () => undefined;
  const onKeydown = (event: KeyboardEvent) => {
    const target = event.target;
    if (!(target instanceof win.Element) || !root.contains(target)) return;
    if (!controlHandles(target, event)) return target.removeAttribute(SUPPRESS);
    target.setAttribute(SUPPRESS, '');
    // After every keydown listener has run (Lumino decides synchronously), the mark goes.
    win.setTimeout(() => target.removeAttribute(SUPPRESS), 0);
  };
  win.addEventListener('keydown', onKeydown, true);
  return () => win.removeEventListener('keydown', onKeydown, true);
}
