"""``%%matmul_bench --only`` and ``--baseline`` names are checked before the cell's body runs
(hostile review, item 4): the names a cell defines are read from its source, so a typo runs
nothing, and the error says the name is neither a row of the course nor a function the cell
defines."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError


@pytest.mark.parametrize("option", ["--only einsum,nosuch", "--baseline nosuch"])
def test_a_name_neither_the_course_nor_the_cell_has_is_refused_before_the_body_runs(
    ip, fake_bench, option
):
    calls = fake_bench()
    cell = "x = 1\ndef mine(a, b):\n    return a @ b\n"
    with pytest.raises(UsageError, match=r"'nosuch' is neither a row of the course \(loops, "
                                         r".*\) nor a function this cell defines \(mine\); "
                                         "nothing was run"):  # fmt: skip
        ip.run_cell_magic("matmul_bench", option, cell)
    assert calls == [] and "x" not in ip.user_ns and "mine" not in ip.user_ns


def test_a_name_the_cell_defines_can_be_the_baseline_and_the_line_magic_checks_too(ip, fake_bench):
    calls = fake_bench()
    ip.run_cell_magic("matmul_bench", "--only torch --baseline mine", "def mine(a, b):\n"
                      "    return a @ b\n")  # fmt: skip
    assert len(calls) == 1 and calls[0][1]["baseline"] == "mine"
    with pytest.raises(UsageError, match="--only: 'mine' is not a row of the course"):
        ip.run_line_magic("matmul_bench", "--only mine")
    with pytest.raises(UsageError, match="--baseline: 'torch' is not a function this cell"):
        ip.run_cell_magic("matmul_bench", "--no-course --baseline torch", "def mine(a, b):\n"
                          "    return a @ b\n")  # fmt: skip
    assert len(calls) == 1
