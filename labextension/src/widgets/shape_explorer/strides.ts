// Strides: broadcasting copies nothing. Each operand's t.stride() next to the strides of
// t.expand_as(result), which are 0 on the stretched and missing dims.
import { explainedTable, formatShape, h } from '../common/dom';
import { contiguousStrides, expandStrides } from '../common/rules';
import type { Section } from '../common/section';
import type { ShapeContext, ShapeFrame } from './context';

export function strides(ctx: ShapeContext): Section<ShapeFrame> {
  const body = h('tbody');
  const el = explainedTable('details.mm-strides', 'Strides: what expand_as gives',
    'Broadcasting copies nothing: expand_as gives stride 0 on stretched and missing dims, as t.stride() shows.',
    ['operand', 'shape', 't.stride()', 'expand_as(result)', 'stride'], body);
  const update = ({ explanation }: ShapeFrame) => {
    const result = explanation?.result ?? null;
    const { shapes, names } = ctx.state;
    body.replaceChildren(
      ...shapes.map((shape, i) => {
        const own = ctx.state.strides[i];
        const stride = own ?? contiguousStrides(shape);
        const texts = [
          names[i],
          formatShape(shape),
          formatShape(stride) + (own ? '' : ' contiguous'),
          result ? formatShape(result) : '—',
          result ? formatShape(expandStrides(shape, result, stride)) : 'shapes clash'
        ];
        return h('tr', {}, texts.map(text => h('td.mm-mono', { text })));
      })
    );
  };
  return { el, update };
}
