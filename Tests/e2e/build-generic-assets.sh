#!/usr/bin/env bash
# Builds the generic-kernel boot assets of Tests/e2e/firmware-matrix.sh into DIR/e2e/generic (DIR default
# .build/e2e/tftproot, whose boot loaders build-assets.sh puts there):
#   e2e/generic/vmlinuz     Debian's generic kernel: the versioned package linux-image-amd64 depends on, downloaded
#                           with apt-get download and unpacked with dpkg -x, never installed. Unlike the cloud kernel
#                           (virtio only) it drives QEMU's e1000 and e1000e NICs;
#   e2e/generic/initrd.img  a busybox initramfs (Tests/e2e/lib/initramfs.sh) with the e1000 and e1000e modules whose
#                           /init (nic-init.sh) asks DHCP for an address, prints the marker and powers off.
# The packages are kept in DIR/../generic/downloads (apart from build-assets.sh's, whose kernel initramfs.sh picks
# by name). Idempotent: rebuilt only when an input changed (a stamp holds the inputs' checksums, as for the other
# e2e assets), and the package is fetched again only when linux-image-amd64 moves to a new version.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/.build/e2e/tftproot}
downloads=$(dirname "$out")/generic/downloads
main_downloads=$(dirname "$out")/downloads
mkdir -p "$downloads" "$out/e2e/generic"
kernel_package=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: \(linux-image-[0-9][^ ]*\)/\1/p' | head -1)
[ -n "$kernel_package" ] || { echo "build-generic-assets: apt-cache knows no linux-image-amd64" >&2; exit 1; }
if ! ls "$downloads/${kernel_package}"_*.deb > /dev/null 2>&1; then
    rm -f "$downloads"/linux-image-*.deb
    (cd "$downloads" && apt-get download -q "$kernel_package" 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
    ls "$downloads/${kernel_package}"_*.deb > /dev/null 2>&1 \
        || { echo "build-generic-assets: cannot download $kernel_package" >&2; exit 1; }
fi
if ! ls "$downloads"/busybox-static_*.deb > /dev/null 2>&1; then
    if ls "$main_downloads"/busybox-static_*.deb > /dev/null 2>&1; then
        cp "$main_downloads"/busybox-static_*.deb "$downloads/"
    else
        (cd "$downloads" && apt-get download -q busybox-static 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
    fi
fi
source "$repo/Tests/e2e/lib/initramfs.sh"

stamp=$out/e2e/generic/.stamp
inputs=$(initramfs_inputs build-generic-assets.sh nic-init.sh)
if [ -s "$out/e2e/generic/vmlinuz" ] && [ -s "$out/e2e/generic/initrd.img" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
initramfs_unpack "$work"
initramfs nic-init.sh "$work/initrd.img" e1000 e1000e
install -m 0644 "$work"/kernel/boot/vmlinuz-* "$work/vmlinuz"
# Moved into place only once whole, so an interrupted build is never taken for a finished one.
mv "$work/vmlinuz" "$out/e2e/generic/vmlinuz"
mv "$work/initrd.img" "$out/e2e/generic/initrd.img"
printf '%s\n' "$inputs" > "$stamp"
echo "e2e generic assets: $(du -h "$out/e2e/generic/vmlinuz" | cut -f1) kernel ($(basename "$kernel_deb"))," \
    "$(du -h "$out/e2e/generic/initrd.img" | cut -f1) initramfs in $out/e2e/generic"
