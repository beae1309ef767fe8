"""Shared fixtures: a real IPython shell with the extension loaded."""

from __future__ import annotations

import pytest

# pytester's in-process runs restore sys.modules afterwards, dropping what they imported
# first; torch does not survive being imported a second time in one process (a segfault when
# a file such as test_magic_lines_as_python.py ran alone). Imported once here, it is kept.
import torch  # noqa: E402, F401
from IPython.core.interactiveshell import InteractiveShell


@pytest.fixture
def ip():
    """A real ``InteractiveShell`` with ``%load_ext matmul_magic``; unloaded afterwards."""
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "matmul_magic")
    try:
        yield shell
    finally:
        shell.run_line_magic("unload_ext", "matmul_magic")
        shell.user_ns.clear()
        shell.init_user_ns()


@pytest.fixture
def no_mnist(tmp_path, monkeypatch):
    """The test runs where no MNIST can be found (and none is downloaded)."""
    from matmul_magic.race import bench_operands

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FASTAI_HOME", str(tmp_path / "fastai"))
    monkeypatch.delenv("MATMUL_MAGIC_MNIST", raising=False)
    bench_operands._MNIST_CACHE.clear()
    return tmp_path


@pytest.fixture
def lesson(ip):
    """``ip`` with the lesson's names in its user namespace (the testing magics' tests)."""
    from magic_cells import run

    run(
        ip,
        "import torch\n"
        "from matmul_magic import *\n"
        "def matmul(a, b):\n"
        "    return torch.einsum('ik,kj->ij', a, b)\n"
        "m1, m2 = torch.randn(5, 3), torch.randn(3, 4)\n"
        "t1 = m1 @ m2\n",
    )
    return ip


@pytest.fixture
def ns():
    """The lesson's tensors by name, as a cell that raises would see them (the hint tests)."""

    return {
        "torch": torch,
        "a": torch.randn(5, 784),
        "b": torch.randn(784, 10),
        "w": torch.randn(784, 10),
        "c": torch.zeros(5, 10),
        "x": torch.randn(3),
    }


@pytest.fixture
def fake_bench(monkeypatch):
    """Replace the runner with one that reports progress and returns a saved result; the calls.

    Shared by the CLI tests and the ``%matmul_bench`` tests."""
    from bench_fixtures import fixture

    import matmul_magic.race.runner as runner
    from matmul_magic.bench_result.result import BenchProgress

    calls = []

    def install(name="course_cpu.json"):
        result = fixture(name)

        def fake(*fns, on_progress=None, **kwargs):
            calls.append((fns, kwargs))
            planned = tuple(r.name for r in result.rows)
            if on_progress is not None:  # the checks, then the race, then the end
                for i, name_ in enumerate(planned):
                    on_progress(BenchProgress(planned, (), name_, "check", elapsed=0.1 * i))
                on_progress(BenchProgress(planned, result.rows, None, "time", elapsed=0.9))
                on_progress(BenchProgress(planned, result.rows, None, "done", elapsed=1.0))
            return result

        monkeypatch.setattr(runner, "bench", fake)
        return calls

    return install
