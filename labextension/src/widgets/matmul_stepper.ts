// anywidget front end of matmul_magic.widgets.MatmulStepper: the shared view, bound to the model.
import { renderMatmulStepper } from '../shapes/view_stepper';
import type { StepperState } from '../shapes/view_stepper';
import type { Values } from '../shapes/view';
import { onModelChange, saveFields } from '../shapes/view_model';
import type { RenderProps } from '../shapes/view_model';

const FIELDS = ['shapes', 'values', 'level', 'step', 'playing', 'speed'];

function stateOf(model: RenderProps['model']): StepperState {
  return {
    shapes: model.get('shapes') as number[][],
    values: model.get('values') as Values[],
    level: model.get('level') as number,
    step: model.get('step') as number,
    playing: model.get('playing') as boolean,
    speed: model.get('speed') as number
  };
}

export default {
  render({ model, el }: RenderProps): () => void {
    const view = renderMatmulStepper(el, stateOf(model), patch => saveFields(model, patch));
    const unsubscribe = onModelChange(model, FIELDS, () => view.update(stateOf(model)));
    return () => {
      unsubscribe();
      view.destroy();
    };
  }
};
