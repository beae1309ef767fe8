"""Loading, unloading and reloading the whole extension (every magic family).

The import checks run in a fresh interpreter: in this one, other tests have long since
imported torch.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from matmul_magic.magics import FAMILIES

ROOT = Path(__file__).resolve().parents[1]

FRESH_SHELL = textwrap.dedent(
    """
    import json, sys
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()

    def magics():
        table = ip.magics_manager.magics
        return {"line": sorted(table["line"]), "cell": sorted(table["cell"])}

    def heavy():
        return sorted(m for m in ("torch", "anywidget", "ipywidgets", "numpy") if m in sys.modules)

    before, heavy_before = magics(), heavy()
    ip.run_line_magic("load_ext", "matmul_magic")
    loaded, heavy_loaded = magics(), heavy()
    ip.run_line_magic("load_ext", "matmul_magic")
    twice = magics()
    ip.run_line_magic("unload_ext", "matmul_magic")
    unloaded = magics()
    ip.run_line_magic("load_ext", "matmul_magic")
    ip.run_line_magic("reload_ext", "matmul_magic")
    reloaded, heavy_reloaded = magics(), heavy()
    print(json.dumps(dict(
        before=before, loaded=loaded, twice=twice, unloaded=unloaded, reloaded=reloaded,
        heavy_before=heavy_before, heavy_loaded=heavy_loaded, heavy_reloaded=heavy_reloaded,
    )))
    """
)


@pytest.fixture(scope="module")
def fresh():
    """What a fresh ``InteractiveShell`` sees through load, load, unload, load and reload."""
    done = subprocess.run(
        [sys.executable, "-c", FRESH_SHELL], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def added(fresh, kind: str) -> set[str]:
    return set(fresh["loaded"][kind]) - set(fresh["before"][kind])


def test_loading_adds_the_testing_magics(fresh):
    assert {"test_eq", "test_ne", "test_near", "test_close", "test_is", "test_shuffled"} <= added(
        fresh, "line"
    )
    assert "tests" in added(fresh, "cell")


def test_load_ext_imports_neither_torch_nor_anywidget(fresh):
    assert "torch" not in fresh["heavy_loaded"]
    assert "anywidget" not in fresh["heavy_loaded"]
    assert "torch" not in fresh["heavy_reloaded"]
    assert "anywidget" not in fresh["heavy_reloaded"]


def test_loading_twice_is_harmless(fresh):
    assert fresh["twice"] == fresh["loaded"]


def test_unload_removes_every_magic_it_added(fresh):
    assert fresh["unloaded"] == fresh["before"]
    for kind in ("line", "cell"):
        assert not added(fresh, kind) & set(fresh["unloaded"][kind])


def test_reload_restores_every_magic(fresh):
    assert fresh["reloaded"] == fresh["loaded"]


def test_every_family_loads_and_unloads_in_this_shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("unload_ext", "matmul_magic")  # in case another test left it loaded
    before = {kind: set(table) for kind, table in ip.magics_manager.magics.items()}
    registry_before = set(ip.magics_manager.registry)
    ip.run_line_magic("load_ext", "matmul_magic")
    ip.run_line_magic("load_ext", "matmul_magic")
    try:
        assert set(ip.magics_manager.registry) > registry_before
    finally:
        ip.run_line_magic("unload_ext", "matmul_magic")
    after = {kind: set(table) for kind, table in ip.magics_manager.magics.items()}
    assert after == before
    assert set(ip.magics_manager.registry) == registry_before
    assert "testing" in FAMILIES


def test_load_cost_benchmark_runs_and_reports_imports():
    # Only the report's shape and the import check: timings are not asserted in unit tests.
    done = subprocess.run(
        [sys.executable, "benchmarks/load_cost.py", "--runs", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "%load_ext matmul_magic in a fresh process (1 run, bytecode cached)" in done.stdout
    assert "target 100 ms:" in done.stdout
    assert "torch imported: no" in done.stdout
    assert "anywidget imported: no" in done.stdout
