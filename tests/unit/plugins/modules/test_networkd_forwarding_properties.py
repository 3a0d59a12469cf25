# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property: on any tree, nothing outside the root changes, and every run ends cleanly with all files intact.

Hypothesis builds image roots with symlinks (absolute, relative, escaping with ``..``, into the
sandbox by host path, loops, to /dev/null), FIFOs, directories where files belong, odd and
non-UTF-8 names, in a sandbox that holds sentinel files beside the root. Every state, scope,
method and check mode runs on each tree. After each run:

* everything outside the root is as it was (names, types, modes, mtimes, contents);
* the run succeeded, or failed through fail_json with a message (no traceback);
* a failed run, an audit and a check-mode run left every file of the root as it was;
* the result is one the controller accepts (strict UTF-8 strings).

Derandomized, with a bounded number of examples, so that ``make test`` stays reproducible and fast.
"""

from __future__ import annotations

import os
import stat

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.hostnet.networkd.tests.unit.plugins.modules.module_runner import refused_by_the_controller, run
from ansible_collections.hostnet.networkd.tests.unit.plugins.sandbox import Sandbox, snapshot

LINKS = [{"name": "uplink0", "type": "ether", "kind": "veth", "mac": "02:00:00:00:00:01", "ifindex": 2},
         {"name": "eth\xe9", "type": "ether", "ifindex": 3}]
LOCK_NAME = ".hostnet-networkd.lock"

DIRECTORIES = [b"etc", b"etc/systemd", b"etc/systemd/network", b"etc/systemd/network/10-uplink0.network.d",
               b"etc/systemd/networkd.conf.d", b"etc/sysctl.d", b"run/systemd/network",
               b"run/systemd/network/10-uplink0.network.d", b"usr/lib/systemd/network", b"usr", b"run"]
NAMES = [b"10-uplink0.network", b"20-any.network", b"50-hostnet-forwarding.conf", b"30-x.conf", b"networkd.conf",
         b"99-forward.conf", b"10-up\xfflink.network", b"a b.conf", b"-dash.network", b"x\nnewline.network",
         b"n" * 247 + b".network", b".hidden.conf", b"10-uplink0.network.d"]
CONTENTS = [
    b"[Match]\nName=uplink0\n\n[Network]\nIPForward=yes\n",
    b"[Match]\nName=uplink0 eth*\n\n[Network]\nIPv4Forwarding=no\nIPv6Forwarding=yes\n",
    b"# caf\xe9\n[Match]\nName=*\n[Network]\nIPv4Forwarding=yes\n",
    b"[Network]\nIPv4Forwarding=no\n",
    b"net.ipv4.ip_forward = 0\nnet.ipv4.conf.uplink0.forwarding=1\n",
    b"[Match]\nName=uplink0\n[Network\n",
    b"",
    b"\0" * 64,
]


# Where an image's symlink does harm when a writer lets the kernel resolve it: the directories
# the module writes in, its own drop-in directory and the governing file itself.
ATTACK_POINTS = ["etc", "etc/systemd", "etc/systemd/network", "etc/systemd/network/10-uplink0.network",
                 "etc/systemd/network/10-uplink0.network.d", "etc/systemd/networkd.conf.d"]
# The image holds its own copy of the sandbox's tree at both places its symlinks resolve to inside
# the root (``/outside/...`` for ``..`` climbing past the root, ``<sandbox>/outside/...`` for the
# host's absolute path), so reads find files where a kernel-resolved write would hit the sentinels.
MIRRORED = {"etc/systemd/network/10-uplink0.network": b"[Match]\nName=uplink0\n\n[Network]\nIPForward=yes\n",
            "etc/systemd/network/10-uplink0.network.d/50-hostnet-forwarding.conf": b"[Network]\nIPv4Forwarding=no\n",
            "etc/systemd/networkd.conf.d/50-hostnet-forwarding.conf": b"[Network]\nIPv4Forwarding=no\n"}


def link_targets(sandbox_outside):
    return st.one_of(
        st.sampled_from(["/etc", "/etc/systemd/network", "/usr/lib/systemd/network", "/dev/null", "/",
                         "/etc/systemd/network/10-uplink0.network", "/run/systemd/network/10-uplink0.network.d",
                         "../../..", "../../../../../..", "..", ".", "../usr", "/etc/passwd", "loop", "self",
                         "/../../outside", "../../../../outside/etc"]),
        st.sampled_from(["", "/etc", "/etc/systemd/network", "/etc/systemd/network/10-uplink0.network.d",
                         "/host.network", "/d"]).map(lambda tail: sandbox_outside + tail),
    )


def attacks(sandbox_outside):
    """Symlinks at the attack points, each to the same place outside: by host path, or climbing with ``..``."""
    def target(point, style):
        if style == "absolute":
            return sandbox_outside + "/" + point
        return "../" * (point.count("/") + 1) + "outside/" + point     # up to the sandbox, then down outside
    return st.lists(st.tuples(st.sampled_from(ATTACK_POINTS), st.sampled_from(["absolute", "climbing"])),
                    max_size=3, unique_by=lambda attack: attack[0]).map(
        lambda chosen: [(point.encode(), target(point, style).encode()) for point, style in chosen])


def entries(sandbox_outside):
    kinds = st.one_of(
        st.tuples(st.just("file"), st.sampled_from(CONTENTS)),
        st.tuples(st.just("symlink"), link_targets(sandbox_outside)),
        st.tuples(st.just("fifo"), st.none()),
        st.tuples(st.just("directory"), st.none()),
    )
    return st.lists(st.tuples(st.sampled_from(DIRECTORIES), st.sampled_from(NAMES), kinds), max_size=10)


def real_directory_chain(root, relative):
    """Create ``relative`` below ``root`` with mkdir only; False when a component is no real directory."""
    path = root
    for name in relative.split(b"/"):
        path = os.path.join(path, name)
        try:
            status = os.lstat(path)
        except FileNotFoundError:
            os.mkdir(path)
            continue
        if not stat.S_ISDIR(status.st_mode):
            return False
    return True


def build(root, outside, symlinks, tree):
    """Lay the tree out below ``root`` without ever following a symlink (the tree may hold any).

    First the attack ``symlinks``, then the random ``tree``, then the usual files where nothing
    took their place: the governing file of uplink0, and the image's copies of the sandbox's files.
    """
    root = root.encode()
    for point, target in symlinks:
        if real_directory_chain(root, os.path.dirname(point)) and not os.path.lexists(os.path.join(root, point)):
            os.symlink(target, os.path.join(root, point))
    for directory, name, (kind, detail) in tree:
        if not real_directory_chain(root, directory):
            continue
        path = os.path.join(root, directory, name)
        if os.path.lexists(path):
            continue
        if kind == "file":
            write_new(path, detail)
        elif kind == "symlink":
            target = {"loop": name + b".other", "self": name}.get(detail, detail)
            if detail == "loop":
                os.symlink(name, os.path.join(root, directory, target))
            os.symlink(target if isinstance(target, bytes) else target.encode(), path)
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            os.mkdir(path)
    for prefix in (b"", b"outside/", outside.lstrip("/").encode() + b"/"):
        for relative, content in MIRRORED.items():
            path = prefix + relative.encode()
            if real_directory_chain(root, os.path.dirname(path)) and not os.path.lexists(os.path.join(root, path)):
                write_new(os.path.join(root, path), content)


def write_new(path, content):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    os.write(descriptor, content)
    os.close(descriptor)


def files_of(root):
    """Every non-directory entry of the root with its content, but the lock file (which stays by design)."""
    return {path: entry for path, entry in snapshot(root).items()
            if not stat.S_ISDIR(entry[0]) and os.path.basename(path) != LOCK_NAME}


def clear_failure(code, result):
    return code == 1 and bool(result.get("msg")) and "exception" not in result and "Traceback" not in result["msg"]


# Every state, scope, method and check mode; scope=global writes one networkd.conf.d drop-in
# whatever the method, so it runs with the default method only.
RUNS = [dict(state="audit", _ansible_check_mode=False)] + [
    dict(state=state, scope=scope, method=method, _ansible_check_mode=check_mode, _ansible_diff=True,
         interfaces=["uplink0", "eth*"])
    for state in ("enabled", "disabled") for scope in ("link", "global", "both")
    for method in (("auto",) if scope == "global" else ("auto", "inline", "dropin")) for check_mode in (True, False)]


@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_tree_makes_a_run_touch_the_outside_or_end_unclean(capsys, tmp_path_factory, deadline, data):
    box = Sandbox(tmp_path_factory.mktemp("property"))
    symlinks = data.draw(attacks(box.outside), label="attack symlinks")
    tree = data.draw(entries(box.outside), label="tree")
    version = data.draw(st.sampled_from([252, 257]), label="systemd_version")
    build(box.root, box.outside, symlinks, tree)
    outside = box.snapshot()
    for args in RUNS:
        before = files_of(box.root)
        deadline(20)        # a FIFO opened blocking would hang here: fail instead
        code, result = run(capsys, root=box.root, systemd_version=version, links=LINKS, **args)
        event("failed" if code else "changed" if result.get("changed") else "unchanged")
        assert box.snapshot() == outside, (args, tree)
        assert code == 0 or clear_failure(code, result), (args, tree, result)
        assert refused_by_the_controller(result) == [], (args, tree)
        if code != 0 or args["state"] == "audit" or args["_ansible_check_mode"]:
            assert files_of(box.root) == before, (args, tree, result.get("msg"))
