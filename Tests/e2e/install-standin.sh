#!/usr/bin/env bash
# The install assets (build-install-assets.sh) end to end, without Rackboot's own HTTP service: Rackboot serves
# DHCP and TFTP only (iPXE scripts), and a small Python HTTP server stands in for the answer files, the disk image
# and the install callback. In a private namespace (10.88.0.0/24 only inside it):
#   round 1: bios-1 (SeaBIOS + iPXE) and efi-1 (OVMF + iPXE EFI) boot the installer with an empty 64 MiB disk each:
#            answer file checked, image streamed onto the disk, identity written, callback POSTed, reboot; at the
#            same time wrong-1 gets an answer file that is not its own and must stop without touching its disk;
#   round 2: both machines in state local (Rackboot restarted with the edited profiles) boot again with the same
#            disks: BIOS iPXE sanboots the disk, OVMF falls through from iPXE's `exit 1` to the disk; the system on
#            the disk prints the host name and install id of round 1;
#   round 3: bios-2 in state local with pxelinux (no iPXE scripts): pxelinux's LOCALBOOT 0 hands back to SeaBIOS,
#            which boots the disk installed for bios-1 (copied).
# Not part of `make e2e`, where install.sh runs the same cycle against Rackboot's own HTTP service; run it after
# changing the install assets: it also covers what install.sh cannot, the installer refusing an answer file that is
# not its own (leaving its disk untouched) and pxelinux's LOCALBOOT 0 on SeaBIOS.
# Usage: install-standin.sh path/to/rackboot        Prints ok/FAIL lines and "install-standin: N passed, M failed".
set -uo pipefail
rackboot=$(realpath "${1:?usage: install-standin.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source Tests/lib/report.sh
bash Tests/e2e/build-assets.sh || { echo "install-standin: cannot build the boot assets"; exit 1; }
assets=$repo/.build/e2e/tftproot
image_sha256=$(sha256sum "$assets/e2e/disk.img" | cut -d' ' -f1)
ns=rbinst$$
namespaces=("$ns")
work=$(mktemp -d)
server_pid=
http_pid=
vm_pids=()
source Tests/lib/netns.sh
cleanup() {
    for pid in "${vm_pids[@]}" $server_pid $http_pid; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    netns_stop
    [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_create install-standin
netns_bridge "$ns" br0
in_ns "$ns" ip addr add 10.88.0.2/24 dev br0
for index in 1 2 3 4; do netns_tap "$ns" "tap$index" br0; done

# --- the stand-in HTTP server: GET from $work/http, POST /callback/... answered 200; one log line per request ------
mkdir -p "$work/http/e2e"
ln -s "$assets/e2e/disk.img" "$work/http/e2e/disk.img"
cat > "$work/http-standin.py" <<'PY'
import http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ok = self.path.startswith("/callback/")
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n" if ok else b"no\n")
    def log_message(self, format, *args):
        print("%s %s" % (self.client_address[0], format % args), flush=True)
http.server.ThreadingHTTPServer(("10.88.0.2", 8080),
    lambda *a: Handler(*a, directory=sys.argv[1])).serve_forever()
PY
ip netns exec "$ns" python3 "$work/http-standin.py" "$work/http" > "$work/http.log" 2>&1 &
http_pid=$!
wait_for 10 in_ns "$ns" curl -s -o /dev/null http://10.88.0.2:8080/ || { fail "stand-in HTTP server starts" "$(cat "$work/http.log")"; report install-standin; exit 1; }

answer() { # hostname ip mac [answer-host answer-ip]: writes files/HOSTNAME/install.env (with another's values if given)
    mkdir -p "$work/http/files/$1"
    printf 'RACKBOOT_HOSTNAME=%s\nRACKBOOT_IP=%s\nRACKBOOT_MAC=%s\nRACKBOOT_IMAGE=%s\nRACKBOOT_CALLBACK=%s\n' \
        "${4:-$1}" "${5:-$2}" "$3" http://10.88.0.2:8080/e2e/disk.img \
        "http://10.88.0.2:8080/callback/$1?token=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
        > "$work/http/files/$1/install.env"
}

# --- Rackboot: DHCP + TFTP --------------------------------------------------------------------------------------
mkdir -p "$work/profiles/templates" "$work/state"
cat > "$work/profiles/templates/install.yaml" <<'YAML'
description: Rackboot end-to-end installer
kernel: e2e/vmlinuz
initrds: [e2e/installer.img]
cmdline: console=ttyS0 panic=-1 rackboot.host={{hostname}} rackboot.files=http://10.88.0.2:8080/files/{{hostname}}
YAML
profile() { # hostname mac ip state
    printf 'hostname: %s\nmacs: [%s]\nip: %s\ntemplate: install\nstate: %s\n' "$1" "$2" "$3" "$4" > "$work/profiles/$1.yaml"
}
config() { # ipxe_scripts
    cat > "$work/rackboot.yaml" <<YAML
profiles: $work/profiles
state_directory: $work/state
boot:
  next_server: 10.88.0.2
  files:
    bios: pxelinux.0
    efi_x64: syslinux.efi
  ipxe_scripts: $1
dhcp:
  lease_time: 10m
  subnets:
    - network: 10.88.0.0/24
      interface: br0
      pools: [10.88.0.100-10.88.0.150]
tftp:
  root: $assets
YAML
}
start_server() { # log
    ip netns exec "$ns" "$rackboot" serve --config "$work/rackboot.yaml" --log console > /dev/null 2> "$1" &
    server_pid=$!
    wait_for 10 grep -a -q "] ready" "$1" && return 0
    fail "rackboot serve starts" "$(tail -5 "$1")"
    return 1
}
stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid"
    server_pid=
}

# --- VMs: each runs until it powers off or reboots (-no-reboot), at most 240 s ---------------------------------
declare -A vm_pid vm_started
boot_vm() { # name tap mac firmware rom disk
    vm_started[$1]=$SECONDS
    bash Tests/e2e/qemu-netboot.sh "$ns" "$2" "$3" "$4" "$5" "$work/$1.console" 240 "$6" > "$work/$1.qemu" 2>&1 &
    vm_pid[$1]=$!
    vm_pids+=($!)
}
wait_vm() { # name: waits for QEMU to exit, prints how long the boot took
    wait "${vm_pid[$1]}"
    local status=$?
    echo "     $1: QEMU exited with $status after $((SECONDS - ${vm_started[$1]})) s"
}
marker() { grep -a -m1 "$2" "$work/$1.console" 2>/dev/null | tr -d '\r'; }
expect() { # name check-description pattern line
    case "$4" in *$3*) pass "$1: $2" ;; *) fail "$1: $2" "${4:-(no line)}" "$(tail -c 600 "$work/$1.console" 2>/dev/null | tr -d '\r' | tail -4)" ;; esac
}
check_install() { # name host ip mac -> install id in $install_id
    local name=$1 host=$2 ip=$3 mac=$4 line
    line=$(marker "$name" RACKBOOT-INSTALL-ANSWER)
    expect "$name" "answer file is its own" "RACKBOOT-INSTALL-ANSWER ok host=$host ip=$ip mac=$mac" "$line"
    line=$(marker "$name" RACKBOOT-INSTALL-WRITTEN)
    expect "$name" "image written to the disk (sha256 of disk.img)" "host=$host id=* bytes=$(stat -c %s "$assets/e2e/disk.img") sha256=$image_sha256" "$line"
    install_id=$(printf '%s' "$line" | sed -n 's/.* id=\([0-9a-f]*\) .*/\1/p')
    line=$(marker "$name" RACKBOOT-INSTALL-CALLBACK)
    expect "$name" "callback succeeded" "status=ok" "$line"
    if grep -a "^$ip " "$work/http.log" | grep -a -q "\"POST /callback/$host?token="; then pass "$name: stand-in saw the callback POST from $ip"; else
        fail "$name: stand-in saw the callback POST from $ip" "$(tail -5 "$work/http.log")"; fi
    if grep -a "^$ip " "$work/http.log" | grep -a -q "\"GET /e2e/disk.img HTTP/1.1\" 200"; then pass "$name: image fetched over HTTP"; else
        fail "$name: image fetched over HTTP" "$(tail -5 "$work/http.log")"; fi
}
check_disk_boot() { # name host id log ip
    local name=$1 line
    line=$(marker "$name" RACKBOOT-DISK-MARKER)
    expect "$name" "booted the installed disk (host=$2 id=$3)" "RACKBOOT-DISK-MARKER host=$2 id=$3 " "$line"
    if grep -a -q RACKBOOT-INSTALL "$work/$name.console"; then fail "$name: installer not run" "$(grep -a RACKBOOT-INSTALL "$work/$name.console")"; else pass "$name: installer not run"; fi
    if grep -a "TFTP transfer" "$4" | grep -a "ip=$5 " | grep -a -q "file=e2e/"; then fail "$name: no kernel or initrd over the network" "$(grep -a "ip=$5 " "$4" | grep -a file=e2e/)"; else
        pass "$name: no kernel or initrd over the network"; fi
}

# --- round 1: install ---------------------------------------------------------------------------------------------
profile bios-1 52:54:00:e2:10:01 10.88.0.21 install
profile efi-1 52:54:00:e2:10:02 10.88.0.22 install
profile wrong-1 52:54:00:e2:10:03 10.88.0.23 install
answer bios-1 10.88.0.21 52:54:00:e2:10:01
answer efi-1 10.88.0.22 52:54:00:e2:10:02
answer wrong-1 10.88.0.23 52:54:00:e2:10:03 bios-1 10.88.0.21 # bios-1's name and address: not its own
for name in bios-1 efi-1 wrong-1; do truncate -s 64M "$work/$name.disk"; done
config true
start_server "$work/round1.log" || exit 1
boot_vm bios-1 tap1 52:54:00:e2:10:01 bios ipxe "$work/bios-1.disk"
boot_vm efi-1 tap2 52:54:00:e2:10:02 ovmf ipxe "$work/efi-1.disk"
boot_vm wrong-1 tap3 52:54:00:e2:10:03 bios ipxe "$work/wrong-1.disk"
for name in bios-1 efi-1 wrong-1; do wait_vm "$name"; done
check_install bios-1 bios-1 10.88.0.21 52:54:00:e2:10:01
bios_id=$install_id
check_install efi-1 efi-1 10.88.0.22 52:54:00:e2:10:02
efi_id=$install_id
[ -n "$bios_id" ] && [ -n "$efi_id" ] && [ "$bios_id" != "$efi_id" ] && pass "install ids differ between machines" || fail "install ids differ" "$bios_id $efi_id"
expect wrong-1 "another machine's answer file is refused" "RACKBOOT-INSTALL-ANSWER mismatch host=wrong-1 ip=10.88.0.23" "$(marker wrong-1 RACKBOOT-INSTALL-ANSWER)"
if [ -z "$(tr -d '\0' < "$work/wrong-1.disk" | head -c 1)" ]; then pass "wrong-1: disk untouched"; else fail "wrong-1: disk untouched"; fi
if grep -a -q "^10.88.0.23 .*disk.img" "$work/http.log"; then fail "wrong-1: never fetched the image"; else pass "wrong-1: never fetched the image"; fi
stop_server

# --- round 2: local boot --------------------------------------------------------------------------------------------
profile bios-1 52:54:00:e2:10:01 10.88.0.21 local
profile efi-1 52:54:00:e2:10:02 10.88.0.22 local
start_server "$work/round2.log" || exit 1
boot_vm bios-1-local tap1 52:54:00:e2:10:01 bios ipxe "$work/bios-1.disk"
boot_vm efi-1-local tap2 52:54:00:e2:10:02 ovmf ipxe "$work/efi-1.disk"
for name in bios-1-local efi-1-local; do wait_vm "$name"; done
check_disk_boot bios-1-local bios-1 "$bios_id" "$work/round2.log" 10.88.0.21
check_disk_boot efi-1-local efi-1 "$efi_id" "$work/round2.log" 10.88.0.22
expect bios-1-local "loaded by syslinux from the disk (BIOS)" "rackboot.loader=syslinux-bios" "$(marker bios-1-local RACKBOOT-DISK-MARKER)"
expect efi-1-local "loaded by syslinux.efi from the disk (UEFI)" "rackboot.loader=syslinux-efi" "$(marker efi-1-local RACKBOOT-DISK-MARKER)"
for mac in 01-52-54-00-e2-10-01 01-52-54-00-e2-10-02; do
    if grep -a "TFTP transfer complete" "$work/round2.log" | grep -a -q "file=ipxe/$mac.ipxe"; then pass "$mac: fetched its local-boot script"; else
        fail "$mac: fetched its local-boot script" "$(grep -a "ipxe/$mac" "$work/round2.log" | tail -3)"; fi
done
stop_server

# --- round 3: pxelinux LOCALBOOT 0 on SeaBIOS -------------------------------------------------------------------------
profile bios-2 52:54:00:e2:10:04 10.88.0.24 local
cp "$work/bios-1.disk" "$work/bios-2.disk"
config false
start_server "$work/round3.log" || exit 1
boot_vm bios-2-local tap4 52:54:00:e2:10:04 bios ipxe "$work/bios-2.disk"
wait_vm bios-2-local
check_disk_boot bios-2-local bios-1 "$bios_id" "$work/round3.log" 10.88.0.24
if grep -a "TFTP transfer complete" "$work/round3.log" | grep -a -q "file=pxelinux.cfg/01-52-54-00-e2-10-04"; then pass "bios-2-local: fetched its LOCALBOOT config"; else
    fail "bios-2-local: fetched its LOCALBOOT config" "$(grep -a "ip=10.88.0.24 " "$work/round3.log" | tail -3)"; fi
stop_server

report install-standin
