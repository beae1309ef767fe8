"""The package's lazy public API: every listed name resolves from the module that owns it."""

from __future__ import annotations

import importlib

import pytest

import matmul_magic


@pytest.mark.parametrize("name", matmul_magic.__all__)
def test_every_public_name_resolves_from_its_module(name):
    module = importlib.import_module(f"matmul_magic.{matmul_magic._WHERE[name]}")
    assert getattr(matmul_magic, name) is getattr(module, name)
    if hasattr(module, "__all__"):
        assert name in module.__all__


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        matmul_magic.no_such_name  # noqa: B018


def test_dir_lists_the_lazy_names_before_they_are_imported():
    assert {"bench", "test_near", "ShapeExplorer", "broadcast_shapes"} <= set(dir(matmul_magic))


def test_a_lookup_imports_the_testing_package_only_when_it_needs_its_names():
    import subprocess
    import sys

    code = (
        "import sys, matmul_magic as m\n"
        "hasattr(m, '_jupyter_server_extension_points'), m.broadcast_shapes\n"
        "print('matmul_magic.testing' in sys.modules)\n"
        "m.test_eq\n"
        "print('matmul_magic.testing' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


def test_labextension_path_points_at_the_built_extension():
    (entry,) = matmul_magic._jupyter_labextension_paths()
    assert entry == {"src": "labextension", "dest": "matmul-magic"}


def test_the_version_is_written_once_in_the_labextensions_package_json():
    import json
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    written = json.loads((root / "labextension/package.json").read_text(encoding="utf-8"))
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'(?m)^dynamic = \["version"\]$', pyproject)
    assert not re.search(r"(?m)^version = ", pyproject)  # no second copy to fall behind
    assert 'path = "labextension/package.json"' in pyproject
    assert matmul_magic.__version__ == written["version"]
    built = json.loads((root / "matmul_magic/labextension/package.json").read_text("utf-8"))
    assert built["version"] == written["version"]
    cli = [sys.executable, "-m", "matmul_magic", "--version"]
    done = subprocess.run(cli, capture_output=True, text=True, check=True, cwd=root)
    assert done.stdout == f"matmul-magic {written['version']}\n"


def test_the_testing_names_are_listed_once_by_the_testing_package():
    import matmul_magic.testing as testing

    assert set(testing.__all__) <= set(matmul_magic.__all__)
    assert all(matmul_magic._WHERE[name] == "testing" for name in testing.__all__)
