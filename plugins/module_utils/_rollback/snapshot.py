# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Snapshots of networkd's configuration files, restored byte for byte: the rollback of a commit-confirmed apply.

A snapshot directory holds ``manifest.json`` (every file, directory and symlink under the saved roots,
with mode, owner and the SHA-256 of the content), ``blobs/<sha256>`` (the contents) and ``restore.py``.

``restore.py`` is a copy of this file. The rollback timer runs it on the host long after the Ansible
module that armed it has exited and taken its code along, so this file imports the standard library
only and runs as a program::

    python3 restore.py /var/lib/hostnet-networkd/rollback

which restores the snapshot, restarts systemd-networkd when anything changed, and records what it
did in ``fired.json``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import stat
import subprocess
import sys
import time

try:
    from .._files import atomic
except ImportError:     # restore.py, run as a program: the copy of atomic.py beside it
    import hostnet_atomic as atomic  # pylint: disable=import-error

write_atomically = atomic.write_atomically

MANIFEST = "manifest.json"
BLOBS = "blobs"
RESTORER = "restore.py"
RESTORER_WRITER = "hostnet_atomic.py"   # restore.py imports it from its own directory
ARMED = "armed.json"
FIRED = "fired.json"
NETWORKD_UNIT = "systemd-networkd.service"


class SnapshotError(Exception):
    """A snapshot that cannot be taken or restored; the message names the path."""


def scan(roots):
    """Describe every entry under ``roots`` as {path: entry}; a root that does not exist is left out."""
    entries = {}
    for root in roots:
        if os.path.lexists(root):
            _scan_entry(root, entries)
    return entries


def _scan_entry(path, entries):
    info = os.lstat(path)
    entry = {"mode": stat.S_IMODE(info.st_mode), "uid": info.st_uid, "gid": info.st_gid}
    if stat.S_ISLNK(info.st_mode):
        entry.update(type="symlink", target=os.readlink(path))
    elif stat.S_ISDIR(info.st_mode):
        entry["type"] = "directory"
        for name in sorted(os.listdir(path)):
            _scan_entry(os.path.join(path, name), entries)
    elif stat.S_ISREG(info.st_mode):
        with open(path, "rb") as stream:
            entry.update(type="file", sha256=hashlib.sha256(stream.read()).hexdigest())
    else:
        raise SnapshotError("%s is neither a file, a directory nor a symlink; it cannot be saved" % path)
    entries[path] = entry


def snapshot_id(roots, entries):
    """A digest of what the snapshot holds: the same files give the same id."""
    canonical = json.dumps({"roots": sorted(roots), "entries": entries}, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def load_manifest(directory):
    """The manifest saved in ``directory``, or None when there is none."""
    try:
        with open(os.path.join(directory, MANIFEST), encoding="utf-8") as stream:
            return json.load(stream)
    except FileNotFoundError:
        return None
    except ValueError as error:
        raise SnapshotError("%s is not a valid snapshot manifest: %s" % (os.path.join(directory, MANIFEST), error))


def save(roots, directory, check_mode=False):
    """Save ``roots`` into ``directory`` unless it already holds the same; returns (id, changed)."""
    roots = [os.path.normpath(root) for root in roots]
    entries = scan(roots)
    identity = snapshot_id(roots, entries)
    previous = load_manifest(directory)
    if previous is not None and previous.get("id") == identity and os.path.exists(os.path.join(directory, RESTORER)):
        return identity, False
    if check_mode:
        return identity, True
    blobs = os.path.join(directory, BLOBS)
    os.makedirs(blobs, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)   # the snapshot holds copies of files that may be readable by root only
    for path, entry in entries.items():
        if entry["type"] == "file" and not os.path.exists(os.path.join(blobs, entry["sha256"])):
            _save_blob(path, entry["sha256"], blobs)
    write_atomically(os.path.join(directory, RESTORER_WRITER), source_of(atomic), 0o600)
    write_atomically(os.path.join(directory, RESTORER), source_of(sys.modules[__name__]), 0o700)
    manifest = {"id": identity, "saved_at": time.time(), "roots": roots, "entries": entries}
    write_atomically(os.path.join(directory, MANIFEST), json.dumps(manifest, indent=1, sort_keys=True).encode(), 0o600)
    _prune_blobs(blobs, entries)
    return identity, True


def _save_blob(path, digest, blobs):
    with open(path, "rb") as stream:
        content = stream.read()
    if hashlib.sha256(content).hexdigest() != digest:
        raise SnapshotError("%s changed while it was being saved; run again" % path)
    write_atomically(os.path.join(blobs, digest), content, 0o600)


def source_of(module):
    """A module's text; inspect finds it also inside the zipped payload Ansible runs modules from."""
    return inspect.getsource(module).encode("utf-8")


def _prune_blobs(blobs, entries):
    wanted = {entry["sha256"] for entry in entries.values() if entry["type"] == "file"}
    for name in os.listdir(blobs):
        if name not in wanted:
            os.unlink(os.path.join(blobs, name))


def restore(directory):
    """Make the saved roots what the snapshot holds again; returns the paths it changed, sorted."""
    manifest = load_manifest(directory)
    if manifest is None:
        raise SnapshotError("%s holds no snapshot to restore" % directory)
    wanted = manifest["entries"]
    current = scan(manifest["roots"])
    changed = []
    # Deepest paths first, so a directory is empty by the time it is removed.
    for path in sorted(set(current) - set(wanted), key=lambda p: p.count(os.sep), reverse=True):
        _remove(path, current[path])
        changed.append(path)
    # Parents first, so every file has its directory.
    for path in sorted(wanted, key=lambda p: p.count(os.sep)):
        if current.get(path) != wanted[path]:
            _put(path, wanted[path], current.get(path), directory)
            changed.append(path)
    return sorted(set(changed))


def _remove(path, entry):
    if entry["type"] == "directory":
        os.rmdir(path)
    else:
        os.unlink(path)


def _put(path, entry, present, directory):
    if present is not None and present["type"] != entry["type"]:
        if present["type"] == "directory":
            os.rmdir(path)   # its contents are gone already: they are not in the snapshot
        else:
            os.unlink(path)
        present = None
    if entry["type"] == "directory":
        if present is None:
            os.mkdir(path, entry["mode"])
        os.chmod(path, entry["mode"])
        os.chown(path, entry["uid"], entry["gid"])
    elif entry["type"] == "symlink":
        temporary = os.path.join(os.path.dirname(path), ".hostnet-%d-%s" % (os.getpid(), os.path.basename(path)))
        os.symlink(entry["target"], temporary)
        os.lchown(temporary, entry["uid"], entry["gid"])
        os.rename(temporary, path)
    else:
        with open(os.path.join(directory, BLOBS, entry["sha256"]), "rb") as stream:
            write_atomically(path, stream.read(), entry["mode"], entry["uid"], entry["gid"])


def roll_back(directory, restart=None):
    """Restore the snapshot, restart networkd if anything changed, and record it in ``fired.json``.

    ``restart`` runs a command and returns its exit status; the default runs it with subprocess.
    """
    restart = restart or subprocess.call
    changed = restore(directory)
    status = restart(["systemctl", "restart", NETWORKD_UNIT]) if changed else None
    record = {"snapshot": load_manifest(directory)["id"], "fired_at": time.time(),
              "restored": changed, "networkd_restart_status": status}
    write_atomically(os.path.join(directory, FIRED), json.dumps(record, indent=1).encode(), 0o600)
    return record


def main(argv):
    """The rollback timer's program: ``restore.py DIRECTORY``."""
    if len(argv) != 2:
        sys.stderr.write("usage: %s SNAPSHOT_DIRECTORY\n" % argv[0])
        return 2
    try:
        record = roll_back(argv[1])
    except (OSError, SnapshotError) as error:
        sys.stderr.write("hostnet.networkd rollback failed: %s\n" % error)
        return 1
    sys.stdout.write("hostnet.networkd rollback: restored %s; networkd restart exit status %s\n"
                     % (", ".join(record["restored"]) or "nothing (the files were unchanged)",
                        record["networkd_restart_status"]))
    return 1 if record["networkd_restart_status"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
