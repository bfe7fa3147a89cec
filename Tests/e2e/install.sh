#!/usr/bin/env bash
# End to end: machines with empty disks install themselves through Rackboot and then boot their disks (issue 21).
# In a private network (a namespace with a bridge, one tap per VM and a veth to a second namespace, "peer", that
# plays other hosts; 10.88.0.0/24 only inside them) Rackboot serves DHCP, TFTP and HTTP (iPXE scripts, kernel,
# initrds, answer files, the disk image, the install callback). Each VM has a raw disk that survives its runs.
#   boot 1: bios-1 (SeaBIOS + iPXE) and efi-1 (OVMF + iPXE EFI) boot the installer (e2e/installer.img): it fetches
#           its answer file install.env, checks it is its own, streams e2e/disk.img from Rackboot's HTTP service onto
#           its disk with a fresh install id, calls back and reboots (QEMU -no-reboot: the run ends). Rackboot marks
#           them installed; another host's request for an answer file and a callback with a wrong token get 403;
#   boot 2: Rackboot hands both their disks (iPXE sanboot on BIOS, exit 1 and the next boot entry on UEFI); the
#           system on each disk prints the host name and install id of boot 1;
#   rackboot reinstall bios-1; a wrong token and the right token from the wrong address are refused;
#   boot 3: bios-1 installs again (a new install id); boot 4: it boots that new disk.
# The network, template, profiles, configuration, server, VMs and the install and disk-boot checks are shared with
# scripts/demo.sh (make demo) in Tests/e2e/lib/install-common.sh.
# Usage: install.sh path/to/rackboot        Prints ok/FAIL lines and "e2e-install: N passed, M failed".
set -uo pipefail
rackboot=$(realpath "${1:?usage: install.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source Tests/lib/report.sh
ns=rbinst$$
peer=rbpeer$$
namespaces=("$ns" "$peer")
work=$(mktemp -d)
source Tests/e2e/lib/install-common.sh
trap install_cleanup EXIT
trap 'exit 130' INT TERM
install_assets || { echo "e2e-install: cannot build the boot assets"; exit 1; }

# --- the private network: bridge br0 (the appliance, 10.88.0.2), taps for the VMs, a veth to the peer namespace --
install_network e2e-install 2
netns_veth "$peer" eth0 "$ns" peer0 br0
in_ns "$peer" ip addr add 10.88.0.3/24 dev eth0

# --- profiles, the installer template with its answer file, configuration ---------------------------------------
install_template
bios_mac=52:54:00:e2:20:01 bios_ip=10.88.0.11
efi_mac=52:54:00:e2:20:02 efi_ip=10.88.0.12
install_profile bios-1 $bios_mac $bios_ip
install_profile efi-1 $efi_mac $efi_ip
install_config
if check=$("$rackboot" check --config "$config" 2>&1); then pass "rackboot check accepts the install configuration"; else
    fail "rackboot check accepts the install configuration" "$check"
    report e2e-install
    exit 1
fi
if install_serve; then pass "rackboot serve starts with HTTP"; else
    fail "rackboot serve starts with HTTP" "$(tail -5 "$log")"
    report e2e-install
    exit 1
fi

# --- helpers (the shared ones are in Tests/e2e/lib/install-common.sh) --------------------------------------------
# HTTP status of an answer-file or callback request from the peer namespace, from source address SRC (borrowed for
# the request: an address of a machine whose VM is off, or the peer's own 10.88.0.3).
http_from() { # src method url
    local src=$1 status
    if [ "$src" != 10.88.0.3 ]; then
        in_ns "$peer" ip addr add "$src/24" dev eth0
        in_ns "$ns" ip neigh flush to "$src" dev br0 2>/dev/null
    fi
    status=$(in_ns "$peer" curl -s -o /dev/null -m 10 --interface "$src" -X "$2" -w '%{http_code}' "$3")
    if [ "$src" != 10.88.0.3 ]; then
        in_ns "$peer" ip addr del "$src/24" dev eth0
        in_ns "$ns" ip neigh flush to "$src" dev br0 2>/dev/null
    fi
    echo "$status"
}
# The callback URL with its token replaced: a `token=` value, else the last path segment.
wrong_token() {
    case "$1" in
        *token=*) printf '%s' "$1" | sed -E 's/(token=)[^&]*/\1wrong0wrong0wrong0wrong/' ;;
        *) printf '%s/wrong0wrong0wrong0wrong' "${1%/*}" ;;
    esac
}
rendered_callback() { # mac
    "$rackboot" render "$1" --config "$config" --file install.env 2>/dev/null | sed -n 's/^RACKBOOT_CALLBACK=//p'
}
# The log is written in the background: give a line a few seconds to appear.
refusal_logged() { since_mark | grep -a "Install callback refused" | grep -a -q "ip=$1 "; }
expect_refusal_logged() { # source-address
    if wait_for 5 refusal_logged "$1"; then pass "log says Install callback refused, with the source address $1"; else
        fail "log says Install callback refused, with the source address $1" "$(since_mark | grep -a -i callback | tail -3)"
    fi
}
expect_status() { # description expected actual
    if [ "$3" = "$2" ]; then pass "$1 ($3)"; else fail "$1" "HTTP status $3, expected $2"; fi
}

# --- before any boot: nobody else gets a machine's answer file ------------------------------------------------------
expect_status "the peer (10.88.0.3) is refused bios-1's answer file" 403 \
    "$(http_from 10.88.0.3 GET http://10.88.0.2:8080/files/bios-1/install.env)"
expect_status "efi-1's address is refused bios-1's answer file" 403 \
    "$(http_from $efi_ip GET http://10.88.0.2:8080/files/bios-1/install.env)"

# --- boot 1: both install -------------------------------------------------------------------------------------------
truncate -s 64M "$work/bios-1.disk" "$work/efi-1.disk"
mark_log
boot_vm bios-1.boot1 tap1 $bios_mac bios
boot_vm efi-1.boot1 tap2 $efi_mac ovmf
wait_vm bios-1.boot1
wait_vm efi-1.boot1
check_install bios-1.boot1 bios-1 $bios_ip $bios_mac
bios_id=$install_id
check_install efi-1.boot1 efi-1 $efi_ip $efi_mac
efi_id=$install_id
if [ -n "$bios_id" ] && [ -n "$efi_id" ] && [ "$bios_id" != "$efi_id" ]; then pass "each install has its own id"; else
    fail "each install has its own id" "bios-1: '$bios_id', efi-1: '$efi_id'"; fi
if grep -a "TFTP transfer complete" "$log" | grep -a -q "file=e2e/"; then
    fail "kernels and initrds came over HTTP, not TFTP" "$(grep -a "TFTP transfer complete" "$log" | grep -a file=e2e/ | head -2)"
else
    pass "kernels and initrds came over HTTP, not TFTP"
fi
expect_state bios-1 installed 1 "rackboot machines shows it installed"
expect_state efi-1 installed 1 "rackboot machines shows it installed"

# --- after the install: the spent token and a wrong one change nothing ----------------------------------------------
callback=$(rendered_callback $bios_mac)
if [ -n "$callback" ]; then pass "render --file install.env gives the callback URL ($callback)"; else
    fail "render --file install.env gives the callback URL" \
        "$("$rackboot" render $bios_mac --config "$config" --file install.env 2>&1 | tail -3)"
fi
mark_log
expect_status "a callback with a wrong token is refused" 403 "$(http_from $bios_ip POST "$(wrong_token "$callback")")"
expect_refusal_logged $bios_ip
expect_state bios-1 installed 1 "still installed after the refused callback"

# --- boot 2: both boot their disks ----------------------------------------------------------------------------------
mark_log
boot_vm bios-1.boot2 tap1 $bios_mac bios
boot_vm efi-1.boot2 tap2 $efi_mac ovmf
wait_vm bios-1.boot2
wait_vm efi-1.boot2
check_disk_boot bios-1.boot2 bios-1 "$bios_id" syslinux-bios $bios_ip $bios_mac
check_disk_boot efi-1.boot2 efi-1 "$efi_id" syslinux-efi $efi_ip $efi_mac
expect_state bios-1 installed 1 "still installed after booting its disk"

# --- reinstall: a fresh token; a wrong one, and the right one from another address, are refused ----------------------
if output=$("$rackboot" reinstall bios-1 --config "$config" 2>&1); then pass "rackboot reinstall bios-1 ($output)"; else
    fail "rackboot reinstall bios-1" "$output"; fi
expect_state bios-1 "reinstall pending" 1 "rackboot machines shows the reinstall"
callback=$(rendered_callback $bios_mac)
case "$callback" in
    http://10.88.0.2:8080/*[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*)
        pass "render --file install.env gives the new install token" ;;
    *) fail "render --file install.env gives the new install token" "RACKBOOT_CALLBACK=$callback" ;;
esac
mark_log
expect_status "a callback with a wrong token is refused while pending" 403 \
    "$(http_from $bios_ip POST "$(wrong_token "$callback")")"
expect_refusal_logged $bios_ip
expect_status "the right token from another address is refused" 403 "$(http_from 10.88.0.3 POST "$callback")"
expect_refusal_logged 10.88.0.3
expect_state bios-1 "reinstall pending" 1 "the refused callbacks changed nothing"

# --- boot 3: bios-1 installs again; boot 4: it boots the new disk -----------------------------------------------------
mark_log
boot_vm bios-1.boot3 tap1 $bios_mac bios
wait_vm bios-1.boot3
check_install bios-1.boot3 bios-1 $bios_ip $bios_mac
new_id=$install_id
if [ -n "$new_id" ] && [ "$new_id" != "$bios_id" ]; then pass "the reinstall has a new install id"; else
    fail "the reinstall has a new install id" "first: '$bios_id', second: '$new_id'"; fi
expect_state bios-1 installed 2 "rackboot machines shows it installed twice"
mark_log
boot_vm bios-1.boot4 tap1 $bios_mac bios
wait_vm bios-1.boot4
check_disk_boot bios-1.boot4 bios-1 "$new_id" syslinux-bios $bios_ip $bios_mac

install_stop
report e2e-install
