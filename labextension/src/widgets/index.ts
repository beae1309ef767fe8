// The anywidget front end of all three matmul_magic.widgets classes, built into ONE ES module
// (matmul_magic/widgets/static/widgets.js) so the shared rules, views and stylesheet ship once.
// Each Python class syncs `_view_kind`, which names the view to draw here.
import { renderShapeExplorer } from './shape_explorer/view';
import type { ShapeState } from './shape_explorer/view';
import { renderEinsumExplorer } from './einsum_explorer/view';
import type { EinsumState } from './einsum_explorer/view';
import { renderMatmulStepper } from './matmul_stepper/view';
import type { StepperState } from './matmul_stepper/view';
import { bindView } from './common/model';
import { hidePictures } from './common/picture';
import type { AnyModel, RenderProps } from './common/model';

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
    if (Object.prototype.hasOwnProperty.call(VIEWS, kind)) {
      const cleanup = VIEWS[kind](model, el);
      hidePictures(el, model.get('_picture_id'));
      return cleanup;
    }
    el.textContent = `matmul-magic: no widget view named ${JSON.stringify(kind)}.`;
    return () => el.replaceChildren();
  }
};
