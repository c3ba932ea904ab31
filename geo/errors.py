"""Errors raised at the data boundary, each naming the row, the column and the bad value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd


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


def problem_order(problem: RowProblem) -> tuple[int, str]:
    """Sort key for problems: the file's own first, then by row and column."""
    return (-1 if problem.row is None else problem.row, problem.column or "")


class Refusals:
    """The refused cells of one table, gathered from boolean masks: one :class:`RowProblem` per bad cell.

    One collector for the curated checks (``geo.events``) and the importers,
    so that a refusal names its row, column and value the same way wherever
    it is made. ``rows`` are the line numbers of the table's rows; ``bad``
    marks the rows refused so far.
    """

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = np.asarray(rows)
        self.problems: list[RowProblem] = []
        self.bad = np.zeros(len(self.rows), dtype=bool)

    def flag(
        self,
        mask: object,
        column: str | None,
        message: str | Callable[[int], str],
        values: pd.Series | None = None,
        *,
        blank: object = None,
    ) -> None:
        """Refuse every row where ``mask`` holds (NA counts as no).

        Parameters
        ----------
        mask
            One boolean per row.
        column
            The column named in each problem (None for the row as a whole).
        message
            The reason, or a function of the row's position giving it (called
            only for refused rows, so that wording costs nothing elsewhere).
        values
            The cells quoted as each problem's value, by position.
        blank
            What to quote for a missing (NA) cell, when not NA itself.
        """
        if isinstance(mask, pd.Series) and mask.dtype != bool:
            mask = mask.fillna(False)
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.bad |= mask
        where = np.flatnonzero(mask)
        # One take for all the refused cells: pandas' .iloc per cell costs a millisecond each.
        picked = [None] * len(where) if values is None else values.iloc[where].to_numpy(dtype=object)
        for i, value in zip(where, picked, strict=True):
            if blank is not None and value is not None and pd.isna(value):
                value = blank
            text = message(i) if callable(message) else message
            self.problems.append(RowProblem(int(self.rows[i]), column, value, text))
