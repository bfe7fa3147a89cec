#!/usr/bin/env bash
# Builds the end-to-end boot assets into DIR (default .build/e2e/tftproot): the boot loaders (make tftproot), a
# Debian cloud kernel (virtio-net, downloaded with apt-get download and unpacked with dpkg -x, never installed)
# and a busybox initramfs (Tests/e2e/lib/initramfs.sh) whose /init (init.sh) prints a marker and powers off; then the
# install test's installer initramfs and disk image (build-install-assets.sh). Idempotent: the boot loaders and the
# kernel are kept once there, the initramfs is rebuilt only when an input changed (a stamp holds their checksums).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/.build/e2e/tftproot}
downloads=$(dirname "$out")/downloads
source "$repo/Tests/e2e/lib/initramfs.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! [ -s "$out/e2e/vmlinuz" ] || ! [ -s "$out/pxelinux.0" ]; then
    mkdir -p "$out/e2e" "$downloads"
    make -C "$repo" --no-print-directory tftproot TFTPROOT="$out" > /dev/null
    kernel_package=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/.*Depends: \(linux-image-[^ ]*\)/\1/p' | head -1)
    (cd "$downloads" && { ls "$kernel_package"_*.deb > /dev/null 2>&1 || apt-get download -q "$kernel_package"; } \
        && { ls busybox-static_*.deb > /dev/null 2>&1 || apt-get download -q busybox-static; }) 2>&1 | grep -v "^W: Download is performed unsandboxed" || true
    initramfs_unpack "$work"
    install -m 0644 "$work"/kernel/boot/vmlinuz-* "$out/e2e/vmlinuz"
    echo "e2e assets: $(du -h "$out/e2e/vmlinuz" | cut -f1) kernel ($(basename "$kernel_deb")) in $out"
fi

stamp=$out/e2e/.initrd.stamp
inputs=$(initramfs_inputs build-assets.sh init.sh)
if ! [ -s "$out/e2e/initrd.img" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
    initramfs_unpack "$work"
    initramfs init.sh "$work/initrd.img" virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
        failover net_failover virtio_net
    # Moved into place only once whole, so an interrupted build is never taken for a finished one.
    mv "$work/initrd.img" "$out/e2e/initrd.img"
    printf '%s\n' "$inputs" > "$stamp"
    echo "e2e assets: $(du -h "$out/e2e/initrd.img" | cut -f1) initramfs in $out/e2e"
fi
exec bash "$repo/Tests/e2e/build-install-assets.sh" "$out"
