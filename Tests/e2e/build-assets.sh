#!/usr/bin/env bash
# Builds the end-to-end boot assets into DIR (default .build/e2e/tftproot): the boot loaders (make tftproot), a
# Debian cloud kernel (virtio-net, downloaded with apt-get download and unpacked with dpkg -x, never installed)
# and a busybox initramfs whose /init prints a marker and powers off; then the install test's installer initramfs
# and disk image (build-install-assets.sh). Idempotent: a finished DIR is kept.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/.build/e2e/tftproot}
downloads=$(dirname "$out")/downloads
if [ -s "$out/e2e/vmlinuz" ] && [ -s "$out/e2e/initrd.img" ] && [ -s "$out/pxelinux.0" ]; then
    exec bash "$repo/Tests/e2e/build-install-assets.sh" "$out"
fi
mkdir -p "$out/e2e" "$downloads"
make -C "$repo" --no-print-directory tftproot TFTPROOT="$out" > /dev/null

kernel_package=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/.*Depends: \(linux-image-[^ ]*\)/\1/p' | head -1)
(cd "$downloads" && { ls "$kernel_package"_*.deb > /dev/null 2>&1 || apt-get download -q "$kernel_package"; } \
    && { ls busybox-static_*.deb > /dev/null 2>&1 || apt-get download -q busybox-static; }) 2>&1 | grep -v "^W: Download is performed unsandboxed" || true
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg -x "$downloads/$kernel_package"_*.deb "$unpacked/kernel"
dpkg -x "$downloads"/busybox-static_*.deb "$unpacked/busybox"
install -m 0644 "$unpacked"/kernel/boot/vmlinuz-* "$out/e2e/vmlinuz"

root=$unpacked/initramfs
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
install -m 0755 "$unpacked/busybox/bin/busybox" "$root/bin/busybox"
for module in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
    find "$unpacked/kernel/lib/modules" -name "$module.ko" -exec install -m 0644 {} "$root/lib/modules/" \;
done
install -m 0755 "$repo/Tests/e2e/init.sh" "$root/init"
install -m 0755 "$repo/Tests/e2e/udhcpc-script.sh" "$root/udhcpc-script.sh"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$unpacked/initrd.img"
# Moved into place only once whole, so an interrupted build is never taken for a finished one.
mv "$unpacked/initrd.img" "$out/e2e/initrd.img"
echo "e2e assets: $(du -h "$out/e2e/vmlinuz" | cut -f1) kernel ($kernel_package), $(du -h "$out/e2e/initrd.img" | cut -f1) initramfs in $out"
bash "$repo/Tests/e2e/build-install-assets.sh" "$out"
