# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Differential test: the library's predictions against the real networkd of this container.

For each seeded random configuration (.network files in every search
directory, overrides, masks, drop-ins, globs, negation, Type=/Kind=/MAC
matches, conditions, networkd.conf globals, old and new forwarding keys):
1. restart networkd and compare, per link, the library's governing file with
   networkctl's "Network File";
2. from a random known sysctl state, reconfigure each link in turn and compare
   every forwarding value the kernel then holds with the library's prediction;
3. from that state, restart networkd and compare again.
Prints one JSON summary. Run it only inside a disposable lab container: it
rewrites /etc/systemd/network and friends.

Usage: python3 differential.py LIBRARY_PARENT CASES SEED
"""

import json
import os
import random
import shutil
import subprocess
import sys
import time

sys.path.insert(0, sys.argv[1])
from hostnet_lib._files.view import RootFileSystem  # noqa: E402  (the library, copied next to this script)
from hostnet_lib._live.state import read_live_state  # noqa: E402
from hostnet_lib._model.host import HostView  # noqa: E402
from hostnet_lib._parsing.families import FAMILIES  # noqa: E402
# Links this test creates: veth pairs and a bridge, all inside the container.
LINKS = {"uplink0": "02:00:00:00:00:01", "uplink0p": "02:00:00:00:00:02", "eth1": "02:00:00:00:00:03",
         "eth1p": "02:00:00:00:00:04", "wan0": "02:00:00:00:00:05", "wan0p": "02:00:00:00:00:06",
         "br0": "02:00:00:00:00:07"}
NAME_WORDS = ["uplink0", "uplink*", "eth1", "eth?", "wan*", "br0", "*", "*p", "up-alt", "lo"]


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True).stdout


def create_links():
    for name, peer in (("uplink0", "uplink0p"), ("eth1", "eth1p"), ("wan0", "wan0p")):
        if not os.path.exists("/sys/class/net/" + name):
            sh("ip", "link", "add", name, "type", "veth", "peer", "name", peer)
    if not os.path.exists("/sys/class/net/br0"):
        sh("ip", "link", "add", "br0", "type", "bridge")
    for name, mac in LINKS.items():
        sh("ip", "link", "set", name, "address", mac)
        sh("ip", "link", "set", name, "up")
    sh("ip", "link", "set", "wan0p", "master", "br0")
    sh("ip", "link", "property", "add", "dev", "uplink0", "altname", "up-alt", check=False)


def version():
    return int(sh("networkctl", "--version").split()[1])


def search_dirs(v):
    dirs = ["/etc/systemd/network", "/run/systemd/network", "/usr/lib/systemd/network"]
    if v >= 245:
        dirs.append("/usr/local/lib/systemd/network")
    if v < 255:
        dirs.append("/lib/systemd/network")
    return dirs


def match_section(rng, v):
    lines = []
    for _line in range(rng.choice([0, 1, 1, 1, 2, 2, 3])):
        words = rng.sample(NAME_WORDS, rng.choice([1, 1, 2]))
        lines.append("Name=%s%s" % (rng.choice(["", "", "!"]), " ".join(words)))
    if rng.random() < 0.1:
        lines.append("Name=")
    if rng.random() < 0.2:
        lines.append("Type=%s%s" % (rng.choice(["", "!"]), rng.choice(["ether", "bridge", "loopback", "ether bridge"])))
    if rng.random() < 0.2 and v >= 251:
        lines.append("Kind=%s%s" % (rng.choice(["", "!"]), rng.choice(["veth", "bridge", "veth bridge", "*"])))
    if rng.random() < 0.15:
        lines.append("MACAddress=%s" % " ".join(rng.sample(sorted(LINKS.values()), 2)))
    if rng.random() < 0.1:
        lines.append("Driver=%s" % rng.choice(["veth", "bridge", "!veth"]))
    if rng.random() < 0.1:
        lines.append("Host=%s" % rng.choice(["*", "!*", "no-such-host"]))
    return lines


def network_section(rng, v):
    choices = ["IPForward=yes", "IPForward=no", "IPForward=ipv4", "IPForward=ipv6", "IPForward=kernel",
               "IPv4Forwarding=yes", "IPv4Forwarding=no", "IPv4Forwarding=", "IPv6Forwarding=yes",
               "IPv6Forwarding=no", "ConfigureWithoutCarrier=yes", "IPMasquerade=ipv4", "IPMasquerade=both",
               "IPMasquerade=yes", "IPMasquerade=no"]
    return rng.sample(choices, rng.choice([0, 1, 1, 2, 3]))


def render(sections):
    text = ""
    for name, lines in sections:
        text += "[%s]\n%s\n" % (name, "\n".join(lines)) if lines or name == "Match" else ""
    return text


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as stream:
        stream.write(text)


def remove(paths):
    """Remove what the previous case wrote; vendor files (Debian's 80-container-*) stay in play."""
    for path in paths:
        if os.path.lexists(path):
            os.unlink(path)
        directory = os.path.dirname(path)
        if directory.endswith(".d") and os.path.isdir(directory) and not os.listdir(directory):
            os.rmdir(directory)


def generate(rng, v):
    """Write one random configuration; returns it as {path: text}."""
    files = {}
    names = ["%02d-%s.network" % (rng.randrange(100), rng.choice("abcdef")) for _file in range(rng.randint(2, 6))]
    for name in names:
        directory = rng.choice(search_dirs(v))
        path = os.path.join(directory, name)
        roll = rng.random()
        if roll < 0.08:
            os.makedirs(directory, exist_ok=True)
            if not os.path.lexists(path):
                os.symlink("/dev/null", path)
            files[path] = "-> /dev/null"
            continue
        sections = [("Match", match_section(rng, v)), ("Network", network_section(rng, v))]
        if rng.random() < 0.08:
            sections.append(("Link", ["Unmanaged=yes"]))
        text = render(sections) if roll > 0.12 else ""
        write(path, text)
        files[path] = text
        for _dropin in range(rng.choice([0, 0, 1, 2])):
            dropin = os.path.join(rng.choice(search_dirs(v)), name + ".d", "%02d-x.conf" % rng.randrange(100))
            body = render([("Network", network_section(rng, v))] +
                          ([("Match", match_section(rng, v))] if rng.random() < 0.2 else []))
            write(dropin, body)
            files[dropin] = body
    if v >= 256 and rng.random() < 0.4:
        body = "[Network]\n%s\n" % rng.choice(["IPv4Forwarding=yes", "IPv4Forwarding=no", "IPv6Forwarding=no",
                                              "IPv4Forwarding=no\nIPv6Forwarding=yes"])
        write("/etc/systemd/networkd.conf.d/50-test.conf", body)
        files["/etc/systemd/networkd.conf.d/50-test.conf"] = body
    return files


def networkctl_file(link):
    for line in sh("networkctl", "status", "--no-pager", link, check=False).splitlines():
        if line.strip().startswith("Network File:"):
            value = line.split(":", 1)[1].strip()
            return None if value == "n/a" else value
    return None


def settle(links):
    """Wait until networkd has looked at every link and its view holds still.

    Right after a restart, networkctl may still show the previous daemon's
    state, so "no link pending" alone is not enough: the listing must also
    stay the same over three polls.
    """
    deadline = time.monotonic() + 15
    previous, steady = None, 0
    time.sleep(0.3)
    while time.monotonic() < deadline:
        listing = sh("networkctl", "list", "--no-legend", "--no-pager", check=False)
        states = [line.split()[-1] for line in listing.splitlines() if line.split()[1] in links]
        ready = states and all(state not in ("pending", "initialized") for state in states)
        steady = steady + 1 if ready and listing == previous else 0
        if steady >= 2:
            return
        previous = listing
        time.sleep(0.3)


def allow_many_restarts():
    """Lift the unit's start rate limit: this test restarts networkd a few hundred times."""
    write("/run/systemd/system/systemd-networkd.service.d/50-differential.conf",
          "[Unit]\nStartLimitIntervalSec=0\n")
    sh("systemctl", "daemon-reload")


def restart_networkd(links):
    restarted = subprocess.run(["systemctl", "restart", "systemd-networkd"], capture_output=True, text=True, check=False)
    if restarted.returncode != 0:
        journal = sh("journalctl", "-u", "systemd-networkd", "-n", "30", "--no-pager", check=False)
        raise SystemExit("systemd-networkd did not restart: %s\n%s" % (restarted.stderr, journal))
    settle(links)


def proc(family, name):
    return "/proc/sys/net/%s/conf/%s/forwarding" % (family, name)


def read_values(links):
    return {f: {n: int(open(proc(f, n)).read()) for n in ["all", "default"] + links} for f in FAMILIES}


def set_values(values):
    """Put the kernel in exactly ``values``: all first (it propagates), then default, then each link."""
    for family in FAMILIES:
        for name in ["all", "default"] + [n for n in values[family] if n not in ("all", "default")]:
            with open(proc(family, name), "w") as stream:
                stream.write("%d\n" % values[family][name])


def random_values(rng, links):
    return {f: {n: rng.randint(0, 1) for n in ["all", "default"] + links} for f in FAMILIES}


def model_for(v, live):
    return HostView(version=v, fs=RootFileSystem("/"), links=live.links, facts=live.facts,
                    live_values=live.forwarding, ip_forward=live.ip_forward).load()


def compare_state(kind, predicted_state, before, after, names, mismatches, case):
    compared = 0
    for family in FAMILIES:
        for name in ["all", "default"] + names:
            if (family, name) in predicted_state.touched:
                expected = predicted_state.get(family, name).value
            else:
                expected = before[family][name]
            compared += 1
            if expected != after[family][name]:
                mismatches.append({"case": case, "check": kind, "family": family, "link": name,
                                   "expected": expected, "actual": after[family][name],
                                   "before": before[family][name]})
    return compared


def runner(args):
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout, result.stderr


# The conf-parser's edge cases (docs/internals/networkd-configuration.md, "The INI dialect"),
# each as the first-sorting file for uplink0;
# a plain 99-fallback.network catches uplink0 whenever networkd drops the edge case.
SYNTAX_CASES = {
    "invalid UTF-8 fails the file": b"[Match]\nName=uplink0\n[Network]\nDescription=caf\xe9\n",
    "a line without '=' is only a warning": b"[Match]\nName=uplink0\n[Network]\nno equals sign\n",
    "an unterminated section header fails the file": b"[Match]\nName=uplink0\n[Network\nDHCP=no\n",
    "bad characters in a section header fail the file": b"[Match]\nName=uplink0\n[Net\"work]\n",
    "NUL ends a line": b"[Match]\0Name=uplink0\0",
    "CR alone ends a line": b"[Match]\rName=uplink0\r",
    "LF CR is one line ending": b"[Match]\n\rName=uplink0\n\r",
    "a BOM before the first header is stripped": b"\xef\xbb\xbf[Match]\nName=uplink0\n",
    "a comment inside a continuation is skipped": b"[Match]\nName=eth9 \\\n# eth8\n uplink0\n",
    "a comment line ending in a backslash does not continue": b"[Match]\n# Name=eth9 \\\nName=uplink0\n",
    "no inline comments": b"[Match]\nName=uplink0 # eth9\n",
    "section names are case-sensitive": b"[match]\nName=uplink0\n",
    "keys are case-sensitive": b"[Match]\nname=uplink0\n",
    "a line over 1 MiB fails the file": b"[Match]\nName=uplink0\n[Network]\nDescription=" + b"x" * (1024 * 1024 + 1) + b"\n",
    "CRLF line endings": b"[Match]\r\nName=uplink0\r\n",
    "an assignment before any section is ignored": b"Name=eth9\n[Match]\nName=uplink0\n",
}
FALLBACK = "/etc/systemd/network/99-fallback.network"


def compare_network_files(case, v, summary):
    """networkctl's "Network File" of every link against the library's governing file."""
    live = read_live_state(runner, shutil.which)
    view = model_for(v, live)
    for link in live.links:
        plan = view.model.plans[link.name]
        expected = plan.network.path if plan.managed else None
        actual = networkctl_file(link.name)
        if actual != expected:
            # A link networkd is still (re)processing shows "n/a" for a moment; compare its steady state.
            time.sleep(1.5)
            actual = networkctl_file(link.name)
        summary["file_checks"] += 1
        if expected != actual:
            summary["mismatches"].append({"case": case, "check": "network_file", "link": link.name,
                                          "expected": expected, "actual": actual})
    return [link.name for link in live.links]


def compare_values(case, v, names, rng, summary):
    """From a random known state, reconfigure each link, then restart; compare every value with the model."""
    baseline = random_values(rng, names)
    for name in names:
        set_values(baseline)
        before = read_values(names)
        predicted = model_for(v, read_live_state(runner, shutil.which)).model.predict("reconfigure", name)
        for family in FAMILIES:
            key = str(predicted.get(family, name).value) if (family, name) in predicted.touched else "unchanged"
            summary["predicted"][key] += 1
        sh("networkctl", "reconfigure", name, check=False)   # fails harmlessly on unmanaged links
        time.sleep(0.4)
        summary["value_checks"] += compare_state("reconfigure " + name, predicted, before,
                                                 read_values(names), names, summary["mismatches"], case)
    set_values(baseline)
    before = read_values(names)
    predicted = model_for(v, read_live_state(runner, shutil.which)).model.predict("restart")
    restart_networkd(list(LINKS))
    summary["value_checks"] += compare_state("restart", predicted, before, read_values(names), names,
                                             summary["mismatches"], case)


def run_syntax_cases(v, summary):
    write(FALLBACK, "[Match]\nName=uplink0\n")
    path = "/etc/systemd/network/10-syntax.network"
    for title, raw in SYNTAX_CASES.items():
        with open(path, "wb") as stream:
            stream.write(raw)
        restart_networkd(list(LINKS))
        compare_network_files("syntax: " + title, v, summary)
        summary["syntax_cases"] += 1
    remove([path, FALLBACK])


def main():
    cases, seed = int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    create_links()
    allow_many_restarts()
    v = version()
    summary = {"systemd": v, "cases": cases, "seed": seed, "file_checks": 0, "value_checks": 0, "syntax_cases": 0,
               "predicted": {"0": 0, "1": 0, "unchanged": 0}, "mismatches": [], "configs": {}}
    run_syntax_cases(v, summary)
    files = {}
    for case in range(cases):
        remove(files)
        files = generate(rng, v)
        restart_networkd(list(LINKS))
        names = compare_network_files(case, v, summary)
        compare_values(case, v, names, rng, summary)
        if any(m["case"] == case for m in summary["mismatches"]):
            summary["configs"][case] = files
    print(json.dumps(summary, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
