"""``matmul-magic bench`` output: save paths checked before the run, stdout or files that fail."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import jsonschema
import pytest
from bench_fixtures import FAST, ROOT, SCHEMA, fixture

from matmul_magic import cli


def test_every_save_path_is_checked_before_the_run(fake_bench, capsys, tmp_path):
    calls = fake_bench()
    good, missing = tmp_path / "good.json", tmp_path / "no" / "such" / "x.json"
    assert cli.main(["bench", "--save", str(good), "--json", str(missing)]) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert calls == [] and out == ""  # nothing ran
    assert f"the folder {missing.parent} does not exist (nothing was run)" in err
    assert not (tmp_path / "no").exists() and not good.exists()  # nothing created either
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("where", ["folder", "file_as_parent"])
def test_a_folder_or_a_file_where_a_folder_should_be_fails_before_the_run(
    fake_bench, capsys, tmp_path, where
):
    calls = fake_bench()
    (tmp_path / "a_file").write_text("")
    path = tmp_path if where == "folder" else tmp_path / "a_file" / "run.json"
    assert cli.main(["bench", "--quiet", "--json", str(path)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert calls == []
    assert ("is a folder" if where == "folder" else "is not a folder") in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


class _Closed(io.StringIO):
    """A stdout whose reader has gone (``| head -1``) or whose disk is full (``> /dev/full``)."""

    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


def test_a_closed_stdout_ends_quietly_after_the_files_are_written(fake_bench, monkeypatch,
                                                                  capsys, tmp_path):  # fmt: skip
    fake_bench()
    saved = tmp_path / "out.json"
    monkeypatch.setattr(sys, "stdout", _Closed(BrokenPipeError(32, "Broken pipe")))
    assert cli.main(["bench", "--quiet", "--save", "-", "--save", str(saved)]) == cli.EXIT_PIPE
    assert capsys.readouterr().err == (
        "matmul-magic bench: stdout's reader left before the output was written\n"
    )
    assert json.loads(saved.read_text()) == fixture("course_cpu.json").to_dict()


def test_a_full_disk_on_stdout_is_one_line_and_exit_code_3(fake_bench, monkeypatch, capsys,
                                                           tmp_path):  # fmt: skip
    fake_bench()
    saved = tmp_path / "out.json"
    monkeypatch.setattr(sys, "stdout", _Closed(OSError(28, "No space left on device")))
    assert cli.main(["bench", "--quiet", "--save", str(saved)]) == cli.EXIT_OUTPUT
    err = capsys.readouterr().err
    assert err == "matmul-magic bench: error: cannot write to stdout: No space left on device\n"
    assert saved.exists()


def test_a_file_that_fails_after_the_check_still_prints_the_table(fake_bench, monkeypatch,
                                                                 capsys, tmp_path):  # fmt: skip
    fake_bench()

    def full(result, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "save_json", full)
    assert cli.main(["bench", "--quiet", "--save", str(tmp_path / "x.json")]) == cli.EXIT_OUTPUT
    out, err = capsys.readouterr()
    assert fixture("course_cpu.json").rows[0].name in out  # the run is not lost
    assert err.startswith("matmul-magic bench: error: cannot write ")
    assert len(err.splitlines()) == 1


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "matmul_magic", "bench", *FAST, "--quiet", *args],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, **kwargs,
    )  # fmt: skip


def test_piping_into_a_reader_that_leaves_gives_no_traceback(tmp_path):
    saved = tmp_path / "out.json"
    proc = _cli("--save", "-", "--save", str(saved), stdout=subprocess.PIPE)
    proc.stdout.close()  # `| true`: the reader is gone before the bench writes
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == cli.EXIT_PIPE
    assert err.startswith("matmul-magic bench: stdout's reader left") and "Traceback" not in err
    assert len(err.splitlines()) == 1
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(saved.read_text()))


def test_dev_full_gives_exit_code_3_and_the_files_are_written(tmp_path):
    saved = tmp_path / "out.json"
    with open("/dev/full", "w") as full:
        proc = _cli("--save", str(saved), stdout=full)
        err = proc.stderr.read()
        assert proc.wait(timeout=300) == cli.EXIT_OUTPUT
    assert err == "matmul-magic bench: error: cannot write to stdout: No space left on device\n"
    assert saved.exists()
