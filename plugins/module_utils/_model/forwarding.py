# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What networkd (and sysctl.d) will write to the forwarding sysctls, event by event.

The model replays events on a copy of the kernel's state (kernel.py):
- reconfigure: `networkctl reconfigure LINK`, and `networkctl reload` for a link
  whose file changed: that link is configured again;
- restart: networkd starts (global writes, 256+) and configures every link;
- boot: the kernel's defaults, systemd-sysctl, links appearing (udev applies
  their per-link sysctl.d keys), then networkd starting, and the container
  runtimes that start at boot writing forwarding (runtimes.py): after networkd
  configured the links when they are ordered after network-online.target,
  else between networkd's global writes and its links (the earlier, the more
  a per-link value of networkd wins);
- sysctl reload: `sysctl --system` writes every line of every sysctl.d file.
What configuring a link writes depends on the version band
(docs/internals/forwarding-semantics.md, "The prediction algorithm", distilled from
networkd-link.c / networkd-sysctl.c).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Optional

from .._matching.links import Link
from .._parsing.families import FAMILIES
from .keys import LinkForwardingSettings, read_link_settings
from .kernel import KernelForwarding
from .runtimes import EVERY_LINK
from .._matching.links import foreign_manager
from .._parsing.versions import (
    CAN_NOT_CONFIGURED,
    IPFORWARD_INTRODUCED,
    IPFORWARD_NO_GLOBAL_WRITE,
    LOOPBACK_SKIPPED,
    MASQUERADE_FAMILIES,
    MASQUERADE_IMPLIES_GLOBAL,
    ONE_WAY_GLOBAL,
    PER_LINK_FORWARDING_KEYS,
    SUPPRESS_EQUAL_SYSCTL_WRITES,
)


class Prediction(NamedTuple):
    """The value a sysctl has after an event, and the write that set it.

    ``value`` is None when the event leaves the value as it was.
    """

    value: Optional[int]
    cause: Optional[str] = None


@dataclass
class LinkPlan:
    """How networkd treats one link: its governing file and settings, or why it leaves it alone."""

    link: object
    network: Optional[object]           # the governing NetworkFile, None when no file matches
    settings: LinkForwardingSettings
    unmanaged_source: Optional[object]  # the Unmanaged=yes assignment, if any
    managed_by: Optional[str] = None    # udev's ID_NET_MANAGED_BY when it names another manager

    @property
    def managed(self):
        return self.network is not None and self.unmanaged_source is None


def _describe(assignment):
    return "%s (%s=%s)" % (assignment.location, assignment.key, assignment.value)


def _sysctl_value(text):
    try:
        return 1 if int(text.strip()) else 0
    except ValueError:
        return None


class ForwardingModel:
    """Predictions for every link of one host, for one systemd version."""

    def __init__(self, version, configuration, networkd_conf, sysctl, links, live_values=None, runtimes=()):
        self.version = version
        self.sysctl = sysctl
        self.runtimes = [runtime for runtime in runtimes if runtime.at_boot and runtime.writes]
        self.links = sorted(links, key=lambda link: (link.ifindex is None, link.ifindex or 0, link.name))
        governing = configuration.governing_files(self.links)
        self.plans = {link.name: self._plan(link, network) for link, network in zip(self.links, governing)}
        self.managed_plans = [self.plans[link.name] for link in self.links if self.plans[link.name].managed]
        self.start_global = {}
        for family in FAMILIES:
            setting = networkd_conf.forwarding[family]
            if version >= PER_LINK_FORWARDING_KEYS and setting.value is not None:
                self.start_global[family] = (int(setting.value), _describe(setting.source))
        self.boot_state = self._boot()
        self.baseline = self._baseline(live_values or {})
        self._running_global = self._restart(self.baseline.copy(), record=False)

    def _plan(self, link, network):
        if network is None:
            return LinkPlan(link, None, LinkForwardingSettings(), None, foreign_manager(link, self.version))
        settings = read_link_settings(network.assignments, self.version)
        return LinkPlan(link, network, settings, network.unmanaged)

    # -- what configuring one link writes -------------------------------------------

    def _own_value(self, plan, family, manager):
        """The value configuring ``plan.link`` writes to its own sysctl, as (value, cause), or None."""
        settings, link, version = plan.settings, plan.link, self.version
        if version < IPFORWARD_INTRODUCED or ONE_WAY_GLOBAL <= version < PER_LINK_FORWARDING_KEYS:
            return None  # before 219 no setting; 228-255 never write per link
        if version < PER_LINK_FORWARDING_KEYS:
            if not self.writes_sysctls(link):
                return None
            if settings.ip_forward is None:
                return None  # IPForward=kernel (221-227): leave the sysctls alone
            if link.is_loopback:
                # 219-221: link_ipv{4,6}_forward_enabled() are false for IFF_LOOPBACK, and the writer writes that.
                return 0, "%s (%s is loopback: systemd %d writes 0 whatever the file says)" % (
                    plan.network.path, link.name, version)
            if family in settings.ip_forward:
                return 1, _describe(settings.ip_forward_source)
            if family == "ipv4" and "ipv4" in settings.masquerade:
                return 1, _describe(settings.masquerade_source)
            if settings.ip_forward_source is not None:
                return 0, _describe(settings.ip_forward_source)
            return 0, "%s (IPForward= unset: systemd %d writes 0)" % (plan.network.path, version)
        # 256+: link_get_ip_forwarding(): explicit, then masquerade, then RA (IPv6), then global.
        if not self.writes_sysctls(link):
            return None
        if settings.explicit[family] is not None:
            return int(settings.explicit[family]), _describe(settings.explicit_source[family])
        if family in settings.masquerade:
            return 1, _describe(settings.masquerade_source)
        # link_radv_enabled() also needs a 6-byte hardware address.
        if family == "ipv6" and settings.send_ra and link.mac:
            return 1, _describe(settings.send_ra_source)
        return manager.get(family)

    def writes_sysctls(self, link):
        """Whether configuring ``link`` reaches networkd's forwarding writes at all.

        Loopback: skipped by the writers from 222 (commit 15dee3f07c) and by
        link_is_configured_for_family() from 256; on 219-221 the writers run but
        write 0 (see _own_value). CAN: link_configure() hands the link to
        link_configure_can() before link_set_sysctl() from 239, and
        link_is_configured_for_family() skips it from 256.
        (docs/internals/forwarding-semantics.md, "The prediction algorithm")
        """
        if link.is_loopback:
            return self.version < LOOPBACK_SKIPPED
        return not (link.is_can and self.version >= CAN_NOT_CONFIGURED)

    def enables_global(self, plan, family):
        """228-255 (and the 219 global write): does this network turn global forwarding on?

        Never for loopback (link_ipv4_forward_enabled() is false for it on 219-221,
        later releases skip it) nor, from 239, for a CAN link.
        """
        if plan.link.is_loopback or not self.writes_sysctls(plan.link):
            return None
        settings = plan.settings
        if settings.ip_forward and family in settings.ip_forward:
            return _describe(settings.ip_forward_source)
        masquerade_counts = family == "ipv4" or self.version >= MASQUERADE_FAMILIES
        if masquerade_counts and family in settings.masquerade:
            return _describe(settings.masquerade_source)
        return None

    def _write_global(self, state, family, name, value, cause):
        """A networkd write to all/default, skipped when equal (sysctl_write with SUPPRESS_REDUNDANT)."""
        if self.version >= SUPPRESS_EQUAL_SYSCTL_WRITES and state.get(family, name).value == value:
            state.touched.add((family, name))
            return
        state.write(family, name, value, cause)

    def _configure(self, state, plan, manager, configured):
        """Apply what link_configure() writes for ``plan.link`` to ``state``."""
        if not plan.managed:
            return
        version, link = self.version, plan.link
        if version < ONE_WAY_GLOBAL:
            for family in FAMILIES:
                own = self._own_value(plan, family, manager)
                if own is not None:
                    state.write(family, link.name, own[0], own[1])
            cause = self.enables_global(plan, "ipv4")
            if version < IPFORWARD_NO_GLOBAL_WRITE and cause and plan.settings.ip_forward is not None:
                if state.get("ipv4", "all").value != 1:
                    state.write("ipv4", "all", 1, cause)
            return
        if version < PER_LINK_FORWARDING_KEYS:
            for family in FAMILIES:
                cause = self.enables_global(plan, family)
                if cause:
                    self._write_global(state, family, "all", 1, cause)
            return
        if not self.writes_sysctls(link):
            return  # link_set_ip_forwarding() returns before the IPMasquerade= path too
        for family in FAMILIES:
            if (version >= MASQUERADE_IMPLIES_GLOBAL and family in plan.settings.masquerade
                    and family not in manager):
                cause = _describe(plan.settings.masquerade_source) + ", which turns the global setting on"
                manager[family] = (1, cause)
                self._write_global(state, family, "default", 1, cause)
                self._write_global(state, family, "all", 1, cause)
                for other in configured:  # link_reapply_ip_forwarding() on configured links
                    self._write_own(state, other, family, manager)
            self._write_own(state, plan, family, manager)

    def _write_own(self, state, plan, family, manager):
        own = self._own_value(plan, family, manager)
        if own is not None:
            state.write(family, plan.link.name, own[0], own[1])

    # A link no file was written for: an Ethernet NIC with a MAC address, what most .network files govern.
    SOME_LINK = Link(name="*", type="ether", mac="02:00:00:00:00:00")

    def network_value(self, network, family):
        """What configuring a link ``network`` governs writes to ``family`` forwarding, as (value, cause), or None.

        Taken for an Ethernet link with a MAC address, without looking at any link of the host: the
        file's own verdict, for a root audited without links. On 228-255 networkd writes nothing per
        link; a file that turns the global switch on is reported as writing 1 (the kernel then
        turns every link on when the switch was off).
        """
        settings = read_link_settings(network.assignments, self.version)
        plan = LinkPlan(self.SOME_LINK, network, settings, network.unmanaged)
        if not plan.managed:
            return None
        if ONE_WAY_GLOBAL <= self.version < PER_LINK_FORWARDING_KEYS:
            cause = self.enables_global(plan, family)
            return (1, cause) if cause else None
        return self._own_value(plan, family, dict(self._running_global))

    # -- events ----------------------------------------------------------------------

    def _restart(self, state, record=True, before_links=()):
        """networkd starting: global writes (256+), then every link in ifindex order.

        ``before_links`` are runtimes whose writes land between the two (boot only).
        Returns the in-memory global setting after start, which later
        reconfigures use (IPMasquerade= may have turned it on, 257+).
        """
        manager = dict(self.start_global)
        for family, (value, cause) in sorted(self.start_global.items()):
            self._write_global(state, family, "default", value, cause)
            self._write_global(state, family, "all", value, cause)
        self._apply_runtimes(state, before_links)
        configured = []
        for link in self.links:
            plan = self.plans[link.name]
            self._configure(state, plan, manager, configured)
            if plan.managed:
                configured.append(plan)
        return manager

    def _apply_sysctl(self, state, entry, names, at_boot):
        """Write one sysctl.d entry to every one of ``names`` it reaches ("all"/"default" included)."""
        value = _sysctl_value(entry.value)
        if value is None:
            return
        cause = "%s (%s = %s)" % (entry.location, entry.key, entry.value)
        if entry.scope == "ip_forward":
            state.write(entry.family, "all", value, cause)
            return
        for name in names:
            if self.sysctl.writes_to(entry, name, at_boot):
                state.write(entry.family, name, value, cause)

    def _boot(self):
        """Kernel defaults (0), systemd-sysctl, links appearing with udev's per-link sysctls, networkd.

        systemd-sysctl runs before the network links exist (only lo does); udev's
        99-systemd.rules runs it again, restricted to a link's own keys, when
        each link appears.
        """
        state = KernelForwarding({family: {"all": 0, "default": 0} for family in FAMILIES})
        early = [link.name for link in self.links if link.is_loopback]
        for name in early:
            state.add_interface(name)
        writes = self.sysctl.boot_writes()
        for entry in writes:
            self._apply_sysctl(state, entry, ["all", "default"] + early, at_boot=True)
        for link in self.links:
            if link.is_loopback:
                continue
            state.add_interface(link.name)
            for entry in writes:
                if entry.scope == "interface":
                    self._apply_sysctl(state, entry, [link.name], at_boot=True)
        self._restart(state, before_links=[runtime for runtime in self.runtimes if not runtime.after_links])
        self._apply_runtimes(state, [runtime for runtime in self.runtimes if runtime.after_links])
        return state

    @staticmethod
    def _apply_runtimes(state, runtimes):
        """What each runtime writes when it starts; the kernel spreads a change of `all` as usual."""
        for runtime in runtimes:
            for write in runtime.writes:
                names = ["all", "default"] + state.interfaces(write.family) if write.name == EVERY_LINK else [write.name]
                for name in names:
                    state.write(write.family, name, write.value, runtime.cause)

    def _baseline(self, live_values):
        """The state now: live values where known, else what boot would have left."""
        values = {}
        for family in FAMILIES:
            names = ["all", "default"] + [link.name for link in self.links]
            values[family] = {}
            for name in names:
                live = live_values.get(family, {}).get(name)
                values[family][name] = live if live is not None else self.boot_state.get(family, name).value
        return KernelForwarding(values)

    def predict(self, event, link_name=None):
        """The kernel state after ``event`` ("reconfigure" needs ``link_name``)."""
        if event == "boot":
            return self.boot_state
        state = self.baseline.copy()
        if event == "reconfigure":
            self._configure(state, self.plans[link_name], dict(self._running_global), self.managed_plans)
        elif event == "restart":
            self._restart(state)
        elif event == "sysctl_reload":
            names = ["all", "default"] + [link.name for link in self.links]
            for entry in self.sysctl.reload_writes():
                self._apply_sysctl(state, entry, names, at_boot=False)
        else:
            raise ValueError("unknown event %r" % event)
        return state

    def prediction(self, state, family, name, always=False):
        """The Prediction for one sysctl in a predicted state (None value when the event left it alone)."""
        if not always and (family, name) not in state.touched:
            return Prediction(None)
        value = state.get(family, name)
        return Prediction(value.value, value.cause)
