#!/usr/bin/env bash
# Builds the assets of the ARM64 UEFI end-to-end test (Tests/e2e/arm64.sh) into DIR (default .build/e2e/tftproot):
#   grubnetaa64.efi         Debian's signed ARM64 GRUB network image (grub-efi-arm64-signed:arm64:
#                           /usr/lib/grub/arm64-efi-signed/grubnetaa64.efi.signed); its prefix is /grub, like
#                           grubnetx64.efi's, so it finds Rackboot's grub/grub.cfg
#   e2e/arm64/vmlinuz       Debian's arm64 kernel (the versioned linux-image-6.1.0-*-arm64:arm64 that
#                           linux-image-arm64:arm64 depends on; virtio and the PL011 console are built in, virtio-pci
#                           and virtio-net are modules)
#   e2e/arm64/initrd.img    busybox-static:arm64 initramfs (Tests/e2e/lib/initramfs.sh, the one builder of every e2e
#                           image) with init.sh as /init: the marker with MAC, IP and `uname -m` (aarch64)
# The packages are fetched with apt-get download into DIR/../arm64/downloads (apart from build-assets.sh's, whose
# kernel and busybox initramfs.sh would otherwise pick) and unpacked with dpkg -x into a scratch folder: no :arm64
# package is ever installed on this host. Fetching them needs dpkg's foreign architecture arm64; it is added (and the
# package lists updated) only when missing. Idempotent: packages are kept once downloaded, and the assets are rebuilt
# only when an input changed (a stamp holds the inputs' checksums).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/.build/e2e/tftproot}
downloads=$(dirname "$out")/arm64/downloads
mkdir -p "$downloads" "$out/e2e/arm64"
have() { ls "$downloads"/$1_*.deb > /dev/null 2>&1; } # package name (or glob)

if ! have 'linux-image-*' || ! have busybox-static || ! have grub-efi-arm64-signed; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        echo "build-arm64-assets: adding dpkg architecture arm64 (package lists only; nothing :arm64 is installed)"
        dpkg --add-architecture arm64
        apt-get update -qq
    elif ! apt-cache show linux-image-arm64:arm64 > /dev/null 2>&1; then
        # The architecture is there but its package lists are not (added by hand, lists never updated).
        apt-get update -qq
    fi
    kernel_package=$(apt-cache depends linux-image-arm64:arm64 \
        | sed -n 's/.*Depends: \(linux-image-[^ :]*\).*/\1/p' | head -1)
    [ -n "$kernel_package" ] || { echo "build-arm64-assets: no kernel behind linux-image-arm64:arm64" >&2; exit 1; }
    if ! have "$kernel_package"; then rm -f "$downloads"/linux-image-*.deb; fi
    (cd "$downloads" && for package in "$kernel_package" busybox-static grub-efi-arm64-signed; do
        have "$package" || apt-get download -q "$package:arm64"
    done) 2>&1 | grep -v "^W: Download is performed unsandboxed" || true
    for package in "$kernel_package" busybox-static grub-efi-arm64-signed; do
        have "$package" || { echo "build-arm64-assets: apt-get download $package:arm64 failed" >&2; exit 1; }
    done
fi
grub_deb=$(ls "$downloads"/grub-efi-arm64-signed_*.deb | head -1)
source "$repo/Tests/e2e/lib/initramfs.sh"

stamp=$out/e2e/arm64/.assets.stamp
inputs=$(initramfs_inputs build-arm64-assets.sh init.sh
    sha256sum "$grub_deb")
if [ -s "$out/grubnetaa64.efi" ] && [ -s "$out/e2e/arm64/vmlinuz" ] && [ -s "$out/e2e/arm64/initrd.img" ] \
    && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg -x "$grub_deb" "$work/grub"
initramfs_unpack "$work"
# An arm64 Image carries the magic "ARM\x64" at offset 56.
[ "$(dd if="$(ls "$work"/kernel/boot/vmlinuz-* | head -1)" bs=1 skip=56 count=4 status=none)" = ARMd ] \
    || { echo "build-arm64-assets: $(basename "$kernel_deb") holds no ARM64 kernel" >&2; exit 1; }
# virtio and virtio_ring are built into the arm64 kernel; init.sh skips the modules an image does not hold.
initramfs init.sh "$work/initrd.img" virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover \
    virtio_net
# Moved into place only once whole, so an interrupted build is never taken for a finished one.
install -m 0644 "$work/grub/usr/lib/grub/arm64-efi-signed/grubnetaa64.efi.signed" "$work/grubnetaa64.efi"
install -m 0644 "$work"/kernel/boot/vmlinuz-* "$work/vmlinuz"
mv "$work/grubnetaa64.efi" "$out/grubnetaa64.efi"
mv "$work/vmlinuz" "$out/e2e/arm64/vmlinuz"
mv "$work/initrd.img" "$out/e2e/arm64/initrd.img"
printf '%s\n' "$inputs" > "$stamp"
echo "e2e ARM64 assets: grubnetaa64.efi ($(basename "$grub_deb")), $(du -h "$out/e2e/arm64/vmlinuz" | cut -f1) kernel" \
    "($(basename "$kernel_deb")), $(du -h "$out/e2e/arm64/initrd.img" | cut -f1) initramfs in $out"
