"""The Dask mode: a bad or unreachable --scheduler writes nothing, TLS settings reach distributed.Client; and a
pymrio folder is never unpickled."""

from __future__ import annotations

import pytest

from naive import listing, refused, safety_scenario, simcore

BATCH = ("--replications", "4", "--no-plots")


@pytest.fixture
def sc(tmp_path):
    return safety_scenario(tmp_path)


@pytest.mark.parametrize("address", ["garbage", "foo://host:1", "tcp://"])
def test_a_garbage_scheduler_address_is_a_one_line_error_and_writes_nothing(sc, tmp_path, address):
    out = tmp_path / "mc"
    err = refused(simcore("run", sc, "--out", out, *BATCH, "--scheduler", address), "--scheduler", "a Dask scheduler address")
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_an_unreachable_scheduler_writes_nothing(sc, tmp_path):
    out = tmp_path / "mc"
    refused(simcore("run", sc, "--out", out, *BATCH, "--scheduler", "tcp://127.0.0.1:1"), "cannot reach the Dask scheduler at tcp://127.0.0.1:1", status=1)
    assert not out.exists()


def test_tls_options_are_checked(sc, tmp_path):
    out = tmp_path / "mc"
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    refused(simcore("run", sc, "--out", out, *BATCH, "--scheduler", "tls://127.0.0.1:1", "--tls-ca", ca), "--tls-cert", "--tls-key")
    refused(simcore("run", sc, "--out", out, *BATCH, "--tls-ca", ca, "--tls-cert", ca, "--tls-key", tmp_path / "no.pem", "--scheduler", "tls://127.0.0.1:1"), "--tls-key", "no.pem", "exists")
    refused(simcore("run", sc, "--out", out, *BATCH, "--dask-local", "1", "--tls-ca", ca, "--tls-cert", ca, "--tls-key", ca), "--tls-ca", "--scheduler with it")
    assert not out.exists()


def test_the_tls_settings_reach_the_client(sc, tmp_path, monkeypatch, capsys):
    import distributed

    from simcore.cli import main

    seen = {}

    def client(address, **kwargs):
        seen.update(address=address, **kwargs)
        raise OSError("refused")

    monkeypatch.setattr(distributed, "Client", client)
    files = [tmp_path / f"{k}.pem" for k in ("ca", "cert", "key")]
    for f in files:
        f.write_text("-----BEGIN CERTIFICATE-----\n")
    out = tmp_path / "mc"
    tls = ["--tls-ca", str(files[0]), "--tls-cert", str(files[1]), "--tls-key", str(files[2])]
    assert main(["run", str(sc), "--out", str(out), *BATCH, "--scheduler", "tls://10.0.0.5:8786", *tls]) == 1
    assert "cannot reach the Dask scheduler at tls://10.0.0.5:8786" in capsys.readouterr().err
    security = seen["security"]
    assert isinstance(security, distributed.Security) and seen["address"] == "tls://10.0.0.5:8786"
    assert (security.tls_ca_file, security.tls_client_cert, security.tls_client_key) == tuple(map(str, files))
    assert security.require_encryption
    assert not out.exists()


def pymrio_folder(tmp_path, table_format):
    pymrio = pytest.importorskip("pymrio")
    folder = tmp_path / f"mrio_{table_format}"
    pymrio.load_test().calc_all().save_all(folder, table_format=table_format)
    return folder


def test_a_pymrio_folder_of_pickles_is_refused_unread(tmp_path, monkeypatch):
    folder = pymrio_folder(tmp_path, "pkl")
    out = tmp_path / "mrio.toml"
    err = refused(simcore("import", "io", folder, out), str(folder), "pickled table", "never reads pickles", "runs whatever code")
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_parameter_file_naming_a_pickle_is_refused(tmp_path):
    import json

    folder = pymrio_folder(tmp_path, "txt")
    params = folder / "file_parameters.json"
    doc = json.loads(params.read_text())
    doc["files"]["Z"]["name"] = "../elsewhere/Z.pkl"
    params.write_text(json.dumps(doc))
    before = listing(folder)
    refused(simcore("import", "io", folder, tmp_path / "m.toml"), str(params), "../elsewhere/Z.pkl")
    assert listing(folder) == before and not (tmp_path / "m.toml").exists()


def test_a_text_pymrio_folder_imports_without_unpickling(tmp_path, monkeypatch):
    import pandas as pd

    from simcore.importers import build_map

    folder = pymrio_folder(tmp_path, "txt")

    def no_pickles(*args, **kwargs):
        raise AssertionError("read_pickle called")

    monkeypatch.setattr(pd, "read_pickle", no_pickles)
    imported = build_map("io", str(folder))
    assert len(imported.write(tmp_path / "m.toml").read_text()) > 0
