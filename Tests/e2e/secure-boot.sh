#!/usr/bin/env bash
# End to end: Secure Boot, enforced (issue 23). UEFI firmware with Secure Boot on (OVMF's Secure Boot build, Microsoft's
# keys enrolled; qemu-netboot.sh's `ovmf-secboot`) PXE-boots through Rackboot in a private network (a namespace with a
# bridge and one tap per VM, 10.88.0.0/24 only inside it), with OVMF's own PXE client (no iPXE ROM):
#   boot.files.efi_x64 = shimx64.efi (Debian's shim, signed by Microsoft):
#     sb-1     shim -> grubx64.efi (Debian's signed network GRUB) -> grub/grub.cfg, Rackboot's dispatcher -> the GRUB
#              config rendered for its MAC -> Debian's signed kernel (e2e/vmlinuz) and e2e/secureboot.img, whose /init
#              prints the marker with the firmware's SecureBoot variable (secureboot=1) and the kernel's lockdown mode;
#     unknown  a MAC without a profile: the dispatcher's unknown-machine entry, through the same signed chain;
#     sb-2     its template names e2e/vmlinuz-unsigned, the same kernel without its signature: shim's verifier in GRUB
#              refuses it, and no kernel runs;
#     sb-1-off the control: sb-1 under OVMF without Secure Boot boots the same chain, and its marker says secureboot=0;
#     sb-3     its profile chooses `loader: syslinux` (boot.loaders.syslinux.efi_x64 = syslinux.efi, not signed) in the
#              same rack: the firmware loads it over TFTP and refuses to start it (Access Denied), so syslinux never
#              asks for anything and no kernel runs.
# The assets come from Tests/e2e/build-assets.sh and Tests/e2e/build-secureboot-assets.sh (packages downloaded and
# unpacked under .build/e2e, never installed). The network, configuration, server, VMs and cleanup are
# Tests/e2e/lib/install-common.sh's. Every boot is bounded by qemu-netboot.sh's timeout ($vm_seconds).
# Usage: secure-boot.sh path/to/rackboot        Prints ok/FAIL lines and "e2e-secure-boot: N passed, M failed".
set -uo pipefail
rackboot=$(realpath "${1:?usage: secure-boot.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source Tests/lib/report.sh
vm_seconds=150
source Tests/e2e/lib/install-common.sh
install_begin rbsb
install_assets || { echo "e2e-secure-boot: cannot build the boot assets"; exit 1; }
bash Tests/e2e/build-secureboot-assets.sh "$assets" \
    || { echo "e2e-secure-boot: cannot build the Secure Boot assets"; exit 1; }

install_network e2e-secure-boot 4

# --- templates, profiles ------------------------------------------------------------------------------------------
mkdir -p "$work/profiles/templates" "$work/state"
template() { # name kernel role
    printf 'description: Rackboot Secure Boot end-to-end (%s)\nkernel: %s\ninitrds: [e2e/secureboot.img]\n' "$3" "$2" \
        > "$work/profiles/templates/$1.yaml"
    printf 'cmdline: console=ttyS0 panic=-1 rackboot.host={{hostname}} rackboot.role=%s\n' "$3" \
        >> "$work/profiles/templates/$1.yaml"
}
template secureboot e2e/vmlinuz secure-boot
template unsigned-kernel e2e/vmlinuz-unsigned unsigned-kernel
printf 'description: Rackboot Secure Boot discovery\nkernel: e2e/vmlinuz\ninitrds: [e2e/secureboot.img]\n%s\n' \
    'cmdline: console=ttyS0 panic=-1 rackboot.role=discovery' > "$work/profiles/templates/discovery.yaml"
profile() { # hostname mac ip template [loader]
    printf 'hostname: %s\nmacs: [%s]\nip: %s\ntemplate: %s\nstate: install\n' "$1" "$2" "$3" "$4" \
        > "$work/profiles/$1.yaml"
    if [ -n "${5:-}" ]; then printf 'loader: %s\n' "$5" >> "$work/profiles/$1.yaml"; fi
}
sb1_mac=52:54:00:e2:50:01 sb1_ip=10.88.0.21
sb2_mac=52:54:00:e2:50:02 sb2_ip=10.88.0.22
sb3_mac=52:54:00:e2:50:03 sb3_ip=10.88.0.23
unknown_mac=52:54:00:e2:50:99
profile sb-1 $sb1_mac $sb1_ip secureboot
profile sb-2 $sb2_mac $sb2_ip unsigned-kernel
# One rack, two loader families: sb-3's profile chooses syslinux (boot.loaders), the others get boot.files' shim.
profile sb-3 $sb3_mac $sb3_ip secureboot syslinux

# --- checks ---------------------------------------------------------------------------------------------------------
not_requested() { # vm key=value file description: no log line with key=value names file
    if grep -a "$2 " "$log" | grep -a -q "file=$3"; then
        fail "$1: $4" "$(grep -a "$2 " "$log" | grep -a "file=$3" | head -2)"
    else
        pass "$1: $4"
    fi
}
no_kernel() { # vm
    if grep -a -q RACKBOOT-E2E-MARKER "$work/$1.console"; then
        fail "$1: no kernel ran" "$(console_line "$1" RACKBOOT-E2E-MARKER)"
    else
        pass "$1: no kernel ran"
    fi
}
boot_time() { echo "     $1: $2 after $((SECONDS - ${vm_started[$1]})) s"; }
# The signed chain up to the marker: Secure Boot on in the booted kernel, and every step in Rackboot's log.
check_signed_boot() { # vm mac ip role config
    local vm=$1 mac=$2 ip=$3 role=$4 config=$5 marker file
    if marker=$(wait_marker "$vm" "$vm_seconds"); then
        pass "$vm: shim, GRUB and Debian's signed kernel booted under Secure Boot"
        boot_time "$vm" "marker"
    else
        fail "$vm: shim, GRUB and Debian's signed kernel booted under Secure Boot" \
            "$(tail -c 600 "$work/$vm.console" | tr -d '\r' | tail -5)"
        return
    fi
    expect_line "$vm: the firmware's SecureBoot variable is 1 in the booted kernel" " secureboot=1 " "$marker" "$vm"
    expect_line "$vm: the kernel locked itself down (integrity)" " lockdown=integrity " "$marker" "$vm"
    expect_line "$vm: marker carries its MAC" "mac=$mac " "$marker" "$vm"
    if [ -n "$ip" ]; then
        expect_line "$vm: Linux got the reservation $ip" " ip=$ip " "$marker" "$vm"
    else
        expect_line "$vm: Linux got a pool address" " ip=10.88.0.1" "$marker" "$vm"
    fi
    expect_line "$vm: the command line of its GRUB config reached the kernel" "rackboot.role=$role" "$marker" "$vm"
    expect_line "$vm: the kernel's EFI stub saw Secure Boot on" "UEFI Secure Boot is enabled" \
        "$(console_line "$vm" "UEFI Secure Boot is enabled")" "$vm"
    for file in shimx64.efi grubx64.efi grub/grub.cfg $config e2e/vmlinuz e2e/secureboot.img; do
        check_transfer "$vm" "$mac" "$file"
    done
}

# --- the signed chain, and a machine that chose another loader ----------------------------------------------------------------------------------
install_config --no-http --no-ipxe-scripts --efi-x64 shimx64.efi --unknown-template discovery \
    --boot-extra $'  loaders:\n    syslinux:\n      efi_x64: syslinux.efi\n'
if out=$("$rackboot" check --config "$config" 2>&1); then
    pass "rackboot check accepts the Secure Boot configuration"
else
    fail "rackboot check accepts the Secure Boot configuration" "$out"
fi
if install_serve; then pass "rackboot serve starts"; else
    fail "rackboot serve starts" "$(tail -5 "$log")"
    report e2e-secure-boot
    exit 1
fi
netboot_vm sb-1 tap1 $sb1_mac ovmf-secboot none
netboot_vm unknown tap2 $unknown_mac ovmf-secboot none
check_signed_boot sb-1 $sb1_mac $sb1_ip secure-boot "grub/grub.cfg-01-${sb1_mac//:/-}"
if grep -a "DHCPREQUEST acknowledged" "$log" | grep -a "mac=$sb1_mac " | grep -a -q "file=shimx64.efi "; then
    pass "sb-1: DHCP gave it shimx64.efi"
else
    fail "sb-1: DHCP gave it shimx64.efi" "$(grep -a "mac=$sb1_mac " "$log" | grep -a DHCP | tail -2)"
fi
check_signed_boot unknown $unknown_mac "" discovery ""
not_requested unknown "mac=$unknown_mac" grub/grub.cfg-01- "was given no machine's own GRUB config"
stop_vm sb-1
stop_vm unknown

# The same chain with a kernel whose signature was removed: GRUB asks shim to verify it and refuses it. Meanwhile the
# control: sb-1 under OVMF without Secure Boot boots the same chain, and its marker says so; and sb-3, whose profile
# chose syslinux, is given syslinux.efi, which Secure Boot firmware refuses to start.
netboot_vm sb-2 tap3 $sb2_mac ovmf-secboot none
netboot_vm sb-1-off tap1 $sb1_mac ovmf none
netboot_vm sb-3 tap4 $sb3_mac ovmf-secboot none
if line=$(wait_console sb-2 "$vm_seconds" "bad shim signature|RACKBOOT-E2E-MARKER|Kernel panic"); then
    boot_time sb-2 "'${line//$'\r'/}'"
fi
expect_line "sb-2: GRUB refused the unsigned kernel (shim's verifier)" "bad shim signature" "${line:-}" sb-2
no_kernel sb-2
for file in grubx64.efi "grub/grub.cfg-01-${sb2_mac//:/-}" e2e/vmlinuz-unsigned; do
    check_transfer sb-2 $sb2_mac "$file"
done
not_requested sb-2 ip=$sb2_ip e2e/secureboot.img "no initrd was loaded after the refusal"
stop_vm sb-2
marker=$(wait_marker sb-1-off "$vm_seconds") && boot_time sb-1-off marker
expect_line "sb-1-off: the same chain boots with Secure Boot off" "RACKBOOT-E2E-MARKER" "$marker" sb-1-off
expect_line "sb-1-off: its marker says Secure Boot off, no lockdown" " secureboot=0 lockdown=none " "$marker" sb-1-off
stop_vm sb-1-off
line=$(wait_console sb-3 "$vm_seconds" "failed to load .*|RACKBOOT-E2E-MARKER") && boot_time sb-3 "'$line'"
if grep -a "DHCPREQUEST acknowledged" "$log" | grep -a "mac=$sb3_mac " | grep -a -q "file=syslinux.efi "; then
    pass "sb-3: its profile's loader choice gave it syslinux.efi (boot.loaders.syslinux), beside shim for the others"
else
    fail "sb-3: its profile's loader choice gave it syslinux.efi" "$(grep -a "mac=$sb3_mac " "$log" | grep -a DHCP | tail -2)"
fi
expect_line "sb-3: the firmware refused to start the unsigned syslinux.efi" "Access Denied" "${line:-}" sb-3
check_transfer sb-3 $sb3_mac syslinux.efi
# What syslinux.efi would fetch first, had it run.
sleep 2
not_requested sb-3 ip=$sb3_ip ldlinux.e64 "syslinux.efi never ran (no ldlinux.e64 request)"
no_kernel sb-3
stop_vm sb-3
install_stop

report e2e-secure-boot
