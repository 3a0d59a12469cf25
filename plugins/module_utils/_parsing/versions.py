# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The systemd versions at which networkd's behaviour changes, each with its source.

The rules and their sources (systemd commits, NEWS entries, source files, lab
measurements) are in docs/internals/forwarding-semantics.md and
docs/internals/networkd-configuration.md.
"""

from __future__ import annotations

# IPForward= appears (commit 5a8bcb674f71, NEWS 219). Per-link writes of 0/1, plus a global write.
IPFORWARD_INTRODUCED = 219
# 220 drops the global ip_forward write (commit 505c5f6de1); still writes 0/1 per link.
IPFORWARD_NO_GLOBAL_WRITE = 220
# IPForward=kernel: leave the sysctls alone (commit 8add5f7970, NEWS 221).
IPFORWARD_KERNEL_VALUE = 221
# Loopback is never written from 222 (commit 15dee3f07c).
LOOPBACK_SKIPPED = 222
# .network drop-ins (<name>.network.d/*.conf): NEWS 232.
NETWORK_DROPINS = 232
# Up to about v234 the conf-parser read lines with fgets and treated a missing '=' as fatal.
# The first version with the current reader is UNCONFIRMED (between 235 and 252).
MODERN_CONF_PARSER = 235
# A section header with quotes, backslashes or control characters fails the file
# ("Bad characters in section header"). Measured in the lab: 247 accepts such a header,
# 252 rejects the file; the first version in between is UNCONFIRMED, 248 is assumed.
SECTION_HEADER_CHARS_CHECKED = 248
# /usr/local/lib/systemd/network joins the search path. UNCONFIRMED: between 235 and 245
# (Ubuntu's 245.4 man page lists it); 235 is the earliest it can be.
USR_LOCAL_LIB_SEARCHED = 235
# One-way global: no per-link writes; IPForward= only ever turns global forwarding on
# (commit 765afd5c4d, NEWS 228).
ONE_WAY_GLOBAL = 228
# link_configure() hands CAN links to link_configure_can() before any sysctl is written
# (PR #9185, merged 2018-06-11; the 252, 254 and 257 sources). 239 is the first release after
# the merge; the release is UNCONFIRMED.
CAN_NOT_CONFIGURED = 239
# networkd leaves a link alone when udev's ID_NET_MANAGED_BY names another manager (PR #29782,
# reviewed 2023-10-31, before 255 was released; NEWS and the man page say no release). The first
# release is UNCONFIRMED: 255 is the earliest. Up to the fix of issue #36997 (PR #37809, 2025) it was
# checked on udev events only, so a later reconfigure could still configure the link (not modelled).
MANAGED_BY_HONOURED = 255
# Empty [Match] sections warn from 243 and make the file rejected from 245 (NEWS 243, 245).
EMPTY_MATCH_WARNS = 243
EMPTY_MATCH_REJECTED = 245
# IPMasquerade= takes ipv4/ipv6/both (NEWS 248); before, a boolean meaning IPv4.
MASQUERADE_FAMILIES = 248
# sysctl writes are skipped when the value is already equal (PR #20676; probably v250, UNCONFIRMED).
SUPPRESS_EQUAL_SYSCTL_WRITES = 250
# Split-usr support removed: /lib/systemd/network is no longer searched (NEWS 255).
SPLIT_USR_REMOVED = 255
# IPForward= becomes a no-op; IPv4Forwarding=/IPv6Forwarding= in .network and networkd.conf
# (PR #31423, NEWS 256). networkd.conf may also live in /run, /usr/local/lib, /usr/lib.
PER_LINK_FORWARDING_KEYS = 256
NETWORKD_CONF_ANY_DIRECTORY = 256
# A main configuration file that is a symlink to (or symlinked as) one of its drop-ins is read only
# as that drop-in, and no other main file is tried (config_parse_many_files: PR #29113, merged
# September 2023, and PR #30142, November 2023; both before 255 was released, the release is UNCONFIRMED).
MAIN_CONF_READ_AS_DROPIN = 255
# IPMasquerade= turns the global setting on when it is unset (PR #34014; in 257, a 256.x
# backport is UNCONFIRMED).
MASQUERADE_IMPLIES_GLOBAL = 257
# The versions a systemd_version parameter may name. Before 219 networkd has no forwarding
# setting to model. Releases after the newest one of the lab (262 in 2026) are modelled as the
# 257+ band; 300 is years away (two releases a year), so a larger number is taken for a typo.
OLDEST_MODELLED = IPFORWARD_INTRODUCED
NEWEST_ACCEPTED = 299


def forwarding_band(version):
    """The name of the forwarding behaviour band ``version`` falls in.

    Bands: "219", "220", "221-227", "228-255", "256", "257+"; None before 219
    (networkd had no forwarding setting at all).
    """
    if version < IPFORWARD_INTRODUCED:
        return None
    if version == IPFORWARD_INTRODUCED:
        return "219"
    if version < IPFORWARD_KERNEL_VALUE:
        return "220"
    if version < ONE_WAY_GLOBAL:
        return "221-227"
    if version < PER_LINK_FORWARDING_KEYS:
        return "228-255"
    if version < MASQUERADE_IMPLIES_GLOBAL:
        return "256"
    return "257+"


def config_dirs(version, subdirectory):
    """systemd's CONF_PATHS for ``subdirectory`` ("systemd/network", "sysctl.d"...), highest priority first.

    /lib is searched by split-usr builds up to 254 (Debian 11 and 12 are built that
    way); on merged-usr systems it is the same directory as /usr/lib and its
    entries collapse by file name, so listing it is harmless there.
    """
    dirs = ["/etc/" + subdirectory, "/run/" + subdirectory]
    if version >= USR_LOCAL_LIB_SEARCHED:
        dirs.append("/usr/local/lib/" + subdirectory)
    dirs.append("/usr/lib/" + subdirectory)
    if version < SPLIT_USR_REMOVED:
        dirs.append("/lib/" + subdirectory)
    return dirs


def network_dirs(version):
    """Where networkd looks for .network files and their drop-in directories.

    See docs/internals/networkd-configuration.md, "Search directories".
    """
    return config_dirs(version, "systemd/network")


def installed_versions(fs):
    """The systemd versions installed below a root, from their libsystemd-shared-<N>.so, sorted.

    Every systemd build ships this private library with its version in the name. One
    version is the usual answer; a leftover library of another build gives two.
    """
    directories = ["/usr/lib/systemd", "/lib/systemd", "/usr/lib64/systemd"]
    for lib in ("/usr/lib", "/lib"):   # Debian's multiarch layout: /usr/lib/x86_64-linux-gnu/systemd
        directories.extend("%s/%s/systemd" % (lib, name) for name in fs.list_dir(lib) if "-linux-" in name)
    found = set()
    for directory in directories:
        for name in fs.list_dir(directory):
            stem = name[len("libsystemd-shared-"):] if name.startswith("libsystemd-shared-") else ""
            digits = stem.split(".", 1)[0].split("-", 1)[0]
            if digits.isdigit():
                found.add(int(digits))
    return sorted(found)


def installed_version(fs):
    """The newest systemd version installed below a root (an offline image has no systemd to ask); None if absent."""
    versions = installed_versions(fs)
    return versions[-1] if versions else None
