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
# Usage: install.sh path/to/rackboot        Prints ok/FAIL lines and "e2e-install: N passed, M failed".
set -uo pipefail
rackboot=$(realpath "${1:?usage: install.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source Tests/lib/report.sh
bash Tests/e2e/build-assets.sh || { echo "e2e-install: cannot build the boot assets"; exit 1; }
assets=$repo/.build/e2e/tftproot
image_bytes=$(stat -c %s "$assets/e2e/disk.img")
image_sha256=$(sha256sum "$assets/e2e/disk.img" | cut -d' ' -f1)
ns=rbinst$$
peer=rbpeer$$
namespaces=("$ns" "$peer")
work=$(mktemp -d)
server_pid=
vm_pids=()
source Tests/lib/netns.sh
cleanup() {
    for pid in "${vm_pids[@]}" $server_pid; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    netns_stop
    [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the private network: bridge br0 (the appliance, 10.88.0.2), taps for the VMs, a veth to the peer namespace --
netns_create e2e-install
netns_bridge "$ns" br0
in_ns "$ns" ip addr add 10.88.0.2/24 dev br0
for index in 1 2; do netns_tap "$ns" "tap$index" br0; done
netns_veth "$peer" eth0 "$ns" peer0 br0
in_ns "$peer" ip addr add 10.88.0.3/24 dev eth0

# --- profiles, the installer template with its answer file, configuration ---------------------------------------
mkdir -p "$work/profiles/templates/e2e-install" "$work/state"
cat > "$work/profiles/templates/e2e-install.yaml" <<'YAML'
description: Rackboot end-to-end installer
kernel: e2e/vmlinuz
initrds: [e2e/installer.img]
cmdline: console=ttyS0 panic=-1 rackboot.host={{hostname}} rackboot.files={{files_url}}
files:
  install.env: e2e-install/install.env
YAML
cat > "$work/profiles/templates/e2e-install/install.env" <<'ENV'
# The e2e installer's answers (installer-init.sh): who it is, what to write, whom to tell.
RACKBOOT_HOSTNAME={{hostname}}
RACKBOOT_IP={{ip}}
RACKBOOT_MAC={{mac}}
RACKBOOT_IMAGE={{http}}/e2e/disk.img
RACKBOOT_CALLBACK={{callback_url}}
ENV
profile() { # hostname mac ip
    printf 'hostname: %s\nmacs: [%s]\nip: %s\ntemplate: e2e-install\nstate: install\n' "$1" "$2" "$3" \
        > "$work/profiles/$1.yaml"
}
bios_mac=52:54:00:e2:20:01 bios_ip=10.88.0.11
efi_mac=52:54:00:e2:20:02 efi_ip=10.88.0.12
profile bios-1 $bios_mac $bios_ip
profile efi-1 $efi_mac $efi_ip
cat > "$work/rackboot.yaml" <<YAML
profiles: $work/profiles
state_directory: $work/state
boot:
  next_server: 10.88.0.2
  files:
    bios: pxelinux.0
    efi_x64: syslinux.efi
  ipxe_scripts: true
dhcp:
  lease_time: 10m
  subnets:
    - network: 10.88.0.0/24
      interface: br0
      pools: [10.88.0.100-10.88.0.150]
tftp:
  root: $assets
http:
  address: 10.88.0.2
  port: 8080
YAML
config=$work/rackboot.yaml
log=$work/serve.log
if check=$("$rackboot" check --config "$config" 2>&1); then pass "rackboot check accepts the install configuration"; else
    fail "rackboot check accepts the install configuration" "$check"
    report e2e-install
    exit 1
fi
ip netns exec "$ns" "$rackboot" serve --config "$config" --log console > /dev/null 2> "$log" &
server_pid=$!
if wait_for 10 grep -a -q "] ready" "$log"; then pass "rackboot serve starts with HTTP"; else
    fail "rackboot serve starts with HTTP" "$(tail -5 "$log")"
    report e2e-install
    exit 1
fi

# --- helpers ------------------------------------------------------------------------------------------------------
declare -A vm_pid vm_started
boot_vm() { # run-name tap mac firmware: runs in the background with the machine's disk, console in $work/RUN.console
    vm_started[$1]=$SECONDS
    bash Tests/e2e/qemu-netboot.sh "$ns" "$2" "$3" "$4" ipxe "$work/$1.console" 240 "$work/${1%%.*}.disk" \
        > "$work/$1.qemu" 2>&1 &
    vm_pid[$1]=$!
    vm_pids+=($!)
}
wait_vm() { # run-name: waits for the VM to power off or reboot (bounded by qemu-netboot.sh's timeout)
    wait "${vm_pid[$1]}"
    local status=$?
    echo "     $1: the VM ran $((SECONDS - ${vm_started[$1]})) s (exit status $status)"
    [ $status -eq 124 ] && fail "$1: the VM finished within its timeout" \
        "$(tail -c 600 "$work/$1.console" 2>/dev/null | tr -d '\r' | tail -4)"
}
console_line() { grep -a -m1 "$2" "$work/$1.console" 2>/dev/null | tr -d '\r'; }
expect() { # run-name description glob line
    case "$4" in *$3*) pass "$1: $2" ;; *) fail "$1: $2" "${4:-(no line)}" \
        "$(tail -c 600 "$work/$1.console" 2>/dev/null | tr -d '\r' | tail -4)" ;; esac
}
# The lifecycle field of one machine in `rackboot machines --json`.
lifecycle() {
    "$rackboot" machines --config "$config" --json 2>/dev/null | python3 -c '
import json, sys
for machine in json.load(sys.stdin):
    if machine["hostname"] == sys.argv[1]:
        print(machine["lifecycle"], machine["install_count"])' "$1"
}
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
# The log since the last mark_log (taken before each boot): what this boot caused.
mark_log() { log_mark=$(wc -l < "$log"); }
since_mark() { tail -n +$((log_mark + 1)) "$log"; }
check_install() { # run-name hostname ip mac -> install id in $install_id
    local run=$1 host=$2 ip=$3 mac=$4 line
    expect "$run" "the answer file is its own" "RACKBOOT-INSTALL-ANSWER ok host=$host ip=$ip mac=$mac" \
        "$(console_line "$run" RACKBOOT-INSTALL-ANSWER)"
    line=$(console_line "$run" RACKBOOT-INSTALL-WRITTEN)
    expect "$run" "disk.img written whole to its disk" "host=$host id=* bytes=$image_bytes sha256=$image_sha256" "$line"
    install_id=$(printf '%s' "$line" | sed -n 's/.* id=\([0-9a-f]*\) .*/\1/p')
    expect "$run" "its callback was accepted" "RACKBOOT-INSTALL-CALLBACK status=ok" \
        "$(console_line "$run" RACKBOOT-INSTALL-CALLBACK)"
    if since_mark | grep -a "Machine installed" | grep -a "hostname=$host " | grep -a -q "mac=$mac "; then
        pass "$run: log says Machine installed with its MAC and host name"
    else
        fail "$run: log says Machine installed with its MAC and host name" "$(grep -a "hostname=$host " "$log" | tail -4)"
    fi
    for path in /e2e/vmlinuz /e2e/installer.img /e2e/disk.img "/files/$host/install.env"; do
        if since_mark | grep -a "HTTP request served" | grep -a "ip=$ip " | grep -a "path=$path " | grep -a -q "status=200"; then
            pass "$run: $path over HTTP"
        else
            fail "$run: $path over HTTP" "$(grep -a "ip=$ip " "$log" | grep -a HTTP | tail -4)"
        fi
    done
}
check_disk_boot() { # run-name hostname install-id loader ip
    local run=$1
    expect "$run" "booted its disk, installed as $2 (id $3)" "RACKBOOT-DISK-MARKER host=$2 id=$3 *rackboot.loader=$4" \
        "$(console_line "$run" RACKBOOT-DISK-MARKER)"
    if grep -a -q RACKBOOT-INSTALL "$work/$run.console"; then
        fail "$run: the installer did not run" "$(grep -a RACKBOOT-INSTALL "$work/$run.console" | tr -d '\r')"
    else
        pass "$run: the installer did not run"
    fi
    if since_mark | grep -a "ip=$5 " | grep -a -q "path=/e2e/\|file=e2e/"; then
        fail "$run: no kernel or initrd from the network" "$(since_mark | grep -a "ip=$5 " | grep -a "e2e/" | head -3)"
    else
        pass "$run: no kernel or initrd from the network"
    fi
}
expect_state() { # hostname lifecycle install-count description
    local state
    state=$(lifecycle "$1")
    if [ "$state" = "$2 $3" ]; then pass "$1: $4 ($state)"; else fail "$1: $4" "rackboot machines: '$state', expected '$2 $3'"; fi
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
check_disk_boot bios-1.boot2 bios-1 "$bios_id" syslinux-bios $bios_ip
check_disk_boot efi-1.boot2 efi-1 "$efi_id" syslinux-efi $efi_ip
for pair in "bios-1 $bios_ip ${bios_mac//:/-}" "efi-1 $efi_ip ${efi_mac//:/-}"; do
    set -- $pair
    if since_mark | grep -a "HTTP request served" | grep -a "ip=$2 " | grep -a -q "path=/ipxe/01-$3.ipxe "; then
        pass "$1.boot2: fetched its iPXE script over HTTP"
    else
        fail "$1.boot2: fetched its iPXE script over HTTP" "$(grep -a "ip=$2 " "$log" | tail -3)"
    fi
done
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
check_disk_boot bios-1.boot4 bios-1 "$new_id" syslinux-bios $bios_ip

kill -TERM "$server_pid"
wait "$server_pid"
server_pid=
report e2e-install
