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


class FileSystemView:
    """What the library needs to know about files: names, bytes, masks."""

    def list_dir(self, path):
        """Names in the directory ``path``; empty when it is missing or not a directory."""
        raise NotImplementedError

    def read_bytes(self, path):
        """The bytes of the file at ``path``; raises OSError when it cannot be read."""
        raise NotImplementedError

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
    """The real filesystem below ``root`` (``/`` for the running host).

    Absolute symlinks are resolved inside the root, as systemd would see them
    from within a chroot, so auditing a mounted image never reads the host's files.
    """

    def __init__(self, root="/"):
        self.root = os.path.abspath(root)
        # Resolved directories. The view is read while nothing changes the tree (the module
        # writes only after its last read), and an audit resolves the same few directories
        # for thousands of files.
        self._directories = {"/": "/"}

    def host_path(self, path):
        """The path on the controller's or target's real filesystem for ``path`` inside the root."""
        return os.path.join(self.root, path.lstrip("/")) if self.root != "/" else path

    def _resolve(self, path, depth=0):
        """Follow symlinks inside the root; returns the resolved in-root path."""
        if depth > 32:
            raise OSError(errno.ELOOP, "Too many levels of symbolic links", path)
        directory, name = posixpath.split(posixpath.normpath("/" + path.lstrip("/")))
        if not name:
            return "/"
        if directory not in self._directories:
            self._directories[directory] = self._resolve(directory, depth)
        parent = self._directories[directory]
        candidate = posixpath.join(parent, name)
        real = self.host_path(candidate)
        if os.path.islink(real):
            target = os.readlink(real)
            joined = target if target.startswith("/") else posixpath.join(parent, target)
            return self._resolve(posixpath.normpath(joined), depth + 1)
        return candidate

    def list_dir(self, path):
        try:
            return sorted(os.listdir(self.host_path(self._resolve(path))))
        except OSError:
            return []

    def read_bytes(self, path):
        with open(self.host_path(self._resolve(path)), "rb") as stream:
            return stream.read()

    def is_dir(self, path):
        try:
            return os.path.isdir(self.host_path(self._resolve(path)))
        except OSError:
            return False

    def is_file(self, path):
        try:
            resolved = self._resolve(path)
        except OSError:
            return False
        return resolved == "/dev/null" or os.path.isfile(self.host_path(resolved))

    def is_masked(self, path):
        try:
            resolved = self._resolve(path)
        except OSError:
            return False
        if resolved == "/dev/null":
            return True
        try:
            return os.stat(self.host_path(resolved)).st_size == 0
        except OSError:
            return False


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

    def read_bytes(self, path):
        resolved = self._resolve(path)
        if resolved == "/dev/null":
            return b""
        entry = self.files.get(resolved)
        if entry is None:
            if self.is_dir(resolved):
                raise OSError(errno.EISDIR, "Is a directory", path)
            raise OSError(errno.ENOENT, "No such file or directory", path)
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

    def read_bytes(self, path):
        if path in self.changes:
            if self.changes[path] is None:
                raise OSError(errno.ENOENT, "No such file or directory", path)
            return self.changes[path]
        return self.base.read_bytes(path)

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
