#!/bin/sh
# Capture the firewall outputs the unit tests replay (SUITE.json next to this script). Runs inside a
# fresh lab container (`make lab` image, the options of extensions/molecule/config.yml, network none):
# every rule lives in the container's own network namespace.
# Usage: capture.sh SUITE LAYOUT   (LAYOUT: docker20 or docker28); writes one file per output to /tmp/cap,
# NAME (stdout), NAME.stderr and NAME.rc; they were collected into SUITE.json as
# {NAME: {"stdout": ..., "stderr": ..., "rc": ...}}. The noadmin-* entries come from
# `docker run --rm --network none hostnet-lab:SUITE nft -j list ruleset` (and iptables-nft -w 10 -S),
# a container without CAP_NET_ADMIN.
set -u
suite=$1
layout=$2
out=/tmp/cap
mkdir -p "$out"

save() {  # save NAME COMMAND...: stdout to NAME, stderr to NAME.stderr when not empty, rc in NAME.rc
    name=$1
    shift
    "$@" >"$out/$suite-$name" 2>"$out/$suite-$name.stderr"
    echo $? >"$out/$suite-$name.rc"
    [ -s "$out/$suite-$name.stderr" ] || rm -f "$out/$suite-$name.stderr"
}

docker_rules() {  # docker_rules COMMAND: Docker's filter rules for docker0, as the layout's Docker writes them
    if [ "$layout" = docker20 ]; then
        set -- "$1" \
            "-N DOCKER" "-N DOCKER-ISOLATION-STAGE-1" "-N DOCKER-ISOLATION-STAGE-2" "-N DOCKER-USER" \
            "-A FORWARD -j DOCKER-USER" "-A FORWARD -j DOCKER-ISOLATION-STAGE-1" \
            "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" \
            "-A FORWARD -o docker0 -j DOCKER" "-A FORWARD -i docker0 ! -o docker0 -j ACCEPT" \
            "-A FORWARD -i docker0 -o docker0 -j ACCEPT" \
            "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2" \
            "-A DOCKER-ISOLATION-STAGE-1 -j RETURN" "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP" \
            "-A DOCKER-ISOLATION-STAGE-2 -j RETURN" "-A DOCKER-USER -j RETURN"
    else
        set -- "$1" \
            "-N DOCKER" "-N DOCKER-BRIDGE" "-N DOCKER-CT" "-N DOCKER-FORWARD" "-N DOCKER-INTERNAL" "-N DOCKER-USER" \
            "-A FORWARD -j DOCKER-USER" "-A FORWARD -j DOCKER-FORWARD" \
            "-A DOCKER ! -i docker0 -o docker0 -j DROP" "-A DOCKER-BRIDGE -o docker0 -j DOCKER" \
            "-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" \
            "-A DOCKER-FORWARD -j DOCKER-CT" "-A DOCKER-FORWARD -j DOCKER-INTERNAL" \
            "-A DOCKER-FORWARD -j DOCKER-BRIDGE" "-A DOCKER-FORWARD -i docker0 -j ACCEPT"
    fi
    command=$1
    shift
    for rule in "$@"; do
        # shellcheck disable=SC2086 # a rule is a list of words
        $command -w $rule || echo "FAILED: $command $rule" >&2
    done
}

save iptables-V iptables -V
save ip6tables-V ip6tables -V
save iptables-legacy-V iptables-legacy -V
save nft-version nft --version
save ip_tables_names-fresh cat /proc/net/ip_tables_names
save nft-empty.json nft -j list ruleset
save iptables-nft-S-empty iptables-nft -w 10 -S
save ip_tables_names-after-nft-S cat /proc/net/ip_tables_names

# Docker's rules in iptables-nft, with forwarding already on: Docker leaves the policy ACCEPT.
docker_rules iptables-nft
docker_rules ip6tables-nft
save docker-accept.json nft -j list ruleset
save docker-accept-iptables-nft-S iptables-nft -w 10 -S
save docker-accept-ip6tables-nft-S ip6tables-nft -w 10 -S

# Debian's /etc/nftables.conf (flush ruleset, inet filter with input/forward/output), then
# Docker's rules again (Docker starts after nftables.service), then the policy set to DROP.
nft -f /etc/nftables.conf
docker_rules iptables-nft
docker_rules ip6tables-nft
iptables-nft -w -P FORWARD DROP
ip6tables-nft -w -P FORWARD DROP
save nftconf-docker-drop.json nft -j list ruleset
save nftconf-docker-drop-iptables-nft-S iptables-nft -w 10 -S
save nftconf-docker-drop-ip6tables-nft-S ip6tables-nft -w 10 -S

# The DROP policy undone by an unconditional ACCEPT in DOCKER-USER (a common "fix" for LXD/libvirt).
iptables-nft -w -I DOCKER-USER -j ACCEPT
save docker-user-accept.json nft -j list ruleset
save docker-user-accept-iptables-nft-S iptables-nft -w 10 -S

# Docker's policy left ACCEPT, and a separate nftables base chain with a drop policy (what the module
# never writes): netfilter runs both chains, so container traffic is dropped there too.
iptables-nft -w -D DOCKER-USER -j ACCEPT
iptables-nft -w -P FORWARD ACCEPT
ip6tables-nft -w -P FORWARD ACCEPT
nft add table inet separate
nft add chain inet separate forward '{ type filter hook forward priority filter; policy drop; }'
save separate-drop.json nft -j list ruleset
nft flush ruleset

# A host firewall's own rule that matches only the connection state, with the policy DROP: nft shows
# the conntrack match as an xt expression, which must count as a condition.
iptables-nft -w -P FORWARD DROP
iptables-nft -w -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
save established-only.json nft -j list ruleset
save established-only-iptables-nft-S iptables-nft -w 10 -S
nft flush ruleset

# A native nftables table named like iptables' own: iptables-nft refuses to list it.
nft -f - <<'NFT'
table ip filter {
    set blocked { type ipv4_addr; }
    chain FORWARD {
        type filter hook forward priority filter; policy drop;
        ip saddr @blocked drop
        oifname "docker0" accept
    }
}
NFT
save native-filter.json nft -j list ruleset
save native-filter-iptables-nft-S iptables-nft -w 10 -S
nft flush ruleset

# Docker 29's nftables backend keeps its rules in its own tables (moby nftablesdoc, new daemon).
nft -f - <<'NFT'
table ip docker-bridges {
    map filter-forward-in-jumps { type ifname : verdict; elements = { "docker0" : jump filter-forward-in__docker0 } }
    map filter-forward-out-jumps { type ifname : verdict; elements = { "docker0" : jump filter-forward-out__docker0 } }
    chain filter-forward-in__docker0 {
        ct state established,related counter accept
        iifname != "docker0" counter drop
    }
    chain filter-forward-out__docker0 {
        ct state established,related counter accept
        counter accept
    }
    chain filter-FORWARD {
        type filter hook forward priority filter; policy accept;
        oifname vmap @filter-forward-in-jumps
        iifname vmap @filter-forward-out-jumps
    }
}
NFT
save docker-nftables.json nft -j list ruleset
nft flush ruleset

# Docker's rules in iptables-legacy (a host whose iptables alternative points to legacy).
save ip_tables_names-before-legacy cat /proc/net/ip_tables_names
docker_rules iptables-legacy
docker_rules ip6tables-legacy
save legacy-ip_tables_names cat /proc/net/ip_tables_names
save legacy-ip6_tables_names cat /proc/net/ip6_tables_names
save legacy-accept-iptables-legacy-S iptables-legacy -w 10 -S
save legacy-accept-ip6tables-legacy-S ip6tables-legacy -w 10 -S
save legacy-accept.json nft -j list ruleset
iptables-legacy -w -P FORWARD DROP
save legacy-drop-iptables-legacy-S iptables-legacy -w 10 -S
update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null
update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null
save legacy-iptables-V iptables -V
save legacy-ip6tables-V ip6tables -V
