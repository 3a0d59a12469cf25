#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docker_host_state
short_description: Read in one run everything a Docker host's forwarding depends on
version_added: 0.2.0
description:
  - Reads, in one module run, what the role C(hostnet.networkd.docker_host_network) decides on, so
    that a host the role has already converged costs one module run instead of one per file and check.
  - RV(audit) is the audit of the uplinks (O(interfaces)), as M(hostnet.networkd.networkd_forwarding)
    with O(hostnet.networkd.networkd_forwarding#module:state=audit) returns it, with the evidence for
    auditors. RV(all_links) audits every link of the host, RV(container_links) the links described in
    O(container_links) (the links Docker will create).
  - RV(forwarding_changes) lists the files that M(hostnet.networkd.networkd_forwarding) with
    O(hostnet.networkd.networkd_forwarding#module:state=enabled) and the same O(interfaces), O(family),
    O(scope) and O(dropin_name) would write. RV(firewall) is what M(hostnet.networkd.forward_policy) with
    the same O(forward_policy) reports in check mode. RV(files) gives the type, mode, owner, group and
    SHA-256 of each path in O(files).
  - It never changes anything.
author:
  - hostnet.networkd maintainers (@hostnet)
extends_documentation_fragment:
  - hostnet.networkd.attributes
  - hostnet.networkd.attributes.read_only
  - ansible.builtin.action_common_attributes
options:
  interfaces:
    description:
      - Names or shell globs of the uplinks, the links that carry the containers' traffic.
      - A glob that matches no link is fine, so that a fleet can share one list; a name that matches no
        link is an error.
    type: list
    elements: str
    required: true
  family:
    description: The address families to read.
    type: str
    choices: [ipv4, ipv6, both]
    default: ipv4
  scope:
    description: O(hostnet.networkd.networkd_forwarding#module:scope) of the fix RV(forwarding_changes) plans.
    type: str
    choices: [link, global, both]
    default: link
  dropin_name:
    description: O(hostnet.networkd.networkd_forwarding#module:dropin_name) of the fix RV(forwarding_changes) plans.
    type: str
    default: 50-hostnet-forwarding.conf
  container_links:
    description: Links that do not exist yet, to audit which file would govern them.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Interface name.
        type: str
        required: true
      altnames:
        description: Alternative names.
        type: list
        elements: str
      type:
        description: networkctl's type (C(ether), C(bridge)...).
        type: str
      kind:
        description: Netdev kind (C(veth), C(bridge)...).
        type: str
      driver:
        description: Kernel driver.
        type: str
      mac:
        description: Current hardware address.
        type: str
      permanent_mac:
        description: Permanent hardware address.
        type: str
      path:
        description: udev's C(ID_PATH).
        type: str
      ifindex:
        description: Interface index.
        type: int
  files:
    description: Paths whose type, mode, owner, group and content digest RV(files) returns.
    type: list
    elements: path
    default: []
  forward_policy:
    description:
      - V(audit) reads the firewall's FORWARD path; V(drop) also plans, as
        M(hostnet.networkd.forward_policy) with O(hostnet.networkd.forward_policy#module:state=drop) in
        check mode, what would make it drop what Docker's rules do not accept.
    type: str
    choices: [audit, drop]
    default: audit
notes:
  - Reads the live host only (C(/)).
seealso:
  - module: hostnet.networkd.networkd_forwarding
  - module: hostnet.networkd.forward_policy
"""

EXAMPLES = r"""
- name: Read what the forwarding of this Docker host depends on
  hostnet.networkd.docker_host_state:
    interfaces: [eth0]
    container_links:
      - {name: docker0, type: bridge, kind: bridge}
    files: [/etc/sysctl.d/90-hostnet-forwarding.conf]
  register: host_state

- name: Stop when networkd would write anything to keep forwarding on
  ansible.builtin.assert:
    that: host_state.forwarding_changes | dict2items | map(attribute='value') | flatten | length == 0
"""

RETURN = r"""
audit:
  description:
    - The audit of O(interfaces), with the keys M(hostnet.networkd.networkd_forwarding) returns in audit
      mode (C(systemd_version), C(links), C(global), C(network_files), C(sysctl), C(syntax), C(evidence),
      C(networkd)); see that module's documentation for each.
  returned: always
  type: dict
  sample: {systemd_version: 257, links: [], global: {}, network_files: [], sysctl: [], syntax: modern, evidence: {}}
all_links:
  description: The audit of every link of the host but C(lo), each as in C(links) of RV(audit).
  returned: always
  type: list
  elements: dict
  sample: [{name: docker0, network_file: /etc/systemd/network/05-hostnet-container-links.network, unmanaged: true}]
container_links:
  description: The audit of each link in O(container_links), each as in C(links) of RV(audit), without live values.
  returned: always
  type: list
  elements: dict
  sample: [{name: veth0123456, network_file: /etc/systemd/network/05-hostnet-container-links.network, unmanaged: true}]
forwarding_changes:
  description:
    - The files M(hostnet.networkd.networkd_forwarding) with O(hostnet.networkd.networkd_forwarding#module:state=enabled)
      would create, modify and remove; all empty when networkd already keeps forwarding on.
    - V(null) when that module would fail; RV(forwarding_error) says why.
  returned: always
  type: dict
  sample: {created: [], modified: [/etc/systemd/network/10-uplink.network], removed: []}
forwarding_error:
  description: Why M(hostnet.networkd.networkd_forwarding) with O(hostnet.networkd.networkd_forwarding#module:state=enabled) would fail.
  returned: when it would fail
  type: str
  sample: /etc/systemd/network/10-uplink.network:7 cannot be changed safely
firewall:
  description:
    - What M(hostnet.networkd.forward_policy) reports in check mode with the same O(forward_policy)
      (C(changed), C(changes), C(verdict), C(iptables), C(docker), C(nft)); see that module.
    - With O(forward_policy=drop) and a firewall the module cannot change, C(error) says why.
  returned: always
  type: dict
  sample: {changed: false, changes: [], verdict: {ipv4: {forwarding: true, dropped: true, open_router: false}}}
files:
  description:
    - For each path in O(files), C(exists), C(type) (V(file), V(directory), V(link) or V(other)), C(mode) as
      an octal string, C(owner) and C(group) (names, or numbers without a name), and C(sha256) of a file's
      content. A symbolic link is described, not followed.
  returned: always
  type: dict
  sample:
    /etc/sysctl.d/90-hostnet-forwarding.conf:
      exists: true
      type: file
      mode: "0644"
      owner: root
      group: root
      sha256: 3b5d5c3712955042212316173ccf37be800b6b1b1bb1c7fa1e84e5d1b7f0f0e5
"""

import grp
import hashlib
import os
import pwd
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._ansible.argspec import LINK_SPEC
from ansible_collections.hostnet.networkd.plugins.module_utils._ansible.host import covered_links, read_host
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import RootFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._firewall.live import read_firewall, read_text_file
from ansible_collections.hostnet.networkd.plugins.module_utils._firewall.model import (
    FirewallAudit,
    FirewallError,
    describe_plan,
    plan_drop,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._live.commands import run_read_only
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._model.host import HostView
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.families import FAMILIES
from ansible_collections.hostnet.networkd.plugins.module_utils._plan.fix import FixError
from ansible_collections.hostnet.networkd.plugins.module_utils._plan.forwarding import plan_forwarding, resolved_syntax
from ansible_collections.hostnet.networkd.plugins.module_utils._report.audit import audit_report, collect_warnings
from ansible_collections.hostnet.networkd.plugins.module_utils._report.evidence import build_evidence

FILE_TYPES = ((stat.S_ISREG, "file"), (stat.S_ISDIR, "directory"), (stat.S_ISLNK, "link"))


def describe_file(path):
    """Type, mode, owner, group and (for a file) SHA-256 of ``path``, as the role compares them."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return {"exists": False}
    kind = next((name for test, name in FILE_TYPES if test(status.st_mode)), "other")
    description = {"exists": True, "type": kind, "mode": "%04o" % stat.S_IMODE(status.st_mode),
                   "owner": user_name(status.st_uid), "group": group_name(status.st_gid)}
    if kind == "file":
        digest = hashlib.sha256()
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 16), b""):
                digest.update(block)
        description["sha256"] = digest.hexdigest()
    return description


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def firewall_state(module, families):
    """forward_policy's check-mode report: the FORWARD path, and with ``drop`` what would change."""
    observation = read_firewall(run_read_only, module.get_bin_path, read_text_file)
    audit = FirewallAudit(observation)
    for warning in audit.warnings():
        module.warn(warning)
    report = dict(audit.report(), changed=False, changes=[])
    if module.params["forward_policy"] == "drop":
        try:
            plan = plan_drop(audit, families, persist=True)
        except FirewallError as error:
            return dict(report, error=str(error))
        report.update(changed=plan.changed, changes=describe_plan(plan)[0])
    return report


def forwarding_state(view, covered, families, syntax, params):
    """(changes by action, error): what networkd_forwarding with state=enabled would write."""
    try:
        changes, _warnings = plan_forwarding(view, covered, [], families, syntax, desired=1, scope=params["scope"],
                                             dropin_name=params["dropin_name"], method="auto")
    except FixError as error:
        return None, str(error)
    return {action: [c.path for c in changes if c.action == action] for action in ("created", "modified", "removed")}, None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            interfaces=dict(type="list", elements="str", required=True),
            family=dict(type="str", choices=["ipv4", "ipv6", "both"], default="ipv4"),
            scope=dict(type="str", choices=["link", "global", "both"], default="link"),
            dropin_name=dict(type="str", default="50-hostnet-forwarding.conf"),
            container_links=dict(type="list", elements="dict", options=LINK_SPEC, default=[]),
            files=dict(type="list", elements="path", default=[]),
            forward_policy=dict(type="str", choices=["audit", "drop"], default="audit"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    families = list(FAMILIES) if params["family"] == "both" else [params["family"]]
    view, networkd = read_host(module, RootFileSystem("/"), writes=False)
    view = view.load()
    syntax = resolved_syntax("auto", view.version)
    uplinks = covered_links(module, view.links, params["interfaces"])

    # One report of every link; the uplinks' audit is its share of it (a link's report does not depend
    # on the other links covered), with the warnings and the evidence of the uplinks only.
    audit = audit_report(view, covered_links(module, view.links, None), families)
    all_links = audit["links"]
    uplink_names = {link.name for link in uplinks}
    audit.update(links=[report for report in all_links if report["name"] in uplink_names],
                 warnings=collect_warnings(view, uplinks))
    for warning in audit.pop("warnings"):
        module.warn(warning)
    audit.update(syntax=syntax, evidence=build_evidence(view, uplinks), networkd=networkd)
    described = HostView(version=view.version, fs=view.fs, facts=view.facts, ip_forward=view.ip_forward,
                         links=[Link.from_dict(link) for link in params["container_links"]],
                         procps_reader=view.procps_reader).load()
    container_links = audit_report(described, covered_links(module, described.links, None), families)["links"]
    forwarding_changes, forwarding_error = forwarding_state(view, uplinks, families, syntax, params)

    result = dict(
        changed=False,
        audit=audit,
        all_links=all_links,
        container_links=container_links,
        forwarding_changes=forwarding_changes,
        firewall=firewall_state(module, families),
        files={path: describe_file(path) for path in params["files"]},
    )
    if forwarding_error is not None:
        result["forwarding_error"] = forwarding_error
    module.exit_json(**result)


if __name__ == "__main__":
    main()
