"""A batch's memory does not grow with anything but its per-replication metrics (issue 15, item 4).

Asserted on structure, not on resident memory (which is noisy): every chunk is
dropped once reduced, the reduction holds exactly the metrics (replications x
variants x chains x 6) and one running sum of band counts, and the replications
table is written slice by slice, never built whole, into the same bytes as the
whole table written at once (the way it was written before it was streamed).
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pandas as pd
import pytest

import simcore.montecarlo.result as result_module
from naive import RANDOM_EV, write_file
from simcore.montecarlo import run_batch
from simcore.montecarlo.batch import BINS, METRICS
from simcore.montecarlo.result import BatchResult, Reduction
from simcore.outputs import write_batch_outputs, write_csv

REPLICATIONS = 7


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return run_batch(write_file(tmp_path_factory.mktemp("memory"), "random.toml", RANDOM_EV), REPLICATIONS, chunk_size=3, progress=False)


def test_chunks_are_dropped_once_reduced_and_the_reduction_holds_only_metrics_and_counts(tmp_path, monkeypatch):
    alive, reductions = [], []
    add = Reduction.add

    def watched(self, chunk):
        alive.append(weakref.ref(chunk))
        reductions.append(self)
        add(self, chunk)

    monkeypatch.setattr(Reduction, "add", watched)
    result = run_batch(write_file(tmp_path, "random.toml", RANDOM_EV), REPLICATIONS, chunk_size=3, progress=False)
    gc.collect()
    assert len(alive) == 3  # chunks 0-3, 3-6, 6-7
    assert [ref() for ref in alive] == [None, None, None], "a chunk outlived its reduction"
    R, V, C, T = REPLICATIONS, len(result.variants), len(result.chains), result.scenario.horizon
    held = {name: value.shape for name, value in vars(reductions[0]).items() if isinstance(value, np.ndarray)}
    assert held == {"metrics": (R, V, C, len(METRICS)), "counts": (V, C, T, BINS)}
    assert result.metrics is reductions[0].metrics and result.counts is reductions[0].counts  # no copy either


def test_the_replications_file_is_streamed_into_the_bytes_of_the_whole_table(batch, tmp_path, monkeypatch):
    whole = tmp_path / "whole.csv"
    write_csv(batch.replications_table(), whole)  # how replications.csv was written before it was streamed
    built = []
    table = BatchResult.replications_table

    def watched(self, first=0, stop=None):
        built.append((first, stop))
        return table(self, first, stop)

    monkeypatch.setattr(BatchResult, "replications_table", watched)
    monkeypatch.setattr(result_module, "SLICE", 2)
    out = tmp_path / "out"
    out.mkdir()
    write_batch_outputs(batch, out, plots=False)
    assert built == [(0, 2), (2, 4), (4, 6), (6, 8)], "the table was built whole, or not in slices of 2 replications"
    assert (out / "replications.csv").read_bytes() == whole.read_bytes()
    assert len(pd.read_csv(whole)) == REPLICATIONS * len(batch.variants) * len(batch.chains)


def test_slices_are_the_whole_table_cut_in_order(batch):
    slices = list(batch.replications_slices(3))
    assert [len(s) for s in slices] == [n * len(batch.variants) * len(batch.chains) for n in (3, 3, 1)]
    pd.testing.assert_frame_equal(pd.concat(slices, ignore_index=True), batch.replications_table(), check_exact=True)


def test_a_streamed_parquet_replications_table_reads_back_as_the_whole_table(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    scenario = write_file(tmp_path, "pq.toml", RANDOM_EV + '\n[output]\nformat = "parquet"\n')
    result = run_batch(scenario, REPLICATIONS, chunk_size=3, progress=False)
    monkeypatch.setattr(result_module, "SLICE", 3)
    out = tmp_path / "out"
    out.mkdir()
    write_batch_outputs(result, out, plots=False)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "replications.parquet"), result.replications_table(), check_exact=True)
