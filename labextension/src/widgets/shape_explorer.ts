// anywidget front end of matmul_magic.widgets.ShapeExplorer: the shared view, bound to the model.
import { renderShapeExplorer } from '../shapes/view';
import type { ShapeState, Values } from '../shapes/view';
import { onModelChange, saveFields } from '../shapes/view_model';
import type { RenderProps } from '../shapes/view_model';

function stateOf(model: RenderProps['model']): ShapeState {
  return {
    shapes: model.get('shapes') as number[][],
    names: model.get('names') as string[],
    values: model.get('values') as (Values | null)[],
    strides: model.get('strides') as (number[] | null)[]
  };
}

export default {
  render({ model, el }: RenderProps): () => void {
    const view = renderShapeExplorer(el, stateOf(model), next =>
      saveFields(model, { shapes: next.shapes, names: next.names, values: next.values, strides: next.strides })
    );
    const unsubscribe = onModelChange(model, ['shapes', 'names', 'values', 'strides'], () => view.update(stateOf(model)));
    return () => {
      unsubscribe();
      view.destroy();
    };
  }
};
