"""``matmul-magic`` as a terminal tool, each behaviour through a real subprocess.

stdout holds only the result (the kernels' prints go to stderr), every output failure is one
line on stderr with its documented exit code, a FIFO is opened once, and the start-up before
the race is reported so that it and ``took`` add up to the wall time a user waits.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import jsonschema
import pytest
from bench_fixtures import FAST, ROOT, SCHEMA

from matmul_magic import __version__, cli
from matmul_magic.cli_streams import REDIRECT_NOTE

BENCH = [sys.executable, "-m", "matmul_magic", "bench"]
TIMEOUT = 300

LOUD_KERNELS = """\
import os
print("kernels: loading")

def loud(a, b):
    print("kernels: computing")
    os.write(1, b"kernels: a C library writing to fd 1\\n")
    return a @ b

def three(a, b, c):
    return a @ b

def _helper(a, b):
    return a @ b
"""


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [*BENCH, *FAST, *args], cwd=ROOT, stderr=subprocess.PIPE, text=True,
        timeout=TIMEOUT, **kwargs,
    )  # fmt: skip


@pytest.mark.parametrize("flag", ["--save", "--json"])
def test_what_the_kernels_print_goes_to_stderr_and_stdout_stays_valid_json(tmp_path, flag):
    kernels = tmp_path / "kernels.py"
    kernels.write_text(LOUD_KERNELS)
    done = _run(str(kernels), flag, "-")
    assert done.returncode == cli.EXIT_OK, done.stderr
    payload = json.loads(done.stdout)  # nothing but the JSON
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)
    assert [r["name"] for r in payload["rows"]] == ["einsum", "torch", "loud"]
    err = done.stderr
    assert "kernels: loading" in err and "kernels: computing" in err
    assert "kernels: a C library writing to fd 1" in err
    assert err.count(REDIRECT_NOTE) == 1  # said once, where the first print went
    assert f"{kernels}: not racing three (not a function of (a, b)), _helper (private: " in err


def test_the_table_alone_is_on_stdout_when_the_kernels_print(tmp_path):
    kernels = tmp_path / "kernels.py"
    kernels.write_text(LOUD_KERNELS)
    done = _run(str(kernels), "--quiet")
    assert done.returncode == cli.EXIT_OK, done.stderr
    assert "kernels:" not in done.stdout and "loud" in done.stdout


def test_a_closed_stdout_is_exit_code_3_and_one_line_before_anything_runs(tmp_path):
    kernels = tmp_path / "kernels.py"
    kernels.write_text("open(__file__ + '.ran', 'w').close()\ndef k(a, b):\n    return a @ b\n")
    done = subprocess.run(
        ["bash", "-c", 'exec "$@" >&-', "bash", *BENCH, *FAST, str(kernels)],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert done.returncode == cli.EXIT_OUTPUT
    assert done.stderr.startswith("matmul-magic bench: error: stdout is closed")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "kernels.py.ran").exists()  # nothing was run


def test_dev_full_is_exit_code_3_and_one_line(tmp_path):
    with open("/dev/full", "w") as full:
        done = _run("--quiet", stdout=full)
    assert done.returncode == cli.EXIT_OUTPUT
    said = "matmul-magic bench: error: cannot write to stdout: No space left on device\n"
    assert done.stderr == said


def test_a_fifo_is_opened_once_so_its_reader_gets_the_whole_json(tmp_path):
    fifo = tmp_path / "bench.fifo"
    os.mkfifo(fifo)
    read: list[str] = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_text()), daemon=True)
    reader.start()  # blocks in open() until the bench opens the FIFO to write
    done = _run("--quiet", "--save", str(fifo))
    reader.join(timeout=TIMEOUT)
    assert done.returncode == cli.EXIT_OK, done.stderr
    assert read and read[0], "the reader saw an empty FIFO: the path check opened it"
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(read[0]))


def test_a_reader_that_leaves_stops_the_race_with_exit_141_and_one_line(tmp_path):
    saved = tmp_path / "out.json"
    proc = subprocess.Popen(
        [*BENCH, *FAST, "--budget", "30", "--quiet", "--save", str(saved)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    proc.stdout.close()  # `| true`: the reader is gone before the race starts
    err = proc.stderr.read()
    assert proc.wait(timeout=TIMEOUT) == cli.EXIT_PIPE
    assert err.startswith("matmul-magic bench: stdout's reader left, so the race stopped")
    assert len(err.splitlines()) == 1
    payload = json.loads(saved.read_text())  # the files still hold what was measured
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)
    assert payload["interrupted"] is True  # stopped, not run out to its 30 s budget


def test_head_gets_its_lines_and_nothing_hangs_or_tracebacks():
    command = " ".join([*BENCH, *FAST, "--quiet"]) + " | head -3"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT,
                          capture_output=True, text=True, timeout=TIMEOUT)  # fmt: skip
    assert done.returncode in (cli.EXIT_OK, cli.EXIT_PIPE)
    assert len(done.stdout.splitlines()) == 3
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) <= 1


def test_version():
    done = subprocess.run([*BENCH[:-1], "--version"], capture_output=True, text=True,
                          timeout=TIMEOUT)  # fmt: skip
    assert done.returncode == 0
    assert done.stdout == f"matmul-magic {__version__}\n"


_TIME = r"([\d.]+)\s?(s|ms|µs)"
_FACTOR = {"s": 1.0, "ms": 1e-3, "µs": 1e-6}


def _seconds(number: str, unit: str) -> float:
    return float(number) * _FACTOR[unit]


def test_start_up_and_took_add_up_to_the_wall_time_a_user_waits():
    started = time.perf_counter()
    done = _run("--only", "torch")
    wall = time.perf_counter() - started
    assert done.returncode == cli.EXIT_OK, done.stderr
    took = re.search(r"took " + _TIME, done.stdout)
    assert took, done.stdout
    race = _seconds(*took.groups())
    note = re.search(
        rf"start-up {_TIME} before the race \(.*\) \+ the race's took {_TIME} = {_TIME} in all",
        done.stderr,
    )
    if note is None:  # a machine quick enough to start in under STARTUP_NOTE_S
        assert "start-up" not in done.stderr
        startup = 0.0
        total = race
    else:
        startup = _seconds(*note.groups()[0:2])
        assert startup >= cli.STARTUP_NOTE_S
        assert note.group(3, 4) == took.groups()  # the same race the header reports
        total = _seconds(*note.groups()[4:6])
        assert total == pytest.approx(startup + race, abs=0.06)  # each printed to 3 figures
    # Measured inside the process, both lie within the wall time measured around it; what
    # is left is printing and the interpreter's exit (generous: this machine is shared).
    assert total <= wall + 0.05
    assert wall - total < max(2.0, 0.3 * wall)


def test_the_start_up_note_appears_only_when_the_start_up_is_large(monkeypatch):
    from matmul_magic.bench_result.views.format import format_time

    result = SimpleNamespace(elapsed=2.0)  # the race's took
    monkeypatch.setattr(cli, "process_started", lambda: 10.0)
    assert cli._startup_note(result, race_ended=12.3) is None  # 0.3 s before the race
    note = cli._startup_note(result, race_ended=15.0)  # 3 s before it
    assert note is not None
    assert note.startswith(f"start-up {format_time(3.0)} before the race")
    assert note.endswith(f"took {format_time(2.0)} = {format_time(5.0)} in all")


def test_ending_the_process_early_still_runs_exit_handlers_and_keeps_the_exit_code(tmp_path):
    # The bench skips the interpreter's teardown (torch's unloading), not atexit: a kernel
    # file's handler runs, and a failing row still gives exit code 1.
    kernels = tmp_path / "kernels.py"
    marker = tmp_path / "atexit-ran"
    kernels.write_text(
        "import atexit\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').close())\n"
        "def wrong(a, b):\n    return a @ b + 1\n"
    )
    done = _run(str(kernels), "--quiet")
    assert done.returncode == cli.EXIT_BAD_ROWS, done.stderr
    assert marker.exists()
    assert "wrong" in done.stdout
