#!/usr/bin/env bash
# Make sure a Docker engine answers. A no-op where one already runs (a laptop,
# a CI runner); on a bare Debian machine install Debian's docker.io and start
# dockerd in the background, then wait until it answers.
set -euo pipefail

log=${HOSTNET_DOCKERD_LOG:-/var/log/hostnet-dockerd.log}

if docker info >/dev/null 2>&1; then
    exit 0
fi

bash "$(dirname "$0")/ensure-command.sh" dockerd docker.io

if ! pgrep -x dockerd >/dev/null 2>&1; then
    echo "ensure-docker: starting dockerd (log: $log)" >&2
    nohup dockerd >"$log" 2>&1 &
fi

for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
        exit 0
    fi
    sleep 1
done
echo "ensure-docker: dockerd did not answer within 60 s; see $log" >&2
exit 1
