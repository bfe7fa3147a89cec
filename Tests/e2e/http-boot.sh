#!/usr/bin/env bash
# End to end: UEFI HTTP boot through Rackboot (docs/protocol.md, "UEFI HTTP boot"). Real firmware, Debian's OVMF under
# QEMU (TCG), with its PXE clients switched off (qemu-netboot.sh's `ovmf-http`: fw_cfg IPv4PXESupport and
# IPv6PXESupport = no), so its own UEFI HTTP boot over IPv4 is its first network boot and no TFTP is involved. In a
# private network (a namespace with bridges and one tap per VM, 10.88.0.0/24 and 10.90.0.0/24 only inside it) Rackboot
# serves DHCP and HTTP (on port 8080; no `boot.files.http_url`), and three machines boot at once:
#   http-ipxe   a profile without `loader:`: DHCP gives it option 60 HTTPClient and the URL of boot.http_files.efi_x64,
#               http://10.88.0.2:8080/ipxe.efi (Debian's iPXE EFI build, Tests/e2e/build-http-assets.sh); the
#               firmware loads it over HTTP, iPXE asks DHCP again and gets its per-MAC script's URL, and the script's
#               kernel and initrd come over HTTP;
#   http-snp    its profile chooses `loader: ipxe`, so it gets boot.loaders.ipxe.efi_x64 (snponly.efi, iPXE that drives
#               only the firmware's SNP) instead of boot.http_files, then the same chain;
#   proxy-http  proxy mode beside dnsmasq (dnsmasq-base's binary in a namespace of its own, no boot options, the
#               machine's reservation): dnsmasq gives the address, Rackboot's proxy offer (subnet `mode: proxy`) the
#               URL http://10.90.0.2:8080/ipxe.efi, and the chain runs as above with dnsmasq's address.
# Each machine's initramfs prints the e2e marker (MAC, address, command line). Checked for each: the marker, the DHCP
# offer in Rackboot's log naming the http:// loader URL, the loader, the per-MAC iPXE script, the kernel and the initrd
# served over HTTP to its address, and no TFTP request at all from it. And a negative, with a DHCP client of the test's
# own (Tests/lib/dhcp_packet.py): an ARM64 HTTP-boot DISCOVER (option 93 = 19; no efi_arm64 HTTP loader configured)
# gets its address but no boot file, and the log says why; the same client as x86-64 (16) gets the URL.
# Debian 12's signed network GRUB is not booted here: its image has no `http` module (only `tftp`), so after an HTTP
# boot it sets its prefix to `(http,<server>)/grub` and cannot read any config (it stops at `grub>`).
# Usage: http-boot.sh path/to/rackboot        Prints ok/FAIL lines, times and "e2e-http-boot: N passed, M failed".
set -uo pipefail
rackboot=$(realpath "${1:?usage: http-boot.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source Tests/lib/report.sh
script_started=$SECONDS
vm_seconds=200
source Tests/e2e/lib/install-common.sh
install_begin rbhb      # the appliance's namespace: br0 (10.88.0.2), br2 (10.90.0.2), the VMs' taps
site=rbhbd$$            # dnsmasq: d2 10.90.0.3 on br2
probe=rbhbp$$           # the test's DHCP client: p0 on br0
namespaces+=("$site" "$probe")
helper_pids=()
cleanup() {
    for pid in "${helper_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    install_cleanup
}
trap cleanup EXIT
install_assets || { echo "e2e-http-boot: cannot build the boot assets"; exit 1; }
bash Tests/e2e/build-http-assets.sh "$assets" || { echo "e2e-http-boot: cannot build the HTTP boot assets"; exit 1; }
command -v dnsmasq > /dev/null || { echo "e2e-http-boot: dnsmasq missing (dnsmasq-base: make deps)"; exit 1; }

# --- the network ----------------------------------------------------------------------------------------------------
fail_network() { fail "the test network is built" "$1"; report e2e-http-boot; exit 1; }
install_network e2e-http-boot 2 || fail_network "br0 and taps"
netns_bridge "$ns" br2 && in_ns "$ns" ip addr add 10.90.0.2/24 dev br2 && netns_tap "$ns" tap3 br2 || fail_network br2
netns_veth "$site" d2 "$ns" s2 br2 && in_ns "$site" ip addr add 10.90.0.3/24 dev d2 || fail_network "dnsmasq's port"
netns_veth "$probe" p0 "$ns" pp0 br0 || fail_network "the DHCP client's port"

# --- machines, profiles, configuration -------------------------------------------------------------------------------
ipxe_mac=52:54:00:e2:71:01 ipxe_ip=10.88.0.41
snp_mac=52:54:00:e2:71:02 snp_ip=10.88.0.42
proxy_mac=52:54:00:e2:71:03 proxy_ip=10.90.0.43
arm_mac=52:54:00:e2:71:04 arm_ip=10.88.0.44
mkdir -p "$work/profiles/templates" "$work/state"
printf '%s\n' 'description: Rackboot UEFI HTTP boot end-to-end' 'kernel: e2e/vmlinuz' 'initrds: [e2e/initrd.img]' \
    'cmdline: console=ttyS0 panic=-1 rackboot.host={{hostname}} rackboot.role=http-boot' \
    > "$work/profiles/templates/e2e-http.yaml"
profile() { # hostname mac ip [loader]
    printf 'hostname: %s\nmacs: [%s]\nip: %s\ntemplate: e2e-http\nstate: install\n' "$1" "$2" "$3" \
        > "$work/profiles/$1.yaml"
    if [ -n "${4:-}" ]; then printf 'loader: %s\n' "$4" >> "$work/profiles/$1.yaml"; fi
}
profile http-ipxe $ipxe_mac $ipxe_ip
profile http-snp $snp_mac $snp_ip ipxe
profile proxy-http $proxy_mac $proxy_ip
profile arm-1 $arm_mac $arm_ip
# No http_url: the URLs are Rackboot's own HTTP service's, on every address, so both subnets' boot servers reach it.
install_config --http-address 0.0.0.0 --boot-extra '  http_files:
    efi_x64: ipxe.efi
  loaders:
    ipxe:
      efi_x64: snponly.efi
' --subnets '    - network: 10.90.0.0/24
      interface: br2
      mode: proxy
      next_server: 10.90.0.2
'
if out=$("$rackboot" check --config "$config" 2>&1); then pass "rackboot check accepts boot.http_files"; else
    fail "rackboot check accepts boot.http_files" "$out"; fi

# --- dnsmasq, the site's DHCP server on 10.90.0.0/24, then Rackboot ---------------------------------------------------
ip netns exec "$site" dnsmasq --no-daemon --conf-file=/dev/null --pid-file="$work/dnsmasq.pid" --port=0 --user=root \
    --dhcp-leasefile="$work/dnsmasq.leases" --log-dhcp --log-facility="$work/dnsmasq.log" --no-ping \
    --dhcp-range=10.90.0.50,10.90.0.90,255.255.255.0,10m --dhcp-host="$proxy_mac,$proxy_ip" \
    > "$work/dnsmasq.out" 2>&1 &
helper_pids+=($!)
if wait_for 10 grep -s -q "DHCP, IP range 10.90" "$work/dnsmasq.log"; then pass "dnsmasq serves 10.90.0.0/24"; else
    fail "dnsmasq serves 10.90.0.0/24" "$(tail -3 "$work/dnsmasq.log" "$work/dnsmasq.out" 2>/dev/null)"; fi
# Debug level: an OFFER that hands out an address is logged at debug (its ACK at info).
if install_serve --log-level debug; then pass "rackboot serve starts"; else
    fail "rackboot serve starts" "$(tail -5 "$log")"
    report e2e-http-boot
    exit 1
fi

# --- the boots, all three at once -------------------------------------------------------------------------------------
netboot_vm http-ipxe tap1 $ipxe_mac ovmf-http none
netboot_vm http-snp tap2 $snp_mac ovmf-http none
netboot_vm proxy-http tap3 $proxy_mac ovmf-http none

# --- the negative (while the VMs boot): an ARM64 HTTP-boot client, then the same client as x86-64 ---------------------
# One DORA per line of output: "<arch> <offer yiaddr> <offer file> <offer option 60> <ack yiaddr> <ack file>".
dhcp_client() { # interface mac arch...
    in_ns "$probe" timeout 30 python3 - "$@" <<'PY'
import os, select, socket, sys, time
sys.dont_write_bytecode = True
sys.path.insert(0, "Tests/lib")
import dhcp_packet as d

interface, mac = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
sock.bind(("0.0.0.0", 68))

def exchange(xid, message_type, options, wanted):
    for _ in range(3):  # a DHCP client retries; three tries of 2 s bound the wait
        sock.sendto(d.build(options, message_type=message_type, xid=xid, flags=d.BROADCAST, chaddr=mac),
                    ("255.255.255.255", 67))
        deadline = time.monotonic() + 2
        while (left := deadline - time.monotonic()) > 0 and select.select([sock], [], [], left)[0]:
            reply = d.parse(sock.recvfrom(4096)[0])
            if reply and reply.xid == xid and reply.message_type in wanted:
                return reply
    return None

for arch in map(int, sys.argv[3:]):
    # What EDK2's HTTP boot client sends (option 60 HTTPClient:Arch:<code>:UNDI:003001, option 93, 94, 97, 55).
    options = [(d.VENDOR_CLASS, f"HTTPClient:Arch:{arch:05d}:UNDI:003001".encode()), (d.CLIENT_ARCH, [0, arch]),
               (d.CLIENT_NDI, [1, 3, 1]), (d.CLIENT_UUID, bytes([0]) + bytes(range(16))),
               (d.PARAMETER_LIST, [1, 3, 6, 60, 66, 67])]
    xid = int.from_bytes(os.urandom(4), "big")
    offer = exchange(xid, d.DISCOVER, options, {d.OFFER})
    ack = None
    if offer:
        ack = exchange(xid, d.REQUEST, options + [(d.REQUESTED_IP, d.ip_bytes(offer.yiaddr)),
                                                  (d.SERVER_ID, offer.options.get(d.SERVER_ID, b"\0" * 4))],
                       {d.ACK, d.NAK})
    field = lambda reply, value: (value or "-") if reply else "none"
    print(arch, field(offer, offer and offer.yiaddr), field(offer, offer and offer.file),
          field(offer, offer and offer.options.get(d.VENDOR_CLASS, b"").decode("latin-1")),
          field(ack, ack and ack.yiaddr), field(ack, ack and ack.file), flush=True)
PY
}
probe_out=$(dhcp_client p0 $arm_mac 19 16 2>&1)
arm_line=$(grep "^19 " <<< "$probe_out")
x64_line=$(grep "^16 " <<< "$probe_out")
expect_line "arm-1 (option 93 = 19): its reservation $arm_ip, offered and acknowledged" "19 $arm_ip * $arm_ip " \
    "$arm_line" arm-1
expect_line "arm-1 (option 93 = 19): no boot file and no HTTPClient in the offer or the ACK" "19 $arm_ip - - $arm_ip -" \
    "$arm_line" arm-1
arm_lines=$(grep -a -E "DHCP(DISCOVER offered|REQUEST acknowledged)" "$log" | grep -a "mac=$arm_mac " \
    | grep -a "arch=efi-arm64-http ")
if [ "$(grep -c . <<< "$arm_lines")" -ge 2 ] && ! grep -q " file=" <<< "$arm_lines"; then
    pass "arm-1: the log shows its offer and acknowledgement as efi-arm64-http without a boot file"
else
    fail "arm-1: the log shows its offer and acknowledgement as efi-arm64-http without a boot file" \
        "${arm_lines:-$(grep -a "mac=$arm_mac " "$log" | tail -3)}"
fi
if grep -a "mac=$arm_mac " "$log" | grep -a "arch=efi-arm64-http" | grep -a -q "reason=.*efi-arm64-http"; then
    pass "arm-1: the log says why it got no boot file"
else
    fail "arm-1: the log says why it got no boot file" "$(grep -a "mac=$arm_mac " "$log" | grep -a DHCP | tail -3)"
fi
expect_line "arm-1 as x86-64 (option 93 = 16), the control: HTTPClient and boot.http_files' URL" \
    "16 $arm_ip http://10.88.0.2:8080/ipxe.efi HTTPClient $arm_ip http://10.88.0.2:8080/ipxe.efi" "$x64_line" arm-1

# --- the HTTP boots ---------------------------------------------------------------------------------------------------
declare -A marker_at
for _ in $(seq $((vm_seconds + 10))); do
    running=0
    for vm in http-ipxe http-snp proxy-http; do
        if [ -z "${marker_at[$vm]:-}" ] && grep -a -q RACKBOOT-E2E-MARKER "$work/$vm.console" 2>/dev/null; then
            marker_at[$vm]=$((SECONDS - vm_started[$vm]))
        fi
        kill -0 "${vm_pid[$vm]}" 2>/dev/null && running=1
    done
    [ $running -eq 0 ] && break
    sleep 1
done
boots_took=$((SECONDS - script_started))

http_served() { # ip path: a GET of path answered 200 to ip
    grep -a "HTTP request served" "$log" | grep -a "ip=$1 " | grep -a "method=GET " | grep -a "path=$2 " \
        | grep -a -q "status=200"
}
check_http_boot() { # vm mac ip loader-url offer-reason
    local vm=$1 mac=$2 ip=$3 url=$4 reason=$5 marker loader path lines
    loader=/${url#http://*/}
    echo "     $vm: marker after ${marker_at[$vm]:-none} s"
    marker=$(console_line "$vm" RACKBOOT-E2E-MARKER)
    if [ -z "$marker" ]; then
        fail "$vm: UEFI HTTP boot reached Linux" "$(tail -c 600 "$work/$vm.console" 2>/dev/null | tr -d '\r' | tail -5)"
        return
    fi
    pass "$vm: UEFI HTTP boot reached Linux"
    expect_line "$vm: marker carries its MAC and its address $ip" "mac=$mac ip=$ip " "$marker" "$vm"
    expect_line "$vm: its own command line reached the kernel" "rackboot.host=$vm rackboot.role=http-boot" "$marker" \
        "$vm"
    expect_line "$vm: the firmware ran UEFI HTTP boot with the URL" "URI: $url" "$(console_line "$vm" "URI: ")" "$vm"
    lines=$(grep -a "DHCPDISCOVER offered" "$log" | grep -a "mac=$mac " | grep -a "arch=efi-x64-http ")
    if grep -a "file=$url " <<< "$lines" | grep -a -q "$reason\( \|$\)"; then
        pass "$vm: Rackboot's offer names $url ($reason)"
    else
        fail "$vm: Rackboot's offer names $url ($reason)" \
            "${lines:-$(grep -a "mac=$mac " "$log" | grep -a DHCP | head -3)}"
    fi
    for path in "$loader" "/ipxe/01-${mac//:/-}.ipxe" /e2e/vmlinuz /e2e/initrd.img; do
        if http_served "$ip" "$path"; then pass "$vm: $path over HTTP"; else
            fail "$vm: $path over HTTP" "$(grep -a "HTTP request" "$log" | grep -a "ip=$ip " | tail -4)"; fi
    done
    lines=$(grep -a TFTP "$log" | grep -a "ip=$ip \|mac=$mac ")
    if [ -z "$lines" ]; then pass "$vm: no TFTP request from it"; else fail "$vm: no TFTP request from it" "$lines"; fi
}
check_http_boot http-ipxe $ipxe_mac $ipxe_ip http://10.88.0.2:8080/ipxe.efi "arch=efi-x64-http"
check_http_boot http-snp $snp_mac $snp_ip http://10.88.0.2:8080/snponly.efi "arch=efi-x64-http"
check_lease() { # vm mac ip
    if grep -a "DHCPREQUEST acknowledged" "$log" | grep -a "mac=$2 " | grep -a "arch=efi-x64-http" | grep -a -q "ip=$3 "
    then
        pass "$1: Rackboot's log shows the firmware's lease of $3"
    else
        fail "$1: Rackboot's log shows the firmware's lease of $3" \
            "$(grep -a "mac=$2 " "$log" | grep -a DHCP | head -3)"
    fi
}
check_lease http-ipxe $ipxe_mac $ipxe_ip
check_lease http-snp $snp_mac $snp_ip
check_http_boot proxy-http $proxy_mac $proxy_ip http://10.90.0.2:8080/ipxe.efi "reason=proxy offer"
if grep -q "$proxy_mac $proxy_ip " "$work/dnsmasq.leases" 2>/dev/null; then
    pass "proxy-http: dnsmasq's lease file holds $proxy_ip"
else
    fail "proxy-http: dnsmasq's lease file holds $proxy_ip" "$(cat "$work/dnsmasq.leases" 2>/dev/null)"
fi
leases=$(grep -a "mac=$proxy_mac " "$log" | grep -a -E "DHCP(DISCOVER offered|REQUEST acknowledged)" | grep -a " ip=")
if [ -z "$leases" ]; then pass "proxy-http: Rackboot handed out no address"; else
    fail "proxy-http: Rackboot handed out no address" "$(head -3 <<< "$leases")"; fi
echo "     the boots took $boots_took s from the script's start; the script $((SECONDS - script_started)) s"
report e2e-http-boot
