"""Tracebacks through the testing magics end at the user's line, not in the magics' frames."""

from __future__ import annotations

from magic_cells import last_frame, run, traceback_text


def test_an_unknown_name_shows_the_users_line_not_the_magics_frames(lesson, capsys):
    previous = lesson.colors
    lesson.run_line_magic("colors", "nocolor")
    try:
        error = run(lesson, "%test_eq nosuch, 1")
    finally:
        lesson.run_line_magic("colors", previous)
    out = capsys.readouterr().out
    assert isinstance(error, NameError)
    assert "----> 2 nosuch, 1" in out and "name 'nosuch' is not defined" in out
    assert "matmul_magic" not in out and "eval(" not in out


def test_tests_cell_traceback_points_at_the_cell_line(lesson, capsys):
    previous = lesson.colors
    lesson.run_line_magic("colors", "nocolor")
    try:
        run(lesson, "%%tests\nx = 1\n1 / 0\n")
    finally:
        lesson.run_line_magic("colors", previous)
    out = capsys.readouterr().out
    assert "      2 x = 1\n----> 3 1 / 0\n" in out


def test_tests_cell_traceback_names_the_cell_as_its_prompt_does(lesson, capsys):
    previous = lesson.colors
    lesson.run_line_magic("colors", "nocolor")
    try:
        result = lesson.run_cell("%%tests\nx = 1\n1 / 0\n", store_history=True)  # as Jupyter
    finally:
        lesson.run_line_magic("colors", previous)
    out = capsys.readouterr().out
    assert f"Cell In[{result.execution_count}], line 3" in out  # not the next cell's number
    assert f"Cell In[{result.execution_count + 1}]" not in out


def test_a_failed_test_line_ends_at_the_users_line(ip, capsys):
    out = traceback_text(ip, capsys, "x = 1\n%test_eq x, 2\n")
    assert "AssertionError: ==:\n1\n2" in out
    assert "matmul_magic" not in out
    assert "----> 2 get_ipython().run_line_magic('test_eq', 'x, 2')" in last_frame(out)


def test_a_failed_test_call_ends_at_the_users_line(ip, capsys):
    out = traceback_text(ip, capsys, "from matmul_magic import test_eq\ntest_eq(1, 2)\n")
    assert "----> 2 test_eq(1, 2)" in last_frame(out)
    assert "matmul_magic/testing" not in out and "_recorded" not in out


def test_a_failed_tests_cell_ends_at_the_learners_failing_line(ip, capsys):
    # issue 23: the last frame is the first failing line, not the run_cell_magic call
    out = traceback_text(ip, capsys, "%%tests\nx = 1\ntest_eq(x, 2)\nassert x == 3\n")
    assert "AssertionError: 0 passed, 2 failed (lines 3, 4)" in out
    # Python's own formatter (IPython's source-position finder can take minutes on the frame
    # made for the learner's line): the traceback ends there
    assert out.rsplit('File "', 1)[1].split(", in ")[0].endswith('>", line 3')
    assert "line 3, in <module>\n    test_eq(x, 2)\n" in out
    assert (
        "matmul_magic/testing" not in out and "collect_tests" not in out and "__exit__" not in out
    )
    out = traceback_text(ip, capsys, "%%tests\nassert 1 == 2\n")
    assert "line 2, in <module>\n    assert 1 == 2\n" in out


def test_a_tests_cell_error_after_blank_lines_points_at_the_editor_line(lesson, capsys):
    out = traceback_text(lesson, capsys, "%%tests\n\n\nx = 1\n1 / 0\n")
    assert "      4 x = 1\n----> 5 1 / 0\n" in out
