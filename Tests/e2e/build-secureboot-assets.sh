#!/usr/bin/env bash
# Builds the assets of the Secure Boot end-to-end test (Tests/e2e/secure-boot.sh) into DIR (default
# .build/e2e/tftproot; build-assets.sh must have built the kernel and the initramfs pieces there first):
#   shimx64.efi             Debian's shim signed by Microsoft's UEFI CA (shim-signed: /usr/lib/shim/shimx64.efi.signed)
#   grubx64.efi             Debian's signed GRUB network image (grub-efi-amd64-signed:
#                           /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed), beside shim, which loads
#                           grubx64.efi from its own folder
#   e2e/secureboot.img      busybox initramfs whose /init (secureboot-init.sh) prints the marker with the firmware's
#                           SecureBoot variable and the kernel's lockdown mode (virtio-net and efivarfs modules)
#   e2e/vmlinuz-unsigned    e2e/vmlinuz (Debian's cloud kernel, signed by Debian) with its signature removed, which
#                           shim and GRUB must refuse
# The packages are fetched with apt-get download into DIR/../downloads and unpacked with dpkg -x into a scratch folder:
# never installed on this host. Each signed binary is checked to carry an Authenticode signature from the expected
# CA (Microsoft's UEFI CA for shim, Debian's Secure Boot CA for GRUB and the kernel). Idempotent: rebuilt only when an
# input changed (a stamp holds the inputs' checksums).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/.build/e2e/tftproot}
downloads=$(dirname "$out")/downloads
for file in "$out/e2e/vmlinuz"; do
    [ -s "$file" ] || { echo "build-secureboot-assets: $file missing (build-assets.sh builds it)" >&2; exit 1; }
done
source "$repo/Tests/e2e/lib/initramfs.sh"
mkdir -p "$downloads"
(cd "$downloads" && for package in shim-signed grub-efi-amd64-signed; do
    ls "$package"_*.deb > /dev/null 2>&1 || apt-get download -q "$package"
done) 2>&1 | grep -v "^W: Download is performed unsandboxed" || true
shim_deb=$(ls "$downloads"/shim-signed_*.deb | head -1)
grub_deb=$(ls "$downloads"/grub-efi-amd64-signed_*.deb | head -1)

stamp=$out/e2e/.secureboot.stamp
inputs=$(initramfs_inputs build-secureboot-assets.sh secureboot-init.sh
    sha256sum "$shim_deb" "$grub_deb" "$out/e2e/vmlinuz")
if [ -s "$out/shimx64.efi" ] && [ -s "$out/grubx64.efi" ] && [ -s "$out/e2e/secureboot.img" ] \
    && [ -s "$out/e2e/vmlinuz-unsigned" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# authenticode check FILE ISSUER: FILE is a PE image whose certificate table (data directory 4) holds a signature
# naming ISSUER. authenticode strip IN OUT: OUT is IN without its certificate table.
authenticode() {
    python3 - "$@" <<'PY'
import struct, sys
action, path = sys.argv[1], sys.argv[2]
data = bytearray(open(path, "rb").read())
pe = struct.unpack_from("<I", data, 0x3C)[0]
if data[pe:pe + 4] != b"PE\0\0":
    sys.exit(f"{path}: not a PE image")
optional = pe + 24
magic = struct.unpack_from("<H", data, optional)[0]
directory = optional + (112 if magic == 0x20B else 96) + 4 * 8  # IMAGE_DIRECTORY_ENTRY_SECURITY
offset, size = struct.unpack_from("<II", data, directory)
if action == "check":
    if size == 0 or sys.argv[3].encode() not in data[offset:offset + size]:
        sys.exit(f"{path}: no signature by {sys.argv[3]}")
elif action == "strip":
    if size == 0 or offset + size != len(data):
        sys.exit(f"{path}: no certificate table at its end")
    struct.pack_into("<II", data, directory, 0, 0)
    open(sys.argv[3], "wb").write(data[:offset])
PY
}
dpkg -x "$shim_deb" "$work/shim"
dpkg -x "$grub_deb" "$work/grub"
shim=$work/shim/usr/lib/shim/shimx64.efi.signed
grub=$work/grub/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed
authenticode check "$shim" "Microsoft Corporation UEFI CA 2011"
authenticode check "$grub" "Debian Secure Boot CA"
authenticode check "$out/e2e/vmlinuz" "Debian Secure Boot CA"
authenticode strip "$out/e2e/vmlinuz" "$work/vmlinuz-unsigned"
initramfs_unpack "$work"
initramfs secureboot-init.sh "$work/secureboot.img" virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
    virtio_pci failover net_failover virtio_net efivarfs
# Moved into place only once whole, so an interrupted build is never taken for a finished one.
install -m 0644 "$shim" "$work/shimx64.efi"
install -m 0644 "$grub" "$work/grubx64.efi"
mv "$work/shimx64.efi" "$out/shimx64.efi"
mv "$work/grubx64.efi" "$out/grubx64.efi"
mv "$work/vmlinuz-unsigned" "$out/e2e/vmlinuz-unsigned"
mv "$work/secureboot.img" "$out/e2e/secureboot.img"
printf '%s\n' "$inputs" > "$stamp"
echo "e2e Secure Boot assets: shimx64.efi ($(basename "$shim_deb")), grubx64.efi ($(basename "$grub_deb"))," \
    "$(du -h "$out/e2e/secureboot.img" | cut -f1) initramfs, unsigned kernel copy in $out"
