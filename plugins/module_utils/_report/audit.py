# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One audit of a host: every file, setting and prediction, as plain data.

This is the module's return value before any change: the public interface
documented in RETURN of networkd_forwarding.
"""

from __future__ import annotations

from .._matching.index import LinkIndex
from .._matching.links import foreign_manager
from .._model.forwarding import Prediction
from .._model.keys import FAMILY_KEYS
from .._model.runtimes import PROGRAMS
from .._parsing.families import FAMILIES
from .._parsing.versions import PER_LINK_FORWARDING_KEYS

# What a Link attribute is, in a warning about a [Match] key that tests it.
PROPERTY_WORDS = {"mac": "MAC address", "permanent_mac": "permanent MAC address", "path": "udev ID_PATH",
                  "driver": "driver", "type": "type"}
EVENT_WORDS = {
    "reconfigure": "on `networkctl reconfigure` or `networkctl reload`",
    "restart": "when systemd-networkd restarts",
    "boot": "after a reboot",
    "sysctl_reload": "on `sysctl --system`",
}


def configured_setting(plan, family, version):
    """The per-link key that decides ``family`` for this link, as (key=value, assignment), or (None, None)."""
    settings = plan.settings
    if version >= PER_LINK_FORWARDING_KEYS:
        source = settings.explicit_source[family]
        if source is not None and settings.explicit[family] is not None:
            return "%s=%s" % (FAMILY_KEYS[family], source.value), source
    elif settings.ip_forward_source is not None:
        return "IPForward=%s" % settings.ip_forward_source.value, settings.ip_forward_source
    if family in settings.masquerade and settings.masquerade_source is not None:
        return "IPMasquerade=%s" % settings.masquerade_source.value, settings.masquerade_source
    if family == "ipv6" and settings.send_ra and version >= PER_LINK_FORWARDING_KEYS:
        return "IPv6SendRA=%s" % settings.send_ra_source.value, settings.send_ra_source
    return None, None


def runtime_notes(runtimes, family, predictions, desired):
    """What the host's container runtimes add to a risk: why one does not write, or that it writes only once.

    A runtime that would turn forwarding on but does not (told not to, or not started at boot) is
    named where the kernel default stays; a runtime whose write at its start gave the after-boot
    value is named where an event takes that value away, since it writes again only when it restarts.
    """
    notes = []
    boot = predictions["boot"]
    for runtime in runtimes:
        writes_family = any(write.family == family for write in runtime.writes)
        if desired == 1 and boot.value == 0 and boot.cause is None and (not runtime.writes or not runtime.at_boot):
            why = runtime.note if not runtime.writes else "%s does not start at boot" % runtime.unit
            notes.append("%s does not turn it on: %s" % (PROGRAMS[runtime.name], why))
        elif boot.cause == runtime.cause and writes_family and any(
                p.value is not None and p.value != desired for event, p in predictions.items() if event != "boot"):
            notes.append("%s writes %d only when it starts" % (PROGRAMS[runtime.name], desired))
    return notes


def risk_sentence(name, family, live, predictions, desired, runtimes=()):
    """One sentence: what moves the value away from ``desired``, when, and which file says so."""
    label = "%s %s forwarding" % (name, "IPv4" if family == "ipv4" else "IPv6")
    by_cause = {}
    for event, prediction in predictions.items():
        if prediction.value is not None and prediction.value != desired:
            by_cause.setdefault(prediction.cause, []).append(EVENT_WORDS[event])
    if not by_cause:
        if live is not None and live != desired:
            back = "only a reboot sets it back" if predictions["boot"].value == desired else "no configuration sets it"
            return "%s is %d now, and %s to %d." % (label, live, back, desired)
        return None
    clauses = ["%s (%s)" % (" and ".join(events), cause or "kernel default") for cause, events in by_cause.items()]
    clauses.extend(runtime_notes(runtimes, family, predictions, desired))
    verb = "is %d now and stays" % live if live is not None and live != desired else "becomes"
    return "%s %s %d %s." % (label, verb, 1 - desired, "; ".join(clauses))


def link_report(view, link, families, desired, shared_states):
    """The report of one link; ``shared_states`` are the predicted restart and sysctl_reload states of the host."""
    model = view.model
    plan = model.plans[link.name]
    states = {"reconfigure": model.predict("reconfigure", link.name),
              "restart": shared_states["restart"], "sysctl_reload": shared_states["sysctl_reload"]}
    report = {
        "name": link.name,
        "network_file": plan.network.path if plan.network else None,
        "dropins": list(plan.network.dropins) if plan.network else [],
        "unmanaged": plan.unmanaged_source is not None,
        "managed_by": plan.managed_by,
    }
    for family in FAMILIES:
        if family not in families:
            continue
        live = view.live_values.get(family, {}).get(link.name)
        configured, source = configured_setting(plan, family, view.version)
        predictions = {event: model.prediction(state, family, link.name) for event, state in states.items()}
        predictions["boot"] = model.prediction(model.boot_state, family, link.name, always=True)
        report[family] = {
            "live": live,
            "configured": configured,
            "source": source.location if source else None,
            "after_reconfigure": predictions["reconfigure"].value,
            "after_restart": predictions["restart"].value,
            "after_boot": predictions["boot"].value,
            "after_sysctl_reload": predictions["sysctl_reload"].value,
            "after_boot_source": predictions["boot"].cause,
            "risk": risk_sentence(link.name, family, live, predictions, desired, view.runtimes),
        }
    return report


def global_risk(view, family, shared_states, desired):
    """One sentence when a restart, a reboot or ``sysctl --system`` leaves the family's `all` switch away from ``desired``."""
    model = view.model
    predictions = {"reconfigure": Prediction(None),
                   "restart": model.prediction(shared_states["restart"], family, "all"),
                   "boot": model.prediction(model.boot_state, family, "all", always=True),
                   "sysctl_reload": model.prediction(shared_states["sysctl_reload"], family, "all")}
    live = view.live_values.get(family, {}).get("all")
    return risk_sentence("global (all)", family, live, predictions, desired, view.runtimes)


def files_at_risk(view, families, desired):
    """The loaded .network files whose own keys make networkd write the other value to every link they govern.

    Each as {path, family, value, source, risk}: the file's own verdict (ForwardingModel.network_value),
    for a root audited without links. A value a file only inherits from networkd.conf is left out: the
    global risk names networkd.conf once.
    """
    rows = []
    for network in view.configuration.loaded:
        for family in families:
            verdict = view.model.network_value(network, family)
            if verdict is None or verdict[0] == desired:
                continue
            value, cause = verdict
            if not any(cause.startswith(path + ":") or cause.startswith(path + " ") for path in [network.path] + network.dropins):
                continue    # the value comes from networkd.conf: the global risk says so once
            rows.append({"path": network.path, "family": family, "value": value, "source": cause,
                         "risk": "every link %s governs gets %s forwarding %d when networkd configures it (%s)."
                                 % (network.path, "IPv4" if family == "ipv4" else "IPv6", value, cause)})
    return rows


def global_report(view, shared_states, desired=1):
    """networkd.conf's setting, the live all/default values, and what restart, boot and sysctl reload leave there."""
    model = view.model
    report = {}
    for family in FAMILIES:
        setting = view.networkd_conf.forwarding[family]
        live = view.live_values.get(family, {})
        entry = {
            "networkd_conf": None if setting.value is None else ("yes" if setting.value else "no"),
            "source": setting.source.location if setting.source is not None else None,
            "overridden": ["%s (%s=%s)" % (a.location, a.key, a.value) for a in setting.overridden],
            "all": live.get("all"),
            "default": live.get("default"),
            "after_restart": {name: model.prediction(shared_states["restart"], family, name).value
                              for name in ("all", "default")},
            "after_boot": {name: model.prediction(model.boot_state, family, name, always=True).value
                           for name in ("all", "default")},
            "after_sysctl_reload": {name: model.prediction(shared_states["sysctl_reload"], family, name).value
                                    for name in ("all", "default")},
            "risk": global_risk(view, family, shared_states, desired),
        }
        if family == "ipv4":
            entry["ip_forward"] = view.ip_forward
        report[family] = entry
    return report


def network_files_report(view, links, detail="compact"):
    """(rows, unused): what each file considered does, in room linear in files and links.

    A file governs the links for which it is the first usable file that matches
    (the model's plans); ``other_matches`` counts the links its [Match] matches
    that an earlier file governs (_matching.index.LinkIndex answers both
    without testing every pair). ``unused`` maps each file networkd loads but
    that governs none of ``links`` to that count. ``rows`` has the other files,
    those that govern a link and those networkd skips, each without the keys
    at their defaults. On a large host most files govern nothing, and one
    mapping entry instead of one row each keeps the result small (docs/
    performance.md). With ``detail="full"`` ``rows`` has every file with every
    key and ``matched_links``, every link its [Match] matches, which grows as
    files x links.
    """
    governed = {}       # id(NetworkFile) -> names of the links it governs, in the order of ``links``
    for link in links:
        plan = view.model.plans.get(link.name)
        if plan is not None and plan.network is not None:
            governed.setdefault(id(plan.network), []).append(link.name)
    index = LinkIndex([link for link in links if foreign_manager(link, view.version) is None], view.version)
    full = detail == "full"
    rows, unused = [], {}
    for network in view.configuration.files:
        governs = governed.get(id(network), [])     # only a usable file governs links
        usable = network.usable
        matched = []
        if not usable:
            count = 0
        elif full:
            matched = [link.name for link in index.matched_links(network.match)]
            count = len(matched)
        else:
            count = index.matched_count(network.match)
        if usable and not governs:
            unused[network.path] = count
            if not full:
                continue
        row = {
            "path": network.path,
            "masked": network.masked,
            "overridden_by": network.overridden_by,
            "dropins": list(network.dropins),
            "governed_links": governs,
            "other_matches": count - len(governs),
            "conditions": None if network.conditions is None or network.conditions.holds is True
            else network.conditions.reason,
            "error": network.error,
        }
        if full:
            row["matched_links"] = matched
        else:
            row = {key: value for key, value in row.items() if key == "path" or value}
        rows.append(row)
    return rows, unused


def sysctl_report(view):
    return [{"file": entry.path, "line": entry.line, "key": entry.key, "value": entry.value,
             "effective": entry.effective} for entry in view.sysctl.entries]


def collect_warnings(view, covered):
    # What could not be read comes first: it makes every prediction below it incomplete.
    warnings = list(view.fs.problems()) + list(view.configuration.problems)
    warnings += (list(view.networkd_conf.warnings) + list(view.networkd_conf.errors) + list(view.sysctl.warnings)
                 + list(view.runtime_warnings))
    if view.networkd_conf_changed:
        warnings.append("%s changed after systemd-networkd started: the running networkd keeps the global "
                        "IPv4Forwarding=/IPv6Forwarding= it read at its start until it restarts, while the "
                        "predictions use the files as they are now; apply them with "
                        "`systemctl restart systemd-networkd`" % ", ".join(view.networkd_conf_changed))
    for link in covered:
        plan = view.model.plans[link.name]
        warnings.extend(plan.settings.warnings)
        if plan.managed_by is not None:
            warnings.append("%s: udev's ID_NET_MANAGED_BY=%s names another network manager, so systemd-networkd %d "
                            "matches no .network file to it and writes nothing for it" % (
                                link.name, plan.managed_by, view.version))
        if plan.network is not None and plan.network.conditions is not None and plan.network.conditions.holds is None:
            warnings.append("%s governs %s only if its conditions hold: %s"
                            % (plan.network.path, link.name, plan.network.conditions.reason))
    governing = [view.model.plans[link.name].network for link in covered]
    warnings.extend(undecided_warnings(view.configuration.undecided_lines(covered, governing, UNDECIDED_NAMES_SHOWN)))
    return sorted(set(warnings), key=warnings.index)


# How many links an undecided-match warning names before it counts the rest.
UNDECIDED_NAMES_SHOWN = 5
# How many [Match] lines of one key and property are warned about one by one; more are folded into one warning.
UNDECIDED_LINES_SHOWN = 10


def undecided_warnings(lines):
    """One warning per [Match] line that cannot be decided, however many links lack the property.

    ``lines`` is NetworkConfiguration.undecided_lines(). A fleet's image with a ``Path=`` file and
    hundreds of container links would otherwise print hundreds of warnings that say the same
    thing; and when more than UNDECIDED_LINES_SHOWN lines of one key cannot be decided for the
    same property, one warning names the first few, so that a host with thousands of such files
    gets a warning, not thousands.
    """
    by_key = {}
    for (location, key, attribute), (count, names) in lines.items():
        by_key.setdefault((key, attribute), []).append((location, count, names))
    warnings = []
    for (key, attribute), found in by_key.items():
        if len(found) > UNDECIDED_LINES_SHOWN:
            warnings.append(folded_undecided_warning(key, attribute, found))
        else:
            warnings.extend(undecided_warning(location, key, attribute, count, names)
                            for location, count, names in found)
    return warnings


def undecided_warning(location, key, attribute, count, names):
    words = PROPERTY_WORDS.get(attribute, attribute)
    if count == 1:
        return ("%s: %s= cannot be decided for %s: its %s is not known (links[].%s); the file is taken not to "
                "match it" % (location, key, names[0], words, attribute))
    return ("%s: %s= cannot be decided for %s: their %s is not known (links[].%s); the file is taken not to match "
            "them" % (location, key, _links_text(count, names), words, attribute))


# How many lines a folded undecided-match warning names.
UNDECIDED_FOLDED_LINES_SHOWN = 3


def folded_undecided_warning(key, attribute, found):
    """The warning for more than UNDECIDED_LINES_SHOWN undecidable lines of one key: (location, count, names) each."""
    shown = "; ".join("%s for %s" % (location, _links_text(count, names))
                      for location, count, names in found[:UNDECIDED_FOLDED_LINES_SHOWN])
    return ("%d [Match] lines with %s= cannot be decided for links whose %s is not known (links[].%s), and their "
            "files are taken not to match them: %s; and %d more lines" % (
                len(found), key, PROPERTY_WORDS.get(attribute, attribute), attribute, shown,
                len(found) - UNDECIDED_FOLDED_LINES_SHOWN))


def _links_text(count, names):
    if count == 1:
        return names[0]
    more = " and %d more" % (count - len(names)) if count > len(names) else ""
    return "%d links (%s%s)" % (count, ", ".join(names), more)


def audit_report(view, covered, families, desired=1, network_files="compact"):
    """The full report for the ``covered`` links of ``view`` (already loaded); ``network_files`` is the rows' detail.

    Without a covered link (a root audited without ``links``), the report adds the files' own
    verdicts (``files_at_risk``): what each .network file makes networkd write to the links it governs.
    """
    # A restart and a sysctl reload do not depend on the link reported: predicted once, not once per link.
    shared_states = {event: view.model.predict(event) for event in ("restart", "sysctl_reload")}
    rows, unused = network_files_report(view, view.links, network_files)
    report = {
        "systemd_version": view.version,
        "links": [link_report(view, link, families, desired, shared_states) for link in covered],
        "global": global_report(view, shared_states, desired),
        "network_files": rows,
        "unused_network_files": unused,
        "sysctl": sysctl_report(view),
        "runtimes": [runtime.as_dict() for runtime in view.runtimes],
        "warnings": collect_warnings(view, covered),
    }
    if not covered:
        report["files_at_risk"] = files_at_risk(view, families, desired)
    return report


def residual_risks(view, covered, families, desired):
    """Every risk left on the host after a change: the covered links', the other links', the global switches'.

    A fix of the covered links leaves the rest as it was; the caller sees it all in one list.
    """
    shared_states = {event: view.model.predict(event) for event in ("restart", "sysctl_reload")}
    names = {link.name for link in covered}
    others = [link for link in view.links if not link.is_loopback and link.name not in names]
    risks = []
    for link in list(covered) + others:
        report = link_report(view, link, families, desired, shared_states)
        risks.extend(report[family]["risk"] for family in families if report[family]["risk"])
    risks.extend(risk for risk in (global_risk(view, family, shared_states, desired) for family in families) if risk)
    return risks


def affected_links(view, paths, covered):
    """{changed file: the links beyond ``covered`` whose governing file it is, or changes}.

    A drop-in for a catch-all file (Flatcar's zz-default.network) changes every link that file
    governs; a networkd.conf.d drop-in every link networkd manages.
    """
    names = {link.name for link in covered}
    result = {}
    for path in paths:
        directory, base = path.rsplit("/", 1)
        if directory.endswith(".network.d"):
            network_name = directory.rsplit("/", 1)[1][:-len(".d")]
        elif base.endswith(".network"):
            network_name = base
        else:
            network_name = None     # networkd.conf.d: every managed link
        links = []
        for plan in view.model.managed_plans:
            if plan.link.is_loopback or plan.link.name in names:
                continue
            if network_name is None or plan.network.name == network_name:
                links.append(plan.link.name)
        result[path] = links
    return result


def at_risk(report, families):
    """What ``fail_on_risk`` fails on: the covered links at risk; without a covered link, the global
    switches and the files that put every link they govern at risk."""
    names = sorted({link["name"] for link in report["links"] for family in families if link[family]["risk"]})
    if not report["links"]:
        names.extend("global %s" % family for family in families if report["global"][family]["risk"])
        names.extend(sorted({row["path"] for row in report.get("files_at_risk", ())}))
    return names
