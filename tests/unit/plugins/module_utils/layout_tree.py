# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host layouts copied from real distributions (layouts/), and the verdicts the audit must give on them.

Each directory holds ``root/`` (the files, as the distribution and its tools leave them),
``expected.yml`` (links, systemd version, the symlinks of the tree, and the expected verdict per
link and event) and ``README.md`` (where every file comes from). Symlinks are listed in
expected.yml rather than stored: the tree is laid out afresh for each test session.
"""

from __future__ import annotations

import os
import shutil

import yaml

LAYOUTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layouts")
EVENTS = ("reconfigure", "restart", "boot", "sysctl_reload")


def layout_names():
    return sorted(name for name in os.listdir(LAYOUTS_DIR)
                  if os.path.isfile(os.path.join(LAYOUTS_DIR, name, "expected.yml")))


def load_expected(name):
    with open(os.path.join(LAYOUTS_DIR, name, "expected.yml")) as stream:
        return yaml.safe_load(stream)


def cases(name):
    """(case name, case dict) of one layout: its ``cases``, or the layout itself as one case.

    A case inherits the layout's keys (systemd_version, facts...) and overrides them.
    """
    expected = load_expected(name)
    own = expected.get("cases")
    if not own:
        return [("default", expected)]
    shared = {key: value for key, value in expected.items() if key != "cases"}
    return [(case, dict(shared, **body)) for case, body in sorted(own.items())]


def lay_out(name, destination):
    """Copy the layout's tree to ``destination`` and create its symlinks; returns the root path."""
    root = os.path.join(destination, name)
    shutil.copytree(os.path.join(LAYOUTS_DIR, name, "root"), root, symlinks=True)
    for path, target in sorted(load_expected(name).get("symlinks", {}).items()):
        link = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(target, link)
    return root
