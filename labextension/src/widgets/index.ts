// The anywidget front end of all three matmul_magic.widgets classes, built into ONE ES module
// (matmul_magic/widgets/static/widgets.js) so the shared rules, views and stylesheet ship once.
// Each Python class syncs `_view_kind`, which names the view to draw here.
import { renderShapeExplorer } from '../shapes/view';
import type { ShapeState } from '../shapes/view';
import { renderEinsumExplorer } from '../shapes/view_einsum';
import type { EinsumState } from '../shapes/view_einsum';
import { renderMatmulStepper } from '../shapes/view_stepper';
import type { StepperState } from '../shapes/view_stepper';
import { bindView } from '../shapes/view_model';
import type { AnyModel, RenderProps } from '../shapes/view_model';

/** Per view kind (also its root's data-matmul-magic), how to draw it bound to the model's traits. */
const VIEWS: Record<string, (model: AnyModel, el: HTMLElement) => () => void> = {
  'shape-explorer': (model, el) =>
    bindView<ShapeState>(model, el, ['shapes', 'names', 'values', 'strides'], renderShapeExplorer),
  'einsum-explorer': (model, el) => bindView<EinsumState>(model, el, ['spec', 'shapes', 'names'], renderEinsumExplorer),
  'matmul-stepper': (model, el) =>
    bindView<StepperState>(model, el, ['shapes', 'values', 'level', 'step', 'playing', 'speed'], renderMatmulStepper)
};

export default {
  render({ model, el }: RenderProps): () => void {
    const kind = String(model.get('_view_kind'));
    if (Object.prototype.hasOwnProperty.call(VIEWS, kind)) return VIEWS[kind](model, el);
    el.textContent = `matmul-magic: no widget view named ${JSON.stringify(kind)}.`;
    return () => el.replaceChildren();
  }
};
