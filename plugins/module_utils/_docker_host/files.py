# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a path is as the role wants it, and the entries that tell docker_host_apply what to write.

A file the role owns is as wanted when it is a regular file owned by root:root with its mode and
exactly its content; a directory when it is one, root:root, with its mode; an absent path when
nothing is there. The entries are plain data (JSON), so that docker_host_info can return them
and docker_host_apply write them.
"""

from __future__ import annotations

import base64
import hashlib
from typing import NamedTuple, Optional

ROOT = 0


class FileState(NamedTuple):
    """A path as found: ``kind`` is None (nothing there), file, directory, link or other."""

    kind: Optional[str] = None
    mode: Optional[int] = None
    uid: Optional[int] = None
    gid: Optional[int] = None
    sha256: Optional[str] = None


MISSING = FileState()


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def as_wanted(wanted, state):
    """Whether the path ``state`` describes is already what ``wanted`` (a render.WantedFile) asks for."""
    if wanted.kind == "absent":
        return state.kind is None
    return (state.kind == wanted.kind and state.mode == wanted.mode and state.uid == ROOT and state.gid == ROOT
            and (wanted.kind != "file" or state.sha256 == sha256(wanted.content)))


def content_fields(content):
    """``content`` (bytes) as an entry holds it: text when it is UTF-8, else base64."""
    try:
        return {"content": content.decode("utf-8")}
    except UnicodeDecodeError:
        return {"content_base64": base64.b64encode(content).decode("ascii")}


def wanted_entry(wanted):
    """The docker_host_apply entry for a file the role owns: root:root, its mode, its content."""
    entry = {"path": wanted.path, "state": wanted.kind}
    if wanted.mode is not None:
        entry.update(mode="%04o" % wanted.mode, owner="root", group="root")
    if wanted.kind == "file":
        entry.update(content_fields(wanted.content))
    return entry


def change_entry(change):
    """The docker_host_apply entry for a planned edit of networkd's files (a FixChange): the file keeps its
    owner and mode, and is written only if it still holds what the plan was made from."""
    entry = {"path": change.path, "state": "absent" if change.after is None else "file",
             "before_sha256": "" if change.before is None else sha256(change.before)}
    if change.after is not None:
        entry.update(content_fields(change.after))
    return entry
