"""The serial chain of docs/model.md (Worked example): S feeds C one-for-one, lead time 1, no headroom."""

from __future__ import annotations

from pathlib import Path

from naive import GOOD, PART, write_file, write_model

HORIZON = 60


def serial_folder(folder: Path) -> Path:
    write_model(
        folder,
        [PART, GOOD],
        [{"id": "S", "product": "part", "region": "r", "tags": ["tier1"]}, {"id": "C", "product": "good", "region": "r", "cover": 3.0}],
        [{"supplier": "S", "customer": "C", "lead_time": 1.0}],
        [{"firm": "C", "units": 10.0}],
        defaults={"headroom": 0.0},
    )
    return folder


HEAD = f"""
[scenario]
name = "serial"
model = "model.toml"
horizon = {HORIZON}
seed = 7

[[shocks]]
kind = "firm_outage"
select = {{ ids = ["S"] }}
start = 5
duration = DURATION
"""

VARIANTS = """
[[variants]]
name = "as-is"

[[variants]]
name = "stock"
[[variants.policies]]
kind = "safety_stock"
select = { ids = ["C"] }
extra_cover = 4
"""


def scenario_file(folder: Path, body: str, duration: str = "20", name: str = "scenario.toml") -> Path:
    """The serial scenario with S out from day 5 for `duration` (a number or a distribution), then `body`."""
    serial_folder(folder)
    return write_file(folder, name, HEAD.replace("DURATION", duration) + body)
