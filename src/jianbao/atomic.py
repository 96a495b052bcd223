"""Atomic writes: a reader sees the old file or the new one, never half of one.

``write_bytes_atomic`` does it for one file (temp file + rename). ``publish_folder``
does it for a folder of files that belong together, such as a build's outputs
and their manifest: the new set is written into a staging folder beside the
target, made durable, then swapped with the target in one rename, so after a
crash, kill -9 or a full disk the target holds the complete old set or the
complete new one — never a mix, never a temp file.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from jianbao.errors import JianbaoError

try:
    import fcntl
except ImportError:  # not POSIX: builds of one period are not serialized
    fcntl = None  # type: ignore[assignment]

_TEMP_SUFFIX = ".tmp"
_STAGING = ".staging-"  # .<target>.staging-XXXX: a set being written, or the old set being removed
_RETIRED = ".old-"  # .<target>.old-XXXX: the complete old set, between the renames of the fallback swap
# What the person running the build can fix (space, permissions, the disk): a message, not a traceback.
_ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM, errno.EROFS, errno.EIO}
_SPACE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class OutputWriteError(JianbaoError):
    """Files could not be written for a reason outside jianbao (disk full, no permission, read-only)."""

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` in one rename; OutputWriteError when the disk or permissions refuse."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX)
        _write_fd(fd, data)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise _explained(exc, f"writing {path}") from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is a temp file ``write_bytes_atomic`` left behind when its process was killed."""
    return name.startswith(".") and name.endswith(_TEMP_SUFFIX)


class Staging:
    """The folder a new set is written into; ``publish_folder`` makes it the target."""

    def __init__(self, path: Path, previous: Path) -> None:
        self.path = path
        self.previous = previous  # the target as it is: the set being replaced (may not exist)

    def write(self, name: str, data: bytes) -> Path:
        """A file of the new set, on disk (fsynced) before the set is published."""
        path = self.path / name
        _write_fd(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), data)
        return path

    def carry_over(self, skip: Collection[str]) -> list[str]:
        """Bring every entry of the previous set not named in ``skip`` into the new one; their names.

        Files are hard-linked (no space needed, same bytes), or copied where the
        file system cannot link; leftover temp files are not carried.
        """
        if not self.previous.is_dir():
            return []
        carried = []
        for entry in sorted(self.previous.iterdir()):
            if entry.name not in skip and not is_temp_name(entry.name):
                _carry(entry, self.path / entry.name)
                carried.append(entry.name)
        return carried


@contextmanager
def publish_folder(target: Path, size: int = 0) -> Iterator[Staging]:
    """A staging folder beside ``target`` that replaces ``target``, as one set, when the block ends.

    One build of a target at a time (a lock beside it); first, leftovers of
    killed builds are removed. If the block raises, the staging folder is
    removed and ``target`` is untouched; a disk or permission problem becomes
    OutputWriteError saying so (``size``: the bytes the new set needs, for the
    message).
    """
    existed = target.is_dir()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target.parent / f".{target.name}.lock"):
            _recover(target)
            existed = target.is_dir()
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}{_STAGING}"))
            # mkdtemp makes 0700: keep the mode the folder had, or make it as mkdir would.
            os.chmod(staging, stat.S_IMODE(target.stat().st_mode) if existed else 0o777 & ~_umask())
            try:
                yield Staging(staging, target)
                _fsync_tree(staging)
                _swap(staging, target)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            # Published: from here on nothing may fail the build.
            _fsync_dir(target.parent, strict=False)
            shutil.rmtree(staging, ignore_errors=True)  # the old set, if there was one
    except OSError as exc:
        space = f" (needs about {max(size / 1e6, 0.1):.1f} MB)" if exc.errno in _SPACE_ERRNOS else ""
        kept = "the previous outputs are unchanged" if existed else "nothing was written"
        raise _explained(exc, f"writing {target}/{space}: {kept}") from None


def _explained(exc: OSError, what: str) -> BaseException:
    """OutputWriteError in one line for what the user can fix; any other OSError as it was."""
    if exc.errno not in _ENVIRONMENT_ERRNOS:
        return exc
    reason = os.strerror(exc.errno)
    return OutputWriteError(f"{reason[:1].lower()}{reason[1:]} {what}", exc.errno)


def _write_fd(fd: int, data: bytes) -> None:
    """Write all of ``data`` to the open ``fd``, make it durable, and close it."""
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared like any file
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _carry(src: Path, dst: Path) -> None:
    """``src`` as ``dst``, folders recursively (their mode kept), without temp files; OSError as it comes."""
    if src.is_dir() and not src.is_symlink():
        os.mkdir(dst)
        os.chmod(dst, stat.S_IMODE(src.stat().st_mode))
        for child in sorted(src.iterdir()):
            if not is_temp_name(child.name):
                _carry(child, dst / child.name)
    else:
        _link_or_copy(src, dst)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EMLINK, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copy2(src, dst, follow_symlinks=False)
        if not dst.is_symlink():
            _fsync_file(dst)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    """Make the folders of the new set durable: its files were fsynced as they were written."""
    for folder, _dirs, _files in os.walk(root, topdown=False):
        _fsync_dir(Path(folder))


def _fsync_dir(folder: Path, strict: bool = True) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        if strict:
            raise


def _swap(staging: Path, target: Path) -> None:
    """Make ``staging`` the target; afterwards ``staging`` holds the old set (or nothing).

    With renameat2(RENAME_EXCHANGE) the two folders trade places in one step. Where
    the kernel or file system lacks it, the old set is renamed aside first: a kill
    between the two renames leaves it complete under .<target>.old-…, and the next
    build puts it back (``_recover``) before doing anything else.
    """
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    retired = staging.with_name(staging.name.replace(_STAGING, _RETIRED, 1))
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    os.rename(retired, staging)


def _recover(target: Path) -> None:
    """Undo what a killed build left beside ``target``: an interrupted swap, staging folders."""
    retired = sorted(target.parent.glob(f".{target.name}{_RETIRED}*"), key=lambda p: p.stat().st_mtime)
    if retired and not target.exists():
        os.rename(retired.pop(), target)
    for leftover in [*retired, *target.parent.glob(f".{target.name}{_STAGING}*")]:
        shutil.rmtree(leftover, ignore_errors=True)


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where that is unsupported."""
    func = _renameat2()
    if func is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if func(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created if need be); the kernel drops it if the process dies."""
    if fcntl is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
