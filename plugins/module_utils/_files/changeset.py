# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply a set of file changes below a root all together or not at all, under a lock.

Three phases, every path resolved by confined.py and every file touched relative to the
descriptor of its resolved directory:

1. prepare: for each change, create the missing directories, check the file is still what
   the plan read (its bytes), keep the old file under a hidden name (a hard link, else a copy),
   make the backup when asked, and write the new content to a hidden temporary file (fsync'd,
   with the owner, mode and SELinux label of the file it replaces). Nothing visible changed yet.
2. commit: for each change, check once more that the file is the one kept (same inode) with the
   bytes the plan read, then rename the temporary file over it (or unlink it, for a removal).
3. finish: fsync the directories and drop the kept copies.

When any step fails, every file already renamed gets its kept copy back, the temporary files,
backups and created directories go, and ChangeFailed says which files were changed and which
not. Hidden names (a leading dot) are never read by networkd, udev or systemd-sysctl, so a
crash in between leaves at worst hidden files beside the configuration.

The lock serializes runs on one root: a run that writes takes it before its final read and
keeps it until its last rename.

Standard library only.
"""

from __future__ import annotations

import errno
import fcntl
import os
import posixpath
import stat
import time
from contextlib import contextmanager
from typing import NamedTuple, Optional

from .atomic import TEMPORARY_PREFIX
from .confined import MAX_FILE_SIZE, RefusedFile, read_descriptor

LOCK_PATH = "/etc/systemd/.hostnet-networkd.lock"
LOCK_TIMEOUT = 60.0         # seconds a run waits for another run on the same root
SELINUX_XATTR = "security.selinux"
# Ansible's backup_local() names: <file>.<pid>.<YYYY-MM-DD@HH:MM:SS>~ (at most 29 bytes more;
# the PID is at most 4194304). networkd reads neither the name (no .network/.conf suffix)
# nor the hidden temporary files.
BACKUP_SUFFIX_MAX = len(".4194304.2000-01-01@00:00:00~")

_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)


class Change(NamedTuple):
    """One file to change: ``before`` is what was read (None: absent), ``after`` what to write (None: remove)."""

    path: str
    before: Optional[bytes]
    after: Optional[bytes]


class ChangeFailed(Exception):
    """A change set that could not be applied; ``changed`` lists what is changed nevertheless.

    ``changed`` is empty unless restoring itself failed; ``unchanged`` lists the files that
    are as they were.
    """

    def __init__(self, message, changed=(), unchanged=()):
        super().__init__(message)
        self.message = message
        self.changed = list(changed)
        self.unchanged = list(unchanged)


class LockFailed(Exception):
    """The lock of the root could not be taken (busy for too long, or not a lock file)."""


@contextmanager
def root_lock(root, path=LOCK_PATH, timeout=LOCK_TIMEOUT):
    """Hold an exclusive flock() on the lock file ``path`` below ``root`` (a ConfinedRoot).

    The file is created (0600, hidden) when missing, with its directory; a lock path that is a
    symlink or not a regular file is an error, never followed. Waits at most ``timeout``
    seconds for another holder.
    """
    directory, name = posixpath.split(path)
    try:
        root.make_directories(directory)
        parent = root.descriptor(root.resolve_directory(directory))
        descriptor = os.open(name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
                             | getattr(os, "O_NOCTTY", 0), 0o600, dir_fd=parent)
    except OSError as error:
        raise LockFailed("cannot open the lock file %s: %s" % (path, error.strerror or error)) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise LockFailed("the lock file %s is not a regular file" % path)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockFailed("another run holds the lock %s for more than %d s; no file was changed"
                                     % (path, timeout)) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)      # releases the lock


def backup_name(name, now=None):
    """Ansible's backup_local() name for ``name``: ``<name>.<pid>.<YYYY-MM-DD@HH:MM:SS>~``."""
    stamp = time.strftime("%Y-%m-%d@%H:%M:%S~", time.localtime(now))
    return "%s.%d.%s" % (name, os.getpid(), stamp)


class _Step:
    """One change on its way: its directory (a descriptor of its own) and the hidden files made for it."""

    def __init__(self, change):
        self.change = change
        self.directory = None       # a dup'ed descriptor of the resolved directory
        self.location = None        # the resolved directory, as an in-root path
        self.name = posixpath.basename(change.path)
        self.original = None        # (st_dev, st_ino) of the name when prepared; None: it did not exist
        self.kept = None            # hidden name of the old file (hard link or copy)
        self.temporary = None       # hidden name of the new content
        self.backup = None          # name of the backup beside the file
        self.renamed = False

    def close(self):
        if self.directory is not None:
            os.close(self.directory)
            self.directory = None


def _hidden_name(directory, create):
    """Create a new hidden name in ``directory`` with ``create(name)``; retries on a clash."""
    for _attempt in range(100):
        name = "%s%s" % (TEMPORARY_PREFIX, os.urandom(6).hex())
        try:
            create(name)
            return name
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, "no free temporary name", directory)


def _write_new(directory, content, mode, uid, gid, label):
    """A hidden file with ``content`` in ``directory`` (a descriptor), fsync'd; returns its name."""
    holder = {}

    def create(name):
        holder["descriptor"] = os.open(name, _CREATE_FLAGS, 0o600, dir_fd=directory)

    name = _hidden_name(directory, create)
    descriptor = holder["descriptor"]
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view):]
        if uid is not None or gid is not None:
            status = os.fstat(descriptor)
            if (uid, gid) != (status.st_uid, status.st_gid):
                os.fchown(descriptor, -1 if uid is None else uid, -1 if gid is None else gid)
        os.fchmod(descriptor, mode)     # after fchown, which may clear set-id bits
        if label:
            os.setxattr(descriptor, SELINUX_XATTR, label)
        os.fsync(descriptor)            # content and attributes on disk before any rename
    except BaseException:
        os.close(descriptor)
        _unlink_quietly(directory, name)
        raise
    os.close(descriptor)
    return name


def _unlink_quietly(directory, name):
    try:
        os.unlink(name, dir_fd=directory)
    except OSError:
        pass


def _label_of(descriptor):
    try:
        return os.getxattr(descriptor, SELINUX_XATTR)
    except OSError:
        return None


def _current(step, follow_from):
    """(lstat of the name, bytes the name leads to or None): what the file is now.

    The bytes are read the way the plan read them: through confined resolution, following a
    symlink in last place inside the root; None when it leads to no file.
    """
    try:
        status = os.stat(step.name, dir_fd=step.directory, follow_symlinks=False)
    except FileNotFoundError:
        return None, None
    try:
        content = follow_from(step.change.path)
    except FileNotFoundError:
        content = None
    return status, content


class ChangeSet:
    """The changes of one run, applied by apply() or not at all.

    ``changes`` are objects with ``path`` (in the root), ``before`` (bytes the plan read, None
    for a file that did not exist) and ``after`` (new bytes, None to remove the file).
    ``selinux`` is None (labels are left to the kernel) or a callable giving the label bytes
    for a new file's host path; a replaced file keeps its own label either way when it has one.
    """

    def __init__(self, root, changes, backup=False, selinux=None):
        self.root = root
        self.changes = list(changes)
        self.backup = backup
        self.selinux = selinux
        self.steps = []
        self.created_directories = []

    # -- the phases -------------------------------------------------------------

    def apply(self):
        """Apply every change or none; returns the host paths of the backups made (where they really are).

        Raises ChangeFailed, with a message naming the file, the reason and what became of
        every other file.
        """
        try:
            try:
                for change in self.changes:
                    self._prepare(change)
                for step in self.steps:
                    self._commit(step)
            except (OSError, ChangeFailed) as error:
                raise self._failed(error) from None
            self._finish()
            return [self.root.host_path(posixpath.join(s.location, s.backup)) for s in self.steps if s.backup]
        finally:
            for step in self.steps:
                step.close()

    def _failed(self, error):
        """Undo what was done; the ChangeFailed that says which file failed and what became of the others."""
        renamed = [s.change.path for s in self.steps if s.renamed]
        not_restored = self._undo()
        failed = self._path_of(error)
        message = "could not write %s: %s" % (failed, _reason(error))
        restored = [path for path in renamed if path not in not_restored]
        if not_restored:
            message += ("; RESTORING FAILED for %s, which keep the new content (the old one is beside each, "
                        "under a hidden name starting with %s)" % (", ".join(not_restored), TEMPORARY_PREFIX))
        if restored:
            message += "; restored to what they were: %s" % ", ".join(restored)
        untouched = [c.path for c in self.changes if c.path not in renamed]
        if not not_restored:
            message += "; no file was changed"
        elif untouched:
            message += "; not changed: %s" % ", ".join(untouched)
        return ChangeFailed(message, changed=not_restored,
                            unchanged=[c.path for c in self.changes if c.path not in not_restored])

    def _prepare(self, change):
        step = _Step(change)
        self.steps.append(step)
        self._current_path = change.path
        directory = posixpath.dirname(change.path)
        if change.after is not None:
            self.created_directories.extend(self.root.make_directories(directory))
        resolved = self.root.resolve_directory(directory)
        step.location = self.root.joined(resolved)
        step.directory = os.dup(self.root.descriptor(resolved))
        status, content = _current(step, self.root.read_bytes)
        if content != change.before:
            raise ChangeFailed("the file changed since it was read")
        if status is not None:
            step.original = (status.st_dev, status.st_ino)
            step.kept = self._keep(step, status)
        mode, uid, gid, label = self._attributes(change.path)
        if self.backup and change.before is not None:
            temporary = _write_new(step.directory, change.before, mode, uid, gid, label)
            name = backup_name(step.name)
            try:
                os.stat(name, dir_fd=step.directory, follow_symlinks=False)
            except FileNotFoundError:
                os.rename(temporary, name, src_dir_fd=step.directory, dst_dir_fd=step.directory)
                step.backup = name
            else:
                _unlink_quietly(step.directory, temporary)
                raise FileExistsError(errno.EEXIST, "the backup %s exists already" % name)
        if change.after is not None:
            step.temporary = _write_new(step.directory, change.after, mode, uid, gid, label)

    def _attributes(self, path):
        """(mode, uid, gid, SELinux label) for the new content of ``path``.

        Those of the regular file ``path`` leads to (through the root) when there is one; else
        0644, the writer's owner and, with SELinux, the default label of the path.
        """
        directory, name, status = self.root.resolve(path)
        if name is not None and status is not None and stat.S_ISREG(status.st_mode):
            descriptor = os.open(name, _READ_FLAGS, dir_fd=self.root.descriptor(directory))
            try:
                current = os.fstat(descriptor)
                if stat.S_ISREG(current.st_mode):
                    label = _label_of(descriptor) if self.selinux is not None else None
                    return stat.S_IMODE(current.st_mode), current.st_uid, current.st_gid, label
            finally:
                os.close(descriptor)
        label = self.selinux(self.root.host_path(path)) if self.selinux is not None else None
        return 0o644, None, None, label

    def _keep(self, step, status):
        """Keep the file at ``step.name`` under a hidden name: a hard link, else a copy."""
        def link(name):
            os.link(step.name, name, src_dir_fd=step.directory, dst_dir_fd=step.directory, follow_symlinks=False)
        try:
            return _hidden_name(step.directory, link)
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EMLINK, errno.EXDEV, errno.EOPNOTSUPP, errno.ENOTSUP):
                raise
        if stat.S_ISLNK(status.st_mode):
            target = os.readlink(step.name, dir_fd=step.directory)
            return _hidden_name(step.directory, lambda name: os.symlink(target, name, dir_fd=step.directory))
        descriptor = os.open(step.name, _READ_FLAGS, dir_fd=step.directory)
        try:
            content = read_descriptor(descriptor, step.change.path, MAX_FILE_SIZE)
            copy = os.fstat(descriptor)
            label = _label_of(descriptor) if self.selinux is not None else None
        finally:
            os.close(descriptor)
        return _write_new(step.directory, content, stat.S_IMODE(copy.st_mode), copy.st_uid, copy.st_gid, label)

    def _commit(self, step):
        """Compare, then rename: the name must still be the file kept, with the bytes the plan read."""
        self._current_path = step.change.path
        status, content = _current(step, self.root.read_bytes)
        identity = None if status is None else (status.st_dev, status.st_ino)
        if identity != step.original or content != step.change.before:
            raise ChangeFailed("the file changed since it was read")
        if step.change.after is None:
            os.unlink(step.name, dir_fd=step.directory)
        else:
            os.rename(step.temporary, step.name, src_dir_fd=step.directory, dst_dir_fd=step.directory)
            step.temporary = None
        step.renamed = True

    def _finish(self):
        synced = set()
        for step in self.steps:
            status = os.fstat(step.directory)
            if (status.st_dev, status.st_ino) not in synced:
                os.fsync(step.directory)
                synced.add((status.st_dev, status.st_ino))
            if step.kept:
                _unlink_quietly(step.directory, step.kept)
        self.root.forget()

    def _undo(self):
        """Put back every renamed file, drop every hidden file and created directory; returns what stays changed."""
        not_restored = []
        for step in reversed(self.steps):
            if step.directory is None:
                continue
            if step.renamed:
                try:
                    if step.kept:
                        os.rename(step.kept, step.name, src_dir_fd=step.directory, dst_dir_fd=step.directory)
                        step.kept = None
                    else:
                        os.unlink(step.name, dir_fd=step.directory)
                    os.fsync(step.directory)
                except OSError:
                    not_restored.append(step.change.path)
                    continue
            for name in (step.temporary, step.kept, step.backup):
                if name:
                    _unlink_quietly(step.directory, name)
        for path in reversed(self.created_directories):
            try:
                directory, name, _status = self.root.resolve(path, follow_last=False)
                os.rmdir(name, dir_fd=self.root.descriptor(directory))
            except OSError:
                pass
        self.root.forget()
        return not_restored

    def _path_of(self, error):
        return getattr(self, "_current_path", None) or getattr(error, "filename", None) or "a file"


def _reason(error):
    if isinstance(error, ChangeFailed):
        return error.message
    if isinstance(error, RefusedFile):
        return error.strerror
    return error.strerror or str(error)
