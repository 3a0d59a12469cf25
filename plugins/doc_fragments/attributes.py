# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The attributes of this collection's modules, written once.

Use with ``ansible.builtin.action_common_attributes``, which describes the attributes:
``hostnet.networkd.attributes`` says every module runs on POSIX hosts, and one of the
named fragments says what it does in check and diff mode.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  platform:
    support: full
    platforms: posix
"""

    # Changes files or the host: check mode predicts the change, diff mode shows it.
    CHANGES_WITH_DIFF = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

    # Changes the host in ways a file diff cannot show (a timer, a snapshot).
    CHANGES_WITHOUT_DIFF = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

    # Reads only.
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This module never changes anything.
  diff_mode:
    support: N/A
    details:
      - This module never changes anything.
"""
