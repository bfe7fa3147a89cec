# The install cycle's shared pieces, for Tests/e2e/install.sh (the test) and scripts/demo.sh (make demo): the private
# network, the e2e installer's template and answer file, profiles, the configuration, `rackboot serve`, VMs with
# disks, and the checks of an install and of a disk boot. Tests/e2e/pxe-boot.sh and Tests/e2e/secure-boot.sh take
# their assets, network, configuration, server, VMs without disks and cleanup from here too; Tests/e2e/arm64.sh all
# but the VMs (its aarch64 machines are its own).
# Source it from the repository root after setting
#   rackboot    the binary (an absolute path)
#   ns          the appliance's namespace (bridge br0 = 10.88.0.2/24, the only place 10.88.0.0/24 exists)
#   namespaces  every namespace the script creates (ns first; Tests/lib/netns.sh, sourced here, creates and deletes them)
#   work        a fresh directory: configuration, profiles, state, log, consoles and disks go there
# and defining pass NAME and fail NAME DETAIL... (Tests/lib/report.sh's, or the demo's own). It gives:
#   install_assets               builds the boot assets; sets assets, image_bytes, image_sha256
#   install_network SUITE TAPS   creates the namespaces, br0 with the appliance's address, taps tap1..tapTAPS
#   install_template             profiles/templates/e2e-install.yaml and its answer file install.env
#   install_profile HOST MAC IP  profiles/HOST.yaml: that template, state install
#   install_config [OPTION...]   rackboot.yaml (DHCP on br0, TFTP, iPXE scripts, HTTP on 10.88.0.2:8080; the options
#                                are described where it is defined); sets config and log
#   install_serve [OPTION...]    starts `rackboot serve [OPTION...]` in ns (non-zero when it is not ready in 10 s)
#   install_stop                 stops it
#   install_cleanup              for the EXIT trap: stops the VMs and the server, deletes the namespaces and work
#                                (KEEP=1 keeps work)
#   boot_vm, netboot_vm, stop_vm, wait_vm, wait_console, wait_marker, console_line, mark_log, since_mark, lifecycle,
#   and the checks expect, expect_state, check_install, check_disk_boot (each described where it is defined).
source Tests/lib/netns.sh
server_pid=
vm_pids=()
vm_seconds=${vm_seconds:-240}
declare -A vm_pid vm_started

# Starts a suite of one namespace: PREFIX and this shell's PID name it, a fresh work folder, and cleanup of both (and
# of the server and VMs) on exit; INT and TERM exit 130.
install_begin() { # prefix
    ns=$1$$
    namespaces=("$ns")
    work=$(mktemp -d)
    trap install_cleanup EXIT
    trap 'exit 130' INT TERM
}

install_assets() {
    bash Tests/e2e/build-assets.sh || return 1
    assets=$repo/.build/e2e/tftproot
    image_bytes=$(stat -c %s "$assets/e2e/disk.img")
    image_sha256=$(sha256sum "$assets/e2e/disk.img" | cut -d' ' -f1)
}

install_cleanup() {
    for pid in "${vm_pids[@]}" $server_pid; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    netns_stop
    [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}

install_network() { # suite taps
    local index
    netns_create "$1"
    netns_bridge "$ns" br0 && in_ns "$ns" ip addr add 10.88.0.2/24 dev br0 || return 1
    for index in $(seq "$2"); do netns_tap "$ns" "tap$index" br0 || return 1; done
}

install_template() {
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
}

install_profile() { # hostname mac ip
    printf 'hostname: %s\nmacs: [%s]\nip: %s\ntemplate: e2e-install\nstate: install\n' "$1" "$2" "$3" \
        > "$work/profiles/$1.yaml"
}

# Paths inside the configuration are relative to its folder ($work). Options: --no-ipxe-scripts (iPXE gets the boot
# loaders, not its script), --no-http (no HTTP service), --unknown-template TEMPLATE (unknown MACs boot TEMPLATE),
# --efi-x64 FILE (the x86-64 UEFI boot file instead of syslinux.efi: shimx64.efi for Secure Boot), --efi-arm64 FILE
# (the ARM64 UEFI boot file, boot.files.efi_arm64; none without it), --boot-extra YAML (lines added to boot:),
# --subnets YAML (subnet entries after br0's: relayed and proxy subnets), --http-address ADDR (HTTP listens there
# instead of 10.88.0.2: 0.0.0.0 reaches every subnet's boot server).
install_config() { # [--no-ipxe-scripts] [--no-http] [--unknown-template T] [--efi-x64 F] [--efi-arm64 F] [--boot-extra YAML] [--subnets YAML] [--http-address A]
    local ipxe_scripts=true http=true unknown= efi_x64=syslinux.efi efi_arm64= boot_extra= subnets= http_address=10.88.0.2
    while [ $# -gt 0 ]; do
        case "$1" in
            --no-ipxe-scripts) ipxe_scripts=false ;;
            --no-http) http=false ;;
            --unknown-template) unknown=$2; shift ;;
            --efi-x64) efi_x64=$2; shift ;;
            --efi-arm64) efi_arm64=$2; shift ;;
            --boot-extra) boot_extra=$2; shift ;;
            --subnets) subnets=$2; shift ;;
            --http-address) http_address=$2; shift ;;
            *) echo "install_config: unknown option $1" >&2; return 1 ;;
        esac
        shift
    done
    config=$work/rackboot.yaml
    log=$work/serve.log
    {
        printf 'profiles: profiles\nstate_directory: state\n'
        if [ -n "$unknown" ]; then printf 'unknown_machines:\n  boot: template\n  template: %s\n' "$unknown"; fi
        cat <<YAML
boot:
  next_server: 10.88.0.2
  files:
    bios: pxelinux.0
    efi_x64: $efi_x64
${efi_arm64:+    efi_arm64: $efi_arm64
}  ipxe_scripts: $ipxe_scripts
${boot_extra}dhcp:
  lease_time: 10m
  subnets:
    - network: 10.88.0.0/24
      interface: br0
      pools: [10.88.0.100-10.88.0.150]
${subnets}tftp:
  root: $assets
YAML
        if $http; then printf 'http:\n  address: %s\n  port: 8080\n' "$http_address"; fi
    } > "$config"
}

install_serve() { # [serve option...], such as --log-level debug
    ip netns exec "$ns" "$rackboot" serve --config "$config" --log console "$@" > /dev/null 2> "$log" &
    server_pid=$!
    wait_for 10 grep -a -q "] ready" "$log"
}

install_stop() {
    kill -TERM "$server_pid"
    wait "$server_pid"
    server_pid=
}

boot_vm() { # run-name tap mac firmware: runs in the background with the machine's disk, console in $work/RUN.console
    vm_started[$1]=$SECONDS
    bash Tests/e2e/qemu-netboot.sh "$ns" "$2" "$3" "$4" ipxe "$work/$1.console" "$vm_seconds" "$work/${1%%.*}.disk" \
        > "$work/$1.qemu" 2>&1 &
    vm_pid[$1]=$!
    vm_pids+=($!)
}

# A VM without a disk (some without an iPXE ROM), in the background; its console in $work/NAME.console.
netboot_vm() { # name tap mac firmware(bios|ovmf|ovmf-secboot) rom(ipxe|none)
    vm_started[$1]=$SECONDS
    bash Tests/e2e/qemu-netboot.sh "$ns" "$2" "$3" "$4" "$5" "$work/$1.console" "$vm_seconds" > "$work/$1.qemu" 2>&1 &
    vm_pid[$1]=$!
    vm_pids+=($!)
}

stop_vm() { # name: ends a VM that does not end by itself (a refused boot), by its PID
    kill "${vm_pid[$1]}" 2>/dev/null
    wait "${vm_pid[$1]}" 2>/dev/null
}

wait_console() { # name seconds pattern -> the first console line matching the extended regex PATTERN, on stdout
    local end=$((SECONDS + $2)) line
    while [ $SECONDS -lt $end ]; do
        line=$(grep -a -m1 -E "$3" "$work/$1.console" 2>/dev/null) && { printf '%s\n' "${line//$'\r'/}"; return 0; }
        sleep 0.5
    done
    return 1
}
wait_marker() { wait_console "$1" "$2" RACKBOOT-E2E-MARKER; } # name seconds -> marker line on stdout

# Waits for the VM to power off or reboot (bounded by qemu-netboot.sh's timeout, $vm_seconds); with COMMAND, runs it
# every half second meanwhile and once after the VM has ended (the demo shows the log and the console as they grow).
wait_vm() { # run-name [command...]
    local run=$1 status
    shift
    if [ $# -gt 0 ]; then
        for _ in $(seq $((vm_seconds * 2 + 20))); do
            kill -0 "${vm_pid[$run]}" 2>/dev/null || break
            "$@"
            sleep 0.5
        done
    fi
    wait "${vm_pid[$run]}"
    status=$?
    [ $# -gt 0 ] && "$@"
    echo "     $run: the VM ran $((SECONDS - ${vm_started[$run]})) s (exit status $status)"
    [ $status -eq 124 ] && fail "$run: the VM finished within its timeout (${vm_seconds} s)" \
        "$(tail -c 600 "$work/$run.console" 2>/dev/null | tr -d '\r' | tail -4)"
}

console_line() { grep -a -m1 "$2" "$work/$1.console" 2>/dev/null | tr -d '\r'; }
expect() { # run-name description glob line
    case "$4" in *$3*) pass "$1: $2" ;; *) fail "$1: $2" "${4:-(no line)}" \
        "$(tail -c 600 "$work/$1.console" 2>/dev/null | tr -d '\r' | tail -4)" ;; esac
}

# The log since the last mark_log (taken before each boot): what this boot caused.
mark_log() { log_mark=$(wc -l < "$log"); }
since_mark() { tail -n +$((log_mark + 1)) "$log"; }
logged_since_mark() { # pattern...: a line since the mark matches every pattern
    local lines pattern
    lines=$(since_mark)
    for pattern in "$@"; do lines=$(grep -a -- "$pattern" <<< "$lines") || return 1; done
}

# The lifecycle field and install count of one machine in `rackboot machines --json`.
lifecycle() {
    "$rackboot" machines --config "$config" --json 2>/dev/null | python3 -c '
import json, sys
for machine in json.load(sys.stdin):
    if machine["hostname"] == sys.argv[1]:
        print(machine["lifecycle"], machine["install_count"])' "$1"
}
expect_state() { # hostname lifecycle install-count description
    local state
    state=$(lifecycle "$1")
    if [ "$state" = "$2 $3" ]; then pass "$1: $4 ($state)"; else fail "$1: $4" "rackboot machines: '$state', expected '$2 $3'"; fi
}

# An install: its own answer file, the disk image written whole, the callback accepted, and in the log its iPXE
# script, kernel, initrd, answer file and image served over HTTP, "Machine install started" and "Machine installed".
check_install() { # run-name hostname ip mac -> install id in $install_id
    local run=$1 host=$2 ip=$3 mac=$4 line path
    expect "$run" "the answer file is its own" "RACKBOOT-INSTALL-ANSWER ok host=$host ip=$ip mac=$mac" \
        "$(console_line "$run" RACKBOOT-INSTALL-ANSWER)"
    line=$(console_line "$run" RACKBOOT-INSTALL-WRITTEN)
    expect "$run" "disk.img written whole to its disk" "host=$host id=* bytes=$image_bytes sha256=$image_sha256" "$line"
    install_id=$(printf '%s' "$line" | sed -n 's/.* id=\([0-9a-f]*\) .*/\1/p')
    expect "$run" "its callback was accepted" "RACKBOOT-INSTALL-CALLBACK status=ok" \
        "$(console_line "$run" RACKBOOT-INSTALL-CALLBACK)"
    for line in "Machine install started" "Machine installed"; do
        if wait_for 5 logged_since_mark "$line" "hostname=$host " "mac=$mac "; then
            pass "$run: log says $line with its MAC and host name"
        else
            fail "$run: log says $line with its MAC and host name" "$(grep -a "hostname=$host " "$log" | tail -4)"
        fi
    done
    for path in "/ipxe/01-${mac//:/-}.ipxe" /e2e/vmlinuz /e2e/installer.img "/files/$host/install.env" /e2e/disk.img; do
        if logged_since_mark "HTTP request served" "ip=$ip " "path=$path " "status=200"; then
            pass "$run: $path over HTTP"
        else
            fail "$run: $path over HTTP" "$(grep -a "ip=$ip " "$log" | grep -a HTTP | tail -4)"
        fi
    done
}

# A disk boot: the installed system's marker with the host name and install id, no installer, no kernel or initrd
# from the network, and its iPXE script (which hands over to the disk) over HTTP.
check_disk_boot() { # run-name hostname install-id loader ip mac
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
    if logged_since_mark "HTTP request served" "ip=$5 " "path=/ipxe/01-${6//:/-}.ipxe "; then
        pass "$run: fetched its iPXE script over HTTP"
    else
        fail "$run: fetched its iPXE script over HTTP" "$(grep -a "ip=$5 " "$log" | tail -3)"
    fi
}

# --- checks shared by the suites --------------------------------------------------------------------------------------
expect_line() { # description glob line vm: passes when line matches *glob*, else shows the VM's console tail
    case "$3" in *$2*) pass "$1" ;; *) fail "$1" "${3:-(no line)}" \
        "$(tail -c 600 "$work/$4.console" 2>/dev/null | tr -d '\r' | tail -4)" ;; esac
}
# A transfer is logged once it ends; a client that never sends the final ACK is logged when the server stops waiting
# (docs/protocol.md, "End of transfer and the final ACK"), up to about 31 s later.
transferred() { grep -a "TFTP transfer complete" "$log" | grep -a "mac=$1 " | grep -a -q "file=$2 "; } # mac file
check_transfer() { # vm mac file
    if wait_for 40 transferred "$2" "$3"; then
        pass "$1: Rackboot's log shows $3 transferred"
    else
        fail "$1: Rackboot's log shows $3 transferred" "$(grep -a "mac=$2 \|file=$3 " "$log" | tail -4)"
    fi
}
