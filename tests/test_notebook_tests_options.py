"""One option table for ``matmul-magic test`` and ``pytest --matmul-magic`` (issue 24): the
same names, defaults, checks and messages, whichever door a value comes through."""

from __future__ import annotations

import pytest
from notebook_writer import write_notebook

from matmul_magic.notebook_tests import cli
from matmul_magic.notebook_tests.model import DEFAULT_BENCH_BUDGET, DEFAULT_TIMEOUT, Options
from matmul_magic.notebook_tests.options import OPTIONS

pytest_plugins = ["pytester"]


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "soon"])
def test_bad_seconds_are_refused_alike_by_the_cli_and_pytest(value, tmp_path, capsys, pytester):
    write_notebook(tmp_path / "a.ipynb", "x = 1")
    message = f"expected positive seconds, got {value!r}"
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(tmp_path), f"--bench-budget={value}"])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    write_notebook(pytester.path / "a.ipynb", "x = 1")
    result = pytester.runpytest_subprocess("--matmul-magic", f"--matmul-magic-bench-budget={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    pytester.makeini(f"[pytest]\nmatmul_magic_timeout = {value}\n")
    result = pytester.runpytest_subprocess("--matmul-magic")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"matmul_magic_timeout (ini): {message}" in result.stderr.str()


def test_a_timeout_no_timer_can_wait_is_refused_alike_by_the_cli_and_pytest(
    tmp_path, capsys, pytester
):
    # 1e300 s is finite and positive, but a timer that long raises OverflowError
    write_notebook(tmp_path / "a.ipynb", "x = 1")
    message = "expected at most 9223372036 seconds, got '1e300'"
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(tmp_path), "--timeout=1e300"])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    write_notebook(pytester.path / "a.ipynb", "x = 1")
    result = pytester.runpytest_subprocess("--matmul-magic", "--matmul-magic-timeout=1e300")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_both_doors_have_the_same_options_and_defaults(pytester):
    parser = cli.build_parser()
    defaults = {o.name: parser.get_default(o.name) for o in OPTIONS}
    assert defaults == {
        "workers": 0,
        "timeout": DEFAULT_TIMEOUT,
        "bench_budget": DEFAULT_BENCH_BUDGET,
    }
    assert Options() == Options(timeout=DEFAULT_TIMEOUT, bench_budget=DEFAULT_BENCH_BUDGET)
    result = pytester.runpytest_subprocess("--help")
    for option in OPTIONS:
        shown = f"--matmul-magic-{option.flag[2:]}" in result.stdout.str()
        assert shown == option.in_pytest, option.name  # -n is pytest-xdist's
    assert cli.build_parser().parse_args(["x", "--timeout", "none"]).timeout is None
