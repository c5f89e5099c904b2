"""Write the firm, link and demand tables of the flagship EV chain map (models/ev_chain.toml).

Deterministic: every random choice is drawn from ``numpy.random.default_rng(SEED)``
in a fixed order, so running this script again rewrites byte-identical CSVs.

    python models/ev_chain/generate.py

What it does:

1. reads the products and recipes from ../ev_chain.toml (the one place they are
   written) and checks that each product's `chains` equal the chains whose
   final products use it;
2. lists the firms (``FIRMS`` below: product, region, tags, group), with a tier
   tag derived from the product;
3. for every firm and every input of its product, picks suppliers:
   - ``PINNED`` customer/input pairs get exactly the suppliers listed (the
     single-sourced links the scenarios lean on);
   - a firm of a group buys from the nearest maker of its own group if there is
     one (captive supply, 70-100 % of the need);
   - commodities and services (``MULTI_SOURCED``) come from 2-3 suppliers;
   - otherwise 1-3 suppliers, drawn with weights favouring domestic suppliers
     for domestic customers, foreign ones for foreign customers, and nearby
     regions;
   - every maker that got no customer is then added as a second source to the
     customer that suits it best, so every firm has a path to final demand;
   shares are Dirichlet draws rounded to 0.001 that sum to exactly 1;
4. lead times: software 0 days, same region 0.5, domestic 1-3 by distance,
   overseas 7-32 by origin/destination;
5. covers: firm default from [defaults] (7 days), chain masters run lean (5
   days); via cover_by_input, software inputs get 90 days (licence-days
   already paid for, a quarterly term) and, at domestic firms, inputs with an
   overseas supplier get 21 days (high-end MCUs 30);
6. headroom: 0.05-0.30 (foreign fabs and single champions 0.05-0.10, chain
   masters 0.10).
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np

from simcore.importers.write import round_shares

SEED = 20240611
HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "ev_chain.toml"

# --- regions: (longitude, latitude) for domestic ones; base sea/land lead days for overseas ones
DOMESTIC = {
    "shenzhen": (114.1, 22.5),
    "shanghai": (121.5, 31.2),
    "hefei": (117.3, 31.8),
    "xian": (108.9, 34.3),
    "chongqing": (106.5, 29.6),
    "changzhou": (119.9, 31.8),
    "wuxi": (120.3, 31.6),
    "ningbo": (121.5, 29.9),
    "ningde": (119.5, 26.7),
    "yibin": (104.6, 28.8),
    "yichun": (114.4, 27.8),
    "zhuzhou": (113.1, 27.8),
    "baotou": (110.0, 40.6),
    "ganzhou": (114.9, 25.8),
    "qinghai": (94.9, 36.4),
}
OVERSEAS_LEAD = {  # days to or from a domestic region
    "overseas_japan": 10,
    "overseas_korea": 10,
    "overseas_seasia": 8,
    "overseas_australia": 18,
    "overseas_us": 24,
    "overseas_europe": 28,
    "overseas_chile": 30,
}

# --- firms: product -> list of (id, name, region, extra tags, group) ------------
# Tags: chain_master, foreign, little_giant, single_champion (a tier tag is added).
F = "foreign"
LG = "little_giant"
SC = "single_champion"
CM = "chain_master"
FIRMS: dict[str, list[tuple[str, str, str, tuple[str, ...], str]]] = {
    "ev": [
        ("oem_shenzhen", "Vehicle maker A (Shenzhen)", "shenzhen", (CM,), "grp_a"),
        ("oem_xian", "Vehicle maker A (Xi'an plant)", "xian", (CM,), "grp_a"),
        ("oem_shanghai", "Vehicle maker B (Shanghai)", "shanghai", (CM,), ""),
        ("oem_hefei", "Vehicle maker C (Hefei)", "hefei", (CM,), ""),
        ("oem_chongqing", "Vehicle maker D (Chongqing)", "chongqing", (CM,), ""),
        ("oem_changzhou", "Vehicle maker E (Changzhou)", "changzhou", (CM,), ""),
    ],
    "ess_system": [
        ("ess_shenzhen", "ESS integrator A (Shenzhen)", "shenzhen", (), "grp_a"),
        ("ess_changzhou", "ESS integrator B (Changzhou)", "changzhou", (), ""),
        ("ess_hefei", "ESS integrator C (Hefei)", "hefei", (), ""),
    ],
    "battery_pack": [
        ("pack_a1", "Pack plant A1 (Shenzhen)", "shenzhen", (), "grp_a"),
        ("pack_a2", "Pack plant A2 (Xi'an)", "xian", (), "grp_a"),
        ("pack_n1", "Pack plant N1 (Ningde)", "ningde", (), "grp_n"),
        ("pack_n2", "Pack plant N2 (Yibin)", "yibin", (), "grp_n"),
        ("pack_c", "Pack maker C (Changzhou)", "changzhou", (), ""),
        ("pack_d", "Pack maker D (Shanghai)", "shanghai", (), ""),
        ("pack_e", "Pack maker E (Hefei)", "hefei", (), ""),
        ("pack_f", "Pack maker F (Chongqing)", "chongqing", (), ""),
    ],
    "e_drive": [
        ("edrive_a", "E-drive plant A (Shenzhen)", "shenzhen", (), "grp_a"),
        ("edrive_b", "E-drive maker B (Shanghai)", "shanghai", (), ""),
        ("edrive_c", "E-drive maker C (Shanghai)", "shanghai", (), ""),
        ("edrive_d", "E-drive maker D (Hefei)", "hefei", (), ""),
        ("edrive_e", "E-drive maker E (Changzhou)", "changzhou", (), ""),
        ("edrive_f", "E-drive maker F (Chongqing)", "chongqing", (LG,), ""),
        ("edrive_g", "E-drive maker G (Xi'an)", "xian", (), ""),
        ("edrive_z", "E-drive plant Z (Zhuzhou)", "zhuzhou", (), "grp_z"),
    ],
    "vehicle_controller": [
        ("ecu_a", "Controller plant A (Shenzhen)", "shenzhen", (), "grp_a"),
        ("ecu_b", "Controller maker B (Shanghai)", "shanghai", (), ""),
        ("ecu_c", "Controller maker C (Shanghai)", "shanghai", (), ""),
        ("ecu_d", "Controller maker D (Hefei)", "hefei", (), ""),
        ("ecu_e", "Controller maker E (Wuxi)", "wuxi", (LG,), ""),
        ("ecu_f", "Controller maker F (Chongqing)", "chongqing", (), ""),
        ("ecu_g", "Controller maker G (Xi'an)", "xian", (), ""),
    ],
    "body_in_white": [
        ("biw_a1", "Body shop A1 (Shenzhen)", "shenzhen", (), "grp_a"),
        ("biw_a2", "Body shop A2 (Xi'an)", "xian", (), "grp_a"),
        ("biw_b", "Body maker B (Shanghai)", "shanghai", (), ""),
        ("biw_c", "Body maker C (Hefei)", "hefei", (), ""),
        ("biw_d", "Body maker D (Chongqing)", "chongqing", (), ""),
        ("biw_e", "Body maker E (Changzhou)", "changzhou", (), ""),
    ],
    "interior": [
        ("int_a", "Interior maker A (Shenzhen)", "shenzhen", (), ""),
        ("int_b", "Interior maker B (Shanghai)", "shanghai", (), ""),
        ("int_c", "Interior maker C (Shanghai)", "shanghai", (), ""),
        ("int_d", "Interior maker D (Hefei)", "hefei", (), ""),
        ("int_e", "Interior maker E (Chongqing)", "chongqing", (), ""),
        ("int_f", "Interior maker F (Xi'an)", "xian", (), ""),
        ("int_g", "Interior maker G (Ningbo)", "ningbo", (), ""),
        ("int_h", "Interior maker H (Changzhou)", "changzhou", (), ""),
    ],
    "pcs": [
        ("pcs_a", "PCS plant A (Shenzhen)", "shenzhen", (), "grp_a"),
        ("pcs_b", "PCS maker B (Hefei)", "hefei", (), ""),
        ("pcs_c", "PCS maker C (Shenzhen)", "shenzhen", (), ""),
        ("pcs_d", "PCS maker D (Xi'an)", "xian", (), ""),
    ],
    "cell": [
        ("cell_n1", "Cell maker N1 (Ningde)", "ningde", (), "grp_n"),
        ("cell_n2", "Cell maker N2 (Ningde)", "ningde", (), "grp_n"),
        ("cell_n3", "Cell maker N3 (Yibin)", "yibin", (), "grp_n"),
        ("cell_n4", "Cell maker N4 (Changzhou)", "changzhou", (), "grp_n"),
        ("cell_a1", "Cell plant A1 (Shenzhen)", "shenzhen", (), "grp_a"),
        ("cell_a2", "Cell plant A2 (Chongqing)", "chongqing", (), "grp_a"),
        ("cell_c", "Cell maker C (Changzhou)", "changzhou", (), ""),
        ("cell_d", "Cell maker D (Hefei)", "hefei", (), ""),
        ("cell_e", "Cell maker E (Shenzhen)", "shenzhen", (), ""),
        ("cell_f", "Cell maker F (Wuxi)", "wuxi", (), ""),
        ("cell_k", "Cell maker K (overseas, Korea)", "overseas_korea", (F,), ""),
        ("cell_j", "Cell maker J (overseas, Japan)", "overseas_japan", (F,), ""),
    ],
    "bms_board": [
        ("bms_a", "BMS plant A (Shenzhen)", "shenzhen", (), "grp_a"),
        ("bms_n", "BMS plant N (Ningde)", "ningde", (), "grp_n"),
        ("bms_c", "BMS maker C (Hefei)", "hefei", (), ""),
        ("bms_d", "BMS maker D (Shanghai)", "shanghai", (), ""),
        ("bms_e", "BMS maker E (Wuxi)", "wuxi", (LG,), ""),
        ("bms_f", "BMS maker F (Changzhou)", "changzhou", (), ""),
    ],
    "mcu_general": [
        ("mcu_eu", "MCU maker (overseas, Europe)", "overseas_europe", (F,), ""),
        ("mcu_jp", "MCU maker (overseas, Japan)", "overseas_japan", (F,), ""),
        ("mcu_us", "MCU maker (overseas, US)", "overseas_us", (F,), ""),
        ("mcu_cn1", "MCU maker CN1 (Shanghai)", "shanghai", (), ""),
        ("mcu_cn2", "MCU plant A (Shenzhen)", "shenzhen", (), "grp_a"),
        ("mcu_cn3", "MCU maker CN3 (Hefei)", "hefei", (LG,), ""),
    ],
    "mcu_highend": [
        ("mcuh_eu", "High-end MCU maker (overseas, Europe)", "overseas_europe", (F,), ""),
        ("mcuh_us", "High-end MCU/SoC maker (overseas, US)", "overseas_us", (F,), ""),
        ("mcuh_jp", "High-end MCU maker (overseas, Japan)", "overseas_japan", (F,), ""),
    ],
    "analog_ic": [
        ("ana_us", "Analog IC maker (overseas, US)", "overseas_us", (F,), ""),
        ("ana_eu", "Analog IC maker (overseas, Europe)", "overseas_europe", (F,), ""),
        ("ana_cn1", "Analog IC maker CN1 (Wuxi)", "wuxi", (LG,), ""),
        ("ana_cn2", "Analog IC maker CN2 (Shanghai)", "shanghai", (), ""),
        ("ana_cn3", "Analog IC maker CN3 (Shenzhen)", "shenzhen", (), ""),
    ],
    "power_module": [
        ("pm_a", "Power-module plant A (Shenzhen)", "shenzhen", (), "grp_a"),
        ("pm_z", "IGBT maker Z (Zhuzhou)", "zhuzhou", (), "grp_z"),
        ("pm_c", "IGBT maker C (Wuxi)", "wuxi", (), ""),
        ("pm_d", "SiC module maker D (Shanghai)", "shanghai", (LG,), ""),
        ("pm_eu", "IGBT/SiC maker (overseas, Europe)", "overseas_europe", (F,), ""),
        ("pm_us", "SiC maker (overseas, US)", "overseas_us", (F,), ""),
        ("pm_jp", "IGBT maker (overseas, Japan)", "overseas_japan", (F,), ""),
    ],
    "sensor": [
        ("sen_cn1", "Sensor maker CN1 (Shanghai)", "shanghai", (), ""),
        ("sen_cn2", "Sensor maker CN2 (Shenzhen)", "shenzhen", (), ""),
        ("sen_cn3", "MEMS sensor maker CN3 (Wuxi)", "wuxi", (LG,), ""),
        ("sen_cn4", "Sensor maker CN4 (Hefei)", "hefei", (), ""),
        ("sen_cn5", "Sensor maker CN5 (Xi'an)", "xian", (), ""),
        ("sen_eu", "Sensor maker (overseas, Europe)", "overseas_europe", (F,), ""),
        ("sen_jp", "Sensor maker (overseas, Japan)", "overseas_japan", (F,), ""),
        ("sen_us", "Sensor maker (overseas, US)", "overseas_us", (F,), ""),
    ],
    "pcb": [
        ("pcb_sz1", "PCB maker SZ1 (Shenzhen)", "shenzhen", (), ""),
        ("pcb_sz2", "PCB maker SZ2 (Shenzhen)", "shenzhen", (), ""),
        ("pcb_wx", "PCB maker WX (Wuxi)", "wuxi", (), ""),
        ("pcb_sh", "PCB maker SH (Shanghai)", "shanghai", (), ""),
        ("pcb_cq", "PCB maker CQ (Chongqing)", "chongqing", (), ""),
    ],
    "ndfeb_magnet": [
        ("mag_bt1", "Magnet maker BT1 (Baotou)", "baotou", (), ""),
        ("mag_bt2", "Magnet maker BT2 (Baotou)", "baotou", (), ""),
        ("mag_nb1", "Magnet maker NB1 (Ningbo)", "ningbo", (), ""),
        ("mag_nb2", "Magnet maker NB2 (Ningbo)", "ningbo", (LG,), ""),
        ("mag_gz", "Magnet maker GZ (Ganzhou)", "ganzhou", (SC,), ""),
        ("mag_jp", "Magnet maker (overseas, Japan)", "overseas_japan", (F,), ""),
    ],
    "al_casting": [
        ("cast_sz", "Die-caster SZ (Shenzhen)", "shenzhen", (), ""),
        ("cast_sh1", "Die-caster SH1 (Shanghai)", "shanghai", (), ""),
        ("cast_sh2", "Die-caster SH2 (Shanghai)", "shanghai", (), ""),
        ("cast_nb", "Giga-casting maker NB (Ningbo)", "ningbo", (SC,), ""),
        ("cast_hf", "Die-caster HF (Hefei)", "hefei", (), ""),
        ("cast_cq", "Die-caster CQ (Chongqing)", "chongqing", (), ""),
        ("cast_xa", "Die-caster XA (Xi'an)", "xian", (), ""),
        ("cast_cz", "Die-caster CZ (Changzhou)", "changzhou", (LG,), ""),
        ("cast_wx", "Die-caster WX (Wuxi)", "wuxi", (), ""),
        ("cast_nd", "Die-caster ND (Ningde)", "ningde", (), ""),
    ],
    "cathode_material": [
        ("cat_zz", "Cathode maker ZZ (Zhuzhou)", "zhuzhou", (), ""),
        ("cat_yc", "Cathode maker YC (Yichun)", "yichun", (), ""),
        ("cat_yb", "Cathode maker YB (Yibin)", "yibin", (), ""),
        ("cat_cz", "Cathode maker CZ (Changzhou)", "changzhou", (), ""),
        ("cat_hf", "Cathode maker HF (Hefei)", "hefei", (), ""),
        ("cat_sz", "Cathode maker SZ (Shenzhen)", "shenzhen", (), ""),
        ("cat_nd", "Cathode maker ND (Ningde)", "ningde", (), ""),
        ("cat_kr", "Cathode maker (overseas, Korea)", "overseas_korea", (F,), ""),
    ],
    "anode_graphite": [
        ("ano_sz", "Anode maker SZ (Shenzhen)", "shenzhen", (), ""),
        ("ano_sh", "Anode maker SH (Shanghai)", "shanghai", (), ""),
        ("ano_bt", "Anode maker BT (Baotou)", "baotou", (), ""),
        ("ano_yb", "Anode maker YB (Yibin)", "yibin", (), ""),
        ("ano_nb", "Anode maker NB (Ningbo)", "ningbo", (), ""),
    ],
    "electrolyte": [
        ("ele_sz", "Electrolyte maker SZ (Shenzhen)", "shenzhen", (), ""),
        ("ele_zz", "Electrolyte maker ZZ (Zhuzhou)", "zhuzhou", (), ""),
        ("ele_cz", "Electrolyte maker CZ (Changzhou)", "changzhou", (), ""),
        ("ele_nd", "Electrolyte maker ND (Ningde)", "ningde", (), ""),
    ],
    "separator": [
        ("sep_sh", "Separator maker SH (Shanghai)", "shanghai", (SC,), ""),
        ("sep_cz", "Separator maker CZ (Changzhou)", "changzhou", (), ""),
        ("sep_sz", "Separator maker SZ (Shenzhen)", "shenzhen", (), ""),
        ("sep_jp", "Separator maker (overseas, Japan)", "overseas_japan", (F,), ""),
    ],
    "lithium_salt": [
        ("li_yc1", "Lithium refiner YC1 (Yichun)", "yichun", (), ""),
        ("li_yc2", "Lithium refiner YC2 (Yichun)", "yichun", (), ""),
        ("li_yb", "Lithium refiner YB (Yibin)", "yibin", (), ""),
        ("li_qh1", "Lithium refiner QH1 (Qinghai)", "qinghai", (), ""),
        ("li_qh2", "Lithium refiner QH2 (Qinghai)", "qinghai", (), ""),
        ("li_zz", "Lithium refiner ZZ (Zhuzhou)", "zhuzhou", (), ""),
        ("li_cl", "Lithium carbonate producer (overseas, Chile)", "overseas_chile", (F,), ""),
    ],
    "lithium_ore": [
        ("ore_au1", "Spodumene miner AU1 (overseas, Australia)", "overseas_australia", (F,), ""),
        ("ore_au2", "Spodumene miner AU2 (overseas, Australia)", "overseas_australia", (F,), ""),
        ("ore_yc", "Lepidolite miner (Yichun)", "yichun", (), ""),
        ("ore_qh", "Brine concentrate (Qinghai)", "qinghai", (), ""),
        ("ore_cl", "Brine concentrate (overseas, Chile)", "overseas_chile", (F,), ""),
    ],
    "ndpr_oxide": [
        ("ndpr_bt1", "Rare-earth separator BT1 (Baotou)", "baotou", (), ""),
        ("ndpr_bt2", "Rare-earth separator BT2 (Baotou)", "baotou", (), ""),
        ("ndpr_gz", "Rare-earth separator GZ (Ganzhou)", "ganzhou", (), ""),
    ],
    "rare_earth_ore": [
        ("reo_bt", "Rare-earth mine (Baotou)", "baotou", (), ""),
        ("reo_gz", "Ionic-clay rare-earth mine (Ganzhou)", "ganzhou", (), ""),
        ("reo_sea", "Ionic-clay concentrate (overseas, SE Asia)", "overseas_seasia", (F,), ""),
    ],
    "silicon_wafer": [
        ("waf_sh", "Wafer maker SH (Shanghai)", "shanghai", (), ""),
        ("waf_xa", "Wafer maker XA (Xi'an)", "xian", (), ""),
        ("waf_jp1", "Wafer maker JP1 (overseas, Japan)", "overseas_japan", (F,), ""),
        ("waf_jp2", "Wafer maker JP2 (overseas, Japan)", "overseas_japan", (F,), ""),
        ("waf_kr", "Wafer maker (overseas, Korea)", "overseas_korea", (F,), ""),
    ],
    "al_ingot": [
        ("alu_bt", "Aluminium smelter (Baotou)", "baotou", (), ""),
        ("alu_cq", "Aluminium smelter (Chongqing)", "chongqing", (), ""),
        ("alu_yb", "Aluminium smelter (Yibin)", "yibin", (), ""),
        ("alu_qh", "Aluminium smelter (Qinghai)", "qinghai", (), ""),
    ],
    "steel_sheet": [
        ("stl_sh", "Steel mill (Shanghai)", "shanghai", (), ""),
        ("stl_wx", "Steel mill (Wuxi)", "wuxi", (), ""),
        ("stl_cq", "Steel mill (Chongqing)", "chongqing", (), ""),
        ("stl_bt", "Steel mill (Baotou)", "baotou", (), ""),
    ],
    "polymer_compound": [
        ("pol_sh", "Polymer compounder (Shanghai)", "shanghai", (), ""),
        ("pol_nb", "Polymer compounder (Ningbo)", "ningbo", (), ""),
        ("pol_sz", "Polymer compounder (Shenzhen)", "shenzhen", (), ""),
        ("pol_eu", "Polymer compounder (overseas, Europe)", "overseas_europe", (F,), ""),
    ],
    "copper_cathode": [
        ("cu_yc", "Copper smelter (Jiangxi, Yichun)", "yichun", (), ""),
        ("cu_sh", "Copper refiner (Shanghai)", "shanghai", (), ""),
        ("cu_nb", "Copper refiner (Ningbo)", "ningbo", (), ""),
        ("cu_cl", "Copper producer (overseas, Chile)", "overseas_chile", (F,), ""),
    ],
    "eda_software": [
        ("eda_us1", "EDA vendor US1 (overseas)", "overseas_us", (F,), ""),
        ("eda_us2", "EDA vendor US2 (overseas)", "overseas_us", (F,), ""),
        ("eda_eu", "EDA vendor EU (overseas)", "overseas_europe", (F,), ""),
    ],
    "plm_software": [
        ("plm_eu", "PLM vendor EU (overseas)", "overseas_europe", (F,), ""),
        ("plm_us", "PLM vendor US (overseas)", "overseas_us", (F,), ""),
        ("plm_cn", "PLM vendor CN (Shanghai)", "shanghai", (LG,), ""),
    ],
    "mes_software": [
        ("mes_cn1", "MES vendor CN1 (Shanghai)", "shanghai", (), ""),
        ("mes_cn2", "MES vendor CN2 (Shenzhen)", "shenzhen", (), ""),
        ("mes_eu", "MES vendor EU (overseas)", "overseas_europe", (F,), ""),
    ],
    "test_certification": [
        ("tst_sh", "Test & certification lab (Shanghai)", "shanghai", (), ""),
        ("tst_sz", "Test & certification lab (Shenzhen)", "shenzhen", (), ""),
        ("tst_xa", "Test & certification lab (Xi'an)", "xian", (), ""),
    ],
}

# Final demand, units per day.
DEMAND = {
    "oem_shenzhen": 2000,
    "oem_shanghai": 1500,
    "oem_hefei": 900,
    "oem_xian": 800,
    "oem_chongqing": 600,
    "oem_changzhou": 500,
    "ess_shenzhen": 8,
    "ess_changzhou": 6,
    "ess_hefei": 5,
}

# Customer/input pairs with fixed suppliers: the single-sourced links the scenarios test.
PINNED: dict[tuple[str, str], list[tuple[str, float]]] = {
    # The Ningbo magnet little giant is the only magnet source of two e-drive makers ...
    ("edrive_f", "ndfeb_magnet"): [("mag_nb2", 1.0)],
    ("edrive_d", "ndfeb_magnet"): [("mag_nb2", 1.0)],
    # ... which are the only / main e-drive source of two vehicle makers.
    ("oem_chongqing", "e_drive"): [("edrive_f", 1.0)],
    ("oem_hefei", "e_drive"): [("edrive_d", 0.6), ("edrive_e", 0.4)],
    # The Ningbo giga-casting champion is the only casting source of two body makers.
    ("biw_b", "al_casting"): [("cast_nb", 1.0)],
    ("biw_e", "al_casting"): [("cast_nb", 1.0)],
}

# Commodities and services bought from 2-3 sources by everyone (no single sourcing).
MULTI_SOURCED = {"steel_sheet", "polymer_compound", "copper_cathode", "al_ingot", "anode_graphite", "test_certification"}

TIER = {
    "final_product": "tier0",
    "subassembly": "tier1",
    "basic_component": "tier2",
    "core_electronic_component": "tier2",
    "basic_process": "tier2",
    "service": "tier2",
    "technology_base": "tier2",  # testing and certification, filed under service before the category existed
    "basic_material": "tier3",
    "industrial_software": "tier3",
    "raw_material": "tier4",
}


def distance_km(a: str, b: str) -> float:
    (x1, y1), (x2, y2) = DOMESTIC[a], DOMESTIC[b]
    dx = (x1 - x2) * 111.0 * math.cos(math.radians((y1 + y2) / 2))
    dy = (y1 - y2) * 111.0
    return math.hypot(dx, dy)


def lead_time(rng: np.random.Generator, sup: str, cus: str, category: str) -> float:
    if category == "industrial_software":
        return 0.0  # licences are delivered digitally
    if sup == cus:
        return 0.5
    if sup in DOMESTIC and cus in DOMESTIC:
        days = 1.0 + distance_km(sup, cus) / 1000.0 + 0.5 * int(rng.integers(0, 2))
        return min(3.0, max(1.0, round(days * 2) / 2))
    if sup in OVERSEAS_LEAD and cus in OVERSEAS_LEAD:
        return 14.0  # between two foreign regions
    base = OVERSEAS_LEAD[sup] if sup in OVERSEAS_LEAD else OVERSEAS_LEAD[cus]
    return float(base + int(rng.integers(-2, 3)))


def closeness(a: str, b: str) -> float:
    if a == b:
        return 3.0
    if a in DOMESTIC and b in DOMESTIC:
        return 1.0 / (1.0 + distance_km(a, b) / 800.0)
    if a in OVERSEAS_LEAD and b in OVERSEAS_LEAD:
        return 0.5
    return 0.3


def main() -> None:
    rng = np.random.default_rng(SEED)
    with MODEL.open("rb") as fh:
        doc = tomllib.load(fh)
    products = {p["id"]: p for p in doc["products"]}
    default_cover = float(doc.get("defaults", {}).get("cover", 7.0))

    # product chains must equal the chains whose final products use them
    uses: dict[str, set[str]] = defaultdict(set)
    for pid, p in products.items():
        if p["category"] == "final_product":
            stack = [pid]
            while stack:
                q = stack.pop()
                if p["chains"][0] not in uses[q]:
                    uses[q].add(p["chains"][0])
                    stack += list(products[q].get("recipe", {}))
    for pid, p in products.items():
        assert set(p.get("chains", [])) == uses[pid], (pid, p.get("chains"), uses[pid])

    # firms
    firms: list[dict] = []
    for pid, rows in FIRMS.items():
        assert pid in products, pid
        for fid, name, region, tags, group in rows:
            assert region in DOMESTIC or region in OVERSEAS_LEAD, region
            firms.append({"id": fid, "name": name, "product": pid, "region": region, "tags": [*tags, TIER[products[pid]["category"]]], "group": group})
    assert set(FIRMS) == set(products), set(products) ^ set(FIRMS)
    by_id = {f["id"]: f for f in firms}
    assert len(by_id) == len(firms)
    makers: dict[str, list[str]] = defaultdict(list)
    for f in firms:
        makers[f["product"]].append(f["id"])

    def foreign(fid: str) -> bool:
        return "foreign" in by_id[fid]["tags"]

    # supplier sets per (customer, input)
    chosen: dict[tuple[str, str], list[str]] = {}
    captive: dict[tuple[str, str], str] = {}
    for f in firms:
        for q in products[f["product"]].get("recipe", {}):
            key = (f["id"], q)
            if key in PINNED:
                chosen[key] = [s for s, _ in PINNED[key]]
                continue
            cands = makers[q]
            group_makers = [s for s in cands if f["group"] and by_id[s]["group"] == f["group"]]
            picked: list[str] = []
            if group_makers:
                own = min(group_makers, key=lambda s: (0 if by_id[s]["region"] == f["region"] else distance_km(by_id[s]["region"], f["region"]) if by_id[s]["region"] in DOMESTIC and f["region"] in DOMESTIC else 1e9, s))
                picked.append(own)
                captive[key] = own
                k = int(rng.choice([1, 2], p=[0.5, 0.5]))
            elif q in MULTI_SOURCED:
                k = int(rng.choice([2, 3], p=[0.6, 0.4]))
            else:
                k = int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25]))
            others = [s for s in cands if s not in picked and not (group_makers and s in group_makers)]
            if others and len(picked) < k:
                w = np.array([closeness(by_id[s]["region"], f["region"]) * ((4.0 if foreign(s) else 1.0) if foreign(f["id"]) else (1.0 if foreign(s) else 3.0)) for s in others])
                n = min(k - len(picked), len(others))
                picked += [str(s) for s in rng.choice(others, size=n, replace=False, p=w / w.sum())]
            chosen[key] = picked

    # every maker needs a customer: add it as an extra source where it fits best
    for q, ms in makers.items():
        if products[q]["category"] == "final_product":
            continue  # sold to final demand only
        for s in ms:
            if any(s in sups for (c, qq), sups in chosen.items() if qq == q):
                continue
            options = [(c, qq) for (c, qq) in chosen if qq == q and (c, qq) not in PINNED and (c, qq) not in captive]
            if not options:
                options = [(c, qq) for (c, qq) in chosen if qq == q and (c, qq) not in PINNED]
            assert options, (s, q)
            score = np.array([closeness(by_id[s]["region"], by_id[c]["region"]) * (0.5 ** len(chosen[c, qq])) * (2.0 if foreign(s) == foreign(c) else 1.0) for c, qq in options])
            best = options[int(np.argmax(score + 1e-9 * rng.random(len(score))))]
            chosen[best].append(s)

    # links with shares and lead times
    links: list[dict] = []
    for (c, q), sups in chosen.items():
        if (c, q) in PINNED:
            shares = [sh for _, sh in PINNED[c, q]]
        elif (c, q) in captive and len(sups) > 1:
            own = float(rng.choice([0.7, 0.8, 0.9]))
            rest = round_shares(rng.dirichlet(np.full(len(sups) - 1, 2.0))) if len(sups) > 2 else [1.0]
            shares = [own] + [round(own_rest * (1 - own), 3) for own_rest in rest]
            shares[0] = round(1.0 - sum(shares[1:]), 3)
        else:
            shares = round_shares(rng.dirichlet(np.full(len(sups), 2.0))) if len(sups) > 1 else [1.0]
        assert abs(sum(shares) - 1.0) < 1e-9 and min(shares) > 0, (c, q, shares)
        for s, sh in zip(sups, shares):
            links.append({
                "supplier": s,
                "customer": c,
                "share": f"{sh:.3f}",
                "lead_time": f"{lead_time(rng, by_id[s]['region'], by_id[c]['region'], products[q]['category']):g}",
            })

    # headroom and covers
    for f in firms:
        tags = f["tags"]
        if "chain_master" in tags:
            f["headroom"] = 0.10
            f["cover"] = 5.0  # lean, just-in-time assembly
        elif "single_champion" in tags or ("foreign" in tags and products[f["product"]]["category"] == "core_electronic_component"):
            f["headroom"] = float(rng.choice([0.05, 0.10]))
        else:
            f["headroom"] = float(rng.choice([0.10, 0.15, 0.20, 0.25, 0.30]))
        cbi = {}
        for q in products[f["product"]].get("recipe", {}):
            if products[q]["category"] == "industrial_software":
                cbi[q] = 90  # licence-days already paid for: a quarter's term
            elif f["region"] not in DOMESTIC or not any(foreign(s) for s in chosen[f["id"], q]):
                continue
            elif q == "mcu_highend":
                cbi[q] = 30
            else:
                cbi[q] = 21
        f["cover_by_input"] = cbi
        f.setdefault("cover", None)

    # write the tables
    with (HERE / "firms.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "name", "product", "region", "tags", "group", "headroom", "cover", "cover_by_input"])
        for f in firms:
            cover = "" if f["cover"] is None or f["cover"] == default_cover else f"{f['cover']:g}"
            cbi = ";".join(f"{q}={d:g}" for q, d in f["cover_by_input"].items())
            w.writerow([f["id"], f["name"], f["product"], f["region"], ";".join(f["tags"]), f["group"], f"{f['headroom']:g}", cover, cbi])
    with (HERE / "links.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["supplier", "customer", "share", "lead_time"])
        for link in links:
            w.writerow([link["supplier"], link["customer"], link["share"], link["lead_time"]])
    with (HERE / "demand.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["firm", "units"])
        for fid, units in DEMAND.items():
            assert fid in by_id, fid
            w.writerow([fid, units])
    print(f"wrote {len(firms)} firms, {len(links)} links, {len(DEMAND)} demand rows to {HERE}")


if __name__ == "__main__":
    main()
