"""report.html in a real browser: headless Chromium from the system's packages (Debian: `apt-get install chromium`), driven
by playwright. The page loads offline without errors, its figures show, its tables hold summary.json's numbers, and
the leader summary's labels do not overlap at 1280 px."""

import json
import re
import shutil
from pathlib import Path

import pytest

from simcore.cli import main
from simcore.report import REPORT, fmt

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else shutil.which("chromium")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium at /usr/bin/chromium or on PATH (Debian: apt-get install chromium)")
HORIZON = 60


def shipped(name: str, folder: Path) -> Path:
    """A shipped EV scenario (two named chains, chain masters, costs) on a short horizon."""
    text = (ROOT / "scenarios" / name).read_text()
    text = text.replace('model = "../models/ev_chain.toml"', f"model = {json.dumps(str(ROOT / 'models' / 'ev_chain.toml'))}")
    path = folder / name
    path.write_text(re.sub(r"(?m)^horizon = \d+$", f"horizon = {HORIZON}", text))
    return path


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """The chain-master outage: one run."""
    folder = tmp_path_factory.mktemp("ev")
    assert main(["run", str(shipped("ev_policy_master_outage.toml", folder)), "--out", str(folder / "run")]) == 0
    return folder / "run"


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])  # --no-sandbox: CI runs as root
        yield b
        b.close()


def open_page(browser, folder: Path):
    """A report opened from file:// at 1280 px, with every console error and failed request recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed request: {r.url}"))
    page.goto((folder / REPORT).as_uri(), wait_until="load")
    return page


@pytest.fixture(scope="module")
def page(browser, run_dir):
    page = open_page(browser, run_dir)
    yield page
    page.close()


def test_the_page_loads_offline_without_errors(page):
    assert page.problems == []
    urls = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert all(u.startswith(("data:", "file:")) for u in urls), urls


def test_every_figure_is_visible(page):
    images = page.locator("img")
    assert images.count() >= 3  # output.png, variants.png, chain_masters.png
    for k in range(images.count()):
        img = images.nth(k)
        assert img.is_visible()
        assert img.evaluate("i => i.complete && i.naturalWidth > 0"), img.get_attribute("alt")
    assert page.locator("svg.chart").count() == 3  # one chart per chain: total, ev, ess


def cells(page, chain: str) -> dict[str, dict[str, str]]:
    """A chain table as variant -> field -> the text shown."""
    return page.evaluate(
        """chain => Object.fromEntries([...document.querySelector(`table.chain[data-chain="${chain}"]`).querySelectorAll('tbody tr')]
            .map(tr => [tr.dataset.row, Object.fromEntries([...tr.querySelectorAll('td')].map(td => [td.dataset.field, td.textContent]))]))""",
        chain,
    )


def test_the_chain_tables_hold_the_numbers_of_summary_json(page, run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    chains = list(summary["variants"][summary["reference_variant"]])
    assert chains == ["total", "ev", "ess"]
    for chain in chains:
        shown = cells(page, chain)
        assert set(shown) == set(summary["variants"])
        for variant, per_chain in summary["variants"].items():
            row = per_chain[chain]
            for field in ("loss", "depth", "tts", "ttr", "fill_rate", "firms_affected", "d_loss", "cost", "value_saved", "benefit_cost"):
                assert shown[variant][field] == fmt(field, row[field]), (chain, variant, field)
            assert shown[variant]["loss"] == (f"{row['loss']:.2%}")  # the page's rounding, written out once
        # ranked by loss, lowest first
        losses = [summary["variants"][v][chain]["loss"] for v in shown]
        assert losses == sorted(losses)


def test_the_leader_summary_holds_the_best_policy(page, run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    ref = summary["variants"][summary["reference_variant"]]["total"]
    best = summary["ranking_by_loss"][0]
    cards = page.evaluate("[...document.querySelectorAll('#summary .card')].map(c => [c.querySelector('.label').textContent, c.querySelector('.big').textContent])")
    cards = dict(cards)
    assert cards["Loss if nothing changes"] == f"{ref['loss']:.2%}"
    assert cards["Best policy"] == best
    assert cards["It saves"] == fmt("value_saved", summary["variants"][best]["total"]["value_saved"], "CNY")
    assert cards["Benefit / cost"] == fmt("benefit_cost", summary["variants"][best]["total"]["benefit_cost"])
    assert page.locator("#summary li").first.text_content().startswith("ransomware at group A (firm outage), from day 20, for 10 days")


def test_nothing_overlaps_in_the_leader_summary(page, tmp_path):
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    no_overlaps(page)


def no_overlaps(page) -> None:
    """The leader summary's headings, paragraphs and card labels and numbers: laid out, none on another, each card's text inside it."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scrolling of the page
    boxes = page.evaluate(
        """[...document.querySelectorAll('#summary h2, #summary h3, #summary p, #summary li, #summary .card .label, #summary .card .big, #summary .card .note')]
            .map(e => { const r = e.getBoundingClientRect(); return [e.className || e.tagName, e.textContent.slice(0, 30), r.left, r.top, r.right, r.bottom]; })"""
    )
    assert len(boxes) >= 15
    for k, a in enumerate(boxes):
        assert a[4] > a[2] and a[5] > a[3], a  # laid out, not collapsed
        for b in boxes[k + 1 :]:
            overlap = min(a[4], b[4]) - max(a[2], b[2]) > 0.5 and min(a[5], b[5]) - max(a[3], b[3]) > 0.5
            assert not overlap, (a, b)
    # and each card's text stays inside its card
    inside = page.evaluate(
        """[...document.querySelectorAll('#summary .card')].every(c => { const r = c.getBoundingClientRect();
            return [...c.children].every(e => { const s = e.getBoundingClientRect(); return s.left >= r.left && s.right <= r.right && s.bottom <= r.bottom; }); })"""
    )
    assert inside


def test_a_batch_report_in_the_browser(browser, tmp_path):
    """The chip embargo (random shocks) as a small batch: loads cleanly, figures show, intervals as in summary.json, no overlap."""
    out = tmp_path / "batch"
    assert main(["run", str(shipped("ev_chip_embargo.toml", tmp_path)), "--replications", "6", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    page = open_page(browser, out)
    try:
        assert page.problems == []
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)") and page.locator("img").count() >= 3
        for chain in ("total", "ev", "ess"):
            shown = cells(page, chain)
            for variant, stats in summary["statistics"].items():
                loss, d = stats[chain]["loss"], stats[chain]["d_loss"]
                assert shown[variant]["loss"] == f"{loss['mean']:.2%}"
                assert shown[variant]["loss_ci"] == f"{loss['ci95'][0]:.2%} to {loss['ci95'][1]:.2%}"
                assert shown[variant]["d_loss_ci"] == f"{d['ci95'][0]:+.2%} to {d['ci95'][1]:+.2%}"
                value = summary["value"][variant][chain]
                assert shown[variant]["value_saved_ci"] == f"{fmt('cost', value['value_saved_ci_low'])} to {fmt('cost', value['value_saved_ci_high'])}"
        assert "6 replications" in page.locator("#summary").text_content()
        page.screenshot(path=str(tmp_path / "batch.png"), full_page=True)
        no_overlaps(page)
    finally:
        page.close()
