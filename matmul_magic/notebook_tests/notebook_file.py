"""What the runner takes from a notebook file beyond its cells: an older nbformat upgraded
in memory, and nbmake's metadata keys ``execution.timeout`` and ``execution.allow_errors``
checked, so that a value no run can use is the notebook's one failed entry, naming the key.

nbformat is imported only for a notebook older than version 4.
"""

from __future__ import annotations

import threading
from typing import Any

_CONVERT = "jupyter nbconvert --to notebook --nbformat 4"


def upgraded(data: Any) -> tuple[Any, str | None]:
    """``data`` as an nbformat 4 notebook when it says it is an older one (nbformat's own
    upgrade, as ``nbformat.read(..., as_version=4)`` does it), and what went wrong, if
    anything; any other ``data`` as it is."""
    if not isinstance(data, dict):
        return data, None
    version = data.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool) or version >= 4:
        return data, None
    if version < 1:
        return data, f"nbformat {version!r} is not a notebook version"
    import nbformat

    try:
        notebook = nbformat.convert(nbformat.from_dict(data), 4)
    except Exception as error:  # a file that says 3 but is not one
        reason = f"{type(error).__name__}: {error}"
        return data, (
            f"nbformat {version} notebook that cannot be upgraded to version 4 ({reason}); "
            f"convert it with `{_CONVERT}`"
        )
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return data, f"nbformat {version} is not supported (convert with `{_CONVERT}`)"
    return notebook, None


def _usable_timeout(value: Any) -> bool:
    """Whether a run can keep ``execution.timeout``: seconds a timer can wait, or -1 or null
    (nbclient, under nbmake, reads both as "no limit")."""
    if value is None or (type(value) is int and value == -1):
        return True
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    return 0 < value <= threading.TIMEOUT_MAX  # NaN, infinity and 1e300 fail


def execution_problem(metadata: dict[str, Any]) -> str | None:
    """What is wrong with the notebook metadata's ``execution`` keys, or ``None``."""
    execution = metadata.get("execution")
    if execution is None:
        return None
    if not isinstance(execution, dict):
        return f"metadata.execution is a {type(execution).__name__}, not an object"
    if "timeout" in execution and not _usable_timeout(execution["timeout"]):
        return (
            f"metadata.execution.timeout is {execution['timeout']!r}: need seconds above 0 "
            f"and at most {threading.TIMEOUT_MAX:.0f}, or -1 or null for no limit"
        )
    allow = execution.get("allow_errors", False)
    if not isinstance(allow, bool):
        return f"metadata.execution.allow_errors is {allow!r}: need true or false"
    return None


def execution_settings(
    metadata: dict[str, Any], timeout: float | None
) -> tuple[float | None, bool]:
    """``(timeout, allow_errors)`` from checked metadata: the seconds the notebook may run
    (``None``: no limit), its own ``execution.timeout`` when it sets one, else ``timeout``."""
    execution = metadata.get("execution")
    if not isinstance(execution, dict):
        return timeout, False
    timeout = execution.get("timeout", timeout)
    if timeout is not None:
        timeout = None if timeout == -1 else float(timeout)
    return timeout, execution.get("allow_errors") is True
