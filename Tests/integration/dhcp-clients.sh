#!/usr/bin/env bash
# Real DHCP clients against `rackboot serve`, in network namespaces this script creates and removes.
# Usage (as root): Tests/integration/dhcp-clients.sh path/to/rackboot
#
# Topology (every address is 10.x and exists only inside the namespaces; nothing touches the host's interfaces):
#   lan ns: bridge brs (rack segment) and bridge brp (proxy segment)
#   srv ns: rackboot serve; <tag>s 10.77.0.1/24 on brs (server mode, pool .100-.149, one fixed IP .10),
#           <tag>p 10.88.0.2/24 on brp (proxy mode); 10.99.0.0/16 relayed, route via the relay 10.77.0.5
#   cli ns: <tag>c on brs, no address: dhclient, udhcpc, dhcpcd
#   rly ns: <tag>r 10.77.0.5/24 + 10.99.0.1/16 on brs: perfdhcp (a relay: giaddr 10.99.0.1, port 67 -> 67)
#   dns ns: <tag>d 10.88.0.1/24 on brp: dnsmasq, the segment's ordinary DHCP server (10.88.0.100-150)
#   pxe ns: <tag>x on brp, no address: Tests/integration/pxe-client.py, a PXE-like client
set -u
rackboot=$(realpath "${1:?usage: dhcp-clients.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
repo=$PWD
started=$SECONDS
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; printf '     %s\n' "$@"; }
check() { # NAME CONDITION-TEXT... : passes when the command succeeds
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}

if [ "$(id -u)" -ne 0 ]; then
    echo "dhcp-clients: needs root (network namespaces)"
    echo "dhcp: 0 passed, 1 failed"
    exit 1
fi

tag=rb$(($$ % 100000))
work=$(mktemp -d "/tmp/rackboot-dhcp-$tag.XXXXXX")
chmod 0755 "$work"
namespaces=("$tag-lan" "$tag-srv" "$tag-cli" "$tag-rly" "$tag-dns" "$tag-pxe")
lan=$tag-lan srv=$tag-srv cli=$tag-cli rly=$tag-rly dns=$tag-dns pxe=$tag-pxe
if_srv=${tag}s if_prx=${tag}p if_cli=${tag}c if_rly=${tag}r if_dns=${tag}d if_pxe=${tag}x
rackboot_pid=

# Stops what this script started: the processes inside its own namespaces (by PID), then the namespaces.
source "$repo/Tests/lib/netns.sh"
cleanup() {
    netns_stop
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- network ---------------------------------------------------------------------------------------------------
netns_create dhcp
netns_bridge "$lan" brs
netns_bridge "$lan" brp
# IF in its namespace, its peer a port of a bridge in the lan namespace.
netns_veth "$srv" "$if_srv" "$lan" s-srv brs
netns_veth "$srv" "$if_prx" "$lan" p-srv brp
netns_veth "$cli" "$if_cli" "$lan" s-cli brs
netns_veth "$rly" "$if_rly" "$lan" s-rly brs
netns_veth "$dns" "$if_dns" "$lan" p-dns brp
netns_veth "$pxe" "$if_pxe" "$lan" p-pxe brp
in_ns "$srv" ip addr add 10.77.0.1/24 dev "$if_srv"
in_ns "$srv" ip addr add 10.88.0.2/24 dev "$if_prx"
in_ns "$srv" ip route add 10.99.0.0/16 via 10.77.0.5 dev "$if_srv"
in_ns "$rly" ip addr add 10.77.0.5/24 dev "$if_rly"
in_ns "$rly" ip addr add 10.99.0.1/16 dev "$if_rly"
in_ns "$dns" ip addr add 10.88.0.1/24 dev "$if_dns"

# ---- rackboot ----------------------------------------------------------------------------------------------------
known_mac=52:54:00:77:00:10
known_ip=10.77.0.10
mkdir -p "$work/profiles/templates" "$work/tftproot/test" "$work/state"
: > "$work/tftproot/pxelinux.0"
: > "$work/tftproot/ldlinux.c32"
: > "$work/tftproot/syslinux.efi"
: > "$work/tftproot/ldlinux.e64"
: > "$work/tftproot/test/linux"
: > "$work/tftproot/test/initrd"
cat > "$work/profiles/templates/test.yaml" <<EOF
description: test image
kernel: test/linux
initrds:
  - test/initrd
cmdline: console=ttyS0
EOF
cat > "$work/profiles/known-01.yaml" <<EOF
hostname: known-01
macs:
  - $known_mac
ip: $known_ip
template: test
state: install
EOF
cat > "$work/rackboot.yaml" <<EOF
profiles: profiles
state_directory: state
boot:
  next_server: 10.77.0.1
  files:
    bios: pxelinux.0
    efi_x64: syslinux.efi
dhcp:
  lease_time: 1h
  subnets:
    - network: 10.77.0.0/24
      interface: $if_srv
      pools:
        - 10.77.0.100-10.77.0.149
      router: 10.77.0.1
    - network: 10.88.0.0/24
      interface: $if_prx
      mode: proxy
      next_server: 10.88.0.2
    - network: 10.99.0.0/16
      pools:
        - 10.99.1.1-10.99.1.250
      router: 10.99.0.1
tftp:
  root: tftproot
EOF
db=$work/state/leases.sqlite
in_ns "$srv" "$rackboot" serve --config "$work/rackboot.yaml" --log-level info > "$work/rackboot.log" 2>&1 &
rackboot_pid=$!
listening() { [ "$(grep -c 'DHCP server listening' "$work/rackboot.log")" -ge 2 ]; }
if wait_for 30 listening; then
    pass "rackboot serve listens on the rack and proxy interfaces"
else
    fail "rackboot serve listens on the rack and proxy interfaces" "$(tail -20 "$work/rackboot.log")"
    echo "dhcp: $passed passed, $failed failed"
    exit 1
fi

# ---- helpers -----------------------------------------------------------------------------------------------------
# The bound address the store holds for MAC (empty when none).
stored() { sqlite3 -cmd '.timeout 2000' "$db" "SELECT address FROM lease WHERE mac = '$1' AND state = 'bound'"; }
stored_expiry() { sqlite3 -cmd '.timeout 2000' "$db" "SELECT expiry FROM lease WHERE mac = '$1' AND state = 'bound'"; }
in_pool() { [[ $1 =~ ^10\.77\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 100 ] && [ "${BASH_REMATCH[1]}" -le 149 ]; }
set_mac() {
    in_ns "$cli" ip addr flush dev "$if_cli"
    in_ns "$cli" ip link set dev "$if_cli" down
    in_ns "$cli" ip link set dev "$if_cli" address "$1"
    in_ns "$cli" ip link set dev "$if_cli" up
}
# expect_address NAME CLIENT-SAW WANT MAC : the client's own record and the lease store agree on WANT.
# WANT "pool" means any address of the pool.
expect_address() {
    local name=$1 saw=$2 want=$3 mac=$4 store
    store=$(stored "$mac")
    if [ "$want" = pool ]; then
        if in_pool "$saw" && [ "$store" = "$saw" ]; then pass "$name"; else
            fail "$name" "client saw '$saw', store has '$store', wanted a pool address (10.77.0.100-149)"
        fi
    elif [ "$saw" = "$want" ] && [ "$store" = "$want" ]; then pass "$name"; else
        fail "$name" "client saw '$saw', store has '$store', wanted $want"
    fi
}
last_event_ip() { [ -s "$1" ] && tail -1 "$1" | awk '{print $2}'; }
# The address of the last bound or renewed lease in an events file (later release events do not count).
last_bound_ip() { grep -E '^(BOUND|RENEW|REBOOT|bound|renew) ' "$1" 2>/dev/null | tail -1 | awk '{print $2}'; }
has_event() { grep -q "^$2 " "$1" 2>/dev/null; }

# A client script for dhclient and udhcpc: configures the address (DHCPRELEASE and renewals are unicast from it)
# and appends "EVENT ADDRESS" to the file named in $work/events-target (dhclient clears the script's environment).
# events_to FILE: where the client scripts record from now on.
events_to() { : > "$1"; chmod 0666 "$1"; echo "$1" > "$work/events-target"; }
cat > "$work/client-script.sh" <<EOF
#!/bin/sh
EVENTS=\$(cat "$work/events-target")
EOF
cat >> "$work/client-script.sh" <<'EOF'
event=${reason:-$1}
address=${new_ip_address:-${ip:-}}
dev=${interface:-}
case $event in
    BOUND|RENEW|REBIND|REBOOT|bound|renew)
        ip addr replace "$address/24" dev "$dev"
        echo "$event $address" >> "$EVENTS" ;;
    RELEASE|EXPIRE|STOP|deconfig)
        ip addr flush dev "$dev" 2>/dev/null
        echo "$event -" >> "$EVENTS" ;;
esac
exit 0
EOF
chmod 0755 "$work/client-script.sh"

# ---- dhclient ----------------------------------------------------------------------------------------------------
: > "$work/dhclient.conf"
# dhclient_start NAME: runs dhclient -d -1 in the background with its own lease, pid and event files.
dhclient_start() {
    events_to "$work/events-$1"
    in_ns "$cli" timeout 30 dhclient -4 -d -1 -v -cf "$work/dhclient.conf" \
        -lf "$work/dhclient.leases" -pf "$work/dhclient.pid" -sf "$work/client-script.sh" "$if_cli" \
        >> "$work/dhclient.log" 2>&1 &
    dhclient_pid=$!
}
dhclient_stop() { kill -TERM "$dhclient_pid" 2>/dev/null; wait "$dhclient_pid" 2>/dev/null; }

for client in known unknown; do
    if [ $client = known ]; then mac=$known_mac want=$known_ip; else mac=02:00:00:77:01:01 want=pool; fi
    set_mac "$mac"
    rm -f "$work/dhclient.leases"
    dhclient_start "dhclient-$client"
    wait_for 20 has_event "$work/events-dhclient-$client" BOUND
    expect_address "dhclient gets the $client MAC's address ($want)" \
        "$(last_event_ip "$work/events-dhclient-$client")" "$want" "$mac"
    dhclient_stop
done
# Still the unknown MAC, with its lease file: a second run sends an INIT-REBOOT REQUEST and keeps the address.
first=$(last_event_ip "$work/events-dhclient-unknown")
first_expiry=$(stored_expiry 02:00:00:77:01:01)
sleep 1.1 # the store's expiry has a resolution of one second: let the renewed lease end later
dhclient_start dhclient-reboot
wait_for 20 has_event "$work/events-dhclient-reboot" REBOOT
again=$(last_event_ip "$work/events-dhclient-reboot")
dhclient_stop
if [ -n "$first" ] && [ "$again" = "$first" ] && [ "$(stored 02:00:00:77:01:01)" = "$first" ] \
    && [ "$(stored_expiry 02:00:00:77:01:01)" -gt "${first_expiry:-0}" ]; then
    pass "dhclient's second REQUEST (INIT-REBOOT) keeps $first and extends the stored lease"
else
    fail "dhclient's second REQUEST (INIT-REBOOT) keeps the address" "first '$first', again '$again'," \
        "store '$(stored 02:00:00:77:01:01)' expiry '$first_expiry' -> '$(stored_expiry 02:00:00:77:01:01)'"
fi
# DHCPRELEASE is unicast from the configured address: the script left it on the interface.
events_to "$work/events-dhclient-release"
in_ns "$cli" timeout 15 dhclient -4 -r -v -cf "$work/dhclient.conf" \
    -lf "$work/dhclient.leases" -pf "$work/dhclient.pid" -sf "$work/client-script.sh" "$if_cli" \
    >> "$work/dhclient.log" 2>&1
no_lease() { [ -z "$(stored "$1")" ]; }
if [ -n "$first" ] && wait_for 5 no_lease 02:00:00:77:01:01; then
    pass "dhclient -r releases $first: its row leaves the store"
else
    fail "dhclient -r releases the address" "store still has '$(stored 02:00:00:77:01:01)'" \
        "$(tail -5 "$work/dhclient.log")"
fi
# Without its lease file dhclient starts over with a DISCOVER (no option 50): the server must offer the released
# address again, not the next free one.
rm -f "$work/dhclient.leases"
dhclient_start dhclient-return
wait_for 20 has_event "$work/events-dhclient-return" BOUND
dhclient_stop
expect_address "dhclient back after its release gets $first again" \
    "$(last_event_ip "$work/events-dhclient-return")" "${first:-none}" 02:00:00:77:01:01

# ---- udhcpc ------------------------------------------------------------------------------------------------------
for client in known unknown; do
    if [ $client = known ]; then mac=$known_mac want=$known_ip; else mac=02:00:00:77:01:02 want=pool; fi
    set_mac "$mac"
    events_to "$work/events-udhcpc-$client"
    in_ns "$cli" timeout 20 udhcpc -f -q -n -t 3 -T 2 -i "$if_cli" \
        -s "$work/client-script.sh" >> "$work/udhcpc.log" 2>&1
    expect_address "udhcpc gets the $client MAC's address ($want)" \
        "$(last_event_ip "$work/events-udhcpc-$client")" "$want" "$mac"
done
# Renew (SIGUSR1: a unicast REQUEST with ciaddr, RENEWING) keeps the address; release (SIGUSR2) frees it.
mac=02:00:00:77:01:03
set_mac "$mac"
events=$work/events-udhcpc-renew
events_to "$events"
in_ns "$cli" timeout 30 udhcpc -f -n -t 3 -T 2 -i "$if_cli" -s "$work/client-script.sh" -p "$work/udhcpc.pid" \
    >> "$work/udhcpc.log" 2>&1 &
udhcpc_job=$!
wait_for 15 has_event "$events" bound
bound=$(last_event_ip "$events")
udhcpc_pid=$(cat "$work/udhcpc.pid" 2>/dev/null)
udhcpc_pid=${udhcpc_pid:-$udhcpc_job}
kill -USR1 "$udhcpc_pid" 2>/dev/null
wait_for 10 has_event "$events" renew
renewed=$(grep '^renew ' "$events" | tail -1 | awk '{print $2}')
if [ -n "$bound" ] && [ "$renewed" = "$bound" ] && [ "$(stored "$mac")" = "$bound" ]; then
    pass "udhcpc renew (SIGUSR1) keeps $bound"
else
    fail "udhcpc renew (SIGUSR1) keeps the address" "bound '$bound', renewed '$renewed', store '$(stored "$mac")'" \
        "$(tail -5 "$work/udhcpc.log")"
fi
kill -USR2 "$udhcpc_pid" 2>/dev/null
if [ -n "$bound" ] && wait_for 5 no_lease "$mac"; then
    pass "udhcpc release (SIGUSR2) frees $bound: its row leaves the store"
else
    fail "udhcpc release (SIGUSR2) frees the address" "store still has '$(stored "$mac")'"
fi
kill -TERM "$udhcpc_pid" 2>/dev/null
wait "$udhcpc_job" 2>/dev/null
events_to "$work/events-udhcpc-return"
in_ns "$cli" timeout 20 udhcpc -f -q -n -t 3 -T 2 -i "$if_cli" -s "$work/client-script.sh" >> "$work/udhcpc.log" 2>&1
expect_address "udhcpc back after its release gets $bound again" \
    "$(last_event_ip "$work/events-udhcpc-return")" "${bound:-none}" "$mac"

# ---- dhcpcd ------------------------------------------------------------------------------------------------------
# Debian 12's dhcpcd segfaults with -T (bug 1041204): one-shot -1 -4 instead. Its database and run folders are
# the temp dir's, mounted over /var/lib/dhcpcd and /run inside the private mount namespace of `ip netns exec`.
cat > "$work/dhcpcd.conf" <<'EOF'
noarp
noipv4ll
option subnet_mask, routers
EOF
cat > "$work/dhcpcd-script.sh" <<'EOF'
#!/bin/sh
case $reason in BOUND|RENEW|REBOOT) echo "$reason $new_ip_address" >> "$EVENTS" ;; esac
exit 0
EOF
chmod 0755 "$work/dhcpcd-script.sh"
for client in known unknown; do
    if [ $client = known ]; then mac=$known_mac want=$known_ip; else mac=02:00:00:77:01:04 want=pool; fi
    set_mac "$mac"
    mkdir -p "$work/dhcpcd-$client/db" "$work/dhcpcd-$client/run"
    events=$work/events-dhcpcd-$client
    : > "$events"
    chmod 0666 "$events"
    in_ns "$cli" env EVENTS="$events" sh -c '
        mount --bind "$1/db" /var/lib/dhcpcd && mount --bind "$1/run" /run &&
        exec timeout 25 dhcpcd -1 -4 -d -t 15 -f "$2" -c "$3" -e "EVENTS=$4" "$5"' \
        dhcpcd "$work/dhcpcd-$client" "$work/dhcpcd.conf" "$work/dhcpcd-script.sh" "$events" "$if_cli" \
        > "$work/dhcpcd-$client.log" 2>&1
    leased=$(sed -n 's/.*acknowledged \([0-9.]*\) from.*/\1/p' "$work/dhcpcd-$client.log" | tail -1)
    if [ -n "$leased" ] && [ "$(last_event_ip "$events")" = "$leased" ]; then
        expect_address "dhcpcd gets the $client MAC's address ($want)" "$leased" "$want" "$mac"
    else
        fail "dhcpcd gets the $client MAC's address ($want)" "log says acknowledged '$leased', script saw" \
            "'$(last_event_ip "$events")'" "$(grep -v '^ *$' "$work/dhcpcd-$client.log" | tail -15)"
    fi
done
set_mac 02:00:00:77:01:ff

# ---- relay -------------------------------------------------------------------------------------------------------
# perfdhcp is a relay: giaddr 10.99.0.1 selects the relayed subnet 10.99.0.0/16; the replies come back to port 67.
in_ns "$rly" timeout 20 perfdhcp -4 -l 10.99.0.1 -r 10 -n 20 -R 5 -d 2 10.77.0.1 > "$work/perfdhcp.log" 2>&1
received() { # SECTION: "received packets" of DISCOVER-OFFER or REQUEST-ACK
    awk -v s="$1" '/Statistics for:/ { on = index($0, s) > 0 } on && /received packets:/ { print $3; exit }' \
        "$work/perfdhcp.log"
}
offers=$(received DISCOVER-OFFER)
acks=$(received REQUEST-ACK)
relayed=$(sqlite3 -cmd '.timeout 2000' "$db" "SELECT count(*) FROM lease WHERE address LIKE '10.99.1.%' AND state = 'bound'")
if [ "${offers:-0}" -gt 0 ] && [ "${acks:-0}" -gt 0 ] && [ "${relayed:-0}" -gt 0 ]; then
    pass "a relayed DORA (perfdhcp, giaddr 10.99.0.1) is answered at the relay: $offers offers, $acks acks, $relayed leases in 10.99.1.x"
else
    fail "a relayed DORA (perfdhcp, giaddr 10.99.0.1) is answered at the relay" \
        "offers '$offers', acks '$acks', stored '$relayed'" "$(grep -v '^ *$' "$work/perfdhcp.log" | tail -12)"
fi

# ---- proxy beside dnsmasq ----------------------------------------------------------------------------------------
in_ns "$dns" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="$if_dns" --bind-interfaces \
    --dhcp-range=10.88.0.100,10.88.0.150,255.255.255.0,1h --dhcp-authoritative --no-ping --user=root \
    --dhcp-leasefile="$work/dnsmasq.leases" --pid-file="$work/dnsmasq.pid" --log-dhcp > "$work/dnsmasq.log" 2>&1 &
dnsmasq_listening() { in_ns "$dns" ss -Hlun 'sport = :67' | grep . > /dev/null; }
wait_for 10 dnsmasq_listening || fail "dnsmasq starts" "$(tail -5 "$work/dnsmasq.log")"
pxe_mac=52:54:00:88:00:20
in_ns "$pxe" ip link set dev "$if_pxe" down
in_ns "$pxe" ip link set dev "$if_pxe" address "$pxe_mac"
in_ns "$pxe" ip link set dev "$if_pxe" up
in_ns "$pxe" timeout 20 python3 "$repo/Tests/integration/pxe-client.py" "$if_pxe" "$pxe_mac" > "$work/pxe.json" 2>&1
pxe() { python3 -c 'import json, sys
data = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    data = data.get(key) if isinstance(data, dict) else None
print("" if data is None else data)' "$work/pxe.json" "$1" 2>/dev/null; }
address=$(pxe ack.yiaddr)
if [[ $address =~ ^10\.88\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 100 ] && [ "${BASH_REMATCH[1]}" -le 150 ] \
    && [ "$(pxe ack.server_id)" = 10.88.0.1 ] && grep -qi "$pxe_mac" "$work/dnsmasq.leases" 2>/dev/null; then
    pass "proxy: the PXE client's address $address comes from dnsmasq (ACK from 10.88.0.1, in its lease file)"
else
    fail "proxy: the PXE client's address comes from dnsmasq" "ack '$address' from '$(pxe ack.server_id)'" \
        "$(head -40 "$work/pxe.json")" "$(tail -5 "$work/dnsmasq.log")"
fi
if [ "$(pxe proxy_offer.server_id)" = 10.88.0.2 ] && [ "$(pxe proxy_offer.yiaddr)" = 0.0.0.0 ] \
    && [ "$(pxe proxy_offer.file)" = pxelinux.0 ] && [ "$(pxe proxy_offer.siaddr)" = 10.88.0.2 ] \
    && [[ $(pxe proxy_offer.option60) == PXEClient* ]]; then
    pass "proxy: Rackboot's offer has yiaddr 0, siaddr 10.88.0.2, file pxelinux.0, option 60 PXEClient"
else
    fail "proxy: Rackboot's offer carries the boot file" "proxy offer: server '$(pxe proxy_offer.server_id)'" \
        "yiaddr '$(pxe proxy_offer.yiaddr)' siaddr '$(pxe proxy_offer.siaddr)' file '$(pxe proxy_offer.file)'" \
        "option60 '$(pxe proxy_offer.option60)'" "$(head -40 "$work/pxe.json")"
fi
if [ -z "$(sqlite3 -cmd '.timeout 2000' "$db" "SELECT address FROM lease WHERE mac = '$pxe_mac'")" ]; then
    pass "proxy: Rackboot stores no lease for the PXE client"
else
    fail "proxy: Rackboot stores no lease for the PXE client" "store has a row for $pxe_mac"
fi

# ---- log ---------------------------------------------------------------------------------------------------------
# At info, one entry per exchange: the ACK for a DORA (its OFFER is at debug), the offer for a proxy exchange.
if grep -q "info rackboot: .*mac=$known_mac .*DHCPREQUEST acknowledged" "$work/rackboot.log" \
    && grep -q "info rackboot: .*file=pxelinux.0 mac=$pxe_mac .*DHCPDISCOVER offered" "$work/rackboot.log" \
    && ! grep -q "info rackboot: .*ip=.*DHCPDISCOVER offered" "$work/rackboot.log"; then
    pass "the info log has one entry per exchange (the ACK of a DORA, the proxy offer)"
else
    fail "the info log has one entry per exchange (the ACK of a DORA, the proxy offer)" \
        "$(grep -E 'acknowledged|offered' "$work/rackboot.log" | head -5)"
fi

# ---- returning clients across a restart, and after an expiry -------------------------------------------------------
# A client releases (udhcpc -R on exit), then Rackboot restarts with a one-minute lease time: the client gets its
# address back from the stored memory. Another client's lease then expires (udhcpc -q leaves without releasing);
# back after the expiry, it gets the same address again.
restart_mac=02:00:00:77:01:05
expiry_mac=02:00:00:77:01:06
set_mac "$restart_mac"
events_to "$work/events-udhcpc-before-restart"
in_ns "$cli" timeout 20 udhcpc -f -q -R -n -t 3 -T 2 -i "$if_cli" -s "$work/client-script.sh" >> "$work/udhcpc.log" 2>&1
before_restart=$(last_bound_ip "$work/events-udhcpc-before-restart")
released() { [ -z "$(stored "$1")" ]; }
wait_for 5 released "$restart_mac"
kill -TERM "$rackboot_pid" 2>/dev/null
wait "$rackboot_pid" 2>/dev/null
sed -i 's/^  lease_time: 1h$/  lease_time: 1m/' "$work/rackboot.yaml"
mv "$work/rackboot.log" "$work/rackboot-first.log"
in_ns "$srv" "$rackboot" serve --config "$work/rackboot.yaml" --log-level info > "$work/rackboot.log" 2>&1 &
rackboot_pid=$!
if ! wait_for 30 listening; then
    fail "rackboot serve restarts on the same state" "$(tail -20 "$work/rackboot.log")"
fi
events_to "$work/events-udhcpc-after-restart"
in_ns "$cli" timeout 20 udhcpc -f -q -n -t 3 -T 2 -i "$if_cli" -s "$work/client-script.sh" >> "$work/udhcpc.log" 2>&1
expect_address "udhcpc back after its release and a server restart gets ${before_restart:-its address} again" \
    "$(last_bound_ip "$work/events-udhcpc-after-restart")" "${before_restart:-none}" "$restart_mac"
set_mac "$expiry_mac"
events_to "$work/events-udhcpc-before-expiry"
in_ns "$cli" timeout 20 udhcpc -f -q -n -t 3 -T 2 -i "$if_cli" -s "$work/client-script.sh" >> "$work/udhcpc.log" 2>&1
before_expiry=$(last_bound_ip "$work/events-udhcpc-before-expiry")
# Meanwhile another client takes the next free address, so "the next free one" is not the expired one by chance.
set_mac 02:00:00:77:01:07
events_to "$work/events-udhcpc-other"
in_ns "$cli" timeout 20 udhcpc -f -q -n -t 3 -T 2 -i "$if_cli" -s "$work/client-script.sh" >> "$work/udhcpc.log" 2>&1
expiry=$(stored_expiry "$expiry_mac")
expired() { [ -n "$expiry" ] && [ "$(date +%s)" -gt "$expiry" ]; }
wait_for 75 expired
set_mac "$expiry_mac"
events_to "$work/events-udhcpc-after-expiry"
in_ns "$cli" timeout 20 udhcpc -f -q -n -t 3 -T 2 -i "$if_cli" -s "$work/client-script.sh" >> "$work/udhcpc.log" 2>&1
expect_address "udhcpc back after its lease expired gets ${before_expiry:-its address} again" \
    "$(last_bound_ip "$work/events-udhcpc-after-expiry")" "${before_expiry:-none}" "$expiry_mac"

# ---- end ---------------------------------------------------------------------------------------------------------
if kill -0 "$rackboot_pid" 2>/dev/null; then
    pass "rackboot serve is still running after every client"
else
    fail "rackboot serve is still running after every client" "$(tail -20 "$work/rackboot.log")"
fi
if [ $failed -gt 0 ]; then
    echo "---- rackboot log (last 30 lines)"
    tail -30 "$work/rackboot.log"
fi
echo "(took $((SECONDS - started)) s)"
echo "dhcp: $passed passed, $failed failed"
[ $failed -eq 0 ]
