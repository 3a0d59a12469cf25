# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner for the programs the modules only read from: ip, systemd-detect-virt, nft, iptables -S.

``AnsibleModule.run_command`` hands subprocess a ``preexec_fn`` (for its ``umask`` option), and
with one Python cannot start the program with vfork: it forks the whole module process and runs
Python in the child. On the lab hosts that made each program cost 1.6 to 2.5 ms more than
``subprocess.run`` (docs/performance.md), and an audit runs two on every host of a fleet. These
programs change nothing and need none of run_command's options (umask, shell, prompts, data on
stdin), so they run here. Commands that change the host still go through ``run_command``.
"""

from __future__ import annotations

import os
import subprocess

# English messages and no colour codes: the callers parse the output.
READ_ENVIRONMENT = {"LC_ALL": "C", "SYSTEMD_COLORS": "0"}


def run_read_only(argv):
    """``(rc, stdout, stderr)`` of ``argv`` as text, the way ``run_command`` returns them.

    Raises OSError when the program cannot be started; the library's callers treat that as a
    missing program.
    """
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, **READ_ENVIRONMENT), check=False)
    return (result.returncode,
            result.stdout.decode("utf-8", "surrogateescape"),
            result.stderr.decode("utf-8", "surrogateescape"))
