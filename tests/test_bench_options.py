"""``matmul_magic.race.options``: the one home of the bench's option text."""

from __future__ import annotations

import argparse
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from matmul_magic.race import options
from matmul_magic.race.options import (
    check_output_path,
    parse_budget,
    parse_names,
    parse_output_path,
    parse_shape,
    parse_sizes,
    parse_threads,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("5x784x10", (5, 784, 10)),
        (" 8 × 16 × 4 ", (8, 16, 4)),
        ("2,3,4", (2, 3, 4)),
        ("2*3*4", (2, 3, 4)),
        ("2X3X4", (2, 3, 4)),
        ((2, 3, 4), (2, 3, 4)),
        ([2, 3, 4], (2, 3, 4)),
    ],
)
def test_parse_shape(value, expected):
    assert parse_shape(value) == expected


@pytest.mark.parametrize(
    "value",
    ["5x784", "5x0x3", "ax3x4", "", "1x2x3x4", (1, 2), (1.5, 2, 3), (Fraction(7, 2), 3, 3)],
)
def test_parse_shape_refuses_with_the_form_it_wants(value):
    with pytest.raises(ValueError, match=r"shape takes MxKxN, three positive sizes"):
        parse_shape(value)


@pytest.mark.parametrize(
    "value, expected",
    [("16,32,64", (16, 32, 64)), ("64 16, 32 16", (16, 32, 64)), ([8, 4], (4, 8)), ((3,), (3,))],
)
def test_parse_sizes_sorts_and_keeps_each_once(value, expected):
    assert parse_sizes(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "x", "8,big", "0,8", [-1], [], [True, 2], 5, [Decimal("Infinity")], [float("inf")]]
    + [[Decimal("2.5")], b"12", [Fraction(7, 2)]],
)
def test_parse_sizes_refuses(value):
    with pytest.raises(ValueError, match="sweep takes positive sizes"):
        parse_sizes(value)


def test_parse_names():
    assert parse_names("einsum, torch,,einsum") == ("einsum", "torch")
    assert parse_names(["torch", " loops "]) == ("torch", "loops")
    for bad in (",", "", [], [3]):
        with pytest.raises(ValueError, match="only takes row names"):
            parse_names(bad)


@pytest.mark.parametrize(
    "value, expected", [("2", 2.0), ("0.25", 0.25), (3600, 3600.0), (Decimal("0.5"), 0.5)]
)
def test_parse_budget(value, expected):
    assert parse_budget(value) == expected


@pytest.mark.parametrize(
    "value", ["0", "-1", "soon", "nan", "inf", "3600.5", 7200, None, True, 10**400, "1e400"]
)
def test_parse_budget_refuses_nothing_and_more_than_an_hour(value):
    with pytest.raises(ValueError, match=r"budget takes positive seconds up to 3600 \(an hour\)"):
        parse_budget(value)


def test_parse_threads():
    assert parse_threads("4") == 4 and parse_threads(1) == 1
    for bad in ("0", "-2", "two", "1.5", 2.5, True):
        with pytest.raises(ValueError, match="threads takes a whole number from 1 to 1024"):
            parse_threads(bad)


def test_output_path_text():
    assert parse_output_path("-") == "-"
    assert parse_output_path("/tmp/with space.json") == "/tmp/with space.json"
    for bad in ("", "  "):
        with pytest.raises(ValueError, match="save takes a file path, or - for stdout"):
            parse_output_path(bad)


def test_check_output_path_writes_nothing_and_creates_nothing(tmp_path):
    assert check_output_path("-") is None
    fresh = tmp_path / "fresh.json"
    assert check_output_path(str(fresh)) == fresh
    assert list(tmp_path.iterdir()) == []  # the probe file is gone again
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    check_output_path(str(kept))
    assert kept.read_text() == "old"  # not truncated
    with pytest.raises(ValueError, match=r"folder .*missing does not exist \(nothing was run\)"):
        check_output_path(str(tmp_path / "missing" / "x.json"))
    assert not (tmp_path / "missing").exists()
    with pytest.raises(ValueError, match="is a folder; give a file path"):
        check_output_path(str(tmp_path))


def test_a_read_only_folder_fails_the_check(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    try:
        probe = folder / "probe"
        try:
            probe.write_text("")
        except OSError:
            pass
        else:  # root ignores the mode bits: nothing to test here
            probe.unlink()
            pytest.skip("this user can write into a read-only folder (root)")
        with pytest.raises(ValueError, match=r"cannot write .*: Permission denied"):
            check_output_path(str(folder / "x.json"))
    finally:
        folder.chmod(0o700)


def test_proc_fails_the_check_although_its_folder_exists():
    with pytest.raises(ValueError, match=r"cannot write /proc/x.json: .*\(nothing was run\)"):
        check_output_path("/proc/x.json")


def test_argparse_types_carry_the_message():
    parser = argparse.ArgumentParser(exit_on_error=False)
    for flags, kwargs in options.BENCH_OPTIONS:
        parser.add_argument(*flags, **kwargs)
    with pytest.raises(argparse.ArgumentError, match="shape takes MxKxN"):
        parser.parse_args(["--shape", "1x2"])
    args = parser.parse_args(["--threads", "2", "--save", "a.json", "--json", "-"])
    assert args.save == ["a.json", "-"]
    from matmul_magic.race.runner import bench_kwargs

    assert bench_kwargs(args) == {"course": True, "threads": 2}


def test_importing_options_loads_the_standard_library_only():
    code = (
        "import sys\n"
        "import matmul_magic.race.options\n"
        "bad = [m for m in ('torch', 'IPython', 'numpy', 'matmul_magic.cli') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_bench_takes_threads_as_any_integral_number_but_not_a_bool():
    np = pytest.importorskip("numpy")
    import torch

    from matmul_magic import bench

    before = torch.get_num_threads()
    result = bench(budget=0.05, only="torch", shape="4x8x4", threads=np.int64(1))
    assert result.environment.threads == 1
    assert torch.get_num_threads() == before  # restored after the run
    assert parse_threads(np.int64(2)) == 2
    for bad in (True, np.bool_(True), np.float64(1.0), "1"):
        with pytest.raises(TypeError, match="threads is a whole number of threads"):
            bench(budget=0.05, only="torch", shape="4x8x4", threads=bad)


def test_save_never_writes_over_a_source_file(tmp_path):
    from matmul_magic.race.options import check_output_path

    kernel = tmp_path / "kernels.py"
    kernel.write_text("def mine(a, b):\n    return a @ b\n")
    with pytest.raises(ValueError, match="is a source file"):
        check_output_path(str(kernel))  # `--json kernels.py`: argparse gave --json the kernel
    assert kernel.read_text().startswith("def mine")
    assert check_output_path(str(tmp_path / "new.py")) is not None  # a new file is only a name


def test_every_option_type_is_its_parse_function_and_argparse_prints_its_words():
    """No adapter between argparse and the parsers (the budget's path stays in four files):
    each ``type`` is the ``parse_*`` function itself, and its ``OptionError`` reaches the
    user in the rule's own words, not argparse's "invalid value"."""
    from matmul_magic.race import plan

    types = {flags[0]: spec.get("type") for flags, spec in options.BENCH_OPTIONS}
    assert types["--budget"] is plan.parse_budget
    assert types["--shape"] is parse_shape and types["--threads"] is parse_threads
    parser = argparse.ArgumentParser(exit_on_error=False)
    for flags, spec in options.BENCH_OPTIONS:
        parser.add_argument(*flags, **spec)
    for flag, text, words in [
        ("--budget", "0", "budget takes positive seconds up to 3600 (an hour), got '0'"),
        ("--shape", "5x7", "shape takes MxKxN"),
        ("--threads", "0", "threads takes a whole number from 1 to 1024"),
        ("--sweep", "a", "sweep takes positive sizes"),
    ]:
        with pytest.raises(argparse.ArgumentError) as caught:
            parser.parse_args([flag, text])
        assert words in str(caught.value) and "invalid" not in str(caught.value)
