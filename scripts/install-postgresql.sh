#!/usr/bin/env bash
# Installs Debian's PostgreSQL server for the tests and benchmarks that run a private cluster of their own
# (Tests/lib/postgres.sh). When this script installs it, the package's own "main" cluster is set to start by hand
# only (start.conf: manual), so the host does not start a database on port 5432 at its next boot; an installation
# that was already there is left as it was.
set -euo pipefail
if dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed"; then
    exit 0
fi
bash "$(dirname "$0")/install-debian-packages.sh" postgresql
for conf in /etc/postgresql/*/main/start.conf; do
    [ -f "$conf" ] || continue
    sed -i 's/^auto$/manual/' "$conf"
    echo "install-postgresql: $(dirname "$conf") starts by hand only (start.conf: manual)"
done
