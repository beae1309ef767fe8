// The kernel-less Shape Explorer panel: the same view and rules as the ShapeExplorer widget
// (src/widgets/shape_explorer/, rules from src/rules/), hosted in a JupyterLab main-area widget. Loaded on first open, not at start-up.
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { renderShapeExplorer, type ShapeView } from '../widgets/shape_explorer/view';
import { shapesIcon } from './icon';
import type { PanelState } from './state';

export class ShapePanel extends Widget {
  private readonly view: ShapeView;

  constructor(initial: PanelState, onChange: (state: PanelState) => void) {
    super();
    this.addClass('mm-shape-panel');
    this.view = renderShapeExplorer(
      this.node,
      initial,
      (next) => onChange({ shapes: next.shapes, names: next.names }),
      { rootName: 'shape-panel', title: 'Shape Explorer: broadcasting' }
    );
  }

  dispose(): void {
    if (!this.isDisposed) this.view.destroy();
    super.dispose();
  }
}

export function createShapePanel(
  id: string,
  initial: PanelState,
  onChange: (state: PanelState) => void
): MainAreaWidget<ShapePanel> {
  const content = new ShapePanel(initial, onChange);
  const widget = new MainAreaWidget({ content });
  widget.id = id;
  widget.title.label = 'Shape Explorer';
  widget.title.caption = 'Broadcasting rules, no kernel needed';
  widget.title.icon = shapesIcon;
  widget.title.closable = true;
  return widget;
}
