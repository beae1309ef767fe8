"""%matmul_bench and %%matmul_bench, driven through a real InteractiveShell."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from bench_fixtures import fixture
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from matmul_magic.bench_result.result import MIME_TYPE, BenchResult
from matmul_magic.magics import matmul_bench as bench_magics
from matmul_magic.magics.matmul_bench import cell_function_names

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "matmul_magic" / "bench_result" / "schema.json").read_text())
FAST = "--budget 0.2 --only einsum,torch"


def test_loading_the_extension_imports_neither_torch_nor_the_runner():
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'matmul_magic')\n"
        "assert 'matmul_bench' in ip.magics_manager.magics['cell']\n"
        "heavy = ('torch', 'anywidget', 'matmul_magic.race.runner', 'matmul_magic.cli')\n"
        "bad = [m for m in heavy if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_line_magic_races_the_course_and_returns_with_o(ip):
    result = ip.run_line_magic("matmul_bench", f"{FAST} -o")
    assert isinstance(result, BenchResult)
    assert [r.name for r in result.rows] == ["einsum", "torch"]
    assert all(r.correct for r in result.rows)
    assert all(r.median and r.median > 0 for r in result.rows)
    assert ip.run_line_magic("matmul_bench", FAST) is None


def test_cell_magic_races_the_cells_functions_beside_the_course(ip):
    cell = (
        "import torch\n"
        "def _helper(a):\n"
        "    return a\n"
        "def mine(a, b):\n"
        "    return _helper(a) @ b\n"
        "def wrong(a, b):\n"
        "    return a @ b + 1\n"
        "def broken(a, b):\n"
        "    raise RuntimeError('<b>nope</b>')\n"
        "def one_arg(a):\n"
        "    return a\n"
    )
    result = ip.run_cell_magic("matmul_bench", f"{FAST} -o", cell)
    names = ["einsum", "torch", "mine", "wrong", "broken"]  # one_arg cannot be called as (a, b)
    assert [r.name for r in result.rows] == names
    rows = {r.name: r for r in result.rows}
    assert rows["mine"].kind == "user" and rows["mine"].status == "ok"
    assert rows["wrong"].status == "incorrect"
    assert rows["broken"].status == "failed" and "<b>nope</b>" in rows["broken"].error
    assert rows["mine"].speedup is not None
    assert callable(ip.user_ns["mine"])  # the cell ran in the user namespace
    assert "_helper" in ip.user_ns


def test_no_course_races_only_the_cell(ip):
    cell = "def mine(a, b):\n    return a @ b\n"
    result = ip.run_cell_magic("matmul_bench", "--budget 0.2 --no-course -o", cell)
    assert [r.name for r in result.rows] == ["mine"]


@pytest.mark.parametrize(
    "line",
    [
        "--budget -1",
        "--budget soon",
        "--shape 5x7",
        "--shape 5xax3",
        "--sweep 8,big",
        "--only ,",
        "--bogus",
        "--device tpu",
        "--dtype complex-ish",
        "--baseline nobody --only einsum,torch",
        "--only nobody",
        "--no-course",
    ],
)
def test_bad_options_are_usage_errors(ip, line):
    with pytest.raises(UsageError):
        ip.run_line_magic("matmul_bench", line)


def test_an_error_in_the_cell_propagates_before_anything_is_timed(ip, fake_bench):
    calls = fake_bench()
    with pytest.raises(ZeroDivisionError):
        ip.run_cell_magic("matmul_bench", "", "def mine(a, b):\n    return a @ b\n1 / 0\n")
    assert calls == []


def test_an_error_in_the_cell_shows_the_cells_line_not_the_magic(ip, fake_bench, capsys):
    fake_bench()
    previous = ip.colors
    ip.run_line_magic("colors", "nocolor")
    try:
        cell = "%%matmul_bench\ndef mine(a, b):\n    return a @ b\n1 / 0\n"
        result = ip.run_cell(cell, store_history=True)
    finally:
        ip.run_line_magic("colors", previous)
    out = capsys.readouterr().out
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    assert f"Cell In[{result.execution_count}], line 4" in out and "----> 4 1 / 0" in out
    assert "bench.py" not in out and "_run_cell" not in out


def test_ctrl_c_during_a_function_keeps_the_finished_rows_and_re_raises(ip, capsys):
    # SIGINT's handler runs inside the call, as when the user presses Ctrl-C there
    cell = (
        "import signal\ndef stop(a, b):\n    signal.getsignal(signal.SIGINT)(signal.SIGINT, None)\n"
    )
    with pytest.raises(KeyboardInterrupt):
        ip.run_cell_magic("matmul_bench", FAST, cell)
    out, _ = capsys.readouterr()
    assert "INTERRUPTED" in out


def test_a_keyboard_interrupt_raised_by_a_function_fails_its_row_only(ip, capsys):
    cell = "def stop(a, b):\n    raise KeyboardInterrupt\n"
    ip.run_cell_magic("matmul_bench", FAST, cell)
    out, _ = capsys.readouterr()
    assert "INTERRUPTED" not in out and "not Ctrl-C" in out


def test_a_syntax_error_in_the_cell_is_a_usage_error_naming_the_line(ip, fake_bench):
    calls = fake_bench()
    with pytest.raises(UsageError, match=r"line 3: expected ':'.*\n    def mine\(a, b\)$"):
        ip.run_cell_magic("matmul_bench", FAST, "x = 1\ndef mine(a, b)\n    return a @ b\n")
    assert calls == [] and "x" not in ip.user_ns


def test_a_cell_without_functions_is_a_usage_error(ip):
    with pytest.raises(UsageError, match="defines none"):
        ip.run_cell_magic("matmul_bench", FAST, "x = 1\n")
    assert "x" not in ip.user_ns  # nothing ran


def test_options_reach_bench(ip, fake_bench):
    calls = fake_bench()
    ip.run_line_magic(
        "matmul_bench",
        "--device cpu --dtype float64 --shape 8x16x4 --budget 3 --baseline einsum "
        "--only einsum,torch --sweep 8,16",
    )
    ((fns, kwargs),) = calls
    assert fns == ()
    assert kwargs == {
        "course": True, "device": "cpu", "dtype": "float64", "shape": (8, 16, 4),
        "budget": 3.0, "baseline": "einsum", "only": ["einsum", "torch"], "sweep": [8, 16],
    }  # fmt: skip


def test_progress_updates_one_display_then_the_result_replaces_it(ip, fake_bench):
    fake_bench()
    with capture_output() as captured:
        ip.run_line_magic("matmul_bench", "")
    first, *updates = outputs_of(captured)
    display_id = first["transient"]["display_id"]
    assert not first["update"]
    assert "matmul bench [1/5] loops: checking" in first["data"]["text/plain"]
    assert updates and all(u["update"] for u in updates)
    assert {u["transient"]["display_id"] for u in updates} == {display_id}
    final = updates[-1]["data"]
    assert final[MIME_TYPE] == fixture("course_cpu.json").to_dict()
    assert "text/html" in final and "speedup vs loops" in final["text/plain"]


def outputs_of(captured):
    return [
        {"data": o.data, "transient": o.transient, "update": o.update} for o in captured.outputs
    ]


def test_in_a_terminal_progress_goes_to_stderr_and_the_table_prints_once(ip, fake_bench, capsys):
    fake_bench()
    ip.run_line_magic("matmul_bench", "")
    out, err = capsys.readouterr()
    assert out.count("speedup vs loops") == 1
    assert "matmul bench [1/5] loops: checking" in err
    assert "[5/5] done" in err


def test_interrupt_displays_the_partial_rows_then_re_raises(ip, fake_bench, capsys, tmp_path):
    fake_bench("interrupted_cuda.json")
    saved = tmp_path / "partial.json"
    with pytest.raises(KeyboardInterrupt):
        ip.run_line_magic("matmul_bench", f"--save {saved}")
    out, _ = capsys.readouterr()
    assert "INTERRUPTED" in out and "oom_kernel" in out
    assert json.loads(saved.read_text())["interrupted"] is True


def test_save_writes_a_payload_that_validates(ip, tmp_path):
    path = tmp_path / "run.json"
    ip.run_line_magic("matmul_bench", f"{FAST} --save {path}")
    payload = json.loads(path.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)
    assert [r["name"] for r in payload["rows"]] == ["einsum", "torch"]


@pytest.mark.parametrize("where", ["missing", "file_as_parent"])
def test_an_unwritable_save_path_is_a_usage_error_before_anything_runs(ip, fake_bench, tmp_path,
                                                                        where):  # fmt: skip
    calls = fake_bench()
    (tmp_path / "a_file").write_text("")
    parent = tmp_path / ("deep" if where == "missing" else "a_file")
    said = "does not exist (nothing was run)" if where == "missing" else "is not a folder"
    with pytest.raises(UsageError, match=re.escape(said)):
        ip.run_cell_magic("matmul_bench", f"--save {parent / 'run.json'}", "x = 1\n")
    assert calls == [] and "x" not in ip.user_ns  # neither the cell nor the bench ran
    assert not (tmp_path / "deep").exists()


def test_quoted_options_are_split_as_a_shell_splits_them(ip, fake_bench, tmp_path):
    calls = fake_bench()
    path = tmp_path / "with space.json"
    ip.run_line_magic("matmul_bench", f"--save '{path}' --device 'cpu' --only \"einsum, torch\"")
    assert json.loads(path.read_text()) == fixture("course_cpu.json").to_dict()
    ((_, kwargs),) = calls
    assert kwargs["device"] == "cpu" and kwargs["only"] == ["einsum", "torch"]


@pytest.mark.parametrize(
    "line, said",
    [
        ("--save ''", "save takes a file path, or - for stdout"),
        ("--save 'unclosed.json", "cannot split the options: No closing quotation"),
        ("--threads 0", "threads takes a whole number from 1 to 1024"),
        ("--budget 7200", "up to 3600 (an hour)"),
    ],
)
def test_bad_quoting_and_values_are_usage_errors(ip, fake_bench, line, said):
    calls = fake_bench()
    with pytest.raises(UsageError, match=re.escape(said)):
        ip.run_line_magic("matmul_bench", line)
    assert calls == []


def test_save_dash_prints_the_json(ip, fake_bench, capsys):
    fake_bench()
    ip.run_line_magic("matmul_bench", "--save -")
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{\n") :]) == fixture("course_cpu.json").to_dict()


def _failing_save(monkeypatch):
    def fail(result, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bench_magics, "save_json", fail)


def test_with_o_a_failed_save_still_returns_the_result(ip, fake_bench, monkeypatch, tmp_path,
                                                       capsys):  # fmt: skip
    fake_bench()
    _failing_save(monkeypatch)
    path = tmp_path / "x.json"
    ip.run_cell(f"r = %matmul_bench --save {path} -o")
    assert isinstance(ip.user_ns["r"], BenchResult)
    err = capsys.readouterr().err
    assert f"UsageError: --save: cannot write {path}: No space left on device" in err


def test_without_o_a_failed_save_is_a_usage_error_after_the_result(ip, fake_bench, monkeypatch,
                                                                   tmp_path, capsys):  # fmt: skip
    fake_bench()
    _failing_save(monkeypatch)
    path = tmp_path / "x.json"
    with pytest.raises(UsageError, match=f"^--save: cannot write {re.escape(str(path))}: No space"):
        ip.run_line_magic("matmul_bench", f"--save {path}")
    assert "speedup vs loops" in capsys.readouterr().out  # shown before the error


def test_with_o_an_interrupt_returns_the_partial_result(ip, fake_bench, capsys):
    fake_bench("interrupted_cuda.json")
    ip.run_cell("r = %matmul_bench -o")
    result = ip.user_ns["r"]
    assert isinstance(result, BenchResult) and result.interrupted
    out, err = capsys.readouterr()
    assert "INTERRUPTED" not in out  # assigned, so not shown (-o shows it once, as Out)
    assert "INTERRUPTED" in repr(result)
    assert f"KeyboardInterrupt: the bench stopped after {len(result.rows)} rows" in err


def test_threads_reaches_bench_only_when_given(ip, fake_bench):
    calls = fake_bench()
    ip.run_line_magic("matmul_bench", "--threads 2")
    ip.run_line_magic("matmul_bench", "")
    assert calls[0][1]["threads"] == 2 and "threads" not in calls[1][1]


def test_help_comes_from_the_docstring_and_lists_every_option(ip):
    doc = ip.magics_manager.magics["line"]["matmul_bench"].__doc__
    for option in ("--device", "--dtype", "--shape", "--budget", "--baseline", "--only",
                   "--no-course", "--sweep", "--threads", "-o", "--save"):  # fmt: skip
        assert option in doc
    assert "top-level" in doc


def test_unload_removes_the_magics(ip):
    ip.run_line_magic("unload_ext", "matmul_magic")
    try:
        assert "matmul_bench" not in ip.magics_manager.magics["line"]
        assert "matmul_bench" not in ip.magics_manager.magics["cell"]
    finally:
        ip.run_line_magic("load_ext", "matmul_magic")
    ip.run_line_magic("load_ext", "matmul_magic")  # loading twice is harmless
    assert "matmul_bench" in ip.magics_manager.magics["cell"]


def test_cell_function_names_are_top_level_public_defs_in_order():
    source = (
        "def b(a, b): pass\n"
        "def _h(): pass\n"
        "class C:\n    def m(self): pass\n"
        "if True:\n    def hidden(a, b): pass\n"
        "async def coro(a, b): pass\n"
        "def a(a, b): pass\n"
        "def b(a, b): pass\n"
    )
    assert cell_function_names(source) == ["b", "a"]


def test_the_package_exports_bench_and_benchresult_whichever_import_comes_first():
    code = (
        "import matmul_magic.bench_result.result\n"
        "import matmul_magic\n"
        "from matmul_magic import bench, BenchResult\n"
        "r = bench(lambda a, b: a @ b, budget=0.1, only=['torch', '<lambda>'])\n"
        "assert isinstance(r, BenchResult), type(r)\n"
        "assert [x.name for x in r.rows] == ['torch', '<lambda>'], r.rows\n"
        "assert isinstance(matmul_magic.bench(budget=0.1, only=['torch']), BenchResult)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_a_real_run_with_faults_and_a_sweep_fills_the_schema(ip, tmp_path):
    cell = (
        "def wrong(a, b):\n    return a @ b * 2\n"
        "def broken(a, b):\n    raise ValueError('no')\n"
        "def fine(a, b):\n    return a @ b\n"
    )
    path = tmp_path / "sweep.json"
    ip.run_cell_magic(
        "matmul_bench", f"--budget 0.6 --only loops,torch --sweep 4,8 --save {path}", cell
    )
    payload = json.loads(path.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)
    rows = {r["name"]: r for r in payload["rows"]}
    assert payload["sweep"] == {"sizes": [4, 8]}
    assert [p["size"] for p in rows["torch"]["points"]] == [4, 8]
    assert rows["wrong"]["status"] == "incorrect" and rows["broken"]["status"] == "failed"
    assert rows["fine"]["status"] == "ok"
    assert BenchResult.from_dict(payload).to_dict() == payload


def test_progress_moves_its_clock_while_the_rows_race(ip):
    from matmul_magic.bench_result.result import BenchProgress
    from matmul_magic.magics.matmul_bench import PROGRESS_TICK, LiveProgress

    live = LiveProgress(ip)
    shown: list = []
    live.in_place, live._stream = False, shown.append
    racing = {"planned": ("loops", "torch"), "phase": "time", "budget": 1.0}
    for elapsed in (0.30, 0.31, 0.32, 0.30 + PROGRESS_TICK, 0.30 + 2 * PROGRESS_TICK):
        live(BenchProgress(elapsed=elapsed, **racing))
    # nothing but the clock changes during the race: it is shown every quarter second
    assert [p.elapsed for p in shown] == [0.30, 0.55, 0.80]
