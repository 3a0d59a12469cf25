# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The I/O edge of docker_host_info and docker_host_apply: the state of a path, and the writes.

``read_state`` describes a path without following a symbolic link. ``planned_write`` turns one
of docker_host_apply's entries into the write it needs (None for a path that is already as
wanted), and ``sysctls_to_set`` the sysctls into the ones that do not read 1; both check before
anything is written: a path that changed since the plan was made, an entry that makes no sense,
a /proc/sys file that cannot be written. ``apply`` then changes the files all together or not
at all, under the lock every writer of this collection takes (_files/changeset.py), sets their
owner and mode, and turns the sysctls on.
"""

from __future__ import annotations

import base64
import grp
import hashlib
import os
import posixpath
import pwd
import stat
from typing import NamedTuple, Optional

from .._files.changeset import LOCK_PATH, Change, ChangeSet, root_lock
from .._files.confined import ConfinedRoot, check_regular, read_descriptor
from .files import MISSING, FileState
from .sysctl_plan import proc_path

KINDS = ((stat.S_ISREG, "file"), (stat.S_ISDIR, "directory"), (stat.S_ISLNK, "link"))
NEW_FILE_MODE = 0o644
NEW_DIRECTORY_MODE = 0o755
PROC_SYS = "/proc/sys"
# The lock every writer of this collection takes on a root (tests point it elsewhere).
LOCK = LOCK_PATH


class EntryError(Exception):
    """An entry that cannot be written as asked; the message names the path."""


class Write(NamedTuple):
    """One change of a path: ``kind`` file (``content`` bytes), directory, or absent; with the owner and mode
    it gets, and the content it had (None when it had none)."""

    path: str
    kind: str
    content: Optional[bytes]
    mode: Optional[int]
    uid: Optional[int]
    gid: Optional[int]
    before: Optional[bytes]
    state: FileState


def read_state(path):
    """The FileState of ``path``; a symbolic link is described, not followed."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return MISSING
    kind = next((name for test, name in KINDS if test(status.st_mode)), "other")
    digest = None
    if kind == "file":
        digest = hashlib.sha256(read_bytes(path)).hexdigest()
    return FileState(kind, stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid, digest)


def read_bytes(path):
    """The bytes of the regular file ``path``, within the library's size limit (RefusedFile, an OSError, else).

    O_NOFOLLOW and O_NONBLOCK: a path replaced by a link or a FIFO since lstat is refused, not
    followed or waited on.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        check_regular(os.fstat(descriptor), path)
        return read_descriptor(descriptor, path)
    finally:
        os.close(descriptor)


def _user(name):
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        raise EntryError("no user %r on this host" % name)


def _group(name):
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise EntryError("no group %r on this host" % name)


def _content(entry):
    if entry.get("content_base64") is not None:
        return base64.b64decode(entry["content_base64"])
    return (entry.get("content") or "").encode("utf-8")


def _mode(entry, default):
    if entry.get("mode") is None:
        return default
    try:
        return int(entry["mode"], 8)
    except ValueError:
        raise EntryError("%s: mode %r is not an octal number" % (entry["path"], entry["mode"]))


def planned_write(entry):
    """The Write an entry needs, or None when the path is as wanted already. Raises EntryError."""
    path = entry["path"]
    if not posixpath.isabs(path) or posixpath.normpath(path) != path:
        raise EntryError("%s: the path must be absolute and normalized" % path)
    state = read_state(path)
    before = read_bytes(path) if state.kind == "file" else None
    expected = entry.get("before_sha256")
    if expected is not None and (expected or None) != (state.sha256 if state.kind == "file" else None):
        raise EntryError("%s changed since docker_host_info read it; run again to plan from what it holds now" % path)
    kind = entry.get("state", "file")
    if kind == "absent":
        if state.kind == "directory":
            raise EntryError("%s is a directory; only files are removed" % path)
        return None if state.kind is None else Write(path, "absent", None, None, None, None, before, state)
    if state.kind not in (None, kind):
        raise EntryError("%s is a %s, not a %s; remove it first" % (path, state.kind, kind))
    existing = state.kind is not None
    uid = _user(entry["owner"]) if entry.get("owner") else (state.uid if existing else 0)
    gid = _group(entry["group"]) if entry.get("group") else (state.gid if existing else 0)
    default_mode = state.mode if existing else (NEW_DIRECTORY_MODE if kind == "directory" else NEW_FILE_MODE)
    mode = _mode(entry, default_mode)
    content = _content(entry) if kind == "file" else None
    if existing and (state.mode, state.uid, state.gid) == (mode, uid, gid) and (kind == "directory" or before == content):
        return None
    return Write(path, kind, content, mode, uid, gid, before, state)


def sysctls_to_set(keys):
    """The keys that do not read 1 now, as (key, /proc/sys path, value read). Raises EntryError for a key
    whose file is missing or cannot be written (a read-only /proc/sys)."""
    result = []
    for key in keys:
        path = proc_path(key, PROC_SYS)
        try:
            with open(path) as stream:
                value = stream.read().strip()
        except OSError as error:
            raise EntryError("%s cannot be read at %s: %s" % (key, path, error.strerror))
        if value != "1":
            if not os.access(path, os.W_OK):
                raise EntryError("%s cannot be written at %s (is /proc/sys mounted read-only?)" % (key, path))
            result.append((key, path, value))
    return result


def missing_directories(path):
    """The directories above ``path`` that do not exist, outermost first (the ChangeSet creates them)."""
    missing = []
    directory = posixpath.dirname(path)
    while directory != "/" and not os.path.lexists(directory):
        missing.insert(0, directory)
        directory = posixpath.dirname(directory)
    return missing


def apply(writes, sysctls, root="/"):
    """Make ``writes`` and set ``sysctls`` to 1; returns the paths created, changed or removed.

    Under the lock of the root, the files' contents change all together or not at all (a
    ChangeSet: each compared with what was read just before it is replaced, the missing
    directories created root:root 0755); then each path gets the owner and mode it must have,
    then the sysctls are written. On an error, OSError (or the ChangeSet's ChangeFailed)
    propagates; ``done`` on it lists what was done before.
    """
    confined = ConfinedRoot(root)
    done = []
    try:
        with root_lock(confined, LOCK):
            contents = [Change(w.path, w.before, w.content) for w in writes
                        if w.kind != "directory" and (w.kind == "absent" or w.before != w.content)]
            for write in writes:
                if write.kind == "directory" and write.state.kind is None:
                    done.extend(confined.make_directories(write.path, write.mode))
            ChangeSet(confined, contents).apply()
            done.extend(change.path for change in contents)
            for write in writes:
                if write.kind != "absent":
                    os.chmod(write.path, write.mode)
                    os.chown(write.path, write.uid, write.gid)
            for key, path, _value in sysctls:
                with open(path, "w") as stream:
                    stream.write("1\n")
                done.append(path)
    except Exception as error:
        error.done = done
        raise
    finally:
        confined.close()
    return done


def diff(write):
    """The diff of one Write, as Ansible shows it."""
    def text(content, kind):
        if kind == "directory":
            return "(directory)\n"
        return "" if content is None else content.decode("utf-8", errors="replace")
    return {"before_header": write.path, "after_header": write.path,
            "before": text(write.before, write.state.kind), "after": text(write.content, write.kind)}


def sysctl_diff(key, path, value):
    return {"before_header": "%s (%s)" % (path, key), "after_header": "%s (%s)" % (path, key),
            "before": value + "\n", "after": "1\n"}
