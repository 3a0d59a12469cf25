#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docker_host_info
short_description: Read a Docker host and plan what keeps its forwarding on; changes nothing
version_added: 0.2.0
description:
  - Read-only. Reads, in one run, everything the role P(hostnet.networkd.docker_host_network#role) decides on,
    and returns its decisions as RV(plan), RV(converged), RV(problems), RV(findings), RV(verification) and
    RV(report). It never changes anything, in check mode or not.
  - It audits every link of the host and the links Docker will create (docker0, a C(br-*) bridge, a C(veth)),
    as M(hostnet.networkd.networkd_forwarding) does; renders the role's files (the C(.network) definitions of
    O(networks), the C(Unmanaged=yes) file for Docker's links, the sysctl.d files, the evidence for auditors)
    and compares them with the host's; plans, with networkd_forwarding's planner, the edits that make networkd
    keep forwarding on for the uplinks (and, from systemd 256, globally); reads the firewall's FORWARD path as
    M(hostnet.networkd.forward_policy) does.
  - RV(plan) is what M(hostnet.networkd.docker_host_apply) writes. The host is RV(converged) when there is nothing to
    write, no forwarding sysctl to turn on, nothing for the firewall to change, and RV(verification) finds
    nothing wrong in what the host reads now.
  - The options are the role's variables without their C(docker_host_network_) prefix; the role's documentation
    (C(ansible-doc -t role hostnet.networkd.docker_host_network)) describes each.
author:
  - hostnet.networkd maintainers (@hostnet)
extends_documentation_fragment:
  - hostnet.networkd.attributes
  - hostnet.networkd.attributes.read_only
  - ansible.builtin.action_common_attributes
options:
  uplinks:
    description:
      - Names or shell globs of the links that carry the containers' traffic, matched against link names and
        alternative names.
      - A glob that matches no link is left out, so that hosts can share one list; a name without a glob
        character that matches no link is a problem, and so is a list that matches no link at all.
    type: list
    elements: str
    required: true
  family:
    description: The address families to keep forwarding on for.
    type: str
    choices: [ipv4, ipv6, both]
    default: ipv4
  networks:
    description:
      - Full C(.network) definitions to write into C(/etc/systemd/network), as the role's
        C(docker_host_network_networks) (C(name), C(state), C(match), C(network), C(sections), C(dropins)).
      - Definitions that break a rule are RV(problems).
    type: list
    elements: dict
    default: []
  unmanaged_container_links:
    description: Plan the C(Unmanaged=yes) file for Docker's links (V(false) plans its removal).
    type: bool
    default: true
  container_link_patterns:
    description: C(Name=) patterns of the links Docker creates.
    type: list
    elements: str
    default: [docker0, "br-*", "veth*"]
  unmanaged_container_links_file:
    description: File name, in C(/etc/systemd/network), of the C(Unmanaged=yes) file.
    type: str
    default: 05-hostnet-container-links.network
  catchall_action:
    description: V(fail) makes a file that would still govern Docker's links after the change a problem.
    type: str
    choices: [report, fail]
    default: fail
  sysctl:
    description: Plan the forwarding sysctl.d file (V(false) plans its removal).
    type: bool
    default: true
  sysctl_file:
    description: The role's sysctl.d file.
    type: path
    default: /etc/sysctl.d/90-hostnet-forwarding.conf
  sysctl_conflict_action:
    description: V(fail) makes a sysctl entry that sets a needed forwarding key to 0 a problem.
    type: str
    choices: [report, fail]
    default: report
  override_sysctl_conflicts:
    description: Plan the override file for the entries that set a needed forwarding key to 0.
    type: bool
    default: false
  sysctl_override_file:
    description: The sysctl.d file that overrides conflicting entries.
    type: path
    default: /etc/sysctl.d/99-zz-hostnet-forwarding-override.conf
  networkd_conf_dropin:
    description: On systemd 256 and later, also plan the networkd.conf.d drop-in with the global forwarding keys.
    type: bool
    default: true
  dropin_name:
    description: File name of the drop-ins networkd_forwarding's planner writes.
    type: str
    default: 50-hostnet-forwarding.conf
  restart_networkd:
    description: Plan a networkd restart instead of a reload whenever networkd's files change.
    type: bool
    default: false
  forward_policy:
    description:
      - V(audit) reports the C(FORWARD) path as M(hostnet.networkd.forward_policy) audits it.
      - V(drop) plans, as M(hostnet.networkd.forward_policy) would, the C(FORWARD) policy C(DROP).
    type: str
    choices: [audit, drop]
    default: audit
  evidence_path:
    description: Where the evidence for auditors goes; the empty string plans none.
    type: path
    default: /var/lib/hostnet-networkd/evidence.json
  rollback:
    description: The role's commit-confirmed mode; with V(auto) or V(always), the two timeouts are checked.
    type: str
    choices: [auto, always, never]
    default: auto
  rollback_timeout:
    description: Seconds until the host rolls back by itself.
    type: int
    default: 120
  rollback_reconnect_timeout:
    description: Seconds the controller tries to reach the host again after a change.
    type: int
    default: 60
  fail_on:
    description:
      - V(problems) fails the task when RV(problems) is not empty, with all of them in one message; the role uses
        it to stop before it changes anything.
      - V(verification) fails the task when RV(verification) is not empty, with all of it in one message; the role
        uses it to verify the host after a change.
      - Otherwise both are only returned.
    type: list
    elements: str
    choices: [problems, verification]
    default: []
notes:
  - Reads the live host (C(/)). A converged host costs one run of this module.
seealso:
  - module: hostnet.networkd.docker_host_apply
  - module: hostnet.networkd.networkd_forwarding
  - module: hostnet.networkd.forward_policy
"""

EXAMPLES = r"""
- name: Read the Docker host and plan what keeps its forwarding on
  hostnet.networkd.docker_host_info:
    uplinks: [eth0, "ens*"]
    family: ipv4
  register: docker_host

- name: Show what the role would change, and why
  ansible.builtin.debug:
    msg: "{{ docker_host.findings + docker_host.report.networkd_files + docker_host.report.sysctl_files }}"
  when: not docker_host.converged
"""

RETURN = r"""
converged:
  description: Whether the host needs nothing (see the description).
  returned: always
  type: bool
  sample: false
problems:
  description:
    - What stops the role before it changes anything, each a sentence naming the variable, file or command;
      all of them, so that one run names them all.
  returned: always
  type: list
  elements: str
  sample: ["docker_host_network_uplinks: 'eth1' matches no link on this host (links: eth0, docker0)."]
findings:
  description: What takes the uplinks' forwarding down now, the files that grab Docker's links and the sysctl
    entries that set forwarding to 0, each with what the role does about it.
  returned: always
  type: list
  elements: str
  sample: ["/etc/sysctl.d/60-cis.conf:2 sets net.ipv4.ip_forward = 0, against net.ipv4.ip_forward: left in force
    (set docker_host_network_override_sysctl_conflicts to override it)."]
verification:
  description:
    - What keeps the host from forwarding now and after every event, each a sentence; empty when every uplink
      and C(all)/C(default) read 1 and networkd and sysctl.d keep them 1 through a reconfigure, a networkd
      restart, a boot and C(sysctl --system), Docker's links are left unmanaged and keep 1, and with
      O(forward_policy=drop) the C(FORWARD) path drops what Docker's rules do not accept.
  returned: always
  type: list
  elements: str
  sample: ["uplink0 ipv4 forwarding: now 0, after reconfigure 0, after a networkd restart 0, after boot 0, after
    sysctl --system None (None: left as it is)."]
plan:
  description: What M(hostnet.networkd.docker_host_apply) writes, and how networkd takes it.
  returned: always
  type: dict
  contains:
    files:
      description:
        - The files and directories to write or remove, each as M(hostnet.networkd.docker_host_apply) takes them
          (C(path), C(state), C(content) or C(content_base64), C(mode), C(owner), C(group), and
          C(before_sha256) for an edit of a file the role does not own).
        - The role's own files are root:root, 0644 (directories 0755); an edited file keeps its owner and mode.
      type: list
      elements: dict
      sample: [{path: /etc/systemd/network/05-hostnet-container-links.network, state: file, mode: "0644",
                owner: root, group: root, content: "..."}]
    sysctls:
      description: The forwarding sysctls that read 0 now and that the role's sysctl.d file sets to 1.
      type: list
      elements: str
      sample: [net.ipv4.conf.uplink0.forwarding]
    evidence:
      description: The evidence file (and its directory) where it differs from what the host reads now.
      type: list
      elements: dict
      sample: []
    networkd_action:
      description: V(none), V(reload) (C(networkctl reload) and a reconfigure of RV(plan.reconfigure_links)), or
        V(restart) (networkd.conf.d changed, or O(restart_networkd)).
      type: str
      sample: reload
    reconfigure_links:
      description: With V(reload), the links whose governing file or one of its drop-ins changes.
      type: list
      elements: str
      sample: [uplink0]
    forwarding_paths:
      description: The files under C(/proc/sys) that must read 1 (ip_forward, all, default, the uplinks).
      type: list
      elements: str
      sample: [/proc/sys/net/ipv4/ip_forward, /proc/sys/net/ipv4/conf/uplink0/forwarding]
    probe_events:
      description: The events the role replays with C(docker_host_network_probe_events), each with its commands.
      type: list
      elements: dict
      sample: [{name: networkctl reload, commands: [[networkctl, reload]]}]
report:
  description:
    - What the role reports as C(docker_host_network_report) - C(check_mode), C(converged), C(systemd_version),
      C(syntax), C(networkd_files), C(sysctl_files), C(live_sysctls_set), C(networkd_action),
      C(reconfigure_links), C(risks_before), C(catchall_files), C(sysctl_conflicts), C(forward_policy).
  returned: always
  type: dict
  sample: {converged: true, networkd_files: [], sysctl_files: [], live_sysctls_set: [], networkd_action: none}
evidence:
  description: The evidence document for auditors, from what the host reads now (see
    RV(hostnet.networkd.networkd_forwarding#module:evidence)).
  returned: always
  type: dict
  sample: {format: hostnet.networkd.evidence/1, forwarding: []}
sysctl_plan:
  description: The forwarding keys needed at 1 (C(needed)), the entries that set them to 0 (C(conflicts)), the keys
    left to those entries (C(left_out)), the keys the role's file sets (C(written)), and whether the override file
    is written (C(override)).
  returned: always
  type: dict
  sample: {needed: [net.ipv4.ip_forward], conflicts: [], left_out: [], written: [net.ipv4.ip_forward], override: false}
audit:
  description: The audit of the uplinks, with the keys M(hostnet.networkd.networkd_forwarding) returns in audit mode
    (C(systemd_version), C(links), C(global), C(network_files), C(unused_network_files), C(sysctl)).
  returned: always
  type: dict
  sample: {systemd_version: 257, links: [], global: {}, network_files: [], unused_network_files: {}, sysctl: []}
container_links:
  description: The audit of Docker's links, those that exist and those Docker will create (without live values).
  returned: always
  type: list
  elements: dict
  sample: [{name: docker0, network_file: /etc/systemd/network/05-hostnet-container-links.network, unmanaged: true}]
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._ansible.host import read_host
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.disk import read_state
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.plan import (
    HostReading,
    plan_docker_host,
    role_paths,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.settings import ARGUMENT_SPEC, Settings
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import RootFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._firewall.live import read_firewall, read_text_file
from ansible_collections.hostnet.networkd.plugins.module_utils._firewall.model import (
    FirewallAudit,
    FirewallError,
    describe_plan,
    plan_drop,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._live.commands import run_read_only


def read_firewall_path(module, settings):
    """forward_policy's report of the FORWARD path; with ``drop``, the changes and the verdict after them."""
    observation = read_firewall(run_read_only, module.get_bin_path, read_text_file)
    audit = FirewallAudit(observation)
    for warning in audit.warnings():
        module.warn(warning)
    if settings.forward_policy != "drop":
        return dict(audit.report(), changes=[])
    try:
        plan = plan_drop(audit, list(settings.families), persist=True)
    except FirewallError as error:
        return dict(audit.report(), changes=[], error=str(error))
    report = FirewallAudit(observation, predict_drop=plan.predicted()).report() if plan.changed else audit.report()
    return dict(report, changes=describe_plan(plan)[0])


def main():
    module = AnsibleModule(
        argument_spec=dict(ARGUMENT_SPEC, fail_on=dict(type="list", elements="str", default=[],
                                                       choices=["problems", "verification"])),
        supports_check_mode=True,
    )
    settings = Settings.from_params(module.params)
    view, networkd = read_host(module, RootFileSystem("/"), writes=False)
    reading = HostReading(
        view=view.load(),
        networkd=networkd,
        file_states={path: read_state(path) for path in role_paths(settings)},
        firewall=read_firewall_path(module, settings),
        check_mode=module.check_mode,
        sysctl_writable=os.access("/proc/sys/net/ipv4/conf/all/forwarding", os.W_OK),
    )
    result = plan_docker_host(settings, reading)
    for warning in result["audit"].pop("warnings"):
        module.warn(warning)
    for kind in ("problems", "verification"):
        if kind in module.params["fail_on"] and result[kind]:
            module.fail_json(msg=" ".join(result[kind]), **{kind: result[kind]})
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
