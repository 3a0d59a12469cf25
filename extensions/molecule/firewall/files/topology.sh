#!/bin/sh
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# The lab's Docker host, built inside the container: three network namespaces behind the
# container's own links, so that every packet stays in the container.
#   outside  - uplink0 (192.0.2.1, 2001:db8:2::1; addresses from networkd) <-> uplink0p .2
#   lan      - lan0 (203.0.113.1, 2001:db8:3::1), a link that is not Docker's <-> lan0p .2
#   ctr      - docker0 (172.17.0.1, 2001:db8:17::1) with vethA <-> vethAp .2, a container
# Prints "present" when the namespaces exist already, else "created".
set -eu

if ip netns list | grep -qw lan; then
    echo present
    exit 0
fi
# The Docker engine turns IPv6 off in a container without IPv6 networks; the lab needs it.
sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
for ns in outside lan ctr; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
    ip -n "$ns" link set lo up
done
ip link add uplink0 type veth peer name uplink0p netns outside
ip link add lan0 type veth peer name lan0p netns lan
ip link add docker0 type bridge
ip link add vethA type veth peer name vethAp netns ctr
ip link set vethA master docker0
ip addr add 203.0.113.1/24 dev lan0
ip addr add 2001:db8:3::1/64 dev lan0 nodad
ip addr add 172.17.0.1/16 dev docker0
ip addr add 2001:db8:17::1/64 dev docker0 nodad
for link in lan0 docker0 vethA; do
    ip link set "$link" up
done

peer() {  # peer NETNS LINK IPV4/PREFIX IPV4_GATEWAY IPV6/PREFIX IPV6_GATEWAY
    ip -n "$1" addr add "$3" dev "$2"
    ip -n "$1" addr add "$5" dev "$2" nodad
    ip -n "$1" link set "$2" up
    ip -n "$1" route add default via "$4"
    ip -n "$1" -6 route add default via "$6"
}
peer outside uplink0p 192.0.2.2/24 192.0.2.1 2001:db8:2::2/64 2001:db8:2::1
peer lan lan0p 203.0.113.2/24 203.0.113.1 2001:db8:3::2/64 2001:db8:3::1
peer ctr vethAp 172.17.0.2/16 172.17.0.1 2001:db8:17::2/64 2001:db8:17::1
echo created
