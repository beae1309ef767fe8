"""``matmul-magic bench``: table on stdout, progress on stderr, argparse errors, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import matmul_magic.benchmark.runner as runner
from matmul_magic import cli
from matmul_magic.benchmark.display import StreamProgress
from matmul_magic.benchmark.result import BenchProgress, BenchResult

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "bench"
SCHEMA = json.loads((ROOT / "matmul_magic" / "benchmark" / "schema.json").read_text())
FAST = ["--budget", "0.2", "--only", "einsum,torch"]


def fixture(name: str) -> BenchResult:
    return BenchResult.from_dict(json.loads((FIXTURES / name).read_text()))


@pytest.fixture
def fake_bench(monkeypatch):
    def install(name):
        result = fixture(name)

        def fake(*fns, on_progress=None, **kwargs):
            planned = tuple(r.name for r in result.rows)
            if on_progress is not None:
                on_progress(BenchProgress(planned, (), planned[0], "check"))
                on_progress(BenchProgress(planned, tuple(result.rows), None, "time"))
            return result

        monkeypatch.setattr(runner, "bench", fake)

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


def test_json_dash_prints_the_payload_instead_of_the_table(capsys):
    code = cli.main(["bench", *FAST, "--json", "-", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    payload = json.loads(out)
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["bench", "--budget", "0"],
        ["bench", "--shape", "5x784"],
        ["bench", "--sweep", "x"],
        ["bench", "--device", "tpu"],
        ["bench", "--only", "nobody"],
        ["bench", "--no-course"],
        ["bench", "-o"],
    ],
)
def test_bad_input_is_an_argparse_error_with_exit_code_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == cli.EXIT_USAGE
    assert "usage: matmul-magic" in capsys.readouterr().err


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


@pytest.mark.parametrize("option", ["--save", "--json"])
def test_an_unwritable_path_is_one_error_line_after_the_table(fake_bench, capsys, tmp_path, option):
    fake_bench("course_cpu.json")
    (tmp_path / "a_file").write_text("")
    path = tmp_path / "a_file" / "run.json"  # a file where a folder should be
    assert cli.main(["bench", "--quiet", option, str(path)]) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert fixture("course_cpu.json").rows[0].name in out  # the run is not lost
    assert err.startswith(f"matmul-magic bench: error: cannot write {path}: ")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv, said",
    [
        (["--no-course"], "--no-course would leave nothing to race"),
        (["--only", "nobody,torch,ghost"], "only: 'nobody', 'ghost' are not in the race; choose"),
    ],
)
def test_usage_errors_speak_the_clis_language(argv, said, capsys):
    with pytest.raises(SystemExit):
        cli.main(["bench", "--quiet", *argv])
    err = capsys.readouterr().err
    assert said in err and "only=" not in err and "course=True" not in err


def test_interrupt_outside_the_runner_exits_130(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "bench", interrupted)
    assert cli.main(["bench", "--quiet"]) == cli.EXIT_INTERRUPTED
    assert "interrupted" in capsys.readouterr().err


def test_options_map_to_bench_keywords():
    args = cli.build_parser().parse_args(
        ["bench", "--shape", "8×16×4", "--sweep", "8, 16", "--only", "a,b", "--no-course"]
    )
    assert cli.bench_kwargs(args) == {
        "course": False, "shape": (8, 16, 4), "only": ["a", "b"], "sweep": [8, 16],
    }  # fmt: skip


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
