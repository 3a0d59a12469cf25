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

READ_SIZE = 64 * 1024


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

    def real_directory(self, path):
        """``path`` with its symlinks resolved inside the view (merged /usr: /lib/x is /usr/lib/x)."""
        return path


class RootFileSystem(FileSystemView):
    """The real filesystem below ``root`` (``/`` for the running host).

    Absolute symlinks are resolved inside the root, as systemd would see them
    from within a chroot, so auditing a mounted image never reads the host's files.
    """

    def __init__(self, root="/"):
        self.root = os.path.abspath(root)
        self._host_prefix = self.root + "/"
        # In-root path -> (resolved in-root path, st_mode, st_size), both None when it cannot be
        # examined. The view is read while nothing changes the tree (the module writes only after
        # its last read), and an audit asks is_file(), is_masked() and read_bytes() of thousands
        # of files in the same few directories: each path component costs one lstat(), once.
        self._lookups = {}

    def host_path(self, path):
        """The path on the controller's or target's real filesystem for ``path`` inside the root."""
        return self._host_prefix + path.lstrip("/") if self.root != "/" else path

    def _lookup(self, path, depth=0):
        """(resolved in-root path, st_mode, st_size); symlinks are followed inside the root.

        The resolved path is never a symlink, so its lstat() is the stat() a
        caller would otherwise make.
        """
        found = self._lookups.get(path)
        if found is None:
            normalized = posixpath.normpath("/" + path.lstrip("/"))
            found = self._lookups.get(normalized)
            if found is None:
                found = self._lookups[normalized] = self._follow(normalized, depth)
            self._lookups[path] = found
        return found

    def _follow(self, path, depth):
        """Resolve normalized ``path``: its directory through the cache, then its last component."""
        if depth > 32:
            raise OSError(errno.ELOOP, "Too many levels of symbolic links", path)
        directory, name = posixpath.split(path)
        if not name:
            return ("/",) + _mode_and_size(os.stat, self.root)    # the root itself may be a symlink on the host
        parent = self._lookup(directory, depth)[0]
        candidate = posixpath.join(parent, name)
        mode, size = _mode_and_size(os.lstat, self.host_path(candidate))
        if mode is not None and stat.S_ISLNK(mode):
            target = os.readlink(self.host_path(candidate))
            return self._lookup(target if target.startswith("/") else posixpath.join(parent, target), depth + 1)
        return candidate, mode, size

    def _resolve(self, path):
        """Follow symlinks inside the root; returns the resolved in-root path."""
        return self._lookup(path)[0]

    def real_directory(self, path):
        try:
            return self._resolve(path)
        except OSError:
            return path

    def list_dir(self, path):
        try:
            return sorted(os.listdir(self.host_path(self._resolve(path))))
        except OSError:
            return []

    def read_bytes(self, path):
        # os.open() and os.read() rather than open(): no file object to build, no fstat().
        descriptor = os.open(self.host_path(self._resolve(path)), os.O_RDONLY | os.O_CLOEXEC)
        try:
            chunks = []
            chunk = os.read(descriptor, READ_SIZE)
            while chunk:
                chunks.append(chunk)
                chunk = os.read(descriptor, READ_SIZE)
            return b"".join(chunks)
        finally:
            os.close(descriptor)

    def is_dir(self, path):
        try:
            mode = self._lookup(path)[1]
        except OSError:
            return False
        return mode is not None and stat.S_ISDIR(mode)

    def is_file(self, path):
        try:
            resolved, mode, _size = self._lookup(path)
        except OSError:
            return False
        return resolved == "/dev/null" or (mode is not None and stat.S_ISREG(mode))

    def is_masked(self, path):
        try:
            resolved, _mode, size = self._lookup(path)
        except OSError:
            return False
        return resolved == "/dev/null" or size == 0


def _mode_and_size(stat_call, host_path):
    """(st_mode, st_size) from ``stat_call(host_path)``, (None, None) when the path cannot be examined."""
    try:
        status = stat_call(host_path)
    except OSError:
        return None, None
    return status.st_mode, status.st_size


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

    def real_directory(self, path):
        return self.base.real_directory(path)
