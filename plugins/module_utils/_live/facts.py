# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the [Match] conditions (Host=, Virtualization=, KernelCommandLine=...) test, read from the host."""

from __future__ import annotations

import os
import re
from typing import List, Optional

from .._files.view import RootFileSystem
from .._matching.facts import HostFacts
from .reading import Runner, Which, add_warning, read_line, read_text, run_tool

NETWORKD_CREDENTIALS = "/run/credentials/systemd-networkd.service"

# uname machine -> systemd architecture name (src/basic/architecture.c).
ARCHITECTURES = {
    "x86_64": "x86-64", "i686": "x86", "i586": "x86", "i486": "x86", "i386": "x86",
    "aarch64": "arm64", "aarch64_be": "arm64-be",
    "armv8l": "arm", "armv8b": "arm-be", "armv7ml": "arm", "armv7mb": "arm-be",
    "armv7l": "arm", "armv7b": "arm-be", "armv6l": "arm", "armv6b": "arm-be",
    "armv5tl": "arm", "armv5tel": "arm", "armv5tejl": "arm", "armv5tejb": "arm-be",
    "armv5teb": "arm-be", "armv5tb": "arm-be", "armv4tl": "arm", "armv4tb": "arm-be",
    "armv4l": "arm", "armv4b": "arm-be",
    "alpha": "alpha", "arc": "arc", "arceb": "arc-be", "crisv32": "cris", "ia64": "ia64",
    "parisc64": "parisc64", "parisc": "parisc", "loongarch64": "loongarch64",
    "m68k": "m68k", "mips64": "mips64", "mips": "mips", "nios2": "nios2",
    "ppc64le": "ppc64-le", "ppc64": "ppc64", "ppcle": "ppc-le", "ppc": "ppc",
    "riscv64": "riscv64", "riscv32": "riscv32", "s390x": "s390x", "s390": "s390",
    "sh5": "sh64", "sh4a": "sh", "sh4": "sh", "sh3": "sh", "sh2a": "sh", "sh2": "sh",
    "sparc64": "sparc64", "sparc": "sparc", "tilegx": "tilegx",
}

# systemd-detect-virt identifiers (src/basic/virt.c virtualization_table).
CONTAINER_VIRTUALIZATIONS = frozenset((
    "systemd-nspawn", "lxc-libvirt", "lxc", "openvz", "docker", "podman", "rkt", "wsl",
    "proot", "pouch", "container-other",
))
VM_VIRTUALIZATIONS = frozenset((
    "kvm", "amazon", "qemu", "bochs", "xen", "uml", "vmware", "oracle", "microsoft", "zvm",
    "parallels", "bhyve", "qnx", "acrn", "powervm", "apple", "sre", "google", "vm-other",
))


def _machine_id(fs):
    value = read_line(fs, "/etc/machine-id")
    if value and re.match(r"^[0-9a-fA-F]{32}$", value):
        return value.lower()
    return None


def _hostname(fs):
    value = read_line(fs, "/proc/sys/kernel/hostname")
    if value:
        return value
    for line in (read_text(fs, "/etc/hostname") or "").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return None


def _virtualization(runner, which):
    """``(virtualization, container)`` from systemd-detect-virt; ``(None, None)`` when unknown."""
    result = run_tool(runner, which, "systemd-detect-virt", [])
    if result is None:
        return None, None
    rc, out, _err = result
    value = out.strip().splitlines()[0].strip() if out.strip() else ""
    if value == "none" or (rc == 1 and not value):
        return "none", False
    if rc != 0 or not value:
        return None, None
    if value in CONTAINER_VIRTUALIZATIONS:
        return value, True
    if value in VM_VIRTUALIZATIONS:
        return value, False
    # An identifier newer than this table: ask directly.
    container = run_tool(runner, which, "systemd-detect-virt", ["--container", "--quiet"])
    return value, (None if container is None else container[0] == 0)


def _kernel_command_line(fs, container):
    """systemd's proc_cmdline(): PID 1's command line inside a container, else /proc/cmdline."""
    if container:
        raw = read_text(fs, "/proc/1/cmdline")
        if raw is not None:
            return raw.replace("\0", " ").strip()
    value = read_text(fs, "/proc/cmdline")
    return value.strip() if value is not None else None


def _firmware(fs, container):
    """The Firmware= values that can be read from sysfs: "uefi", "device-tree" (condition.c)."""
    if not fs.is_dir("/sys"):
        return None
    holds = set()
    # is_efi_boot() is false in a container.
    if not container and fs.is_dir("/sys/firmware/efi"):
        holds.add("uefi")
    if fs.is_dir("/sys/firmware/devicetree"):
        holds.add("device-tree")
    return frozenset(holds)


def host_facts(runner: Runner, which: Which, fs, machine: Optional[str] = None,
               warnings: Optional[List[str]] = None) -> HostFacts:
    """What the [Match] conditions (Host=, Virtualization=, ...) test, read from the host.

    ``machine`` is the kernel's machine name (``uname -m``); by default
    /proc/sys/kernel/arch, else ``os.uname().machine``.
    """
    if machine is None:
        machine = read_line(fs, "/proc/sys/kernel/arch")
    if machine is None:
        try:
            machine = os.uname().machine
        except (AttributeError, OSError):
            machine = None
    architecture = ARCHITECTURES.get(machine) if machine else None
    if architecture is None:
        add_warning(warnings, "Unknown machine architecture %r: Architecture= cannot be evaluated." % (machine,))

    virtualization, container = _virtualization(runner, which)
    if virtualization is None:
        add_warning(warnings, "systemd-detect-virt is not available or failed: Virtualization= cannot be evaluated.")

    hostname = _hostname(fs)
    if hostname is None:
        add_warning(warnings, "The host name cannot be read: Host= cannot be evaluated.")
    kernel_release = read_line(fs, "/proc/sys/kernel/osrelease")
    if kernel_release is None:
        try:
            kernel_release = os.uname().release if isinstance(fs, RootFileSystem) and fs.root == "/" else None
        except (AttributeError, OSError):
            kernel_release = None

    credentials = frozenset()
    if fs.is_dir(NETWORKD_CREDENTIALS):
        credentials = frozenset(fs.list_dir(NETWORKD_CREDENTIALS))

    return HostFacts(
        hostname=hostname,
        machine_id=_machine_id(fs),
        virtualization=virtualization,
        container=container,
        kernel_release=kernel_release,
        architecture=architecture,
        kernel_command_line=_kernel_command_line(fs, container),
        credentials=credentials,
        firmware=_firmware(fs, container),
    )
