"""The firms or links of a chain map as one table: records for the code that reads a firm at a time, columns for
the code that reads a field of every firm.

A small map, or one edited by a policy, holds its records and makes a column when one is asked for. A big map
read from CSV tables holds columns only (`simcore.chainmap.columns`) and makes a record when one is asked for:
six million pydantic records were most of the time and memory of loading a million-firm map (benchmarks/README.md,
Scaling). Either way `table[k]` is the same record and `table.column(f)` the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


_UNSET = object()


class RecordTable(Sequence):
    """The rows of one table of a chain map (firms or links), by record or by column."""

    def __init__(self, model: type, records: Sequence | None = None, columns: dict[str, Any] | None = None, length: int = 0):
        """`records` (validated `model` records), or `columns`: per field a sequence of its values in the form a
        record holds them, None where the row gave none (a default applies), and absent where no row gave one."""
        self.model = model
        self._records = tuple(records) if records is not None else None
        self._columns: dict[str, Any] = dict(columns or {})
        self._length = len(self._records) if self._records is not None else length
        self._cache: dict[str, list] = {}
        self._defaults: dict[str, Any] = {}

    @classmethod
    def of(cls, model: type, rows: Sequence) -> RecordTable:
        """`rows` as a table: a table as it is, anything else as records."""
        return rows if isinstance(rows, RecordTable) else cls(model, records=rows)

    @property
    def by_columns(self) -> bool:
        """Whether the table holds columns (read from CSV by `simcore.chainmap.columns`) rather than records."""
        return self._records is None

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, k):
        if isinstance(k, slice):
            return tuple(self[i] for i in range(*k.indices(self._length)))
        if self._records is not None:
            return self._records[k]
        if not -self._length <= k < self._length:
            raise IndexError(k)
        return self._record(k % self._length)

    def __iter__(self):
        if self._records is not None:
            return iter(self._records)
        return self._all()

    def _all(self):
        """Every row as a record, built from whole columns (a record at a time costs a lookup per cell)."""
        names = list(self.model.model_fields)
        values = [self.column(f) for f in names]
        given = [self._given(f) for f in names]
        copied = [f for f in names if isinstance(self._default(f), list | dict)]  # each record its own, as pydantic gives
        new, setattr_ = self.model.__new__, object.__setattr__
        for k in range(self._length):
            record = new(self.model)
            cells = {f: v[k] for f, v in zip(names, values)}
            for f in copied:
                cells[f] = type(cells[f])(cells[f])
            setattr_(record, "__dict__", cells)
            setattr_(record, "__pydantic_fields_set__", {f for f, g in zip(names, given) if g is not None and g[k]})
            setattr_(record, "__pydantic_extra__", None)
            setattr_(record, "__pydantic_private__", None)
            yield record

    def _given(self, field: str) -> np.ndarray | None:
        """Per row, whether it gave a value of `field` (None: no row did, the table has no such column)."""
        raw = self._columns.get(field)
        if raw is None:
            return None
        if isinstance(raw, np.ndarray):
            return ~np.isnan(raw)
        if hasattr(raw, "is_valid"):
            return raw.is_valid().to_numpy(zero_copy_only=False)
        return np.array([v is not None for v in raw], dtype=bool)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordTable | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # tables are compared by content

    def __repr__(self) -> str:
        return f"RecordTable({self.model.__name__}, {self._length} rows, {'records' if self._records is not None else 'columns'})"

    def column(self, field: str) -> list:
        """Every row's value of `field`, as its record holds it (its default where the row gave none)."""
        if field not in self._cache:
            if self._records is not None:
                values = [getattr(r, field) for r in self._records]
            else:
                values = self._filled(field)
            self._cache[field] = values
        return self._cache[field]

    def numbers(self, field: str, default: float | None = None) -> np.ndarray:
        """A numeric field as floats: where the record holds None (an optional field left to the map's defaults),
        `default`, or NaN if none is given. A field with a default of its own has it wherever the row gave none."""
        own = self._default(field)
        fill = np.nan if default is None else default
        raw = self._columns.get(field) if self._records is None else None
        if isinstance(raw, np.ndarray):  # a column read from CSV: NaN marks an empty cell
            return np.where(np.isnan(raw), fill if own is None else own, raw)
        if raw is None and self._records is None:  # no row gave one
            return np.full(self._length, fill if own is None else own, dtype=float)
        return np.array([fill if v is None else v for v in self.column(field)], dtype=float)

    def _default(self, field: str) -> Any:
        """The field's default; a fresh one where it is a list or dict, as pydantic gives each record."""
        value = self._defaults.get(field, _UNSET)
        if value is _UNSET:
            value = self._defaults[field] = self.model.model_fields[field].get_default(call_default_factory=True)
        return type(value)() if isinstance(value, list | dict) else value

    def _filled(self, field: str) -> list:
        """A stored column as `column` gives it. Where no row gave a value the rows share one default object, also a
        list or dict (a million empty lists are 60 MB): a column is read, never written (records get their own)."""
        raw = self._columns.get(field)
        default = self._default(field)
        if raw is None:
            return [default] * self._length
        if isinstance(raw, np.ndarray):
            raw = raw.tolist() if not np.isnan(raw).any() else [None if v != v else v for v in raw.tolist()]
        elif hasattr(raw, "to_pylist"):  # an Arrow array of text
            raw = raw.to_pylist()
        if not any(v is None for v in raw):
            return list(raw)
        return [default if v is None else v for v in raw]

    def _cell(self, field: str, k: int) -> Any:
        """Row `k`'s cell of a stored column: its value, or None where the row gave none."""
        raw = self._columns[field]
        if isinstance(raw, np.ndarray):
            v = raw[k].item()
            return None if v != v else v
        return raw[k].as_py() if hasattr(raw, "to_pylist") else raw[k]

    def _record(self, k: int):
        """Row `k` as a record, built as pydantic's `model_construct` builds one (its values are valid: they passed
        the column checks), with the fields its row gave marked as set."""
        model = self.model
        cells = {f: self._cell(f, k) for f in self._columns}
        values = {f: self._default(f) if cells.get(f) is None else cells[f] for f in model.model_fields}
        given = {f for f, v in cells.items() if v is not None}
        record = model.__new__(model)
        object.__setattr__(record, "__dict__", values)
        object.__setattr__(record, "__pydantic_fields_set__", given)
        object.__setattr__(record, "__pydantic_extra__", None)
        object.__setattr__(record, "__pydantic_private__", None)
        return record

