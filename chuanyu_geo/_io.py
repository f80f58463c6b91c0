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
import sys
import tempfile
import time
from pathlib import Path

# Data sources moved to .sources; imported here for modules that still name them from _io.
from .sources import (  # noqa: F401
    DATA_ENV,
    MAX_LAYER_BYTES,
    MAX_PLATFORM_FILE_BYTES,
    MAX_REGISTRY_BYTES,
    MAX_USER_FILE_BYTES,
    data_sources,
    decode_text,
    origin_of,
    parse_toml,
    read_bounded,
    read_confined,
    read_package_text,
    read_source_text,
    read_user_text,
    registry_files,
)


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
