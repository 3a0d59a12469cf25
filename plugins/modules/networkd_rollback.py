#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: networkd_rollback
short_description: Commit-confirmed changes of systemd-networkd's files, with a rollback the host runs by itself
version_added: 0.2.0
description:
  - Saves networkd's configuration files byte for byte (content, mode, owner, symlinks such as masks) before
    a change, arms a transient systemd timer on the host that restores them and restarts systemd-networkd,
    and disarms it once the controller has reached the host again after the change.
  - If the change cuts the host off (a wrong uplink, a management address that is gone), the controller
    cannot disarm the timer, and the host rolls itself back when it fires. No connection is needed for that.
  - The timer runs C(restore.py) in the snapshot directory, as root. It is a copy of this collection's
    C(_rollback.snapshot) module_utils that needs the Python standard library only (with C(hostnet_atomic.py),
    the collection's atomic writer, beside it). An administrator can run it by hand to go back to the saved
    files, C(python3 /var/lib/hostnet-networkd/rollback/restore.py /var/lib/hostnet-networkd/rollback).
  - Because root runs what the directory holds, the module trusts nothing in it that it did not create. See
    O(directory) for the rules; the module, the timer's C(restore.py) and C(restore.py) run by hand all refuse a
    directory that breaks one, naming the path and the rule. Before anything is restored, the manifest is checked
    against the saved paths (every entry inside one of them, below a directory of the snapshot, with a valid type,
    mode, owner, digest or symlink target) and every saved file against its digest; a malformed manifest or record
    gives an error naming the file.
  - Confirming and restoring exclude each other. Every state, the timer's C(restore.py) and C(restore.py) run by
    hand take the lock file C(lock) in O(directory) (C(flock)). A restore records in C(started.json) that it has
    started before it changes anything, and in C(fired.json) what it did once it has finished. V(confirmed) fails
    when a restore has started since the timer was armed, and otherwise stops the timer while it holds the lock,
    so no restore can start after it; a restore that the timer had started and that still waits for the lock is
    stopped too, and would restore nothing, because the timer's C(restore.py) restores only while the arming it
    was started for is still recorded.
  - The usual sequence is V(saved) before the files change, V(armed) just before C(networkctl reload), then
    M(ansible.builtin.wait_for_connection), then V(confirmed). The role P(hostnet.networkd.docker_host_network#role)
    does this for every change it applies.
author:
  - hostnet.networkd maintainers (@hostnet)
extends_documentation_fragment:
  - hostnet.networkd.attributes
  - hostnet.networkd.attributes.changes_without_diff
  - ansible.builtin.action_common_attributes
options:
  state:
    description:
      - V(saved) saves the files under O(paths) into O(directory), unless it already holds exactly them.
        It fails while a rollback is armed, because the armed rollback needs the snapshot it was armed with.
      - V(armed) starts the rollback timer, which fires after O(timeout) seconds. O(snapshot) must name the
        snapshot the directory holds, so a timer is never armed with files saved by someone else.
      - V(confirmed) stops the timer. It fails when a restore has started since the timer was armed, both while
        the restore runs ("the change is being undone") and after it ("the change was undone at" a time of the
        host's clock, in UTC), because the host is then back on the saved files and the change is gone.
      - V(restored) stops the timer if it is armed, restores the saved files now, and restarts
        systemd-networkd if any file changed. It waits for a restore that the timer has started.
    type: str
    choices: [saved, armed, confirmed, restored]
    required: true
  paths:
    description:
      - The files and directories to save with O(state=saved). A path that does not exist is saved as absent,
        and a rollback removes it if it exists by then.
    type: list
    elements: path
    default: [/etc/systemd/network, /etc/systemd/networkd.conf, /etc/systemd/networkd.conf.d]
  directory:
    description:
      - Where the snapshot, C(restore.py), the records of the timer and the lock file are kept.
      - It and every directory above it, up to C(/), must be a directory, not a symlink, owned by root and not
        writable by its group or by others. Otherwise every state fails, naming the first path that breaks a rule
        and the rule, before anything is written.
      - Missing directories are created with mode 0700. An existing one is only checked, never changed (no
        C(chmod), no C(chown)), and never followed through a symlink.
      - It must not lie inside one of the saved O(paths), and none of them inside it, or a restore would remove
        the snapshot it restores from.
    type: path
    default: /var/lib/hostnet-networkd/rollback
  snapshot:
    description: With O(state=armed), the id that O(state=saved) returned.
    type: str
  timeout:
    description: With O(state=armed), seconds until the host rolls itself back.
    type: int
    default: 120
notes:
  - The timer is the transient unit C(hostnet-networkd-rollback.timer); C(systemctl list-timers) shows it while armed,
    and C(journalctl -u hostnet-networkd-rollback.service) what it restored.
  - Only the files under O(paths) are restored. sysctl.d files, for example, are not, because they do not
    decide whether the host can be reached.
  - A state waits up to 30 seconds for the lock that another run holds, the timer's C(restore.py) up to 300 seconds.
    V(confirmed) does not wait for a restore that has started, it fails at once.
seealso:
  - module: hostnet.networkd.networkd_forwarding
  - module: ansible.builtin.wait_for_connection
"""

EXAMPLES = r"""
- name: Save networkd's files before changing them
  hostnet.networkd.networkd_rollback:
    state: saved
  register: saved

- name: Change a .network file
  ansible.builtin.copy:
    src: 10-uplink.network
    dest: /etc/systemd/network/10-uplink.network
    mode: "0644"
  register: uplink

- name: Apply the change, commit-confirmed
  when: uplink is changed
  block:
    - name: Arm the rollback
      hostnet.networkd.networkd_rollback:
        state: armed
        snapshot: "{{ saved.snapshot }}"
        timeout: 120

    - name: Reload networkd in the background, so a lost connection cannot interrupt it
      ansible.builtin.command: networkctl reload
      async: 60
      poll: 0
      changed_when: true

    - name: Reach the host again
      ansible.builtin.wait_for_connection:
        delay: 3
        timeout: 60

    - name: Confirm the change
      hostnet.networkd.networkd_rollback:
        state: confirmed
"""

RETURN = r"""
snapshot:
  description: The id of the snapshot the directory holds, a digest of the saved files.
  returned: always
  type: str
  sample: 3f1c0a9d2b7e4c55
fires_at:
  description: With O(state=armed), when the rollback fires, in seconds since the epoch (the host's clock).
  returned: when armed
  type: float
  sample: 1764097200.5
restored:
  description: With O(state=restored), the paths the rollback changed back.
  returned: when restored
  type: list
  elements: str
  sample: [/etc/systemd/network/10-uplink.network]
fired:
  description:
    - The record of the last restore that finished after the last O(state=armed), by the timer, by hand or
      with O(state=restored) (V(snapshot), V(started_at), V(fired_at) in seconds since the epoch by the host's clock,
      V(restored), V(networkd_restart_status), and V(error) when it failed); empty when there is none.
  returned: always
  type: dict
  sample: {}
"""

import os
import sys
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._rollback import snapshot as rollback

TIMER = "hostnet-networkd-rollback.timer"
SERVICE = "hostnet-networkd-rollback.service"

ARGUMENT_SPEC = dict(
    state=dict(type="str", required=True, choices=["saved", "armed", "confirmed", "restored"]),
    paths=dict(type="list", elements="path",
               default=["/etc/systemd/network", "/etc/systemd/networkd.conf", "/etc/systemd/networkd.conf.d"]),
    directory=dict(type="path", default="/var/lib/hostnet-networkd/rollback"),
    snapshot=dict(type="str"),
    timeout=dict(type="int", default=120),
)


class Timer:
    """The transient systemd timer that runs restore.py; all state lives in systemd and the directory."""

    def __init__(self, module, directory):
        self.module = module
        self.directory = directory

    def systemctl(self, *args):
        return self.module.run_command([self.module.get_bin_path("systemctl", required=True)] + list(args))

    def is_armed(self):
        return self.systemctl("is-active", "--quiet", TIMER)[0] == 0

    def is_restoring(self):
        return self.systemctl("is-active", "--quiet", SERVICE)[0] == 0

    def arm(self, timeout, identity):
        """Record the arming, then start the timer; the timer's restore.py runs only while the record stands."""
        self.forget()
        arming = os.urandom(8).hex()
        armed_at = time.time()
        record = {"snapshot": identity, "armed_at": armed_at, "fires_at": armed_at + timeout, "arming": arming}
        rollback.write_record(self.directory, rollback.ARMED, record)
        argv = [self.module.get_bin_path("systemd-run", required=True), "--unit", TIMER[:-len(".timer")],
                "--description", "hostnet.networkd: restore networkd's files unless the change is confirmed",
                "--on-active", "%ds" % timeout, "--timer-property", "AccuracySec=1s",
                sys.executable, os.path.join(self.directory, rollback.RESTORER), self.directory, "--armed", arming]
        rc, out, err = self.module.run_command(argv)
        if rc != 0:
            os.unlink(os.path.join(self.directory, rollback.ARMED))
            self.module.fail_json(msg="could not arm the rollback timer: %s" % (err or out).strip(), rc=rc)
        return record

    def disarm(self):
        """Stop the timer, and a restore that it started and that waits for the lock the caller holds."""
        rc, out, err = self.systemctl("stop", TIMER, SERVICE)
        if rc != 0 and (self.is_armed() or self.is_restoring()):
            self.module.fail_json(msg="could not stop %s: %s" % (TIMER, (err or out).strip()), rc=rc)

    def forget(self):
        """Unload a timer or service left over from an earlier rollback, so the unit names are free again."""
        self.systemctl("stop", TIMER, SERVICE)
        self.systemctl("reset-failed", TIMER, SERVICE)


def saved(module, timer):
    params = module.params
    directory = params["directory"]
    rollback.trusted_directory(directory)
    rollback.check_apart(directory, rollback.normalized_roots(params["paths"]))
    if timer.is_armed():
        module.fail_json(msg="a rollback is armed (%s): it needs the snapshot in %s as it is. Wait until it fires, "
                             "or confirm the change with state=confirmed." % (TIMER, directory))
    if module.check_mode:
        with rollback.Lock(directory, create=False):
            identity, changed = rollback.save(params["paths"], directory, check_mode=True)
        return dict(changed=changed, snapshot=identity)
    rollback.trusted_directory(directory, create=True)
    with rollback.Lock(directory):
        if timer.is_armed():
            module.fail_json(msg="a rollback was armed meanwhile (%s); wait until it fires, or confirm it" % TIMER)
        identity, changed = rollback.save(params["paths"], directory)
    return dict(changed=changed, snapshot=identity)


def armed(module, timer):
    params = module.params
    directory = params["directory"]
    if not rollback.trusted_directory(directory):
        module.fail_json(msg="%s holds no snapshot: save the files with state=saved first" % directory)
    with rollback.Lock(directory, create=not module.check_mode):
        manifest, _contents = rollback.checked_snapshot(directory)
        if manifest["id"] != params["snapshot"]:
            module.fail_json(msg="%s does not hold snapshot %s (it holds %s): save the files with state=saved first"
                                 % (directory, params["snapshot"], manifest["id"]))
        if timer.is_armed():
            module.fail_json(msg="a rollback is armed already (%s); confirm or restore first" % TIMER)
        if params["timeout"] < 10:
            module.fail_json(msg="timeout must be at least 10 seconds, got %d" % params["timeout"])
        if module.check_mode:
            return dict(changed=True, snapshot=manifest["id"], fires_at=time.time() + params["timeout"])
        record = timer.arm(params["timeout"], manifest["id"])
    return dict(changed=True, snapshot=manifest["id"], fires_at=record["fires_at"])


def confirmed(module, timer):
    """Stop the timer under the lock, unless a restore started since it was armed: then fail, saying so."""
    directory = module.params["directory"]
    if not rollback.trusted_directory(directory):
        if timer.is_armed():
            module.fail_json(msg="%s is armed, but %s does not exist: stop the timer by hand if it is not this "
                                 "directory's" % (TIMER, directory))
        return dict(changed=False)
    armed_record = rollback.read_record(directory, rollback.ARMED)
    since = armed_record["armed_at"] if armed_record else None
    try:
        with rollback.Lock(directory, create=not module.check_mode, restore_started_since=since):
            armed_record = rollback.read_record(directory, rollback.ARMED)
            started, fired = rollback.restore_since(directory, armed_record)
            if started is not None or fired is not None:
                module.fail_json(msg=rollback.undone_message(started, fired), fired=fired or {})
            was_armed = armed_record is not None or timer.is_armed()
            if not was_armed:
                return dict(changed=False)
            if not module.check_mode:
                timer.disarm()
                if armed_record is not None:
                    os.unlink(os.path.join(directory, rollback.ARMED))
    except rollback.RestoreUnderWay as error:
        module.fail_json(msg=str(error))
    return dict(changed=True)


def restored(module, timer):
    directory = module.params["directory"]
    if not rollback.trusted_directory(directory):
        module.fail_json(msg="%s holds no snapshot to restore" % directory)
    if module.check_mode:
        with rollback.Lock(directory, create=False):
            manifest, _contents = rollback.checked_snapshot(directory)
            would = rollback.scan(manifest["roots"]) != manifest["entries"]
            return dict(changed=would or timer.is_armed())

    def restart(argv):
        return module.run_command(argv)[0]

    with rollback.Lock(directory):
        was_armed = timer.is_armed()
        timer.disarm()
        if os.path.lexists(os.path.join(directory, rollback.ARMED)):
            os.unlink(os.path.join(directory, rollback.ARMED))
        record = rollback.restore_and_record(directory, restart)
    if record["networkd_restart_status"]:
        module.fail_json(msg="restored %s, but systemd-networkd failed to restart (exit status %s): see "
                             "journalctl -u systemd-networkd" % (", ".join(record["restored"]), record["networkd_restart_status"]),
                         restored=record["restored"])
    return dict(changed=was_armed or bool(record["restored"]), restored=record["restored"])


def last_fired(directory):
    """The record of a restore that finished since the last arming, {} when there is none."""
    if not rollback.trusted_directory(directory):
        return {}
    return rollback.restore_since(directory, rollback.read_record(directory, rollback.ARMED))[1] or {}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           required_if=[("state", "armed", ("snapshot",))])
    directory = module.params["directory"]
    timer = Timer(module, directory)
    action = {"saved": saved, "armed": armed, "confirmed": confirmed, "restored": restored}[module.params["state"]]
    try:
        result = action(module, timer)
        if "snapshot" not in result:
            manifest = rollback.load_manifest(directory) if rollback.trusted_directory(directory) else None
            result["snapshot"] = manifest["id"] if manifest else None
        result["fired"] = last_fired(directory)
    except rollback.SnapshotError as error:
        module.fail_json(msg=str(error))
    except OSError as error:
        module.fail_json(msg="%s: %s" % (error.filename or directory, error.strerror or error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
