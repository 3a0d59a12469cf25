# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sysctl.d and sysctl.conf entries that turn off forwarding keys a host needs on.

The rule lives in module_utils/_docker_host/sysctl.py, where the module docker_host_info plans
the role's sysctl side with it; this filter gives it to playbooks.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host import sysctl_plan as sysctl


def sysctl_conflicts(entries, needed, ignore=()):
    """The entries, outside the files in ``ignore``, that set a key of ``needed`` to 0, each with the keys it covers."""
    if not isinstance(entries, list) or not all(isinstance(entry, Mapping) for entry in entries):
        raise AnsibleFilterError("sysctl_conflicts: the input must be the list of sysctl entries networkd_forwarding "
                                 "returns (sysctl), not %s" % type(entries).__name__)
    return sysctl.sysctl_conflicts(entries, needed, tuple(ignore))


class FilterModule:
    def filters(self):
        return {"sysctl_conflicts": sysctl_conflicts}
