"""The engine behind shape-error hints and ``%%explain``: one concern per module.

``messages`` reads torch's error text, ``operands`` finds the failing line and its operands
without running anything twice, ``rules`` turns both into a :class:`~.render.ShapeHint`,
``fixes`` checks each suggested fix, ``render`` draws hints and traces as text and HTML,
``trace`` records ops for ``%%explain``.
"""
