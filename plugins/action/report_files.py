# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of hostnet.networkd.report_files: writes files on the controller, no module run."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.plugins.action import ActionBase

from ansible_collections.hostnet.networkd.plugins.module_utils._files.atomic import write_atomically

ARGUMENT_SPEC = dict(
    dest=dict(type="path", required=True),
    files=dict(type="dict", required=True),
    mode=dict(type="str", default="0644"),
    msg=dict(type="raw"),
)


def target_path(dest, name):
    """The absolute path of ``name`` below ``dest``; refuses names that are absolute or leave ``dest``."""
    path = os.path.normpath(os.path.join(dest, name))
    if os.path.isabs(name) or not path.startswith(dest.rstrip(os.sep) + os.sep):
        raise AnsibleActionFail("files: %r is not a path below dest %s" % (name, dest))
    return path


def differs(path, data):
    """Whether ``path`` is missing or holds something other than ``data``."""
    try:
        with open(path, "rb") as stream:
            return stream.read() != data
    except FileNotFoundError:
        return True


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False   # everything happens on the controller
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # unused
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        dest = os.path.abspath(args["dest"])
        try:
            mode = int(args["mode"], 8)
        except ValueError:
            raise AnsibleActionFail("mode: %r is not an octal mode" % args["mode"]) from None
        contents = {target_path(dest, name): to_bytes(text, errors="surrogate_or_strict")
                    for name, text in args["files"].items()}
        written = sorted(path for path, data in contents.items() if differs(path, data))
        if not self._task.check_mode:
            for path in written:
                try:
                    os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
                    write_atomically(path, contents[path], mode)
                except OSError as error:
                    raise AnsibleActionFail("could not write %s: %s" % (path, to_native(error))) from error
        result.update(changed=bool(written), dest=dest, written=written)
        if args["msg"] is not None:
            # Shown at every verbosity, as ansible.builtin.debug shows its msg.
            result.update(msg=args["msg"], _ansible_verbose_always=True)
        return result
