# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A read-only view of a filesystem, so the library never touches the real one directly.

Every path the library handles is absolute *inside* the viewed root
(``/etc/systemd/network/10-uplink.network``), whether the root is ``/``, a
mounted image, or an in-memory tree in a unit test.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat

from .confined import MAX_FILE_SIZE, ConfinedRoot


class FileSystemView:
    """What the library needs to know about files: names, bytes, masks."""

    def why_not_a_file(self, path):
        """Why ``path`` is no file to read, in a few words ("a FIFO, not a regular file", "a dangling symlink")."""
        try:
            self.read_bytes(path)
        except FileNotFoundError:
            listed = posixpath.basename(path) in self.list_dir(posixpath.dirname(path))
            return "a dangling symlink" if listed else "missing"
        except OSError as error:
            return error.strerror or str(error)
        return "not a regular file"

    def list_dir(self, path):
        """Names in the directory ``path``; empty when it is missing or not a directory."""
        raise NotImplementedError

    def read_bytes(self, path, limit=MAX_FILE_SIZE):
        """The bytes of the file at ``path``; raises OSError when it cannot be read.

        Files that are not regular or hold more than ``limit`` bytes are refused (OSError).
        """
        raise NotImplementedError

    def real_directory(self, path):
        """``path`` with its symlinks resolved inside the view (merged /usr: /lib/x is /usr/lib/x)."""
        return path

    def problems(self):
        """Sentences about what could not be read (a directory that cannot be listed), for warnings."""
        return []

    def is_dir(self, path):
        raise NotImplementedError

    def is_file(self, path):
        """True for a regular file, or a symlink that resolves to one (or to /dev/null)."""
        raise NotImplementedError

    def is_masked(self, path):
        """True when systemd treats ``path`` as masked: a symlink to /dev/null or an empty file.

        systemd's null_or_empty_path() accepts both (src/basic/stat-util.c).
        """
        raise NotImplementedError


class RootFileSystem(FileSystemView):
    """The real filesystem below ``root`` (``/`` for the running host), read through confined.py.

    Symlinks are resolved inside the root, as systemd would see them from within a chroot, so
    auditing a mounted image never reads the host's files. Only regular files are read, up to
    MAX_FILE_SIZE; anything else is an OSError of that file (RefusedFile says why).
    Directories that exist but cannot be listed read as empty and are named in problems().
    """

    def __init__(self, root="/"):
        self.confined = ConfinedRoot(root)
        self.root = self.confined.root
        # In-root path -> (resolved in-root path, lstat result or None, OSError or None). The view
        # is read while nothing changes the tree (the module writes through a ConfinedRoot of its
        # own, after its last read), and an audit asks is_file(), is_masked() and read_bytes() of
        # thousands of files in the same few directories.
        self._lookups = {}
        self._problems = []

    def host_path(self, path):
        """Where ``path`` is on the host: for messages only, never opened."""
        return self.confined.host_path(path)

    def problems(self):
        return list(self._problems)

    def _lookup(self, path):
        """(resolved in-root path, its stat, (directory, name) as resolved); Nones when it cannot be resolved."""
        found = self._lookups.get(path)
        if found is None:
            try:
                directory, name, status = self.confined.resolve(path)
                if name is None:        # the path ends on a directory itself: the root, a "..", a link to "."
                    status = os.fstat(self.confined.descriptor(directory))
                found = (self.confined.joined(directory, name), status, (directory, name))
            except OSError:
                found = (None, None, None)
            self._lookups[path] = found
        return found

    def real_directory(self, path):
        resolved = self._lookup(path)[0]
        return path if resolved is None else resolved

    def list_dir(self, path):
        try:
            return self.confined.list_dir(path)
        except FileNotFoundError:
            return []
        except OSError as error:
            problem = ("%s: directory cannot be read (%s): the files in it are not counted, so the prediction "
                       "is incomplete" % (path, error.strerror or error))
            if problem not in self._problems:
                self._problems.append(problem)
            return []

    def read_bytes(self, path, limit=MAX_FILE_SIZE):
        _resolved, status, place = self._lookup(path)
        if place is None:   # it cannot be resolved: the confined root raises the error it meets
            return self.confined.read_bytes(path, limit)
        directory, name = place
        return self.confined.read_resolved(directory, name, status, path, limit)

    def is_dir(self, path):
        status = self._lookup(path)[1]
        return status is not None and stat.S_ISDIR(status.st_mode)

    def is_file(self, path):
        resolved, status, _place = self._lookup(path)
        return resolved == "/dev/null" or (status is not None and stat.S_ISREG(status.st_mode))

    def is_masked(self, path):
        resolved, status, _place = self._lookup(path)
        return resolved == "/dev/null" or (status is not None and stat.S_ISREG(status.st_mode)
                                           and status.st_size == 0)


class Symlink:
    """A symlink in a MemoryFileSystem."""

    def __init__(self, target):
        self.target = target

    def __repr__(self):
        return "Symlink(%r)" % self.target


class MemoryFileSystem(FileSystemView):
    """An in-memory tree for tests: ``{"/etc/x.network": b"...", "/etc/y": Symlink("/dev/null")}``.

    Directories exist implicitly as parents of the files.
    """

    def __init__(self, files=None):
        self.files = dict(files or {})

    def _resolve(self, path, depth=0):
        if depth > 32:
            raise OSError(errno.ELOOP, "Too many levels of symbolic links", path)
        entry = self.files.get(path)
        if isinstance(entry, Symlink):
            target = entry.target
            if not target.startswith("/"):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            return self._resolve(target, depth + 1)
        return path

    def list_dir(self, path):
        prefix = path.rstrip("/") + "/"
        return sorted({name[len(prefix):].split("/", 1)[0]
                       for name in self.files if name.startswith(prefix)})

    def real_directory(self, path):
        try:
            return self._resolve(path)
        except OSError:
            return path

    def read_bytes(self, path, limit=MAX_FILE_SIZE):
        resolved = self._resolve(path)
        if resolved == "/dev/null":
            return b""
        entry = self.files.get(resolved)
        if entry is None:
            if self.is_dir(resolved):
                raise OSError(errno.EISDIR, "a directory, not a regular file", path)
            raise OSError(errno.ENOENT, "No such file or directory", path)
        if len(entry) > limit:
            raise OSError(errno.EFBIG, "%d bytes, larger than the limit of %d bytes" % (len(entry), limit), path)
        return entry

    def is_dir(self, path):
        prefix = path.rstrip("/") + "/"
        return any(name.startswith(prefix) for name in self.files)

    def is_file(self, path):
        try:
            resolved = self._resolve(path)
        except OSError:
            return False
        return resolved == "/dev/null" or isinstance(self.files.get(resolved), bytes)

    def is_masked(self, path):
        try:
            resolved = self._resolve(path)
        except OSError:
            return False
        return resolved == "/dev/null" or self.files.get(resolved) == b""


class OverlayFileSystem(FileSystemView):
    """``base`` with some files replaced or removed: the state a plan would leave.

    ``changes`` maps in-root paths to new bytes, or to None for a removed file.
    The module audits this view to report what the host will look like after
    the change, in check mode too, without writing anything.
    """

    def __init__(self, base, changes):
        self.base = base
        self.changes = dict(changes)

    def list_dir(self, path):
        names = set(self.base.list_dir(path))
        prefix = path.rstrip("/") + "/"
        for changed, content in self.changes.items():
            if not changed.startswith(prefix):
                continue
            name, below = changed[len(prefix):].partition("/")[::2]
            if below:
                if content is not None:
                    names.add(name)     # a directory a planned file creates
            elif content is None:
                names.discard(name)
            else:
                names.add(name)
        return sorted(names)

    def read_bytes(self, path, limit=MAX_FILE_SIZE):
        if path in self.changes:
            if self.changes[path] is None:
                raise OSError(errno.ENOENT, "No such file or directory", path)
            return self.changes[path]
        return self.base.read_bytes(path, limit)

    def problems(self):
        return self.base.problems()

    def is_dir(self, path):
        prefix = path.rstrip("/") + "/"
        return self.base.is_dir(path) or any(
            p.startswith(prefix) and c is not None for p, c in self.changes.items())

    def is_file(self, path):
        if path in self.changes:
            return self.changes[path] is not None
        return self.base.is_file(path)

    def is_masked(self, path):
        if path in self.changes:
            return self.changes[path] == b""
        return self.base.is_masked(path)

    def real_directory(self, path):
        return self.base.real_directory(path)
