"""Scenarios: which model, which shocks, which variants (MODEL.md §4-5)."""

from simcore.scenario.load import Scenario, load_scenario

__all__ = ["Scenario", "load_scenario"]
