#!/usr/bin/env bash
# End to end: more real firmware and real networks around Rackboot (issue 23, item 4). One Rackboot serves four
# subnets in a private namespace, and eight QEMU machines (TCG) boot through it, a few at a time:
#   - Intel NICs: SeaBIOS + iPXE and OVMF + iPXE on e1000 and on e1000e (their iPXE ROMs from ipxe-qemu), booting
#     Debian's generic kernel (the cloud kernel has virtio only; build-generic-assets.sh) to the marker with their
#     reservations on 10.88.0.0/24 (br0);
#   - behind a real DHCP relay: ISC dhcrelay (isc-dhcp-relay, unpacked under .build, never installed: its package
#     enables an init script on this host) in a router namespace between br0 and the client segment 10.89.0.0/24
#     (bridge br1 in a namespace of its own); that subnet has no `interface:` in Rackboot's configuration, Rackboot
#     has a route to it through the router, and SeaBIOS + iPXE on virtio-net boots with a pool address from it;
#   - proxy mode beside dnsmasq: dnsmasq (dnsmasq-base's binary, in a namespace of its own, its own configuration on
#     the command line, no PXE options) is the site's DHCP server on 10.90.0.0/24 (br2) and 10.91.0.0/24 (br3), with
#     reservations; Rackboot's subnets there are `mode: proxy`, br2 with `proxy_efi: direct`, br3 with
#     `proxy_efi: boot-server` (port 4011). OVMF's native PXE boots on each, and SeaBIOS + iPXE on br2.
# Each boot is checked for its marker (MAC, address, its own command line), where its address came from (Rackboot's
# lease, the relay, dnsmasq's lease file) and Rackboot's log lines (the DHCP decision, the TFTP transfers), and timed.
# FIRMWARE_PARALLEL (default 4) bounds the machines running at once.
# Usage: firmware-matrix.sh path/to/rackboot        Prints ok/FAIL lines, times and "firmware-matrix: N passed, M failed".
set -uo pipefail
rackboot=$(realpath "${1:?usage: firmware-matrix.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source Tests/lib/report.sh
script_started=$SECONDS
ns=rbfm$$         # Rackboot: br0 (10.88.0.2), br2 (10.90.0.2), br3 (10.91.0.2), taps for the VMs on them
router=rbfmr$$    # dhcrelay: ra0 10.88.0.1 on br0, rc0 10.89.0.1 on br1
clients=rbfmc$$   # the relayed client segment: br1 and the relayed VM's tap
site=rbfmd$$      # dnsmasq: d2 10.90.0.3 on br2, d3 10.91.0.3 on br3
namespaces=("$ns" "$router" "$clients" "$site")
work=$(mktemp -d)
vm_seconds=300
parallel=${FIRMWARE_PARALLEL:-4}
source Tests/e2e/lib/install-common.sh
helper_pids=()
cleanup() {
    for pid in "${helper_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    install_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- assets: the e2e tftproot (cloud kernel for virtio), the generic kernel for e1000/e1000e, dhcrelay -------------
install_assets || { echo "firmware-matrix: cannot build the boot assets"; exit 1; }
bash Tests/e2e/build-generic-assets.sh "$assets" || { echo "firmware-matrix: cannot build the generic-kernel assets"; exit 1; }
relay_dir=$repo/.build/e2e/relay
if ! [ -x "$relay_dir/usr/sbin/dhcrelay" ]; then
    mkdir -p "$relay_dir/downloads"
    (cd "$relay_dir/downloads" && { ls isc-dhcp-relay_*.deb > /dev/null 2>&1 || apt-get download -q isc-dhcp-relay; }) 2>&1 \
        | grep -v "^W: Download is performed unsandboxed" || true
    dpkg -x "$(ls "$relay_dir"/downloads/isc-dhcp-relay_*.deb | head -1)" "$relay_dir" \
        || { echo "firmware-matrix: cannot unpack isc-dhcp-relay"; exit 1; }
fi
dhcrelay=$relay_dir/usr/sbin/dhcrelay
command -v dnsmasq > /dev/null || { echo "firmware-matrix: dnsmasq missing (dnsmasq-base: make deps)"; exit 1; }

# --- the network ------------------------------------------------------------------------------------------------
fail_network() { fail "the test network is built" "$1"; report firmware-matrix; exit 1; }
install_network firmware-matrix 4 || fail_network "br0 and taps"
netns_bridge "$ns" br2 && in_ns "$ns" ip addr add 10.90.0.2/24 dev br2 || fail_network br2
netns_bridge "$ns" br3 && in_ns "$ns" ip addr add 10.91.0.2/24 dev br3 || fail_network br3
netns_tap "$ns" tap5 br2 && netns_tap "$ns" tap6 br3 && netns_tap "$ns" tap7 br2 || fail_network "proxy taps"
netns_bridge "$clients" br1 && netns_tap "$clients" tapr br1 || fail_network "client segment"
netns_veth "$router" ra0 "$ns" rr0 br0 && netns_veth "$router" rc0 "$clients" rc1 br1 || fail_network "router veths"
in_ns "$router" ip addr add 10.88.0.1/24 dev ra0 && in_ns "$router" ip addr add 10.89.0.1/24 dev rc0 \
    && in_ns "$router" sysctl -qw net.ipv4.ip_forward=1 || fail_network "router addresses"
in_ns "$ns" ip route add 10.89.0.0/24 via 10.88.0.1 || fail_network "route to the relayed subnet"
netns_veth "$site" d2 "$ns" s2 br2 && netns_veth "$site" d3 "$ns" s3 br3 || fail_network "site veths"
in_ns "$site" ip addr add 10.90.0.3/24 dev d2 && in_ns "$site" ip addr add 10.91.0.3/24 dev d3 || fail_network "site addresses"

# --- the machines: name namespace tap MAC firmware rom NIC template reservation address-source ----------------------
# (the relayed machine has no reservation: it takes a pool address, which only the relay's giaddr can put in 10.89/24)
machines=(
    "relay-bios     $clients tapr 52:54:00:f1:00:05 bios ipxe virtio cloud   10.89.0.0 relay"
    "proxy-efi-bs   $ns tap6 52:54:00:f1:00:07 ovmf none virtio cloud   10.91.0.27 dnsmasq"
    "ovmf-e1000     $ns tap3 52:54:00:f1:00:03 ovmf ipxe e1000 generic 10.88.0.23 rackboot"
    "ovmf-e1000e    $ns tap4 52:54:00:f1:00:04 ovmf ipxe e1000e generic 10.88.0.24 rackboot"
    "proxy-efi      $ns tap5 52:54:00:f1:00:06 ovmf none virtio cloud   10.90.0.26 dnsmasq"
    "bios-e1000     $ns tap1 52:54:00:f1:00:01 bios ipxe e1000 generic 10.88.0.21 rackboot"
    "bios-e1000e    $ns tap2 52:54:00:f1:00:02 bios ipxe e1000e generic 10.88.0.22 rackboot"
    "proxy-bios     $ns tap7 52:54:00:f1:00:08 bios ipxe virtio cloud   10.90.0.28 dnsmasq"
)
declare -A m_ns m_tap m_mac m_fw m_rom m_nic m_ip m_source marker_at
names=()
for line in "${machines[@]}"; do
    read -r name mns tap mac fw rom nic template ip source <<< "$line"
    names+=("$name")
    m_ns[$name]=$mns m_tap[$name]=$tap m_mac[$name]=$mac m_fw[$name]=$fw m_rom[$name]=$rom m_nic[$name]=$nic
    m_ip[$name]=$ip m_source[$name]=$source
done

mkdir -p "$work/profiles/templates" "$work/state"
for template in cloud generic; do
    kernel=e2e/vmlinuz initrd=e2e/initrd.img
    [ $template = generic ] && kernel=e2e/generic/vmlinuz initrd=e2e/generic/initrd.img
    printf 'description: firmware matrix, %s kernel\nkernel: %s\ninitrds: [%s]\ncmdline: %s\n' "$template" "$kernel" \
        "$initrd" 'console=ttyS0 panic=-1 rackboot.host={{hostname}}' > "$work/profiles/templates/fm-$template.yaml"
done
for line in "${machines[@]}"; do
    read -r name _ _ mac _ _ _ template _ <<< "$line"
    {
        printf 'hostname: %s\nmacs: [%s]\ntemplate: fm-%s\nstate: install\n' "$name" "$mac" "$template"
        [ "${m_source[$name]}" != relay ] && printf 'ip: %s\n' "${m_ip[$name]}"
    } > "$work/profiles/$name.yaml"
done

# Beside br0's subnet: the relayed rack, and the two proxy segments (one per proxy_efi strategy).
install_config --no-http --subnets '    - network: 10.89.0.0/24
      router: 10.89.0.1
      pools: [10.89.0.100-10.89.0.150]
    - network: 10.90.0.0/24
      interface: br2
      mode: proxy
      proxy_efi: direct
      next_server: 10.90.0.2
    - network: 10.91.0.0/24
      interface: br3
      mode: proxy
      proxy_efi: boot-server
      next_server: 10.91.0.2
'

# --- the peers: dhcrelay in the router, dnsmasq as the site's DHCP server ------------------------------------------
ip netns exec "$router" "$dhcrelay" -4 -d -pf "$work/dhcrelay.pid" -id rc0 -iu ra0 10.88.0.2 > "$work/relay.log" 2>&1 &
helper_pids+=($!)
dnsmasq_args=(--no-daemon --conf-file=/dev/null --pid-file="$work/dnsmasq.pid" --port=0 --user=root
    --dhcp-leasefile="$work/dnsmasq.leases" --log-dhcp --log-facility="$work/dnsmasq.log" --no-ping
    --dhcp-range=10.90.0.50,10.90.0.90,255.255.255.0,10m --dhcp-range=10.91.0.50,10.91.0.90,255.255.255.0,10m)
for name in "${names[@]}"; do
    [ "${m_source[$name]}" = dnsmasq ] && dnsmasq_args+=(--dhcp-host="${m_mac[$name]},${m_ip[$name]}")
done
ip netns exec "$site" dnsmasq "${dnsmasq_args[@]}" > "$work/dnsmasq.out" 2>&1 &
helper_pids+=($!)
if wait_for 10 grep -s -q "DHCP, IP range 10.91" "$work/dnsmasq.log"; then pass "dnsmasq serves 10.90/24 and 10.91/24"; else
    fail "dnsmasq serves 10.90/24 and 10.91/24" "$(tail -3 "$work/dnsmasq.log" "$work/dnsmasq.out" 2>/dev/null)"; fi
sleep 1
if kill -0 "${helper_pids[0]}" 2>/dev/null; then pass "dhcrelay runs between 10.89/24 and 10.88.0.2"; else
    fail "dhcrelay runs between 10.89/24 and 10.88.0.2" "$(tail -3 "$work/relay.log")"; fi

ip netns exec "$ns" "$rackboot" serve --config "$config" --log console > /dev/null 2> "$log" &
server_pid=$!
if wait_for 10 grep -a -q "] ready" "$log"; then pass "rackboot serve starts with the four subnets"; else
    fail "rackboot serve starts with the four subnets" "$(tail -5 "$log")"; report firmware-matrix; exit 1; fi

# --- the boots, at most $parallel at once; a marker's time is taken when it appears on the console ----------------
start_vm() { # name
    local name=$1
    vm_started[$name]=$SECONDS
    bash Tests/e2e/qemu-netboot.sh --nic "${m_nic[$name]}" "${m_ns[$name]}" "${m_tap[$name]}" "${m_mac[$name]}" \
        "${m_fw[$name]}" "${m_rom[$name]}" "$work/$name.console" "$vm_seconds" > "$work/$name.qemu" 2>&1 &
    vm_pid[$name]=$!
    vm_pids+=($!)
}
queue=("${names[@]}")
running=()
declare -A vm_ended
end=$((SECONDS + vm_seconds * ${#names[@]}))
while { [ ${#queue[@]} -gt 0 ] || [ ${#running[@]} -gt 0 ]; } && [ $SECONDS -lt $end ]; do
    still=()
    for name in "${running[@]}"; do
        if [ -z "${marker_at[$name]:-}" ] && grep -a -q RACKBOOT-E2E-MARKER "$work/$name.console" 2>/dev/null; then
            marker_at[$name]=$((SECONDS - vm_started[$name]))
        fi
        if kill -0 "${vm_pid[$name]}" 2>/dev/null; then still+=("$name"); else
            wait "${vm_pid[$name]}" 2>/dev/null
            vm_ended[$name]=$((SECONDS - vm_started[$name]))
        fi
    done
    running=("${still[@]}")
    while [ ${#running[@]} -lt "$parallel" ] && [ ${#queue[@]} -gt 0 ]; do
        start_vm "${queue[0]}"
        running+=("${queue[0]}")
        queue=("${queue[@]:1}")
    done
    sleep 1
done
boots_took=$((SECONDS - script_started))

# --- the checks ---------------------------------------------------------------------------------------------------
# A TFTP transfer a client never ACKs to the end is logged once the server stops waiting (up to about 31 s).
sent_to() { grep -a "TFTP transfer complete" "$log" | grep -a "file=$1" | grep -a -q -- "$2"; }
for name in "${names[@]}"; do
    mac=${m_mac[$name]} ip=${m_ip[$name]} source=${m_source[$name]}
    echo "     $name (${m_fw[$name]} ${m_rom[$name]} ${m_nic[$name]}): marker after ${marker_at[$name]:-none} s," \
        "VM ended after ${vm_ended[$name]:-?} s"
    marker=$(console_line "$name" RACKBOOT-E2E-MARKER)
    if [ -z "$marker" ]; then
        fail "$name: booted Linux from the network" "$(tail -c 600 "$work/$name.console" 2>/dev/null | tr -d '\r' | tail -5)"
        continue
    fi
    pass "$name: booted Linux from the network"
    expect "$name" "marker carries its MAC and its own command line" "*mac=$mac *rackboot.host=$name*" "$marker"
    [ "${m_nic[$name]}" != virtio ] && expect "$name" "Linux drove the ${m_nic[$name]} NIC" "*driver=${m_nic[$name]} *" "$marker"
    leased=$(sed -n 's/.* ip=\([0-9.]*\) .*/\1/p' <<< "$marker")
    case "$source" in
        rackboot)
            expect "$name" "Linux got its reservation $ip" "* ip=$ip *" "$marker"
            if grep -a "DHCPREQUEST acknowledged" "$log" | grep -a "mac=$mac" | grep -a -q "ip=$ip "; then
                pass "$name: Rackboot's log shows the lease of $ip"; else
                fail "$name: Rackboot's log shows the lease of $ip" "$(grep -a "mac=$mac" "$log" | tail -3)"; fi
            ;;
        relay)
            expect "$name" "Linux got a pool address of the relayed subnet" "* ip=10.89.0.1[0-5][0-9] *" "$marker"
            if grep -a "DHCPREQUEST acknowledged" "$log" | grep -a "mac=$mac" | grep -a "ip=$leased " \
                | grep -a -q "relay=10.89.0.1\( \|$\)"; then
                pass "$name: Rackboot's log shows the lease of $leased through relay 10.89.0.1"; else
                fail "$name: Rackboot's log shows the lease of $leased through relay 10.89.0.1" \
                    "$(grep -a "mac=$mac" "$log" | tail -3)"; fi
            if grep -a -i "forwarded bootrequest for $mac" "$work/relay.log" > /dev/null \
                && grep -a -i "forwarded bootreply for $mac" "$work/relay.log" > /dev/null; then
                pass "$name: dhcrelay forwarded its requests and Rackboot's replies"; else
                fail "$name: dhcrelay forwarded its requests and Rackboot's replies" "$(tail -4 "$work/relay.log")"; fi
            ;;
        dnsmasq)
            expect "$name" "Linux got dnsmasq's reservation $ip" "* ip=$ip *" "$marker"
            if grep -q "$mac $ip " "$work/dnsmasq.leases"; then pass "$name: dnsmasq's lease file holds $ip"; else
                fail "$name: dnsmasq's lease file holds $ip" "$(cat "$work/dnsmasq.leases")"; fi
            # No offer or ACK of Rackboot's names an address (the port-4011 answer names the client's own, dnsmasq's
            # lease, as client_ip=).
            leases=$(grep -a "mac=$mac" "$log" | grep -a -E "DHCP(DISCOVER offered|REQUEST acknowledged)" \
                | grep -a " ip=")
            if [ -n "$leases" ]; then fail "$name: Rackboot handed out no address" "$(head -3 <<< "$leases")"; else
                pass "$name: Rackboot handed out no address"; fi
            reason="reason=proxy offer"
            [ "$name" = proxy-efi-bs ] && reason="reason=proxy offer; boot server on port 4011"
            if grep -a "DHCPDISCOVER offered" "$log" | grep -a "mac=$mac" | grep -a -q "$reason\( \|$\)"; then
                pass "$name: Rackboot's log shows its proxy offer ($reason)"; else
                fail "$name: Rackboot's log shows its proxy offer ($reason)" "$(grep -a "mac=$mac" "$log" | head -3)"; fi
            if [ "$name" = proxy-efi-bs ]; then
                if grep -a "answered by the boot server (port 4011)" "$log" | grep -a "mac=$mac" \
                    | grep -a -q "file=syslinux.efi"; then
                    pass "$name: the port-4011 boot server acknowledged its request with syslinux.efi"; else
                    fail "$name: the port-4011 boot server acknowledged its request with syslinux.efi" \
                        "$(grep -a "mac=$mac" "$log" | tail -3)"; fi
            fi
            ;;
    esac
    if [ "${m_rom[$name]}" = ipxe ]; then configfile=ipxe/01-${mac//:/-}.ipxe; else configfile=pxelinux.cfg/01-${mac//:/-}; fi
    kernel=e2e/vmlinuz initrd=e2e/initrd.img
    [ "${m_nic[$name]}" != virtio ] && kernel=e2e/generic/vmlinuz initrd=e2e/generic/initrd.img
    for file in "$configfile" "$kernel" "$initrd"; do
        if wait_for 40 sent_to "$file" "ip=$leased "; then pass "$name: Rackboot's log shows $file sent to $leased"; else
            fail "$name: Rackboot's log shows $file sent to $leased" "$(grep -a "file=$file" "$log" | tail -3)"; fi
    done
done
echo "     the boots took $boots_took s from the script's start ($parallel at once); the script $((SECONDS - script_started)) s"
report firmware-matrix
