"""Helpers for bad-input tests: write files into a folder, load them, and find problems by field."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from simcore.errors import NO_VALUE, InputError, Problem


def write(folder: Path, name: str, text: str) -> Path:
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def edit(text: str, old: str, new: str) -> str:
    """`text` with `old` (which must occur exactly once) replaced by `new`."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def problems_of(load, path: Path) -> InputError:
    """Load `path`, expect an InputError, and check it reads one line per problem."""
    with pytest.raises(InputError) as info:
        load(path)
    err = info.value
    assert err.problems, "an InputError must carry at least one problem"
    lines = str(err).split("\n")
    assert lines == [str(p) for p in err.problems], "str(InputError) is one line per problem"
    for p in err.problems:
        assert "\n" not in str(p)
        assert "Traceback" not in str(p)
    return err


def only(err: InputError, field: str) -> Problem:
    """The one problem of `err` about `field`."""
    found = [p for p in err.problems if p.field == field]
    assert len(found) == 1, f"expected one problem on {field!r}, got:\n{err}"
    return found[0]


def check(err: InputError, file: Path | str, field: str, value, *expected: str) -> Problem:
    """Assert that `err` has a problem naming `file`, `field`, `value` and each phrase of `expected`,
    both in the Problem's attributes and in its printed line."""
    p = only(err, field)
    assert Path(p.file) == Path(file), f"{p.file} is not {file}"
    line = str(p)
    assert line.startswith(f"{p.file}: {field}: "), line
    if value is NO_VALUE:
        assert p.value is NO_VALUE, line
    else:
        if isinstance(value, float) and value != value:
            assert p.value != p.value, line
        else:
            assert p.value == value, line
        assert f"got {value!r}" in line, line
    for phrase in expected:
        assert phrase in p.expected, f"{phrase!r} not in {p.expected!r}"
        assert phrase in line, line
    return p


# A small valid map: ore -> part (two makers) -> good, with tags, regions and chains.
GOOD = """
[model]
name = "bad-input base"
chains = ["auto"]

[defaults]
cover = 5
headroom = 0.1

[[products]]
id = "ore"
category = "raw_material"

[[products]]
id = "part"
category = "basic_component"
recipe = { ore = 2 }

[[products]]
id = "good"
category = "final_product"
recipe = { part = 1 }
chains = ["auto"]

[[firms]]
id = "M"
product = "ore"
region = "north"
tags = ["foreign"]

[[firms]]
id = "S1"
product = "part"
region = "south"

[[firms]]
id = "S2"
product = "part"
region = "north"

[[firms]]
id = "C"
product = "good"
region = "east"
tags = ["chain_master"]

[[links]]
supplier = "M"
customer = "S1"

[[links]]
supplier = "M"
customer = "S2"
lead_time = 2

[[links]]
supplier = "S1"
customer = "C"
share = 0.6

[[links]]
supplier = "S2"
customer = "C"
share = 0.4

[[demand]]
firm = "C"
units = 10
"""
