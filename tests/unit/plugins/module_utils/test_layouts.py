# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit on host layouts copied from real distributions (layouts/*/README.md names the sources).

One test per expected verdict: a link's governing file, its value after each event, whether it is
at risk, the global settings, the warnings. A verdict the library does not give yet is marked with
the issue item that asks for it (``pending`` in expected.yml) and runs as a strict xfail, so it
turns into a failure the day the feature lands and the mark must go.
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.hostnet.networkd.plugins.module_utils._files.view import RootFileSystem
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.facts import HostFacts
from ansible_collections.hostnet.networkd.plugins.module_utils._matching.links import Link
from ansible_collections.hostnet.networkd.plugins.module_utils._model.host import HostView
from ansible_collections.hostnet.networkd.plugins.module_utils._report.audit import audit_report

from ansible_collections.hostnet.networkd.tests.unit.plugins.module_utils.layout_tree import (
    EVENTS,
    LAYOUTS_DIR,
    cases,
    lay_out,
    layout_names,
)

FAMILIES = ("ipv4", "ipv6")


def checks_of(case):
    """The check ids a case asserts, in a stable order."""
    ids = []
    for link, expected in sorted(case.get("expect", {}).items()):
        for key in ("network_file", "dropins"):
            if key in expected:
                ids.append("%s.%s" % (link, key))
        for family in FAMILIES:
            for key in EVENTS + ("risk",):
                if key in expected.get(family, {}):
                    ids.append("%s.%s.%s" % (link, family, key))
    for family, keys in sorted(case.get("global", {}).items()):
        ids.extend("global.%s.%s" % (family, key) for key in sorted(keys))
    for key in ("network_files_once", "warnings", "runtimes"):
        if key in case:
            ids.append(key)
    return ids


def parameters():
    params = []
    for name in layout_names():
        for case_name, case in cases(name):
            for check in checks_of(case):
                reason = case.get("pending", {}).get(check)
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                params.append(pytest.param(name, case_name, check, marks=marks,
                                           id="%s-%s-%s" % (name, case_name, check)))
    return params


@pytest.fixture(scope="session")
def laid_out(tmp_path_factory):
    """Each layout's tree, laid out once per session."""
    base = str(tmp_path_factory.mktemp("layouts"))
    roots = {}

    def root_of(name):
        if name not in roots:
            roots[name] = lay_out(name, base)
        return roots[name]
    return root_of


_REPORTS = {}


def audit(root, name, case_name, case):
    key = (name, case_name)
    if key not in _REPORTS:
        links = [Link.from_dict(link) for link in case["links"]]
        view = HostView(version=case["systemd_version"], fs=RootFileSystem(root), links=links,
                        facts=HostFacts(**case.get("facts", {}))).load()
        covered = [link for link in view.links if not link.is_loopback]
        _REPORTS[key] = audit_report(view, covered, list(FAMILIES))
    return _REPORTS[key]


def link_entry(report, name):
    return next(link for link in report["links"] if link["name"] == name)


def check_link(report, case, check):
    # A link name may hold dots (flannel.1): the family and the key are the last parts.
    parts = check.split(".")
    if parts[-1] in ("network_file", "dropins"):
        link_name, key = ".".join(parts[:-1]), parts[-1]
        assert link_entry(report, link_name)[key] == case["expect"][link_name][key]
        return
    link_name, family, key = ".".join(parts[:-2]), parts[-2], parts[-1]
    expected = case["expect"][link_name][family]
    entry = link_entry(report, link_name)[family]
    if key == "risk":
        assert bool(entry["risk"]) is expected["risk"], entry["risk"]
        for text in expected.get("risk_mentions", ()):
            assert text in entry["risk"]
        return
    assert entry["after_" + key] == expected[key], entry


def check_network_files_once(report):
    """Every .network file is listed once; none is "overridden" by itself through a symlinked directory."""
    paths = [row["path"] for row in report["network_files"]] + list(report["unused_network_files"])
    names = [os.path.basename(path) for path in paths]
    duplicates = sorted(set(name for name in names if names.count(name) > 1))
    assert not duplicates, [path for path in paths if os.path.basename(path) in duplicates]


@pytest.mark.parametrize("name, case_name, check", parameters())
def test_layout_verdict(laid_out, name, case_name, check):
    case = dict(cases(name))[case_name]
    report = audit(laid_out(name), name, case_name, case)
    if check.startswith("global."):
        _prefix, family, key = check.split(".")
        assert report["global"][family][key] == case["global"][family][key]
    elif check == "network_files_once":
        check_network_files_once(report)
    elif check == "warnings":
        for text in case["warnings"]:
            assert text in report["warnings"], report["warnings"]
    elif check == "runtimes":
        assert sorted(runtime["name"] for runtime in report.get("runtimes", [])) == sorted(case["runtimes"])
    else:
        check_link(report, case, check)


def test_every_layout_has_a_readme_naming_its_sources():
    for name in layout_names():
        with open(os.path.join(LAYOUTS_DIR, name, "README.md")) as stream:
            text = stream.read()
        assert "Source" in text, name
