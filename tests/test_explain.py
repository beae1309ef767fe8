"""Hints in a real shell, their hygiene (switch, unload, other handlers), and ``%%explain``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
from matmul_magic.hints.recorder import EventLog  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tensors(ip):
    ip.run_cell(
        "import torch\n"
        "a = torch.randn(5, 784); b = torch.randn(784, 10); w = torch.randn(784, 10)\n"
        "counter = 0"
    )
    return ip


@pytest.fixture
def published(ip, monkeypatch):
    """Every mime bundle the shell displays, as IPython's display publisher receives it."""
    bundles = []
    original = ip.display_pub.publish

    def record(data, *args, **kwargs):
        bundles.append(data)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(ip.display_pub, "publish", record)
    return bundles


def _hints(text: str) -> int:
    return text.count("matmul-magic hint (")


def test_hint_follows_the_traceback_in_a_terminal(tensors, capsys):
    result = tensors.run_cell("counter += 1\ny = a @ w.T")
    out = capsys.readouterr().out
    assert isinstance(result.error_in_exec, RuntimeError)  # the original error, untouched
    traceback_at = out.index("mat1 and mat2 shapes cannot be multiplied (5x784 and 10x784)")
    hint_at = out.index("matmul-magic hint (matmul):")
    assert traceback_at < hint_at  # the hint comes under the normal traceback
    assert "fix: did you mean w (784, 10) instead of w.T?" in out
    assert tensors.user_ns["counter"] == 1  # the cell ran once, the hint re-ran nothing


CELLS = [
    ("y = (a[0] * b).sum(dim=0)", "broadcast", "a[0] needs a trailing axis: a[0, :, None]"),
    ("y = torch.matmul(a, w.T)", "matmul", "did you mean w (784, 10) instead of w.T?"),
    ("y = torch.bmm(a[None], w)", "rank", "w needs a leading batch axis"),
    ("y = torch.einsum('ik,kj->ij', a, w.T)", "einsum", "did you mean w (784, 10) instead"),
    ("y = a[0].expand(784, 5)", "expand", "a[0] needs a trailing axis: a[0, :, None]"),
    ("y = a.view(-1, 3)", "view", "3920 elements (5, 784)"),
]


@pytest.mark.parametrize("cell, kind, fix", CELLS, ids=[c[1] for c in CELLS])
def test_each_error_kind_gets_its_hint(tensors, capsys, cell, kind, fix):
    tensors.run_cell(cell)
    out = capsys.readouterr().out
    assert f"matmul-magic hint ({kind}):" in out
    assert fix in out
    assert _hints(out) == 1


def test_notebook_frontends_get_html_and_text(tensors, published):
    tensors.run_cell("y = a @ w.T")
    hints = [b for b in published if "shape-hint" in b.get("text/html", "")]
    assert len(hints) == 1
    assert hints[0]["text/plain"].startswith("matmul-magic hint (matmul):")
    assert 'data-clash="true"' in hints[0]["text/html"]
    assert "<mark" in hints[0]["text/html"]


def test_other_errors_get_no_hint(tensors, capsys):
    tensors.run_cell("1 / 0")
    tensors.run_cell("undefined_name")
    tensors.run_cell("raise RuntimeError('the size of my patience')")
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "NameError" in out
    assert _hints(out) == 0


def test_switch_off_and_on(tensors, capsys):
    tensors.run_line_magic("matmul_magic", "hints off")
    tensors.run_cell("y = a @ w.T")
    assert _hints(capsys.readouterr().out) == 0
    tensors.run_line_magic("matmul_magic", "hints on")
    tensors.run_cell("y = a @ w.T")
    assert _hints(capsys.readouterr().out) == 1
    tensors.run_line_magic("config", "ExplainMagics.hints = False")
    tensors.run_cell("y = a @ w.T")
    assert _hints(capsys.readouterr().out) == 0
    tensors.run_line_magic("config", "ExplainMagics.hints = True")


def test_bad_switch_is_a_usage_error(tensors, capsys):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError):
        tensors.run_line_magic("matmul_magic", "hints maybe")
    with pytest.raises(UsageError):
        tensors.run_cell_magic("explain", "--fast", "x = 1")


def test_loading_twice_does_not_double_hints(tensors, capsys):
    from matmul_magic import magics

    magics.load(tensors)
    tensors.run_line_magic("load_ext", "matmul_magic")
    tensors.run_cell("y = a @ w.T")
    assert _hints(capsys.readouterr().out) == 1


def test_unload_removes_everything(tensors, capsys):
    before = list(tensors.events.callbacks["post_run_cell"])
    tensors.run_line_magic("unload_ext", "matmul_magic")
    try:
        tensors.run_cell("y = a @ w.T")
        out = capsys.readouterr().out
        assert "mat1 and mat2" in out and _hints(out) == 0
        assert len(tensors.events.callbacks["post_run_cell"]) == len(before) - 1
        assert "explain" not in tensors.magics_manager.magics["cell"]
        assert "matmul_magic" not in tensors.magics_manager.magics["line"]
        assert not any(type(c).__name__ == "ExplainMagics" for c in tensors.configurables)
    finally:
        tensors.run_line_magic("load_ext", "matmul_magic")


def test_coexists_with_another_extensions_handlers(tensors, capsys):
    seen = []

    def other_handler(shell, etype, value, tb, tb_offset=None):
        seen.append(value)
        print("OTHER EXTENSION HANDLED IT")
        return shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)

    def other_callback(result):
        seen.append("callback")

    tensors.set_custom_exc((RuntimeError,), other_handler)
    tensors.events.register("post_run_cell", other_callback)
    try:
        result = tensors.run_cell("y = a @ w.T")
        out = capsys.readouterr().out
    finally:
        tensors.set_custom_exc((), None)
        tensors.events.unregister("post_run_cell", other_callback)
    assert seen == [result.error_in_exec, "callback"]
    assert "OTHER EXTENSION HANDLED IT" in out and _hints(out) == 1
    assert tensors.custom_exceptions == ()  # we never took the handler slot ourselves


def test_a_failing_hint_costs_one_line(tensors, capsys, monkeypatch):
    import matmul_magic.hints.rules

    def broken(exc):
        raise ValueError("internal\nmore lines")

    monkeypatch.setattr(matmul_magic.hints.rules, "hint_for_exception", broken)
    result = tensors.run_cell("y = a @ w.T")
    captured = capsys.readouterr()
    assert isinstance(result.error_in_exec, RuntimeError)
    assert "mat1 and mat2 shapes cannot be multiplied" in captured.out
    assert captured.err.strip().splitlines() == [
        "(matmul-magic: shape hint unavailable: ValueError: internal)"
    ]


def test_loading_does_not_import_torch():
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'matmul_magic')\n"
        "ip.run_cell('1/0')\n"
        "print('torch' in sys.modules, 'anywidget' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "False False"


LESSON = """\
ar, ac = a.shape
br, bc = b.shape
c = torch.zeros(ar, bc)
for i in range(ar): c[i] = (a[i,:,None]*b).sum(dim=0)
d = a@b
counter += 1
"""


def test_explain_traces_the_lessons_broadcast_matmul(tensors, capsys, published):
    tensors.run_cell("%%explain\n" + LESSON)
    out = capsys.readouterr().out
    assert tensors.user_ns["counter"] == 1  # effects happen exactly once
    assert "line 4: for i in range(ar): c[i] = (a[i,:,None]*b).sum(dim=0)" in out
    assert "x5  (5, 784)[int, :, None] -> (784, 1)" in out
    assert "x5  (784, 1) * (784, 10) -> (784, 10)" in out
    assert "broadcast: dim -2: 784 vs 784 -> 784 | dim -1: 1 vs 10 -> 10 (stretched)" in out
    assert "x5  (5, 10)[int] = (10,)" in out
    assert "line 5: d = a@b" in out and "(5, 784) @ (784, 10) -> (5, 10)" in out
    html = next(b["text/html"] for b in published if "explain-trace" in b.get("text/html", ""))
    assert 'data-kind="stretched"' in html and "(5, 784) @ (784, 10) -&gt; (5, 10)" in html
    assert torch.allclose(tensors.user_ns["c"], tensors.user_ns["d"], atol=1e-4)


def test_explain_highlights_the_failing_op_and_raises_once(tensors, capsys, published):
    result = tensors.run_cell("%%explain\ncounter += 1\nd = a @ b.T")
    out = capsys.readouterr().out
    assert isinstance(result.error_in_exec, RuntimeError)
    assert tensors.user_ns["counter"] == 1
    assert "!!       (5, 784) @ (10, 784)" in out
    assert "trace.py" not in out  # the recorder's frames are not in the user's traceback
    html = next(b["text/html"] for b in published if "explain-trace" in b.get("text/html", ""))
    assert 'data-error="true"' in html
    assert _hints(out) == 1 and "did you mean b (784, 10) instead of b.T?" in out


def test_explain_syntax_error_is_a_usage_error_naming_the_editor_line(tensors, capsys):
    from IPython.core.error import UsageError

    with pytest.raises(
        UsageError, match=r"^%%explain: .*\(line 3: .*so nothing ran\n    d = \(a @ b$"
    ):
        tensors.run_cell_magic("explain", "", "counter += 1\nd = (a @ b\n")
    assert tensors.user_ns["counter"] == 0 and "%%explain:" not in capsys.readouterr().out


def test_explain_returns_the_last_expression_and_leaves_no_mode(tensors):
    from torch.overrides import _get_current_function_mode_stack

    result = tensors.run_cell("%%explain\n(a @ b).shape")
    assert result.result == torch.Size([5, 10])
    assert tensors.run_cell("%%explain\n(a @ b).shape;").result is None  # `;` hides Out
    assert _get_current_function_mode_stack() == []


def test_explain_code_is_the_plain_function_door():
    from matmul_magic import explain_code

    trace = explain_code("d = a @ b", {"a": torch.ones(5, 784), "b": torch.ones(784, 10)})
    assert trace.exception is None
    assert [(e.op, e.input_shapes, e.output_shape) for e in trace.events] == [
        ("matmul", ((5, 784), (784, 10)), (5, 10))
    ]
    with pytest.raises(TypeError):
        explain_code(42)


def test_explain_folds_a_loop_whose_scalars_vary_into_a_few_rows():
    from matmul_magic import explain_code
    from matmul_magic.hints.recorder import DISTINCT_PER_LINE

    trace = explain_code("for i in range(1000): z = t + i", {"t": torch.ones(2)})
    text = trace.to_text()
    assert text.startswith("%%explain: 1000 tensor ops on 1 line\n")
    assert len(trace.events) == DISTINCT_PER_LINE + 1
    assert f"x{1000 - DISTINCT_PER_LINE}  ... more ops with other shapes or values" in text
    assert len(text.splitlines()) < 2 * DISTINCT_PER_LINE
    assert (
        explain_code("z = t + 1", {"t": torch.ones(2)})
        .to_text()
        .startswith("%%explain: 1 tensor op on 1 line\n")
    )


@pytest.mark.notebook
def test_hint_in_a_real_notebook_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"import sys; sys.path.insert(0, {str(ROOT)!r})"),
        nbformat.v4.new_code_cell("%load_ext matmul_magic"),
        nbformat.v4.new_code_cell("import torch\na = torch.ones(5, 784); w = torch.ones(784, 10)"),
        nbformat.v4.new_code_cell("y = a @ w.T"),
    ]
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = nb.cells[-1].outputs
    kinds = [o["output_type"] for o in outputs]
    assert kinds == ["error", "display_data"]  # the traceback, then the hint under it
    data = outputs[1]["data"]
    assert 'data-matmul-magic="shape-hint"' in data["text/html"]
    assert "did you mean w (784, 10) instead of w.T?" in data["text/plain"]


def test_the_lessons_wrong_sum_axis_gets_a_setitem_hint(tensors, capsys):
    tensors.run_cell("c = torch.zeros(5, 10)\nfor i in range(5): c[i] = (a[i,:,None]*b).sum(dim=1)")
    out = capsys.readouterr().out
    assert "matmul-magic hint (expand):" in out
    assert "fix: sum over dimension 0, not 1: (a[i,:,None]*b).sum(dim=0) is (10,)" in out


def test_explain_escapes_the_cells_text(tensors, published):
    tensors.run_cell("%%explain\nd = a @ b  # <img src=x onerror=alert(1)>")
    html = next(b["text/html"] for b in published if "explain-trace" in b.get("text/html", ""))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_config_file_trait_is_honoured_at_load(tensors, capsys):
    tensors.run_line_magic("unload_ext", "matmul_magic")
    tensors.config.ExplainMagics.hints = False  # as `c.ExplainMagics.hints = False` would
    try:
        tensors.run_line_magic("load_ext", "matmul_magic")
        tensors.run_cell("y = a @ w.T")
        assert _hints(capsys.readouterr().out) == 0
    finally:
        del tensors.config.ExplainMagics
        tensors.run_line_magic("unload_ext", "matmul_magic")
        tensors.run_line_magic("load_ext", "matmul_magic")
    tensors.run_cell("y = a @ w.T")
    assert _hints(capsys.readouterr().out) == 1


@pytest.mark.parametrize(
    "source", ["return 1", "await thing()", "break", "def f():\n    nonlocal x"]
)
def test_explain_code_reports_a_compile_time_syntax_error_instead_of_crashing(source):
    from matmul_magic import explain_code

    trace = explain_code(source)  # documented as never raising
    assert isinstance(trace.exception, SyntaxError) and trace.events == []
    assert trace.exception.lineno == source.count("\n") + 1


@pytest.mark.parametrize("cell", ["return 1", "x = 1\nawait thing()", "break", "nonlocal x"])
def test_explain_compile_time_syntax_error_is_the_usual_usage_error(tensors, capsys, cell):
    from IPython.core.error import UsageError

    line = cell.count("\n") + 2  # the %%explain line is line 1, as in the editor
    with pytest.raises(
        UsageError, match=rf"^%%explain: the cell is not valid Python \(line {line}:"
    ):
        tensors.run_cell_magic("explain", "", cell)


def test_explain_folds_errors_caught_in_a_loop():
    from matmul_magic import explain_code
    from matmul_magic.hints.recorder import DISTINCT_PER_LINE

    source = "for i in range({n}):\n    try:\n        t[i]\n    except IndexError:\n        pass"
    small = explain_code(source.format(n=2000), {"t": torch.ones(2)})
    big = explain_code(source.format(n=20000), {"t": torch.ones(2)})
    assert big.exception is None and big.total_ops == 20000
    assert len(big.events) <= DISTINCT_PER_LINE + 2
    # 2 good reads, 19 distinct failing ones (the first 20 rows), then one folded row
    assert "x19979  ... more failing ops with other shapes or values" in big.to_text()
    assert len(big.to_text()) < 4000 and len(big.to_html()) < 20000
    assert len(big.to_text()) == len(small.to_text()) + 2  # one more digit in two counts


def test_explain_caps_the_whole_trace_and_counts_the_rest():
    from matmul_magic import explain_code
    from matmul_magic.hints.recorder import MAX_ROWS

    source = "\n".join(f"y{i} = t * {i}" for i in range(MAX_ROWS + 50))
    trace = explain_code(source, {"t": torch.ones(2)})
    text = trace.to_text()
    assert len(trace.events) == MAX_ROWS
    assert text.startswith(f"%%explain: {MAX_ROWS + 50} tensor ops on {MAX_ROWS + 50} lines\n")
    assert text.endswith("... 50 more tensor ops on 50 lines, not shown")
    assert "50 more tensor ops on 50 lines" in trace.to_html()


def test_explain_says_a_clash_once():
    """``dim -1: 3 vs 4 -> clash``: the result names the clash; no ``(clash)`` note repeats it."""
    from matmul_magic import explain_code

    trace = explain_code("c = a * b", {"a": torch.ones(2, 3), "b": torch.ones(4)})
    text = trace.to_text()
    assert "dim -1: 3 vs 4 -> clash" in text
    assert "(clash)" not in text
    stretched = explain_code("c = a * b", {"a": torch.ones(2, 1), "b": torch.ones(4)}).to_text()
    assert "dim -1: 1 vs 4 -> 4 (stretched)" in stretched


def test_an_op_that_raises_with_an_empty_message_is_recorded_by_its_name():
    log, t = EventLog(), torch.ones(2)
    for line, message in ((3, ""), (4, "  \n")):
        log.record(line, torch.add, (t, t), {}, None, RuntimeError(message))
    assert [e.error for e in log.events] == ["RuntimeError", "RuntimeError"]
