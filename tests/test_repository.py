"""The repository stands alone: nothing in it cites a file outside it, and every link in its docs resolves inside it.

The model's authority is docs/model.md (with docs/engine.md for the engines):
a docstring, comment or page that cites a design file kept beside the
repository, a data folder on one machine or a path that climbs out of the
repository points a reader at something they do not have.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("simcore", "tests", "benchmarks", "docs", "models", "scenarios", "README.md", "pyproject.toml", "LICENSE")
BINARY = {".png", ".parquet", ".npy", ".npz", ".pkl", ".pyc"}

OUTSIDE = re.compile(
    r"\.\./shared\b"  # the design folder beside the repository
    r"|(?<![\w/])shared/data\b"  # its data folder
    r"|(?<!docs/)(?<![\w/])MODEL\.md"  # the first semantics contract: cite docs/model.md
    r"|\b(?:ARCHITECTURE|PERFORMANCE|STYLE|CITY)\.md\b"  # the other design files beside the repository
    r"|(?<![\w.])/work/"  # the machine this project was written on
)
LINK = re.compile(r"\]\(([^)\s]+)\)")  # a markdown link's target


def scanned_files() -> list[Path]:
    out = []
    for name in SCANNED:
        path = ROOT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        out += [f for f in files if f.is_file() and f.suffix not in BINARY and "__pycache__" not in f.parts]
    return [f for f in out if f != Path(__file__).resolve()]


def outside_citations(text: str) -> list[str]:
    """The citations of files outside the repository in `text`, as `line N: the line`."""
    return [f"line {n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]


@pytest.mark.parametrize(
    "line",
    [
        '"""Resilience metrics from recorded trajectories (MODEL.md §6)."""',
        "that each array is streamed once per day (../shared/PERFORMANCE.md):",
        "simcore import willems ../shared/data/willems2008 models/willems_38.toml --chain 38",
        "DATA = ROOT.parent / 'x'  # rewrite them from shared/data",
        "see ARCHITECTURE.md for the layers",
        "    /work/venv/bin/python models/ev_chain/generate.py",
    ],
)
def test_a_citation_outside_the_repository_is_found(line):
    assert outside_citations(line) == [f"line 1: {line.strip()}"]


@pytest.mark.parametrize(
    "line",
    [
        "(docs/model.md, Metrics)",
        "[model.md, One tick](model.md#one-tick)",
        'model = "../models/ev_chain.toml"',
        "DATA = ROOT.parent / 'shared' / 'data'",
        "see docs/engine.md",
    ],
)
def test_a_citation_inside_the_repository_is_not_flagged(line):
    assert outside_citations(line) == []


def test_no_file_cites_a_file_outside_the_repository():
    found = []
    for f in scanned_files():
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{f.relative_to(ROOT)}: {hit}" for hit in outside_citations(text)]
    assert not found, "cite docs/model.md or docs/engine.md instead:\n" + "\n".join(found)


def test_every_relative_link_in_the_docs_resolves_inside_the_repository():
    bad = []
    for f in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "benchmarks").glob("*.md"))]:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target) or target.startswith("#"):
                    continue  # a URL or a link inside the page
                path = (f.parent / target.split("#")[0]).resolve()
                if not path.is_relative_to(ROOT) or not path.exists():
                    bad.append(f"{f.relative_to(ROOT)}: line {n}: {target}")
    assert not bad, "links to nothing in the repository:\n" + "\n".join(bad)


def headings(page: Path) -> list[str]:
    return [line.lstrip("#").strip() for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("#")]


def anchor(heading: str) -> str:
    """The anchor a heading gets on GitHub (lower case, punctuation dropped, spaces to hyphens)."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


SECTION = re.compile(r"docs/(model|engine)\.md(?:, | \()\"?([A-Z][^\"),;:.]*)")  # "docs/model.md, Metrics", "docs/model.md (One tick, ..."


def test_every_cited_section_of_the_model_exists():
    """A citation "docs/model.md, Metrics" names a heading of that page, so the rule it points at is there."""
    pages = {name: headings(ROOT / "docs" / f"{name}.md") for name in ("model", "engine")}
    bad = []
    for f in scanned_files():
        if f.suffix not in {".py", ".md", ".toml"}:
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            for page, name in SECTION.findall(line):
                name = name.strip()
                if not any(h.startswith(name) or name.startswith(h) for h in pages[page]):
                    bad.append(f"{f.relative_to(ROOT)}: line {n}: docs/{page}.md has no section '{name}'")
    assert not bad, "\n".join(bad)


def test_every_anchor_of_a_link_in_the_docs_exists():
    bad = []
    for f in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target) or "#" not in target:
                    continue
                page, _, name = target.partition("#")
                path = (f.parent / page).resolve() if page else f
                if path.suffix == ".md" and path.exists() and name not in {anchor(h) for h in headings(path)}:
                    bad.append(f"{f.relative_to(ROOT)}: line {n}: {target}")
    assert not bad, "links to a heading that is not there:\n" + "\n".join(bad)
