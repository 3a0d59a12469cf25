#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: report_files
short_description: Write a set of report files on the controller in one task
version_added: 0.2.0
description:
  - Writes text files below one directory on the controller, each only when its content differs, creating the
    directories they need. The playbook C(hostnet.networkd.audit) writes its fleet report with it.
  - It is an action plugin that runs on the controller only and starts no module, so a report of many files costs
    one task, not one module run per file and per directory (as M(ansible.builtin.copy) and M(ansible.builtin.file)
    on C(localhost) would).
  - Each file is written to a hidden temporary file in its directory and renamed over the old one.
author:
  - hostnet.networkd maintainers (@hostnet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  dest:
    description:
      - The directory on the controller the files are written below.
      - It and the directories the files need are created (mode 0755) when a file is written.
    type: path
    required: true
  files:
    description:
      - The files to write, each a path relative to O(dest) (V(evidence/host1.json)) and its text, written as UTF-8.
      - A name that is absolute or leads out of O(dest) is refused.
    type: dict
    required: true
  mode:
    description: The mode of every file written, as an octal string.
    type: str
    default: "0644"
  msg:
    description:
      - Text or data shown with the task's result at every verbosity, as M(ansible.builtin.debug) shows its C(msg).
      - The audit playbook shows the per-link tables with it, so that one task both writes the report and shows its
        summary (each task, even one that runs once, costs the controller some tens of milliseconds).
    type: raw
notes:
  - Files below O(dest) that O(files) does not name are left alone.
  - Use C(run_once) to write one report for a play, as the audit playbook does.
seealso:
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Write the fleet report on the controller
  hostnet.networkd.report_files:
    dest: "{{ playbook_dir }}/report"
    files:
      fleet.json: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'audit'))) | to_nice_json }}\n"
      summary.md: |
        # Audited
        {{ ansible_play_hosts | join(', ') }}
  run_once: true

- name: Write the fleet report and show the per-link tables
  hostnet.networkd.report_files:
    dest: "{{ playbook_dir }}/report"
    files: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'audit'))) | hostnet.networkd.audit_report }}"
    msg: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'audit'))) | hostnet.networkd.audit_tables }}"
  run_once: true
"""

RETURN = r"""
dest:
  description: The directory the files were written below, as an absolute path.
  returned: always
  type: str
  sample: /home/admin/hostnet-audit
msg:
  description: O(msg), unchanged.
  returned: when O(msg) is set
  type: raw
  sample: {web-1: ["systemd 257", "link  family  governing file  live  after reconfigure  after boot  risk"]}
written:
  description: The files written (in check mode, that would be written) because they were missing or differed, sorted.
  returned: always
  type: list
  elements: str
  sample: [/home/admin/hostnet-audit/fleet.json]
"""
