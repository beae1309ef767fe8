"""Notebooks as test suites: ``matmul-magic test PATH...`` and the pytest plugin.

Each notebook runs in a fresh interpreter (``worker``) with recording hooks (``recording``)
that turn every ``test_*`` call, ``%test_*`` line, ``%%tests`` cell, ``assert`` and
``%%matmul_bench`` verdict into a result with its cell, line and diagnosis. Tests are
found by reading the notebooks first (``discovery``), so pytest gets one item per test;
``runner`` runs notebooks in parallel, ``outcomes`` turns what they report into outcomes,
``report`` writes text, JUnit XML and JSON, ``cli`` is the command and ``pytest_plugin``
the pytest door.
"""

from __future__ import annotations

from .model import NotebookReport, RunReport, TestResult
from .runner import run_notebooks

__all__ = ["run_notebooks", "RunReport", "NotebookReport", "TestResult"]
