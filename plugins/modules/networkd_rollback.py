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
  - The timer runs C(restore.py) in the snapshot directory, a copy of this collection's
    C(rollback) module_utils that needs the Python standard library only. An administrator can run it by
    hand to go back to the saved files, C(python3 /var/lib/hostnet-networkd/rollback/restore.py /var/lib/hostnet-networkd/rollback).
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
      - V(confirmed) stops the timer. It fails when the rollback fired already, because the host is then back
        on the saved files and the change is gone.
      - V(restored) stops the timer if it is armed, restores the saved files now, and restarts
        systemd-networkd if any file changed.
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
    description: Where the snapshot, C(restore.py) and the records of the timer are kept (mode 0700).
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
    - The record of the last rollback the timer ran (V(snapshot), V(fired_at), V(restored), V(networkd_restart_status)),
      if it ran after the last O(state=armed).
  returned: always
  type: dict
  sample: {}
"""

import json
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

    def record(self, name):
        try:
            with open(os.path.join(self.directory, name), encoding="utf-8") as stream:
                return json.load(stream)
        except (FileNotFoundError, ValueError):
            return None

    def fired_since_armed(self):
        armed, fired = self.record(rollback.ARMED), self.record(rollback.FIRED)
        if armed and fired and fired["fired_at"] >= armed["armed_at"]:
            return fired
        return {}

    def arm(self, timeout, identity):
        self.forget()
        argv = [self.module.get_bin_path("systemd-run", required=True), "--unit", TIMER[:-len(".timer")],
                "--description", "hostnet.networkd: restore networkd's files unless the change is confirmed",
                "--on-active", "%ds" % timeout, "--timer-property", "AccuracySec=1s",
                sys.executable, os.path.join(self.directory, rollback.RESTORER), self.directory]
        armed_at = time.time()
        rc, out, err = self.module.run_command(argv)
        if rc != 0:
            self.module.fail_json(msg="could not arm the rollback timer: %s" % (err or out).strip(), rc=rc)
        record = {"snapshot": identity, "armed_at": armed_at, "fires_at": armed_at + timeout}
        rollback.write_atomically(os.path.join(self.directory, rollback.ARMED), json.dumps(record).encode(), 0o600)
        return record

    def disarm(self):
        rc, out, err = self.systemctl("stop", TIMER)
        if rc != 0:
            self.module.fail_json(msg="could not stop %s: %s" % (TIMER, (err or out).strip()), rc=rc)

    def forget(self):
        """Unload a timer or service left over from an earlier rollback, so the unit names are free again."""
        self.systemctl("stop", TIMER, SERVICE)
        self.systemctl("reset-failed", TIMER, SERVICE)


def saved(module, timer):
    params = module.params
    if timer.is_armed():
        module.fail_json(msg="a rollback is armed (%s): it needs the snapshot in %s as it is. Wait until it fires, "
                             "or confirm the change with state=confirmed." % (TIMER, params["directory"]))
    identity, changed = rollback.save(params["paths"], params["directory"], module.check_mode)
    return dict(changed=changed, snapshot=identity)


def armed(module, timer):
    params = module.params
    manifest = rollback.load_manifest(params["directory"])
    if manifest is None or manifest["id"] != params["snapshot"]:
        module.fail_json(msg="%s does not hold snapshot %s (it holds %s): save the files with state=saved first"
                             % (params["directory"], params["snapshot"], manifest["id"] if manifest else "none"))
    if timer.is_armed():
        module.fail_json(msg="a rollback is armed already (%s); confirm or restore first" % TIMER)
    if params["timeout"] < 10:
        module.fail_json(msg="timeout must be at least 10 seconds, got %d" % params["timeout"])
    if module.check_mode:
        return dict(changed=True, snapshot=manifest["id"], fires_at=time.time() + params["timeout"])
    record = timer.arm(params["timeout"], manifest["id"])
    return dict(changed=True, snapshot=manifest["id"], fires_at=record["fires_at"])


def confirmed(module, timer):
    fired = timer.fired_since_armed()
    if fired:
        when = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(fired["fired_at"]))
        restored_paths = ", ".join(fired["restored"]) or "none had changed"
        module.fail_json(msg="the rollback fired at %s, before the change was confirmed: the host is back on the files "
                             "saved before it (%s)" % (when, restored_paths), fired=fired)
    if not timer.is_armed():
        return dict(changed=False)
    if not module.check_mode:
        timer.disarm()
        os.unlink(os.path.join(module.params["directory"], rollback.ARMED))
    return dict(changed=True)


def restored(module, timer):
    directory = module.params["directory"]
    if module.check_mode:
        manifest = rollback.load_manifest(directory)
        would = manifest is not None and rollback.scan(manifest["roots"]) != manifest["entries"]
        return dict(changed=would or timer.is_armed())
    was_armed = timer.is_armed()
    if was_armed:
        timer.disarm()

    def restart(argv):
        return module.run_command(argv)[0]

    record = rollback.roll_back(directory, restart)
    if record["networkd_restart_status"]:
        module.fail_json(msg="restored %s, but systemd-networkd failed to restart (exit status %s): see "
                             "journalctl -u systemd-networkd" % (", ".join(record["restored"]), record["networkd_restart_status"]),
                         restored=record["restored"])
    return dict(changed=was_armed or bool(record["restored"]), restored=record["restored"])


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           required_if=[("state", "armed", ("snapshot",))])
    directory = module.params["directory"]
    timer = Timer(module, directory)
    action = {"saved": saved, "armed": armed, "confirmed": confirmed, "restored": restored}[module.params["state"]]
    try:
        result = action(module, timer)
    except (OSError, rollback.SnapshotError) as error:
        module.fail_json(msg="%s: %s" % (getattr(error, "filename", None) or directory, getattr(error, "strerror", None) or error))
    manifest = rollback.load_manifest(directory)
    result.setdefault("snapshot", manifest["id"] if manifest else None)
    result["fired"] = timer.fired_since_armed()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
