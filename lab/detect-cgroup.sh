#!/bin/sh
# Print the cgroup2 mount that lab containers get as /sys/fs/cgroup.
# On a hybrid (v1 + v2) host systemd >= 258 needs the unified hierarchy, which
# lives at /sys/fs/cgroup/unified; on a unified host it is /sys/fs/cgroup.
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    echo /sys/fs/cgroup/unified
else
    echo /sys/fs/cgroup
fi
