# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Housekeeping that drifts unless a test holds it: the README's list, versions, changelog fragments."""

from __future__ import annotations

import os
import re

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as stream:
        return stream.read()


def names(directory, suffix):
    return sorted(name[:-len(suffix)] for name in os.listdir(os.path.join(ROOT, directory))
                  if name.endswith(suffix) and not name.startswith("_"))


def collection_contents():
    """Every module, filter, role and playbook a user can call by its fully qualified name."""
    return (names("plugins/modules", ".py") + names("plugins/filter", ".yml")
            + sorted(os.listdir(os.path.join(ROOT, "roles"))) + names("playbooks", ".yml"))


def version(text):
    return tuple(int(part) for part in str(text).split("."))


def test_the_readme_lists_every_module_filter_role_and_playbook():
    listed = set(re.findall(r"^\| `hostnet\.networkd\.([a-z_]+)` \|", read("README.md"), flags=re.M))
    assert listed == set(collection_contents())


def test_no_plugin_was_added_in_a_version_after_the_collections_own():
    galaxy = version(yaml.safe_load(read("galaxy.yml"))["version"])
    added = {}
    for directory in ("plugins/modules", "plugins/filter"):
        for name in sorted(os.listdir(os.path.join(ROOT, directory))):
            if not name.endswith(".py"):
                continue    # __pycache__, which a test run may leave
            match = re.search(r"^\s*version_added: *['\"]?([0-9.]+)", read(directory, name), flags=re.M)
            if match:
                added[name] = version(match.group(1))
    assert added and all(found <= galaxy for found in added.values()), added


FRAGMENTS = sorted(os.listdir(os.path.join(ROOT, "changelogs", "fragments")))


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_a_changelog_entry_is_one_line_naming_its_component(fragment):
    sections = yaml.safe_load(read("changelogs", "fragments", fragment))
    for section, entries in sections.items():
        for entry in entries:
            assert isinstance(entry, str), (section, entry)
            assert len(entry) <= 150, "%s: one line per change: %s" % (fragment, entry)
            assert " - " in entry, "%s: 'component - what changed': %s" % (fragment, entry)
