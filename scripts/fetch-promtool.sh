#!/usr/bin/env bash
# Unpacks promtool from Debian's prometheus package into DIR (DIR/usr/bin/promtool) and prints its path, without
# installing the package: installing it would enable prometheus.service, which starts at the next boot and listens
# on port 9090 on the host. Nothing is started; does nothing but print the path when it is already unpacked.
# Usage: fetch-promtool.sh DIR
set -euo pipefail
dir=${1:?usage: fetch-promtool.sh DIR}
tool=$dir/usr/bin/promtool
if [ ! -x "$tool" ]; then
    mkdir -p "$dir/downloads"
    (cd "$dir/downloads" && { ls prometheus_*.deb > /dev/null 2>&1 || apt-get download -qq prometheus; }) 2>&1 \
        | grep -v "^W: Download is performed unsandboxed" >&2 || true
    deb=$(ls "$dir"/downloads/prometheus_*.deb 2> /dev/null | head -1)
    [ -s "$deb" ] || { echo "fetch-promtool: cannot download Debian's prometheus package" >&2; exit 1; }
    dpkg -x "$deb" "$dir/unpacked"
    install -D -m 0755 "$dir/unpacked/usr/bin/promtool" "$tool"
    rm -rf "$dir/unpacked"
fi
echo "$tool"
