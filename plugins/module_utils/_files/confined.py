# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every path below a root resolved the way a chroot resolves it, through directory descriptors.

An image root may hold any symlink: ``/etc/systemd/network -> /etc`` or ``-> ../../..`` means
the image's /etc to networkd booted from that image, but the host's /etc to a kernel that is
handed the joined path ``<root>/etc/systemd/network/x``. So no joined path is ever handed to
the kernel here. A path is walked one component at a time from a descriptor of the root:

* each directory is opened with ``O_DIRECTORY | O_NOFOLLOW`` relative to its parent's
  descriptor, so the kernel never follows a symlink on our behalf;
* a symlink met on the way is read (``readlink`` relative to its directory) and its target
  walked from the root when it is absolute, from the symlink's directory when relative;
* ``..`` goes back one resolved component and stops at the root, as in a chroot;
* more than MAX_SYMLINKS symlinks in one walk is ELOOP, as for the kernel.

Files are opened, created, renamed and removed relative to the descriptor of their resolved
directory, with ``O_NOFOLLOW`` on the last component. A symlink swapped in between a check
and a use therefore fails the use (ELOOP, ENOTDIR) instead of leading out of the root.

Only regular files are read, and only up to MAX_FILE_SIZE: a FIFO, a device, a socket or a
directory is refused from its lstat() before any open(), and the open itself is non-blocking.
With the root ``/`` this is the ordinary resolution of the host: symlinks lead where they lead.

Standard library only, like atomic.py.
"""

from __future__ import annotations

import errno
import os
import stat
from collections import OrderedDict

# No networkd, networkd.conf or sysctl.d file comes near this: networkd's own limit is one line
# of 1 MiB (LONG_LINE_MAX), and the largest such file of the sixteen test layouts and of the lab's
# Debian images is under 3 KiB (/etc/sysctl.conf, 2355 bytes). Anything larger is refused
# unread, so a 50 MB or a sparse 2 GB file costs one lstat().
MAX_FILE_SIZE = 4 * 1024 * 1024
MAX_SYMLINKS = 40                # the kernel's MAXSYMLINKS
OPEN_DIRECTORIES = 64            # descriptors of resolved directories kept open (least recently used go)
READ_SIZE = 64 * 1024

_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)

_KINDS = ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISLNK, "a symlink"))


class RefusedFile(OSError):
    """A file this layer does not read: not a regular file, or larger than the limit.

    ``strerror`` says why, in words a user can act on ("a FIFO, not a regular file").
    """


def kind_of(mode):
    """``a FIFO``, ``a directory``, ``a regular file``... for a st_mode."""
    return next((name for test, name in _KINDS if test(mode)), "of an unknown type")


def check_regular(status, path, limit=MAX_FILE_SIZE):
    """Raise RefusedFile unless ``status`` is a regular file of at most ``limit`` bytes."""
    if not stat.S_ISREG(status.st_mode):
        raise RefusedFile(errno.EINVAL, "%s, not a regular file" % kind_of(status.st_mode), path)
    if status.st_size > limit:
        raise RefusedFile(errno.EFBIG, "%d bytes, larger than the limit of %d bytes" % (status.st_size, limit), path)


def components(path):
    """The names of a path, without empty and ``.`` components (``..`` is kept)."""
    return [part for part in path.split("/") if part and part != "."]


def root_problem(root):
    """None when ``root`` is a directory this process can open, else a sentence naming it."""
    try:
        status = os.stat(root)
    except FileNotFoundError:
        return "root: %s does not exist" % root
    except OSError as error:
        return "root: %s cannot be examined: %s" % (root, error.strerror or error)
    if not stat.S_ISDIR(status.st_mode):
        return "root: %s is not a directory (it is %s)" % (root, kind_of(status.st_mode))
    try:
        os.close(os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
    except OSError as error:
        return "root: %s cannot be opened: %s" % (root, error.strerror or error)
    return None


def read_descriptor(descriptor, path, limit=MAX_FILE_SIZE):
    """At most ``limit`` bytes from an open regular file; RefusedFile when there are more.

    The size from fstat() is checked first; /proc files say 0 and are read up to the limit.
    """
    check_regular(os.fstat(descriptor), path, limit)
    chunks = []
    total = 0
    while True:
        chunk = os.read(descriptor, min(READ_SIZE, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise RefusedFile(errno.EFBIG, "larger than the limit of %d bytes" % limit, path)


class ConfinedRoot:
    """A root directory and the operations on the paths below it, all resolved inside it.

    Paths are absolute inside the root (``/etc/systemd/network/x.network``). Resolutions of
    directories are cached: the library reads while nothing changes the tree, and every method
    that changes it clears the cache. Call close() (or rely on garbage collection) to release
    the descriptors.
    """

    def __init__(self, root="/"):
        self.root = os.path.abspath(root)
        self._root_descriptor = None
        self._open = OrderedDict()      # resolved components -> descriptor
        self._directories = {}          # in-root directory path -> resolved components, or an OSError

    # -- descriptors ------------------------------------------------------------

    def close(self):
        for descriptor in self._open.values():
            os.close(descriptor)
        self._open.clear()
        if self._root_descriptor is not None:
            os.close(self._root_descriptor)
            self._root_descriptor = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # pylint: disable=broad-except
            pass           # at interpreter exit os may be gone; the descriptors go with the process

    def forget(self):
        """Drop the cached resolutions and descriptors: the tree changed, or may have."""
        self._directories.clear()
        for descriptor in self._open.values():
            os.close(descriptor)
        self._open.clear()

    def descriptor(self, resolved):
        """A descriptor of the directory at the ``resolved`` components (a tuple of names).

        Each component is opened with O_NOFOLLOW relative to its parent: a component that is
        no longer a directory (swapped for a symlink) fails with ELOOP or ENOTDIR. The
        descriptor stays valid until the next call; os.dup() it to keep it longer.
        """
        if not resolved:
            if self._root_descriptor is None:
                self._root_descriptor = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            return self._root_descriptor
        descriptor = self._open.get(resolved)
        if descriptor is not None:
            self._open.move_to_end(resolved)
            return descriptor
        parent = self.descriptor(resolved[:-1])
        descriptor = os.open(resolved[-1], _DIRECTORY_FLAGS, dir_fd=parent)
        self._open[resolved] = descriptor
        while len(self._open) > OPEN_DIRECTORIES:
            os.close(self._open.popitem(last=False)[1])
        return descriptor

    # -- resolution -------------------------------------------------------------

    def walk(self, start, names, follow_last=True, path=None):
        """Walk ``names`` from the resolved directory ``start``; returns (directory, name, lstat).

        ``directory`` is the resolved components of the directory holding the last
        component, ``name`` that component and ``lstat`` its lstat() result (None when it does
        not exist). With ``follow_last`` a symlink in last place is followed too, so
        ``lstat`` is never a symlink's. ``name`` is None when the walk ends on ``directory``
        itself (the root, a trailing ``..``, a symlink to a directory's ``.``).
        """
        path = path or "/" + "/".join(names)
        current = tuple(start)
        pending = list(reversed(names))
        followed = 0
        while pending:
            name = pending.pop()
            if name == "..":
                current = current[:-1]
                continue
            parent = self.descriptor(current)
            try:
                status = os.stat(name, dir_fd=parent, follow_symlinks=False)
            except FileNotFoundError:
                return self._missing(current, name, pending)
            if stat.S_ISLNK(status.st_mode) and (pending or follow_last):
                followed += 1
                if followed > MAX_SYMLINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
                target = os.readlink(name, dir_fd=parent)
                if target.startswith("/"):
                    current = ()
                pending.extend(reversed(components(target)))
                continue
            if not pending:
                return current, name, status
            if not stat.S_ISDIR(status.st_mode):
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
            current += (name,)
        return current, None, None

    @staticmethod
    def _missing(current, name, pending):
        """The rest of a walk once ``name`` does not exist: nothing below it can be a symlink.

        Like systemd's CHASE_NONEXISTENT, the remaining names are appended as they are, so that
        a link to /dev/null is recognised as a mask in an image that has no /dev. The lstat of
        the result is None: it does not exist (nor does anything past a ``..`` below it).
        """
        if ".." in pending:
            return current, name, None
        names = (name,) + tuple(reversed(pending))
        return current + names[:-1], names[-1], None

    def resolve(self, path, follow_last=True):
        """(directory, name, lstat) of ``path`` as walk() answers, its directory from the cache."""
        names = components(path)
        if not names or ".." in names:
            return self.walk((), names, follow_last, path)
        directory = self.resolve_directory("/" + "/".join(names[:-1]))
        return self.walk(directory, names[-1:], follow_last, path)

    def resolve_directory(self, path):
        """The resolved components of the directory ``path``; OSError when it is none."""
        found = self._directories.get(path)
        if found is None:
            try:
                found = self._directory_of(path)
            except OSError as error:
                found = error
            self._directories[path] = found
        if isinstance(found, OSError):
            raise type(found)(found.errno, found.strerror, path)
        return found

    def _directory_of(self, path):
        names = components(path)
        if not names:
            self.descriptor(())
            return ()
        if ".." in names:
            directory, name, status = self.walk((), names, True, path)
        else:
            parent = self.resolve_directory("/" + "/".join(names[:-1]))
            directory, name, status = self.walk(parent, names[-1:], True, path)
        if name is None:
            return directory
        if status is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        if not stat.S_ISDIR(status.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
        return directory + (name,)

    @staticmethod
    def joined(directory, name=None):
        """The in-root path of resolved components (and a name)."""
        return "/" + "/".join(directory + ((name,) if name else ()))

    def host_path(self, path):
        """Where ``path`` is on the host, for messages and SELinux lookups only: never open it."""
        return self.root.rstrip("/") + "/" + path.lstrip("/") if self.root != "/" else path

    # -- reading ----------------------------------------------------------------

    def read_bytes(self, path, limit=MAX_FILE_SIZE):
        """The bytes of the regular file ``path`` leads to; OSError (RefusedFile) otherwise.

        A path that resolves to /dev/null reads as nothing, whatever /dev/null is below
        the root: it is systemd's mask, and no device is ever opened.
        """
        directory, name, status = self.resolve(path)
        return self.read_resolved(directory, name, status, path, limit)

    def read_resolved(self, directory, name, status, path, limit=MAX_FILE_SIZE):
        """read_bytes() of ``path`` once resolve() has answered (directory, name, status) for it.

        The file is opened as read_bytes() opens it, with O_NOFOLLOW relative to its resolved
        directory, so a view that resolves each path once may read it later without resolving again.
        """
        if self.joined(directory, name) == "/dev/null":
            return b""
        if name is None:
            raise RefusedFile(errno.EISDIR, "a directory, not a regular file", path)
        if status is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        check_regular(status, path, limit)
        descriptor = os.open(name, _READ_FLAGS, dir_fd=self.descriptor(directory))
        try:
            return read_descriptor(descriptor, path, limit)
        finally:
            os.close(descriptor)

    def list_dir(self, path):
        """The names in the directory ``path``, sorted; OSError when it cannot be listed."""
        directory = self.resolve_directory(path)
        return sorted(os.listdir(self.descriptor(directory)))

    # -- changing ---------------------------------------------------------------

    def make_directories(self, path, mode=0o755):
        """Create the missing directories of ``path`` inside the root; returns the created ones.

        Existing components are followed as any resolution follows them (inside the root).
        """
        try:
            self.resolve_directory(path)
            return []
        except FileNotFoundError:
            pass
        names = components(path)
        if not names or ".." in names:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        parent_path = "/" + "/".join(names[:-1])
        created = self.make_directories(parent_path, mode)
        directory, name, status = self.walk(self.resolve_directory(parent_path), names[-1:], True, path)
        if name is None or status is not None:
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path)
        try:
            parent = self.descriptor(directory)
        except FileNotFoundError:
            raise FileNotFoundError(errno.ENOENT, "a symlink on the way leads to a missing directory", path) from None
        os.mkdir(name, mode, dir_fd=parent)
        self.forget()
        return created + [self.joined(directory, name)]
