"""``matmul-magic bench``: table on stdout, progress on stderr, argparse errors, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import matmul_magic.race.runner as runner
from matmul_magic import cli
from matmul_magic.bench_result.result import BenchProgress, BenchResult
from matmul_magic.bench_result.views import StreamProgress

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "bench"
SCHEMA = json.loads((ROOT / "matmul_magic" / "bench_result" / "schema.json").read_text())
FAST = ["--budget", "0.2", "--only", "einsum,torch"]


def fixture(name: str) -> BenchResult:
    return BenchResult.from_dict(json.loads((FIXTURES / name).read_text()))


@pytest.fixture
def fake_bench(monkeypatch):
    """Replace the runner with one that reports progress and returns a fixture; the calls."""
    calls = []

    def install(name="course_cpu.json"):
        result = fixture(name)

        def fake(*fns, on_progress=None, **kwargs):
            calls.append((fns, kwargs))
            planned = tuple(r.name for r in result.rows)
            if on_progress is not None:
                on_progress(BenchProgress(planned, (), planned[0], "check"))
                on_progress(BenchProgress(planned, tuple(result.rows), None, "time"))
            return result

        monkeypatch.setattr(runner, "bench", fake)
        return calls

    return install


def test_python_m_runs_the_bench_end_to_end(tmp_path):
    out = tmp_path / "run.json"
    proc = subprocess.run(
        [sys.executable, "-m", "matmul_magic", "bench", *FAST, "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "speedup vs" in proc.stdout and "einsum" in proc.stdout
    assert "matmul bench [" in proc.stderr  # progress on stderr, not stdout
    assert "matmul bench [" not in proc.stdout
    payload = json.loads(out.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)
    assert [r["name"] for r in payload["rows"]] == ["einsum", "torch"]


@pytest.mark.parametrize("option", ["--save", "--json"])
def test_dash_prints_the_payload_instead_of_the_table(option, capsys):
    code = cli.main(["bench", *FAST, option, "-", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    payload = json.loads(out)
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)


@pytest.mark.parametrize(
    "argv, said",
    [
        ([], "required: COMMAND"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["bench", "--budget", "0"], "--budget: budget takes positive seconds up to 3600"),
        (["bench", "--budget", "7200"], "--budget: budget takes positive seconds up to 3600"),
        (["bench", "--shape", "5x784"], "--shape: shape takes MxKxN"),
        (["bench", "--sweep", "x"], "--sweep: sweep takes positive sizes"),
        (["bench", "--threads", "0"], "--threads: threads takes a positive whole number"),
        (["bench", "--save", ""], "--save/--json: save takes a file path, or - for stdout"),
        (["bench", "-o"], "unrecognized arguments: -o"),
    ],
)
def test_bad_options_are_argparse_errors_with_exit_code_2(argv, said, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "usage: matmul-magic" in err and said in err


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--device", "tpu"], "device 'tpu' is not available here"),
        (["--no-course"], "--no-course would leave nothing to race"),
        (["--only", "nobody,torch,ghost"], "only: 'nobody', 'ghost' are not in the race; choose"),
        (["--save", "-", "--json", "-"], "--save - (stdout) is given twice"),
    ],
)
def test_usage_errors_found_later_are_one_line_in_the_clis_language(argv, said, capsys):
    assert cli.main(["bench", "--quiet", *argv]) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("matmul-magic bench: error: ") and said in err
    assert len(err.splitlines()) == 1 and "only=" not in err and "course=True" not in err


@pytest.mark.parametrize(
    "name, code",
    [
        ("course_cpu.json", cli.EXIT_OK),
        ("faults_cpu.json", cli.EXIT_BAD_ROWS),
        ("interrupted_cuda.json", cli.EXIT_INTERRUPTED),
    ],
)
def test_exit_codes_follow_the_rows(fake_bench, capsys, name, code, tmp_path):
    fake_bench(name)
    saved = tmp_path / "saved.json"
    assert cli.main(["bench", "--save", str(saved)]) == code
    out, err = capsys.readouterr()
    assert fixture(name).rows[0].name in out
    assert "matmul bench [" in err
    assert json.loads(saved.read_text()) == fixture(name).to_dict()


def test_exit_codes_are_distinct_and_documented():
    codes = [cli.EXIT_OK, cli.EXIT_BAD_ROWS, cli.EXIT_USAGE, cli.EXIT_OUTPUT,
             cli.EXIT_INTERRUPTED, cli.EXIT_PIPE]  # fmt: skip
    assert len(set(codes)) == len(codes)
    bench = cli.build_parser()._subparsers._group_actions[0].choices["bench"]
    assert " ".join(cli.EXIT_CODES_HELP.split()) in " ".join(bench.format_help().split())
    for code in codes:
        assert f" {code} " in cli.EXIT_CODES_HELP
    readme = (ROOT / "README.md").read_text()
    for code in codes:
        assert f"| {code} |" in readme


def test_every_save_path_is_checked_before_the_run(fake_bench, capsys, tmp_path):
    calls = fake_bench()
    good, missing = tmp_path / "good.json", tmp_path / "no" / "such" / "x.json"
    assert cli.main(["bench", "--save", str(good), "--json", str(missing)]) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert calls == [] and out == ""  # nothing ran
    assert f"the folder {missing.parent} does not exist (nothing was run)" in err
    assert not (tmp_path / "no").exists() and not good.exists()  # nothing created either
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("where", ["folder", "file_as_parent"])
def test_a_folder_or_a_file_where_a_folder_should_be_fails_before_the_run(
    fake_bench, capsys, tmp_path, where
):
    calls = fake_bench()
    (tmp_path / "a_file").write_text("")
    path = tmp_path if where == "folder" else tmp_path / "a_file" / "run.json"
    assert cli.main(["bench", "--quiet", "--json", str(path)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert calls == []
    assert ("is a folder" if where == "folder" else "is not a folder") in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


class _Closed(io.StringIO):
    """A stdout whose reader has gone (``| head -1``) or whose disk is full (``> /dev/full``)."""

    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


def test_a_closed_stdout_ends_quietly_after_the_files_are_written(fake_bench, monkeypatch,
                                                                  capsys, tmp_path):  # fmt: skip
    fake_bench()
    saved = tmp_path / "out.json"
    monkeypatch.setattr(sys, "stdout", _Closed(BrokenPipeError(32, "Broken pipe")))
    assert cli.main(["bench", "--quiet", "--save", "-", "--save", str(saved)]) == cli.EXIT_PIPE
    assert capsys.readouterr().err == ""
    assert json.loads(saved.read_text()) == fixture("course_cpu.json").to_dict()


def test_a_full_disk_on_stdout_is_one_line_and_exit_code_3(fake_bench, monkeypatch, capsys,
                                                           tmp_path):  # fmt: skip
    fake_bench()
    saved = tmp_path / "out.json"
    monkeypatch.setattr(sys, "stdout", _Closed(OSError(28, "No space left on device")))
    assert cli.main(["bench", "--quiet", "--save", str(saved)]) == cli.EXIT_OUTPUT
    err = capsys.readouterr().err
    assert err == "matmul-magic bench: error: cannot write to stdout: No space left on device\n"
    assert saved.exists()


def test_a_file_that_fails_after_the_check_still_prints_the_table(fake_bench, monkeypatch,
                                                                 capsys, tmp_path):  # fmt: skip
    fake_bench()

    def full(result, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "save_json", full)
    assert cli.main(["bench", "--quiet", "--save", str(tmp_path / "x.json")]) == cli.EXIT_OUTPUT
    out, err = capsys.readouterr()
    assert fixture("course_cpu.json").rows[0].name in out  # the run is not lost
    assert err.startswith("matmul-magic bench: error: cannot write ")
    assert len(err.splitlines()) == 1


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "matmul_magic", "bench", *FAST, "--quiet", *args],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, **kwargs,
    )  # fmt: skip


def test_piping_into_a_reader_that_leaves_gives_no_traceback(tmp_path):
    saved = tmp_path / "out.json"
    proc = _cli("--save", "-", "--save", str(saved), stdout=subprocess.PIPE)
    proc.stdout.close()  # `| true`: the reader is gone before the bench writes
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == cli.EXIT_PIPE
    assert err == ""
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(saved.read_text()))


def test_dev_full_gives_exit_code_3_and_the_files_are_written(tmp_path):
    saved = tmp_path / "out.json"
    with open("/dev/full", "w") as full:
        proc = _cli("--save", str(saved), stdout=full)
        err = proc.stderr.read()
        assert proc.wait(timeout=300) == cli.EXIT_OUTPUT
    assert err == "matmul-magic bench: error: cannot write to stdout: No space left on device\n"
    assert saved.exists()


def test_a_sweep_prints_a_column_per_size_and_a_chart(fake_bench, capsys):
    fake_bench("sweep_cpu.json")
    cli.main(["bench", "--quiet"])
    out = capsys.readouterr().out
    assert "median time at each size" in out and "1148²" in out and "≈ 3,932 s" in out
    assert "size (log scale)" in out and "1 loops  2 elementwise" in out


def test_threads_reaches_bench_only_when_given(fake_bench):
    calls = fake_bench()
    cli.main(["bench", "--quiet", "--threads", "3"])
    cli.main(["bench", "--quiet"])
    assert calls[0][1]["threads"] == 3 and "threads" not in calls[1][1]


def test_interrupt_outside_the_runner_exits_130(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "bench", interrupted)
    assert cli.main(["bench", "--quiet"]) == cli.EXIT_INTERRUPTED
    assert "interrupted" in capsys.readouterr().err


def test_options_map_to_bench_keywords():
    args = cli.build_parser().parse_args(
        ["bench", "--shape", "8×16×4", "--sweep", "16, 8", "--only", "a,b", "--no-course"]
    )
    assert cli.bench_kwargs(args) == {
        "course": False, "shape": (8, 16, 4), "only": ["a", "b"], "sweep": [8, 16],
    }  # fmt: skip


# -- your kernels ------------------------------------------------------------------------------

KERNELS = """\
import torch
from torch import matmul  # imported, not defined here: does not race


def mine(a, b):
    return _helper(a) @ b


def wrong(a, b):
    return a @ b + 1


def _helper(a):
    return a


def one_arg(a):
    return a


def keyword_ok(a, b, *, tile=4):
    return a @ b


if __name__ == "__main__":  # a script's own entry point: not run when its kernels race
    raise SystemExit("the __main__ block ran")
"""


def test_a_kernel_file_races_its_public_functions_of_a_and_b(tmp_path, capsys):
    path = tmp_path / "kernels.py"
    path.write_text(KERNELS)
    code = cli.main(["bench", str(path), "--budget", "0.3", "--only", "torch", "--quiet",
                     "--save", "-"])  # fmt: skip
    out, err = capsys.readouterr()
    rows = {r["name"]: r["status"] for r in json.loads(out)["rows"]}
    assert rows == {"torch": "ok", "mine": "ok", "wrong": "incorrect", "keyword_ok": "ok"}
    assert code == cli.EXIT_BAD_ROWS  # 'wrong' is incorrect
    assert err == ""  # --quiet: not even the note on one_arg


def test_functions_that_cannot_take_a_and_b_are_named_on_stderr(fake_bench, tmp_path, capsys):
    calls = fake_bench()
    path = tmp_path / "kernels.py"
    path.write_text(KERNELS)
    cli.main(["bench", str(path), "--no-course"])
    ((fns, kwargs),) = calls
    assert [f.__name__ for f in fns] == ["mine", "wrong", "keyword_ok"]
    assert kwargs["course"] is False
    assert f"{path}: not racing one_arg (not functions of (a, b))" in capsys.readouterr().err


def test_module_colon_function_races_one_function_with_only(fake_bench, tmp_path, monkeypatch):
    calls = fake_bench()
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "__init__.py").write_text("")
    (tmp_path / "mypkg" / "fast.py").write_text("def tiled(a, b):\n    return a @ b\n")
    monkeypatch.chdir(tmp_path)  # found from the working folder, as `python -m` finds it
    monkeypatch.delitem(sys.modules, "mypkg", raising=False)
    cli.main(["bench", "mypkg.fast:tiled", f"{tmp_path / 'mypkg' / 'fast.py'}:tiled",
              "--only", "torch", "--quiet"])  # fmt: skip
    ((fns, kwargs),) = calls
    assert [f.__name__ for f in fns] == ["tiled", "tiled"]
    assert kwargs["only"] == ["torch"]  # course rows only: bench() races your functions anyway
    assert str(tmp_path) not in sys.path  # the search path is left as it was
    sys.modules.pop("mypkg.fast", None)


@pytest.mark.parametrize(
    "source, target, said",
    [
        ("x = 1\ndef mine(a, b)\n    return a @ b\n", "k.py",
         "k.py, line 2: SyntaxError: expected ':'"),
        ("import torch\nimport no_such_module_here\n", "k.py",
         "cannot load k.py: k.py, line 2: ModuleNotFoundError: No module named "
         "'no_such_module_here'"),
        ("def f(a, b):\n    return a\n\n1 / 0\n", "k.py",
         "cannot load k.py: k.py, line 4: ZeroDivisionError: division by zero"),
        ("def f(a):\n    return a\n", "k.py",
         "k.py defines no public top-level function of (a, b) to race (f takes other arguments)"),
        ("def f(a, b):\n    return a\n", "k.py:g", "k.py has no g"),
        ("g = 3\n", "k.py:g", "k.py:g: g is a int, not a function"),
        ("", "missing.py", "missing.py: no such kernel file (not there)"),
        ("", "no_such_pkg_zz.mod:fn", "no module named 'no_such_pkg_zz'"),
        ("import sys\nsys.exit(3)\n", "k.py", "cannot load k.py: k.py, line 2: SystemExit: 3"),
    ],
)
def test_a_kernel_that_cannot_load_is_one_line_naming_file_and_line(
    fake_bench, tmp_path, monkeypatch, capsys, source, target, said
):
    calls = fake_bench()
    monkeypatch.chdir(tmp_path)
    if source:
        (tmp_path / "k.py").write_text(source)
    assert cli.main(["bench", target]) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert calls == [] and out == ""
    assert err.startswith(f"matmul-magic bench: error: {said}") and err.count("\n") == 1


def test_the_console_script_shows_a_load_error_without_a_traceback(tmp_path):
    (tmp_path / "k.py").write_text("import torch\nraise RuntimeError('no GPU for you')\n")
    script = Path(sys.executable).with_name("matmul-magic")
    proc = subprocess.run([str(script), "bench", "k.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode == cli.EXIT_USAGE
    assert proc.stderr == (
        "matmul-magic bench: error: cannot load k.py: k.py, line 2: RuntimeError: no GPU for you\n"
    )


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_stream_progress_rewrites_one_line_on_a_tty_and_logs_lines_on_a_pipe():
    planned = ("loops", "torch")
    events = [
        BenchProgress(planned, (), "loops", "check", elapsed=0.01),
        BenchProgress(planned, (), "loops", "check", elapsed=0.02),  # same step: not news
        BenchProgress(planned, (), "torch", "time", elapsed=0.03),
    ]
    pipe, tty = io.StringIO(), _Tty()
    for stream in (pipe, tty):
        progress = StreamProgress(stream)
        for event in events:
            progress(event)
        progress.close()
    assert pipe.getvalue().count("\n") == 2 and "\r" not in pipe.getvalue()
    assert tty.getvalue().count("\r") == 3 and "\n" not in tty.getvalue()
    assert tty.getvalue().endswith("\r\x1b[K")
