"""Recognising array-likes and pairing two values as arrays of one library.

No import of torch or numpy unless needed: a value can only be a tensor if torch is already
imported, so checks look in ``sys.modules``; numpy is imported on the first numeric
comparison that needs it.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def is_tensor(x: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _is_ndarray(x: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(x, np.ndarray)


def is_array(x: Any) -> bool:
    return is_tensor(x) or _is_ndarray(x)


def class_names(x: Any) -> set[str]:
    return {t.__name__ for t in type(x).__mro__}


def is_iterable(x: Any) -> bool:
    # 0-d tensors and arrays claim to be iterable but are not.
    return isinstance(x, Iterable) and getattr(x, "ndim", 1) != 0


def shape_of(x: Any) -> tuple[int, ...]:
    return tuple(int(n) for n in x.shape)


@dataclass
class Pair:
    """Two values as arrays of one library, with what is needed to explain a mismatch."""

    lib: str  # "torch" or "numpy"
    a: Any
    b: Any
    shape_a: tuple[int, ...]
    shape_b: tuple[int, ...]
    kind_a: str  # dtype, or the Python type of a non-array input
    kind_b: str
    devices: str | None = None  # a line about devices, for tensors

    @property
    def same_shape(self) -> bool:
        return self.shape_a == self.shape_b


def _kind(original: Any, converted: Any) -> str:
    return str(converted.dtype) if is_array(original) else type(original).__name__


def _numeric_numpy(x: Any) -> Any:
    """``x`` as a numpy array of numbers or booleans, or None when it is not one."""
    import numpy as np

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.asarray(x)
    except Exception:  # ragged lists, objects numpy cannot hold
        return None
    return arr if arr.dtype.kind in "biufc" else None


def tensor_to_numpy(t: Any) -> Any:
    torch = sys.modules["torch"]
    t = t.detach().cpu().resolve_conj().resolve_neg()
    if t.dtype in (torch.bfloat16,) or "float8" in str(t.dtype):
        t = t.to(torch.float32)  # no numpy dtype for these
    return t.numpy()


def dtype_kind(x: Any) -> str:
    """``x``'s dtype as "b" (bool), "i" (integer), "f" (floating) or "c" (complex)."""
    d = x.dtype
    if not hasattr(d, "is_complex"):  # numpy's
        return {"u": "i"}.get(d.kind, d.kind)
    if d.is_complex:
        return "c"
    if d.is_floating_point:
        return "f"
    return "b" if d == sys.modules["torch"].bool else "i"


def _python_to_tensor(x: Any, like: Any) -> Any:
    """``x`` (a list or number) as a tensor next to ``like``.

    Floats take ``like``'s float dtype, as Python numbers do in torch arithmetic, so
    ``[0.1]`` equals ``torch.tensor([0.1], dtype=torch.float64)`` and a float32 tensor
    alike.
    """
    torch = sys.modules["torch"]
    dtype = None  # an ndarray's own, or what torch makes of ints, bools and complex numbers
    if not _is_ndarray(x) and torch.as_tensor(x).dtype.is_floating_point:
        # next to integers, float64: as exact as Python's float
        dtype = like.dtype if dtype_kind(like) in "fc" else torch.float64
    return torch.as_tensor(x, dtype=dtype, device=like.device)


def as_pair(a: Any, b: Any, numeric_sequences: bool = False) -> Pair | None:
    """Both values as tensors (if either is one) or numpy arrays; None if they are not arrays.

    With ``numeric_sequences``, two numeric lists or scalars also count as arrays (for
    ``near`` and ``is_close``).
    """
    if is_tensor(a) or is_tensor(b):
        return _torch_pair(a, b) or _numpy_pair(as_numpy(a), as_numpy(b))
    if _is_ndarray(a) or _is_ndarray(b):
        return _numpy_pair(a, b)
    if numeric_sequences and not isinstance(a, (str, bytes)) and not isinstance(b, (str, bytes)):
        return _numpy_pair(a, b)
    return None


def _unsupported(t: Any) -> str | None:
    """Why the values of tensor ``t`` cannot be compared, with the conversion that helps."""
    torch = sys.modules["torch"]
    if t.is_meta:
        return "a meta tensor has a shape and a dtype but no values (compare .shape, .dtype)"
    if getattr(t, "is_nested", False):
        return "a nested tensor has no single shape (compare .to_padded_tensor(0) or .unbind())"
    if t.layout != torch.strided:
        return f"a {t.layout} tensor is not compared element by element (use .to_dense())"
    if t.is_quantized:
        return "a quantized tensor is compared through its values (use .dequantize())"
    return None


def _describe(x: Any) -> str:
    if is_tensor(x):
        layout = "" if str(x.layout) == "torch.strided" else f", {x.layout}"
        device = f", {x.device}" if x.device.type != "cpu" else ""
        nested = ", nested" if getattr(x, "is_nested", False) else ""
        return f"tensor({x.dtype}{layout}{device}{nested})"
    if _is_ndarray(x):
        return f"ndarray({x.dtype})"
    return type(x).__name__


def torch_error(pair: Pair, error: Exception) -> TypeError:
    """torch's own error about a comparison, as the TypeError our API promises."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return TypeError(
        f"cannot compare {pair.kind_a} with {pair.kind_b} ({first}); convert them first, "
        "e.g. with .float() or .to_dense()"
    )


def _torch_pair(a: Any, b: Any) -> Pair | None:
    for x in (a, b):
        why = _unsupported(x) if is_tensor(x) else None
        if why is not None:
            raise TypeError(f"cannot compare {_describe(a)} with {_describe(b)}: {why}")
    try:
        ta = a if is_tensor(a) else _python_to_tensor(a, b)
        tb = b if is_tensor(b) else _python_to_tensor(b, a)
    except (TypeError, ValueError, RuntimeError):
        return None
    if is_tensor(a) and is_tensor(b):
        devices = f"devices: {a.device} vs {b.device}"
        if ta.device != tb.device:
            ta, tb = ta.detach().cpu(), tb.detach().cpu()
            devices += " (different devices: compared on the CPU)"
    else:  # the Python side was made on the tensor's device
        devices = f"device: {ta.device}"
    return Pair(
        "torch", ta, tb, shape_of(ta), shape_of(tb), _kind(a, ta), _kind(b, tb), devices=devices
    )


def _numpy_pair(a: Any, b: Any) -> Pair | None:
    import numpy as np

    def convert(x: Any, other: Any) -> Any:
        if isinstance(x, np.ndarray):
            return x
        # Lists of strings or objects compare element by element instead, as in fastcore.
        arr = _numeric_numpy(x)
        # Python floats take the array's float dtype, as NumPy does for scalars.
        if arr is not None and isinstance(other, np.ndarray) and arr.dtype.kind == "f":
            return arr.astype(other.dtype) if other.dtype.kind in "fc" else arr
        return arr

    na, nb = convert(a, b), convert(b, a)
    if na is None or nb is None:
        return None
    return Pair("numpy", na, nb, shape_of(na), shape_of(nb), _kind(a, na), _kind(b, nb))


def is_numeric_pair(pair: Pair) -> bool:
    numbers = "biufc"  # numpy's kinds of booleans and numbers; a tensor always holds them
    return pair.lib == "torch" or (pair.a.dtype.kind in numbers and pair.b.dtype.kind in numbers)


def common_dtype(pair: Pair, force_float: bool = False) -> tuple[Any, Any]:
    """The pair cast to one dtype, as ``torch.isclose`` needs (numpy promotes by itself);
    with ``force_float``, integers and booleans as float64 (for numpy, each side alone)."""
    if pair.lib != "torch":
        if not force_float:
            return pair.a, pair.b
        import numpy as np

        a, b = (x.astype(np.float64) if x.dtype.kind in "biu" else x for x in (pair.a, pair.b))
        return a, b
    torch = sys.modules["torch"]

    def widened(d: Any) -> Any:
        # float8 has no arithmetic and no promotion; float32 holds each of its values exactly
        return torch.float32 if d.is_floating_point and d.itemsize == 1 else d

    dtype = torch.promote_types(widened(pair.a.dtype), widened(pair.b.dtype))
    if force_float and not (dtype.is_floating_point or dtype.is_complex):
        dtype = torch.float64
    return pair.a.to(dtype), pair.b.to(dtype)


def as_numpy(x: Any) -> Any:
    return tensor_to_numpy(x) if is_tensor(x) else x


def numpy_ne(x: Any, y: Any) -> Any:
    import numpy as np

    try:
        return np.asarray(x != y, dtype=bool)
    except Exception:
        return None
