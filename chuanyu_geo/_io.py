"""Atomic file output: a crash or an error never leaves a half-written file behind.

Files are written to a temporary sibling and renamed over the target. Directories (the
report) are staged beside the target and swapped in with one atomic exchange
(``renameat2(RENAME_EXCHANGE)`` on Linux, ``renamex_np(RENAME_SWAP)`` on macOS), so the
target is at every instant either the previous complete directory or the new one.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import stat
import sys
import tempfile
import time
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
    from ._errors import InvalidArgumentError

    target = Path(path)
    if target.is_dir():
        raise InvalidArgumentError(f"{target} is a directory; expected a file path")
    if target.exists() and not target.is_file():  # a FIFO or a device: never replace it
        raise InvalidArgumentError(f"{target} exists and is not a regular file; choose another output path")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{_short(target.name)}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # name the user's path, not our temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
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
    import tomllib

    from ._errors import DefinitionError

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{origin} is not valid TOML: {exc}") from exc
    except RecursionError as exc:
        raise DefinitionError(f"{origin} is nested too deeply to be a definition file") from exc


# --------------------------------------------------------------------------- data directories

DATA_ENV = "CHUANYU_GEO_DATA"

# Size limits of files read from a data source, far above any real file (the package's
# registries are 1-12 KB, its largest layer 5.7 MB): a shared directory cannot make a
# read run without bound.
MAX_USER_FILE_BYTES = 10_000_000
MAX_REGISTRY_BYTES = 1_000_000  # vintages.toml, plans.toml, boundaries/manifest.json
MAX_PLATFORM_FILE_BYTES = 5_000_000  # issue 9 payload tests hold 100 kB in every field: 2 MB
MAX_LAYER_BYTES = 200_000_000

# A data-source error found while the registries load at import: kept, so that
# `import chuanyu_geo` works, and raised again by every data call (raise_deferred).
_deferred: list[BaseException] = []


def defer_error(exc: BaseException) -> None:
    """Keep ``exc`` (a data-source error found at import) for :func:`raise_deferred`."""
    _deferred[:] = [exc]


def raise_deferred() -> None:
    """Raise, as a fresh one-line error, the data-source error kept at import, if any.

    Every data call goes through here (data_sources, check_choice), so nothing silently
    runs on the package's data alone when the user's directory could not be read.
    """
    from ._errors import DataIntegrityError, DefinitionError, InvalidArgumentError

    if not _deferred:
        return
    kept = _deferred[0]
    cls = (
        type(kept)
        if type(kept) in (DataIntegrityError, DefinitionError, InvalidArgumentError)
        else (DataIntegrityError)
    )
    raise cls(" ".join(str(kept).split())) from kept


def deferred_message() -> str | None:
    """The data-source error kept at import, as one line, or None."""
    return " ".join(str(_deferred[0]).split()) if _deferred else None


def data_sources() -> list[tuple[str, Path | None]]:
    """Where registries and data files come from: the package, then each added directory.

    ``CHUANYU_GEO_DATA`` (directories separated by ``os.pathsep``) adds directories that
    may hold ``vintages.toml``, ``plans.toml`` and their files (``boundaries/`` with a
    ``manifest.json``, platform files, ``crosswalk.csv`` rows): a new vintage or plan is
    data, with no change to the code. Read when the registries load (at import); an error
    found then does not stop ``import chuanyu_geo`` but is raised by every data call.

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

    raise_deferred()
    sources: list[tuple[str, Path | None]] = [("chuanyu_geo", None)]
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
        from importlib import resources

        entry = resources.files("chuanyu_geo").joinpath(name)
        return entry.read_text(encoding="utf-8") if entry.is_file() else None
    data = read_confined(folder, name, "data file", limit)
    return None if data is None else decode_text(data, str(folder / name), "data file")


def origin_of(folder: Path | None, name: str) -> str:
    """How error messages name a data file of a source."""
    return f"chuanyu_geo/{name}" if folder is None else str(folder / name)


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


def read_package_text(name: str) -> str:
    """Text of a data file shipped inside the package."""
    from importlib import resources

    return resources.files("chuanyu_geo").joinpath(name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- directories

STAGING_TAG = "chuanyu-staging"


def _short(name: str) -> str:
    """A name short enough to prefix a temporary file with (names may be up to 255 bytes)."""
    return (
        name
        if len(name.encode("utf-8", "surrogateescape")) <= 60
        else hashlib.sha1(os.fsencode(name)).hexdigest()[:16]
    )


def _staging_prefix(target: Path) -> str:
    return f".{_short(target.name)}.{STAGING_TAG}-"


def staging_dir(target: Path) -> Path:
    """A fresh, empty sibling of ``target`` (mode as for ``mkdir``) to build its new content in.

    Its name carries this process's id, so :func:`remove_stale_staging` can tell the
    leftovers of killed runs from the work of runs still going.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{_staging_prefix(target)}{os.getpid()}-", dir=target.parent))
    except OSError as exc:  # name the user's path, not our temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
    staging.chmod(0o777 & ~current_umask())  # mkdtemp creates 0700
    return staging


def remove_stale_staging(target: Path, max_age_s: float = 86_400) -> list[Path]:
    """Remove staging directories of ``target`` left by runs that were killed.

    A staging directory is stale when the process named in it no longer runs, or when it
    is older than ``max_age_s`` (process ids are reused).
    """
    removed: list[Path] = []
    prefix = _staging_prefix(target)
    if not target.parent.is_dir():
        return removed
    for entry in target.parent.iterdir():
        if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
            continue
        pid_text = entry.name[len(prefix) :].split("-", 1)[0]
        try:
            age = time.time() - entry.stat().st_mtime
        except FileNotFoundError:
            continue
        if not pid_text.isdigit() or not _process_alive(int(pid_text)) or age > max_age_s:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


_AT_FDCWD = -100
_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2  # linux/fs.h
_MAC_RENAME_SWAP, _MAC_RENAME_EXCL = 0x2, 0x4  # sys/stdio.h


def _libc_rename(source: Path, dest: Path, flag: str) -> None:
    """Rename with ``flag`` ("exchange" or "noreplace"); NotImplementedError where unsupported."""
    libc = ctypes.CDLL(None, use_errno=True)
    a, b = os.fsencode(source), os.fsencode(dest)
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        result = libc.renameat2(
            _AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE if flag == "exchange" else _RENAME_NOREPLACE
        )
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(a, b, _MAC_RENAME_SWAP if flag == "exchange" else _MAC_RENAME_EXCL)
    else:
        raise NotImplementedError
    if result != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # kernel or file system without it
            raise NotImplementedError
        raise OSError(code, os.strerror(code), str(source), None, str(dest))


def swap_directory(staging: Path, target: Path) -> None:
    """Put the complete directory ``staging`` at ``target`` in one atomic step.

    A missing target is created by an atomic no-replace rename; an existing one is
    exchanged with ``staging`` and the old content (now at ``staging``) removed. When
    another writer creates the target first, the exchange replaces its result: both end,
    and the target holds one complete directory. Without an exchange primitive (other
    systems), two renames are used and the old content is kept until the second succeeds.
    """
    for _ in range(100):
        try:
            if not os.path.lexists(target):
                try:
                    _libc_rename(staging, target, "noreplace")
                except NotImplementedError:
                    os.rename(staging, target)  # fails on a non-empty directory created meanwhile
                return
            _libc_rename(staging, target, "exchange")
        except NotImplementedError:
            old = target.with_name(f"{_staging_prefix(target)}{os.getpid()}-old")
            os.rename(target, old)
            os.rename(staging, target)
            shutil.rmtree(old, ignore_errors=True)
            return
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOENT):
                continue  # another writer created or removed the target in between: try again
            raise
        shutil.rmtree(staging, ignore_errors=True)  # the previous content
        return
    raise OSError(errno.EBUSY, "the target kept changing while it was being replaced", str(target))
