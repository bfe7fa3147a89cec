#!/usr/bin/env bash
# Boots one QEMU machine from its NIC inside network namespace NS, on tap TAP, with MAC, under firmware `bios`
# (SeaBIOS) or `ovmf` (UEFI), with the NIC's iPXE ROM (`ipxe`) or without one (`none`: OVMF's own PXE).
# The serial console goes to CONSOLE. KVM only when it can really work: /dev/kvm is usable and the CPU offers
# vmx or svm. (On this workplace's machines /dev/kvm exists but without them, and every KVM boot fails with an
# emulation failure, so QEMU emulates with TCG: 20-45 s a boot.)
# Usage: qemu-netboot.sh NS TAP MAC bios|ovmf ipxe|none CONSOLE SECONDS
set -euo pipefail
ns=$1 tap=$2 mac=$3 firmware=$4 rom=$5 console=$6 seconds=$7
nic="virtio-net-pci,netdev=n0,mac=$mac,bootindex=1"
if [ "$rom" = ipxe ]; then
    # Debian's iPXE ROMs match only the modern virtio-net PCI id, hence disable-legacy.
    nic="$nic,disable-legacy=on,romfile=/usr/lib/ipxe/qemu/efi-virtio.rom"
else
    nic="$nic,romfile="
fi
accelerator=tcg
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accelerator=kvm; fi
firmware_args=()
if [ "$firmware" = ovmf ]; then
    # The firmware's writable variable store, kept beside the console log (the caller removes both).
    vars=$console.vars
    cp /usr/share/OVMF/OVMF_VARS.fd "$vars"
    firmware_args=(-drive "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd"
                   -drive "if=pflash,format=raw,file=$vars")
fi
# exec: the caller's PID is timeout's, which passes SIGTERM on to QEMU.
exec timeout "$seconds" ip netns exec "$ns" qemu-system-x86_64 -accel "$accelerator" -m 384 -display none -no-reboot -monitor none \
    -serial "file:$console" -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" -device "$nic" \
    -boot n "${firmware_args[@]}"
