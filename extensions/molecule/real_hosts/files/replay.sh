#!/bin/sh
# Replay events on the lab host one after the other; after each, wait until networkd has
# (re)configured uplink0 and read net.ipv4.conf.{all,default,uplink0}.forwarding straight from /proc.
#   replay.sh EVENT...   with EVENT one of boot, reconfigure, reload, restart, sysctl, read, clean
# (clean: forwarding off, netplan and networkd on the image's files again; uplink0 may then be unmanaged.)
# A boot is replayed in place: the kernel's default (ip_forward 0, which the kernel spreads to every
# link), systemd-sysctl, netplan regenerating /run, networkd starting, then the runtimes ordered after
# network-online.target (docker.service, when enabled).
set -eu

wait_configured() {
    # networkd writes the forwarding sysctls when it starts configuring a link: "configuring" (a DHCP
    # client waiting in the lab's closed network) is as good as "configured" here.
    for _ in $(seq 1 30); do
        if networkctl list --no-pager --no-legend uplink0 2>/dev/null | grep -Eq ' (configured|configuring)'; then
            return 0
        fi
        sleep 0.5
    done
    echo "uplink0 was not configured in time" >&2
    networkctl list --no-pager >&2 || true
    return 1
}

replay() {
    case "$1" in
        boot)
            sysctl -q -w net.ipv4.ip_forward=0
            systemctl restart systemd-sysctl.service
            netplan generate
            systemctl restart systemd-networkd.service
            wait_configured
            if systemctl -q is-enabled docker.service 2>/dev/null; then
                systemctl restart docker.service
            fi
            ;;
        reconfigure) networkctl reconfigure uplink0 ;;
        reload) networkctl reload ;;
        restart) systemctl restart systemd-networkd.service ;;
        sysctl) sysctl -q --system ;;
        read) ;;
        clean)
            sysctl -q -w net.ipv4.ip_forward=0
            netplan generate
            systemctl restart systemd-networkd.service
            ;;
        *) echo "unknown event $1" >&2; exit 2 ;;
    esac
    if [ "$1" != read ] && [ "$1" != clean ]; then
        sleep 1
        wait_configured
    fi
    printf '"%s": {"all": %s, "default": %s, "uplink0": %s}' "$1" \
        "$(cat /proc/sys/net/ipv4/conf/all/forwarding)" \
        "$(cat /proc/sys/net/ipv4/conf/default/forwarding)" \
        "$(cat /proc/sys/net/ipv4/conf/uplink0/forwarding)"
}

# One JSON object: {"<event>": {"all": 1, "default": 1, "uplink0": 1}, ...}, the events in the order given.
printf '{'
separator=''
for event in "$@"; do
    printf '%s' "$separator"
    replay "$event"
    separator=', '
done
printf '}\n'
