# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a host's firewall for :mod:`firewall`: the only place that runs its commands.

Every read goes through injected helpers, as in :mod:`live`: ``runner(args) ->
(rc, stdout, stderr)``, ``which(name) -> path or None`` and ``read_text(path) ->
str or None``. A command runs only when ``which`` finds it; a failed command is
kept with its error output, never raised.

Reading must not change the host. ``iptables-legacy -S`` creates the legacy
filter table in the network namespace when it is not there yet (observed on
the lab's kernel: /proc/net/ip_tables_names lists ``filter`` afterwards), so it
runs only when /proc/net/ip_tables_names (ip6_tables_names for IPv6) already
lists ``filter``. ``iptables-nft -S`` and ``nft -j list ruleset`` create nothing.
"""

from __future__ import annotations

from .._files.confined import ConfinedRoot
from .._parsing.families import FAMILIES
from .model import IPTABLES_COMMAND, UNIT_NAME, UNIT_PATH, XTABLES_WAIT, Command, Observation

LEGACY_TABLE_NAMES = {"ipv4": "/proc/net/ip_tables_names", "ipv6": "/proc/net/ip6_tables_names"}
FORWARDING = {"ipv4": "/proc/sys/net/ipv4/ip_forward", "ipv6": "/proc/sys/net/ipv6/conf/all/forwarding"}


def read_text_file(path):
    """The text of the real file ``path``, or None when it cannot be read: ``read_text`` on a live host.

    Read through the confinement layer: only a regular file of sane size, never a FIFO that would block.
    """
    try:
        return ConfinedRoot("/").read_bytes(path).decode("utf-8", "replace")
    except OSError:
        return None


def run_command(runner, argv):
    rc, stdout, stderr = runner(argv)
    return Command(list(argv), rc, stdout, stderr)


def read_firewall(runner, which, read_text):
    """An :class:`Observation` of the live host."""
    observation = Observation()
    nft = which("nft")
    observation.nft = run_command(runner, [nft, "-j", "list", "ruleset"]) if nft else None
    for family in FAMILIES:
        command = IPTABLES_COMMAND[family]
        path = which(command)
        observation.iptables[family] = path
        observation.iptables_version[family] = run_command(runner, [path, "-V"]) if path else None
        nft_path = which(command + "-nft")
        observation.iptables_nft[family] = run_command(runner, [nft_path] + XTABLES_WAIT + ["-S"]) if nft_path else None
        names = read_text(LEGACY_TABLE_NAMES[family])
        observation.legacy_tables[family] = names.split() if names is not None else None
        legacy_path = which(command + "-legacy")
        if legacy_path and names is not None and "filter" in names.split():
            observation.iptables_legacy[family] = run_command(runner, [legacy_path] + XTABLES_WAIT + ["-S"])
        value = read_text(FORWARDING[family])
        observation.forwarding[family] = int(value) if value is not None and value.strip().isdigit() else None
    observation.unit_text = read_text(UNIT_PATH)
    observation.systemctl = which("systemctl")
    if observation.systemctl:
        for attribute, verb in (("unit_enabled", "is-enabled"), ("unit_active", "is-active")):
            # is-enabled and is-active print the state and exit non-zero for anything but enabled/active.
            _rc, stdout, _stderr = runner([observation.systemctl, verb, UNIT_NAME])
            setattr(observation, attribute, stdout.strip() or None)
    return observation
