"""Atomic file output: a crash or an error never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same directory.

    Parameters
    ----------
    path : path-like
        Destination; its directory must exist.
    text : str
        Content.

    Returns
    -------
    pathlib.Path
        The destination.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp creates 0600; give the usual file mode
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def parse_toml(text: str, origin: str) -> dict:
    """Parse TOML, naming ``origin`` (a file name) and the line in any syntax error."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    from ._errors import DefinitionError

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{origin} is not valid TOML: {exc}") from exc


def read_package_text(name: str) -> str:
    """Text of a data file shipped inside the package."""
    from importlib import resources

    return resources.files("chuanyu_geo").joinpath(name).read_text(encoding="utf-8")
