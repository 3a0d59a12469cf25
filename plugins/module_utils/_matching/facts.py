# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the host can tell about itself, for networkd's [Match] conditions.

Every field is optional: None means the target cannot answer (an offline image,
a fact the module could not read), and a condition that needs it is reported
as unknown rather than guessed.
"""

from __future__ import annotations

from typing import FrozenSet, NamedTuple, Optional


class HostFacts(NamedTuple):
    hostname: Optional[str] = None          # Host=
    machine_id: Optional[str] = None        # Host= also accepts the machine ID
    virtualization: Optional[str] = None    # Virtualization=: systemd-detect-virt's answer, "none" on bare metal
    container: Optional[bool] = None        # Virtualization=container / vm
    kernel_release: Optional[str] = None    # KernelVersion=: uname -r
    architecture: Optional[str] = None      # Architecture=: systemd's name (x86-64, arm64, ...)
    kernel_command_line: Optional[str] = None  # KernelCommandLine=: /proc/cmdline
    credentials: Optional[FrozenSet[str]] = None  # Credential=: names passed to systemd-networkd.service
    firmware: Optional[FrozenSet[str]] = None     # Firmware=: "uefi", "device-tree", ... that hold
