# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module bench's floors: the arguments networkd_forwarding gets, every .network file and drop-in read, nothing else.

It validates the same ``links`` (a list of dicts, without suboptions), reads every file below
the three network directories of ``root`` and returns how many it read: the reading floor. What
networkd_forwarding takes beyond it is parsing, matching, predicting and its result.

With ``answer``, the path of a result networkd_forwarding printed for the same arguments, it
returns that result instead (its warnings through warn(), as the module gives them): the answer
floor, what any module pays that reads these files and answers as networkd_forwarding does,
through AnsibleModule and the controller. What networkd_forwarding takes beyond it is its own work.
"""

from __future__ import annotations

import json
import os

from ansible.module_utils.basic import AnsibleModule

NETWORK_DIRECTORIES = ("etc/systemd/network", "run/systemd/network", "usr/lib/systemd/network")


def main():
    module = AnsibleModule(argument_spec=dict(root=dict(type="path", required=True), systemd_version=dict(type="int"),
                                              links=dict(type="list", elements="dict"), answer=dict(type="path")))
    count = 0
    for directory in NETWORK_DIRECTORIES:
        for parent, _directories, names in os.walk(os.path.join(module.params["root"], directory)):
            for name in names:
                with open(os.path.join(parent, name), "rb") as stream:
                    stream.read()
                count += 1
    if module.params["answer"] is None:
        module.exit_json(changed=False, files=count)
    with open(module.params["answer"], "rb") as stream:
        result = json.load(stream)
    result.pop("invocation", None)      # exit_json() adds this module's own
    for warning in result.pop("warnings", []):
        module.warn(warning["event"]["msg"] if isinstance(warning, dict) else warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
