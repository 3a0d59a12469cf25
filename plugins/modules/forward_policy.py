#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: forward_policy
short_description: Audit the FORWARD path of a Docker host's firewall, and optionally drop what Docker does not accept
version_added: 0.2.0
description:
  - With IP forwarding on, the kernel routes between every pair of the host's
    interfaces unless a firewall drops the packet. Docker sets the filter
    C(FORWARD) policy to C(DROP) only when it turned forwarding on itself; when
    systemd-networkd or sysctl.d turned it on first, Docker leaves the policy
    C(ACCEPT) and the host forwards between interfaces that are not Docker's
    (moby issue 50566).
  - With O(state=audit) (the default) the module only reads. It reports every
    base chain on the forward hook from C(nft -j list ruleset) (tables of
    nftables, and those iptables-nft writes, marked), the C(FORWARD) chain of
    iptables-legacy when its filter table is loaded, which backend the
    C(iptables) and C(ip6tables) commands use (C(iptables -V)), where Docker's
    chains are, and per family a verdict - whether a packet between two
    non-container interfaces is dropped.
  - The verdict follows netfilter. Every base chain on the forward hook sees
    the packet; a drop in any of them is final, an accept only ends its own
    chain. For each chain the module takes the packet as one that no
    conditional rule matches (rules that match interfaces, addresses, sets or
    connection state are passed over), follows unconditional jumps, and falls
    back to the policy. An unconditional C(ACCEPT), for example
    C(-A DOCKER-USER -j ACCEPT), therefore counts as accepting everything.
  - With O(state=drop) it sets the C(FORWARD) policy to C(DROP) in the iptables
    backend that C(iptables -V) names, which is the one Docker uses. That is
    the chain that holds Docker's own C(ACCEPT) rules for its bridges, so
    container traffic keeps flowing while everything else is dropped. It never
    adds an nftables base chain with a drop policy, which would drop container
    traffic whatever Docker's chain accepts.
  - It refuses (and changes nothing) when Docker uses its nftables firewall
    backend, or when Docker's running rules are in the other iptables backend
    than the one C(iptables) points to.
  - With O(persist=true) it writes and enables the unit
    C(/etc/systemd/system/hostnet-forward-policy.service), which sets the
    policy again at every boot, after C(nftables.service) and
    C(netfilter-persistent.service) (which load rulesets that replace it),
    before C(network-pre.target) (before any link is configured) and before
    C(docker.service); a restart or reload of either of those units runs it
    again.
author:
  - hostnet.networkd maintainers (@hostnet)
extends_documentation_fragment:
  - hostnet.networkd.attributes
  - hostnet.networkd.attributes.changes_with_diff
  - ansible.builtin.action_common_attributes
options:
  state:
    description:
      - V(audit) reports and never changes anything.
      - V(drop) sets the C(FORWARD) policy to C(DROP) for the families in
        O(family), in the iptables backend Docker uses.
    type: str
    choices: [audit, drop]
    default: audit
  family:
    description:
      - The families that O(state=drop) changes and O(fail_on_open_router)
        checks. The audit always covers both.
    type: str
    choices: [ipv4, ipv6, both]
    default: ipv4
  persist:
    description:
      - With O(state=drop), write, enable and start the systemd unit
        C(hostnet-forward-policy.service) that sets the policy at every boot.
      - With V(false) the policy holds until the next boot or ruleset reload;
        keep it with the host's own firewall configuration instead.
    type: bool
    default: true
  fail_on_open_router:
    description:
      - Fail when, for a family in O(family), forwarding is on and no forward
        base chain drops a packet between two non-container interfaces
        (after the change, with O(state=drop)).
    type: bool
    default: false
notes:
  - Needs root (C(nft) and C(iptables) need C(CAP_NET_ADMIN)). A command that
    fails is reported with its error output; a missing command is reported as
    not installed.
  - C(iptables-legacy -S) would create the legacy filter table, so it runs
    only when C(/proc/net/ip_tables_names) (C(ip6_tables_names)) already lists
    it.
  - nft's JSON does not say which tables iptables-nft wrote; the module marks
    an C(ip) or C(ip6) table with an iptables table name (C(filter)) and a base
    chain named after its hook in capitals (C(FORWARD)) as iptables-nft's.
  - The module does not remove the policy or the unit. To undo, disable and
    remove the unit, run C(systemctl daemon-reload) and set the policy back with
    C(iptables -P FORWARD ACCEPT) (and C(ip6tables)).
seealso:
  - module: hostnet.networkd.networkd_forwarding
  - name: moby issue 50566
    description: Docker sets the FORWARD policy to DROP only when it enabled IP forwarding itself.
    link: https://github.com/moby/moby/issues/50566
  - name: Docker with nftables
    description: Docker's nftables backend, and blocking forwarding between the host's other interfaces.
    link: https://docs.docker.com/engine/network/firewall-nftables/
"""

EXAMPLES = r"""
- name: Report the FORWARD path on every host
  hostnet.networkd.forward_policy:
  register: firewall

- name: Show the verdict
  ansible.builtin.debug:
    msg: "{{ firewall.verdict.ipv4.summary }}"

- name: Fail on hosts that route between all of their interfaces
  hostnet.networkd.forward_policy:
    fail_on_open_router: true

- name: Drop forwarded packets that Docker's rules do not accept, now and after every boot
  hostnet.networkd.forward_policy:
    state: drop
    family: both

- name: Set the policy for IPv4 only and keep it with the host's own firewall configuration
  hostnet.networkd.forward_policy:
    state: drop
    family: ipv4
    persist: false
"""

RETURN = r"""
verdict:
  description:
    - Per family, what happens to a packet between two interfaces that are not
      Docker's (after the change; in check mode, as the change would leave it).
  returned: always
  type: dict
  contains:
    ipv4:
      description: IPv4.
      type: dict
      contains:
        forwarding:
          description: C(net.ipv4.ip_forward) now (C(net.ipv6.conf.all.forwarding) for IPv6); null when unreadable.
          type: int
          sample: 1
        dropped:
          description:
            - Whether some base chain on the forward hook drops the packet.
            - Null when the forward path cannot be read (neither C(nft) nor C(iptables-nft) answered).
          type: bool
          sample: false
        dropped_by:
          description: The chains that drop it.
          type: list
          elements: str
          sample: ["ip filter FORWARD (iptables-nft)"]
        open_router:
          description:
            - Forwarding is on and nothing drops the packet - the host routes between all of its interfaces.
            - Null when the forward path cannot be read.
          type: bool
          sample: true
        chains:
          description: Every base chain on the forward hook that sees the family's packets.
          type: list
          elements: dict
          contains:
            label:
              description: Family, table, chain and backend.
              type: str
              sample: ip filter FORWARD (iptables-nft)
            backend:
              description: V(nftables), V(iptables-nft) or V(iptables-legacy).
              type: str
            family:
              description: The nftables family (V(ip), V(ip6), V(inet)).
              type: str
            table:
              description: Table name.
              type: str
            chain:
              description: Chain name.
              type: str
            priority:
              description: The hook priority (null for iptables-legacy).
              type: raw
            policy:
              description: The chain's policy, V(accept) or V(drop).
              type: str
            verdict:
              description: V(accept) or V(drop), for a packet that no conditional rule matches.
              type: str
            decided_by:
              description: C(policy drop), C(policy accept), or the unconditional rule that decided and its chain.
              type: str
              sample: rule `-j ACCEPT` in DOCKER-USER
        summary:
          description: One sentence.
          type: str
          sample: "IPv4: a packet between two non-container interfaces is dropped by ip filter FORWARD (iptables-nft), policy drop."
    ipv6:
      description: IPv6, with the same keys.
      type: dict
iptables:
  description: Per family, the C(iptables) (C(ip6tables)) command Docker runs and the backend it uses.
  returned: always
  type: dict
  contains:
    ipv4:
      description: IPv4.
      type: dict
      contains:
        command:
          description: Its path, or null when not installed.
          type: str
          sample: /usr/sbin/iptables
        version:
          description: The version C(iptables -V) prints.
          type: str
          sample: 1.8.11
        backend:
          description: V(iptables-nft) for C((nf_tables)), V(iptables-legacy) for C((legacy)).
          type: str
          sample: iptables-nft
        error:
          description: Null, or why the backend is unknown.
          type: str
    ipv6:
      description: IPv6, with the same keys.
      type: dict
nftables:
  description: The nftables ruleset.
  returned: always
  type: dict
  contains:
    available:
      description: Whether C(nft) is installed.
      type: bool
    error:
      description: Null, or why the ruleset could not be read (the command and its error output).
      type: str
      sample: "`nft -j list ruleset` failed (rc 1): netlink: Error: cache initialization failed: Operation not permitted"
    forward_chains:
      description: Every base chain on the forward hook, in every family.
      type: list
      elements: dict
      contains:
        family:
          description: The nftables family.
          type: str
        table:
          description: Table name.
          type: str
        chain:
          description: Chain name.
          type: str
        priority:
          description: The hook priority as nft reports it.
          type: raw
        policy:
          description: V(accept) or V(drop).
          type: str
        iptables_nft:
          description: Whether the table is one that iptables-nft writes.
          type: bool
  sample:
    available: true
    error: null
    forward_chains:
      - {family: inet, table: filter, chain: forward, priority: 0, policy: accept, iptables_nft: false}
      - {family: ip, table: filter, chain: FORWARD, priority: 0, policy: drop, iptables_nft: true}
iptables_nft:
  description: Per family, the filter table as C(iptables-nft -S) (C(ip6tables-nft -S)) lists it.
  returned: always
  type: dict
  contains:
    ipv4:
      description: IPv4.
      type: dict
      contains:
        policy:
          description: The C(FORWARD) policy (C(ACCEPT), C(DROP)); null when the command is not installed or failed.
          type: str
        docker_chains:
          description: The chains whose names start with C(DOCKER).
          type: list
          elements: str
        error:
          description: Null, or the command and its error output.
          type: str
    ipv6:
      description: IPv6, with the same keys.
      type: dict
  sample:
    ipv4: {policy: ACCEPT, docker_chains: [DOCKER, DOCKER-BRIDGE, DOCKER-CT, DOCKER-FORWARD, DOCKER-INTERNAL, DOCKER-USER], error: null}
    ipv6: {policy: ACCEPT, docker_chains: [], error: null}
iptables_legacy:
  description: Per family, the legacy filter table, with the keys of RV(iptables_nft) and RV(iptables_legacy.ipv4.loaded).
  returned: always
  type: dict
  contains:
    ipv4:
      description: IPv4.
      type: dict
      contains:
        loaded:
          description: Whether the kernel has a legacy filter table in this network namespace; only then is it listed.
          type: bool
    ipv6:
      description: IPv6.
      type: dict
docker:
  description: Where Docker keeps its rules.
  returned: always
  type: dict
  contains:
    present:
      description: Whether Docker's chains (C(DOCKER-USER), C(DOCKER-FORWARD) or C(DOCKER-ISOLATION-STAGE-1)) or its nftables tables exist.
      type: bool
    backends:
      description: Per family, the backends that hold them (V(iptables-nft), V(iptables-legacy), V(nftables)).
      type: dict
      sample: {ipv4: [iptables-nft], ipv6: []}
    chains:
      description: Per family, the names of Docker's iptables chains.
      type: dict
persistence:
  description: The systemd unit that sets the policy at boot.
  returned: always
  type: dict
  contains:
    unit:
      description: Its path.
      type: str
      sample: /etc/systemd/system/hostnet-forward-policy.service
    installed:
      description: Whether the file exists.
      type: bool
    enabled:
      description: What C(systemctl is-enabled) says; null without systemctl.
      type: str
      sample: enabled
    active:
      description: What C(systemctl is-active) says; null without systemctl.
      type: str
      sample: active
changes:
  description: What the module changed (in check mode, would change), one sentence each.
  returned: always
  type: list
  elements: str
  sample:
    - "iptables-nft (IPv4): FORWARD policy ACCEPT -> DROP (/usr/sbin/iptables -w 10 -P FORWARD DROP)"
    - wrote /etc/systemd/system/hostnet-forward-policy.service
    - enabled hostnet-forward-policy.service
    - started hostnet-forward-policy.service
warnings:
  description:
    - Findings to act on (a drop policy in a chain without Docker's rules, Docker's
      chains in both iptables backends, a command that failed). Ansible also shows each as a warning.
  returned: when there is something to warn about
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._ansible.files import write_changes
from ansible_collections.hostnet.networkd.plugins.module_utils._files.changeset import Change
from ansible_collections.hostnet.networkd.plugins.module_utils._files.confined import ConfinedRoot
from ansible_collections.hostnet.networkd.plugins.module_utils._firewall.live import read_firewall, read_text_file
from ansible_collections.hostnet.networkd.plugins.module_utils._firewall.model import (
    FAMILY_WORDS,
    UNIT_NAME,
    UNIT_PATH,
    FirewallAudit,
    FirewallError,
    describe_plan,
    plan_drop,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._live.commands import run_read_only
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.families import FAMILY_CHOICES, families_of


def observe(module):
    return read_firewall(run_read_only, module.get_bin_path, read_text_file)


def run_or_fail(module, argv, done, result):
    rc, _stdout, stderr = module.run_command(argv, environ_update={"LC_ALL": "C"})
    if rc != 0:
        module.fail_json(msg="`%s` failed (rc %d): %s; done before it: %s"
                             % (" ".join(argv), rc, stderr.strip() or "no error output", "; ".join(done) or "nothing"),
                         **result)


def write_unit(module, before, text, done, result):
    """Replace the unit file, unless it changed since it was read (``before``, its text or None).

    Written through the collection's one writer: an existing file keeps its owner, mode and
    SELinux context, a symlink in the way is never followed out of /, a FIFO is never opened.
    """
    root = ConfinedRoot("/")
    try:
        current = root.read_bytes(UNIT_PATH)
    except FileNotFoundError:
        current = None
    except OSError as error:
        module.fail_json(msg="could not write %s: %s; done before it: %s"
                             % (UNIT_PATH, error.strerror or error, "; ".join(done) or "nothing"), **result)
    if (None if current is None else current.decode("utf-8", "replace")) != before:
        module.fail_json(msg="could not write %s: the file changed since it was read; done before it: %s"
                             % (UNIT_PATH, "; ".join(done) or "nothing"), **result)
    write_changes(module, root, [Change(UNIT_PATH, current, text.encode("utf-8"))], result,
                  done="; ".join(done) or "nothing")


def apply_plan(module, plan, systemctl, result):
    """The policy first (the host is closed at once), then the unit that keeps it; stops at the first failure."""
    done = []
    for change in plan.policy_changes:
        run_or_fail(module, change.command, done, result)
        done.append(" ".join(change.command))
    if plan.write_unit:
        write_unit(module, plan.before_unit, plan.unit_text, done, result)
        done.append("wrote %s" % UNIT_PATH)
        run_or_fail(module, [systemctl, "daemon-reload"], done, result)
        done.append("systemctl daemon-reload")
    if plan.enable_unit:
        run_or_fail(module, [systemctl, "enable", UNIT_NAME], done, result)
        done.append("systemctl enable %s" % UNIT_NAME)
    if plan.start_unit:
        run_or_fail(module, [systemctl, plan.start_unit, UNIT_NAME], done, result)


def persistence(observation, planned):
    """The unit as it is; with ``planned`` (check mode), as the plan would leave it."""
    return {
        "unit": UNIT_PATH,
        "installed": observation.unit_text is not None or bool(planned and planned.write_unit),
        "enabled": "enabled" if planned and planned.enable_unit else observation.unit_enabled,
        "active": "active" if planned and planned.start_unit else observation.unit_active,
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["audit", "drop"], default="audit"),
            family=dict(type="str", choices=list(FAMILY_CHOICES), default="ipv4"),
            persist=dict(type="bool", default=True),
            fail_on_open_router=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    families = list(families_of(params["family"]))
    observation = observe(module)
    audit = FirewallAudit(observation)
    plan = None
    if params["state"] == "drop":
        try:
            plan = plan_drop(audit, families, params["persist"])
        except FirewallError as error:
            module.fail_json(msg=str(error), **audit.report())
    changes, diff = describe_plan(plan) if plan else ([], [])
    result = dict(changed=bool(plan and plan.changed), changes=changes)
    if plan and plan.changed:
        if module.check_mode:
            audit = FirewallAudit(observation, predict_drop=plan.predicted())
        else:
            apply_plan(module, plan, observation.systemctl, dict(result, **audit.report()))
            observation = observe(module)
            audit = FirewallAudit(observation)
    result.update(audit.report())
    result["persistence"] = persistence(observation, plan if module.check_mode else None)
    for warning in audit.warnings():
        module.warn(warning)
    if module._diff:
        result["diff"] = diff
    open_families = [FAMILY_WORDS[f] for f in families if result["verdict"][f]["open_router"]]
    if params["fail_on_open_router"] and open_families:
        module.fail_json(msg="the host routes between all of its interfaces for %s: %s"
                             % (", ".join(open_families),
                                " ".join(result["verdict"][f]["summary"] for f in families
                                         if result["verdict"][f]["open_router"])), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
