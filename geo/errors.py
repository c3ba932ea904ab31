"""Errors raised at the data boundary, each naming the row, the column and the bad value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowProblem:
    """One refused cell: where it is, what it holds and why it was refused.

    ``row`` is the 1-based line number in the file as a person sees it in a
    text editor or spreadsheet (the header is line 1), or ``None`` for a
    problem with the file as a whole.
    """

    row: int | None
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{prefix}: {self.message}{value}" if prefix else f"{self.message}{value}"


class DataError(ValueError):
    """A file, or some of its rows, could not be read; ``problems`` lists each one."""

    def __init__(self, problems: list[RowProblem], *, source: str = "data") -> None:
        self.problems = list(problems)
        self.source = source
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{source}: {shown}{more}")
