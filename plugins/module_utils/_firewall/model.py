# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The FORWARD path of a Docker host's firewall, as plain data.

Why it matters: Docker sets the filter FORWARD policy to DROP only when it turned
IP forwarding on itself (libnetwork#1526, moby#48594, moby#50566). When networkd
or sysctl.d turned forwarding on first, Docker leaves the policy ACCEPT and the
host routes between all of its interfaces, not only to and from its containers.

What a caller can rely on:

* :func:`parse_nft_ruleset` and :func:`parse_iptables_rules` turn ``nft -j list
  ruleset`` and ``iptables -S`` into :class:`Table` objects; bad input raises
  :class:`FirewallError`, never anything else.
* :func:`default_verdict` answers what a base chain does with a packet that no
  conditional rule matches, such as a packet between two interfaces that are
  not Docker's: a rule with no match decides, jumps are followed, else the
  policy decides. Rules that match anything (interfaces, addresses, sets,
  connection state, ``xt`` matches) are taken as not matching.
* :func:`analyse` combines every backend into one report per family. Netfilter
  runs every base chain of the forward hook: a drop in any of them is final, an
  accept only ends its own chain. A packet is dropped when at least one base
  chain drops it.
* :func:`plan_drop` computes the one change that closes the path: the FORWARD
  policy DROP in the iptables backend Docker uses, the chain that holds Docker's
  own ACCEPT rules, so container traffic keeps flowing. A separate nftables base
  chain with a drop policy would drop container traffic too, whatever Docker's
  chain accepts; this library never proposes one.

No I/O here: :mod:`firewall_live` runs the commands and reads /proc.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .._parsing.families import FAMILIES

FAMILY_WORDS = {"ipv4": "IPv4", "ipv6": "IPv6"}
# nftables families whose forward hook sees a family's packets (nft(8), ADDRESS FAMILIES).
NFT_FAMILIES = {"ipv4": ("ip", "inet"), "ipv6": ("ip6", "inet")}
# The nftables family iptables-nft / ip6tables-nft write to.
IPTABLES_NFT_FAMILY = {"ipv4": "ip", "ipv6": "ip6"}
IPTABLES_COMMAND = {"ipv4": "iptables", "ipv6": "ip6tables"}
# iptables' tables; iptables-nft names its nftables tables and base chains after them.
IPTABLES_TABLES = ("filter", "nat", "mangle", "raw", "security")
# Chains that only Docker's iptables backend creates in the filter table: DOCKER-USER (every
# version), DOCKER-ISOLATION-STAGE-1 (up to 28.x), DOCKER-FORWARD (28.0 and later, moby#49518).
DOCKER_MARKER_CHAINS = ("DOCKER-USER", "DOCKER-FORWARD", "DOCKER-ISOLATION-STAGE-1")
# Docker 29's nftables firewall backend keeps its rules in tables of its own (docs.docker.com,
# "Docker with nftables": `ip docker-bridges` and `ip6 docker-bridges`).
DOCKER_NFT_TABLE = "docker-bridges"
BACKENDS = ("iptables-nft", "iptables-legacy")
BACKEND_OF_VERSION = {"nf_tables": "iptables-nft", "legacy": "iptables-legacy"}
# -w: wait for the xtables lock that a concurrent iptables-legacy (Docker starting) holds, up to 10 s.
XTABLES_WAIT = ["-w", "10"]

# nftables JSON statements that neither match nor decide (libnftables-json(5), STATEMENTS).
NFT_NEUTRAL = ("counter", "log", "mangle")
NFT_VERDICTS = {"accept": "accept", "drop": "drop", "reject": "drop", "return": "return",
                "jump": "jump", "goto": "goto"}
IPTABLES_VERDICTS = {"ACCEPT": "accept", "DROP": "drop", "REJECT": "drop", "RETURN": "return"}


class FirewallError(Exception):
    """Output that cannot be read, or a change that must not be made; the message says which."""


@dataclass
class Rule:
    """One rule, reduced to what decides a packet that matches nothing in particular."""

    text: str
    conditional: bool
    action: str                 # accept, drop, return, jump, goto, continue
    target: Optional[str] = None


@dataclass
class Chain:
    name: str
    rules: List[Rule] = field(default_factory=list)
    hook: Optional[str] = None          # base chains only
    priority: Optional[object] = None
    policy: Optional[str] = None        # accept or drop, base chains only


@dataclass
class Table:
    backend: str                        # nftables, iptables-nft or iptables-legacy
    family: str                         # nftables family: ip, ip6, inet, bridge, arp, netdev
    name: str
    chains: Dict[str, Chain] = field(default_factory=dict)

    def chain(self, name):
        if name not in self.chains:
            self.chains[name] = Chain(name)
        return self.chains[name]


def nft_rule(expressions):
    """A rule of nft's JSON; its text names the statements (``counter jump DOCKER-USER``), not nft syntax."""
    conditional, action, target, words = False, "continue", None, []
    for expression in expressions:
        if not isinstance(expression, dict) or len(expression) != 1:
            raise FirewallError("unexpected expression in nft JSON: %r" % (expression,))
        (key, value), = expression.items()
        words.append("%s %s" % (key, value["target"]) if key in ("jump", "goto") else key)
        if key in NFT_VERDICTS:
            action = NFT_VERDICTS[key]
            target = value.get("target") if isinstance(value, dict) else None
        elif key == "xt" and isinstance(value, dict) and value.get("type") == "target":
            continue                    # an iptables target (LOG, MARK) kept as xt: no match
        elif key not in NFT_NEUTRAL:
            conditional = True          # match, xt match (null before nft 1.0.8), vmap, limit, ...
    return Rule(" ".join(words), conditional, action, target)


def parse_nft_ruleset(text):
    """Tables of ``nft -j list ruleset``. Tables iptables-nft writes come back as backend iptables-nft
    when they follow its naming (ip/ip6 family, an iptables table name, the base chain named after
    its hook in capitals): nft's JSON does not mark them (only nft 1.1's text output warns)."""
    try:
        document = json.loads(text)
        items = document["nftables"]
    except (ValueError, KeyError, TypeError) as error:
        raise FirewallError("`nft -j list ruleset` printed no nftables JSON document (%s)" % error)
    tables = {}

    def table_of(entry):
        key = (entry["family"], entry.get("table", entry.get("name")))
        if key not in tables:
            tables[key] = Table("nftables", key[0], key[1])
        return tables[key]

    try:
        for item in items:
            if "table" in item:
                table_of(item["table"])
            elif "chain" in item:
                entry = item["chain"]
                chain = table_of(entry).chain(entry["name"])
                if "hook" in entry:
                    chain.hook, chain.priority = entry["hook"], entry.get("prio")
                    chain.policy = entry.get("policy", "accept")
            elif "rule" in item:
                entry = item["rule"]
                table_of(entry).chain(entry["chain"]).rules.append(nft_rule(entry.get("expr", [])))
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise FirewallError("unexpected nft JSON: %s" % error)
    for table in tables.values():
        if is_iptables_nft_table(table):
            table.backend = "iptables-nft"
    return list(tables.values())


def is_iptables_nft_table(table):
    if table.family not in ("ip", "ip6") or table.name not in IPTABLES_TABLES:
        return False
    return any(chain.hook and chain.name == chain.hook.upper() for chain in table.chains.values())


def iptables_rule(line, known_chains):
    words = shlex.split(line)
    text = " ".join(words[2:]) if len(words) > 2 else line
    matches, action, target, index = [], "continue", None, 2
    while index < len(words):
        word = words[index]
        if word in ("-j", "--jump", "-g", "--goto") and index + 1 < len(words):
            target = words[index + 1]
            if target in IPTABLES_VERDICTS:
                action, target = IPTABLES_VERDICTS[target], None
            elif target in known_chains:
                action = "goto" if word in ("-g", "--goto") else "jump"
            else:
                action, target = "continue", None     # LOG, MARK, ...: the packet goes on
            index += 2
            # The options of a target (--reject-with, --log-prefix) are not matches.
            while index < len(words) and words[index].startswith("--"):
                index += 2
            continue
        if word == "-m" and index + 3 < len(words) and words[index + 1] == "comment" and words[index + 2] == "--comment":
            index += 4
            continue
        matches.append(word)
        index += 1
    return Rule(text, bool(matches), action, target)


def parse_iptables_rules(text, backend, family):
    """The filter table as ``iptables -S`` prints it (``-P``, ``-N`` and ``-A`` lines)."""
    table = Table(backend, IPTABLES_NFT_FAMILY[family], "filter")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    known = set()
    for line in lines:
        words = line.split()
        if len(words) >= 2 and words[0] in ("-P", "-N"):
            known.add(words[1])
    for line in lines:
        words = line.split()
        if words[0] == "-P" and len(words) == 3:
            chain = table.chain(words[1])
            chain.hook, chain.policy = words[1].lower(), words[2].lower()
        elif words[0] == "-N" and len(words) == 2:
            table.chain(words[1])
        elif words[0] == "-A" and len(words) >= 2:
            try:
                table.chain(words[1]).rules.append(iptables_rule(line, known))
            except ValueError as error:
                raise FirewallError("cannot read iptables rule %r: %s" % (line, error))
        else:
            raise FirewallError("unexpected line in `iptables -S` output: %r" % line)
    return table


def default_verdict(table, chain_name):
    """(verdict, decided_by) of a base chain for a packet that no conditional rule matches.

    verdict is accept or drop; decided_by is ``policy drop``, or the rule that decided and its chain."""
    def walk(name, seen):
        for rule in table.chains[name].rules:
            if rule.conditional:
                continue
            if rule.action in ("accept", "drop"):
                return rule.action, "rule `%s` in %s" % (rule.text, name)
            if rule.action == "return":
                return None, None
            if rule.action in ("jump", "goto") and rule.target in table.chains and rule.target not in seen:
                verdict, decided_by = walk(rule.target, seen | {rule.target})
                if verdict or rule.action == "goto":
                    return verdict, decided_by
        return None, None

    verdict, decided_by = walk(chain_name, {chain_name})
    if verdict:
        return verdict, decided_by
    policy = table.chains[chain_name].policy or "accept"
    return policy, "policy %s" % policy


def parse_iptables_version(text):
    """(version, backend) from ``iptables -V``: ``iptables v1.8.11 (nf_tables)`` -> ("1.8.11", "nf_tables")."""
    match = re.search(r"v(\d[\w.]*) \((\w+)\)", text)
    if not match:
        raise FirewallError("`iptables -V` names no backend: %r" % text.strip())
    return match.group(1), match.group(2)


def docker_chains(table):
    return sorted(name for name in table.chains if name.startswith("DOCKER"))


def has_docker_chains(table):
    return any(name in table.chains for name in DOCKER_MARKER_CHAINS)


@dataclass
class Command:
    """One command and what it printed."""

    argv: List[str]
    rc: int
    stdout: str
    stderr: str

    @property
    def ok(self):
        return self.rc == 0

    def failure(self):
        return "`%s` failed (rc %d): %s" % (" ".join(self.argv), self.rc, self.stderr.strip() or "no error output")


@dataclass
class Observation:
    """Everything read from one host. A missing tool is None; a failed command keeps its error."""

    nft: Optional[Command] = None                                    # nft -j list ruleset
    iptables: Dict[str, Optional[str]] = field(default_factory=dict)  # family -> path of iptables/ip6tables
    iptables_version: Dict[str, Optional[Command]] = field(default_factory=dict)
    iptables_nft: Dict[str, Optional[Command]] = field(default_factory=dict)      # iptables-nft -S
    legacy_tables: Dict[str, Optional[List[str]]] = field(default_factory=dict)   # /proc/net/ip*_tables_names
    iptables_legacy: Dict[str, Optional[Command]] = field(default_factory=dict)   # iptables-legacy -S
    forwarding: Dict[str, Optional[int]] = field(default_factory=dict)
    unit_text: Optional[str] = None
    unit_enabled: Optional[str] = None
    unit_active: Optional[str] = None
    systemctl: Optional[str] = None


def chain_label(backend, family, table, chain):
    return "%s %s %s (%s)" % (family, table, chain, backend)


class FirewallAudit:
    """The forward path of one host, per backend and per family.

    ``predict_drop``: (backend, family) pairs to model with a DROP FORWARD policy, to report what a
    change would leave (check mode) without making it."""

    def __init__(self, observation, predict_drop=()):
        self.observation = observation
        self.nft_tables, self.nft_error = self._nft_tables()
        self.iptables_nft, self.legacy = {}, {}
        for family in FAMILIES:
            self.iptables_nft[family] = self._iptables_table(observation.iptables_nft.get(family),
                                                             "iptables-nft", family)
            self.legacy[family] = self._iptables_table(observation.iptables_legacy.get(family),
                                                       "iptables-legacy", family)
        for backend, family in predict_drop:
            for table in self._policy_tables(backend, family):
                chain = table.chain("FORWARD")
                chain.hook, chain.policy = "forward", "drop"

    # Reading ----------------------------------------------------------------------------------

    def _nft_tables(self):
        command = self.observation.nft
        if command is None:
            return None, "nft is not installed"
        if not command.ok:
            return None, command.failure()
        try:
            return parse_nft_ruleset(command.stdout), None
        except FirewallError as error:
            return None, str(error)

    @staticmethod
    def _iptables_table(command, backend, family):
        """A Table, None when the command was not run, or the error as a string."""
        if command is None:
            return None
        if not command.ok:
            return command.failure()
        try:
            return parse_iptables_rules(command.stdout, backend, family)
        except FirewallError as error:
            return str(error)

    def _policy_tables(self, backend, family):
        """Every view of the filter table that holds the FORWARD policy of a backend; created if missing."""
        nft_family = IPTABLES_NFT_FAMILY[family]
        if backend == "iptables-legacy":
            if not isinstance(self.legacy[family], Table):
                self.legacy[family] = Table(backend, nft_family, "filter")
            return [self.legacy[family]]
        if not isinstance(self.iptables_nft[family], Table):
            self.iptables_nft[family] = Table(backend, nft_family, "filter")
        tables = [self.iptables_nft[family]]
        if self.nft_tables is not None:
            table = self.nft_filter_table(family)
            if table is None:
                table = Table(backend, nft_family, "filter")
                self.nft_tables.append(table)
            tables.append(table)
        return tables

    def nft_filter_table(self, family):
        for table in self.nft_tables or ():
            if (table.family, table.name) == (IPTABLES_NFT_FAMILY[family], "filter"):
                return table
        return None

    # What the host does -----------------------------------------------------------------------

    def iptables_backend(self, family):
        """(path, version, backend, error) of the iptables command Docker runs for the family.

        backend is iptables-nft or iptables-legacy, from ``iptables -V`` (what the alternative points to)."""
        path = self.observation.iptables.get(family)
        command = self.observation.iptables_version.get(family)
        if path is None or command is None:
            return None, None, None, "%s is not installed" % IPTABLES_COMMAND[family]
        if not command.ok:
            return path, None, None, command.failure()
        try:
            version, backend = parse_iptables_version(command.stdout + command.stderr)
        except FirewallError as error:
            return path, None, None, str(error)
        return path, version, BACKEND_OF_VERSION.get(backend), None

    def forward_chains(self, family):
        """Every base chain on the forward hook that sees the family's packets, with its verdict."""
        seen = []
        if self.nft_tables is not None:
            seen = [(table, chain) for table in self.nft_tables if table.family in NFT_FAMILIES[family]
                    for chain in table.chains.values() if chain.hook == "forward"]
        elif isinstance(self.iptables_nft[family], Table) and "FORWARD" in self.iptables_nft[family].chains:
            # nft is missing or failed: iptables-nft's own view of its table is the next best.
            seen = [(self.iptables_nft[family], self.iptables_nft[family].chains["FORWARD"])]
        legacy = self.legacy[family]
        if isinstance(legacy, Table) and "FORWARD" in legacy.chains:
            seen.append((legacy, legacy.chains["FORWARD"]))
        chains = []
        for table, chain in seen:
            verdict, decided_by = default_verdict(table, chain.name)
            chains.append({
                "label": chain_label(table.backend, table.family, table.name, chain.name),
                "backend": table.backend, "family": table.family, "table": table.name, "chain": chain.name,
                "priority": chain.priority, "policy": chain.policy, "verdict": verdict, "decided_by": decided_by,
            })
        return chains

    def docker_backends(self, family):
        """Where Docker keeps its rules for the family: iptables-nft, iptables-legacy and/or nftables."""
        found = []
        nft_view = self.iptables_nft[family]
        if not isinstance(nft_view, Table):
            nft_view = self.nft_filter_table(family)
        if isinstance(nft_view, Table) and has_docker_chains(nft_view):
            found.append("iptables-nft")
        if isinstance(self.legacy[family], Table) and has_docker_chains(self.legacy[family]):
            found.append("iptables-legacy")
        if any((t.family, t.name) == (IPTABLES_NFT_FAMILY[family], DOCKER_NFT_TABLE) for t in self.nft_tables or ()):
            found.append("nftables")
        return found

    def unreadable(self, family):
        """Why the nftables side of the forward path cannot be seen at all, or None."""
        if self.nft_tables is None and not isinstance(self.iptables_nft[family], Table):
            view = self.iptables_nft[family]
            return "%s; %s" % (self.nft_error, view if isinstance(view, str) else "iptables-nft is not installed")
        return None

    def verdict(self, family):
        chains = self.forward_chains(family)
        dropping = [c for c in chains if c["verdict"] == "drop"]
        forwarding = self.observation.forwarding.get(family)
        word = FAMILY_WORDS[family]
        unreadable = self.unreadable(family)
        if unreadable and not dropping:
            return {"forwarding": forwarding, "dropped": None, "dropped_by": [], "open_router": None,
                    "chains": chains, "summary": "%s: cannot read the forward path (%s)." % (word, unreadable)}
        if dropping:
            summary = "%s: a packet between two non-container interfaces is dropped by %s." % (
                word, "; ".join("%s, %s" % (c["label"], c["decided_by"]) for c in dropping))
        elif forwarding == 1:
            summary = ("%s forwarding is on and no forward base chain drops a packet that no rule matches: "
                       "the host routes between all of its interfaces." % word)
        else:
            summary = ("%s forwarding is %s and no forward base chain drops a packet that no rule matches: "
                       "once forwarding is on (Docker needs it), the host routes between all of its interfaces."
                       % (word, "off" if forwarding == 0 else "unknown"))
        return {
            "forwarding": forwarding,
            "dropped": bool(dropping),
            "dropped_by": [c["label"] for c in dropping],
            "open_router": forwarding == 1 and not dropping,
            "chains": chains,
            "summary": summary,
        }

    # The report -------------------------------------------------------------------------------

    @staticmethod
    def _backend_report(view):
        report = {"policy": None, "docker_chains": [], "error": None}
        if isinstance(view, str):
            report["error"] = view
        elif isinstance(view, Table):
            if "FORWARD" in view.chains:
                report["policy"] = (view.chains["FORWARD"].policy or "accept").upper()
            report["docker_chains"] = docker_chains(view)
        return report

    def report(self):
        """The audit as the module returns it (RETURN of forward_policy)."""
        iptables, nft_chains, legacy = {}, [], {}
        for family in FAMILIES:
            path, version, backend, error = self.iptables_backend(family)
            iptables[family] = {"command": path, "version": version, "backend": backend, "error": error}
            names = self.observation.legacy_tables.get(family)
            legacy[family] = dict(self._backend_report(self.legacy[family]), loaded=bool(names and "filter" in names))
        for table in self.nft_tables or ():
            for chain in table.chains.values():
                if chain.hook == "forward":
                    nft_chains.append({"family": table.family, "table": table.name, "chain": chain.name,
                                       "priority": chain.priority, "policy": chain.policy,
                                       "iptables_nft": table.backend == "iptables-nft"})
        docker = {family: self.docker_backends(family) for family in FAMILIES}
        chains = {}
        for family in FAMILIES:
            names = set()
            for view in (self.iptables_nft[family], self.legacy[family]):
                if isinstance(view, Table):
                    names.update(docker_chains(view))
            chains[family] = sorted(names)
        return {
            "iptables": iptables,
            "nftables": {"available": self.observation.nft is not None, "error": self.nft_error,
                         "forward_chains": nft_chains},
            "iptables_nft": {family: self._backend_report(self.iptables_nft[family]) for family in FAMILIES},
            "iptables_legacy": legacy,
            "docker": {"present": any(docker.values()), "backends": docker, "chains": chains},
            "verdict": {family: self.verdict(family) for family in FAMILIES},
        }

    def warnings(self):
        """Findings a user must act on, one sentence each."""
        warnings = []
        if self.nft_error and self.observation.nft is not None:
            warnings.append("cannot read the nftables ruleset: %s" % self.nft_error)
        elif self.observation.nft is None and any(isinstance(self.iptables_nft[f], Table) for f in FAMILIES):
            warnings.append("nft is not installed: the forward path is read from iptables-nft, which does not show "
                            "nftables tables of other programs")
        for family in FAMILIES:
            for view, name in ((self.iptables_nft[family], "iptables-nft"), (self.legacy[family], "iptables-legacy")):
                if isinstance(view, str):
                    warnings.append("cannot read %s (%s): %s" % (name, FAMILY_WORDS[family], view))
            docker = [backend for backend in self.docker_backends(family) if backend in BACKENDS]
            if len(docker) > 1:
                warnings.append("%s: Docker's chains are in both iptables backends; the one Docker does not use now "
                                "holds stale rules from before a switch of the iptables alternative"
                                % FAMILY_WORDS[family])
            for chain in self.forward_chains(family):
                if docker and chain["verdict"] == "drop" and not (
                        chain["backend"] in docker and (chain["table"], chain["chain"]) == ("filter", "FORWARD")):
                    warnings.append(
                        "%s drops forwarded packets that none of its rules accept (%s), and Docker's ACCEPT rules "
                        "are not in it: container traffic is dropped there unless that chain accepts it itself"
                        % (chain["label"], chain["decided_by"]))
        return list(dict.fromkeys(warnings))     # an inet chain sees both families: say it once


UNIT_NAME = "hostnet-forward-policy.service"
UNIT_PATH = "/etc/systemd/system/" + UNIT_NAME
# Units that load a ruleset at boot or on reload, and with it a FORWARD policy: nftables.service
# (Debian: `flush ruleset` in /etc/nftables.conf, and `nft flush ruleset` on stop) and
# netfilter-persistent.service (iptables-persistent: iptables-restore of /etc/iptables/rules.v4/v6).
RULESET_LOADERS = ("nftables.service", "netfilter-persistent.service")


def unit_text(commands):
    """The systemd unit that sets the policy again at every boot and after every ruleset reload."""
    loaders = " ".join(RULESET_LOADERS)
    lines = [
        "# Written by hostnet.networkd.forward_policy; it is replaced on the next run.",
        "# Sets the FORWARD policy to DROP in the iptables backend Docker uses, so that the host",
        "# does not route between interfaces that are not Docker's. Docker's own rules in the",
        "# same chain keep accepting container traffic.",
        "[Unit]",
        "Description=Drop forwarded packets that no firewall rule accepts (hostnet.networkd)",
        "Documentation=https://github.com/moby/moby/issues/50566",
        "DefaultDependencies=no",
        "Wants=network-pre.target",
        "# After the units that load a ruleset (and with it a FORWARD policy); before any link is",
        "# configured and before Docker adds its rules to the same chain.",
        "After=%s" % loaders,
        "Before=network-pre.target docker.service shutdown.target",
        "Conflicts=shutdown.target",
        "# A restart or reload of a ruleset loader flushes the policy: set it again after it.",
        "PartOf=%s" % loaders,
        "ReloadPropagatedFrom=%s" % loaders,
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
    ]
    lines += ["ExecStart=%s" % " ".join(command) for command in commands]
    lines += ["ExecReload=%s" % " ".join(command) for command in commands]
    lines += ["", "[Install]", "WantedBy=sysinit.target", ""]
    return "\n".join(lines)


def policy_command(path):
    return [path] + XTABLES_WAIT + ["-P", "FORWARD", "DROP"]


@dataclass
class PolicyChange:
    family: str
    backend: str
    before: str                 # ACCEPT, or NONE when the chain does not exist yet
    command: List[str]


@dataclass
class DropPlan:
    policy_changes: List[PolicyChange]
    unit_text: Optional[str]            # None without persistence
    before_unit: Optional[str] = None   # the unit file as it is, None when absent
    write_unit: bool = False
    enable_unit: bool = False
    start_unit: Optional[str] = None    # start, restart or None

    @property
    def changed(self):
        return bool(self.policy_changes or self.write_unit or self.enable_unit or self.start_unit)

    def predicted(self):
        """(backend, family) pairs whose FORWARD policy the plan sets to DROP."""
        return [(change.backend, change.family) for change in self.policy_changes]


def current_policy(audit, backend, family):
    """The FORWARD policy in an iptables backend (ACCEPT, DROP), or NONE when the chain does not exist."""
    if backend == "iptables-nft" and audit.nft_tables is not None:
        table = audit.nft_filter_table(family)
    else:
        table = audit.iptables_nft[family] if backend == "iptables-nft" else audit.legacy[family]
    if isinstance(table, str):
        raise FirewallError("cannot read the FORWARD policy of %s (%s): %s" % (backend, FAMILY_WORDS[family], table))
    if isinstance(table, Table) and "FORWARD" in table.chains:
        return (table.chains["FORWARD"].policy or "accept").upper()
    return "NONE"


def plan_drop(audit, families, persist):
    """The changes that make each family in ``families`` drop forwarded packets that no rule accepts.

    Raises FirewallError, naming the reason, where the change would break Docker or cannot be made."""
    changes, commands = [], []
    for family in families:
        path, _version, backend, error = audit.iptables_backend(family)
        if error:
            raise FirewallError("cannot tell which iptables backend Docker uses for %s: %s"
                                % (FAMILY_WORDS[family], error))
        if backend is None:
            raise FirewallError("`%s -V` names no backend this module knows (nf_tables, legacy)" % path)
        docker = audit.docker_backends(family)
        if "nftables" in docker:
            raise FirewallError(
                "Docker uses its nftables firewall backend for %s (table %s %s): a DROP policy in iptables would "
                "drop container traffic that Docker's nftables rules accept. Block forwarding between the host's "
                "other interfaces with nftables rules instead (docs.docker.com, 'Docker with nftables')"
                % (FAMILY_WORDS[family], IPTABLES_NFT_FAMILY[family], DOCKER_NFT_TABLE))
        if docker and backend not in docker:
            raise FirewallError(
                "%s points to %s, but Docker's rules for %s are in %s: a DROP policy in %s would drop container "
                "traffic now. Restart Docker so that its rules follow the iptables alternative, or switch the "
                "alternative back, then run again" % (path, backend, FAMILY_WORDS[family], docker[0], backend))
        if backend == "iptables-nft" and audit.observation.nft is not None and audit.nft_error:
            raise FirewallError("cannot read the nftables ruleset, where iptables-nft keeps the FORWARD chain: %s"
                                % audit.nft_error)
        before = current_policy(audit, backend, family)
        commands.append(policy_command(path))
        if before != "DROP":
            changes.append(PolicyChange(family, backend, before, policy_command(path)))
    if not persist:
        return DropPlan(changes, None)
    obs = audit.observation
    if obs.systemctl is None:
        raise FirewallError("persisting the policy needs systemd, and systemctl is not installed; set "
                            "persist=false and keep the policy with the host's own firewall configuration")
    wanted = unit_text(commands)
    write = obs.unit_text != wanted
    if obs.unit_active != "active":
        start = "start"
    else:
        start = "restart" if write else None
    return DropPlan(changes, wanted, obs.unit_text, write, obs.unit_enabled != "enabled", start)


def describe_plan(plan):
    """What ``plan`` changes, as sentences and as diff entries (the policy and the unit file)."""
    changes, diff = [], []
    for change in plan.policy_changes:
        changes.append("%s (%s): FORWARD policy %s -> DROP (%s)"
                       % (change.backend, FAMILY_WORDS[change.family], change.before, " ".join(change.command)))
        header = "%s FORWARD policy (%s)" % (change.backend, FAMILY_WORDS[change.family])
        diff.append({"before_header": header, "after_header": header,
                     "before": change.before + "\n", "after": "DROP\n"})
    if plan.write_unit:
        changes.append("wrote %s" % UNIT_PATH)
        diff.append({"before_header": UNIT_PATH, "after_header": UNIT_PATH,
                     "before": plan.before_unit or "", "after": plan.unit_text})
    if plan.enable_unit:
        changes.append("enabled %s" % UNIT_NAME)
    if plan.start_unit:
        changes.append("%s %s" % ({"start": "started", "restart": "restarted"}[plan.start_unit], UNIT_NAME))
    return changes, diff
