"""Small random scenarios on the flagship map for Monte Carlo tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parents[2]

RANDOM_EV = f"""
[scenario]
name = "random ev"
model = "{ROOT / 'models' / 'ev_chain.toml'}"
horizon = 60
seed = 11

[[shocks]]
kind = "embargo"
products = ["mcu_highend"]
start = 5
duration = {{ dist = "lognormal", median = 30, sigma = 0.4 }}

[[shocks]]
kind = "random_outage"
select = {{ tags = ["tier2"] }}
rate = 0.004
duration = {{ dist = "exponential", mean = 8 }}
magnitude = {{ dist = "uniform", low = 0.3, high = 1.0 }}
recovery = {{ profile = "linear", days = 3 }}

[[shocks]]
kind = "random_outage"
per = "region"
select = {{ regions = ["hefei", "ningbo"] }}
rate = 0.01
magnitude = 0.5
duration = {{ dist = "empirical", values = [3, 9], weights = [2, 1] }}

[[shocks]]
kind = "lead_time_noise"
suppliers = {{ tags = ["foreign"] }}
factor = {{ dist = "uniform", low = 0.8, high = 1.6 }}

[[variants]]
name = "as-is"

[[variants]]
name = "stock"
[[variants.policies]]
kind = "fill_short_board"
top = 1
mode = "safety_stock"
extra_cover = 20

[[variants]]
name = "masters"
[[variants.policies]]
kind = "stabilize_chain_master"
extra_cover = 5
recovery_speed = 2
"""


def write(tmp_path: Path, text: str = RANDOM_EV, name: str = "random.toml") -> Path:
    path = Path(tmp_path) / name
    path.write_text(text)
    return path
