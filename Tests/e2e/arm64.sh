#!/usr/bin/env bash
# End to end: ARM64 UEFI (issue 23). QEMU's `virt` machine with a Cortex-A57 (TCG: this host is x86-64) under Debian's
# AAVMF firmware (qemu-efi-aarch64) PXE-boots with its own UEFI PXE client on virtio-net through Rackboot, in a private
# network (a namespace with a bridge and one tap per VM, 10.88.0.0/24 only inside it):
#   DHCP option 93 = 11 selects boot.files.efi_arm64 = grubnetaa64.efi (Debian's signed ARM64 network GRUB, prefix
#   /grub) -> grub/grub.cfg, Rackboot's dispatcher -> the GRUB config rendered for the MAC -> Debian's arm64 kernel
#   (e2e/arm64/vmlinuz) and a busybox-static:arm64 initramfs (e2e/arm64/initrd.img) whose /init (init.sh) prints the
#   marker with MAC, IP and `uname -m`:
#     arm-1    a machine with a profile: its reservation, its own GRUB config, aarch64;
#     unknown  a MAC without a profile: the dispatcher's unknown-machine entry (a pool address).
# Rackboot runs with --log-level debug, so every TFTP request appears in its log (config probes that miss are logged
# at debug), and the test checks that GRUB asked for nothing outside its prefix /grub besides the kernel and initrd.
# The assets come from Tests/e2e/build-assets.sh and Tests/e2e/build-arm64-assets.sh (packages downloaded and unpacked
# under .build/e2e, never installed). The network, configuration, server and cleanup are
# Tests/e2e/lib/install-common.sh's; every boot is bounded by $vm_seconds.
# Usage: arm64.sh path/to/rackboot        Prints ok/FAIL lines and "e2e-arm64: N passed, M failed".
set -uo pipefail
rackboot=$(realpath "${1:?usage: arm64.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source Tests/lib/report.sh
vm_seconds=150
source Tests/e2e/lib/install-common.sh
install_begin rbarm
aavmf=/usr/share/AAVMF
for need in /usr/bin/qemu-system-aarch64 $aavmf/AAVMF_CODE.fd $aavmf/AAVMF_VARS.fd; do
    [ -e "$need" ] || { echo "e2e-arm64: $need missing (make deps: qemu-system-arm, qemu-efi-aarch64)"; exit 1; }
done
install_assets || { echo "e2e-arm64: cannot build the boot assets"; exit 1; }
bash Tests/e2e/build-arm64-assets.sh "$assets" || { echo "e2e-arm64: cannot build the ARM64 assets"; exit 1; }

install_network e2e-arm64 2

# --- templates, profiles ------------------------------------------------------------------------------------------
mkdir -p "$work/profiles/templates" "$work/state"
template() { # name role [cmdline words]
    printf 'description: Rackboot ARM64 end-to-end (%s)\nkernel: e2e/arm64/vmlinuz\ninitrds: [e2e/arm64/initrd.img]\n' \
        "$2" > "$work/profiles/templates/$1.yaml"
    printf 'cmdline: console=ttyAMA0 panic=-1 %srackboot.role=%s\n' "${3:+$3 }" "$2" \
        >> "$work/profiles/templates/$1.yaml"
}
template arm64 arm64 'rackboot.host={{hostname}}'
template discovery-arm64 discovery
arm_mac=52:54:00:e2:a6:01 arm_ip=10.88.0.31
unknown_mac=52:54:00:e2:a6:99
printf 'hostname: arm-1\nmacs: [%s]\nip: %s\ntemplate: arm64\nstate: install\n' $arm_mac $arm_ip \
    > "$work/profiles/arm-1.yaml"

# --- the ARM64 VM ---------------------------------------------------------------------------------------------------
# (Not qemu-netboot.sh, whose machines are x86-64: this one is QEMU's aarch64 `virt` board, AAVMF in two 64 MiB pflash
# units, no option ROM on the NIC (romfile=: AAVMF's own PXE client), and always TCG.)
arm64_vm() { # name tap mac: runs in the background, console in $work/NAME.console
    vm_started[$1]=$SECONDS
    cp $aavmf/AAVMF_VARS.fd "$work/$1.vars"
    timeout "$vm_seconds" ip netns exec "$ns" qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg -smp 1 -m 512 \
        -display none -no-reboot -monitor none -serial "file:$work/$1.console" \
        -drive "if=pflash,format=raw,readonly=on,file=$aavmf/AAVMF_CODE.fd" \
        -drive "if=pflash,format=raw,file=$work/$1.vars" \
        -netdev "tap,id=n0,ifname=$2,script=no,downscript=no" \
        -device "virtio-net-pci,netdev=n0,mac=$3,romfile=,bootindex=1" > "$work/$1.qemu" 2>&1 &
    vm_pid[$1]=$!
    vm_pids+=($!)
}

# --- checks ---------------------------------------------------------------------------------------------------------
# Every file the machine at IP asked for over TFTP, in order, without a leading slash: each request is logged once
# as "transfer starting", as a missed config probe (debug) or as refused (notice).
requests() { # ip
    grep -a "ip=$1 " "$log" | grep -a "TFTP transfer starting\|TFTP config probe missed\|TFTP request refused" \
        | sed -n 's/.* file=\([^ ]*\) .*/\1/p' | sed 's|^/||'
}
check_boot() { # vm mac ip role config
    local vm=$1 mac=$2 ip=$3 role=$4 config=$5 marker file line outside
    if marker=$(wait_marker "$vm" "$vm_seconds"); then
        pass "$vm: AAVMF's PXE, Debian's ARM64 GRUB and kernel booted from Rackboot"
        echo "     $vm: marker after $((SECONDS - ${vm_started[$vm]})) s"
    else
        fail "$vm: AAVMF's PXE, Debian's ARM64 GRUB and kernel booted from Rackboot" \
            "$(tail -c 600 "$work/$vm.console" | tr -d '\r' | tail -5)"
        return
    fi
    expect_line "$vm: the kernel runs on aarch64 (uname -m)" " arch=aarch64 " "$marker" "$vm"
    expect_line "$vm: marker carries its MAC" "mac=$mac " "$marker" "$vm"
    line=$(grep -a "DHCPREQUEST acknowledged" "$log" | grep -a "mac=$mac " | head -1)
    if [ -n "$ip" ]; then
        expect_line "$vm: Linux got the reservation $ip" " ip=$ip " "$marker" "$vm"
    else
        expect_line "$vm: Linux got a pool address" " ip=10.88.0.1" "$marker" "$vm"
        ip=$(printf '%s' "$line" | sed -n 's/.* ip=\([0-9.]*\) .*/\1/p')
    fi
    expect_line "$vm: the command line of its GRUB config reached the kernel" "rackboot.role=$role" "$marker" "$vm"
    expect_line "$vm: DHCP saw option 93 = 11 and chose boot.files.efi_arm64" "arch=efi-arm64 file=grubnetaa64.efi " \
        "$line" "$vm"
    for file in grubnetaa64.efi grub/grub.cfg $config e2e/arm64/vmlinuz e2e/arm64/initrd.img; do
        check_transfer "$vm" "$mac" "$file"
    done
    echo "     $vm: TFTP requests: $(requests "$ip" | tr '\n' ' ')"
    line=$(grep -a "TFTP transfer complete" "$log" | grep -a "mac=$mac " | grep -a "file=e2e/arm64/vmlinuz " | head -1)
    echo "     $vm: kernel over TFTP:" \
        "$(printf '%s' "$line" | sed -n 's/.* bytes=\([0-9]*\) .*duration_ms=\([0-9]*\) .*/\1 bytes in \2 ms/p')"
    outside=$(requests "$ip" | grep -a -v -x 'grubnetaa64\.efi\|grub/.*\|e2e/arm64/vmlinuz\|e2e/arm64/initrd\.img')
    if [ -z "$outside" ]; then pass "$vm: GRUB asked for nothing outside its prefix /grub but kernel and initrd"; else
        fail "$vm: GRUB asked for nothing outside its prefix /grub but kernel and initrd" "$outside"
    fi
    if grep -a "ip=$ip " "$log" | grep -a -q "TFTP request refused"; then
        fail "$vm: no TFTP request refused" "$(grep -a "ip=$ip " "$log" | grep -a "TFTP request refused" | head -3)"
    else
        pass "$vm: no TFTP request refused"
    fi
}

# --- the boots ------------------------------------------------------------------------------------------------------
install_config --no-http --no-ipxe-scripts --efi-arm64 grubnetaa64.efi --unknown-template discovery-arm64
if out=$("$rackboot" check --config "$config" 2>&1); then
    pass "rackboot check accepts the ARM64 configuration"
else
    fail "rackboot check accepts the ARM64 configuration" "$out"
fi
if install_serve --log-level debug; then pass "rackboot serve starts"; else
    fail "rackboot serve starts" "$(tail -5 "$log")"
    report e2e-arm64
    exit 1
fi
arm64_vm arm-1 tap1 $arm_mac
arm64_vm unknown tap2 $unknown_mac
check_boot arm-1 $arm_mac $arm_ip arm64 "grub/grub.cfg-01-${arm_mac//:/-}"
expect_line "arm-1: per-machine variables reached the kernel" "rackboot.host=arm-1 rackboot.role=arm64" \
    "$(console_line arm-1 RACKBOOT-E2E-MARKER)" arm-1
check_boot unknown $unknown_mac "" discovery ""
if grep -a "TFTP transfer complete" "$log" | grep -a "mac=$unknown_mac " | grep -a -q "file=grub/grub.cfg-01-"; then
    fail "unknown: was given no machine's own GRUB config" \
        "$(grep -a "TFTP transfer complete" "$log" | grep -a "mac=$unknown_mac " | grep -a "file=grub/grub.cfg-01-")"
else
    pass "unknown: was given no machine's own GRUB config"
fi
stop_vm arm-1
stop_vm unknown
install_stop

report e2e-arm64
