#!/usr/bin/env bash
# ensure-command.sh COMMAND PACKAGE: make sure COMMAND is on PATH, installing
# Debian's PACKAGE when it is not (as root on Debian only; elsewhere say what is
# missing and fail). A no-op where the command already exists.
set -euo pipefail

command_name=$1
package=$2

if command -v "$command_name" >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-command: '$command_name' is missing; install the package that provides it ($package on Debian)." >&2
    exit 1
fi
echo "ensure-command: installing Debian's $package for '$command_name'" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may never have fetched the package lists; refresh them once if the install fails.
apt-get install -y -qq "$package" >/dev/null 2>&1 || {
    apt-get update -qq
    apt-get install -y -qq "$package" >/dev/null
}
command -v "$command_name" >/dev/null
