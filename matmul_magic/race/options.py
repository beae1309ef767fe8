"""The bench's options as text: one home for ``matmul-magic bench`` and ``%matmul_bench``.

``BENCH_OPTIONS`` is the single option list both doors build their parsers from, so they
cannot drift apart. The ``parse_*`` functions turn option text (or the equivalent Python
values) into what ``bench()`` takes and raise ``OptionError`` (a ``ValueError`` argparse
prints as it is) with a message a person can act on.
``check_output_path`` and ``save_json`` handle ``--save``: every path is checked before the
run starts, and ``-`` means stdout.

Standard library only: ``%load_ext matmul_magic`` imports this, and must stay cheap.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .plan import OptionError, parse_budget

STDOUT = "-"


def _items(value: str | Iterable[Any], splitter: str) -> list[Any]:
    if isinstance(value, str):
        return [p for p in re.split(splitter, value.strip()) if p]
    if isinstance(value, (bytes, bytearray)):  # b'12' would be the sizes 49 and 50
        raise TypeError(value)
    return list(value)  # TypeError for a non-iterable: the callers' "takes ..." message


def parse_shape(shape: str | Sequence[int]) -> tuple[int, int, int]:
    """``'MxKxN'`` (``x``, ``×``, ``*`` or ``,`` between) or ``(M, K, N)``: three positive ints."""
    try:
        if isinstance(shape, str):  # every separator between two sizes: '5x7x3x' is refused
            dims = tuple(_whole(p) for p in re.split(r"\s*[x×,*]\s*", shape.strip().lower()))
        else:
            dims = tuple(_whole(p) for p in _items(shape, ""))
    except (TypeError, ValueError, OverflowError):
        dims = ()
    if len(dims) != 3 or any(d < 1 for d in dims):
        raise OptionError(
            f"shape takes MxKxN, three positive sizes (a is MxK, b is KxN), e.g. 5x784x10; "
            f"got {shape!r}"
        )
    return dims  # type: ignore[return-value]


def parse_sizes(sizes: str | Iterable[int]) -> tuple[int, ...]:
    """Sweep sizes (``'16,32,64'`` or a list of ints): positive, sorted, each once."""
    try:
        values = tuple(_whole(s) for s in _items(sizes, r"[,\s]+"))
    except (TypeError, ValueError, OverflowError):  # an infinite size
        values = ()
    if not values or any(s < 1 for s in values):
        raise OptionError(
            f"sweep takes positive sizes separated by commas, e.g. 16,32,64; got {sizes!r}"
        )
    return tuple(sorted(set(values)))


def parse_names(names: str | Iterable[str]) -> tuple[str, ...]:
    """Row names (``'einsum, torch'`` or a list of names), each once, in order."""
    try:
        items = _items(names, r"\s*,\s*")
    except TypeError:
        items = [names]
    if not all(isinstance(n, str) for n in items):
        raise OptionError(f"only takes row names, got {names!r}")
    picked = tuple(dict.fromkeys(n.strip() for n in items if n.strip()))
    if not picked:
        raise OptionError(
            f"only takes row names separated by commas, e.g. einsum,torch; got {names!r}"
        )
    return picked


MAX_THREADS = 1024
"""The most CPU threads a run may ask torch for (more than any machine's cores today)."""

THREADS_RULE = f"threads takes a whole number from 1 to {MAX_THREADS}, or 'all' (every core)"
"""The rule's words, for every door that takes threads (API, magic, CLI)."""


def parse_threads(threads: str | int) -> int | str:
    """How many CPU threads torch may use: a whole number from 1 to ``MAX_THREADS``, or
    ``all`` (every core)."""
    if isinstance(threads, str) and threads.strip().lower() == "all":
        return "all"
    try:
        value = _whole(threads)
    except (TypeError, ValueError, OverflowError):
        value = 0
    if not 1 <= value <= MAX_THREADS:
        raise OptionError(f"{THREADS_RULE}; got {threads!r}")
    return value


def _whole(value: Any) -> int:
    """``value`` as an int, refusing a bool and any fraction (``Decimal('2.5')`` too)."""
    number = int(value)
    if isinstance(value, bool) or not isinstance(value, str) and number != value:
        raise ValueError(value)
    return number


def parse_output_path(text: str) -> str:
    """``-`` (stdout) or a non-empty path; whether it can be written is checked later."""
    if not isinstance(text, str) or not text.strip():
        raise OptionError("save takes a file path, or - for stdout; got an empty path")
    return text


SOURCE_SUFFIXES = (".py", ".ipynb", ".pyx", ".pyi")
"""Existing files with these suffixes are never overwritten by ``--save``."""


def check_output_path(text: str) -> Path | None:
    """Check before the run that ``text`` can be written; ``None`` for ``-`` (stdout).

    A missing parent folder is an error that names it; nothing is created. The check opens
    the file for appending (and removes it again when it did not exist), so a read-only
    folder, a full disk's quota or ``/proc`` fail here rather than after the run. A FIFO or
    a device is not opened (its reader would see that), only checked for write permission.
    """
    if text == STDOUT:
        return None
    path = Path(text).expanduser()
    parent = path.parent
    if path.suffix.lower() in SOURCE_SUFFIXES and path.exists():
        # `--json kernels.py` read as `--json` taking the kernel file: never write over code
        raise ValueError(
            f"{text} is a source file, not a place for the result; give a .json path "
            "(nothing was run)"
        )
    if path.is_dir():
        raise ValueError(f"{text} is a folder; give a file path such as {path / 'bench.json'}")
    if not parent.exists():
        raise ValueError(f"the folder {parent} does not exist (nothing was run)")
    if not parent.is_dir():
        raise ValueError(f"{parent} is not a folder (nothing was run)")
    existed = path.exists()
    if existed and not path.is_file():
        # A FIFO or a device (/dev/stdout): opening it would be a write its reader sees
        # (a FIFO's reader gets EOF, and the real write then waits forever); ask instead.
        if not os.access(path, os.W_OK):
            raise ValueError(f"cannot write {text}: permission denied (nothing was run)")
        return path
    try:
        with path.open("a"):
            pass
    except OSError as error:
        raise ValueError(
            f"cannot write {text}: {error.strerror or error} (nothing was run)"
        ) from None
    if not existed:
        with contextlib.suppress(OSError):
            path.unlink()
    return path


def save_json(result: Any, path: str | Path) -> Path:
    """Write ``result.to_dict()`` as JSON to ``path`` (its folder must exist); returns the path."""
    path = Path(path).expanduser()
    path.write_text(json_text(result) + "\n")
    return path


def json_text(result: Any) -> str:
    return json.dumps(result.to_dict(), indent=2, allow_nan=False)


# (flags, argparse keyword arguments): shared by the CLI and %matmul_bench.
BENCH_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("--device",), {"help": "cpu, cuda, cuda:1, mps (default: cuda, then mps, then cpu)"}),
    (("--dtype",), {"help": "float32 (default), float64, float16, bfloat16"}),
    (("--shape",), {"type": parse_shape, "metavar": "MxKxN",
                    "help": "random a (MxK) and b (KxN) instead of the lesson's 5x784x10"}),
    (("--budget",), {"type": parse_budget, "metavar": "SECONDS",
                     "help": "total time budget in seconds, at most 3600 "
                             "(default about 1, more with --sweep)"}),
    (("--baseline",), {"metavar": "NAME", "help": "row that speedups divide by (default loops)"}),
    (("--only",), {"type": parse_names, "metavar": "NAMES",
                   "help": "comma-separated course rows to keep, e.g. einsum,torch "
                           "(your own functions always race)"}),
    (("--no-course",), {"action": "store_true", "dest": "no_course",
                        "help": "race only your functions, without the lesson's steps"}),
    (("--sweep",), {"type": parse_sizes, "metavar": "SIZES",
                    "help": "also time every row on SIZExSIZE operands, e.g. 16,32,64,128"}),
    (("--threads",), {"type": parse_threads, "metavar": "N|all",
                      "help": "CPU threads torch may use during the run (default 1: stable "
                              "while other programs run; 'all' for every core)"}),
    (("--save", "--json"), {"type": parse_output_path, "metavar": "PATH",
                            "action": "append", "dest": "save",
                            "help": "write the result as JSON (the bench schema) to PATH, "
                                    "checked before the run; '-' is stdout; may repeat"}),
)  # fmt: skip


def check_before_run(args: argparse.Namespace) -> None:
    """Refuse, before anything runs (a kernel file, the cell's body), what the parsed options
    can tell is unusable: a ``--save`` path, the ``--device``, the ``--dtype``. ``ValueError``
    in the words both doors print."""
    for path in args.save or ():
        try:
            check_output_path(path)
        except ValueError as error:
            raise ValueError(f"--save: {error}") from None
    from .devices import resolve_device, resolve_dtype  # torch: only once a run is asked for

    resolve_device(args.device)
    resolve_dtype(args.dtype)
