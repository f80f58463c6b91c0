"""Exception types raised by chuanyu_geo.

Every error names the offending input and what was expected, so a notebook user can fix
the call without reading the library's source.
"""

from __future__ import annotations


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
        super().__init__(message, *args)
        self.cli_message = cli

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
    """

    def __init__(self, message: str, query: str, suggestions: list[str]):
        super().__init__(message)
        self.query = query
        self.suggestions = suggestions


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
