"""``load_mnist`` finds, reads and (only when the network answers) downloads mnist.pkl.gz."""

from __future__ import annotations

import gzip
import io
import pickle
import urllib.error

import numpy as np
import pytest
import torch

from matmul_magic import data


def _payload(n_train: int = 6, n_valid: int = 5) -> bytes:
    rng = np.random.default_rng(0)

    def split(n):
        return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64)

    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as f:
        pickle.dump((split(n_train), split(n_valid), split(2)), f)
    return buf.getvalue()


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No MNIST anywhere: empty cwd, empty fastai home, no env var."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FASTAI_HOME", str(tmp_path / "fastai"))
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    return tmp_path


@pytest.fixture
def mnist_file(nowhere):
    path = nowhere / "mine" / "mnist.pkl.gz"
    path.parent.mkdir()
    path.write_bytes(_payload())
    return path


def test_loads_the_lesson_tuple_as_tensors(mnist_file):
    x_train, y_train, x_valid, y_valid = data.load_mnist(mnist_file)
    assert all(isinstance(t, torch.Tensor) for t in (x_train, y_train, x_valid, y_valid))
    assert x_train.shape == (6, 784) and x_valid.shape == (5, 784)
    assert y_valid.shape == (5,)
    assert x_valid.dtype == torch.float32


def test_a_folder_means_the_file_inside_it(mnist_file):
    assert data.find_mnist(mnist_file.parent) == mnist_file
    assert data.load_mnist(mnist_file.parent)[2].shape == (5, 784)


def test_env_var_is_searched(mnist_file, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(mnist_file))
    assert data.find_mnist() == mnist_file


def test_lesson_data_folder_is_searched(nowhere):
    (nowhere / "data").mkdir()
    (nowhere / "data" / "mnist.pkl.gz").write_bytes(_payload())
    assert data.find_mnist().resolve() == (nowhere / "data" / "mnist.pkl.gz").resolve()


@pytest.mark.parametrize("sub", ["data", "archive"])
def test_fastai_cache_is_searched(nowhere, sub):
    place = nowhere / "fastai" / sub / "mnist.pkl.gz"
    place.parent.mkdir(parents=True)
    place.write_bytes(_payload())
    assert data.find_mnist() == place


def test_given_path_wins_over_other_places(mnist_file, nowhere):
    (nowhere / "data").mkdir()
    (nowhere / "data" / "mnist.pkl.gz").write_bytes(_payload(n_valid=3))
    assert data.load_mnist(mnist_file)[2].shape == (5, 784)


def test_absent_without_download_says_where_it_looked(nowhere):
    assert data.find_mnist() is None
    with pytest.raises(FileNotFoundError, match="looked in") as info:
        data.load_mnist(download=False)
    assert "fastai" in str(info.value)


def test_absent_and_offline_is_a_clear_error_and_leaves_no_partial_file(nowhere, monkeypatch):
    def offline(url, timeout):
        assert timeout <= 10  # a short timeout: never hang a notebook on a dead network
        raise urllib.error.URLError("Network is unreachable")

    monkeypatch.setattr(data.urllib.request, "urlopen", offline)
    with pytest.raises(FileNotFoundError, match="Network is unreachable") as info:
        data.load_mnist()
    assert data.ENV_VAR in str(info.value)
    assert not (nowhere / "fastai" / "data" / "mnist.pkl.gz").exists()


def test_downloads_into_the_fastai_cache_when_online(nowhere, monkeypatch):
    calls = []

    def online(url, timeout):
        calls.append(url)
        return io.BytesIO(_payload())

    monkeypatch.setattr(data.urllib.request, "urlopen", online)
    x_valid = data.load_mnist()[2]
    assert calls == [data.MNIST_URL]
    assert x_valid.shape == (5, 784)
    assert (nowhere / "fastai" / "data" / "mnist.pkl.gz").is_file()
    assert data.load_mnist()[2].shape == (5, 784)  # found now, not fetched again
    assert len(calls) == 1


def test_download_goes_to_the_path_asked_for(nowhere, monkeypatch):
    monkeypatch.setattr(data.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(_payload()))
    target = nowhere / "here" / "mnist.pkl.gz"
    data.load_mnist(target)
    assert target.is_file()


def test_failed_download_midway_leaves_no_partial_file(nowhere, monkeypatch):
    class Broken(io.BytesIO):
        def read(self, *args):
            raise OSError("connection reset")

    monkeypatch.setattr(data.urllib.request, "urlopen", lambda url, timeout: Broken(b"x"))
    with pytest.raises(FileNotFoundError, match="connection reset"):
        data.load_mnist()
    folder = nowhere / "fastai" / "data"
    assert list(folder.iterdir()) == []


def test_a_corrupt_file_is_a_value_error(nowhere):
    bad = nowhere / "mnist.pkl.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="not a readable"):
        data.load_mnist(bad)
