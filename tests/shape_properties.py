"""Hypothesis settings and sizes for the property tests of ``matmul_magic.shapes``.

Property tests run ``SHAPES_EXAMPLES`` examples each (default 600, a few thousand cases in
all); set ``SHAPES_EXAMPLES=5000`` for a thorough run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("SHAPES_EXAMPLES", "600"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
SIZES = st.sampled_from([0, 1, 1, 2, 3, 5])
