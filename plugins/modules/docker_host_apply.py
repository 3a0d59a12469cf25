#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docker_host_apply
short_description: Write the files and turn on the live forwarding sysctls that docker_host_info planned
version_added: 0.2.0
description:
  - Writes what M(hostnet.networkd.docker_host_info) planned for a Docker host, RV(hostnet.networkd.docker_host_info#module:plan.files)
    and RV(hostnet.networkd.docker_host_info#module:plan.sysctls), in one run - the role's C(.network) definitions and
    their drop-ins, the C(Unmanaged=yes) file for Docker's links, the edits that make networkd keep forwarding on,
    the sysctl.d files, the evidence for auditors - and sets the live forwarding sysctls that read 0 to 1.
  - Each path is compared first, and only a path that is not as wanted is written. Every entry is checked before
    anything is written - a file edited since M(hostnet.networkd.docker_host_info) read it (C(before_sha256)), a path
    of another type, an unknown owner, a sysctl that cannot be written - so a bad entry changes nothing.
  - The files change all together or not at all, under the lock every writer of this collection takes. Each new
    content is written beside its file first and renamed over it once all are ready, each file compared once more
    with what was read just before; if anything fails, every file already replaced gets its old content back. A
    directory a file needs is created, root:root, 0755, so a minimal host without C(/etc/sysctl.d) works. Then
    each path gets its owner and mode, and the sysctls are written.
  - Live sysctls are written to C(/proc/sys) directly; no C(sysctl) program is needed.
  - The module does not reload networkd; the role P(hostnet.networkd.docker_host_network#role) applies networkd's
    changed files, commit-confirmed.
author:
  - hostnet.networkd maintainers (@hostnet)
extends_documentation_fragment:
  - hostnet.networkd.attributes
  - hostnet.networkd.attributes.changes_with_diff
  - ansible.builtin.action_common_attributes
options:
  files:
    description: The paths to write or remove, as RV(hostnet.networkd.docker_host_info#module:plan.files) lists them.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute, normalized path.
        type: path
        required: true
      state:
        description: V(file) writes the content, V(directory) creates the directory, V(absent) removes the file.
        type: str
        choices: [file, directory, absent]
        default: file
      content:
        description: The file's content, as text (UTF-8).
        type: str
      content_base64:
        description: The file's content, base64-encoded, for bytes that are not UTF-8.
        type: str
      mode:
        description: Octal mode, for example C(0644); the mode the path has, or 0644 (0755 for a directory) for a new one.
        type: str
      owner:
        description: Owner name; the owner the path has, or root for a new one.
        type: str
      group:
        description: Group name; the group the path has, or root for a new one.
        type: str
      before_sha256:
        description:
          - The SHA-256 of the file's content when the plan was made; the empty string says no file was there. When
            the file differs from it now, the module changes nothing and fails.
        type: str
  sysctls:
    description: Dotted forwarding sysctl keys to set to 1 now where they read otherwise (a C(/) in a key stands for a dot).
    type: list
    elements: str
    default: []
notes:
  - Run M(hostnet.networkd.docker_host_info) first; its RV(hostnet.networkd.docker_host_info#module:plan) is the input.
seealso:
  - module: hostnet.networkd.docker_host_info
"""

EXAMPLES = r"""
- name: Read the Docker host and plan
  hostnet.networkd.docker_host_info:
    uplinks: [eth0]
    fail_on_problems: true
  register: docker_host

- name: Write the planned files and turn forwarding on now
  hostnet.networkd.docker_host_apply:
    files: "{{ docker_host.plan.files }}"
    sysctls: "{{ docker_host.plan.sysctls }}"
  notify: Reload systemd-networkd
"""

RETURN = r"""
written:
  description: The paths created, changed or removed (in check mode, that would be), directories included, in order.
  returned: always
  type: list
  elements: str
  sample: [/etc/sysctl.d, /etc/sysctl.d/90-hostnet-forwarding.conf]
sysctls_set:
  description: The sysctl keys set to 1 (in check mode, that would be).
  returned: always
  type: list
  elements: str
  sample: [net.ipv4.conf.eth0.forwarding]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hostnet.networkd.plugins.module_utils._docker_host.disk import (
    EntryError,
    apply,
    diff,
    missing_directories,
    planned_write,
    sysctl_diff,
    sysctls_to_set,
)
from ansible_collections.hostnet.networkd.plugins.module_utils._files.changeset import ChangeFailed, LockFailed

FILE_SPEC = dict(
    path=dict(type="path", required=True),
    state=dict(type="str", choices=["file", "directory", "absent"], default="file"),
    content=dict(type="str"),
    content_base64=dict(type="str"),
    mode=dict(type="str"),
    owner=dict(type="str"),
    group=dict(type="str"),
    before_sha256=dict(type="str"),
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", options=FILE_SPEC, default=[],
                       mutually_exclusive=[("content", "content_base64")]),
            sysctls=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    try:
        writes = [write for write in (planned_write(entry) for entry in module.params["files"]) if write is not None]
        sysctls = sysctls_to_set(module.params["sysctls"])
    except EntryError as error:
        module.fail_json(msg="%s; nothing was changed" % error)
    written = []
    for write in writes:
        written.extend(d for d in missing_directories(write.path) if d not in written)
        written.append(write.path)
    result = dict(changed=bool(writes or sysctls), written=written, sysctls_set=[key for key, _path, _value in sysctls])
    if module._diff:
        result["diff"] = [diff(write) for write in writes] + [sysctl_diff(*sysctl) for sysctl in sysctls]
    if result["changed"] and not module.check_mode:
        try:
            apply(writes, sysctls)
        except (ChangeFailed, LockFailed) as error:
            module.fail_json(msg=str(error), **result)
        except OSError as error:
            module.fail_json(msg="could not write %s: %s; done before it: %s"
                                 % (error.filename, error.strerror or error, ", ".join(error.done) or "nothing"),
                             **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
