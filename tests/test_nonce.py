"""MonotonicNonce: strictly increasing, thread-safe nonces seeded from the clock."""

from __future__ import annotations

import copy
import itertools
import os
import pickle
import threading
import time
from collections.abc import Callable

import pytest
import requests
from forking import child_exit_code
from hypothesis import given, settings
from hypothesis import strategies as st
from vectors import (
    BINANCE_API_KEY,
    BINANCE_ORDER_URL,
    BINANCE_SECRET,
    BINANCE_TIMESTAMP_MS,
    OPEN_API_AK,
    OPEN_API_GET_URL,
    OPEN_API_SK,
    OPEN_API_TS,
    POLONIEX_API_KEY,
    POLONIEX_NONCE_1,
    POLONIEX_SECRET,
    POLONIEX_URL,
)

from requests_exchange_auth import (
    BinanceApiKeyAuth,
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    ConfigurationError,
    MonotonicNonce,
    PoloniexBodyDigestAuth,
)
from requests_exchange_auth.nonce import check_timeout

NOW_NS = 1_700_000_000_123_456_789
HOUR_NS = 3600 * 10**9


def frozen_clock() -> int:
    """A module-level (so picklable) clock stuck at NOW_NS."""
    return NOW_NS


def binance_clock() -> int:
    """A module-level clock at the Binance §8 vector's timestamp."""
    return BINANCE_TIMESTAMP_MS * 1_000_000


def open_api_clock() -> int:
    """A module-level clock at the Open API §6 worked example's ts."""
    return OPEN_API_TS * 10**9


def poloniex_nonce() -> int:
    """A module-level nonce source returning the Poloniex Part A vector's nonce."""
    return POLONIEX_NONCE_1


def ticking(*readings: int) -> Callable[[], int]:
    return iter(readings).__next__


# -- values ---------------------------------------------------------------------------------


def test_values_strictly_increase():
    """Consecutive calls return strictly increasing ints, even with a frozen clock."""
    nonce = MonotonicNonce(clock=frozen_clock)

    values = [nonce() for _ in range(1000)]

    assert values == list(range(NOW_NS // 1000, NOW_NS // 1000 + 1000))


def test_default_is_microseconds_of_the_wall_clock():
    """By default the first value is time.time_ns() in microseconds."""
    before = time.time_ns() // 1000

    value = MonotonicNonce()()

    assert before <= value <= time.time_ns() // 1000
    assert type(value) is int


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        pytest.param("s", 1_700_000_000, id="s"),
        pytest.param("ms", 1_700_000_000_123, id="ms"),
        pytest.param("us", 1_700_000_000_123_456, id="us"),
        pytest.param("ns", 1_700_000_000_123_456_789, id="ns"),
    ],
)
def test_unit_scales_the_clock(unit, expected):
    """The first value is the clock reading truncated to the chosen unit."""
    assert MonotonicNonce(clock=frozen_clock, unit=unit)() == expected


def test_next_and_call_share_one_sequence():
    """``next(nonce)`` and ``nonce()`` draw from the same sequence."""
    nonce = MonotonicNonce(clock=frozen_clock)
    start = NOW_NS // 1000

    assert [nonce(), next(nonce), nonce(), next(nonce)] == [start, start + 1, start + 2, start + 3]


def test_iteration_yields_increasing_values():
    """A MonotonicNonce is its own iterator, so islice and for loops work."""
    nonce = MonotonicNonce(clock=frozen_clock)
    start = NOW_NS // 1000

    assert iter(nonce) is nonce
    assert list(itertools.islice(nonce, 3)) == [start, start + 1, start + 2]


def test_last_reports_the_latest_value():
    """``last`` is 0 before the first draw and then the value just issued."""
    nonce = MonotonicNonce(clock=frozen_clock)
    before = nonce.last

    value = nonce()

    assert (before, nonce.last) == (0, value)


_UNITS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
# readings around 2023, with steps anywhere from an hour back to an hour forward
_readings = st.integers(10**18, 2 * 10**18).flatmap(
    lambda start: st.lists(st.integers(-HOUR_NS, HOUR_NS), min_size=1, max_size=50).map(
        lambda steps: list(itertools.accumulate(steps, initial=start))
    )
)


@settings(max_examples=200, deadline=None)
@given(readings=_readings, unit=st.sampled_from(sorted(_UNITS)))
def test_any_clock_sequence_gives_strictly_increasing_values(readings, unit):
    """For any clock readings, backward jumps included, values strictly increase and never lag."""
    nonce = MonotonicNonce(clock=ticking(*readings), unit=unit)

    values = [nonce() for _ in readings]

    assert all(a < b for a, b in itertools.pairwise(values))
    assert all(v >= reading // _UNITS[unit] for v, reading in zip(values, readings, strict=True))


@settings(max_examples=200, deadline=None)
@given(readings=_readings, unit=st.sampled_from(sorted(_UNITS)))
def test_each_value_is_max_of_last_plus_one_and_clock(readings, unit):
    """Each value is exactly ``max(last + 1, now)`` (STYLE.md's two-line critical section)."""
    nonce = MonotonicNonce(clock=ticking(*readings), unit=unit)
    expected, last = [], 0
    for reading in readings:
        last = max(last + 1, reading // _UNITS[unit])
        expected.append(last)

    assert [nonce() for _ in readings] == expected


def test_clock_stepping_back_an_hour_does_not_repeat():
    """After the clock steps back an hour, values continue from the last one issued."""
    nonce = MonotonicNonce(clock=ticking(NOW_NS, NOW_NS - HOUR_NS, NOW_NS - HOUR_NS))
    first = nonce()

    assert [nonce(), nonce()] == [first + 1, first + 2]


THREADS, DRAWS = 8, 100_000


def test_threads_never_share_a_value():
    """8 threads × 100,000 draws from one generator: no duplicate, each thread increasing."""
    nonce = MonotonicNonce()
    barrier = threading.Barrier(THREADS)
    results: list[list[int]] = [[] for _ in range(THREADS)]

    def draw(out: list[int]) -> None:
        barrier.wait()
        out.extend(nonce() for _ in range(DRAWS))

    threads = [threading.Thread(target=draw, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(itertools.chain.from_iterable(results))) == THREADS * DRAWS
    assert all(all(a < b for a, b in itertools.pairwise(out)) for out in results)


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        pytest.param(
            {"unit": "minutes"},
            "unit must be one of 's' .seconds., 'ms' .milliseconds., 'us' "
            ".microseconds., 'ns' .nanoseconds., not 'minutes'",
            id="unit",
        ),
        pytest.param({"unit": "µs"}, "not 'µs'", id="unit-micro-sign"),
        pytest.param(
            {"clock": 1_700_000_000}, "clock must be a zero-argument callable", id="clock"
        ),
    ],
)
def test_invalid_options_raise_configuration_error(kwargs, fragment):
    """A unit other than s/ms/us/ns, or a clock that is not callable, is refused at once."""
    with pytest.raises(ConfigurationError, match=fragment):
        MonotonicNonce(**kwargs)


# -- pickling and the shared generator --------------------------------------------------------


def test_pickled_copy_reseeds_from_its_clock():
    """A pickled copy works and starts again from its clock, not from the original's last + 1."""
    original = MonotonicNonce(clock=frozen_clock)
    for _ in range(5):
        original()

    copy = pickle.loads(pickle.dumps(original))  # noqa: S301  # our own bytes

    assert type(copy) is MonotonicNonce
    assert [copy(), copy()] == [NOW_NS // 1000, NOW_NS // 1000 + 1]
    assert original() == NOW_NS // 1000 + 5


def test_pickled_copy_keeps_its_unit():
    """A pickled copy draws in the unit of the original."""
    copy = pickle.loads(pickle.dumps(MonotonicNonce(clock=frozen_clock, unit="ms")))  # noqa: S301

    assert copy() == NOW_NS // 1_000_000


def test_shared_generator_unpickles_as_itself():
    """The process-wide generator stays process-wide through pickle."""
    shared = MonotonicNonce.shared()

    assert pickle.loads(pickle.dumps(shared)) is shared  # noqa: S301  # our own bytes
    assert MonotonicNonce.shared() is shared


@pytest.mark.parametrize("duplicate", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_copy_is_the_same_generator(duplicate):
    """Within a process, copying a generator gives the generator itself, never a twin."""
    nonce = MonotonicNonce(clock=frozen_clock)

    assert duplicate(nonce) is nonce


def test_deep_copied_auth_continues_the_same_sequence():
    """An auth and its deep copy draw one sequence from their shared generator."""
    auth = PoloniexBodyDigestAuth(
        POLONIEX_API_KEY, POLONIEX_SECRET, nonce=MonotonicNonce(clock=frozen_clock)
    )
    twin = copy.deepcopy(auth)
    start = NOW_NS // 1000

    bodies = [
        requests.Request("POST", POLONIEX_URL, auth=signer).prepare().body
        for signer in (auth, twin, auth, twin)
    ]

    assert bodies == [f"nonce={start + i}" for i in range(4)]


def test_poloniex_without_nonce_uses_the_shared_generator():
    """PoloniexBodyDigestAuth given no nonce draws from MonotonicNonce.shared()."""
    auth = PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET)

    r = requests.Request("POST", POLONIEX_URL, data={"command": "returnBalances"}, auth=auth)
    body = r.prepare().body

    assert body == f"command=returnBalances&nonce={MonotonicNonce.shared().last}"


AUTHS = [
    pytest.param(
        lambda: BinanceQueryAuth(
            BINANCE_API_KEY, BINANCE_SECRET, clock=binance_clock, recv_window=5000
        ),
        BINANCE_ORDER_URL,
        id="BinanceQueryAuth",
    ),
    pytest.param(lambda: BinanceApiKeyAuth(BINANCE_API_KEY), BINANCE_ORDER_URL, id="BinanceApiKey"),
    pytest.param(
        lambda: PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET, nonce=poloniex_nonce),
        POLONIEX_URL,
        id="PoloniexBodyDigestAuth",
    ),
    pytest.param(
        lambda: BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, clock=open_api_clock),
        OPEN_API_GET_URL,
        id="BinanceOpenApiJwtAuth",
    ),
]


def _signed(auth: requests.auth.AuthBase, url: str) -> tuple[str | None, object, dict[str, str]]:
    r = requests.Request("POST", url, data={"command": "returnBalances"}, auth=auth).prepare()
    return r.url, r.body, dict(r.headers)


@pytest.mark.parametrize(("make", "url"), AUTHS)
def test_auth_pickles_and_signs_identically(make, url):
    """An unpickled auth signs the same request to the same bytes as the original."""
    auth = make()

    copy = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own bytes

    assert type(copy) is type(auth)
    assert _signed(copy, url) == _signed(auth, url)


def test_pickled_default_poloniex_auth_keeps_the_shared_generator():
    """A default PoloniexBodyDigestAuth unpickles still drawing from the shared generator."""
    auth = PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET)
    copy = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own bytes

    body = requests.Request("POST", POLONIEX_URL, auth=copy).prepare().body

    assert body == f"nonce={MonotonicNonce.shared().last}"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads, 3.12+
def test_a_fork_during_a_draw_leaves_the_child_usable():
    """A child forked while another thread holds the lock gets a fresh one, not a deadlock."""
    nonce = MonotonicNonce()
    before = nonce()
    with nonce._lock:  # as if another thread were mid-draw
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through its exit status
            os._exit(0 if nonce() > before else 1)
    assert child_exit_code(pid, "the generator's lock") == 0


def test_the_other_generators_import_from_the_nonce_module():
    """FileNonce, OrderedNonce and RedisNonce load on first use; other names do not exist."""
    import importlib

    from requests_exchange_auth import _file_nonce, _ordered, _redis_nonce

    nonce_module = importlib.import_module("requests_exchange_auth.nonce")
    assert nonce_module.FileNonce is _file_nonce.FileNonce
    assert nonce_module.OrderedNonce is _ordered.OrderedNonce
    assert nonce_module.RedisNonce is _redis_nonce.RedisNonce
    with pytest.raises(
        AttributeError, match=r"module 'requests_exchange_auth\.nonce' has no attribute 'Nonce'"
    ):
        _ = nonce_module.Nonce


@pytest.mark.parametrize("timeout", [0.001, 1, 10.0, 86400])
def test_a_lock_timeout_is_a_positive_number_of_seconds(timeout):
    assert check_timeout(timeout) == timeout


@pytest.mark.parametrize(
    "timeout",
    [0, -1, 0.0, True, False, "10", None, float("nan"), float("inf"), threading.TIMEOUT_MAX],
)
def test_any_other_lock_timeout_is_refused(timeout):
    with pytest.raises(ConfigurationError) as caught:
        check_timeout(timeout)
    assert str(caught.value) == (
        f"timeout must be a positive number of seconds (e.g. 10.0), not {timeout!r}."
    )


def test_shared_is_one_generator_per_process(monkeypatch):
    """The first call makes the shared generator; every later call returns that one."""
    monkeypatch.setattr(MonotonicNonce, "_shared", None)
    first = MonotonicNonce.shared()
    assert isinstance(first, MonotonicNonce)
    assert MonotonicNonce.shared() is first


def test_a_lock_held_at_fork_time_does_not_block_the_child():
    """What the fork hook does in a child: a new lock, the sequence kept (a held copy
    of the parent's lock would block every draw for ever)."""
    nonce = MonotonicNonce(clock=frozen_clock)
    last = nonce()
    nonce._lock.acquire()  # another thread was mid-draw when the process forked
    nonce._after_fork()
    assert nonce() == last + 1


def test_an_unknown_unit_is_refused_with_the_units_it_takes():
    with pytest.raises(ConfigurationError) as caught:
        MonotonicNonce(unit="h")
    assert str(caught.value) == (
        "the nonce generator's unit must be one of 's' (seconds), 'ms' (milliseconds), "
        "'us' (microseconds), 'ns' (nanoseconds), not 'h'."
    )
