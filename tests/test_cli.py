"""``matmul-magic bench``: table on stdout, progress on stderr, argparse errors, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import jsonschema
import pytest
from bench_fixtures import FAST, ROOT, SCHEMA, fixture

import matmul_magic.race.runner as runner
from matmul_magic import cli
from matmul_magic.bench_result.result import BenchProgress
from matmul_magic.bench_result.views import StreamProgress


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
        (["bench", "--threads", "0"], "--threads: threads takes a whole number from 1 to 1024"),
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


@pytest.mark.readme_output
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
    from matmul_magic.race.runner import bench_kwargs

    assert bench_kwargs(args) == {
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


def test_the_no_course_advice_works_when_followed(fake_bench, capsys):
    fake_bench()
    assert cli.main(["bench", "--quiet", "--no-course"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "leave out --no-course to race the course (--only picks its rows)" in err
    # --only together with --no-course is the advice that would fail again ...
    assert cli.main(["bench", "--quiet", "--no-course", "--only", "torch"]) == cli.EXIT_USAGE
    capsys.readouterr()
    # ... and leaving --no-course out, as the advice says, runs
    assert cli.main(["bench", "--quiet", "--only", "torch"]) == cli.EXIT_OK
