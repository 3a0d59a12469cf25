# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How systemd lists the files of one kind across its search directories (src/basic/conf-files.c).

Hidden names are skipped, a name in a higher-priority directory hides the same name below it,
and the winners are sorted by file name alone; drop-in directories (``<name>.d``) are searched
in every directory.
"""

from __future__ import annotations

import posixpath

from .versions import NETWORK_DROPINS, network_dirs


def is_hidden(name):
    """hidden_or_backup_file() for a name that already ends in the suffix systemd wants.

    Of its tests only the leading dot can match such a name: the backup suffixes (~,
    .dpkg-old, .rpmsave, .bak, and .ignore from 259) never end in ".network" or ".conf".
    """
    return name.startswith(".")


def unique_directories(fs, directories):
    """``directories`` without those that are another one of them through a symlink.

    On a merged-/usr system /lib is a link to usr/lib: systemd builds that still search
    /lib/systemd/network (split-usr, up to 254) find every vendor file a second time there, and
    skip it as overridden by itself. Listing the directory once reports each file once.
    """
    seen = set()
    result = []
    for directory in directories:
        real = fs.real_directory(directory)
        if real not in seen:
            seen.add(real)
            result.append(directory)
    return result


def list_config_files(fs, directories, suffix):
    """conf_files_list_strv(): {name: path} of the winning file per name, plus the overridden ones.

    Returns (winners sorted by name with strcmp, [(overridden path, winner path)]).
    """
    winners = {}
    overridden = []
    for directory in unique_directories(fs, directories):
        prefix = directory.rstrip("/") + "/"    # posixpath.join(), once per directory
        for name in fs.list_dir(directory):
            if not name.endswith(suffix) or is_hidden(name):
                continue
            path = prefix + name
            if name in winners:
                overridden.append((path, winners[name]))
            else:
                winners[name] = path
    # Sorted by file name only, across directories; str order equals strcmp on UTF-8.
    return [winners[name] for name in sorted(winners)], overridden


def dropin_directories(fs, version):
    """{``<name>.network.d``: its directories in search order}, from one listing of each search directory."""
    found = {}
    if version >= NETWORK_DROPINS:
        for directory in unique_directories(fs, network_dirs(version)):
            for name in fs.list_dir(directory):
                if name.endswith(".network.d"):
                    found.setdefault(name, []).append(posixpath.join(directory, name))
    return found


def dropin_paths(fs, main_path, version, existing=None):
    """The drop-ins of ``main_path`` from every search directory, sorted by name.

    See docs/internals/networkd-configuration.md, "Drop-ins".

    ``existing`` (from dropin_directories()) spares a listing of every drop-in
    directory that does not exist, which is most of them on a large host.
    """
    if version < NETWORK_DROPINS:
        return []
    name = posixpath.basename(main_path) + ".d"
    if existing is None:
        directories = [posixpath.join(d, name) for d in network_dirs(version)]
    else:
        directories = existing.get(name)
        if not directories:
            return []
    paths, _overridden = list_config_files(fs, directories, ".conf")
    return paths
