# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One host's configuration layers and its forwarding model, read once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional

from .._matching.network_files import load_network_configuration
from .._parsing.procps import ProcpsVersion, installed_procps_version
from .._parsing.sysctl_d import load_sysctl_config
from .._parsing.versions import SPLIT_USR_REMOVED
from .forwarding import ForwardingModel
from .networkd_conf import changed_since_start, load_networkd_conf
from .runtimes import find_runtimes


@dataclass
class HostView:
    """Everything the audit reads from one host, gathered once."""

    version: int
    fs: object
    links: list
    facts: object
    live_values: dict = field(default_factory=dict)   # {"ipv4": {"all": 1, "eth0": 0}, "ipv6": {...}}
    ip_forward: Optional[int] = None
    extra_paths: List[str] = field(default_factory=list)
    # The running host's procps-ng (`sysctl --version`, _live/sysctl.py); asked only when it matters.
    procps_reader: Optional[Callable[[], Optional[ProcpsVersion]]] = None
    # When the running networkd started (seconds since the epoch), and mtime(path) of the files: a
    # networkd.conf changed since then is not what the daemon uses (_live/systemd.py, _live/reading.py).
    networkd_started_at: Optional[float] = None
    mtime: Optional[Callable[[str], Optional[float]]] = None

    def load(self):
        """Parse every configuration layer and build the model."""
        self.configuration = load_network_configuration(self.fs, self.version, self.facts, self.extra_paths)
        self.networkd_conf = load_networkd_conf(self.fs, self.version)
        self.networkd_conf_changed = (changed_since_start(self.networkd_conf, self.version,
                                                          self.networkd_started_at, self.mtime)
                                      if self.mtime is not None else [])
        self.sysctl = load_sysctl_config(self.fs, split_usr=self.version < SPLIT_USR_REMOVED)
        if self.sysctl.procps_matters:
            # The program the host runs, else the package database below the root.
            procps = self.procps_reader() if self.procps_reader is not None else None
            self.sysctl.use_procps(procps or installed_procps_version(self.fs))
        self.runtimes, self.runtime_warnings = find_runtimes(self.fs)
        self.model = ForwardingModel(self.version, self.configuration, self.networkd_conf,
                                     self.sysctl, self.links, self.live_values, self.runtimes)
        return self
