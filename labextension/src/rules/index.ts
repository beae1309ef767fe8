// The shape rules shared by the widgets and the kernel-less panel: a port of
// matmul_magic/shapes/, tested against the same JSON vectors (tests/vectors/*.json).
export {
  broadcastShapes,
  checkedShapes,
  explainBroadcast,
  formatShape,
  MAX_NDIM,
  MAX_NUMEL,
  MAX_OPERANDS,
  MAX_SIZE,
  ValueError
} from './broadcast';
export type { BroadcastColumn, BroadcastExplanation, Kind, Operand, Shape } from './broadcast';
export { ELLIPSIS, parseEinsum } from './einsum';
export type { EinsumPlan } from './einsum';
