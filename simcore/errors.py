"""One error type for bad input: every problem names the file, the field, the value and what was expected.

Loading collects all problems of a file before raising, so a planner fixes a
file in one pass instead of one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["Problem", "SimcoreError", "InputError", "format_loc"]


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
