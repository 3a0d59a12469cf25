# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Snapshots of networkd's configuration files, restored byte for byte: the rollback of a commit-confirmed apply.

A snapshot directory holds ``manifest.json`` (every file, directory and symlink under the saved roots,
with mode, owner and the SHA-256 of the content), ``blobs/<sha256>`` (the contents), ``restore.py``, the
records of the timer (``armed.json``, ``started.json``, ``fired.json``) and ``lock``.

``restore.py`` is a copy of this file. The rollback timer runs it on the host, as root, long after the
Ansible module that armed it has exited and taken its code along, so this file imports the standard
library only and runs as a program::

    python3 restore.py /var/lib/hostnet-networkd/rollback

which restores the snapshot, restarts systemd-networkd when anything changed, and records what it
did in ``fired.json``.

Because root runs what the directory holds, the directory is trusted only when nobody but root can
have put anything there: it and every directory above it must be real directories (no symlink), owned
by root and writable by root only. Missing components are created with mode 0700; an existing
component is never changed (no chmod, no chown), only checked. The directory must lie apart from the
saved paths, or a restore would remove the snapshot it restores from.

Every step takes ``lock`` (flock) first: saving, arming, confirming, and restoring (by the timer, by
hand or by the module), so a confirmation and a restore never overlap. A restore records that it has
started (``started.json``) before it changes anything, and what it did when it has finished
(``fired.json``); a confirmation that finds a restore started since the timer was armed fails.
The reasons are in docs/internals/rollback.md.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import inspect
import json
import os
import re
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
STARTED = "started.json"
FIRED = "fired.json"
LOCK = "lock"
NETWORKD_UNIT = "systemd-networkd.service"

# Whose the rollback directory and every directory above it must be, from TRUSTED_TOP down: root's,
# because the timer runs restore.py from it as root. The unit tests move both to a private tree.
OWNER_UID = 0
TRUSTED_TOP = os.sep

# How long a step waits for the lock that another step holds, in seconds.
LOCK_WAIT = 30.0
RESTORE_LOCK_WAIT = 300.0

_SHA256 = re.compile(r"\A[0-9a-f]{64}\Z")
_TYPES = ("file", "directory", "symlink")


class SnapshotError(Exception):
    """A snapshot that cannot be taken or restored, or a record that cannot be read; the message names the path."""


class RestoreUnderWay(SnapshotError):
    """The lock is held by a restore that started since the timer was armed."""


# The directory -----------------------------------------------------------------------------------


def trusted_directory(directory, create=False):
    """Check that ``directory`` can only hold what root put there; with ``create``, make what is missing.

    Every component from TRUSTED_TOP down must be a directory, not a symlink, owned by OWNER_UID and
    not writable by its group or by others. A missing component is created with mode 0700 when
    ``create`` is true (and never when false: then the answer is False). Returns whether the directory exists.
    Raises SnapshotError naming the first component that breaks a rule, and the rule.
    """
    if not isinstance(directory, str) or not os.path.isabs(directory):
        raise SnapshotError("%r: the rollback directory must be an absolute path" % (directory,))
    path = os.path.normpath(directory)
    top = os.path.normpath(TRUSTED_TOP)
    if path != top and not path.startswith(top.rstrip(os.sep) + os.sep):
        raise SnapshotError("%s is outside %s, where the rollback directory must lie" % (path, top))
    relative = os.path.relpath(path, top)
    components = [top]
    if relative != os.curdir:
        for name in relative.split(os.sep):
            components.append(os.path.join(components[-1], name))
    for component in components:
        try:
            info = os.lstat(component)
        except FileNotFoundError:
            if not create:
                return False
            os.mkdir(component, 0o700)
            info = os.lstat(component)
        _check_component(component, info)
    return True


def _check_component(path, info):
    rule = "the rollback directory and every directory above it must be"
    if stat.S_ISLNK(info.st_mode):
        raise SnapshotError("%s is a symlink: %s real directories, never symlinks, because restore.py runs as root "
                            "from there" % (path, rule))
    if not stat.S_ISDIR(info.st_mode):
        raise SnapshotError("%s is not a directory: %s directories" % (path, rule))
    if info.st_uid != OWNER_UID:
        raise SnapshotError("%s is owned by uid %d, not %s: %s owned by root, because restore.py runs as root from there"
                            % (path, info.st_uid, "root" if OWNER_UID == 0 else "uid %d" % OWNER_UID, rule))
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise SnapshotError("%s is writable by its group or by others (mode %04o): %s writable by root only, because "
                            "restore.py runs as root from there" % (path, stat.S_IMODE(info.st_mode), rule))


def check_apart(directory, roots):
    """Refuse a directory inside a saved path, or a saved path inside the directory."""
    directory = os.path.normpath(directory)
    for root in roots:
        resolved = os.path.join(os.path.realpath(os.path.dirname(root)), os.path.basename(root))
        for saved in sorted({root, resolved}):
            if directory == saved or directory.startswith(saved.rstrip(os.sep) + os.sep):
                raise SnapshotError("the rollback directory %s lies inside %s, one of the saved paths: a restore would "
                                    "remove the snapshot it restores from" % (directory, root))
            if saved.startswith(directory.rstrip(os.sep) + os.sep):
                raise SnapshotError("%s, one of the saved paths, lies inside the rollback directory %s: the snapshot "
                                    "would save itself" % (root, directory))


# The lock ----------------------------------------------------------------------------------------


class Lock:
    """flock on ``lock`` in the directory, held for one step; a context manager."""

    def __init__(self, directory, wait=None, create=True, restore_started_since=None):
        self.path = os.path.join(directory, LOCK)
        self.directory = directory
        self.wait = LOCK_WAIT if wait is None else wait
        self.create = create
        self.restore_started_since = restore_started_since
        self.fd = None

    def __enter__(self):
        flags = os.O_RDWR | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            self.fd = os.open(self.path, flags | (os.O_CREAT if self.create else 0), 0o600)
        except FileNotFoundError:
            return self   # check mode, nothing saved yet: nothing to lock
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
            if self.restore_started_since is not None:
                started = read_record(self.directory, STARTED)
                if started is not None and started["started_at"] >= self.restore_started_since:
                    self.release()
                    raise RestoreUnderWay(started_message(started))
            if time.monotonic() >= deadline:
                self.release()
                raise SnapshotError("%s is held by another run of the rollback for more than %d s (a restore, a save, "
                                    "an arming or a confirmation); try again when it has finished" % (self.path, self.wait))
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.release()

    def release(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


# The records -------------------------------------------------------------------------------------


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _optional_int(value):
    return value is None or _int(value)


def _optional_str(value):
    return value is None or isinstance(value, str)


def _str_list(value):
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


# What every record must hold: {field: (check, what it must be)}; fields not listed are optional.
RECORDS = {
    ARMED: {"snapshot": (lambda v: isinstance(v, str), "a string"), "armed_at": (_number, "a number"),
            "fires_at": (_number, "a number")},
    STARTED: {"started_at": (_number, "a number")},
    FIRED: {"snapshot": (_optional_str, "a snapshot id or null"), "fired_at": (_number, "a number"),
            "restored": (_str_list, "a list of paths"), "networkd_restart_status": (_optional_int, "an exit status or null")},
}
OPTIONAL = {
    ARMED: {"arming": (_optional_str, "a string")},
    STARTED: {"arming": (_optional_str, "a string"), "pid": (_optional_int, "a process id")},
    FIRED: {"started_at": (_number, "a number"), "arming": (_optional_str, "a string"),
            "error": (_optional_str, "a message or null")},
}


def read_record(directory, name):
    """The record ``name`` of the directory as a dict, None when there is none; SnapshotError when malformed."""
    path = os.path.join(directory, name)
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except FileNotFoundError:
        return None
    try:
        record = json.loads(data.decode("utf-8"))
    except ValueError as error:
        raise SnapshotError("%s is not a valid rollback record: %s" % (path, error)) from None
    if not isinstance(record, dict):
        raise SnapshotError("%s is not a valid rollback record: it holds a %s, not an object" % (path, type(record).__name__))
    for field, (check, what) in RECORDS[name].items():
        if field not in record:
            raise SnapshotError("%s is not a valid rollback record: %r is missing" % (path, field))
        if not check(record[field]):
            raise SnapshotError("%s is not a valid rollback record: %r must be %s, not %r" % (path, field, what, record[field]))
    for field, (check, what) in OPTIONAL[name].items():
        if field in record and not check(record[field]):
            raise SnapshotError("%s is not a valid rollback record: %r must be %s, not %r" % (path, field, what, record[field]))
    return record


def write_record(directory, name, record):
    write_atomically(os.path.join(directory, name), json.dumps(record, indent=1, sort_keys=True).encode("utf-8"), 0o600)


def host_time(epoch):
    """A time of the host's clock (the records hold the host's ``time.time()``), in UTC."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch)) + " by the host's clock"


def started_message(started):
    """Why a change cannot be confirmed while a restore holds the lock."""
    by = "the rollback timer fired before the change was confirmed, and its" if started.get("arming") else "a"
    return ("the change is being undone: %s restore of the saved files started at %s and has not finished"
            % (by, host_time(started["started_at"])))


def restore_since(directory, armed):
    """(started, fired): the records of a restore that started, and of one that finished, since ``armed``."""
    if armed is None:
        return None, None
    started, fired = read_record(directory, STARTED), read_record(directory, FIRED)
    started = started if started is not None and started["started_at"] >= armed["armed_at"] else None
    fired = fired if fired is not None and fired["fired_at"] >= armed["armed_at"] else None
    return started, fired


def undone_message(started, fired):
    """Why a change cannot be confirmed once a restore started since it was armed (the caller holds the lock)."""
    record = fired if fired is not None and (started is None or fired["fired_at"] >= started["started_at"]) else None
    by = ("the rollback timer fired before the change was confirmed" if (record or started).get("arming", True)
          else "the saved files were restored by hand or with state=restored since the timer was armed")
    if record is None:
        return ("the change may be partly undone: %s, and the restore that started at %s did not finish (see journalctl -u "
                "hostnet-networkd-rollback.service); restore the saved files with state=restored"
                % (by, host_time(started["started_at"])))
    if record.get("error"):
        return ("the change may be partly undone: %s, and the restore failed at %s: %s. Restore the saved files with "
                "state=restored once the cause is fixed" % (by, host_time(record["fired_at"]), record["error"]))
    return ("the change was undone at %s: %s, and the host is back on the files saved before it (restored: %s)"
            % (host_time(record["fired_at"]), by, ", ".join(record["restored"]) or "none, they had not changed"))


# Saving ------------------------------------------------------------------------------------------


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


def normalized_roots(roots):
    for root in roots:
        if not isinstance(root, str) or not os.path.isabs(root) or os.path.normpath(root) == os.sep:
            raise SnapshotError("%r: every saved path must be an absolute path other than /" % (root,))
    return [os.path.normpath(root) for root in roots]


def save(roots, directory, check_mode=False):
    """Save ``roots`` into ``directory`` unless it already holds the same; returns (id, changed)."""
    roots = normalized_roots(roots)
    exists = trusted_directory(directory, create=False)
    check_apart(directory, roots)
    entries = scan(roots)
    identity = snapshot_id(roots, entries)
    try:
        previous = load_manifest(directory) if exists else None
    except SnapshotError:
        previous = None     # a manifest that cannot be read is replaced by this save
    if previous is not None and previous["id"] == identity and os.path.exists(os.path.join(directory, RESTORER)):
        return identity, False
    if check_mode:
        return identity, True
    trusted_directory(directory, create=True)
    blobs = os.path.join(directory, BLOBS)
    if not os.path.lexists(blobs):
        os.mkdir(blobs, 0o700)
    _check_own(blobs, stat.S_ISDIR)
    for path, entry in entries.items():
        if entry["type"] == "file" and not os.path.exists(os.path.join(blobs, entry["sha256"])):
            _save_blob(path, entry["sha256"], blobs)
    write_atomically(os.path.join(directory, RESTORER_WRITER), source_of(atomic), 0o600)
    write_atomically(os.path.join(directory, RESTORER), source_of(sys.modules[__name__]), 0o700)
    manifest = {"id": identity, "saved_at": time.time(), "roots": roots, "entries": entries}
    write_atomically(os.path.join(directory, MANIFEST), json.dumps(manifest, indent=1, sort_keys=True).encode(), 0o600)
    _prune_blobs(blobs, entries)
    return identity, True


def _check_own(path, is_type):
    info = os.lstat(path)
    if not is_type(info.st_mode) or info.st_uid != OWNER_UID:
        raise SnapshotError("%s is not what the rollback made there (a symlink, another type or another owner); "
                            "remove it" % path)


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


# The manifest ------------------------------------------------------------------------------------


def load_manifest(directory):
    """The manifest saved in ``directory``, validated, or None when there is none."""
    path = os.path.join(directory, MANIFEST)
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except FileNotFoundError:
        return None
    try:
        manifest = json.loads(data.decode("utf-8"))
    except ValueError as error:
        raise SnapshotError("%s is not a valid snapshot manifest: %s" % (path, error)) from None
    problem = manifest_problem(manifest)
    if problem:
        raise SnapshotError("%s is not a valid snapshot manifest: %s" % (path, problem))
    return manifest


def manifest_problem(manifest):
    """What is wrong with a manifest, as a sentence, or None: every entry must lie inside a saved root,
    below a directory entry of its own root, and be a well-formed file, directory or symlink."""
    if not isinstance(manifest, dict):
        return "it holds a %s, not an object" % type(manifest).__name__
    for field, kind in (("id", str), ("roots", list), ("entries", dict)):
        if field not in manifest:
            return "%r is missing" % field
        if not isinstance(manifest[field], kind):
            return "%r must be a %s" % (field, {str: "string", list: "list", dict: "mapping"}[kind])
    roots = manifest["roots"]
    for root in roots:
        if not isinstance(root, str) or not os.path.isabs(root) or os.path.normpath(root) != root or root == os.sep:
            return "the saved root %r is not a normalized absolute path other than /" % (root,)
    entries = manifest["entries"]
    for path in sorted(entries):
        problem = _entry_problem(path, entries[path], roots, entries)
        if problem:
            return "the entry %r %s" % (path, problem)
    return None


def _entry_problem(path, entry, roots, entries):
    if not os.path.isabs(path) or os.path.normpath(path) != path:
        return "is not a normalized absolute path"
    if path not in roots:
        if not any(path.startswith(root + os.sep) for root in roots):
            return "lies outside the saved roots %s" % ", ".join(roots)
        parent = entries.get(os.path.dirname(path))
        if not isinstance(parent, dict) or parent.get("type") != "directory":
            return "is not inside a directory of the snapshot"
    if not isinstance(entry, dict):
        return "is not an object"
    kind = entry.get("type")
    if kind not in _TYPES:
        return "has the type %r, not one of %s" % (kind, ", ".join(_TYPES))
    for field, limit in (("mode", 0o7777), ("uid", 2 ** 32 - 2), ("gid", 2 ** 32 - 2)):
        if not _int(entry.get(field)) or not 0 <= entry[field] <= limit:
            return "has no valid %s (%r)" % (field, entry.get(field))
    if kind == "file" and not (isinstance(entry.get("sha256"), str) and _SHA256.match(entry["sha256"])):
        return "has no valid sha256 (%r)" % (entry.get("sha256"),)
    if kind == "symlink" and not (isinstance(entry.get("target"), str) and entry["target"] and "\0" not in entry["target"]):
        return "has no valid symlink target (%r)" % (entry.get("target"),)
    return None


def _blobs(directory, manifest):
    """{sha256: content} of every file of the manifest, each checked against its digest."""
    contents = {}
    for path, entry in sorted(manifest["entries"].items()):
        digest = entry.get("sha256") if entry["type"] == "file" else None
        if digest is None or digest in contents:
            continue
        blob = os.path.join(directory, BLOBS, digest)
        try:
            info = os.lstat(blob)
        except FileNotFoundError:
            raise SnapshotError("%s is missing: the snapshot cannot give back %s" % (blob, path)) from None
        if not stat.S_ISREG(info.st_mode):
            raise SnapshotError("%s is not a regular file: the snapshot cannot give back %s" % (blob, path))
        with open(blob, "rb") as stream:
            content = stream.read()
        if hashlib.sha256(content).hexdigest() != digest:
            raise SnapshotError("%s does not match its digest: the snapshot cannot give back %s" % (blob, path))
        contents[digest] = content
    return contents


def checked_snapshot(directory):
    """The manifest and the blobs, all checked, before anything is restored."""
    trusted_directory(directory)
    manifest = load_manifest(directory)
    if manifest is None:
        raise SnapshotError("%s holds no snapshot to restore" % directory)
    check_apart(directory, manifest["roots"])
    return manifest, _blobs(directory, manifest)


# Restoring ---------------------------------------------------------------------------------------


def restore(directory):
    """Make the saved roots what the snapshot holds again; returns the paths it changed, sorted.

    The caller holds the lock. Nothing is changed unless the whole snapshot checks out.
    """
    manifest, contents = checked_snapshot(directory)
    return _restore(manifest, contents, [])


def _restore(manifest, contents, changed):
    wanted = manifest["entries"]
    current = scan(manifest["roots"])
    # Deepest paths first, so a directory is empty by the time it is removed.
    for path in sorted(set(current) - set(wanted), key=lambda p: p.count(os.sep), reverse=True):
        _remove(path, current[path])
        changed.append(path)
    # Parents first, so every file has its directory.
    for path in sorted(wanted, key=lambda p: p.count(os.sep)):
        if current.get(path) != wanted[path]:
            _put(path, wanted[path], current.get(path), contents)
            changed.append(path)
    return sorted(set(changed))


def _remove(path, entry):
    if entry["type"] == "directory":
        os.rmdir(path)
    else:
        os.unlink(path)


def _put(path, entry, present, contents):
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
        write_atomically(path, contents[entry["sha256"]], entry["mode"], entry["uid"], entry["gid"])


def roll_back(directory, restart=None, arming=None):
    """Take the lock, then restore the snapshot, restart networkd if anything changed, and record it.

    ``restart`` runs a command and returns its exit status; the default runs it with subprocess.
    ``arming`` is the timer's: the restore runs only while that arming is still the one recorded in
    ``armed.json`` (a confirmation removes it); without it (by hand) the restore always runs.
    Returns the record written to ``fired.json``, or None when the timer's arming was confirmed meanwhile.
    """
    if not trusted_directory(directory):
        raise SnapshotError("%s holds no snapshot to restore" % directory)
    with Lock(directory, wait=RESTORE_LOCK_WAIT if arming is not None else LOCK_WAIT):
        if arming is not None:
            armed = read_record(directory, ARMED)
            if armed is None or armed.get("arming") != arming:
                return None
        return restore_and_record(directory, restart, arming)


def restore_and_record(directory, restart=None, arming=None):
    """Restore under the lock the caller holds: ``started.json`` before anything changes, ``fired.json`` after."""
    restart = restart or subprocess.call
    started = {"started_at": time.time(), "arming": arming, "pid": os.getpid()}
    write_record(directory, STARTED, started)
    changed = []
    manifest = None
    try:
        manifest, contents = checked_snapshot(directory)
        _restore(manifest, contents, changed)
    except (OSError, SnapshotError) as error:
        write_record(directory, FIRED, _fired(manifest, started, changed, None, str(error)))
        raise
    status = restart(["systemctl", "restart", NETWORKD_UNIT]) if changed else None
    record = _fired(manifest, started, changed, status, None)
    write_record(directory, FIRED, record)
    return record


def _fired(manifest, started, changed, status, error):
    return {"snapshot": manifest["id"] if manifest else None, "started_at": started["started_at"],
            "arming": started["arming"], "fired_at": time.time(), "restored": sorted(set(changed)),
            "networkd_restart_status": status, "error": error}


def main(argv):
    """The rollback timer's program: ``restore.py DIRECTORY [--armed ARMING]``."""
    args = argv[1:]
    arming = None
    if len(args) == 3 and args[1] == "--armed":
        arming = args[2]
        args = args[:1]
    if len(args) != 1:
        sys.stderr.write("usage: %s SNAPSHOT_DIRECTORY [--armed ARMING]\n" % argv[0])
        return 2
    try:
        record = roll_back(args[0], arming=arming)
    except (OSError, SnapshotError) as error:
        sys.stderr.write("hostnet.networkd rollback failed: %s\n" % error)
        return 1
    if record is None:
        sys.stdout.write("hostnet.networkd rollback: the change was confirmed before the restore could start; "
                         "nothing restored\n")
        return 0
    sys.stdout.write("hostnet.networkd rollback: restored %s; networkd restart exit status %s\n"
                     % (", ".join(record["restored"]) or "nothing (the files were unchanged)",
                        record["networkd_restart_status"]))
    return 1 if record["networkd_restart_status"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
