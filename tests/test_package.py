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


def test_labextension_path_points_at_the_built_extension():
    (entry,) = matmul_magic._jupyter_labextension_paths()
    assert entry == {"src": "labextension", "dest": "matmul-magic"}
