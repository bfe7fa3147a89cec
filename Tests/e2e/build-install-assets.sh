#!/usr/bin/env bash
# Builds the assets of the end-to-end install test (Tests/e2e/install.sh) into DIR/e2e (DIR default
# .build/e2e/tftproot; build-assets.sh calls this after building the kernel there):
#   e2e/installer.img  busybox initramfs whose /init (installer-init.sh) fetches its answer file over HTTP, checks
#                      it is its own, streams e2e/disk.img onto /dev/vda, writes its identity record, calls back
#                      and reboots;
#   e2e/disk.img       a raw 40 MiB disk image, bootable under SeaBIOS and under OVMF, holding the same kernel and
#                      an "installed system" initramfs (disk-init.sh) that prints RACKBOOT-DISK-MARKER with the
#                      identity record's host name and install id.
# Both initramfs images are built by Tests/e2e/lib/initramfs.sh, like build-assets.sh's e2e/initrd.img.
# The disk image is built without root and without loop devices, on the image file itself:
#   - an MBR partition table (sfdisk): one FAT32 (LBA) partition from sector 2048 (1 MiB) to the end, active;
#     sectors 1024-1031 (the MBR gap, unused by syslinux) hold the identity record, "none" until an install;
#   - mkfs.fat --offset 2048 (and 2048 hidden sectors in its BPB: the partition start, which the boot sector
#     uses), files copied in with mtools (`-i image@@1M`);
#   - BIOS: syslinux's MBR code (mbr.bin, 440 bytes) loads the active partition's boot sector, which Debian's
#     mtools-based `syslinux --install --offset` writes with ldlinux.sys in /syslinux; /syslinux/syslinux.cfg
#     boots the kernel with rackboot.loader=syslinux-bios;
#   - UEFI: the removable-media path \EFI\BOOT\BOOTX64.EFI is Debian's syslinux.efi (efi64) with ldlinux.e64
#     and its syslinux.cfg beside it (rackboot.loader=syslinux-efi); OVMF boots it from any FAT partition.
# Idempotent: the assets are rebuilt only when an input changed (a stamp holds the inputs' checksums).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/.build/e2e/tftproot}
downloads=$(dirname "$out")/downloads
export PATH=$PATH:/usr/sbin:/sbin
for tool in sfdisk mkfs.fat mcopy mmd syslinux cpio; do
    command -v "$tool" > /dev/null || { echo "build-install-assets: $tool missing (make deps)" >&2; exit 1; }
done
for file in /usr/lib/SYSLINUX/mbr.bin /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi /usr/lib/syslinux/modules/efi64/ldlinux.e64 \
    /usr/lib/syslinux/modules/bios/ldlinux.c32 "$out/e2e/vmlinuz"; do
    [ -s "$file" ] || { echo "build-install-assets: $file missing (make deps; build-assets.sh builds the kernel)" >&2; exit 1; }
done
source "$repo/Tests/e2e/lib/initramfs.sh"

stamp=$out/e2e/.install-assets.stamp
inputs=$(initramfs_inputs build-install-assets.sh installer-init.sh disk-init.sh
    sha256sum "$out/e2e/vmlinuz" /usr/lib/SYSLINUX/mbr.bin /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi \
        /usr/lib/syslinux/modules/efi64/ldlinux.e64)
if [ -s "$out/e2e/installer.img" ] && [ -s "$out/e2e/disk.img" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
initramfs_unpack "$work"
virtio=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci)
initramfs installer-init.sh "$work/installer.img" "${virtio[@]}" failover net_failover virtio_net virtio_blk
initramfs disk-init.sh "$work/system.img" "${virtio[@]}" virtio_blk

# --- the disk image -------------------------------------------------------------------------------------------
image=$work/disk.img
size_mib=40
start=2048 # sectors: the partition starts at 1 MiB
truncate -s ${size_mib}M "$image"
printf 'label: dos\nstart=%d, type=c, bootable\n' $start | sfdisk --quiet --no-reread --no-tell-kernel "$image"
# FAT32 needs at least 65525 clusters: one sector per cluster over 39 MiB gives about 79000.
mkfs.fat -F 32 -s 1 -h $start -n RACKBOOT --offset $start "$image" $(((size_mib - 1) * 1024)) > /dev/null
export MTOOLS_SKIP_CHECK=1
fat=$image@@$((start * 512))
cat > "$work/syslinux-bios.cfg" <<'CFG'
SERIAL 0 115200
DEFAULT disk
PROMPT 0
TIMEOUT 0

LABEL disk
    LINUX /vmlinuz
    INITRD /system.img
    APPEND console=ttyS0 panic=-1 rackboot.loader=syslinux-bios
CFG
sed 's/syslinux-bios/syslinux-efi/; /^SERIAL/d' "$work/syslinux-bios.cfg" > "$work/syslinux-efi.cfg"
mmd -i "$fat" ::/syslinux ::/EFI ::/EFI/BOOT
mcopy -i "$fat" "$out/e2e/vmlinuz" ::/vmlinuz
mcopy -i "$fat" "$work/system.img" ::/system.img
mcopy -i "$fat" "$work/syslinux-bios.cfg" ::/syslinux/syslinux.cfg
mcopy -i "$fat" /usr/lib/syslinux/modules/bios/ldlinux.c32 ::/syslinux/ldlinux.c32
mcopy -i "$fat" /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$fat" /usr/lib/syslinux/modules/efi64/ldlinux.e64 ::/EFI/BOOT/ldlinux.e64
mcopy -i "$fat" "$work/syslinux-efi.cfg" ::/EFI/BOOT/syslinux.cfg
syslinux --install --offset $((start * 512)) --directory /syslinux "$image"
dd if=/usr/lib/SYSLINUX/mbr.bin of="$image" bs=440 count=1 conv=notrunc status=none
printf 'RACKBOOT-IDENTITY 1\nhost=none\nid=none\n' | dd of="$image" bs=512 seek=1024 conv=notrunc status=none

# Moved into place only once whole, so an interrupted build is never taken for a finished one.
mv "$work/installer.img" "$out/e2e/installer.img"
mv "$image" "$out/e2e/disk.img"
printf '%s\n' "$inputs" > "$stamp"
echo "e2e install assets: $(du -h "$out/e2e/installer.img" | cut -f1) installer initramfs," \
    "$(du -h --apparent-size "$out/e2e/disk.img" | cut -f1) disk image in $out/e2e"
