"""One error type for bad input: every problem names the file, the field, the value and what was expected.

Loading collects all problems of a file before raising, so a planner fixes a
file in one pass instead of one error per run.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["Problem", "SimcoreError", "InputError", "format_loc", "names_hint", "did_you_mean"]


class SimcoreError(Exception):
    """Base class of every error simcore raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of one input file.

    `expected` is what the field should hold ("a number >= 0"); with a value,
    `str()` reads `file: field: got value; expected ...`. Without a value
    (NO_VALUE: a missing field or file, a whole-map property) `expected` is
    printed as it is and should read as a sentence of its own.
    """

    file: str
    field: str
    value: Any
    expected: str

    def __str__(self) -> str:
        """One line: `file: field: got value; expected ...` (or `file: field: statement` without a value)."""
        value = _short(self.value)
        where = f"{self.file}: {self.field}" if self.field else self.file
        if value is None:
            line = f"{where}: {self.expected}"
        else:
            expected = self.expected[len("expected ") :] if self.expected.startswith("expected ") else self.expected
            line = f"{where}: got {value}; expected {expected}"
        return " ".join(line.splitlines())


def _short(value: Any) -> str | None:
    if value is _NO_VALUE:
        return None
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_NO_VALUE = object()
NO_VALUE = _NO_VALUE  # marker for problems that concern a missing or whole item


SHOWN = 20  # problems printed before the rest are counted: a table with a million bad rows prints 21 lines


class InputError(SimcoreError, ValueError):
    """Bad model, scenario or output location; carries every problem found (`.problems`), prints the first SHOWN."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self, shown: int = SHOWN) -> list[str]:
        """The first `shown` problems, one a line, and a last line counting the others."""
        lines = [str(p) for p in self.problems[:shown]]
        rest = len(self.problems) - shown
        if rest > 0:
            files = sorted({p.file for p in self.problems[shown:]})
            lines.append(f"... and {rest:,} more problem{'s' if rest != 1 else ''} in {', '.join(files[:3])}{', ...' if len(files) > 3 else ''}")
        return lines


def format_loc(loc: Iterable[Any]) -> str:
    """`('links', 12, 'share')` -> `links[12].share`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


LISTED = 12  # names listed in full; a longer list is given as its count and the closest names


def did_you_mean(name: Any, known: Iterable[Any]) -> str:
    """` (did you mean 'lead_time'?)` when some known name is close to `name`, else ''."""
    by_lower: dict[str, str] = {}
    for k in sorted({str(k) for k in known}):
        by_lower.setdefault(k.lower(), k)
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""


def names_hint(name: Any, known: Iterable[Any]) -> str:
    """The names `name` should have been one of: all of them (and the closest) when few, else their count and the closest.

    `C, M, S1, S2 (did you mean 'S1'?)`, or `1,204 of them; the closest are S12, S21, S2`.
    """
    names = sorted({str(k) for k in known})
    if len(names) <= LISTED:
        return ", ".join(names) + did_you_mean(name, names)
    matcher = difflib.SequenceMatcher(b=str(name).lower())

    def distance(candidate: str) -> tuple[float, str]:
        matcher.set_seq1(candidate.lower())
        return -matcher.ratio(), candidate

    close = sorted(names, key=distance)[:5]  # never empty: the best five however far, ties in name order
    return f"{len(names):,} of them; the closest are {', '.join(close)}"
