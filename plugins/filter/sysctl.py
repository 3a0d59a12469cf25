# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sysctl.d and sysctl.conf entries that turn off forwarding keys a host needs on.

The docker_host_network role reports these entries, fails on them or overrides them. As a Jinja
block with a regex per key, this was the role's costliest template: ansible-core 2.19 compiles a
template each time it renders one (docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

# net.ipv4.ip_forward and net.ipv4.conf.all.forwarding are one knob in the kernel: writing either sets both.
ALIASES = {"net.ipv4.ip_forward": "net.ipv4.conf.all.forwarding",
           "net.ipv4.conf.all.forwarding": "net.ipv4.ip_forward"}


def key_pattern(key):
    """A regex for a sysctl.d key, whose '*' and '?' are globs (sysctl.d(5))."""
    return "^%s$" % re.escape(key).replace("\\*", ".*").replace("\\?", ".")


def integer(value):
    """``value`` as Jinja's ``int`` filter reads it ("0", "0.0"), -1 when it is no number."""
    text = str(value).strip()
    try:
        return int(text, 10)
    except ValueError:
        try:
            return int(float(text))
        except ValueError:
            return -1


def covered_keys(entry_key, needed):
    """The keys of ``needed`` an entry's key sets, its alias included, each once, in ``needed``'s order per key."""
    covered = []
    for key in [entry_key] + ([ALIASES[entry_key]] if entry_key in ALIASES else []):
        pattern = re.compile(key_pattern(key))
        for name in needed:
            if pattern.match(name) and name not in covered:
                covered.append(name)
    return covered


def sysctl_conflicts(entries, needed, ignore=()):
    """The entries, outside the files in ``ignore``, that set a key of ``needed`` to 0, each with the keys it covers."""
    if not isinstance(entries, list) or not all(isinstance(entry, Mapping) for entry in entries):
        raise AnsibleFilterError("sysctl_conflicts: the input must be the list of sysctl entries networkd_forwarding "
                                 "returns (sysctl), not %s" % type(entries).__name__)
    needed = [str(name) for name in needed]
    conflicts = []
    for entry in entries:
        if entry["file"] in ignore or integer(entry["value"]) != 0:
            continue
        covered = covered_keys(str(entry["key"]), needed)
        if covered:
            conflicts.append(dict(entry, covers=covered))
    return conflicts


class FilterModule:
    def filters(self):
        return {"sysctl_conflicts": sysctl_conflicts}
