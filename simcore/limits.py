"""How large a request simcore accepts: each bound is what the engines can hold, checked before anything runs.

Every limit is documented in docs/formats.md (section "Limits"). The numbers are
far beyond any real supply chain, so they only ever stop a typo (`1e9` for
`1e-9`) or a unit mistake from running out of memory or overflowing inside
NumPy; the message states the limit and what the request would have needed.
"""

from __future__ import annotations

import math

MAX_HORIZON = 100_000  # days simulated (about 274 years): the per-day trajectories grow with it
MAX_LEAD_TIME = 3650.0  # days a shipment may take (ten years), disrupted or not: the engine's ring of shipments in transit is this long
MAX_RANDOM_ROWS = 1_000_000  # outage events a replication's random_outage shocks may expect (rate x window x firms)
MAX_OUTPUT = 1e18  # units a day any firm makes at baseline: stocks and pipelines of many days must stay finite floats
MAX_REPLICATIONS = 1_000_000  # replications of one batch: its metrics table grows with them

ROW_BYTES = 64  # one row of a shock table: kind, target, value, start, duration, profile, param, source
METRIC_BYTES = 8 * 6  # one replication's six metrics for one variant and chain


def ring_days(lead_time: float) -> int:
    """Length of the ring of shipments in transit for this longest lead time (simcore.engines.numba.kernels.ring_length)."""
    longest = max(1, math.ceil(lead_time) + 1)
    length = 2
    while length < longest + 2:
        length *= 2
    return length


def size(nbytes: float) -> str:
    """`8.0 GiB`: a memory estimate in the unit that reads best."""
    if isinstance(nbytes, float) and not math.isfinite(nbytes):
        return "more memory than any machine has"
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{float(nbytes):.3g} {unit}"
        nbytes /= 1024
    raise AssertionError("unreachable")


def lead_time_expectation(lead_time: float) -> str:
    """Why a lead time (or a disrupted one) is too long, with what it would need."""
    need = size(8 * ring_days(lead_time))
    return (
        f"a lead time <= {MAX_LEAD_TIME:g} days (ten years; the engine keeps shipments in transit in a ring as long as "
        f"the longest lead time, and {lead_time:g} days would need {need} per input of every firm)"
    )


def random_rows_expectation(rows: float, rate: float, window: float, firms: int) -> str:
    return (
        f"a rate that gives at most {MAX_RANDOM_ROWS:,} expected outage events a replication (rate x window x firms); "
        f"{rate:g} per day x {window:g} days x {firms} firms is {rows:.3g} events, a shock table of {size(rows * ROW_BYTES)}"
    )


def replications_expectation(replications: int, variants: int, chains: int) -> str:
    table = float(replications) * variants * chains * METRIC_BYTES
    return (
        f"at most {MAX_REPLICATIONS:,} replications (the batch keeps every replication's metrics: {replications:,} x "
        f"{variants} variants x {chains} chains would need {size(table)})"
    )
