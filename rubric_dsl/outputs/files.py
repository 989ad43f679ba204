"""Output files written whole or not at all (temporary file, then rename), and outputs that would overwrite an input."""

from __future__ import annotations

import contextlib
import os
import pathlib
import stat
import tempfile

from ..i18n import _


def write_atomically(path, data: bytes | str) -> None:
    """Replace `path` with `data` so that a reader sees the old file or the new one, never a part.

    The data goes to a temporary file in the same folder, is flushed to disk, and is renamed over the
    target: an interrupted run, a full disk or a size limit leaves the old file whole and no temporary
    behind. A symbolic link is followed (the file it names is replaced, the link stays). A target that
    is not a regular file (a terminal, a pipe, /dev/full) cannot be replaced: it is written directly,
    unbuffered, so a failed write is reported at once.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "backslashreplace")  # a lone surrogate from input is written as \ud800
    target = pathlib.Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(target, os.W_OK)):
        # renaming over it would succeed (even for root), but a read-only file says "do not change me"
        raise PermissionError(13, "the file is read-only", str(path))
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "wb", buffering=0) as stream:
            view = memoryview(data)
            while view:
                view = view[stream.write(view) :]
        return
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # keep an existing file's permissions; a new file gets the usual ones (mkstemp makes it private)
        if mode is not None:
            os.chmod(temporary, stat.S_IMODE(mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def same_file(a, b) -> bool:
    """Do two paths name one file (through links, `./`, or another spelling)?"""
    if str(a) == "-" or str(b) == "-":
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_overwriting_inputs(output, inputs, what: str) -> str | None:
    """The complaint when `output` is one of `inputs` (writing it would destroy what we read), or None."""
    for path in inputs:
        if same_file(output, path):
            return _("{option} {output} is also an input ({path}); write it somewhere else", option=what, output=output, path=path)
    return None
