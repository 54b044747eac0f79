"""The project's own error types.

Validation never stops at the first problem: it collects every
:class:`Problem` it finds and raises one :class:`DataError` holding them all,
so a person fixing a file sees the whole list at once.

>>> err = DataError([Problem("incidents.geojson", "row 3 (id 'x')", "date_end is before date_start")])
>>> print(err)
1 problem:
  incidents.geojson, row 3 (id 'x'): date_end is before date_start
>>> import pickle; pickle.loads(pickle.dumps(err)).problems == err.problems
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"


class BorderVizError(Exception):
    """Base of every error borderviz raises on purpose."""


class DataError(BorderVizError):
    """Data did not validate. ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        if isinstance(problems, (str, Problem)):
            problems = [problems]
        self.problems = [p if isinstance(p, Problem) else Problem("", "", str(p)) for p in problems]
        super().__init__(self._render())

    def __reduce__(self):
        # Exceptions pickle as cls(*args), and args is the rendered text: a cached or
        # cross-process error would come back as one problem per character. Pickle the problems.
        return (self.__class__, (self.problems,))

    def _render(self, limit: int = 50) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''}:"
        lines = [f"  {p}" for p in self.problems[:limit]]
        if n > limit:
            lines.append(f"  ... and {n - limit} more")
        return "\n".join([head, *lines])


class InputError(DataError):
    """A file a user brought (an import) was refused; nothing was loaded from it."""


class ExportError(BorderVizError):
    """An export could not be written without losing what the format promises to keep."""
