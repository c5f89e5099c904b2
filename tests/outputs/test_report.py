"""report.html (simcore.report): written with every result folder, the same as `simcore report` writes later, self-contained,
escaped; `simcore report` refuses a folder that holds no run. The page in a browser: test_report_browser.py."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from naive import write_file
from simcore.cli import main
from simcore.report import REPORT, fmt

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def chinese(tmp_path_factory) -> Path:
    """The serial outage with Chinese names, and a variant name that is HTML."""
    folder = tmp_path_factory.mktemp("zh")
    return write_file(folder, "zh.toml", f"""
        [scenario]
        name = "供应商停产 (serial)"
        description = "芯片出口管制: <script>alert(1)</script>"
        model = {json.dumps(str(DATA / "serial.toml"))}
        horizon = 30

        [[shocks]]
        name = "供应商停产"
        kind = "firm_outage"
        select = {{ ids = ["S"] }}
        start = 5
        duration = 6

        [[variants]]
        name = "现状"

        [[variants]]
        name = "多备库存 <b>&"
        [[variants.firms]]
        select = {{ ids = ["C"] }}
        cover = 8
        """)


@pytest.fixture(scope="module")
def run_dir(chinese, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "run"
    assert main(["run", str(chinese), "--out", str(out)]) == 0
    return out


class Page(HTMLParser):
    """Tags with their attributes, and the text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags, self.text = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_a_run_writes_its_report_and_simcore_report_writes_the_same(run_dir, capsys):
    page = (run_dir / REPORT).read_text(encoding="utf-8")
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / REPORT).read_text(encoding="utf-8") == page
    assert f"report written to {run_dir / REPORT}" in capsys.readouterr().out


def test_the_page_is_self_contained_and_escaped(run_dir):
    html = (run_dir / REPORT).read_text(encoding="utf-8")
    page = Page(html)
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert not [t for t, _ in page.tags if t in ("script", "link", "iframe")]  # no scripts, no stylesheets from elsewhere
    sources = [a.get("src") or a.get("href") or "" for _, a in page.tags]
    assert all(s.startswith(("data:image/png;base64,", "#")) or not s for s in sources)
    assert sum(t == "img" for t, _ in page.tags) == 2  # output.png and variants.png
    assert "多备库存 &lt;b&gt;&amp;" in html and "<b>&" not in html and "&lt;script&gt;" in html
    text = "".join(page.text)
    assert "供应商停产" in text and "Noto Sans CJK SC" in html and "Microsoft YaHei" in html and "PingFang SC" in html


def test_the_page_holds_the_summary(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    text = " ".join(" ".join(Page((run_dir / REPORT).read_text(encoding="utf-8")).text).split())
    best = summary["variants"]["多备库存 <b>&"]["total"]
    assert f"Loss if nothing changes {summary['variants']['现状']['total']['loss']:.2%}" in text
    assert f"Best policy 多备库存 <b>& total loss {best['loss']:.2%}" in text
    assert fmt("value_saved", best["value_saved"]) in text
    assert "How sure one run" in text
    assert "供应商停产 (firm outage), from day 5, for 6 days, losing 100% of capacity, select: ids S" in text
    assert f"simcore run {summary['scenario']['file']} --seed 0 --engine numba --out {run_dir}" in text
    for package, version in summary["versions"].items():
        assert f"{package} {version}" in text


def test_fmt_rounds_like_the_page():
    assert fmt("loss", 0.04552) == "4.55%" and fmt("d_loss", -0.0148) == "-1.48%" and fmt("fill_rate", 0.9634) == "96.34%"
    assert fmt("ttr", 36.0) == "36.0" and fmt("firms_affected", 1234) == "1,234" and fmt("d_firms_affected", -3) == "-3"
    assert fmt("cost", 2.16e9) == "2.16 bn" and fmt("value_saved", -0.0) == "0" and fmt("benefit_cost", None) == "-"
    assert fmt("loss_ci", (0.01, 0.02)) == "1.00% to 2.00%" and fmt("loss_ev", 0.5) == "50.00%" and fmt("new_metric", 0.123456) == "0.1235"


def test_a_batch_report_has_confidence_intervals(tmp_path, capsys):
    sc = write_file(tmp_path, "random.toml", (DATA / "serial_outage.toml").read_text().replace('model = "serial.toml"', f"model = {json.dumps(str(DATA / 'serial.toml'))}")
                    .replace("start = 5", "start = { dist = \"uniform\", low = 2, high = 10 }"))  # fmt: skip
    out = tmp_path / "batch"
    assert main(["run", str(sc), "--replications", "6", "--out", str(out), "--no-plots"]) == 0
    page = (out / REPORT).read_text(encoding="utf-8")
    assert "6 replications" in page and "loss 95% CI" in page and "<svg" in page
    assert "<img" not in page and "#figures" not in page  # --no-plots: no figures, and no link to them
    assert f"--replications 6 --seed 0 --engine numba --out {out}" in page
    assert main(["report", str(out)]) == 0 and (out / REPORT).read_text(encoding="utf-8") == page


def test_a_stress_report_ranks_the_units(tmp_path, capsys):
    out = tmp_path / "stress"
    model = DATA / "serial.toml"
    assert main(["stress", str(model), "--horizon", "30", "--out", str(out), "--no-plots"]) == 0
    page = (out / REPORT).read_text(encoding="utf-8")
    assert "Stuck neck #1" in page and f"simcore stress {model} --by firm --duration 30 --magnitude 1 --horizon 30 --engine numba --out {out}" in page
    assert json.loads((out / "stress.json").read_text())["file"] == str(model)


@pytest.mark.parametrize("make", ["missing", "empty", "other files", "unfinished batch"])
def test_simcore_report_refuses_a_folder_without_a_run(tmp_path, capsys, make):
    folder = tmp_path / "dir"
    if make != "missing":
        folder.mkdir()
    if make == "other files":
        (folder / "summary.json").write_text('{"not": "simcore"}')
    if make == "unfinished batch":
        (folder / "batch.json").write_text("{}")
    before = sorted(tmp_path.rglob("*"))
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"error: {folder}: ")
    assert ("unfinished batch" if make == "unfinished batch" else "holds no simcore run") in err and "nothing written" in err
    assert sorted(tmp_path.rglob("*")) == before


def test_a_report_that_fails_leaves_no_run_folder(chinese, tmp_path, monkeypatch, capsys):
    """The report is part of the folder: if it cannot be built, the run's folder is not put in place."""
    import simcore.outputs

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(simcore.outputs, "write_report", broken)
    assert main(["run", str(chinese), "--out", str(tmp_path / "run"), "--no-plots"]) == 1
    assert list(tmp_path.iterdir()) == []
    assert re.search(r"cannot write .*run: no space left on the device; nothing was changed there", capsys.readouterr().err)


def test_no_best_policy_when_every_variant_loses_more(tmp_path, capsys):
    text = (DATA / "serial_outage.toml").read_text().replace('model = "serial.toml"', f"model = {json.dumps(str(DATA / 'serial.toml'))}")
    sc = write_file(tmp_path, "worse.toml", text.replace("cover = 8", "cover = 1"))
    out = tmp_path / "run"
    assert main(["run", str(sc), "--out", str(out), "--no-plots"]) == 0
    text = " ".join(" ".join(Page((out / REPORT).read_text(encoding="utf-8")).text).split())
    assert "Best policy none no variant loses less than 'cover 3'" in text and "cuts the total chain loss" not in text


def test_a_chains_own_figures_are_in_its_section(tmp_path, capsys):
    """The stress test of the EV map draws map_ev.png and map_ess.png: each in its chain's section, map.png under Figures."""
    out = tmp_path / "stress"
    assert main(["stress", str(ROOT / "models" / "ev_chain.toml"), "--by", "region", "--horizon", "30", "--out", str(out)]) == 0
    page = (out / REPORT).read_text(encoding="utf-8")
    sections = {m.group(1): m.group(2) for m in re.finditer(r'<section id="([^"]+)"[^>]*>(.*?)</section>', page, re.S)}
    assert "<figcaption>map_ev.png</figcaption>" in sections["chain-ev"] and "<figcaption>map_ess.png</figcaption>" in sections["chain-ess"]
    assert re.findall(r"<figcaption>(\S+\.png)</figcaption>", sections["figures"]) == ["stress.png", "map.png"]
    assert "Shared stuck necks" in sections["details"]


def test_a_chains_short_boards_are_summarised_by_the_five_basics():
    """Products grouped under their basic, in the order of the five basics, the most depended-on first."""
    from simcore.report import short_boards_html

    html = short_boards_html([
        {"product": "mcu", "basic": "core components", "reason": "single-sourced", "customers": 2},
        {"product": "eda", "basic": "industrial software", "reason": "foreign-only", "customers": 1},
        {"product": "sensor", "basic": "core components", "reason": "single-sourced", "customers": 5},
    ])  # fmt: skip
    assert "by the five basics (3 products)" in html
    core, software = html.index("<b>core components</b> (2)"), html.index("<b>industrial software</b> (1)")
    assert core < software
    assert html.index("sensor (single-sourced, 5 customers)") < html.index("mcu (single-sourced, 2 customers)") < software
    assert "eda (foreign-only, 1 customer)" in html
