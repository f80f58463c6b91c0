"""Where data comes from: the package's own files and the data directories a user adds.

The package's files live in ``chuanyu_geo/data/`` and are found through
:func:`package_data_path` alone (their messages name them ``chuanyu_geo/data/<name>``). A data
directory (named by ``CHUANYU_GEO_DATA`` or set at run time with
:func:`set_data_dirs`) may hold ``vintages.toml``, ``plans.toml`` and their files. Nothing
is read when the package is imported: the registries load on first use, and
:func:`clear_caches` makes the next use read them again. Every file of an added directory
is read within a size limit, as a regular file inside that directory.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path, PurePosixPath

__all__ = ["set_data_dirs", "data_dirs", "clear_caches", "DATA_ENV"]


def parse_toml(text: str, origin: str) -> dict:
    """Parse TOML, naming ``origin`` (a file name) and the line in any syntax error."""
    import tomllib

    from ._errors import DefinitionError

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{origin} is not valid TOML: {exc}") from exc
    except RecursionError as exc:
        raise DefinitionError(f"{origin} is nested too deeply to be a definition file") from exc


DATA_ENV = "CHUANYU_GEO_DATA"

# The package's own data files: chuanyu_geo/data/ (the boundary layers join them in a wheel).
PACKAGE_DATA_DIR = "data"
PACKAGE_DATA_ORIGIN = f"chuanyu_geo/{PACKAGE_DATA_DIR}"

# Size limits of files read from a data source, far above any real file (the package's
# registries are 1-12 KB, its largest layer 5.7 MB): a shared directory cannot make a
# read run without bound.
MAX_USER_FILE_BYTES = 10_000_000
MAX_REGISTRY_BYTES = 1_000_000  # vintages.toml, plans.toml, boundaries/manifest.json
MAX_PLATFORM_FILE_BYTES = 5_000_000  # issue 9 payload tests hold 100 kB in every field: 2 MB
MAX_LAYER_BYTES = 200_000_000


def one_line_error(exc: BaseException) -> Exception:
    """``exc`` (an error reading a data source) as a fresh error of one line, for the CLI and
    notebooks alike; errors of our own classes keep their class."""
    from ._errors import DataIntegrityError, DefinitionError, InvalidArgumentError

    ours: tuple[type[Exception], ...] = (DataIntegrityError, DefinitionError, InvalidArgumentError)
    cls = next((c for c in ours if type(exc) is c), DataIntegrityError)
    return cls(" ".join(str(exc).split()))


def data_sources() -> list[tuple[str, Path | None]]:
    """Where registries and data files come from: the package, then each added directory.

    ``CHUANYU_GEO_DATA`` (directories separated by ``os.pathsep``), or
    :func:`set_data_dirs`, adds directories that may hold ``vintages.toml``, ``plans.toml``
    and their files (``boundaries/`` with a ``manifest.json``, platform files,
    ``crosswalk.csv`` rows): a new vintage or plan is
    data, with no change to the code. Read when the registries load, at the first data
    call (never at import): an error is raised by that call and every later one.

    An added directory is untrusted input. Only regular files are read (a FIFO or a
    device is refused), each within a size limit; a symlink must resolve to a file inside
    its data directory; every malformed file is one error naming it. The sha256 sums in
    ``boundaries/manifest.json`` catch accidental damage (a truncated copy, an edited
    file) but not tampering: the manifest sits in the directory it protects, so whoever
    can change a layer can change its sum. Add only directories you trust as much as code.

    Returns
    -------
    list of (origin, directory)
        ``("chuanyu_geo", None)`` for the package's own files first.

    Raises
    ------
    InvalidArgumentError
        An entry of ``CHUANYU_GEO_DATA`` is not a directory.
    """
    from ._errors import InvalidArgumentError

    sources: list[tuple[str, Path | None]] = [("chuanyu_geo", None)]
    if _configured is not None:  # set_data_dirs() wins over the environment
        return sources + [(str(folder), folder) for folder in _configured]
    for part in os.environ.get(DATA_ENV, "").split(os.pathsep):
        if not part.strip():
            continue
        try:
            folder = Path(part).expanduser()
        except RuntimeError as exc:  # "~someone" with no such user
            raise InvalidArgumentError(f"{DATA_ENV} names {part!r}, which cannot be expanded: {exc}") from exc
        if not folder.is_dir():
            raise InvalidArgumentError(f"{DATA_ENV} names {part!r}, which is not a directory")
        sources.append((str(folder), folder))
    return sources


def read_bounded(path: Path, what: str, limit: int, error: type | None = None) -> bytes:
    """Bytes of the regular file ``path``, at most ``limit`` of them, or ``error`` naming it.

    The file is opened without blocking and checked on the open descriptor, so a FIFO or a
    device (also one swapped in after a check by name) is refused instead of read.

    Parameters
    ----------
    path : pathlib.Path
    what : str
        How the message names the file ("boundary file").
    limit : int
        Largest size accepted, in bytes (stated in the error).
    error : exception class, optional
        DefinitionError by default.

    Returns
    -------
    bytes
    """
    from ._errors import DefinitionError

    error = error or DefinitionError
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise error(f"{what} {str(path)!r} cannot be opened: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero would never end
            raise error(f"{what} {str(path)!r} is not a regular file; expected a file within {limit:,} bytes")
        if info.st_size > limit:
            raise error(f"{what} {str(path)!r} is {info.st_size:,} bytes; the limit is {limit:,} bytes")
        chunks, size = [], 0
        while size <= limit:  # read one byte past the limit: a file that grows is still bounded
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error(f"{what} {str(path)!r} cannot be read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if size > limit:
        raise error(f"{what} {str(path)!r} grew past the limit of {limit:,} bytes while it was read")
    return b"".join(chunks)


def read_confined(
    folder: Path,
    name: str,
    what: str,
    limit: int,
    error: type | None = None,
    scope: str = "its data directory",
) -> bytes | None:
    """Bytes of ``name`` in the data directory ``folder``, or None if there is no such entry.

    ``name`` (a relative path) and every symlink on the way must lead to a regular file
    inside ``folder`` (after resolving symlinks); see :func:`read_bounded` for the rest.
    """
    from ._errors import DefinitionError

    error = error or DefinitionError
    path = folder / name
    if not os.path.lexists(path):
        return None
    try:
        root = folder.resolve(strict=True)
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a dangling symlink or a loop
        reason = (
            exc.strerror if isinstance(exc, OSError) and exc.strerror else "a symlink loop or dangling link"
        )
        raise error(f"{what} {str(path)!r} cannot be resolved: {reason}") from exc
    if not real.is_relative_to(root):
        raise error(
            f"{what} {str(path)!r} leads outside {scope} {str(root)!r}; a file named there must stay "
            f"inside it"
        )
    return read_bounded(real, what, limit, error)


def decode_text(data: bytes, path: str, what: str) -> str:
    """UTF-8 text of ``data`` (a BOM is allowed), or a DefinitionError naming ``path``."""
    from ._errors import DefinitionError

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            f"{what} {path!r} is not UTF-8 text (undecodable byte at offset {exc.start}); save it as UTF-8"
        ) from exc
    if "\x00" in text:
        raise DefinitionError(
            f"{what} {path!r} holds NUL characters (a binary or UTF-16 file?); save it as UTF-8 text"
        )
    return text


def read_source_text(folder: Path | None, name: str, limit: int = MAX_USER_FILE_BYTES) -> str | None:
    """Text of ``name`` in a data source (None: the package), or None if it has no such file.

    A file of an added directory is read as :func:`read_confined` says (regular, inside the
    directory, at most ``limit`` bytes, UTF-8).
    """
    if folder is None:
        path = package_data_path(name)
        return path.read_text(encoding="utf-8") if path.is_file() else None
    data = read_confined(folder, name, "data file", limit)
    return None if data is None else decode_text(data, str(folder / name), "data file")


def origin_of(folder: Path | None, name: str) -> str:
    """How error messages name a data file of a source."""
    return f"{PACKAGE_DATA_ORIGIN}/{name}" if folder is None else str(folder / name)


def registry_files(name: str):
    """``(folder, origin, parsed TOML)`` of each data source that has the registry ``name``."""
    for _, folder in data_sources():
        text = read_source_text(folder, name, MAX_REGISTRY_BYTES)
        if text is not None:
            origin = origin_of(folder, name)
            yield folder, origin, parse_toml(text, origin)


def read_user_text(path: Path, what: str, limit: int = MAX_USER_FILE_BYTES) -> str:
    """UTF-8 text of a user's file (a BOM is allowed), or a DefinitionError naming the file."""
    from ._errors import DefinitionError

    if path.is_dir():
        raise DefinitionError(f"{what} {str(path)!r} is a directory; expected a UTF-8 text file")
    if not path.exists():
        raise DefinitionError(f"{what} {str(path)!r} does not exist")
    if not path.is_file():  # a FIFO would block, /dev/zero would never end
        raise DefinitionError(f"{what} {str(path)!r} is not a regular file; expected a UTF-8 text file")
    return decode_text(read_bounded(path, what, limit), str(path), what)


def package_data_path(name: str) -> Path:
    """Path of the package's own data file (or folder) ``name``: ``chuanyu_geo/data/<name>``.

    Every reader of the package's files finds them here, so they have one home. A data
    directory a user adds keeps its own layout (``vintages.toml`` at its root).

    Parameters
    ----------
    name : str
        A relative path with ``/`` between folders (``"plans.toml"``, ``"census/LICENSE"``).

    Returns
    -------
    pathlib.Path
        The path whether or not the file exists.

    Raises
    ------
    ValueError
        ``name`` is absolute or climbs out of ``chuanyu_geo/data`` with ``..``.

    Examples
    --------
    >>> from chuanyu_geo.sources import package_data_path
    >>> path = package_data_path("census/LICENSE")
    >>> path.relative_to(path.parents[2]).as_posix()
    'data/census/LICENSE'
    >>> path.is_file()
    True
    """
    parts = PurePosixPath(name).parts
    if PurePosixPath(name).is_absolute() or ".." in parts or "\\" in name:
        raise ValueError(f"package data file {name!r}: expected a relative path inside chuanyu_geo/data")
    return Path(__file__).parent.joinpath(PACKAGE_DATA_DIR, *parts)


def read_package_text(name: str) -> str:
    """Text of a data file shipped inside the package (``chuanyu_geo/data/<name>``)."""
    return package_data_path(name).read_text(encoding="utf-8")


def read_package_toml(name: str) -> dict:
    """A TOML file of the package's data, parsed; errors name it ``chuanyu_geo/data/<name>``.

    Examples
    --------
    >>> from chuanyu_geo.sources import read_package_toml
    >>> [plan["id"] for plan in read_package_toml("plans.toml")["plans"]]
    ['2020', '2023']
    """
    return parse_toml(read_package_text(name), origin_of(None, name))


# --------------------------------------------------------------------------- run-time settings

# Directories set by set_data_dirs(); None: read CHUANYU_GEO_DATA at each first use.
_configured: list[Path] | None = None


def set_data_dirs(*dirs: str | os.PathLike | None) -> None:
    """Use these data directories instead of ``CHUANYU_GEO_DATA``, from the next data call on.

    Each directory may add vintages (``vintages.toml`` and ``boundaries/``), plans
    (``plans.toml`` and platform files) and crosswalk rows, exactly as an entry of
    ``CHUANYU_GEO_DATA`` does. The caches built from the previous directories are cleared
    (:func:`clear_caches`), so the next call reads the registries again. ``set_data_dirs()``
    with no argument uses the package's own data only; ``set_data_dirs(None)`` goes back to
    reading ``CHUANYU_GEO_DATA``.

    Parameters
    ----------
    *dirs : str or os.PathLike, or a single None
        Existing directories, in order of precedence after the package's own files.

    Raises
    ------
    InvalidArgumentError
        A path that is not an existing directory (nothing is changed then).

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> cg.set_data_dirs()  # the package's data alone, whatever the environment says
    >>> cg.data_dirs()
    []
    >>> cg.set_data_dirs(None)  # back to CHUANYU_GEO_DATA
    """
    from ._errors import InvalidArgumentError

    global _configured
    if dirs == (None,):
        _configured = None
    else:
        folders = []
        for entry in dirs:
            if entry is None or not isinstance(entry, str | os.PathLike):
                raise InvalidArgumentError(
                    f"set_data_dirs: {entry!r} is not a path; expected directory paths (or a single None)"
                )
            folder = Path(entry).expanduser()
            if not folder.is_dir():
                raise InvalidArgumentError(f"set_data_dirs: {str(entry)!r} is not a directory")
            folders.append(folder)
        _configured = folders
    clear_caches()


def data_dirs() -> list[Path]:
    """The data directories in use after the package's own files (set or from the environment).

    Raises
    ------
    InvalidArgumentError
        An entry of ``CHUANYU_GEO_DATA`` is not a directory.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> all(folder.is_dir() for folder in cg.data_dirs())
    True
    """
    return [folder for _, folder in data_sources() if folder is not None]


def clear_caches() -> None:
    """Forget every registry, layer and result cached by the package.

    The next call reads the data files again: after editing a file of a data directory, or
    after changing ``CHUANYU_GEO_DATA`` in a running session. Results already returned are
    not affected.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> cg.clear_caches()
    """
    # Every cache is a functools.cache / lru_cache on a module-level function of the package
    # (or a staticmethod); walking the imported modules finds them all, also new ones.
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "chuanyu_geo" or name.startswith("chuanyu_geo.")):
            continue
        for value in list(vars(module).values()):
            _clear(value)
            if isinstance(value, type) and value.__module__ == name:
                for member in list(vars(value).values()):
                    _clear(getattr(member, "__func__", member))


def _clear(value: object) -> None:
    clear = getattr(value, "cache_clear", None)
    if callable(clear):
        clear()
