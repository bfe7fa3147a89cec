#!/usr/bin/env bash
# Boots one QEMU machine from its NIC inside network namespace NS, on tap TAP, with MAC, under firmware `bios`
# (SeaBIOS), `ovmf` (UEFI), `ovmf-http` (UEFI with OVMF's PXE clients switched off by its fw_cfg knobs IPv4PXESupport
# and IPv6PXESupport, which OVMF 2022.11 honours: its first network boot option is then its own UEFI HTTP boot over
# IPv4, which starts at once instead of after each PXE client's wait for an offer) or `ovmf-secboot` (UEFI with Secure
# Boot enforced: OVMF's Secure Boot build with Microsoft's keys enrolled, on a q35 machine with SMM, as that build
# requires), with the NIC's iPXE ROM (`ipxe`) or without one (`none`: OVMF's own PXE or HTTP boot).
# The serial console goes to CONSOLE. KVM only when it can really work: /dev/kvm is usable and the CPU offers
# vmx or svm. (On this workplace's machines /dev/kvm exists but without them, and every KVM boot fails with an
# emulation failure, so QEMU emulates with TCG: 20-45 s a boot.)
# With DISK (a raw image file), the machine also has that disk, as virtio-blk: the NIC keeps boot index 1 and the
# disk gets 2, and there is no `-boot n`, so the firmware's boot order falls through to the disk when the network
# boot hands back (SeaBIOS after pxelinux's LOCALBOOT; OVMF after iPXE's `exit 1`); BIOS iPXE's `sanboot --drive
# 0x80` boots it directly. QEMU runs with -no-reboot, so a guest's reboot ends this script.
# --nic MODEL (first) picks the NIC: virtio (the default), e1000 or e1000e, each with its iPXE ROM from ipxe-qemu
# (efi-MODEL.rom: the BIOS and the UEFI image in one).
# Usage: qemu-netboot.sh [--nic virtio|e1000|e1000e] NS TAP MAC FIRMWARE ipxe|none CONSOLE SECONDS [DISK]
#        (FIRMWARE: bios, ovmf, ovmf-http or ovmf-secboot)
set -euo pipefail
model=virtio
if [ "${1:-}" = --nic ]; then model=$2; shift 2; fi
ns=$1 tap=$2 mac=$3 firmware=$4 rom=$5 console=$6 seconds=$7 disk=${8:-}
case "$model" in
    # Debian's iPXE ROMs match only the modern virtio-net PCI id, hence disable-legacy.
    virtio) nic="virtio-net-pci,netdev=n0,mac=$mac,bootindex=1" rom_options=",disable-legacy=on" ;;
    e1000 | e1000e) nic="$model,netdev=n0,mac=$mac,bootindex=1" rom_options= ;;
    *) echo "qemu-netboot: unknown NIC model $model" >&2; exit 2 ;;
esac
if [ "$rom" = ipxe ]; then
    nic="$nic$rom_options,romfile=/usr/lib/ipxe/qemu/efi-$model.rom"
else
    nic="$nic,romfile="
fi
accelerator=tcg
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accelerator=kvm; fi
firmware_args=()
case "$firmware" in
    bios | ovmf | ovmf-http | ovmf-secboot) ;;
    *) echo "qemu-netboot: unknown firmware $firmware" >&2; exit 2 ;;
esac
if [ "$firmware" = ovmf-secboot ]; then
    # The variable store with Microsoft's KEK and db (which hold the UEFI CA that signed shim) and Secure Boot on.
    # The firmware's flash is writable only from SMM (secure=on), or a guest could switch Secure Boot off.
    vars=$console.vars
    cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$vars"
    firmware_args=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
                   -drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
                   -drive "if=pflash,format=raw,unit=1,file=$vars")
elif [ "$firmware" = ovmf ] || [ "$firmware" = ovmf-http ]; then
    # The firmware's writable variable store, kept beside the console log (the caller removes both).
    vars=$console.vars
    cp /usr/share/OVMF/OVMF_VARS.fd "$vars"
    firmware_args=(-drive "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd"
                   -drive "if=pflash,format=raw,file=$vars")
fi
boot_args=(-boot n)
if [ -n "$disk" ]; then
    boot_args=(-drive "file=$disk,format=raw,if=none,id=disk0" -device "virtio-blk-pci,drive=disk0,bootindex=2")
    if [ "$firmware" != bios ] && [ "$rom" = ipxe ]; then
        # OVMF ranks every boot option of the NIC at the NIC's boot index: after iPXE's own, its native PXEv4/v6
        # and HTTPv4/v6 boot (which waits about 60 s for a DHCP offer naming an HTTP URL) would run before the disk.
        # iPXE is the network boot here, so OVMF's own IP stacks are switched off (fw_cfg knobs; OVMF 2022.11
        # honours them) and the disk follows iPXE's `exit 1` at once. Without them it still falls through, ~75 s later.
        boot_args+=(-fw_cfg name=opt/org.tianocore/IPv4Support,string=no -fw_cfg name=opt/org.tianocore/IPv6Support,string=no)
    fi
fi
if [ "$firmware" = ovmf-http ]; then
    boot_args+=(-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no
                -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=no)
fi
# exec: the caller's PID is timeout's, which passes SIGTERM on to QEMU.
exec timeout "$seconds" ip netns exec "$ns" qemu-system-x86_64 -accel "$accelerator" -m 384 -display none -no-reboot -monitor none \
    -serial "file:$console" -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" -device "$nic" \
    "${boot_args[@]}" "${firmware_args[@]}"
