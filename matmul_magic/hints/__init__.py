"""The engine behind shape-error hints and ``%%explain``: one concern per module.

Hints under a torch shape error: ``hook`` is what runs after a failed cell; ``messages``
reads torch's error text; ``failing_line`` finds the failing line and its operands, which
``safe_eval`` evaluates without side effects (nothing runs twice); ``rules/`` turns both into
a :class:`~.render.ShapeHint` (``hint_for_exception``); ``fixes`` checks each suggested fix;
``intent`` reads how an operand was built (a reordering ``view``, a slice on the summed axis),
which a fix of the right shape must not contradict; ``render`` draws hints and traces as text
and HTML.

``%%explain``: ``recorder`` logs a cell's tensor ops under a TorchFunctionMode, ``op_text``
says how each reads, and ``trace`` runs the cell once and shows its trace (``explain_code``).
"""
