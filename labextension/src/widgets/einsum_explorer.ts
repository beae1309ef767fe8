// anywidget front end of matmul_magic.widgets.EinsumExplorer: the shared view, bound to the model.
import { renderEinsumExplorer } from '../shapes/view_einsum';
import type { EinsumState } from '../shapes/view_einsum';
import { onModelChange, saveFields } from '../shapes/view_model';
import type { RenderProps } from '../shapes/view_model';

function stateOf(model: RenderProps['model']): EinsumState {
  return { spec: model.get('spec') as string, shapes: model.get('shapes') as number[][] };
}

export default {
  render({ model, el }: RenderProps): () => void {
    const view = renderEinsumExplorer(el, stateOf(model), next =>
      saveFields(model, { spec: next.spec, shapes: next.shapes })
    );
    const unsubscribe = onModelChange(model, ['spec', 'shapes'], () => view.update(stateOf(model)));
    return () => {
      unsubscribe();
      view.destroy();
    };
  }
};
