"""Shared fixtures: a real IPython shell with the extension loaded."""

from __future__ import annotations

import pytest
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
    from matmul_magic.race import operands

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FASTAI_HOME", str(tmp_path / "fastai"))
    monkeypatch.delenv("MATMUL_MAGIC_MNIST", raising=False)
    operands._MNIST_CACHE.clear()
    return tmp_path
