#!/bin/sh
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Docker's filter rules for docker0, written as Docker writes them when it starts: through the
# `iptables` and `ip6tables` commands (whatever backend the alternatives point to), and with the
# FORWARD policy left as it is, as Docker does when forwarding was on before it started (moby#50566).
# Usage: docker_rules.sh docker20|docker28. Prints "present" when DOCKER-USER exists already, else "created".
#   docker20: Docker 20.10 (Debian 11 and 12's docker.io), the rules `iptables -S` lists on such a host.
#   docker28: Docker 28 (moby integration/network/bridge/iptablesdoc, "iptables for a new Daemon").
set -eu

if iptables -S DOCKER-USER >/dev/null 2>&1; then
    echo present
    exit 0
fi
if [ "$1" = docker20 ]; then
    set -- \
        "-N DOCKER" "-N DOCKER-ISOLATION-STAGE-1" "-N DOCKER-ISOLATION-STAGE-2" "-N DOCKER-USER" \
        "-A FORWARD -j DOCKER-USER" "-A FORWARD -j DOCKER-ISOLATION-STAGE-1" \
        "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" \
        "-A FORWARD -o docker0 -j DOCKER" "-A FORWARD -i docker0 ! -o docker0 -j ACCEPT" \
        "-A FORWARD -i docker0 -o docker0 -j ACCEPT" \
        "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2" \
        "-A DOCKER-ISOLATION-STAGE-1 -j RETURN" "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP" \
        "-A DOCKER-ISOLATION-STAGE-2 -j RETURN" "-A DOCKER-USER -j RETURN"
else
    set -- \
        "-N DOCKER" "-N DOCKER-BRIDGE" "-N DOCKER-CT" "-N DOCKER-FORWARD" "-N DOCKER-INTERNAL" "-N DOCKER-USER" \
        "-A FORWARD -j DOCKER-USER" "-A FORWARD -j DOCKER-FORWARD" \
        "-A DOCKER ! -i docker0 -o docker0 -j DROP" "-A DOCKER-BRIDGE -o docker0 -j DOCKER" \
        "-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" \
        "-A DOCKER-FORWARD -j DOCKER-CT" "-A DOCKER-FORWARD -j DOCKER-INTERNAL" \
        "-A DOCKER-FORWARD -j DOCKER-BRIDGE" "-A DOCKER-FORWARD -i docker0 -j ACCEPT"
fi
for command in iptables ip6tables; do
    for rule in "$@"; do
        # shellcheck disable=SC2086 # a rule is a list of words
        $command -w 10 $rule
    done
done
echo created
