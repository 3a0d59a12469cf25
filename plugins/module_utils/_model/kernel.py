# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kernel's forwarding sysctls, and how one write spreads to others.

See docs/internals/forwarding-semantics.md, "How the kernel spreads a write".

IPv4 (devinet_sysctl_forward): changing conf/all/forwarding (alias
net.ipv4.ip_forward) sets `default` and every existing device; writing the
same value does nothing. IPv6 (addrconf_fixup_forwarding): every write to
all/forwarding, even of the same value, sets `default` and every device.
Writing `default` only affects devices created later.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

GLOBAL_NAMES = ("all", "default")


class Value(NamedTuple):
    """A forwarding value and the write that set it (None: the value found at the start).

    ``inherited_from`` is None when the write named this sysctl itself, "all"
    when the kernel spread a write of `all` to it, "default" when the device
    copied `default` at its creation; ``cause`` is then that write's.
    """

    value: Optional[int]
    cause: Optional[str] = None
    inherited_from: Optional[str] = None


class KernelForwarding:
    """Forwarding values of one network namespace for both families.

    ``touched`` records every (family, name) a write reached since the start,
    so a caller can tell "networkd set this" from "this was left as it was".
    """

    def __init__(self, values):
        """``values``: {"ipv4": {"all": 1, "default": 1, "eth0": 0}, "ipv6": {...}}."""
        self._values = {family: {name: Value(value) for name, value in names.items()}
                        for family, names in values.items()}
        self.touched = set()

    def copy(self):
        clone = KernelForwarding({})
        clone._values = {family: dict(names) for family, names in self._values.items()}
        return clone

    def get(self, family, name):
        return self._values.get(family, {}).get(name, Value(None))

    def interfaces(self, family):
        return [name for name in self._values.get(family, {}) if name not in GLOBAL_NAMES]

    def _set(self, family, name, value, cause, inherited_from=None):
        self._values.setdefault(family, {})[name] = Value(value, cause, inherited_from)
        self.touched.add((family, name))

    def add_interface(self, name):
        """A new device takes its forwarding from `default`, as the kernel does at creation."""
        for family in self._values:
            default = self.get(family, "default")
            self._values[family][name] = Value(default.value, default.cause, "default")

    def write(self, family, name, value, cause):
        """Write ``value`` to net.<family>.conf.<name>.forwarding (name "all" for ip_forward)."""
        if name == "all":
            changed = self.get(family, "all").value != value
            if family == "ipv6" or changed:
                self._set(family, "all", value, cause)
                for target in ["default"] + self.interfaces(family):
                    # networkd writes default just before all (the same cause): that stays its own write.
                    own = self.get(family, target)
                    direct = own.inherited_from is None and (own.value, own.cause) == (value, cause)
                    self._set(family, target, value, cause, inherited_from=None if direct else "all")
            else:
                self.touched.add((family, "all"))
            return
        self._set(family, name, value, cause)
