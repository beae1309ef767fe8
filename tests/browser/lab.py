"""The JupyterLab server and the ``Lab`` driver that the browser tests (and benchmarks) use.

- :func:`running_lab`: a real ``jupyter lab`` on a free port with a temporary root dir, tokens
  off, its own settings/workspaces dirs, the kernel able to import this checkout; stopped on exit.
- :class:`Lab`: drives one Playwright page against that server: write/copy notebooks, open them
  in JupyterLab or Notebook 7, run cells, wait for the kernel, run commands, and save
  screenshots into ``artifacts/screenshots/`` (git-ignored: running the tests leaves the clone
  clean). ``bash scripts/screenshots`` copies them into ``docs/images/`` for the README.

Plain Python (no pytest), so scripts can load it too; ``conftest.py`` holds the fixtures.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
NOTEBOOK_FIXTURES = REPO / "tests" / "fixtures" / "notebooks"

# Debian's chromium; MATMUL_MAGIC_CHROMIUM points elsewhere (never a downloaded browser).
CHROMIUM = os.environ.get("MATMUL_MAGIC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 90
KERNEL_TIMEOUT_MS = 120_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    """A running ``jupyter lab``: its base URL, root dir and log file."""

    url: str
    root_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}/{path.lstrip('/')}", timeout=10) as response:
            return json.load(response)


def _wait_until_ready(server: LabServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"jupyter lab exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        try:
            server.get_json("api/status")
            with urllib.request.urlopen(f"{server.url}/lab", timeout=10) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"jupyter lab not ready in {SERVER_START_TIMEOUT_S}s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and its kernels (its own process group) politely, then firmly."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


@contextmanager
def running_lab() -> Iterator[LabServer]:
    """A real ``jupyter lab --allow-root --no-browser`` from this venv, stopped on exit.

    Also used outside pytest (``benchmarks/js_size.py``), hence a plain context manager.
    """
    base = Path(tempfile.mkdtemp(prefix="matmul-magic-lab-"))
    root_dir = base / "root"
    root_dir.mkdir()
    port = _free_port()
    env = os.environ.copy()
    env.update(
        {
            # Kernels import matmul_magic from this checkout even without an install.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
            "IPYTHONDIR": str(base / "ipython"),
            # Keep the user's ~/.jupyter config and lab settings out of the tests.
            "JUPYTER_CONFIG_DIR": str(base / "config"),
            "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
            "MPLBACKEND": "Agg",
        }
    )
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--allow-root",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={root_dir}",
        # Tests drive commands through window.jupyterapp, as Galata does.
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    # No "get Jupyter news?" toast over the screenshots, and no network fetch for it.
    notification = base / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    log_path = base / "jupyter-lab.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=root_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kernels die with it
        )
    server = LabServer(f"http://127.0.0.1:{port}", root_dir, log_path, process)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        _stop(process)
        shutil.rmtree(base, ignore_errors=True)


class Lab:
    """Helpers to drive one page against the ``jupyter_lab`` server."""

    def __init__(self, server: LabServer, page: Any) -> None:
        self.server = server
        self.page = page

    # --- files -------------------------------------------------------------------------------
    def write_notebook(self, name: str, cells: list[str], outputs: bool = False) -> str:
        """Write a notebook of code cells into the server's root; returns its path there."""
        import nbformat

        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nbformat.write(notebook, self.server.root_dir / name)
        return name

    def copy_fixture(self, name: str) -> str:
        """Copy ``tests/fixtures/notebooks/<name>`` into the server's root."""
        shutil.copy(NOTEBOOK_FIXTURES / name, self.server.root_dir / name)
        return name

    # --- navigation --------------------------------------------------------------------------
    def goto_lab(self, path: str = "", reset: bool = True) -> None:
        """Open JupyterLab (on ``path`` if given); ``reset`` starts from an empty layout.

        Returns once the layout has settled: see :meth:`wait_for_settled_layout`.
        """
        url = f"{self.server.url}/lab" + (f"/tree/{path}" if path else "")
        self.page.goto(url + ("?reset" if reset else ""))
        self.wait_for_app()
        self.wait_for_settled_layout()

    def wait_for_settled_layout(self) -> None:
        """Wait until JupyterLab has stopped moving focus after it was restored.

        ``app.restored`` comes before the file browser has fetched its folder; only then
        does JupyterLab open a Launcher (when the main area is empty) and focus it, about a
        second later and more under load. A modal command palette opened before that loses
        focus and closes itself (its blur handler), taking the item a test is clicking with
        it: "element was detached from the DOM", or a click that waits 30 s for an item that
        is gone. Settled means the file browser has restored and focus is inside the current
        main-area widget.
        """
        self.page.wait_for_function(
            """() => {
                if (document.querySelector('.jp-FileBrowser.jp-mod-restoring')) return false;
                const current = window.jupyterapp.shell.currentWidget;
                return !!current && current.node.contains(document.activeElement);
            }""",
            timeout=60_000,
        )

    def wait_for_app(self) -> None:
        self.page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
        self.page.evaluate("async () => { await window.jupyterapp.restored; }")
        self.page.wait_for_selector("#jp-main-dock-panel, #main-panel", state="attached")

    def open_notebook(self, path: str, reset: bool = True) -> None:
        """Open a notebook in JupyterLab and wait until its kernel is idle."""
        self.goto_lab(path, reset=reset)
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Notebook", state="visible")
        self.wait_for_kernel_idle()

    def open_notebook7(self, path: str) -> None:
        """Open a notebook in Notebook 7 (``/notebooks/<path>``) and wait for its kernel."""
        self.page.goto(f"{self.server.url}/notebooks/{path}")
        self.wait_for_app()
        self.page.wait_for_selector(".jp-Notebook", state="visible")
        self.wait_for_kernel_idle()

    # --- commands and kernels ----------------------------------------------------------------
    def command(self, command: str, args: dict[str, Any] | None = None) -> Any:
        """Run a JupyterLab command (awaited in the page) and return its JSON-able result."""
        return self.page.evaluate(
            "async ([id, args]) => { const r = await window.jupyterapp.commands.execute(id, args);"
            " return r === undefined || r === null || typeof r !== 'object' ? r ?? null : true; }",
            [command, args or {}],
        )

    def wait_for_kernel_idle(self, timeout_ms: int = KERNEL_TIMEOUT_MS) -> None:
        """Wait until the current notebook's kernel is connected and idle."""
        self.page.wait_for_function(
            """() => {
                const w = window.jupyterapp.shell.currentWidget;
                const ctx = w && w.sessionContext;
                const kernel = ctx && ctx.session && ctx.session.kernel;
                return !!kernel && kernel.connectionStatus === 'connected'
                    && kernel.status === 'idle';
            }""",
            timeout=timeout_ms,
        )

    def run_all(self, timeout_ms: int = KERNEL_TIMEOUT_MS) -> None:
        """Run every cell of the current notebook and wait until the kernel has answered each."""
        self._run_and_wait("notebook:run-all-cells", None, timeout_ms)

    def run_cell(self, index: int, timeout_ms: int = KERNEL_TIMEOUT_MS) -> None:
        """Select cell ``index`` of the current notebook, run it, and wait for it to finish."""
        self._run_and_wait("notebook:run-cell", index, timeout_ms)

    def _run_and_wait(self, command: str, index: int | None, timeout_ms: int) -> None:
        """Run ``command`` and wait until every execute request it sent has its reply.

        A cell's "[*]" prompt is no guide: after a cell raises, JupyterLab blanks the prompts
        of the cells queued behind it while the kernel still runs them (a cell tagged
        ``raises-exception`` does not stop the queue), and the kernel is idle for a moment
        between two cells. Counting the kernel's execute requests and replies is exact.
        """
        self.page.evaluate(
            """([command, index]) => {
                const panel = window.jupyterapp.shell.currentWidget;
                const kernel = panel.sessionContext.session.kernel;
                const cells = panel.content.widgets;
                const counts = { kernel, sent: 0, replied: 0,
                    expected: index === null
                        ? cells.filter(c => c.model.type === 'code').length : 1 };
                counts.listener = (_, { direction, msg }) => {
                    const type = msg.header.msg_type;
                    if (direction === 'send' && type === 'execute_request') counts.sent++;
                    if (direction === 'recv' && type === 'execute_reply') counts.replied++;
                };
                kernel.anyMessage.connect(counts.listener);
                window.__matmulMagicRun = counts;
                if (index !== null) panel.content.activeCellIndex = index;
                // Not awaited: after an error the command settles before the later cells.
                window.jupyterapp.commands.execute(command).catch(() => {});
            }""",
            [command, index],
        )
        try:
            self.page.wait_for_function(
                """() => {
                    const c = window.__matmulMagicRun;
                    return c.sent >= c.expected && c.replied >= c.sent
                        && c.kernel.status === 'idle';
                }""",
                timeout=timeout_ms,
            )
        finally:
            self.page.evaluate(
                """() => { const c = window.__matmulMagicRun;
                    c.kernel.anyMessage.disconnect(c.listener); }"""
            )

    def open_palette_command(self, label: str) -> None:
        """Run a command the way a person does: the command palette, its label, a click."""
        # Opened by its command (as View > Command Palette does): the Ctrl+Shift+C shortcut
        # depends on where keyboard focus happens to be.
        self.command("apputils:activate-command-palette")
        search = self.page.locator(".lm-CommandPalette-input")
        search.wait_for(state="visible")
        search.fill(label)
        # The palette renders its filtered results after the input event; the first match is
        # marked active once they are on screen.
        item = self.page.locator(".lm-CommandPalette-item.lm-mod-active", has_text=label)
        item.click()
        # Running a command hides the palette: a click that did nothing fails here, clearly.
        self.page.locator("#modal-command-palette").wait_for(state="hidden")

    # --- screenshots -------------------------------------------------------------------------
    def screenshot(self, name: str, target: Any = None, max_height: int = 700) -> Path:
        """Save ``artifacts/screenshots/<name>.png`` of ``target`` (a locator; its top
        ``max_height`` pixels) or of the whole page. ``scripts/screenshots`` copies them into
        ``docs/images/``; the tests themselves never touch tracked files."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if target is None:
            self.page.screenshot(path=str(path))
            return path
        # Element screenshots of something taller than a scrolled notebook come out garbled:
        # scroll its top into view and clip to what is on screen.
        target.evaluate("node => node.scrollIntoView({block: 'start'})")
        self.page.wait_for_timeout(100)
        box = target.bounding_box()
        viewport = self.page.viewport_size
        clip = {
            "x": max(0, box["x"]),
            "y": max(0, box["y"]),
            "width": min(box["width"], viewport["width"] - max(0, box["x"])),
            "height": min(box["height"], max_height, viewport["height"] - max(0, box["y"])),
        }
        self.page.screenshot(path=str(path), clip=clip)
        return path
