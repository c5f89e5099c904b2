"""simcore.plots.plot_map: tiers, the chain's firms, the marks, labels that do not overprint, aggregation of a large map."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from outputs.drawn import overlapping, texts
from simcore import plots
from simcore.chainmap import load_model
from simcore.generate import generate_map, write_map

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ev():
    return load_model(ROOT / "models" / "ev_chain.toml")


def criticality(cmap, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(len(cmap.firms)) * 0.05


def test_tiers_are_the_longest_supply_path_and_a_loop_shares_one_tier():
    g = nx.DiGraph([("ore", "metal"), ("metal", "part"), ("ore", "part"), ("part", "car"), ("car", "part"), ("part", "truck")])
    assert plots.tiers(g) == {"ore": 0, "metal": 1, "part": 2, "car": 2, "truck": 3}


def test_a_chains_firms_are_its_own_and_everything_upstream_of_its_final_demand(ev):
    from simcore.chainmap.inspect import firm_graph

    graph = firm_graph(ev)
    for chain in ev.chains:
        firms = set(ev.chain_members[chain].tolist())
        listed = {k for k in range(len(ev.firms)) if chain in ev.listed_chains(k)}
        assert listed <= firms
        for k in listed:
            if ev.final_demand[k] > 0:
                assert {ev.firm_index[a] for a in nx.ancestors(graph, ev.firms[k].id)} <= firms
    assert len(ev.chain_members["ess"]) < len(ev.firms)


def test_map_views_are_the_whole_map_and_one_per_chain(ev):
    assert plots.map_views(ev) == [("map.png", None), ("map_ev.png", "ev"), ("map_ess.png", "ess")]


def test_the_graph_marks_masters_short_boards_and_stuck_necks(ev):
    crit = criticality(ev)
    m = plots.map_graph(ev, crit, necks=5)
    nodes = m["nodes"]
    assert not m["aggregated"] and len(nodes) == len(ev.firms)
    assert {k for k, d in nodes.items() if d["master"]} == {k for k, f in enumerate(ev.firms) if "chain_master" in f.tags}
    assert sorted(d["neck"] for d in nodes.values() if d["neck"]) == [1, 2, 3, 4, 5]
    assert nodes[int(np.argmax(crit))]["neck"] == 1
    assert any(d["board"] for d in nodes.values()) and any(e["board"] for e in m["edges"].values())
    value = ev.outputs * ev.prices  # value, not units: a vehicle weighs more than a kilogram of lithium
    assert all(d["value"] == pytest.approx(value[k]) for k, d in nodes.items())
    for a, b in m["edges"]:
        assert nodes[a]["tier"] < nodes[b]["tier"]  # ev_chain has no loop: every link goes right


@pytest.mark.parametrize("chain", [None, "ess"])
def test_no_two_texts_of_the_map_overlap(ev, chain):
    fig = plots.plot_map(ev, criticality(ev), "ev_chain: firm knock-outs", chain=chain)
    labels = [t for t in fig.axes[0].texts]
    assert len(labels) >= 15  # the important firms are named
    names = {f.name for f in ev.firms}
    assert sum(t.get_text().lstrip("#0123456789 ") in names for t in labels) >= 10
    assert not overlapping(texts(fig))
    plots.plt.close(fig)


def test_masters_and_stuck_necks_are_labelled_first(ev):
    crit = criticality(ev)
    fig = plots.plot_map(ev, crit, "ev", necks=5)
    shown = [t.get_text() for t in fig.axes[0].texts]
    assert [s for s in shown if s.startswith("#")][:5] == sorted([s for s in shown if s.startswith("#")], key=lambda s: int(s[1:].split()[0]))[:5]
    masters = [f.name for f in ev.firms if "chain_master" in f.tags]
    assert sum(any(s.endswith(plots._shorten(n)) for s in shown) for n in masters) >= len(masters) - 1
    plots.plt.close(fig)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = write_map(generate_map(1200, tiers=4, seed=3), tmp_path_factory.mktemp("big") / "big.toml", "big", "synthetic")
    return load_model(path)


def test_a_large_map_is_drawn_one_node_per_product_and_tier(big):
    m = plots.map_graph(big, criticality(big))
    assert m["aggregated"] and len(m["nodes"]) <= plots.MAP_MAX_NODES
    assert sum(d["firms"] for d in m["nodes"].values()) == len(big.firms)
    assert sum(d["value"] for d in m["nodes"].values()) == pytest.approx(float((big.outputs * big.prices).sum()))
    fig = plots.plot_map(big, criticality(big), "big")
    assert not overlapping(texts(fig))
    plots.plt.close(fig)


def test_a_map_of_as_many_products_as_firms_keeps_its_important_firms_and_groups_the_rest():
    willems = load_model(ROOT / "models" / "willems_38.toml")  # 2,025 firms, each its own product
    crit = criticality(willems)
    m = plots.map_graph(willems, crit, necks=10)
    assert m["by"] == "category" and len(m["nodes"]) <= plots.MAP_MAX_NODES
    assert sum(d["firms"] for d in m["nodes"].values()) == len(willems.firms)
    alone = [k for k in m["nodes"] if not isinstance(k, tuple)]
    assert len(alone) == plots.MAP_MAX_NODES // 2
    assert {int(k) for k in np.argsort(-crit)[:10]} <= set(alone)  # the stuck necks are drawn as themselves
