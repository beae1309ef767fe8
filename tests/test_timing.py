"""The clocks and the statistics of a measurement (no timing is asserted, only structure)."""

from __future__ import annotations

import math
import time

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from matmul_magic.race import timing
from matmul_magic.race.timing import Measurement, quantile


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.floats(1e-9, 1e3), min_size=1, max_size=40),
    q=st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),
)
def test_quantile_matches_torch(values, q):
    expected = torch.tensor(values, dtype=torch.float64).quantile(q).item()
    assert quantile(sorted(values), q) == pytest.approx(expected, rel=1e-9)


def test_quantile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        quantile([], 0.5)


def test_measurement_statistics():
    m = Measurement((4.0, 1.0, 3.0, 2.0, 5.0), number=10)
    assert m.median == 3.0
    assert (m.p25, m.p75) == (2.0, 4.0)
    assert m.iqr == 2.0 and m.min == 1.0 and m.mean == 3.0
    assert m.blocks == 5 and m.calls == 50
    assert m.relative_iqr == pytest.approx(2 / 3)
    assert m.precision == float("inf") and not m.meets(0.7)  # 5 blocks: no 95 % interval
    assert m.median_interval() == (None, None)


def test_precision_is_the_medians_interval_not_the_blocks_spread():
    # 400 blocks spread ±9 % around 1 (an IQR of about 9 %) pin the median to well under 2 %
    spread = [1 + 0.09 * ((i * 37 % 400) / 399 - 0.5) * 2 for i in range(400)]
    many = Measurement(tuple(spread))
    assert many.relative_iqr > 0.08 and many.precision < 0.02 and many.meets(0.05)
    # 7 blocks with a 3 % IQR cannot: their interval is their whole range
    few = Measurement((1.0, 0.99, 1.01, 1.015, 0.985, 1.3, 0.8))
    assert few.relative_iqr < 0.04 and few.precision > 0.2 and not few.meets(0.05)
    low, high = few.median_interval()
    assert (low, high) == (0.8, 1.3)


def test_measurement_needs_times():
    with pytest.raises(ValueError):
        Measurement(())


def test_scaling_is_linear_and_remembered():
    m = Measurement((1.0, 2.0, 3.0), number=4).scaled(5.0)
    assert m.times == (5.0, 10.0, 15.0)
    assert m.median == 10.0 and m.iqr == 5.0 and m.scale == 5.0 and m.number == 4


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=60))
def test_median_interval_brackets_the_median(values):
    m = Measurement(tuple(values))
    lo, hi = m.median_ci()
    assert min(values) <= lo <= m.median <= hi <= max(values)
    assert 1 <= m.significant_figures <= 4


def test_more_samples_narrow_the_median_interval():
    few = Measurement(tuple(1.0 + 0.01 * i for i in range(6)))
    many = Measurement(tuple(1.0 + 0.01 * (i % 6) for i in range(120)))
    assert few.median_ci() == (min(few.times), max(few.times))  # too few to exclude any
    lo, hi = many.median_ci()
    assert hi - lo < max(many.times) - min(many.times)


def test_cpu_clock_reads_real_time():
    clock = timing.CpuClock()
    assert 0 <= clock.overhead < 1e-3
    spent = clock(lambda x: sum(range(x)), (1000,), 10)
    assert spent > 0 and math.isfinite(spent)


def test_clock_for_picks_by_device_type():
    assert isinstance(timing.clock_for("cpu"), timing.CpuClock)
    assert isinstance(timing.clock_for(torch.device("cpu")), timing.CpuClock)
    assert timing.CpuClock.name == "time.perf_counter"
    assert timing.CudaClock.name == "cuda events"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_clock_times_a_matmul():  # pragma: no cover - runs only on a GPU
    a = torch.randn(256, 256, device="cuda")
    for flush in (False, True):
        clock = timing.CudaClock("cuda", l2_flush=flush)
        assert clock(torch.matmul, (a, a), 3) > 0


def test_blocks_run_with_the_garbage_collector_paused_and_restore_it():
    import gc

    seen = []
    clock = timing.CpuClock()
    clock(lambda: seen.append(gc.isenabled()), (), 3)
    assert seen == [False, False, False]
    assert gc.isenabled()
    gc.disable()
    try:
        clock(lambda: None, (), 1)
        assert not gc.isenabled()  # a caller's choice is left alone
    finally:
        gc.enable()


class FakeEvent:
    """Stands in for torch.cuda.Event: records the host clock, reports milliseconds."""

    recorded: list[object] = []

    def __init__(self, enable_timing=False):
        assert enable_timing
        self.at = None

    def record(self, stream=None):
        self.at = time.perf_counter()
        FakeEvent.recorded.append(stream)

    def synchronize(self):
        assert self.at is not None

    def elapsed_time(self, end):
        return (end.at - self.at) * 1e3


@pytest.fixture
def fake_cuda(monkeypatch):
    """Just enough of torch.cuda for CudaClock's control flow to run on the CPU."""
    from contextlib import nullcontext

    FakeEvent.recorded = []
    syncs = []
    monkeypatch.setattr(torch.cuda, "Event", FakeEvent)
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: syncs.append(device))
    monkeypatch.setattr(torch.cuda, "current_stream", lambda device=None: "the-stream")
    monkeypatch.setattr(torch.cuda, "device", lambda device: nullcontext())
    monkeypatch.setattr(timing.CudaClock, "flush_bytes", 4096)
    return syncs


def test_cuda_clock_records_events_on_the_current_stream_and_synchronises(fake_cuda):
    clock = timing.CudaClock("cpu")
    assert clock.stream == "the-stream" and clock.overhead > 0
    calls = []
    FakeEvent.recorded.clear()
    fake_cuda.clear()
    seconds = clock(lambda a, b: calls.append(1) or time.sleep(0.001), (1, 2), 3)
    assert len(calls) == 3 and seconds >= 0.003
    assert FakeEvent.recorded == ["the-stream", "the-stream"]  # one pair around the block
    assert fake_cuda  # synchronised before timing


def test_cuda_clock_with_l2_flush_times_each_call_after_a_flush(fake_cuda):
    clock = timing.CudaClock("cpu", l2_flush=True)
    flushes = []
    buffer = clock._flush_buffer
    assert buffer.numel() * 4 == 4096

    def call(a, b):
        flushes.append(int(buffer.sum()))
        buffer.fill_(7)  # dirty it; the clock must zero it again before the next call

    FakeEvent.recorded.clear()
    clock(call, (1, 2), 4)
    assert flushes == [0, 0, 0, 0]
    assert len(FakeEvent.recorded) == 8  # a pair of events per call


def test_clock_for_cuda_and_mps(fake_cuda, monkeypatch):
    assert isinstance(timing.clock_for(torch.device("cuda")), timing.CudaClock)
    monkeypatch.setattr(torch.mps, "synchronize", lambda: None)
    clock = timing.clock_for("mps")
    assert isinstance(clock, timing.MpsClock)
    assert clock(lambda a, b: None, (1, 2), 5) >= 0


def test_the_medians_interval_rank_is_the_binomial_rule_at_every_size():
    """The rank summed once in integers is the rank the binomial tail gives directly."""
    import math

    from matmul_magic.race.timing import _order_statistic_rank

    def direct(n: int, alpha: float) -> int:
        j = 0
        while 2 * (j + 1) <= n - 1 and sum(math.comb(n, i) for i in range(j + 2)) / 2**n <= alpha:
            j += 1
        return j

    for n in range(1, 260):
        for alpha in (0.025, 0.05, 0.005):
            assert _order_statistic_rank(n, alpha) == direct(n, alpha), (n, alpha)
