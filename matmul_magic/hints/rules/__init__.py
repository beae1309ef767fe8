"""Turn a torch shape error into a :class:`ShapeHint`: operands, the clash, one fix.

The message says which rule broke; the failing line's operands (read without running
anything, see :mod:`..failing_line`) say which shapes broke it. A fix is offered only when the
shape rules accept the changed line *and* its result is what the line was evidently after
(a product's (..., m, n), a sum that contracts, the bigger operand's shape): see
:mod:`..fixes`; and nothing in how the operands were built says it would compute something
else (:mod:`..intent`). Otherwise the hint explains the clash and suggests nothing.

Here: reading the exception and dispatching on the message's kind. The failing expression
is read in :mod:`.op`; each kind of error has its rule module (``broadcast``, ``matmul``,
``einsum``, ``view``, ``join``).
"""

from __future__ import annotations

import sys
from contextlib import nullcontext

from ..failing_line import failing_site, raised_by_python_code
from ..fixes import Fix
from ..messages import parse_message
from ..render import ShapeHint
from .broadcast import broadcast_rule, expand_rule, inplace_rule
from .einsum import einsum_rule
from .join import join_rule
from .matmul import matmul_rule, rank_rule
from .op import FailingOp, failing_op
from .view import view_rule


def hint_for_exception(exc: BaseException) -> ShapeHint | None:
    """A :class:`ShapeHint` for a torch shape error, or None when ``exc`` is none.

    Reads ``exc.__traceback__`` (the failing frame's variables and source) and never
    re-runs the failing code.
    """
    # A library may re-raise torch's error: look down the chain for the one torch raised.
    # A message that only looks like torch's (the user's own raise) gets no hint.
    message = None
    for _ in range(6):
        message = parse_message(str(exc))
        if message is not None and not raised_by_python_code(exc.__traceback__):
            break
        message, exc = None, exc.__cause__ or exc.__context__
        if exc is None:
            break
    if message is None:
        return None
    with _no_subclass_dispatch():
        site = failing_site(exc.__traceback__)
        op = failing_op(site) if site is not None else FailingOp("", "unknown")
        line, mark = site.line_with_mark() if site is not None else ("", None)
        rows, advice = _RULES[message.kind](message, op)
    if not isinstance(advice, Fix):
        return ShapeHint(message.kind, message.text, line, mark, tuple(rows), explanation=advice)
    span = site.edit_span(advice.node) if site is not None and advice.node else None
    edit = (*span, advice.replacement) if span is not None else None
    return ShapeHint(message.kind, message.text, line, mark, tuple(rows), advice.text, edit=edit)


def _no_subclass_dispatch():
    """While reading operands, a tensor subclass's ``__torch_function__`` (user code) is off."""
    torch = sys.modules.get("torch")  # none loaded: no tensors, nothing to switch off
    return torch._C.DisableTorchFunctionSubclass() if torch is not None else nullcontext()


_RULES = {
    "broadcast": broadcast_rule,
    "matmul": matmul_rule,
    "rank": rank_rule,
    "einsum": einsum_rule,
    "expand": expand_rule,
    "view": view_rule,
    "inplace": inplace_rule,
    "cat": join_rule,
}
