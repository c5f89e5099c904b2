"""The Numba engine's Python side: CompiledRun -> flat arrays -> one kernel call -> Trajectories."""

from __future__ import annotations

import numpy as np

from simcore.compile import CompiledRun
from simcore.engines.numba import kernels
from simcore.engines.trajectories import T, Trajectories
from simcore.scenario.shocks import CLOSE, DAMAGE, DEMAND, LEAD

if (DAMAGE, DEMAND, CLOSE, LEAD) != (kernels.DAMAGE, kernels.DEMAND, kernels.CLOSE, kernels.LEAD):
    raise ImportError("simcore.engines.numba.kernels: shock kind codes differ from simcore.scenario.shocks")
_COLUMNS = np.array([T[name] for name in kernels.TOTALS_ORDER], dtype=np.int64)


def _f8(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def _i8(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.int64)


def run_numba(run: CompiledRun, firm_trajectories: bool = True) -> Trajectories:
    """Simulate one compiled run for its whole horizon; the same numbers as `run_reference`."""
    horizon, n = int(run.horizon), run.n_firms
    # what the reference's calendar refuses ("Negative delay"), refused here too rather than silently run
    for name, values in (("link lead time", run.link_lead), ("shock start", run.shock_start)):
        if len(values) and not np.all(np.asarray(values) >= 0):
            raise ValueError(f"{name} {float(np.min(values))!r} is negative (or not a number); expected >= 0")
    rec = Trajectories.allocate(horizon, len(run.chain_names), n, firm_trajectories)

    # shock rows in the order their onset events fire in the reference: by start, then row
    order = np.argsort(np.asarray(run.shock_start, dtype=np.float64), kind="stable")
    shocks = (
        _i8(run.shock_kind)[order],
        _i8(run.shock_target)[order],
        _f8(run.shock_value)[order],
        _f8(run.shock_start)[order],
        _f8(run.shock_duration)[order],
        _i8(run.shock_profile)[order],
        _f8(run.shock_param)[order],
    )
    link_lead = _f8(run.link_lead)
    ring_ticks, ring_depth = kernels.ring_shape(horizon, n, link_lead, *shocks)

    firm_output = rec.firm_output if firm_trajectories else np.zeros((0, n))
    firm_final_delivered = rec.firm_final_delivered if firm_trajectories else np.zeros((0, n))
    in_transit0 = np.zeros(run.n_slots)
    kernels.simulate(
        horizon, ring_ticks, ring_depth,
        _f8(run.capacity), _f8(run.base_output), _f8(run.final_demand),
        _i8(run.slot_ptr), _f8(run.slot_coef), _f8(run.slot_target), _f8(run.slot_pipeline), _i8(run.slot_link_ptr),
        _i8(run.link_slot), _f8(run.link_share), link_lead, _i8(run.link_tier), _f8(run.link_flow),
        _i8(run.out_ptr), _i8(run.out_link),
        float(run.tau), float(run.backlog_days), int(run.rationing), bool(run.adaptive_sourcing), float(run.share_recovery), int(run.final_tier),
        *shocks,
        _i8(run.chain_ptr), _i8(run.chain_firm), _f8(run.chain_weight),
        _COLUMNS, rec.totals, rec.chain_output, rec.chain_final_demand, rec.chain_final_delivered,
        rec.firm_min_ratio, firm_output, firm_final_delivered, bool(firm_trajectories), in_transit0,
    )  # fmt: skip
    rec.start_inventory = float(_f8(run.slot_target).copy().sum())
    rec.start_in_transit = float(in_transit0.sum())
    return rec
