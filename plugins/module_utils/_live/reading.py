# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small readers the live modules share: a file's text or number, a command's output, the mount table.

None of them raises for a missing file or tool: the value is None, and the caller says what that loses.
"""

from __future__ import annotations

import os
import re
from typing import Callable, List, Optional, Tuple

Runner = Callable[[List[str]], Tuple[int, str, str]]
Which = Callable[[str], Optional[str]]
Ethtool = Callable[[str], Tuple[Optional[str], Optional[str]]]


def read_text(fs, path):
    """The text of ``path``, or None when it cannot be read."""
    try:
        return fs.read_bytes(path).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def read_line(fs, path):
    text = read_text(fs, path)
    if text is None:
        return None
    text = text.strip()
    return text or None


def parse_int(text):
    if text is None:
        return None
    try:
        return int(str(text).strip(), 0 if str(text).strip().lower().startswith("0x") else 10)
    except ValueError:
        return None


def run_tool(runner, which, name, args):
    """``(rc, stdout, stderr)`` of ``name args``, or None when the tool is missing or cannot run."""
    try:
        path = which(name)
    except Exception:  # a broken lookup is a missing tool
        path = None
    if not path:
        return None
    try:
        rc, out, err = runner([path] + list(args))
    except Exception:  # pylint: disable=broad-except
        return None
    return rc, out or "", err or ""


def file_mtime(fs):
    """``mtime(path)`` for the files of ``fs`` (a RootFileSystem): seconds since the epoch, None when missing."""
    def mtime(path):
        try:
            return os.stat(fs.host_path(path)).st_mtime
        except (OSError, ValueError):
            return None
    return mtime


def add_warning(warnings, message):
    if warnings is not None and message not in warnings:
        warnings.append(message)


def parse_env_lines(text):
    """``KEY=value`` lines (a sysfs uevent file) -> dict."""
    result = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            result[key.strip()] = value
    return result


def _unescape_mount_path(path):
    """/proc/self/mountinfo escapes space, tab, newline and backslash as octal."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), path)


def read_mounts(fs):
    """``[(mount point, read_only)]`` in mount order, or None when nothing can be read."""
    text = read_text(fs, "/proc/self/mountinfo")
    if text:
        mounts = []
        for line in text.splitlines():
            fields = line.split()
            if len(fields) < 6:
                continue
            options = fields[5].split(",")
            super_options = []
            if "-" in fields[6:]:
                rest = fields[fields.index("-", 6) + 1:]
                if len(rest) >= 3:
                    super_options = rest[2].split(",")
            mounts.append((_unescape_mount_path(fields[4]), "ro" in options or "ro" in super_options))
        return mounts
    text = read_text(fs, "/proc/mounts")
    if text:
        mounts = []
        for line in text.splitlines():
            fields = line.split()
            if len(fields) >= 4:
                mounts.append((_unescape_mount_path(fields[1]), "ro" in fields[3].split(",")))
        return mounts
    return None


def path_read_only(mounts, path):
    """Whether the mount that holds ``path`` is read-only; None when no mount covers it."""
    best = None
    best_len = -1
    for mount_point, read_only in mounts or ():
        prefix = mount_point.rstrip("/") + "/"
        if path == mount_point or path.startswith(prefix):
            # Later mounts on the same point are stacked on top: they win.
            if len(mount_point) >= best_len:
                best, best_len = read_only, len(mount_point)
    return best
