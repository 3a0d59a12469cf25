# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An image root inside a sandbox directory that also holds files outside the root.

Symlinks in the root may point at the sandbox's files by their absolute host path or climb to
them with ``..``; snapshot() records everything outside the root (names, types, contents, modes,
mtimes), so a test can assert that nothing there was read into the image, written, created or
removed.
"""

from __future__ import annotations

import os
import stat

SENTINEL = b"host file: must never change\n"


class Sandbox:
    """``base``/root is the image root; ``base``/outside holds sentinel files, laid out like a host."""

    def __init__(self, base):
        self.base = str(base)
        self.root = os.path.join(self.base, "root")
        self.outside = os.path.join(self.base, "outside")
        os.makedirs(self.root)
        for path in ("etc/systemd/network/10-uplink0.network", "etc/systemd/network/10-uplink0.network.d/"
                     "50-hostnet-forwarding.conf", "etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf",
                     "etc/passwd", "host.network", "d/50-hostnet-forwarding.conf"):
            self.write(os.path.join("outside", path), SENTINEL)

    def write(self, relative, content, mode=0o644):
        """Write ``content`` at ``relative`` below the sandbox (a str or bytes path), with its directories."""
        path = os.path.join(self.base.encode() if isinstance(relative, bytes) else self.base, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(content)
        os.chmod(path, mode)
        return path

    def in_root(self, relative, content, mode=0o644):
        """Write a file below the root."""
        prefix = b"root/" if isinstance(relative, bytes) else "root/"
        return self.write(prefix + relative.lstrip(b"/" if isinstance(relative, bytes) else "/"), content, mode)

    def symlink(self, relative, target):
        """A symlink at ``relative`` below the root, to ``target`` (as the image would hold it)."""
        path = os.path.join(self.root, relative.lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target, path)
        return path

    def read(self, relative):
        with open(os.path.join(self.root, relative.lstrip("/")), "rb") as stream:
            return stream.read()

    def snapshot(self):
        """{path: (type, mode, mtime, content or link target)} of everything outside the root."""
        return snapshot(self.base, skip=self.root)


def snapshot(top, skip=None):
    """Everything below ``top`` but ``skip``, as comparable data; nothing is followed or opened but files."""
    result = {}
    for directory, dirnames, filenames in os.walk(top):
        if skip is not None:
            dirnames[:] = [d for d in dirnames if os.path.join(directory, d) != skip]
        for name in dirnames + filenames:
            path = os.path.join(directory, name)
            if path == skip:
                continue
            status = os.lstat(path)
            if stat.S_ISLNK(status.st_mode):
                content = os.readlink(path)
            elif stat.S_ISREG(status.st_mode):
                with open(path, "rb") as stream:
                    content = stream.read()
            else:
                content = None
            result[path] = (stat.S_IFMT(status.st_mode), stat.S_IMODE(status.st_mode), status.st_mtime_ns, content)
    return result
