#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: networkd_forwarding
short_description: Audit and fix IP forwarding as systemd-networkd will set it, per link
version_added: 0.1.0
description:
  - Answers, for every covered link, which C(.network) file governs it, what
    systemd-networkd will write to C(net.ipv4.conf.<link>.forwarding) and
    C(net.ipv6.conf.<link>.forwarding) on the next reconfigure of the link (with
    the files on disk, as after C(networkctl reload)), on a networkd restart and after a reboot (with sysctl.d), what the
    value is now, and which file and line will reset it.
  - Reads networkd's configuration exactly as the host's systemd does, with the
    search directories of its version, same-name overrides, masking, drop-ins,
    C([Match]) rules and conditions, networkd.conf and its drop-ins, and
    sysctl.d.
  - With O(state=enabled) or O(state=disabled) it writes the forwarding keys
    right for the host's systemd (C(IPForward=) before 256,
    C(IPv4Forwarding=)/C(IPv6Forwarding=) from 256) and removes conflicting
    forwarding keys from the governing file and its drop-ins, so no later
    drop-in can undo the fix.
  - Files under C(/etc/systemd/network) are edited in place; files elsewhere
    (netplan's C(/run/systemd/network), packages' C(/usr/lib/systemd/network))
    get a drop-in under C(/etc/systemd/network/<name>.network.d/), which survives
    regeneration and upgrades. Writes are atomic and keep owner, group, mode
    and SELinux context.
  - The changes of a run are applied together or not at all. Every new content is written to a
    hidden temporary file first, then each file is compared with what was read and renamed into
    place; when a step fails, the files already replaced get their old content back, and the
    failure says which files were and were not changed. Two runs on the same O(root) wait for each
    other on the lock file C(/etc/systemd/.hostnet-networkd.lock) below it (at most 60 seconds, then
    the run fails without changing anything), and a run that waited plans again from the files as
    the other run left them.
  - Every path below O(root) is resolved as in a chroot, for reading and for writing. An absolute
    symlink is followed from O(root), C(..) stops at O(root), and files are opened, created,
    renamed and removed relative to their resolved directory, so nothing outside O(root) is read,
    written, created or removed, whatever symlinks the image holds.
  - Only regular files of at most 4 MiB (4194304 bytes) are read. networkd itself refuses a line
    over 1 MiB, and the largest .network, networkd.conf or sysctl.d file of the sixteen
    distribution layouts of the tests and of the Debian lab images is under 3 KiB. A FIFO, a
    device, a socket, a directory where a file belongs, or a larger file is never opened for
    reading; it becomes an error of that file, with the reason, in RV(network_files) or
    RV(warnings).
  - File names and contents that are not UTF-8 are returned with each such byte written as
    C(\xNN), in results, diffs and warnings, in check mode too.
  - The global setting is written to a networkd.conf.d drop-in, which networkd parses after
    networkd.conf. networkd.conf itself is never edited; its overridden key is reported in
    RV(global.ipv4.overridden).
  - The predictions include what the container runtimes that start at boot write to forwarding
    (dockerd, netavark for Podman, k3s, libvirtd, incusd, LXD), found from their unit files,
    enablement links and configuration below O(root) (RV(runtimes)).
  - Every run returns RV(evidence) for auditors, which lists the forwarding sysctls that are 1, the
    file and line that set each, why a container host needs it, and the CIS and DISA STIG items it
    deviates from.
  - On a live host it reads systemd-networkd's state (RV(networkd)). With O(state=enabled) or
    O(state=disabled) it fails before writing anything when networkd is not installed, masked, or
    its state cannot be read.
  - The module never reloads networkd. Apply a change with C(networkctl reload),
    which reads the files again and reconfigures the links whose files changed;
    C(networkctl reconfigure <link>) alone does not read edited files. A change
    of networkd.conf (O(scope=global)) needs a networkd restart.
author:
  - hostnet.networkd maintainers (@hostnet)
extends_documentation_fragment:
  - hostnet.networkd.attributes
  - hostnet.networkd.attributes.changes_with_diff
  - hostnet.networkd.links
  - ansible.builtin.action_common_attributes
options:
  state:
    description:
      - V(audit) reports and never changes anything.
      - V(enabled) makes networkd keep forwarding on for the covered links;
        V(disabled) makes it keep forwarding off.
    type: str
    choices: [audit, enabled, disabled]
    default: audit
  family:
    description: The address families to audit or fix.
    type: str
    choices: [ipv4, ipv6, both]
    default: ipv4
  interfaces:
    description:
      - Names or shell globs of the links to cover, matched against link names
        and alternative names.
      - Defaults to every link but C(lo) in audit mode. With O(state=enabled) or
        O(state=disabled), O(interfaces) or O(paths) is required, and an empty list is an error.
      - A glob (with C(*), C(?) or C([)) that matches no link is fine, so that a fleet can share one list.
        A name that matches no link is an error, unless O(missing_interfaces=ignore).
    type: list
    elements: str
  missing_interfaces:
    description:
      - What a name in O(interfaces) that matches no link does. V(fail) fails the task before anything
        changes; V(ignore) leaves it out with a warning.
    type: str
    choices: [fail, ignore]
    default: fail
  paths:
    description:
      - C(.network) files (or globs) to cover directly, as seen inside O(root),
        for example files an earlier task templated, or the files of an offline
        image that has no links to match.
      - Each must lie in a networkd configuration directory.
    type: list
    elements: path
  scope:
    description:
      - V(link) fixes the C(.network) files that govern the covered links.
      - V(global) writes a networkd.conf.d drop-in with the global
        C(IPv4Forwarding=)/C(IPv6Forwarding=) (systemd 256 and later only; on
        older systemd a warning is returned and nothing is written).
      - V(both) does both.
    type: str
    choices: [link, global, both]
    default: link
  method:
    description:
      - V(auto) edits files under C(/etc/systemd/network) in place and writes a
        drop-in under C(/etc) for files anywhere else.
      - V(inline) always edits the governing file, except under C(/run), C(/usr/lib) and C(/lib),
        which are written again at boot or by package upgrades; there it fails without changing
        anything. V(dropin) always writes a drop-in under C(/etc/systemd/network).
    type: str
    choices: [auto, inline, dropin]
    default: auto
  syntax:
    description:
      - Which keys to write. V(auto) picks from the systemd version.
      - V(legacy) writes C(IPForward=), which systemd 256 and later ignore.
      - V(modern) writes C(IPv4Forwarding=)/C(IPv6Forwarding=), which systemd
        before 256 ignores.
    type: str
    choices: [auto, legacy, modern]
    default: auto
  systemd_version:
    description:
      - The systemd version to model. Detected on a live host from the name of
        the installed C(libsystemd-shared-<N>.so) when there is exactly one, else
        with C(networkctl --version) (or C(systemctl --version)); below another
        O(root), from the newest installed C(libsystemd-shared).
      - From 219 (the first networkd with a forwarding setting) to 299. Releases after
        the newest one tested are modelled like 257; a number outside that range is an error.
    type: int
  root:
    description:
      - The filesystem root to read and fix, for a mounted image or a chroot. It must be an
        existing directory.
      - Symlinks below it are resolved inside it, as in a chroot, for every read and write.
      - With a root other than C(/) there is no live state; pass O(links) to
        describe the links to predict for. Without O(links) no link is predicted, a warning says so, and
        the result holds the global settings with their RV(global.ipv4.risk) and the files that put every link
        they govern at risk (RV(files_at_risk)); O(fail_on_risk) fails on those.
    type: path
    default: /
  dropin_name:
    description:
      - File name of the drop-ins this module writes.
      - It must be a name networkd reads, or the fix would never apply. It ends in C(.conf),
        does not start with a dot (networkd skips hidden files), has no C(/) and no control
        character (no newline), and is at most 226 bytes long, so that a backup's suffix
        still fits the file-name limit of 255 bytes.
    type: str
    default: 50-hostnet-forwarding.conf
  backup:
    description:
      - Keep a timestamped copy of every file before changing it, beside it, named as Ansible's
        backups are (C(<file>.<pid>.<YYYY-MM-DD@HH:MM:SS>~)).
      - The copy is of the file the path leads to inside O(root); a symlink is followed
        inside O(root), never to the host's file of the same name.
    type: bool
    default: false
  fail_on_risk:
    description:
      - Fail the task when a covered link is at risk, that is when an event
        (reconfigure, reload, restart, reboot, C(sysctl --system)) will set its
        forwarding away from the wanted value (1 unless O(state=disabled)).
      - When no link is covered (a O(root) audited without O(links)), fail when the global switch or a file
        (RV(files_at_risk)) is at risk.
    type: bool
    default: false
  network_files:
    description:
      - How much RV(network_files) says about each file.
      - V(compact) lists the files that govern a link, with the links they govern, and the files networkd
        skips, with why; each row leaves out the keys at their defaults. The files networkd loads that
        govern no link are counted in RV(unused_network_files) instead. The result grows with the number
        of files plus the number of links.
      - V(full) lists every file with every key and RV(network_files[].matched_links), every link each
        file's C([Match]) matches. A file that matches nearly every link, such as C(Name=!eth0), lists
        them all, so on a host with thousands of files and links the result grows as files times links;
        keep it for small hosts or offline images.
    type: str
    choices: [compact, full]
    default: compact
notes:
  - The predictions follow the version-by-version behaviour of networkd
    documented in the collection's user guide. On systemd 228 to 255 networkd
    never writes a per-link forwarding value; C(IPForward=yes) only turns
    global forwarding on once.
  - C(sysctl --system) is predicted as the host's procps-ng release runs it, read with
    C(sysctl --version), else from dpkg's or pacman's database below O(root) (not from rpm's).
    Before 4.0.0 a glob line (C(net.ipv4.conf.*.forwarding)) writes nothing, up to 4.0.4 a glob
    exclusion (C(-net.ipv4.conf.docker*.forwarding)) is ignored. When a glob line makes the
    release matter and it is unknown, the prediction assumes 4.0.0 to 4.0.4, which write the
    most, and a warning says so.
  - networkd reads networkd.conf and its drop-ins only when it starts, and the predictions use the
    files as they are now. On a live host a warning names the files changed after the running
    networkd started, whose global setting it does not use until it restarts.
  - A link whose udev property C(ID_NET_MANAGED_BY) names another network manager is left alone by
    systemd 255 and later (RV(links[].managed_by)). Releases before the fix of systemd issue 36997
    checked it only on udev events, so a later reconfigure could still configure such a link; the
    predictions do not show that.
seealso:
  - name: systemd.network(5)
    description: The .network file format.
    link: https://www.freedesktop.org/software/systemd/man/latest/systemd.network.html
  - name: networkd.conf(5)
    description: The global networkd settings.
    link: https://www.freedesktop.org/software/systemd/man/latest/networkd.conf.html
"""

EXAMPLES = r"""
- name: Audit forwarding on every link
  hostnet.networkd.networkd_forwarding:
  register: forwarding

- name: Fail when an event will take the uplink's forwarding down
  hostnet.networkd.networkd_forwarding:
    interfaces: [uplink0]
    family: both
    fail_on_risk: true

# networkd reads changed files on `networkctl reload`: notify a handler that runs it
# (ansible.builtin.command: networkctl reload, with changed_when: true).
- name: Keep IPv4 forwarding on for the uplinks, whatever systemd the host runs
  hostnet.networkd.networkd_forwarding:
    state: enabled
    interfaces: ["eth*", "uplink0"]
  notify: Reload systemd-networkd

- name: Fix a netplan-generated file through a drop-in, and the global setting (systemd 256+)
  hostnet.networkd.networkd_forwarding:
    state: enabled
    interfaces: [eth0]
    scope: both

- name: Audit an offline image for a given set of links
  hostnet.networkd.networkd_forwarding:
    root: /mnt/image
    systemd_version: 257
    links:
      - name: eth0
        type: ether
        mac: "52:54:00:12:34:56"
"""

RETURN = r"""
systemd_version:
  description: The systemd version the predictions are for.
  returned: always
  type: int
  sample: 257
syntax:
  description: The keys the module writes for this version (V(legacy) is C(IPForward=), V(modern) is C(IPv4Forwarding=)/C(IPv6Forwarding=)).
  returned: always
  type: str
  sample: modern
links:
  description:
    - One entry per covered link, after the change (in check mode, as the change would leave it).
    - The keys V(ipv4) and V(ipv6) appear for the families in O(family).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Interface name.
      type: str
      sample: uplink0
    network_file:
      description: The .network file that governs the link, or null when none matches.
      type: str
      sample: /etc/systemd/network/10-uplink0.network
    dropins:
      description: The drop-ins of that file, in the order networkd applies them.
      type: list
      elements: str
      sample: [/etc/systemd/network/10-uplink0.network.d/50-hostnet-forwarding.conf]
    unmanaged:
      description: Whether the file says C(Unmanaged=yes), so networkd leaves the link alone.
      type: bool
      sample: false
    managed_by:
      description:
        - udev's C(ID_NET_MANAGED_BY) when it names a manager other than networkd (C(io.systemd.Network)) and
          the host's systemd honours it (255 and later); networkd then matches no C(.network) file to the link.
        - Null otherwise, and for links described with O(links), which carry no udev properties.
      type: str
      sample: null
    ipv4:
      description: IPv4 forwarding of the link.
      type: dict
      contains:
        live:
          description: The value in C(/proc/sys/net/ipv4/conf/<link>/forwarding) now (before any change); null without live state.
          type: int
          sample: 1
        configured:
          description: The effective key=value of the link's network that decides its forwarding, or null.
          type: str
          sample: IPv4Forwarding=yes
        source:
          description: Where that key is set, as path:line.
          type: str
          sample: /etc/systemd/network/10-uplink0.network:6
        after_reconfigure:
          description:
            - The value after the next reconfigure of the link with the files on disk
              (C(networkctl reload) after a change, or C(networkctl reconfigure <link>) otherwise).
            - Null when networkd leaves the value as it is.
          type: int
          sample: 1
        after_restart:
          description: The value after C(systemctl restart systemd-networkd); null when networkd leaves it as it is.
          type: int
          sample: 1
        after_boot:
          description: The value after a reboot, with sysctl.d applied before networkd starts.
          type: int
          sample: 1
        after_sysctl_reload:
          description: The value after C(sysctl --system), as the host's procps-ng runs it; null when no sysctl.d entry touches it.
          type: int
          sample: null
        after_boot_source:
          description:
            - The write that gives RV(links[].ipv4.after_boot) its value (file and line with the setting, or a
              container runtime at its start, see RV(runtimes)); null for the kernel's default.
          type: str
          sample: "dockerd at its start (docker.service): net.ipv4.ip_forward = 1"
        risk:
          description: Null, or one sentence saying which event will move the value away from the wanted one, and which file and line say so.
          type: str
          sample: "uplink0 IPv4 forwarding becomes 0 when systemd-networkd restarts (/etc/systemd/networkd.conf.d/10-harden.conf:2 (IPv4Forwarding=no))."
    ipv6:
      description: IPv6 forwarding of the link, with the same keys as RV(links[].ipv4).
      type: dict
global:
  description: The global forwarding settings per family.
  returned: always
  type: dict
  contains:
    ipv4:
      description: IPv4.
      type: dict
      contains:
        networkd_conf:
          description: C(IPv4Forwarding=) in networkd.conf or its drop-ins (V(yes), V(no) or null).
          type: str
        source:
          description: Where it is set, as path:line.
          type: str
        overridden:
          description:
            - Earlier assignments of the key that a later one replaces, as path:line with the setting, in the
              order networkd parses them (networkd.conf, then its drop-ins by name).
          type: list
          elements: str
          sample: ["/etc/systemd/networkd.conf:20 (IPv4Forwarding=no)"]
        all:
          description: The live C(net.ipv4.conf.all.forwarding).
          type: int
        default:
          description: The live C(net.ipv4.conf.default.forwarding).
          type: int
        ip_forward:
          description: The live C(net.ipv4.ip_forward).
          type: int
        after_restart:
          description: C(all) and C(default) after a networkd restart; null where networkd leaves the value as it is.
          type: dict
        after_boot:
          description: C(all) and C(default) after a reboot, sysctl.d included.
          type: dict
        after_sysctl_reload:
          description: C(all) and C(default) after C(sysctl --system); null where no entry writes the value.
          type: dict
        risk:
          description: Null, or one sentence saying which event will move C(all) away from the wanted value, and why.
          type: str
          sample: "global (all) IPv4 forwarding becomes 0 when systemd-networkd restarts (/etc/systemd/networkd.conf:20 (IPv4Forwarding=no))."
    ipv6:
      description: IPv6, with the same keys but V(ip_forward).
      type: dict
  sample:
    ipv4: {networkd_conf: "no", source: /etc/systemd/networkd.conf.d/10-harden.conf:2, all: 1, default: 1, ip_forward: 1,
           after_restart: {all: 0, default: 0}, after_boot: {all: 0, default: 0}, after_sysctl_reload: {all: null, default: null}}
    ipv6: {networkd_conf: null, source: null, all: 0, default: 0,
           after_restart: {all: null, default: null}, after_boot: {all: 0, default: 0}, after_sysctl_reload: {all: null, default: null}}
network_files:
  description:
    - The .network files that govern a link and those networkd skips (masked, overridden, unreadable,
      unparsable or with conditions that do not hold), in the order networkd loads them, then the
      overridden ones. With O(network_files=full), every file considered.
    - With O(network_files=compact) (the default) a row leaves out each key at its default (V(false),
      null, empty, V(0)).
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
      returned: always
    masked:
      description: Whether it is empty or a symlink to /dev/null.
      type: bool
      returned: when true, or with network_files=full
    overridden_by:
      description: The same-name file of higher priority that hides it, or null.
      type: str
      returned: when set, or with network_files=full
    dropins:
      description: Its drop-ins, in the order networkd applies them.
      type: list
      elements: str
      returned: when it has some, or with network_files=full
    governed_links:
      description:
        - The links (of all links, not only covered ones) this file governs, that is the links for
          which it is the first loaded file whose C([Match]) matches them; RV(links[].network_file) is
          the same answer seen from the link.
      type: list
      elements: str
      returned: when it governs a link, or with network_files=full
    other_matches:
      description:
        - How many other links its C([Match]) matches, links an earlier file governs.
      type: int
      returned: when not 0, or with network_files=full
    matched_links:
      description:
        - Every link (of all links) its C([Match]) matches, whether or not an earlier file wins it.
      type: list
      elements: str
      returned: with network_files=full
    conditions:
      description: Null when its conditions hold (or it has none), else why they do not or cannot be evaluated.
      type: str
      returned: when they do not hold or cannot be evaluated, or with network_files=full
    error:
      description: Null, or why networkd skips the file (file:line and message).
      type: str
      returned: when networkd skips the file, or with network_files=full
  sample:
    - {path: /etc/systemd/network/10-uplink0.network, governed_links: [uplink0]}
    - {path: /etc/systemd/network/80-container-veth.network, governed_links: [veth1a2b, veth9f0c], other_matches: 1}
    - {path: /usr/lib/systemd/network/10-uplink0.network, overridden_by: /etc/systemd/network/10-uplink0.network}
unused_network_files:
  description:
    - Every .network file networkd loads that governs none of the links (all of them when no link is
      known), with the number of links its C([Match]) matches that an earlier file governs. A file
      with a number above 0 is shadowed by earlier files; one with 0 matches no link at all.
  returned: always
  type: dict
  sample: {/etc/systemd/network/20-uplink0-old.network: 1, /usr/lib/systemd/network/99-wlan.network: 0}
at_risk:
  description:
    - What O(fail_on_risk) fails on, whether or not it is set - the covered links at risk, by name; when no link
      is covered, C(global ipv4) or C(global ipv6) for a global switch at risk and the paths of RV(files_at_risk).
    - A playbook can write every host's report first and fail the hosts at risk afterwards (the
      C(hostnet.networkd.audit) playbook does).
  returned: always
  type: list
  elements: str
  sample: [uplink0]
residual_risks:
  description:
    - After the change (in check mode, as it would leave the host), every risk left on the host, one sentence each.
      It lists the covered links' risks (a sysctl.d line the change does not touch, for example), then the other
      links' risks, then the global switches' risks (networkd.conf, sysctl.d).
  returned: when O(state) is V(enabled) or V(disabled)
  type: list
  elements: str
  sample: ["docker0 IPv4 forwarding becomes 0 on `sysctl --system` (/etc/sysctl.d/60-netipv4_sysctl.conf:5 (net.ipv4.ip_forward = 0))."]
affected_links:
  description:
    - For each file changed, the links beyond the covered ones whose forwarding the change sets too, because the
      file governs them (a drop-in for a catch-all file such as Flatcar's C(zz-default.network)), or, for a
      networkd.conf.d drop-in, because networkd manages them.
  returned: when O(state) is V(enabled) or V(disabled)
  type: dict
  sample: {/etc/systemd/network/zz-default.network.d/50-hostnet-forwarding.conf: [eth1]}
files_at_risk:
  description:
    - The loaded C(.network) files whose own keys make networkd write the other value to every link they govern
      (a value inherited from networkd.conf is in RV(global.ipv4.risk) instead).
  returned: when no link is covered, for example below a O(root) audited without O(links)
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
    family:
      description: V(ipv4) or V(ipv6).
      type: str
    value:
      description: The value networkd writes to a link the file governs when it configures it.
      type: int
    source:
      description: The line that decides it, as path:line with the setting.
      type: str
    risk:
      description: One sentence.
      type: str
  sample:
    - {path: /etc/systemd/network/10-eth0.network, family: ipv4, value: 0,
       source: "/etc/systemd/network/10-eth0.network:6 (IPv4Forwarding=no)",
       risk: "every link /etc/systemd/network/10-eth0.network governs gets IPv4 forwarding 0 when networkd configures it
         (/etc/systemd/network/10-eth0.network:6 (IPv4Forwarding=no))."}
runtimes:
  description:
    - The container and VM runtimes found below O(root) that write forwarding when they start, from their unit
      files, the links that enable them and their configuration (C(/etc/docker/daemon.json), Quadlet
      C(.container) files, libvirt's autostarted networks).
    - One whose unit is enabled is part of RV(links[].ipv4.after_boot); one ordered after
      C(network-online.target) writes after networkd has configured the links, another possibly before.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: V(docker), V(podman), V(k3s), V(libvirt), V(incus) or V(lxd).
      type: str
      sample: docker
    unit:
      description: The unit that starts it.
      type: str
      sample: docker.service
    starts_at_boot:
      description: Whether a target pulls the unit in at boot.
      type: bool
      sample: true
    after_network_online:
      description: Whether the unit is ordered after C(network-online.target).
      type: bool
      sample: true
    writes:
      description: The sysctls it sets when it starts; empty when its configuration stops it.
      type: list
      elements: str
      sample: ["net.ipv4.ip_forward = 1"]
    evidence:
      description: The files it was found from.
      type: list
      elements: str
      sample: [/usr/lib/systemd/system/docker.service, /etc/systemd/system/multi-user.target.wants/docker.service]
    note:
      description: Null, or which line stops it from writing, or what the audit had to assume.
      type: str
      sample: '"ip-forward": false in /etc/docker/daemon.json:2'
sysctl:
  description: Every forwarding-related sysctl.d / sysctl.conf entry.
  returned: always
  type: list
  elements: dict
  contains:
    file:
      description: The file.
      type: str
    line:
      description: The line number.
      type: int
    key:
      description: The normalized key.
      type: str
    value:
      description: The value.
      type: str
    effective:
      description: Whether systemd-sysctl applies this entry at boot (not overridden by a later one).
      type: bool
  sample:
    - {file: /etc/sysctl.d/60-cis.conf, line: 3, key: net.ipv4.ip_forward, value: "0", effective: true}
changes:
  description: The files the module created, modified and removed (would have, in check mode).
  returned: always
  type: dict
  contains:
    created:
      description: Files created.
      type: list
      elements: str
    modified:
      description: Files modified.
      type: list
      elements: str
    removed:
      description: Files removed.
      type: list
      elements: str
  sample: {created: [/etc/systemd/network/10-netplan-eth0.network.d/50-hostnet-forwarding.conf], modified: [], removed: []}
evidence:
  description:
    - Evidence for auditors that the host forwards because it is a container host, for the
      covered links (in check mode, as the change would leave the files).
    - Lists every forwarding sysctl that reads 1 now or will after a reboot (C(net.ipv4.ip_forward),
      and C(all), C(default) and each covered link for both families), what sets it, why, and the
      hardening benchmark items (CIS, DISA STIG) it deviates from. Sysctls at 0 are not listed.
    - Holds no timestamp, so it changes only when the host does.
  returned: always
  type: dict
  contains:
    format:
      description: The version of this document's layout.
      type: str
      sample: hostnet.networkd.evidence/1
    host:
      description: The host name the host reports, or null without live state.
      type: str
      sample: docker-host-17
    systemd_version:
      description: The systemd version the evidence is for.
      type: int
      sample: 257
    role:
      description:
        - The role of the host that justifies forwarding, from the container runtimes found on it
          (RV(runtimes)); C(no container runtime found ...) when there is none.
      type: str
      sample: "container host: docker"
    runtimes:
      description: The names of the runtimes found (RV(runtimes[].name)).
      type: list
      elements: str
      sample: [docker]
    uplinks:
      description: The covered links that networkd manages and that are not Docker's own (C(docker0), C(br-*), C(veth*)).
      type: list
      elements: str
      sample: [uplink0]
    forwarding:
      description: One entry per sysctl that is or will be 1, in a fixed order.
      type: list
      elements: dict
      contains:
        key:
          description: The sysctl.
          type: str
          sample: net.ipv4.conf.uplink0.forwarding
        live:
          description: Its value now (before any change); null without live state.
          type: int
          sample: 1
        after_boot:
          description: Its value after a reboot, as the files say.
          type: int
          sample: 1
        set_by:
          description:
            - What sets it to 1. A sysctl.d line or a networkd key is given as C(file:line) followed by the
              setting in parentheses; otherwise the kernel's rule (C(kernel propagation from net.ipv4.ip_forward),
              or a copy of C(default) when the link appeared), or a runtime write that no file explains.
          type: list
          elements: str
          sample: ["/etc/sysctl.d/90-hostnet-forwarding.conf:4 (net.ipv4.conf.uplink0.forwarding = 1)",
                   "/etc/systemd/network/10-uplink0.network:6 (IPv4Forwarding=yes)"]
        reason:
          description: Why a container host needs it on.
          type: str
          sample: "container host: uplink0 is an uplink; Docker routes the containers' traffic out through it"
        deviates_from:
          description: The benchmark items that want this sysctl at 0; empty when no item names it.
          type: list
          elements: dict
          contains:
            benchmark:
              description: The benchmark.
              type: str
              sample: CIS Debian Linux 12 Benchmark
            version:
              description: Its version.
              type: str
              sample: v1.1.0
            item:
              description: The item number or STIG ID.
              type: str
              sample: 3.3.1
            title:
              description: The item's title.
              type: str
              sample: Ensure ip forwarding is disabled
networkd:
  description:
    - The state of systemd-networkd on the live host. When a process runs in the unit's cgroup (read from
      C(/proc/1/cgroup) and C(/sys/fs/cgroup)), networkd runs and the states are V(loaded), V(active) and V(running);
      otherwise C(systemctl show systemd-networkd.service) says them.
    - With O(state=enabled) or O(state=disabled) the module fails before writing anything when
      networkd is not installed, is masked, or its state cannot be read; when it is installed but
      not running, it warns (the files apply once networkd starts).
  returned: when root is /
  type: dict
  contains:
    networkctl:
      description: Whether C(networkctl) is installed.
      type: bool
      sample: true
    load_state:
      description: The unit's C(LoadState) (V(loaded), V(not-found), V(masked)...), or null when it cannot be read.
      type: str
      sample: loaded
    active_state:
      description: The unit's C(ActiveState) (V(active), V(inactive), V(failed)...).
      type: str
      sample: active
    sub_state:
      description: The unit's C(SubState) (V(running), V(dead), V(failed)...).
      type: str
      sample: running
    problem:
      description: Null when networkd runs, else one sentence saying what is wrong and what to do.
      type: str
      sample: "systemd-networkd is masked (systemd-networkd.service: LoadState=masked): unmask it with
        `systemctl unmask systemd-networkd.service`, then start it with `systemctl enable --now systemd-networkd.service`."
warnings:
  description:
    - What networkd would log and ignore, and what the module could not decide.
    - A directory that cannot be listed (permissions) is named, with a reminder that the prediction
      is incomplete without its files.
    - Ansible also shows each one as a task warning.
  returned: when there is something to warn about
  type: list
  elements: str
  sample: ["/etc/systemd/network/10-uplink0.network:6: IPForward= setting is deprecated and has no effect on systemd 257; use IPv4Forwarding=/IPv6Forwarding="]
backup_files:
  description: The backups made when O(backup=true), where they are on the target (below O(root), symlinks resolved).
  returned: when backups were made
  type: list
  elements: str
"""

import dataclasses
import fnmatch
import gc
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._ansible.argspec import LINK_SPEC
from ansible_collections.hostnet.networkd.plugins.module_utils._ansible.files import write_changes
from ansible_collections.hostnet.networkd.plugins.module_utils._ansible.host import covered_links, read_host
from ansible_collections.hostnet.networkd.plugins.module_utils._ansible.text import (
    check_serializable,
    controller_safe,
    escape_bytes,
    escape_module_output,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._files.changeset import LockFailed, root_lock
from ansible_collections.hostnet.networkd.plugins.module_utils._files.confined import root_problem
from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import OverlayFileSystem, RootFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._model.host import HostView
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.families import FAMILY_CHOICES, families_of
from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.versions import (
    NEWEST_ACCEPTED,
    OLDEST_MODELLED,
    network_dirs,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._plan.forwarding import (
    dropin_name_problem,
    paths_outside_config_dirs,
    plan_forwarding,
    resolved_syntax,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._report.audit import affected_links, at_risk, audit_report, residual_risks
from ansible_collections.hostnet.networkd.plugins.module_utils._report.evidence import build_evidence

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["audit", "enabled", "disabled"], default="audit"),
    family=dict(type="str", choices=list(FAMILY_CHOICES), default="ipv4"),
    interfaces=dict(type="list", elements="str"),
    missing_interfaces=dict(type="str", choices=["fail", "ignore"], default="fail"),
    paths=dict(type="list", elements="path"),
    scope=dict(type="str", choices=["link", "global", "both"], default="link"),
    method=dict(type="str", choices=["auto", "inline", "dropin"], default="auto"),
    syntax=dict(type="str", choices=["auto", "legacy", "modern"], default="auto"),
    systemd_version=dict(type="int"),
    root=dict(type="path", default="/"),
    links=dict(type="list", elements="dict", options=LINK_SPEC),
    dropin_name=dict(type="str", default="50-hostnet-forwarding.conf"),
    backup=dict(type="bool", default=False),
    fail_on_risk=dict(type="bool", default=False),
    network_files=dict(type="str", choices=["compact", "full"], default="compact"),
)


def check_parameters(module):
    """Refuse what the argument spec cannot: a drop-in networkd would skip, an unknown version, no link, no root."""
    params = module.params
    problem = dropin_name_problem(params["dropin_name"])
    if problem:
        module.fail_json(msg="dropin_name: %r %s" % (params["dropin_name"], problem))
    version = params["systemd_version"]
    if version is not None and not OLDEST_MODELLED <= version <= NEWEST_ACCEPTED:
        module.fail_json(msg="systemd_version: %d is not a systemd version this module models (%d to %d)"
                             % (version, OLDEST_MODELLED, NEWEST_ACCEPTED))
    if params["state"] != "audit" and params["interfaces"] == []:
        module.fail_json(msg="interfaces: an empty list covers no link, so state=%s would change nothing; name the "
                             "links to fix, or leave interfaces out and give paths" % params["state"])
    problem = root_problem(params["root"])
    if problem:
        module.fail_json(msg=problem)


def covered_paths(module, fs, version):
    """The files of the paths parameter, each checked to lie in networkd's directories."""
    directories = network_dirs(version)
    result = []
    for pattern in module.params["paths"] or ():
        if not any(os.path.dirname(pattern) == d for d in directories):
            module.fail_json(msg="paths: %s is not in a networkd configuration directory (%s)"
                                 % (pattern, ", ".join(directories)))
        matches = [os.path.join(os.path.dirname(pattern), name) for name in fs.list_dir(os.path.dirname(pattern))
                   if fnmatch.fnmatchcase(name, os.path.basename(pattern))]
        if not matches:
            module.fail_json(msg="paths: %s matches no file below root %s" % (pattern, module.params["root"]))
        result.extend(matches)
    return result


def check_inside_config_dirs(module, changes, version):
    """Refuse any write that is not a .network file, a drop-in of one, or a networkd.conf.d drop-in."""
    for path in paths_outside_config_dirs(changes, version):
        module.fail_json(msg="refusing to write %s: outside the networkd configuration directories" % path)


def diff_of(change):
    return {
        "before_header": change.path,
        "after_header": change.path,
        "before": escape_bytes(change.before),
        "after": escape_bytes(change.after),
    }


def plan_run(module, host, families, syntax):
    """Load ``host`` (a HostView) and plan; returns (loaded view, covered links, changes, warnings)."""
    params = module.params
    view = host.load()
    covered = covered_links(module, view.links, params["interfaces"], params["missing_interfaces"])
    paths = covered_paths(module, view.fs, view.version)
    changes, warnings = [], []
    if params["state"] != "audit":
        # Imported here, as in plan_forwarding: an audit does not load the planner.
        from ansible_collections.hostnet.networkd.plugins.module_utils._plan.fix import FixError
        try:
            changes, warnings = plan_forwarding(view, covered, paths, families, syntax,
                                                desired=1 if params["state"] == "enabled" else 0,
                                                scope=params["scope"], dropin_name=params["dropin_name"],
                                                method=params["method"])
        except FixError as error:
            module.fail_json(msg=str(error))
        check_inside_config_dirs(module, changes, view.version)
    return view, covered, changes, warnings


def report(module, view, covered, changes, warnings, families, syntax, networkd):
    """The result of the run as the controller will receive it; the warnings go to the module."""
    params = module.params
    if changes:
        view = HostView(version=view.version, fs=OverlayFileSystem(view.fs, {c.path: c.after for c in changes}),
                        links=view.links, facts=view.facts, live_values=view.live_values,
                        ip_forward=view.ip_forward, procps_reader=view.procps_reader,
                        networkd_started_at=view.networkd_started_at, mtime=view.mtime).load()
    desired = 0 if params["state"] == "disabled" else 1
    result = audit_report(view, covered, families, desired, params["network_files"])
    for warning in warnings + result.pop("warnings"):
        module.warn(warning)
    if params["state"] != "audit":
        result["residual_risks"] = residual_risks(view, covered, families, desired)
        result["affected_links"] = affected_links(view, [change.path for change in changes], covered)
    result.update(
        changed=bool(changes),
        syntax=syntax,
        evidence=build_evidence(view, covered),
        changes={action: [c.path for c in changes if c.action == action] for action in ("created", "modified", "removed")},
    )
    if networkd is not None:
        result["networkd"] = networkd
    if module._diff:
        result["diff"] = [diff_of(change) for change in changes]
    return controller_safe(result)


def main():
    # What a run builds lives until it exits, so the cycle collector would only scan it again and
    # again: a quarter of an audit of 10,000 files (docs/performance.md). Reference counting still
    # frees what the run drops. Enabled again on the way out, for callers that go on (the tests).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        run_module()
    finally:
        if was_enabled:
            gc.enable()


def run_module():
    module = escape_module_output(AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
        required_if=[
            ("state", "enabled", ("interfaces", "paths"), True),
            ("state", "disabled", ("interfaces", "paths"), True),
        ],
    ))
    params = module.params
    check_parameters(module)
    fs = RootFileSystem(params["root"])
    host, networkd = read_host(module, fs, writes=params["state"] != "audit",
                               systemd_version=params["systemd_version"], described_links=params["links"])
    if params["root"] != "/" and params["links"] is None:
        module.warn("no links were described below root %s (the links option): no link is predicted; the result "
                    "holds the global settings and the .network files that put every link they govern at risk "
                    "(files_at_risk)" % params["root"])
    families = list(families_of(params["family"]))
    syntax = resolved_syntax(params["syntax"], host.version)
    view, covered, changes, warnings = plan_run(module, host, families, syntax)

    if changes and not module.check_mode:
        # Another run on this root may be writing: once the lock is held, plan again from the files
        # on disk and write that plan, each file compared with what was read just before it is replaced.
        try:
            with root_lock(fs.confined):
                host = dataclasses.replace(host, fs=RootFileSystem(params["root"]))
                view, covered, changes, warnings = plan_run(module, host, families, syntax)
                result = report(module, view, covered, changes, warnings, families, syntax, networkd)
                try:
                    check_serializable(result)
                except (TypeError, ValueError) as error:
                    module.fail_json(msg="the result of this run could not be sent to the controller (%s); no file "
                                         "was changed" % error)
                if changes:
                    backups = write_changes(module, view.fs.confined, changes, result)
                    if backups:
                        result["backup_files"] = controller_safe(backups)
        except LockFailed as error:
            module.fail_json(msg=str(error))
    else:
        result = report(module, view, covered, changes, warnings, families, syntax, networkd)

    risky = result["at_risk"] = at_risk(result, families)
    if params["fail_on_risk"] and params["state"] == "audit" and risky:
        module.fail_json(msg="forwarding at risk on: %s" % ", ".join(risky), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
