#!/bin/sh
# The controller's SSH client, run in the controller's network namespace (see vars/management.yml).
exec ip netns exec "hostnet-ctl-${MOLECULE_SCENARIO_NAME:?}" ssh "$@"
