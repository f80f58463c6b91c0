"""Exception types raised by chuanyu_geo.

Every error names the offending input and what was expected, so a notebook user can fix
the call without reading the library's source.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sized

# A message is read by a person: past this size it only hides the first lines (an audit
# found a 20 MB one). Full per-row detail belongs on the exception or report object.
MAX_MESSAGE_CHARS = 10_000
# Items a message lists from a user's rows or keys before "… and K more".
LIST_LIMIT = 10
# Characters of one user value shown in a message before "…".
VALUE_CHARS = 80


def shown(value, limit: int = VALUE_CHARS) -> str:
    """``repr(value)`` cut to about ``limit`` characters, with "…" when cut.

    Parameters
    ----------
    value : object
        A user's key, cell or column name.
    limit : int
        Characters of the value kept.

    Returns
    -------
    str

    Examples
    --------
    >>> shown("万州")
    "'万州'"
    >>> shown("x" * 200, 5)
    "'xxxxx'…"
    """
    if isinstance(value, str):
        # Slice before repr so a megabyte key costs nothing to show.
        return repr(value) if len(value) <= limit else repr(value[:limit]) + "…"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def listing(items: Iterable[str], total: int | None = None, limit: int = LIST_LIMIT, sep: str = "; ") -> str:
    """The first ``limit`` items joined by ``sep``, then "… and K more".

    Parameters
    ----------
    items : iterable of str
        Already formatted items; only the first ``limit`` are read, so a generator over
        a million rows is cheap.
    total : int, optional
        How many items there are in all; needed when ``items`` has no length (a generator).
    limit : int
        Items shown.
    sep : str
        Separator.

    Returns
    -------
    str

    Examples
    --------
    >>> listing(["a", "b", "c"], limit=2)
    'a; b; … and 1 more'
    >>> listing((f"row {i}" for i in range(3)), total=1000, limit=3, sep=", ")
    'row 0, row 1, row 2, … and 997 more'
    """
    head = [str(item) for item in itertools.islice(items, limit)]
    if total is None:
        total = len(items) if isinstance(items, Sized) else len(head)
    if total > len(head):
        head.append(f"… and {total - len(head):,} more")
    return sep.join(head)


def cap_message(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``message`` cut to at most ``limit`` characters, saying how much was left out.

    The cut falls at the last "; " before the limit when there is one, so no listed item
    is shown half.

    Examples
    --------
    >>> cap_message("short")
    'short'
    >>> len(cap_message("row 1; " * 5000)) <= 10_000
    True
    """
    if not isinstance(message, str) or len(message) <= limit:
        return message
    tail = f" … (message cut: {len(message):,} characters in all; the full detail is on the object)"
    room = max(0, limit - len(tail))
    cut = message.rfind("; ", room // 2, room)
    return message[: cut if cut > 0 else room] + tail


class ChuanyuGeoError(Exception):
    """Base class of every error this library raises on purpose.

    Parameters
    ----------
    message : str
        The error as a Python caller reads it (``force=True``).
    cli : str, optional
        The same error as a command-line user reads it (``--force``); the CLI prints this.
    """

    def __init__(self, message: str = "", *args, cli: str | None = None):
        # Every message is capped here, whoever built it from however many rows.
        super().__init__(cap_message(message), *args)
        self.cli_message = cap_message(cli) if cli else cli

    def for_cli(self) -> str:
        """The message the ``chuanyu-geo`` command prints."""
        return self.cli_message or str(self)


class InvalidArgumentError(ChuanyuGeoError, ValueError):
    """An argument is not one of the accepted values."""


class DataIntegrityError(ChuanyuGeoError):
    """A shipped data file is missing or differs from data/boundaries/manifest.json."""


class PlaceError(ChuanyuGeoError, LookupError):
    """A place name or code could not be turned into exactly one unit."""


class UnknownPlaceError(PlaceError):
    """No unit matches the query.

    Attributes
    ----------
    query : str
        What the caller asked for.
    suggestions : list of str
        Up to three close matches, best first.
    suggestions_skipped : bool
        True when close matches were not looked for (a table join looks for them for its
        first few unknown keys only), so an empty ``suggestions`` means nothing.
    """

    def __init__(self, message: str, query: str, suggestions: list[str], suggestions_skipped: bool = False):
        super().__init__(message)
        self.query = query
        self.suggestions = suggestions
        self.suggestions_skipped = suggestions_skipped


class AmbiguousPlaceError(PlaceError):
    """Several units match the query.

    Attributes
    ----------
    query : str
        What the caller asked for.
    candidates : list
        The matching :class:`chuanyu_geo.gazetteer.Place` records.
    """

    def __init__(self, message: str, query: str, candidates: list):
        super().__init__(message)
        self.query = query
        self.candidates = candidates


class DefinitionError(ChuanyuGeoError, ValueError):
    """A platform or region definition (TOML file or mapping) is malformed or inconsistent."""


class UnknownPlatformError(ChuanyuGeoError, LookupError):
    """No platform matches the key given to :func:`chuanyu_geo.get_platform`."""
