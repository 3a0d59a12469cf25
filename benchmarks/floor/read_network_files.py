# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module bench's floor: the arguments networkd_forwarding gets, every .network file and drop-in read, nothing else.

It validates the same ``links`` (a list of dicts, without suboptions), reads every file below
the three network directories of ``root`` and returns how many it read. What networkd_forwarding
takes beyond it is parsing, matching, predicting and its result.
"""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule

NETWORK_DIRECTORIES = ("etc/systemd/network", "run/systemd/network", "usr/lib/systemd/network")


def main():
    module = AnsibleModule(argument_spec=dict(root=dict(type="path", required=True), systemd_version=dict(type="int"),
                                              links=dict(type="list", elements="dict")))
    count = 0
    for directory in NETWORK_DIRECTORIES:
        for parent, _directories, names in os.walk(os.path.join(module.params["root"], directory)):
            for name in names:
                with open(os.path.join(parent, name), "rb") as stream:
                    stream.read()
                count += 1
    module.exit_json(changed=False, files=count)


if __name__ == "__main__":
    main()
