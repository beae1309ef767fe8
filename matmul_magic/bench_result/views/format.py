"""How one number or word prints: the one place to change "how a time prints" in Python.

Every rule (figures, units, marks, words, colours) comes from ``presentation.json``; these pure
functions apply it. ``labextension/src/bench_result/format.ts`` is the TypeScript twin, and
both are checked against ``tests/vectors/presentation.json``. Rounding is half away from zero
on the exact decimal value of the float (what JavaScript's ``toFixed`` does), so 1234.5 prints
"1,235" on both sides; a missing or non-finite value prints the one missing mark.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from pathlib import Path
from typing import Any

RULES: Mapping[str, Any] = json.loads(
    (Path(__file__).parents[1] / "presentation.json").read_text(encoding="utf-8")
)
MISSING: str = RULES["missing"]
ESTIMATE: str = RULES["estimate_mark"]
TIME_UNITS: tuple[tuple[str, float], ...] = tuple((n, f) for n, f in RULES["time_units"])
RATE_UNITS: tuple[tuple[str, float], ...] = tuple((n, f) for n, f in RULES["rate_units"])
_SIGNIFICANT: int = RULES["significant_figures"]
_PLAIN = RULES["plain_exponents"]
_ERROR_PLAIN = RULES["error_plain_exponents"]
_SEP: str = RULES["thousands_separator"]
_SPACE: str = RULES["unit_space"]
_TIMES = "×"
# Enough digits for any double written out in full (the largest has 309 before the point).
_EXACT = Context(prec=1100, rounding=ROUND_HALF_UP)


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or ``None`` (missing, NaN, infinite, not a number)."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _group(digits: str) -> str:
    """``1234567`` → ``1,234,567`` (the integer part only)."""
    head = len(digits) % 3 or 3
    return _SEP.join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


def _signed(negative: bool, body: str) -> str:
    return ("-" if negative and body.strip("0.,") else "") + body


def format_fixed(value: Any, decimals: int, group: bool = True) -> str:
    """``decimals`` places, rounded half away from zero: ``format_fixed(2.125, 2) == "2.13"``."""
    x = _number(value)
    if x is None:
        return MISSING
    if abs(x) >= 10.0 ** (_PLAIN["max"] + 1):  # beyond everyday sizes: 1.70e308, not 309 digits
        return _exponential(x < 0, *_significant(x, _SIGNIFICANT))
    with localcontext(_EXACT):
        rounded = abs(Decimal(x)).quantize(Decimal(1).scaleb(-decimals))
    whole, _, frac = f"{rounded:f}".partition(".")
    body = (_group(whole) if group else whole) + ("." + frac if frac else "")
    return _signed(x < 0, body)


def _significant(x: float, figures: int) -> tuple[str, int]:
    """The ``figures`` leading digits of ``|x|`` (> 0), rounded, and the decimal exponent."""
    with localcontext(_EXACT):
        exact = abs(Decimal(x))
        exponent = exact.adjusted()
        rounded = exact.quantize(Decimal(1).scaleb(exponent - figures + 1))
        if rounded.adjusted() > exponent:  # 999.5 → 1000: one more digit before the point
            exponent += 1
            rounded = exact.quantize(Decimal(1).scaleb(exponent - figures + 1))
        digits = str(rounded.scaleb(figures - 1 - exponent).to_integral_value())
    return digits, exponent


def _exponential(negative: bool, digits: str, exponent: int) -> str:
    mantissa = f"{digits[0]}.{digits[1:]}" if len(digits) > 1 else digits
    return _signed(negative, f"{mantissa}e{exponent}")


def _figures(
    value: Any, figures: int, plain: Mapping[str, int], write: Callable[[float, str, int], str]
) -> str:
    """``value`` rounded to ``figures`` significant figures: in exponent notation outside
    ``plain``, else as ``write(x, digits, exponent)`` lays it out."""
    x = _number(value)
    if x is None:
        return MISSING
    if x == 0:
        return "0"
    digits, exponent = _significant(x, figures)
    if not plain["min"] <= exponent <= plain["max"]:
        return _exponential(x < 0, digits, exponent)
    return write(x, digits, exponent)


def format_significant(
    value: Any, figures: int = _SIGNIFICANT, plain: Mapping[str, int] = _PLAIN
) -> str:
    """``figures`` significant figures, but never fewer than the integer part's digits
    (``95,814``); exponent notation outside ``plain`` (``4.30e-6``); thousands separated."""
    return _figures(value, figures, plain, lambda x, _, e: format_fixed(x, max(0, figures - 1 - e)))


def format_number(value: Any) -> str:
    """The everyday number: three significant figures (``0.000190``, ``18.2``, ``1,235``)."""
    return format_significant(value)


def format_error(value: Any) -> str:
    """An error size: two significant figures (``1.9e-6``, ``0.031``, ``0``)."""
    return format_significant(value, RULES["error_figures"], _ERROR_PLAIN)


def format_estimate(value: Any) -> str:
    """A rough figure: two significant figures even for big numbers (``96,000``)."""
    return _figures(
        value, RULES["estimate_figures"], _PLAIN, lambda x, d, e: _signed(x < 0, _layout(d, e))
    )


def _layout(digits: str, exponent: int) -> str:
    """Rounded ``digits`` (``d.dd × 10^exponent``) written out in full, zeros padded."""
    if exponent >= len(digits) - 1:
        return _group(digits + "0" * (exponent - len(digits) + 1))
    if exponent >= 0:
        return f"{_group(digits[: exponent + 1])}.{digits[exponent + 1 :]}"
    return "0." + "0" * (-exponent - 1) + digits


def format_plain(value: Any, figures: int = 6) -> str:
    """A value as the user would write it: Python's ``g`` format, up to ``figures``
    significant figures with no padding and no separators (``1e-05``, ``0.001``, ``2.5``).
    How a test failure shows operands and tolerances, and a hint shows a literal: text that
    reads as Python, not a figure in a table."""
    return f"{value:.{figures}g}"


def format_count(value: Any) -> str:
    """A whole count with thousands separated: ``4,000``."""
    return format_fixed(value, 0)


def format_percent(value: Any) -> str:
    """A whole percentage: ``12%``."""
    text = format_fixed(value, 0)
    return text if text == MISSING else text + "%"


def format_point(point: Mapping[str, Any], unreliable: bool = False) -> str:
    """One sweep point's figure: its median as ``format_median`` writes it, or why it has
    none: ``– not measured`` where the race did not reach its size, the failed word where the
    variant raised there."""
    error = point.get("error")
    if error is not None:
        unmeasured = RULES["not_measured"]
        words = RULES["status_words"]
        return unmeasured["word"] if error.startswith(unmeasured["prefix"]) else words["failed"]
    return format_median(
        point.get("median"),
        point.get("median_low"),
        point.get("median_high"),
        bool(point.get("extrapolated")),
        unreliable,
    )


def format_exponent(value: Any) -> str:
    """A fitted exponent: two decimals (``2.95``)."""
    return format_fixed(value, RULES["exponent_decimals_fixed"])


def pick_unit(
    values: Sequence[Any], units: Sequence[tuple[str, float]], largest: bool = False
) -> tuple[str, float]:
    """The largest unit (``units`` run large to small) in which the smallest value (the
    largest when ``largest``) prints as at least 1. Times anchor on the smallest (no "0.00"
    cells); rates on the largest. With no positive value: ``units[0]`` (times), or the
    default rate unit."""
    positive = [x for x in map(_number, values) if x is not None and x > 0]
    if not positive:
        default = RULES["default_rate_unit"] if largest else units[0][0]
        return next(u for u in units if u[0] == default)
    reference = max(positive) if largest else min(positive)
    for name, factor in units:
        # Whether it prints as 1 or more once rounded (999.96 µs is "1.00 ms", not "1,000 µs").
        if _significant(reference / factor, _SIGNIFICANT)[1] >= 0:
            return name, factor
    return units[-1]


def format_time(seconds: Any) -> str:
    """A time in its own best unit: ``4.30 µs``, ``412 ms``, ``1.00 ms``, ``0 s``."""
    x = _number(seconds)
    if x is None:
        return MISSING
    name, factor = pick_unit([abs(x)], TIME_UNITS)
    return f"{format_number(x / factor)}{_SPACE}{name}"


def format_rate(gflops: Any) -> str:
    """A throughput (given in GFLOP/s) in its own best unit: ``1.23 TFLOP/s``."""
    x = _number(gflops)
    if x is None:
        return MISSING
    name, factor = pick_unit([abs(x)], RATE_UNITS, largest=True)
    return f"{format_number(x / factor)}{_SPACE}{name}"


def format_tick(seconds: Any) -> str:
    """An axis label: the time without trailing zeros (``1 µs``, ``10 ms``, ``2.5 s``)."""
    text = format_time(seconds)
    number, _, unit = text.partition(_SPACE)
    if "." in number and "e" not in number:
        number = number.rstrip("0").rstrip(".")
    return f"{number}{_SPACE}{unit}" if unit else number


def format_precision(value: Any, low: Any, high: Any) -> str:
    """How well ``value`` is known: the farther end of its 95 % interval, relative to it,
    as `` ±2.3%`` (`` ±31%`` from 10 % on, `` ±<0.1%`` below the floor); ``""`` without one."""
    x, lo, hi = _number(value), _number(low), _number(high)
    if x is None or lo is None or hi is None or x <= 0:
        return ""
    rule = RULES["precision"]
    pct = 100 * max(hi - x, x - lo, 0.0) / x
    if pct < rule["floor"]:
        text = "<" + format_fixed(rule["floor"], 1)
    else:
        # 9.96 rounds to "10.0" at one decimal: from there on, whole percent.
        text = format_fixed(pct, 1 if pct < rule["one_decimal_below"] - 0.05 else 0)
    return f"{rule['mark']}{text}%"


def format_median(
    value: Any,
    low: Any = None,
    high: Any = None,
    extrapolated: bool = False,
    unreliable: bool = False,
) -> str:
    """A median time in its own unit with how well it is known: ``1.23 ms ±2.0%``;
    ``≈ 3.40 s ±12%`` when extrapolated; an unreliable one never looks exact: ``≈ 3.4 s ⚠``."""
    x = _number(value)
    if x is None:
        return MISSING
    if unreliable:  # a rough time in its own unit: two significant figures (``1.2 ms``)
        name, factor = pick_unit([abs(x)], TIME_UNITS)
        return f"{ESTIMATE}{format_estimate(x / factor)}{_SPACE}{name}{RULES['unreliable_mark']}"
    return (ESTIMATE if extrapolated else "") + format_time(x) + format_precision(x, low, high)


def speedup_known(value: Any, low: Any, high: Any) -> bool:
    """Whether a speedup's interval pins it within ``speedup_known_ratio`` either way (an
    interval such as 12.9–29,186 around 84.6 does not: the speedup is not known)."""
    x, lo, hi = _number(value), _number(low), _number(high)
    if x is None or x <= 0:
        return False
    if lo is None or hi is None:
        return True
    ratio = RULES["speedup_known_ratio"]
    return lo > 0 and x / lo <= ratio and hi / x <= ratio


def format_speedup(value: Any, low: Any = None, high: Any = None, unreliable: bool = False) -> str:
    """``95,814× ±3.0%``: the ratio and how well its 95 % interval pins it; an unreliable
    estimate never looks exact (``≈ 96,000× ⚠``), and an interval wider than
    ``speedup_known_ratio`` either way is no figure at all: ``not known (13–29,000×)``."""
    x = _number(value)
    if x is None:
        return MISSING
    suffix = RULES["speedup_suffix"]
    if unreliable:
        return f"{ESTIMATE}{format_estimate(x)}{suffix}{RULES['unreliable_mark']}"
    if not speedup_known(x, low, high):
        iv = RULES["interval"]
        span = f"{format_estimate(low)}{iv['dash']}{format_estimate(high)}{suffix}"
        return f"{RULES['speedup_unknown']}{iv['open']}{span}{iv['close']}"
    return format_number(x) + suffix + format_precision(x, low, high)


def format_exponent_label(value: Any) -> str:
    """A sweep line's fitted exponent as every view writes it: ``∝ size^2.91``."""
    return RULES["exponent_label"].replace("{exponent}", format_exponent(value))


def format_calls(runs: Any, blocks: Any) -> str:
    """``4,000 (40)``: calls timed, and in brackets the blocks they came in."""
    return f"{format_count(runs)} ({format_count(blocks)})"


def format_shape(shape: Sequence[int]) -> str:
    """Shapes as the lesson writes them: ``5×784``."""
    return _TIMES.join(str(d) for d in shape)


def status_badges(row: Mapping[str, Any]) -> list[str]:
    """The status word, then how far to trust the time: extrapolated (or an unreliable
    estimate), unreliable (contention, estimators that disagree), over budget, a one-off
    first-call cost, noisy."""
    badges = RULES["badges"]
    out = [RULES["status_words"][row["status"]]]
    if row.get("extrapolated"):
        out.append(badges["unreliable"] if row.get("unreliable") else badges["extrapolated"])
    elif row.get("unreliable"):
        out.append(badges["unreliable_measured"])
    if row.get("over_budget"):
        out.append(badges["over_budget"])
    if _number(row.get("one_off")) is not None:
        out.append(badges["one_off"].replace("{time}", format_time(row["one_off"])))
    if row.get("noisy"):
        out.append(badges["noisy"])
    return out


def status_text(row: Mapping[str, Any]) -> str:
    """The status badges as one cell: ``✓ ok, ≈ extrapolated, over budget``."""
    return RULES["badge_separator"].join(status_badges(row))


def colour(name: str) -> str:
    """A palette colour as CSS: ``var(--jp-brand-color1, #1976d2)`` (the theme's, or ours)."""
    theme, fallback = RULES["colours"][name]
    return f"var({theme}, {fallback})" if theme else fallback


def series_colour(index: int) -> str:
    """The colour of the ``index``-th line of a chart (the palette repeats)."""
    series = RULES["colours"]["series"]
    theme, fallback = series[index % len(series)]
    return f"var({theme}, {fallback})" if theme else fallback


def kind_colour(kind: str) -> str:
    """The bar colour of a row of this kind (course, optional, user)."""
    return colour(RULES["colours"]["kinds"][kind])
