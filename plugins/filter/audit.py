# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn networkd_forwarding audit results into the fleet's tables and report files.

The audit playbook used to build these with Jinja loops; at 20 hosts that cost the controller about
as much as five more hosts of ping (docs/performance.md). Here they are plain Python over plain data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.hostnet.networkd.plugins.module_utils._parsing.families import FAMILIES

COLUMNS = ("link", "family", "governing file", "live", "after reconfigure", "after boot", "risk")


def plain(value):
    """``value`` as plain dicts, lists and scalars, whatever mappings and sequences the templating engine gave."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def nice_json(value):
    """What ``to_nice_json`` writes, and a final newline."""
    return json.dumps(value, indent=4, sort_keys=True, separators=(",", ": ")) + "\n"


def _families(family):
    if family == "both":
        return FAMILIES
    if family not in FAMILIES:
        raise AnsibleFilterError("family must be one of ipv4, ipv6, both, not %r" % (family,))
    return (family,)


def _unknown(value, text):
    return text if value is None else str(value)


def rows(result, families):
    """One row per link and family of one host's result, the cells of COLUMNS as text."""
    table = []
    for link in result.get("links") or []:
        if link.get("network_file"):
            governing = str(link["network_file"])
        elif link.get("managed_by") is not None:
            governing = "managed by %s" % link["managed_by"]
        else:
            governing = "unmanaged" if link.get("unmanaged") else "none"
        for name in families:
            values = link[name]
            table.append([
                str(link["name"]),
                name,
                governing,
                _unknown(values.get("live"), "?"),
                _unknown(values.get("after_reconfigure"), "kept"),
                _unknown(values.get("after_boot"), "?"),
                str(values.get("risk") or "ok"),
            ])
    return table


def _checked(results):
    """``results`` as it came, once it is known to be {host: audit result}."""
    if not isinstance(results, Mapping):
        raise AnsibleFilterError("the input must be a dict of inventory host name to audit result, not %s"
                                 % type(results).__name__)
    for host, result in results.items():
        if not isinstance(result, Mapping) or "links" not in result:
            raise AnsibleFilterError("the result of %s is not a networkd_forwarding state=audit result" % host)
    return results


def audit_tables(results, family="ipv4"):
    """{host: ["systemd <version>", the header, one line per row]}, every column but the risk padded.

    Only the cells shown are read: ansible-core 2.19 hands the results over as lazy containers
    that check every value read, and a result holds about five times the values of its table.
    """
    families = _families(family)
    tables = {}
    for host, result in _checked(results).items():
        lines = [list(COLUMNS)] + rows(result, families)
        widths = [max(len(line[column]) for line in lines) for column in range(len(COLUMNS) - 1)]
        tables[host] = ["systemd %s" % result.get("systemd_version")] + [
            "  ".join([cell.ljust(width) for cell, width in zip(line, widths)] + [line[-1]]) for line in lines]
    return tables


def audit_report(results, family="ipv4"):
    """The report's files: fleet.json (every result), fleet.md (a table per host), evidence/<host>.json."""
    families, results = _families(family), plain(_checked(results))
    header = "| %s |\n|%s\n" % (" | ".join(COLUMNS), "---|" * len(COLUMNS))
    markdown = ["# Forwarding audit\n\n"]
    for host in sorted(results):
        markdown.append("## %s (systemd %s)\n\n" % (host, results[host].get("systemd_version")) + header)
        markdown.extend("| %s |\n" % " | ".join(row) for row in rows(results[host], families))
        markdown.append("\n")
    files = {"fleet.json": nice_json(results), "fleet.md": "".join(markdown)}
    files.update(("evidence/%s.json" % host, nice_json(result.get("evidence"))) for host, result in results.items())
    return files


class FilterModule:
    def filters(self):
        return {"audit_tables": audit_tables, "audit_report": audit_report}
