"""``matmul-magic bench KERNELS``: racing your own functions from a file or a module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from matmul_magic import cli

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
    assert f"{path}: not racing one_arg (not a function of (a, b))" in capsys.readouterr().err


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
        ("raise KeyboardInterrupt\n", "k.py", "cannot load k.py: k.py, line 1: KeyboardInterrupt"
         " (raised by the file itself, not Ctrl-C)"),
        ("class Stop(BaseException):\n    pass\n\nraise Stop('halt')\n", "k.py",
         "cannot load k.py: k.py, line 4: Stop: halt"),
        ("class Odd(Exception):\n    def __str__(self):\n        raise ValueError\n\n"
         "raise Odd()\n", "k.py", "cannot load k.py: k.py, line 5: Odd: (its message could not "
         "be read: its __str__ raised)"),
        ("raise GeneratorExit\n", "kmod:f", "cannot load kmod: "),
    ],
)  # fmt: skip
def test_a_kernel_that_cannot_load_is_one_line_naming_file_and_line(
    fake_bench, tmp_path, monkeypatch, capsys, source, target, said
):
    calls = fake_bench()
    monkeypatch.chdir(tmp_path)
    if source:
        (tmp_path / ("kmod.py" if target.startswith("kmod") else "k.py")).write_text(source)
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


def test_a_kernels_atexit_print_goes_to_stderr_after_the_json_on_stdout(tmp_path):
    (tmp_path / "k.py").write_text(
        "import atexit\natexit.register(print, 'bye from atexit')\n\n"
        "def mine(a, b):\n    return a @ b\n"
    )
    script = Path(sys.executable).with_name("matmul-magic")
    proc = subprocess.run(
        [str(script), "bench", "k.py", "--only", "torch", "--budget", "0.1", "-q", "--save", "-"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == cli.EXIT_OK, proc.stderr
    assert {r["name"] for r in json.loads(proc.stdout)["rows"]} == {"torch", "mine"}
    assert proc.stderr.endswith("bye from atexit\n")
