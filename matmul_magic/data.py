"""MNIST the way the lesson loads it: ``mnist.pkl.gz``, gzip plus pickle, then ``map(tensor, ...)``.

:func:`load_mnist` looks for the file in the given path, then ``$MATMUL_MAGIC_MNIST``, then
``./data/mnist.pkl.gz`` (the 2022 lesson's folder), then fastai's cache (``$FASTAI_HOME`` or
``~/.fastai``, under ``data/`` and ``archive/``). It downloads only when nothing is found and
the network answers within a few seconds; otherwise it raises an error saying where it looked.
:func:`find_mnist` does the looking without loading or downloading anything.
"""

from __future__ import annotations

import gzip
import os
import pickle
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

FILENAME = "mnist.pkl.gz"
ENV_VAR = "MATMUL_MAGIC_MNIST"
MNIST_URL = (
    "https://github.com/mnielsen/neural-networks-and-deep-learning/blob/master/data/"
    "mnist.pkl.gz?raw=true"
)
"""Where the 2022 lesson downloads the file from."""

DOWNLOAD_TIMEOUT = 5.0
"""Seconds to wait for the network before deciding it is not there."""


def _fastai_home() -> Path:
    return Path(os.environ.get("FASTAI_HOME", Path.home() / ".fastai")).expanduser()


def candidates(path: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every place :func:`load_mnist` looks, in order (a directory means ``<dir>/mnist.pkl.gz``)."""
    places: list[Path] = []
    if path is not None:
        places.append(Path(path).expanduser())
    if os.environ.get(ENV_VAR):
        places.append(Path(os.environ[ENV_VAR]).expanduser())
    places.append(Path("data") / FILENAME)
    home = _fastai_home()
    places += [home / "data" / FILENAME, home / "archive" / FILENAME]
    return [p / FILENAME if p.is_dir() else p for p in places]


def find_mnist(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The first existing ``mnist.pkl.gz`` among :func:`candidates`, else ``None``; no download."""
    return next((place for place in candidates(path) if place.is_file()), None)


def _download_target(path: str | os.PathLike[str] | None) -> Path:
    """Where a download goes: the path asked for, ``$MATMUL_MAGIC_MNIST``, or fastai's cache."""
    chosen = path if path is not None else os.environ.get(ENV_VAR) or None
    if chosen is not None:
        target = Path(chosen).expanduser()
        return target / FILENAME if target.is_dir() or str(chosen).endswith(os.sep) else target
    return _fastai_home() / "data" / FILENAME


def download_mnist(
    target: str | os.PathLike[str], url: str = MNIST_URL, timeout: float = DOWNLOAD_TIMEOUT
) -> Path:
    """Fetch ``url`` to ``target`` (atomically: a partial download never looks like the file).

    Raises ``OSError`` (``urllib.error.URLError`` among them) when the network is not there.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url, timeout=timeout) as response:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".mnist-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(response, out)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def load_mnist(path: str | os.PathLike[str] | None = None, download: bool = True):
    """Load MNIST as the lesson does: ``x_train, y_train, x_valid, y_valid`` as tensors.

    ``x_*`` are float tensors of flattened 28×28 images (``n×784``), ``y_*`` the labels.
    ``path`` may be the file or its folder. When no file is found and ``download`` is true,
    the lesson's copy is fetched (short timeout) into ``path``, ``$MATMUL_MAGIC_MNIST`` or
    ``~/.fastai/data``. ``FileNotFoundError`` says where it looked and why it could not fetch.
    """
    found = find_mnist(path)
    if found is None:
        looked = ", ".join(str(p) for p in candidates(path))
        if not download:
            raise FileNotFoundError(f"{FILENAME} not found; looked in: {looked}")
        target = _download_target(path)
        try:
            found = download_mnist(target)
        except OSError as exc:
            reason = getattr(exc, "reason", None) or exc
            raise FileNotFoundError(
                f"{FILENAME} not found (looked in: {looked}) and downloading it from "
                f"{MNIST_URL} failed: {reason}. Download it by hand and pass its path, "
                f"or set ${ENV_VAR}."
            ) from exc
    return read_mnist(found)


def read_mnist(path: str | os.PathLike[str]):
    """The four tensors ``x_train, y_train, x_valid, y_valid`` of the ``mnist.pkl.gz`` at
    ``path`` (no search, no download); ``ValueError`` when it is not a readable one."""
    import torch

    try:
        with gzip.open(path, "rb") as f:
            ((x_train, y_train), (x_valid, y_valid), _) = pickle.load(f, encoding="latin-1")
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a readable mnist.pkl.gz: {exc}") from exc
    return tuple(map(torch.tensor, (x_train, y_train, x_valid, y_valid)))
