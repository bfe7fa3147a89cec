#!/usr/bin/env bash
# End to end: real firmware PXE-boots through Rackboot. In a private network (a namespace with a bridge and one
# tap per VM, 10.88.0.0/24 only inside it) Rackboot serves DHCP and TFTP; QEMU machines boot from their NIC:
#   phase 1 (iPXE gets boot loaders): SeaBIOS + iPXE ROM -> pxelinux.0, and at the same time OVMF's native PXE
#            -> syslinux.efi; then an unknown MAC (unknown-machine policy) and a machine in state local;
#   phase 2 (iPXE gets its script, after a restart that keeps the leases): OVMF + iPXE EFI ROM -> ipxe script.
# Each booted VM's initramfs asks DHCP for its address and prints a marker with MAC, IP and command line.
# Usage: pxe-boot.sh path/to/rackboot        Prints ok/FAIL lines and "e2e: N passed, M failed".
set -uo pipefail
rackboot=$(realpath "${1:?usage: pxe-boot.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source Tests/lib/report.sh
# The assets, network, configuration, server and cleanup (which stops the VMs and the server by PID, then anything
# left in the namespace, and deletes it) are Tests/e2e/lib/install-common.sh's, shared with install.sh.
source Tests/e2e/lib/install-common.sh
install_begin rbe2e
install_assets || { echo "e2e: cannot build the boot assets"; exit 1; }

# --- the private network: bridge br0 (the appliance's port, 10.88.0.2) and taps for the VMs ----------------------
install_network e2e 5

# --- profiles and configuration ------------------------------------------------------------------------------
mkdir -p "$work/profiles/templates" "$work/state"
cat > "$work/profiles/templates/e2e.yaml" <<'YAML'
description: Rackboot end-to-end install
kernel: e2e/vmlinuz
initrds: [e2e/initrd.img]
cmdline: console=ttyS0 panic=-1 rackboot.host={{hostname}} rackboot.role={{role}} rackboot.rack={{rack}}
variables:
  rack: r1
YAML
cat > "$work/profiles/templates/discovery.yaml" <<'YAML'
description: Rackboot discovery image
kernel: e2e/vmlinuz
initrds: [e2e/initrd.img]
cmdline: console=ttyS0 panic=-1 rackboot.role=discovery
YAML
profile() { # file hostname mac ip state role
    printf 'hostname: %s\nmacs: [%s]\nip: %s\ntemplate: e2e\nstate: %s\nvariables:\n  role: %s\n' "$2" "$3" "$4" "$5" "$6" \
        > "$work/profiles/$1.yaml"
}
profile bios-1 bios-1 52:54:00:e2:00:01 10.88.0.11 install pxelinux-bios
profile efi-1 efi-1 52:54:00:e2:00:02 10.88.0.12 install syslinux-efi
profile ipxe-1 ipxe-1 52:54:00:e2:00:03 10.88.0.13 install ipxe-efi
profile local-1 local-1 52:54:00:e2:00:04 10.88.0.14 local installed
start_server() { # log
    log=$1
    install_serve && return 0
    fail "rackboot serve starts" "$(tail -5 "$log")"
    return 1
}

# --- VMs (install-common.sh's netboot_vm: no disk, and some no iPXE ROM; wait_marker) ---------------------------
check_vm() { # name mac ip role log hostname-or-empty config-file-prefix
    local name=$1 mac=$2 ip=$3 role=$4 log=$5 host=$6 config=$7
    local marker
    if marker=$(wait_marker "$name" 200); then
        pass "$name: booted Linux from the network"
    else
        fail "$name: booted Linux from the network" "$(tail -c 600 "$work/$name.console" | tr -d '\r' | tail -5)"
        return
    fi
    case "$marker" in *"mac=$mac "*) pass "$name: marker carries its MAC" ;; *) fail "$name: marker carries its MAC" "$marker" ;; esac
    if [ -n "$ip" ]; then
        case "$marker" in *" ip=$ip "*) pass "$name: Linux got the reservation $ip" ;; *) fail "$name: Linux got the reservation $ip" "$marker" ;; esac
    else
        case "$marker" in *" ip=10.88.0.1"[0-5][0-9]" "*) pass "$name: Linux got a pool address" ;; *) fail "$name: Linux got a pool address" "$marker" ;; esac
    fi
    case "$marker" in *"rackboot.role=$role"*) pass "$name: command line carries role=$role" ;; *) fail "$name: command line carries role=$role" "$marker" ;; esac
    if [ -n "$host" ]; then
        case "$marker" in *"rackboot.host=$host rackboot.role=$role rackboot.rack=r1"*) pass "$name: per-machine variables reached the kernel" ;;
            *) fail "$name: per-machine variables reached the kernel" "$marker" ;; esac
    fi
    if grep -a "DHCPREQUEST acknowledged" "$log" | grep -a "mac=$mac" > /dev/null; then pass "$name: log shows the lease"; else fail "$name: log shows the lease"; fi
    for file in "$config" e2e/vmlinuz e2e/initrd.img; do
        # A client that never sends the final ACK (docs/protocol.md, "End of transfer and the final ACK") has its
        # transfer logged once the server stops waiting for it, up to about 31 s later: wait that long before calling
        # the line missing.
        for _ in $(seq 40); do
            grep -a "TFTP transfer complete" "$log" | grep -a "file=$file" > /dev/null && break
            sleep 1
        done
        if grep -a "TFTP transfer complete" "$log" | grep -a "file=$file" > /dev/null; then pass "$name: log shows $file transferred"; else
            fail "$name: log shows $file transferred" "$(grep -a "file=$file" "$log" | grep -a "ip=$ip\|mac=$mac" | tail -4)"
        fi
    done
}

# --- phase 1 ---------------------------------------------------------------------------------------------------
install_config --no-ipxe-scripts --no-http --unknown-template discovery
start_server "$work/phase1.log" || exit 1
netboot_vm bios-1 tap1 52:54:00:e2:00:01 bios ipxe
netboot_vm efi-1 tap2 52:54:00:e2:00:02 ovmf none
check_vm bios-1 52:54:00:e2:00:01 10.88.0.11 pxelinux-bios "$work/phase1.log" bios-1 pxelinux.cfg/01-52-54-00-e2-00-01
check_vm efi-1 52:54:00:e2:00:02 10.88.0.12 syslinux-efi "$work/phase1.log" efi-1 pxelinux.cfg/01-52-54-00-e2-00-02
if grep -a "file=syslinux.efi" "$work/phase1.log" | grep -a "TFTP transfer complete" > /dev/null; then pass "efi-1: option 93 chose syslinux.efi"; else fail "efi-1: option 93 chose syslinux.efi"; fi
if grep -a "file=pxelinux.0" "$work/phase1.log" | grep -a "TFTP transfer complete" > /dev/null; then pass "bios-1: option 93 chose pxelinux.0"; else fail "bios-1: option 93 chose pxelinux.0"; fi

netboot_vm unknown tap4 52:54:00:e2:00:99 bios ipxe
netboot_vm local-1 tap5 52:54:00:e2:00:04 bios ipxe
check_vm unknown 52:54:00:e2:00:99 "" discovery "$work/phase1.log" "" pxelinux.cfg/default
# The local machine gets its config (LOCALBOOT 0), never the installer: no kernel, no marker.
end=$((SECONDS + 180))
until grep -a "TFTP transfer complete" "$work/phase1.log" | grep -a "file=pxelinux.cfg/01-52-54-00-e2-00-04" > /dev/null || [ $SECONDS -ge $end ]; do sleep 0.5; done
if grep -a "TFTP transfer complete" "$work/phase1.log" | grep -a "file=pxelinux.cfg/01-52-54-00-e2-00-04" > /dev/null; then
    pass "local-1: fetched its own config"
else
    fail "local-1: fetched its own config" "$(grep -a "52:54:00:e2:00:04\|ip=10.88.0.14 " "$work/phase1.log" | tail -6)" \
        "console: $(tail -c 400 "$work/local-1.console" 2>/dev/null | tr -d '\r' | tail -3)"
fi
sleep 5
if grep -a -q "RACKBOOT-E2E-MARKER" "$work/local-1.console" 2>/dev/null; then fail "local-1: not given the installer" "it booted the kernel"; else pass "local-1: not given the installer"; fi
if in_ns "$ns" "$rackboot" render 52:54:00:e2:00:04 --config "$config" 2>/dev/null | grep -a "LOCALBOOT 0" > /dev/null; then
    pass "local-1: its config boots the local disk"
else
    fail "local-1: its config boots the local disk"
fi
for pid in "${vm_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
vm_pids=()
install_stop

# --- phase 2: iPXE gets its script; the leases survived the restart -------------------------------------------
install_config --no-http --unknown-template discovery
start_server "$work/phase2.log" || exit 1
if grep -a -q "count=[1-9]" <(grep -a "DHCP leases loaded" "$work/phase2.log"); then pass "leases survive a restart"; else fail "leases survive a restart" "$(grep 'leases loaded' "$work/phase2.log")"; fi
netboot_vm ipxe-1 tap3 52:54:00:e2:00:03 ovmf ipxe
check_vm ipxe-1 52:54:00:e2:00:03 10.88.0.13 ipxe-efi "$work/phase2.log" ipxe-1 ipxe/01-52-54-00-e2-00-03.ipxe
install_stop

report e2e
