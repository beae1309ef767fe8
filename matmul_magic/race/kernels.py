"""Kernels to race, named from a terminal: ``kernels.py``, ``kernels.py:fn`` or ``pkg.module:fn``.

A file is run in a fresh module namespace (its own folder on ``sys.path`` while it loads, as
``python kernels.py`` would have it); a module is imported (the working folder on
``sys.path``, as ``python -m`` has it). Without ``:fn`` every top-level public function defined
there whose signature takes ``(a, b)`` races, in the order they appear; the others and the
``_private`` ones are named in :class:`Kernels` so the caller can say so. Anything that stops
the loading (a syntax error, a failed import, a name that is not there) is a
:class:`KernelLoadError` whose message names the file and line, one line of text.

Standard library only at import time.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import itertools
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import Interrupts

_counter = itertools.count()


class KernelLoadError(ValueError):
    """A kernel file or module that cannot be loaded, or names nothing to race."""


@dataclass
class Kernels:
    """What one target gave: the functions that race, the public ones that cannot (not
    functions of ``(a, b)``), and the private ``_helpers`` left out by their name."""

    target: str
    fns: list[Callable[..., Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    private: list[str] = field(default_factory=list)


def left_out_message(skipped: list[str], private: list[str]) -> str | None:
    """``not racing three (not a function of (a, b)), _h (private: starts with _)``, or None.

    One wording for ``matmul-magic bench`` and ``%%matmul_bench``, which leave out the same."""
    parts = [f"{name} (not a function of (a, b))" for name in skipped]
    parts += [f"{name} (private: starts with _)" for name in private]
    return f"not racing {', '.join(parts)}" if parts else None


def takes_a_and_b(fn: Callable[..., Any]) -> bool:
    """Whether ``fn(a, b)`` binds to ``fn``'s signature (``True`` when it has none to read)."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return True
    try:
        signature.bind(object(), object())
    except TypeError:
        return False
    return True


def split_target(target: str) -> tuple[str, str | None]:
    """``'where:name'`` to ``(where, name)``; ``(target, None)`` without a ``:name``.

    A Windows drive (``C:\\k.py``) is part of the path, not a separator.
    """
    where, sep, name = target.rpartition(":")
    if not sep or not name or "/" in name or "\\" in name or (len(where) == 1 and where.isalpha()):
        return target, None
    return where, name


def load_kernels(target: str) -> Kernels:
    """The functions ``target`` names, loaded; raises :class:`KernelLoadError`."""
    where, name = split_target(target)
    if where.endswith(".py") or os.sep in where or "/" in where or Path(where).is_file():
        module, defined = _load_file(where)
    else:
        module, defined = _import_module(where)
    found = Kernels(target)
    if name is not None:
        fn = _attribute(module, where, name)
        if not callable(fn):
            raise KernelLoadError(f"{target}: {name} is a {type(fn).__name__}, not a function")
        found.fns.append(fn)
        return found
    for fn_name in defined:
        fn = getattr(module, fn_name, None)
        if not callable(fn):
            continue
        if fn_name.startswith("_"):
            found.private.append(fn_name)
            continue
        if takes_a_and_b(fn):
            found.fns.append(fn)
        else:
            found.skipped.append(fn_name)
    if not found.fns:
        verb = "takes" if len(found.skipped) == 1 else "take"
        also = f" ({', '.join(found.skipped)} {verb} other arguments)" if found.skipped else ""
        raise KernelLoadError(
            f"{where} defines no public top-level function of (a, b) to race{also}"
        )
    return found


def _attribute(module: ModuleType, where: str, name: str) -> Any:
    value: Any = module
    for part in name.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise KernelLoadError(f"{where} has no {name}") from None
    return value


def _load_file(where: str) -> tuple[ModuleType, list[str]]:
    path = Path(where).expanduser()
    if not path.is_file():
        what = "a folder" if path.is_dir() else "not there"
        raise KernelLoadError(f"{where}: no such kernel file ({what})")
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise KernelLoadError(f"{where}: cannot read it: {error}") from None
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise KernelLoadError(_syntax_message(where, error)) from None
    name = f"_matmul_magic_kernels_{next(_counter)}_{path.stem}".replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    sys.modules[name] = module  # dataclasses and pickling look their module up here
    try:
        _run_user_code(lambda: spec.loader.exec_module(module), where, path)  # type: ignore[union-attr]
    except KernelLoadError:
        sys.modules.pop(name, None)
        raise
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return module, _top_level_defs(tree)


def _run_user_code(run: Callable[[], Any], where: str, path: Path | None = None) -> Any:
    """``run()``; what it raises (a ``SyntaxError`` in a module it imports too) is a
    :class:`KernelLoadError` about ``where`` (the file at ``path``; ``None`` for a module).

    A ``KeyboardInterrupt`` (or ``SystemExit``, ``GeneratorExit``, a ``BaseException`` of its
    own) that the file raises is its failure to load; only the user's Ctrl-C while it loads
    stops the command (exit 130)."""
    interrupts = Interrupts()
    with interrupts.watching():
        try:
            return run()
        except SyntaxError as error:
            raise KernelLoadError(_syntax_message(where, error, importing=True)) from None
        except BaseException as error:  # noqa: BLE001 - a file's own SystemExit is a load error
            interrupts.reraise_if_user(error)
            raise KernelLoadError(_failure_message(where, path, error)) from None


def _import_module(where: str) -> tuple[ModuleType, list[str]]:
    cwd = os.getcwd()
    added = cwd not in sys.path and "" not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        module = _run_user_code(lambda: importlib.import_module(where), where)
    finally:
        if added and cwd in sys.path:
            sys.path.remove(cwd)
    defined = [
        n
        for n, v in vars(module).items()
        if not n.startswith("__") and inspect.isfunction(v) and v.__module__ == module.__name__
    ]
    return module, defined


def _top_level_defs(tree: ast.Module) -> list[str]:
    defs = (n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return list(dict.fromkeys(n.name for n in defs if not n.name.startswith("__")))


def _syntax_message(where: str, error: SyntaxError, importing: bool = False) -> str:
    file = error.filename or where
    place = f"{file}, line {error.lineno}" if error.lineno else file
    head = f"cannot load {where}: " if importing else ""
    return f"{head}{place}: {type(error).__name__}: {error.msg}"


def _failure_message(where: str, path: Path | None, error: BaseException) -> str:
    """``kernels.py, line 3: ModuleNotFoundError: No module named 'x'`` from the traceback."""
    missing = error.name if isinstance(error, ModuleNotFoundError) else None
    if path is None and missing and where.startswith(missing):  # the module named is not there
        return (
            f"no module named {missing!r} (looked in {os.getcwd()} and the installed "
            f"packages); a file is given by its path, e.g. {where.replace('.', '/')}.py"
        )
    frames = traceback.extract_tb(error.__traceback__)
    line = None
    if path is not None:  # the user's own file: its last frame there
        target = str(path.resolve())
        ours = [f for f in frames if f.filename and _same_file(f.filename, target)]
        line = ours[-1].lineno if ours else None
        place = f"{where}, line {line}" if line else where
    else:  # a module: its deepest frame outside the import machinery
        theirs = [f for f in frames if "importlib" not in f.filename]
        place = f"{theirs[-1].filename}, line {theirs[-1].lineno}" if theirs else where
    try:
        text = str(error).strip().splitlines()
    except BaseException:  # noqa: BLE001 - an exception whose __str__ raises
        text = ["(its message could not be read: its __str__ raised)"]
    detail = f": {text[0]}" if text else ""
    if isinstance(error, KeyboardInterrupt):
        detail += " (raised by the file itself, not Ctrl-C)"
    return f"cannot load {where}: {place}: {type(error).__name__}{detail}"


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a == b
