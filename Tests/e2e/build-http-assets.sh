#!/usr/bin/env bash
# Builds the assets of the UEFI HTTP boot end-to-end test (Tests/e2e/http-boot.sh) into DIR (default
# .build/e2e/tftproot, where build-assets.sh puts the kernel and the initramfs the machines boot):
#   ipxe.efi      Debian's iPXE EFI build (package ipxe: /usr/lib/ipxe/ipxe.efi, which the package installs as
#                 /boot/ipxe.efi), the loader boot.http_files gives UEFI HTTP-boot clients
#   snponly.efi   Debian's iPXE EFI build that drives only the firmware's SNP (/usr/lib/ipxe/snponly.efi), the file
#                 boot.loaders.ipxe names for machines whose profile chooses `loader: ipxe`
# The package is fetched with apt-get download into DIR/../downloads and unpacked with dpkg -x into a scratch folder:
# never installed on this host (its package puts ipxe.efi into the host's /boot and a GRUB menu entry into
# /etc/grub.d). Idempotent: rebuilt only when the package changed (a stamp holds its checksum).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/.build/e2e/tftproot}
downloads=$(dirname "$out")/downloads
mkdir -p "$downloads" "$out/e2e"
(cd "$downloads" && { ls ipxe_*.deb > /dev/null 2>&1 || apt-get download -q ipxe; }) 2>&1 \
    | grep -v "^W: Download is performed unsandboxed" || true
ipxe_deb=$(ls "$downloads"/ipxe_*.deb 2>/dev/null | head -1)
[ -s "$ipxe_deb" ] || { echo "build-http-assets: cannot download the ipxe package" >&2; exit 1; }

stamp=$out/e2e/.http-assets.stamp
inputs=$(sha256sum "$ipxe_deb" "$repo/Tests/e2e/build-http-assets.sh")
if [ -s "$out/ipxe.efi" ] && [ -s "$out/snponly.efi" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg -x "$ipxe_deb" "$work/ipxe"
# /usr/lib/ipxe/ipxe.efi is a symbolic link to /boot/ipxe.efi in the package.
install -m 0644 "$work/ipxe/boot/ipxe.efi" "$work/ipxe.efi"
install -m 0644 "$work/ipxe/usr/lib/ipxe/snponly.efi" "$work/snponly.efi"
for file in ipxe.efi snponly.efi; do
    # A PE image for x86-64 (machine 0x8664), or the firmware would refuse it with a less telling error.
    python3 - "$work/$file" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", data, 0x3C)[0]
if data[:2] != b"MZ" or data[pe:pe + 4] != b"PE\0\0" or struct.unpack_from("<H", data, pe + 4)[0] != 0x8664:
    sys.exit(f"{sys.argv[1]}: not an x86-64 PE image")
PY
done
# Moved into place only once whole, so an interrupted build is never taken for a finished one.
mv "$work/ipxe.efi" "$out/ipxe.efi"
mv "$work/snponly.efi" "$out/snponly.efi"
printf '%s\n' "$inputs" > "$stamp"
echo "e2e HTTP boot assets: ipxe.efi and snponly.efi ($(basename "$ipxe_deb")) in $out"
