# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a module of the collection writes files: one ChangeSet below its root, failures through fail_json.

Every module that writes goes through here, so that each write is confined to the root, all or
nothing, compared with what was read, and labelled for SELinux as Ansible's own modules label.
"""

from __future__ import annotations

from .._files.changeset import ChangeFailed, ChangeSet
from .text import controller_safe


def selinux_labeller(module):
    """None without SELinux; else a function giving the default label of a new file's host path, as bytes."""
    if not module.selinux_enabled():
        return None

    def default_label(host_path):
        context = module.selinux_default_context(host_path)
        if context[0] is None:
            return None
        return (":".join(context)).encode() + b"\0"
    return default_label


def write_changes(module, root, changes, result, done="nothing"):
    """Apply ``changes`` (FileChange-like) below ``root`` (a ConfinedRoot) together or not at all.

    Returns the host paths of the backups made (with the module's ``backup`` option, when it has
    one). A failure ends the module with a message naming every file and ``done``, what the run
    did before.
    """
    backup = bool(module.params.get("backup"))
    try:
        return ChangeSet(root, changes, backup=backup, selinux=selinux_labeller(module)).apply()
    except ChangeFailed as error:
        message = error.message if done == "nothing" else "%s; done before it: %s" % (error.message, done)
        module.fail_json(msg=message, **controller_safe(result))
