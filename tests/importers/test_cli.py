"""`simcore import KIND SOURCE OUT` through the command line's own entry point (`simcore.cli.main`)."""

from simcore.chainmap import load_model
from simcore.cli import main as run


def test_import_willems_and_gsm(data, tmp_path, capsys):
    assert run(["import", "willems", str(data / "willems2008"), str(tmp_path / "w.toml"), "--chain", "1", "--region", "plant"]) == 0
    out = capsys.readouterr().out
    assert "w.toml: 8 products, 8 firms, 10 links, 3 firms with final demand; loads, baseline solved" in out
    assert "note: 1 stage(s) have a spread" in out
    assert {f.region for f in load_model(tmp_path / "w.toml").firms} == {"plant"}
    assert run(["import", "gsm", str(data / "gsm_chains" / "battery.txt"), str(tmp_path / "b.toml"), "--name", "battery"]) == 0
    assert load_model(tmp_path / "b.toml").name == "battery"


def test_import_io_with_options(data, tmp_path, capsys):
    argv = [
        "import",
        "io",
        str(data / "us_io_tables" / "use_15.csv"),
        str(tmp_path / "us.toml"),
        "--threshold",
        "0.01",
        "--period-days",
        "365",
        "--lead-time",
        "2",
    ]
    assert run(argv) == 0
    assert "note: dropped" in capsys.readouterr().out
    cmap = load_model(tmp_path / "us.toml")
    assert {l.lead_time for l in cmap.links} == {2.0}
    assert '"period_days": 365.0' in cmap.info.provenance and '"threshold": 0.01' in cmap.info.provenance


def test_import_csv_with_column_mapping(tmp_path, capsys):
    (tmp_path / "firms.csv").write_text("name,demand\na,\nb,3\n")
    (tmp_path / "links.csv").write_text("from,to\na,b\n")
    argv = [
        "import",
        "csv",
        str(tmp_path),
        str(tmp_path / "m.toml"),
        "--column",
        "firms.id=name",
        "--column",
        "links.supplier=from",
        "--column",
        "links.customer=to",
    ]
    assert run(argv) == 0
    assert load_model(tmp_path / "m.toml").outputs.tolist() == [3.0, 3.0]


def test_bad_source_exits_2_naming_file_row_and_column(tmp_path, capsys):
    path = tmp_path / "x.txt"
    path.write_text("stage_id,lead_time,max_s_time,cost_rate,risk_pool,ext_demand_mean,ext_demand_std,ext_demand_thres,up_stages\nA,soon,,1,,3,,,\n")
    assert run(["import", "gsm", str(path), str(tmp_path / "x.toml")]) == 2
    assert f"error: {path}: stages[0] (line 2).lead_time: got 'soon'; expected a number" in capsys.readouterr().err
    assert run(["import", "gsm", str(path), str(tmp_path / "x.csv")]) == 2
