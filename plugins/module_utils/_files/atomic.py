# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way this collection replaces a file: a reader sees the old content or the new, never a mix.

Standard library only: the rollback's restore.py (a copy of _rollback/snapshot.py that a systemd
timer runs long after the module has gone) takes a copy of this file along and imports it.
"""

from __future__ import annotations

import os
import stat
import tempfile

# A leading dot: networkd, systemd-sysctl and udev skip hidden names, so a crash between the
# write and the rename never leaves a half-written file that one of them would read.
TEMPORARY_PREFIX = ".hostnet-"


def write_atomically(path, content, mode=None, uid=None, gid=None):
    """Replace (or create) ``path`` with the bytes ``content``.

    ``mode``, ``uid`` and ``gid`` are set when given; what is not given is kept from the file
    being replaced (a new file gets mode 0644 and the writer's owner). The content reaches the
    disk (fsync) before the rename, and the rename before the function returns (fsync of the
    directory). On any error nothing is left behind and ``path`` is as it was.
    """
    directory = os.path.dirname(path)
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    if existing is not None:
        mode = stat.S_IMODE(existing.st_mode) if mode is None else mode
        uid = existing.st_uid if uid is None else uid
        gid = existing.st_gid if gid is None else gid
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=TEMPORARY_PREFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644 if mode is None else mode)
        if uid is not None or gid is not None:
            os.chown(temporary, -1 if uid is None else uid, -1 if gid is None else gid)
        os.rename(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    sync_directory(directory)


def sync_directory(directory):
    """fsync a directory, so that a rename or an unlink in it survives a crash."""
    descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
