#!/usr/bin/env bash
# Unpacks Debian's atftpd into DIR (DIR/usr/sbin/atftpd) without installing it: the atftpd package conflicts with
# tftpd-hpa, and the benchmark needs both. Nothing is started; does nothing when it is already unpacked.
set -euo pipefail
dir=${1:?usage: fetch-atftpd.sh DIR}
[ -x "$dir/atftpd/usr/sbin/atftpd" ] && exit 0
mkdir -p "$dir/atftpd"
cd "$dir"
apt-get download -qq atftpd
dpkg -x atftpd_*.deb atftpd
rm -f atftpd_*.deb
