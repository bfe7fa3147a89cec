#!/usr/bin/env bash
# Installs the named Debian packages that are not installed yet; does nothing when all are.
# Non-interactive, and no package's service is started (a policy-rc.d that denies starts is in place during
# the install), so installing a server package such as tftpd-hpa never binds a port on this host.
set -euo pipefail
missing=()
for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-debian-packages: need root to install: ${missing[*]}" >&2
    exit 1
fi
echo "install-debian-packages: installing ${missing[*]}"
policy=/usr/sbin/policy-rc.d
created_policy=false
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    created_policy=true
fi
trap '$created_policy && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
