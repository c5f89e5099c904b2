"""Write the city map of key industrial chains (models/city.toml and models/city/*.csv).

A synthetic map in the shape of a "chain leader" programme: nine key chains of
one city, each with one or two chain-master enterprises, on a shared supplier
base of components, materials, software and technology-base firms, some of
whose inputs come only from abroad (docs/city.md says where each rule comes
from). Deterministic: every random choice is drawn from
``numpy.random.default_rng(SEED)`` in a fixed order, and the tables are written
by the project's one writer (``simcore.importers.write.write_chain_map``), so

    python models/city/generate.py [OUT.toml]

rewrites byte-identical files (default OUT: models/city.toml).
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from simcore.importers.write import MapTables, ModelHeader, round_shares, write_chain_map

SEED = 20221
HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "city.toml"

# --- chains: id -> (Chinese, English) ---------------------------------------------------------------
CHAINS = {
    "nev": ("新能源汽车", "new-energy vehicles"),
    "ice": ("传统汽车", "conventional vehicles"),
    "moto": ("摩托车", "motorcycles"),
    "laptop": ("笔记本电脑与显示", "laptops and displays"),
    "ic": ("集成电路", "integrated circuits"),
    "equip": ("高端装备", "high-end equipment"),
    "materials": ("新材料", "advanced materials"),
    "pharma": ("生物医药", "pharmaceuticals"),
    "consumer": ("消费品", "consumer goods"),
}

# --- regions: city districts and other provinces (longitude, latitude, Chinese); overseas (lead days, Chinese)
CITY = {
    "cq_liangjiang": (106.6, 29.7, "两江新区"),
    "cq_xiyong": (106.3, 29.6, "西永园区"),
    "cq_changshou": (107.1, 29.9, "长寿"),
    "cq_fuling": (107.4, 29.7, "涪陵"),
    "cq_jiangjin": (106.3, 29.3, "江津"),
    "cq_bishan": (106.2, 29.6, "璧山"),
    "cq_yongchuan": (105.9, 29.4, "永川"),
    "cq_banan": (106.5, 29.4, "巴南"),
}
PROVINCES = {
    "sichuan": (104.1, 30.7, "四川"),
    "shaanxi": (108.9, 34.3, "陕西"),
    "guangdong": (113.3, 23.1, "广东"),
    "jiangsu": (120.3, 31.6, "江苏"),
    "shanghai": (121.5, 31.2, "上海"),
    "zhejiang": (121.5, 29.9, "浙江"),
    "jiangxi": (114.9, 25.8, "江西"),
    "inner_mongolia": (110.0, 40.6, "内蒙古"),
}
DOMESTIC = {**CITY, **PROVINCES}
OVERSEAS = {
    "overseas_us": (26, "美国"),
    "overseas_europe": (30, "欧洲"),
    "overseas_japan": (12, "日本"),
    "overseas_korea": (12, "韩国"),
    "overseas_seasia": (10, "东南亚"),
    "overseas_australia": (20, "澳大利亚"),
}
PROV = list(PROVINCES)

# --- products ------------------------------------------------------------------------------------
# id: (Chinese, English, category, home chain or "" (used by others only), price in thousand CNY, recipe,
#      makers (domestic, foreign), where the domestic makers are (regions, the first weighted 3x))
# Recipe inputs marked "~" are `important` (a shortage halves its effect), the others critical.
P = {
    # final products: the chains' outputs, sold to final demand
    "nev": ("新能源汽车", "new-energy vehicle", "final_product", "nev", 150.0,
            {"battery_pack": 1, "e_drive": 1, "vehicle_controller": 2, "body": 1, "interior": 1, "chassis": 1, "sensor": 10, "auto_software": 0.001, "cad_cae_software": 0.0005, "~test_cert": 0.002},
            (5, 0), ["cq_liangjiang", "cq_yongchuan"]),
    "ice_car": ("传统燃油汽车", "conventional car", "final_product", "ice", 100.0,
                {"engine": 1, "transmission": 1, "vehicle_controller": 1, "body": 1, "interior": 1, "chassis": 1, "sensor": 6, "cad_cae_software": 0.0005, "~test_cert": 0.002},
                (5, 0), ["cq_liangjiang", "cq_banan", "cq_jiangjin"]),
    "motorcycle": ("摩托车", "motorcycle", "final_product", "moto", 8.0,
                   {"moto_engine": 1, "moto_frame": 1, "mcu": 2, "sensor": 2, "eng_plastic": 6, "~test_cert": 0.0005},
                   (24, 0), ["cq_banan", "cq_jiangjin", "cq_bishan", "cq_yongchuan"]),
    "laptop": ("笔记本电脑", "laptop computer", "final_product", "laptop", 5.0,
               {"mainboard": 1, "display_module": 1, "li_cell": 3, "casing": 1, "high_end_chip": 1, "~test_cert": 0.0002},
               (6, 0), ["cq_xiyong"]),
    "monitor": ("显示器", "computer monitor", "final_product", "laptop", 1.2,
                {"display_module": 1, "pcb": 1, "mcu": 1, "casing": 1, "~test_cert": 0.0001},
                (8, 0), ["cq_xiyong", "cq_liangjiang"]),
    "packaged_chip": ("封装芯片(外销)", "packaged chips (sold outside the map)", "core_electronic_component", "ic", 0.006,
                      {"fab_wafer": 0.002, "ic_packaging": 1, "eda_software": 0.00002, "~metrology": 0.00001},
                      (10, 0), ["cq_xiyong", "cq_liangjiang"]),
    "cnc_machine": ("数控机床", "CNC machine tool", "final_product", "equip", 800.0,
                    {"cnc_system": 1, "servo_motor": 4, "bearing": 8, "machine_bed": 1, "special_steel": 200, "precision_machining": 5, "cad_cae_software": 0.005, "~metrology": 0.01},
                    (20, 0), ["cq_jiangjin", "cq_banan", "cq_bishan"]),
    "robot": ("工业机器人", "industrial robot", "final_product", "equip", 200.0,
              {"cnc_system": 1, "servo_motor": 6, "reducer": 6, "mcu": 4, "sensor": 6, "al_casting": 4, "cad_cae_software": 0.002, "~metrology": 0.005},
              (14, 0), ["cq_liangjiang", "cq_bishan"]),
    "alloy_plate": ("高端铝合金板材", "high-end aluminium alloy plate (kg)", "basic_material", "materials", 0.05,
                    {"al_ingot": 1.05, "~metrology": 0.000001},
                    (8, 0), ["cq_changshou", "cq_fuling", "cq_yongchuan"]),
    "composite": ("高性能复合材料", "high-performance composite (kg)", "basic_material", "materials", 0.04,
                  {"glass_fibre": 0.6, "eng_plastic": 0.4, "~metrology": 0.000001},
                  (8, 0), ["cq_changshou", "cq_fuling"]),
    "drug": ("化学药制剂", "chemical drug (box)", "final_product", "pharma", 0.03,
             {"api": 0.01, "excipient": 0.02, "pharma_glass": 1, "packaging": 1, "~test_cert": 0.00001, "mes_software": 0.000001},
             (80, 0), ["cq_banan", "cq_changshou", "cq_fuling"]),
    "biologic": ("生物药", "biologic drug (dose)", "final_product", "pharma", 0.5,
                 {"culture_media": 0.5, "bioprocess_consumable": 0.02, "pharma_glass": 1, "packaging": 1, "~test_cert": 0.0001},
                 (14, 0), ["cq_banan", "cq_liangjiang"]),
    "appliance": ("小家电", "small home appliance", "final_product", "consumer", 0.3,
                  {"small_motor": 1, "pcb": 1, "mcu": 1, "eng_plastic": 2, "steel_sheet": 3, "packaging": 1, "~test_cert": 0.00002},
                  (120, 0), ["cq_jiangjin", "cq_banan", "cq_bishan", "cq_yongchuan", "cq_fuling"]),
    "packaged_food": ("包装食品", "packaged food (kg)", "final_product", "consumer", 0.01,
                      {"agri_produce": 1.3, "packaging": 0.5, "~test_cert": 0.000001},
                      (250, 0), ["cq_fuling", "cq_changshou", "cq_jiangjin", "cq_yongchuan", "cq_banan", "sichuan"]),
    # subassemblies
    "battery_pack": ("动力电池包", "traction battery pack", "subassembly", "", 55.0,
                     {"li_cell": 100, "bms_board": 1, "al_casting": 3, "copper": 5, "~test_cert": 0.001},
                     (10, 0), ["cq_liangjiang", "cq_yongchuan", "sichuan", "jiangsu"]),
    "e_drive": ("电驱动总成", "electric drive unit", "subassembly", "", 12.0,
                {"power_device": 2, "magnet": 2, "mcu": 1, "bearing": 2, "al_casting": 2, "copper": 10, "pcb": 1},
                (12, 0), ["cq_liangjiang", "cq_bishan", "jiangsu", "shanghai"]),
    "vehicle_controller": ("整车控制器", "vehicle / domain controller", "subassembly", "", 3.0,
                           {"high_end_chip": 1, "mcu": 2, "analog_ic": 3, "pcb": 1, "auto_software": 0.0001},
                           (12, 0), ["cq_liangjiang", "shanghai", "guangdong"]),
    "body": ("车身总成", "body-in-white", "subassembly", "", 15.0,
             {"steel_sheet": 300, "al_casting": 6},
             (20, 0), ["cq_liangjiang", "cq_banan", "cq_jiangjin"]),
    "interior": ("内饰总成", "interior module set", "subassembly", "", 10.0,
                 {"eng_plastic": 60, "sensor": 4, "mcu": 2, "pcb": 2},
                 (30, 0), ["cq_liangjiang", "cq_bishan", "cq_yongchuan"]),
    "chassis": ("底盘总成", "chassis module", "subassembly", "", 12.0,
                {"forging": 6, "bearing": 4, "special_steel": 60, "sensor": 2},
                (24, 0), ["cq_jiangjin", "cq_banan", "cq_bishan"]),
    "engine": ("发动机", "combustion engine", "subassembly", "", 18.0,
               {"al_casting": 4, "forging": 3, "bearing": 4, "mcu": 1, "sensor": 4, "special_steel": 40},
               (8, 0), ["cq_liangjiang", "cq_banan"]),
    "transmission": ("变速器", "transmission", "subassembly", "", 8.0,
                     {"forging": 4, "bearing": 6, "special_steel": 30, "mcu": 1},
                     (10, 0), ["cq_jiangjin", "cq_banan"]),
    "moto_engine": ("摩托车发动机", "motorcycle engine", "subassembly", "", 2.5,
                    {"al_casting": 2, "forging": 2, "bearing": 3, "mcu": 1, "special_steel": 8},
                    (40, 0), ["cq_banan", "cq_jiangjin", "cq_bishan"]),
    "moto_frame": ("摩托车车架", "motorcycle frame", "subassembly", "", 0.8,
                   {"steel_sheet": 25},
                   (60, 0), ["cq_banan", "cq_jiangjin", "cq_bishan", "cq_yongchuan"]),
    "mainboard": ("主板", "laptop mainboard", "subassembly", "", 1.0,
                  {"pcb": 1, "mcu": 2, "analog_ic": 4, "passive": 200},
                  (20, 0), ["cq_xiyong", "guangdong"]),
    "display_module": ("显示模组", "display module", "subassembly", "", 0.6,
                       {"display_panel": 1, "analog_ic": 1, "pcb": 1},
                       (20, 0), ["cq_xiyong", "cq_liangjiang"]),
    "cnc_system": ("数控系统", "CNC control system", "subassembly", "", 60.0,
                   {"high_end_chip": 1, "mcu": 2, "pcb": 2, "industrial_os": 0.001},
                   (5, 4), ["shaanxi", "guangdong", "cq_liangjiang"]),
    # core basic components
    "li_cell": ("锂电池电芯", "lithium-ion cell", "basic_component", "", 0.3,
                {"cathode": 1.3, "anode": 0.6, "electrolyte": 0.5, "separator": 6, "copper": 0.3, "mes_software": 0.00001},
                (18, 2), ["cq_liangjiang", "cq_yongchuan", "sichuan", "jiangsu", "guangdong"]),
    "bms_board": ("电池管理板", "battery-management board", "basic_component", "", 0.8,
                  {"mcu": 1, "analog_ic": 4, "pcb": 1},
                  (12, 0), ["cq_liangjiang", "cq_xiyong", "jiangsu"]),
    "bearing": ("精密轴承", "precision bearing", "basic_component", "", 0.2,
                {"special_steel": 1.5, "heat_treatment": 1},
                (70, 4), ["cq_bishan", "cq_jiangjin", "zhejiang", "jiangsu"]),
    "servo_motor": ("伺服电机", "servo motor", "basic_component", "", 2.0,
                    {"magnet": 1, "copper": 2, "mcu": 1, "bearing": 2},
                    (20, 4), ["cq_liangjiang", "jiangsu", "zhejiang", "guangdong"]),
    "reducer": ("精密减速器", "precision reducer", "basic_component", "", 4.0,
                {"special_steel": 10, "bearing": 4, "heat_treatment": 2},
                (10, 4), ["cq_bishan", "zhejiang", "jiangsu"]),
    "small_motor": ("微电机", "small electric motor", "basic_component", "", 0.05,
                    {"copper": 0.5, "steel_sheet": 0.5, "magnet": 0.1},
                    (100, 0), ["cq_jiangjin", "cq_yongchuan", "guangdong", "zhejiang"]),
    "pcb": ("印制电路板", "printed circuit board", "basic_component", "", 0.1,
            {"copper": 0.2, "eng_plastic": 0.3},
            (80, 4), ["cq_xiyong", "cq_bishan", "guangdong", "jiangsu"]),
    "passive": ("被动元件", "passive components (MLCC, resistors)", "basic_component", "", 0.0002,
                {"specialty_gas": 0.00001},
                (30, 6), ["guangdong", "cq_xiyong", "jiangsu"]),
    "display_panel": ("显示面板", "display panel", "basic_component", "", 0.4,
                      {"glass_substrate": 1, "photoresist": 0.01, "display_material": 0.2, "mes_software": 0.00001},
                      (8, 3), ["cq_liangjiang", "sichuan", "guangdong"]),
    "bioprocess_consumable": ("生物工艺耗材", "bioprocess consumables (resin, single-use bags)", "basic_component", "", 1.0,
                              {"eng_plastic": 0.5},
                              (6, 6), ["jiangsu", "shanghai", "cq_liangjiang"]),
    # core electronic components
    "mcu": ("通用MCU芯片", "general-purpose MCU", "core_electronic_component", "ic", 0.02,
            {"fab_wafer": 0.002, "ic_packaging": 1, "eda_software": 0.00002},
            (24, 8), ["cq_xiyong", "shanghai", "jiangsu", "guangdong"]),
    "high_end_chip": ("高端芯片(CPU/SoC)", "high-end chip (CPU / SoC, imported only)", "core_electronic_component", "ic", 0.5,
                      {"silicon_wafer": 0.005, "eda_software": 0.00005},
                      (0, 6), []),
    "analog_ic": ("模拟芯片", "analog / mixed-signal IC", "core_electronic_component", "ic", 0.01,
                  {"fab_wafer": 0.0005, "ic_packaging": 1},
                  (14, 6), ["cq_xiyong", "jiangsu", "shanghai"]),
    "power_device": ("功率半导体", "power semiconductor (IGBT / SiC)", "core_electronic_component", "ic", 0.6,
                     {"fab_wafer": 0.01, "ic_packaging": 1, "copper": 0.5},
                     (10, 5), ["cq_xiyong", "cq_liangjiang", "jiangsu"]),
    "sensor": ("传感器", "sensor (MEMS, image, position)", "core_electronic_component", "ic", 0.05,
               {"fab_wafer": 0.0005, "ic_packaging": 1},
               (40, 8), ["cq_xiyong", "cq_liangjiang", "shanghai", "jiangsu"]),
    # advanced basic processes
    "fab_wafer": ("晶圆代工", "wafer fabrication (foundry wafer)", "basic_process", "ic", 8.0,
                  {"silicon_wafer": 1, "photoresist": 0.02, "specialty_gas": 0.5, "mes_software": 0.0001, "~metrology": 0.001},
                  (6, 4), ["cq_xiyong", "shanghai", "jiangsu"]),
    "ic_packaging": ("封装测试", "IC packaging and test", "basic_process", "ic", 0.002,
                     {"copper": 0.001, "eng_plastic": 0.001},
                     (30, 4), ["cq_xiyong", "cq_liangjiang", "jiangsu"]),
    "al_casting": ("铝合金压铸", "aluminium die-casting (10 kg)", "basic_process", "", 0.5,
                   {"al_alloy": 11, "mes_software": 0.0001},
                   (70, 0), ["cq_liangjiang", "cq_bishan", "cq_jiangjin", "cq_banan", "sichuan"]),
    "forging": ("精密锻造", "precision forging (10 kg)", "basic_process", "", 0.3,
                {"special_steel": 12, "heat_treatment": 1},
                (50, 0), ["cq_jiangjin", "cq_banan", "cq_bishan"]),
    "heat_treatment": ("热处理", "heat treatment (batch)", "basic_process", "", 0.02,
                       {"industrial_gas": 0.5},
                       (60, 0), ["cq_jiangjin", "cq_bishan", "cq_banan", "cq_yongchuan"]),
    "machine_bed": ("机床铸件", "machine-tool bed casting", "basic_process", "", 40.0,
                    {"special_steel": 3000},
                    (16, 0), ["cq_jiangjin", "cq_banan"]),
    "precision_machining": ("精密加工", "precision machining (hour)", "basic_process", "", 0.5,
                            {"mes_software": 0.00005},
                            (80, 0), ["cq_jiangjin", "cq_bishan", "cq_banan", "cq_liangjiang"]),
    "casing": ("精密结构件", "precision casing", "basic_process", "", 0.2,
               {"al_alloy": 1, "eng_plastic": 0.5},
               (50, 0), ["cq_xiyong", "cq_bishan", "guangdong"]),
    # key basic materials
    "special_steel": ("特种钢", "special steel (kg)", "basic_material", "materials", 0.008,
                      {"iron_ore": 1.6},
                      (10, 2), ["cq_changshou", "cq_jiangjin", "jiangsu", "inner_mongolia"]),
    "steel_sheet": ("汽车钢板", "steel sheet (kg)", "basic_material", "materials", 0.005,
                    {"iron_ore": 1.5},
                    (8, 1), ["cq_changshou", "jiangsu", "shanghai", "inner_mongolia"]),
    "al_alloy": ("铝合金", "aluminium alloy (kg)", "basic_material", "materials", 0.025,
                 {"al_ingot": 1.02},
                 (14, 0), ["cq_changshou", "cq_fuling", "cq_yongchuan", "inner_mongolia"]),
    "eng_plastic": ("工程塑料", "engineering plastic (kg)", "basic_material", "materials", 0.02,
                    {"petrochemical": 1.1},
                    (16, 4), ["cq_changshou", "cq_fuling", "zhejiang", "jiangsu"]),
    "glass_fibre": ("玻璃纤维", "glass fibre (kg)", "basic_material", "materials", 0.008,
                    {},
                    (6, 0), ["cq_changshou", "zhejiang"]),
    "copper": ("电解铜", "copper cathode (kg)", "basic_material", "", 0.07,
               {},
               (6, 2), ["jiangxi", "jiangsu", "cq_changshou"]),
    "magnet": ("钕铁硼磁体", "NdFeB magnet (kg)", "basic_material", "materials", 0.4,
               {"rare_earth": 0.3},
               (10, 1), ["inner_mongolia", "jiangxi", "zhejiang", "cq_changshou"]),
    "cathode": ("正极材料", "cathode material (kg)", "basic_material", "materials", 0.12,
                {"lithium_salt": 0.25},
                (10, 2), ["sichuan", "jiangxi", "cq_changshou"]),
    "anode": ("负极材料", "anode graphite (kg)", "basic_material", "materials", 0.04,
              {},
              (6, 0), ["inner_mongolia", "sichuan", "guangdong"]),
    "electrolyte": ("电解液", "electrolyte (kg)", "basic_material", "materials", 0.05,
                    {"lithium_salt": 0.12},
                    (6, 0), ["jiangsu", "guangdong", "cq_changshou"]),
    "separator": ("隔膜", "separator (m2)", "basic_material", "materials", 0.002,
                  {"eng_plastic": 0.01},
                  (6, 2), ["cq_changshou", "shanghai", "jiangsu"]),
    "silicon_wafer": ("硅片", "silicon wafer", "basic_material", "ic", 1.0,
                      {},
                      (3, 4), ["shanghai", "shaanxi", "cq_xiyong"]),
    "photoresist": ("光刻胶", "photoresist (litre, imported only)", "basic_material", "ic", 3.0,
                    {},
                    (0, 4), []),
    "specialty_gas": ("电子特气", "electronic specialty gas (kg)", "basic_material", "ic", 0.2,
                      {},
                      (6, 3), ["cq_changshou", "jiangsu", "sichuan"]),
    "glass_substrate": ("玻璃基板", "display glass substrate", "basic_material", "laptop", 0.08,
                        {},
                        (2, 4), ["cq_liangjiang", "sichuan"]),
    "display_material": ("液晶及发光材料", "liquid-crystal and emitter materials (g)", "basic_material", "laptop", 0.05,
                         {},
                         (4, 3), ["jiangsu", "shaanxi"]),
    "api": ("原料药", "active pharmaceutical ingredient (kg)", "basic_material", "pharma", 1.0,
            {"fine_chemical": 3},
            (30, 3), ["cq_changshou", "cq_fuling", "zhejiang", "jiangsu"]),
    "excipient": ("药用辅料", "pharmaceutical excipient (kg)", "basic_material", "pharma", 0.05,
                  {},
                  (20, 0), ["cq_changshou", "sichuan"]),
    "pharma_glass": ("中硼硅药用玻璃", "borosilicate pharma glass (vial)", "basic_material", "pharma", 0.002,
                     {},
                     (4, 4), ["cq_changshou", "jiangsu"]),
    "culture_media": ("细胞培养基", "cell culture media (litre)", "basic_material", "pharma", 0.3,
                      {},
                      (4, 4), ["shanghai", "jiangsu"]),
    "fine_chemical": ("精细化工中间体", "fine-chemical intermediate (kg)", "basic_material", "", 0.1,
                      {"petrochemical": 0.5},
                      (40, 0), ["cq_changshou", "cq_fuling", "zhejiang"]),
    "industrial_gas": ("工业气体", "industrial gas (m3)", "basic_material", "", 0.002,
                       {},
                       (30, 0), ["cq_changshou", "cq_jiangjin", "cq_banan"]),
    "packaging": ("包装材料", "packaging material (unit)", "basic_material", "", 0.001,
                  {},
                  (80, 0), ["cq_fuling", "cq_banan", "cq_jiangjin", "cq_yongchuan", "sichuan"]),
    # raw materials
    "iron_ore": ("铁矿石", "iron ore (kg)", "raw_material", "", 0.0008, {}, (10, 3), ["sichuan", "inner_mongolia"]),
    "al_ingot": ("原铝", "primary aluminium (kg)", "raw_material", "", 0.018, {}, (6, 0), ["inner_mongolia", "cq_changshou", "sichuan"]),
    "petrochemical": ("石化原料", "petrochemical feedstock (kg)", "raw_material", "", 0.006, {}, (12, 1), ["cq_changshou", "sichuan", "zhejiang"]),
    "rare_earth": ("稀土氧化物", "rare-earth oxide (kg)", "raw_material", "", 0.5, {}, (4, 0), ["inner_mongolia", "jiangxi"]),
    "lithium_salt": ("锂盐", "lithium salt (kg)", "raw_material", "", 0.3, {}, (4, 2), ["sichuan", "jiangxi"]),
    "agri_produce": ("农产品", "agricultural produce (kg)", "raw_material", "", 0.004, {}, (120, 0), ["cq_fuling", "cq_changshou", "cq_jiangjin", "cq_yongchuan", "sichuan"]),
    # industrial basic software
    "eda_software": ("EDA软件", "EDA software (licence-day, imported only)", "industrial_software", "ic", 5.0, {}, (0, 3), []),
    "cad_cae_software": ("研发设计软件(CAD/CAE)", "CAD / CAE software (licence-day)", "industrial_software", "", 3.0, {}, (6, 3), ["cq_liangjiang", "shanghai"]),
    "auto_software": ("汽车控制软件", "vehicle control software (licence-day)", "industrial_software", "", 2.0, {}, (4, 2), ["cq_liangjiang", "shanghai", "guangdong"]),
    "industrial_os": ("工业操作系统", "industrial real-time OS (licence-day)", "industrial_software", "", 2.0, {}, (2, 3), ["cq_liangjiang", "shaanxi"]),
    "mes_software": ("生产管理软件(MES)", "MES software (licence-day)", "industrial_software", "", 1.0, {}, (20, 2), ["cq_liangjiang", "cq_xiyong", "guangdong"]),
    # industrial technology base
    "test_cert": ("检验检测认证", "testing and certification (lab-day)", "technology_base", "", 5.0, {}, (40, 2), ["cq_liangjiang", "cq_xiyong", "cq_banan", "shanghai"]),
    "metrology": ("计量校准", "metrology and calibration (lab-day)", "technology_base", "", 5.0, {}, (20, 2), ["cq_liangjiang", "cq_xiyong", "shaanxi"]),
}

# Where each product's foreign makers are.
FOREIGN_AT = {
    "high_end_chip": ["overseas_us", "overseas_korea", "overseas_seasia"],
    "photoresist": ["overseas_japan", "overseas_us"],
    "eda_software": ["overseas_us", "overseas_europe"],
    "iron_ore": ["overseas_australia"],
    "lithium_salt": ["overseas_australia"],
    "copper": ["overseas_australia", "overseas_seasia"],
    "silicon_wafer": ["overseas_japan", "overseas_korea"],
    "glass_substrate": ["overseas_japan", "overseas_korea"],
    "display_material": ["overseas_japan", "overseas_europe"],
    "culture_media": ["overseas_us", "overseas_europe"],
    "bioprocess_consumable": ["overseas_us", "overseas_europe"],
    "pharma_glass": ["overseas_europe", "overseas_us"],
}
FOREIGN_DEFAULT = ["overseas_japan", "overseas_europe", "overseas_us", "overseas_korea"]

# Final demand per day of each final-demand product, split over its makers by size.
DEMAND = {
    "nev": 1500, "ice_car": 1200, "motorcycle": 5000, "laptop": 60000, "monitor": 20000, "packaged_chip": 2_000_000,
    "cnc_machine": 40, "robot": 60, "alloy_plate": 1_000_000, "composite": 500_000, "drug": 2_000_000,
    "biologic": 100_000, "appliance": 50_000, "packaged_food": 2_000_000,
}

# Chain masters: (product, k-th maker) per chain, 1-2 each; the first makers of a final product are its largest.
MASTERS = {"nev": ["nev"] * 2, "ice": ["ice_car"] * 2, "moto": ["motorcycle"] * 2, "laptop": ["laptop", "monitor"],
           "ic": ["packaged_chip"] * 2, "equip": ["cnc_machine", "robot"], "materials": ["alloy_plate"],
           "pharma": ["drug", "biologic"], "consumer": ["appliance"]}

# Shared-supplier anchors: one large domestic maker of these products takes a big share of the market
# (the suppliers that serve several chains, a scenario's shared-supplier fire).
ANCHORS = {"bearing": "cq_bishan", "pcb": "cq_xiyong", "mcu": "cq_xiyong", "al_casting": "cq_liangjiang", "test_cert": "cq_liangjiang"}
CN_NUM = "一二三四五六七八九十"
TIER = {"final_product": "tier0", "subassembly": "tier1", "basic_component": "tier2", "core_electronic_component": "tier2",
        "basic_process": "tier2", "technology_base": "tier2", "service": "tier2", "basic_material": "tier3",
        "industrial_software": "tier3", "raw_material": "tier4"}


def recipe_of(pid: str) -> dict[str, tuple[float, str]]:
    """{input: (units, necessity)}; a leading "~" marks an important input."""
    return {q.lstrip("~"): (float(a), "important" if q.startswith("~") else "critical") for q, a in P[pid][5].items()}


def region_cn(r: str) -> str:
    return DOMESTIC[r][2] if r in DOMESTIC else OVERSEAS[r][1]


def region_en(r: str) -> str:
    name = r.removeprefix("cq_").removeprefix("overseas_")
    return {"us": "US", "seasia": "Southeast Asia"}.get(name, name.replace("_", " ").title())


def distance_km(a: str, b: str) -> float:
    (x1, y1, _), (x2, y2, _) = DOMESTIC[a], DOMESTIC[b]
    return math.hypot((x1 - x2) * 111.0 * math.cos(math.radians((y1 + y2) / 2)), (y1 - y2) * 111.0)


def lead_time(rng: np.random.Generator, sup: str, cus: str, category: str) -> float:
    """Software 0 days; same region 0.5; within the city 1; domestic 1-4 by distance; overseas 8-32."""
    if category == "industrial_software":
        return 0.0
    if sup == cus:
        return 0.5
    if sup in CITY and cus in CITY:
        return 1.0
    if sup in DOMESTIC and cus in DOMESTIC:
        return min(4.0, max(1.0, round((1.0 + distance_km(sup, cus) / 700.0) * 2) / 2 + 0.5 * int(rng.integers(0, 2))))
    if sup in OVERSEAS and cus in OVERSEAS:
        return 14.0
    return float(OVERSEAS[sup if sup in OVERSEAS else cus][0] + int(rng.integers(-2, 3)))


def closeness(a: str, b: str) -> float:
    if a == b:
        return 4.0
    if a in CITY and b in CITY:
        return 2.0
    if a in DOMESTIC and b in DOMESTIC:
        return 1.0 / (1.0 + distance_km(a, b) / 800.0)
    if a in OVERSEAS and b in OVERSEAS:
        return 0.6
    return 0.25


def product_chains() -> dict[str, list[str]]:
    """A product's chains: its home chain, then (in CHAINS order) every chain whose final-demand products use it."""
    uses: dict[str, set[str]] = defaultdict(set)
    for fin in DEMAND:
        chain = P[fin][3]
        stack = [fin]
        while stack:
            q = stack.pop()
            if chain not in uses[q]:
                uses[q].add(chain)
                stack += list(recipe_of(q))
    out = {}
    for pid, row in P.items():
        home = [row[3]] if row[3] else []
        out[pid] = home + [c for c in CHAINS if c in uses[pid] and c not in home]
        assert out[pid], f"{pid} is used by no chain"
    return out


def build(rng: np.random.Generator) -> tuple[MapTables, dict]:
    chains_of = product_chains()
    master_count: dict[str, int] = defaultdict(int)
    for ps in MASTERS.values():
        for p in ps:
            master_count[p] += 1

    # firms
    firms: list[dict] = []
    for pid, (cn, en, cat, home, price, _, (n_dom, n_for), where) in P.items():
        assert n_dom == 0 or where, pid
        weights = np.array([3.0] + [1.0] * (len(where) - 1)) if where else np.zeros(0)
        regions = [str(r) for r in rng.choice(where, size=n_dom, p=weights / weights.sum())] if n_dom else []
        if pid in ANCHORS:
            regions[0] = ANCHORS[pid]
        for k, r in enumerate(regions):
            tags = []
            size = float(rng.pareto(1.5) + 1.0)
            if k < master_count[pid]:
                tags.append("chain_master")
                size = 20.0 + 10.0 * (master_count[pid] - k)
            elif k == 0 and pid in ANCHORS:
                tags.append("single_champion")
                size = 60.0
            elif cat in ("basic_component", "core_electronic_component", "basic_process", "basic_material", "industrial_software") and rng.random() < 0.08:
                tags.append("little_giant")
            kind = "链主企业" if "chain_master" in tags else "单项冠军" if "single_champion" in tags else "企业"
            firms.append({"id": f"{pid}_{k + 1:03d}", "product": pid, "region": r, "tags": [*tags, TIER[cat]], "size": size,
                          "name": f"{region_cn(r)}{cn}{kind}{k + 1} {en.split(' (')[0]} {'chain master' if 'chain_master' in tags else 'maker'} {k + 1} ({region_en(r)})"})
        fat = FOREIGN_AT.get(pid, FOREIGN_DEFAULT)
        for k in range(n_for):
            r = fat[k % len(fat)]
            firms.append({"id": f"{pid}_x{k + 1:02d}", "product": pid, "region": r, "tags": ["foreign", TIER[cat]], "size": float(rng.pareto(1.5) + 2.0),
                          "name": f"境外{region_cn(r)}{cn}供应商{k + 1} {en.split(' (')[0]} maker {k + 1} (overseas, {region_en(r)})"})
    by_id = {f["id"]: f for f in firms}
    makers: dict[str, list[str]] = defaultdict(list)
    for f in firms:
        makers[f["product"]].append(f["id"])

    def foreign(fid: str) -> bool:
        return "foreign" in by_id[fid]["tags"]

    # suppliers per (customer, input): 1-3 (chain masters 2-3), weighted by size and closeness,
    # domestic customers prefer domestic suppliers, foreign ones foreign suppliers
    chosen: dict[tuple[str, str], list[str]] = {}
    for f in firms:
        for q in recipe_of(f["product"]):
            cands = makers[q]
            if "chain_master" in f["tags"]:
                k = int(rng.choice([2, 3]))
            else:
                k = int(rng.choice([1, 2, 3], p=[0.35, 0.45, 0.2]))
            w = np.array([by_id[s]["size"] * closeness(by_id[s]["region"], f["region"]) * ((4.0 if foreign(s) else 1.0) if foreign(f["id"]) else (1.0 if foreign(s) else 3.0)) for s in cands])
            k = min(k, len(cands))
            chosen[f["id"], q] = [str(s) for s in rng.choice(cands, size=k, replace=False, p=w / w.sum())]

    # every maker of an intermediate needs a customer: add it as an extra source where it fits best
    served = {s for sups in chosen.values() for s in sups}
    by_input: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in chosen:
        by_input[key[1]].append(key)
    for f in firms:
        s, q = f["id"], f["product"]
        if s in served or q in DEMAND:
            continue
        options = by_input[q]
        assert options, (s, q)
        score = np.array([closeness(f["region"], by_id[c]["region"]) * 0.5 ** len(chosen[c, qq]) * (2.0 if foreign(s) == foreign(c) else 1.0) for c, qq in options])
        best = options[int(np.argmax(score + 1e-9 * rng.random(len(score))))]
        chosen[best].append(s)
        served.add(s)

    links = []
    for (c, q), sups in chosen.items():
        shares = round_shares(rng.dirichlet(np.array([by_id[s]["size"] ** 0.5 for s in sups]) * 2.0)) if len(sups) > 1 else [1.0]
        for s, sh in zip(sups, shares):
            links.append({"supplier": s, "customer": c, "share": sh, "lead_time": lead_time(rng, by_id[s]["region"], by_id[c]["region"], P[q][2])})

    # headroom and covers
    for f in firms:
        cat = P[f["product"]][2]
        if "chain_master" in f["tags"]:
            f["headroom"], f["cover"] = 0.10, 5.0  # lean, just-in-time assembly
        else:
            f["headroom"] = float(rng.choice([0.05, 0.10])) if ("single_champion" in f["tags"] or (foreign(f["id"]) and cat == "core_electronic_component")) else float(rng.choice([0.10, 0.15, 0.20, 0.25, 0.30]))
            f["cover"] = None
        cbi = {}
        for q in recipe_of(f["product"]):
            if P[q][2] == "industrial_software":
                cbi[q] = 90.0  # licence-days already paid for: a quarter's term
            elif not foreign(f["id"]) and any(foreign(s) for s in chosen[f["id"], q]):
                cbi[q] = 30.0 if q == "high_end_chip" else 21.0  # imported inputs: longer covers at home
        f["cover_by_input"] = cbi

    # demand: each final-demand product's daily units split over its makers in proportion to size
    demand = []
    for pid, units in DEMAND.items():
        ms = makers[pid]
        size = np.array([by_id[m]["size"] for m in ms])
        for m, u in zip(ms, size / size.sum() * units):
            demand.append({"firm": m, "units": float(max(round(float(u), 1), 0.1))})

    products = pd.DataFrame([{"id": pid, "name": f"{r[0]} {r[1]}", "category": r[2], "chains": chains_of[pid], "price": r[4]} for pid, r in P.items()])
    recipes = pd.DataFrame([{"product": pid, "input": q, "units": a, "necessity": "" if n == "critical" else n} for pid in P for q, (a, n) in recipe_of(pid).items()])
    firm_df = pd.DataFrame([{"id": f["id"], "name": f["name"], "product": f["product"], "region": f["region"], "tags": f["tags"], "headroom": f["headroom"], "cover": f["cover"], "cover_by_input": f["cover_by_input"]} for f in firms])
    return MapTables(products=products, recipes=recipes, firms=firm_df, links=pd.DataFrame(links), demand=pd.DataFrame(demand)), {"firms": len(firms), "links": len(links)}


HEADER = ModelHeader(
    name="city",
    description=(
        "A city's key industrial chains as in a chain-leader programme: nine chains (new-energy and conventional vehicles, "
        "motorcycles, laptops and displays, integrated circuits, high-end equipment, advanced materials, pharmaceuticals, "
        "consumer goods), each with one or two chain-master enterprises, on a shared base of component, material, process, "
        "software and technology-base suppliers in eight city districts, eight other provinces and six overseas regions; "
        "high-end chips, photoresist and EDA software come only from abroad."
    ),
    provenance=(
        "Synthetic. The chains, the five basics and the chain-master structure follow the public statements (2021-22) of "
        "Chongqing's Economy and Information Technology Commission on its key industrial chains (summarised in docs/city.md); "
        "the recipes, supplier counts and clusters are rounded engineering orders of magnitude from public industry knowledge. "
        "No real company's data is used; firm names are generic. Written by models/city/generate.py with numpy "
        f"default_rng({SEED}). See docs/city.md."
    ),
    chains=list(CHAINS),
    defaults={"cover": 7.0, "headroom": 0.15, "priority": 1},
    parameters={"rationing": "mixed"},
    comment=(
        "The city map: nine key industrial chains of one city (docs/city.md).\n"
        "Written by models/city/generate.py; do not edit by hand, edit the generator and run\n"
        "\n"
        "    python models/city/generate.py\n"
        "\n"
        "Prices are thousand CNY a unit (scenarios: [costs] currency = \"CNY\", unit = 1000).\n"
        "Chains: " + ", ".join(f"{c} {cn} ({en})" for c, (cn, en) in CHAINS.items())
    ),
)


def main(out: Path = OUT) -> Path:
    rng = np.random.default_rng(SEED)
    tables, counts = build(rng)
    path = write_chain_map(tables, out, HEADER)
    print(f"wrote {counts['firms']} firms, {counts['links']} links to {path} and {path.with_suffix('')}/")
    return path


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
