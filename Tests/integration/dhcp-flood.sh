#!/usr/bin/env bash
# DHCP under hostile load, against `rackboot serve` in network namespaces this script creates and removes:
# a random-MAC flood (perfdhcp -R 5000) exhausts a 50-address pool while a reserved machine still gets its address
# and an unknown one is refused cleanly; the lease store stays within the pool; the server's memory stays bounded;
# a low per-relay limit caps what a second flood gets answered; one MAC repeating DISCOVERs gets its per-MAC budget
# only; hand-built hostile datagrams are dropped and counted, and the server keeps serving. STATUS and the log show
# the drops.
# Usage (as root): Tests/integration/dhcp-flood.sh path/to/rackboot
#
# Topology (10.x only inside the namespaces):
#   lan ns: bridge br0
#   srv ns: rackboot serve on <tag>s 10.66.0.1/24 (pool 10.66.0.100-149, fixed IPs .10 and .11, per-MAC limit
#           1/s burst 3); 10.67.0.0/16 relayed via 10.66.0.5 (pool of 1000, per-relay limit 20/s burst 20)
#   cli ns: <tag>c on br0, no address: udhcpc, dhcp-repeat-client.py
#   rly ns: <tag>r 10.66.0.5/24 + 10.67.0.1/16: perfdhcp (a relay, 67 -> 67) and dhcp-hostile.py
set -u
rackboot=$(realpath "${1:?usage: dhcp-flood.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
repo=$PWD
source Tests/lib/report.sh
started=$SECONDS

if [ "$(id -u)" -ne 0 ]; then
    fail "dhcp-flood needs root (network namespaces)"
    report dhcp-flood
    exit 1
fi

tag=rh$(($$ % 100000))
work=$(mktemp -d "/tmp/rackboot-flood-$tag.XXXXXX")
chmod 0755 "$work"
lan=$tag-lan srv=$tag-srv cli=$tag-cli rly=$tag-rly
namespaces=("$lan" "$srv" "$cli" "$rly")
if_srv=${tag}s if_cli=${tag}c if_rly=${tag}r
listener_pid=

# Stops what this script started: the processes in its own namespaces (by PID), the listener, the namespaces.
source "$repo/Tests/lib/netns.sh"
cleanup() {
    [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
    netns_stop
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- network ---------------------------------------------------------------------------------------------------
netns_create dhcp-flood
netns_bridge "$lan" br0
# IF in its namespace, its peer a port of br0 in the lan namespace.
netns_veth "$srv" "$if_srv" "$lan" p-srv br0
netns_veth "$cli" "$if_cli" "$lan" p-cli br0
netns_veth "$rly" "$if_rly" "$lan" p-rly br0
in_ns "$srv" ip addr add 10.66.0.1/24 dev "$if_srv"
in_ns "$srv" ip route add 10.67.0.0/16 via 10.66.0.5 dev "$if_srv"
in_ns "$rly" ip addr add 10.66.0.5/24 dev "$if_rly"
in_ns "$rly" ip addr add 10.67.0.1/16 dev "$if_rly"

# ---- rackboot ----------------------------------------------------------------------------------------------------
known_mac=52:54:00:66:00:10 known_ip=10.66.0.10
repeat_mac=52:54:00:66:00:11 repeat_ip=10.66.0.11
mkdir -p "$work/profiles/templates" "$work/tftproot" "$work/state"
for file in pxelinux.0 ldlinux.c32 syslinux.efi ldlinux.e64 linux initrd; do : > "$work/tftproot/$file"; done
printf 'kernel: linux\ninitrds: [initrd]\ncmdline: console=ttyS0\n' > "$work/profiles/templates/test.yaml"
printf 'hostname: known-01\nmacs: [%s]\nip: %s\ntemplate: test\nstate: install\n' "$known_mac" "$known_ip" \
    > "$work/profiles/known-01.yaml"
printf 'hostname: known-02\nmacs: [%s]\nip: %s\ntemplate: test\nstate: install\n' "$repeat_mac" "$repeat_ip" \
    > "$work/profiles/known-02.yaml"
pool_size=50
relay_rate=20 relay_burst=20
mac_rate=1 mac_burst=3
cat > "$work/rackboot.yaml" <<EOF
profiles: profiles
state_directory: state
boot:
  next_server: 10.66.0.1
dhcp:
  lease_time: 1h
  subnets:
    - network: 10.66.0.0/24
      interface: $if_srv
      pools: [10.66.0.100-10.66.0.149]
      router: 10.66.0.1
      rate_limit:
        per_mac: { rate: $mac_rate/s, burst: $mac_burst }
    - network: 10.67.0.0/16
      pools: [10.67.1.1-10.67.4.250]
      router: 10.67.0.1
      rate_limit:
        per_relay: { rate: $relay_rate/s, burst: $relay_burst }
tftp:
  root: tftproot
  address: 10.66.0.1
EOF
python3 Tests/integration/notify-listener.py "$work/notify.sock" "$work/notify.log" 300 &
listener_pid=$!
wait_for 5 test -S "$work/notify.sock"
# `ip netns exec` execs rackboot, so $! is rackboot's own PID.
NOTIFY_SOCKET="$work/notify.sock" ip netns exec "$srv" "$rackboot" serve --config "$work/rackboot.yaml" \
    --log console --log-level info > "$work/rackboot.log" 2>&1 &
rackboot_pid=$!
if wait_for 30 grep -q "DHCP server listening" "$work/rackboot.log"; then
    pass "rackboot serve listens"
else
    fail "rackboot serve listens" "$(tail -20 "$work/rackboot.log")"
    report dhcp-flood
    exit 1
fi
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$rackboot_pid/status" 2>/dev/null; }
rss_at_start=$(hwm_kib)

# ---- helpers -----------------------------------------------------------------------------------------------------
set_mac() {
    in_ns "$cli" ip addr flush dev "$if_cli"
    in_ns "$cli" ip link set dev "$if_cli" down
    in_ns "$cli" ip link set dev "$if_cli" address "$1"
    in_ns "$cli" ip link set dev "$if_cli" up
}
printf '#!/bin/sh\ncase $1 in bound|renew) echo "$1 $ip" >> "$EVENTS" ;; esac\nexit 0\n' > "$work/udhcpc-script.sh"
chmod 0755 "$work/udhcpc-script.sh"
# udhcpc_once NAME: one udhcpc run (3 DISCOVERs, 2 s apart); prints the address it was bound to, if any.
udhcpc_once() {
    : > "$work/events-$1"
    in_ns "$cli" env EVENTS="$work/events-$1" timeout 20 udhcpc -f -q -n -t 3 -T 2 -i "$if_cli" \
        -s "$work/udhcpc-script.sh" >> "$work/udhcpc-$1.log" 2>&1
    awk '$1 == "bound" { print $2 }' "$work/events-$1" | tail -1
}
# perfdhcp_count LOG SECTION FIELD: "sent packets" or "received packets" of DISCOVER-OFFER or REQUEST-ACK.
perfdhcp_count() {
    awk -v s="$2" -v f="$3 packets:" '/Statistics for:/ { on = index($0, s) > 0 } on && index($0, f) { print $3; exit }' "$1"
}
status_line() { grep '^[0-9.]* STATUS=' "$work/notify.log" | tail -1 | cut -d= -f2-; }
leases_json() { "$rackboot" leases --json --config "$work/rackboot.yaml" 2>/dev/null; }

# ---- per-MAC limit: one MAC repeating DISCOVERs fast --------------------------------------------------------------
set_mac "$repeat_mac"
in_ns "$cli" timeout 20 python3 "$repo/Tests/integration/dhcp-repeat-client.py" "$if_cli" "$repeat_mac" 40 0.05 \
    > "$work/repeat.json" 2> "$work/repeat.err"
read -r sent offers seconds < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); print(d["sent"], d["offers"], d["send_seconds"])' "$work/repeat.json" 2>/dev/null)
budget=$(python3 -c "import math; print($mac_burst + math.floor($mac_rate * ${seconds:-0}) + 1)")
if [ "${offers:-0}" -ge 1 ] && [ "${offers:-99}" -le "$budget" ] && [ "${sent:-0}" -gt "$budget" ]; then
    pass "one MAC repeating $sent DISCOVERs over ${seconds}s gets $offers answered (per-MAC budget $budget: burst $mac_burst + $mac_rate/s)"
else
    fail "one MAC repeating DISCOVERs gets at most its per-MAC budget answered" \
        "sent '$sent', offers '$offers', budget '$budget'" "$(cat "$work/repeat.json" "$work/repeat.err")"
fi

# ---- random-MAC flood through a relay on the served subnet: the pool runs out ----------------------------------
# perfdhcp relays from 10.66.0.5, so giaddr selects 10.66.0.0/24 and its 50-address pool: the flood and the
# real clients below compete for the same pool.
in_ns "$rly" timeout 60 perfdhcp -4 -l 10.66.0.5 -R 5000 -r 300 -p 8 -n 2400 -d 2 10.66.0.1 \
    > "$work/perfdhcp-pool.log" 2>&1 &
flood_pid=$!
sleep 3
# During the flood: the reserved machine gets its address; an unknown one gets none, and is refused cleanly.
set_mac "$known_mac"
during_known=$(udhcpc_once known)
set_mac 02:00:00:66:01:01
during_unknown=$(udhcpc_once unknown)
wait "$flood_pid"
flood_sent=$(perfdhcp_count "$work/perfdhcp-pool.log" DISCOVER-OFFER sent)
flood_offers=$(perfdhcp_count "$work/perfdhcp-pool.log" DISCOVER-OFFER received)
flood_acks=$(perfdhcp_count "$work/perfdhcp-pool.log" REQUEST-ACK received)
if [ "${flood_sent:-0}" -ge 1000 ] && [ "${flood_offers:-0}" -ge 1 ]; then
    pass "perfdhcp flooded $flood_sent DISCOVERs from random MACs (-R 5000): $flood_offers offers, $flood_acks acks"
else
    fail "perfdhcp floods from random MACs" "sent '$flood_sent', offers '$flood_offers'" \
        "$(grep -v '^ *$' "$work/perfdhcp-pool.log" | tail -12)"
fi
if [ "$during_known" = "$known_ip" ]; then
    pass "during the flood the reserved machine gets its address $known_ip (udhcpc)"
else
    fail "during the flood the reserved machine gets its address $known_ip" "udhcpc got '$during_known'" \
        "$(tail -5 "$work/udhcpc-known.log")"
fi
if [ -z "$during_unknown" ] && grep -q "warning rackboot: .*pool exhausted: DHCPDISCOVERs get no offer" \
    "$work/rackboot.log"; then
    pass "an unknown MAC finds the pool exhausted: no offer, and the log says 'pool exhausted'"
else
    fail "an unknown MAC finds the pool exhausted and the log says so" "udhcpc got '$during_unknown'" \
        "$(grep -c 'pool exhausted' "$work/rackboot.log") pool exhausted lines"
fi
warnings=$(grep -c "warning rackboot: .*pool exhausted" "$work/rackboot.log")
if [ "$warnings" -ge 1 ] && [ "$warnings" -le 2 ]; then
    pass "pool exhaustion is warned about once per subnet per minute ($warnings warning lines), the rest at debug"
else
    fail "pool exhaustion is warned about once per subnet per minute" "$warnings warning lines"
fi
read -r dynamic reserved other < <(leases_json | python3 -c 'import ipaddress, json, sys
leases = [l for l in json.load(sys.stdin) if l["state"] == "bound"]
low, high = ipaddress.ip_address("10.66.0.100"), ipaddress.ip_address("10.66.0.149")
pool = [l for l in leases if low <= ipaddress.ip_address(l["address"]) <= high]
fixed = [l for l in leases if l["address"] == sys.argv[1] and l["mac"] == sys.argv[2]]
print(len(pool), len(fixed), len(leases) - len(pool) - len(fixed))' "$known_ip" "$known_mac")
if [ "${dynamic:-99}" -le "$pool_size" ] && [ "${dynamic:-0}" -ge 1 ] && [ "${reserved:-0}" -eq 1 ] \
    && [ "${other:-99}" -eq 0 ]; then
    pass "rackboot leases --json: $dynamic dynamic leases (pool of $pool_size), the reservation, nothing else"
else
    fail "the lease store holds at most the pool and the reservation" \
        "dynamic '$dynamic', reserved '$reserved', other '$other'"
fi

# ---- a low per-relay limit caps a second flood ------------------------------------------------------------------
start_ns=$(date +%s%N)
in_ns "$rly" timeout 60 perfdhcp -4 -l 10.67.0.1 -R 5000 -r 200 -p 4 -d 2 10.66.0.1 > "$work/perfdhcp-relay.log" 2>&1
elapsed=$(( ($(date +%s%N) - start_ns) / 1000000 ))
relay_sent=$(perfdhcp_count "$work/perfdhcp-relay.log" DISCOVER-OFFER sent)
relay_offers=$(perfdhcp_count "$work/perfdhcp-relay.log" DISCOVER-OFFER received)
relay_budget=$(( relay_burst + relay_rate * (elapsed + 999) / 1000 ))
if [ "${relay_offers:-0}" -ge 1 ] && [ "${relay_offers:-99999}" -le "$relay_budget" ] \
    && [ "${relay_sent:-0}" -gt "$relay_budget" ]; then
    pass "per-relay limit: $relay_offers of $relay_sent DISCOVERs answered in $elapsed ms (limit $relay_rate/s burst $relay_burst: at most $relay_budget)"
else
    fail "the per-relay limit holds" "offers '$relay_offers' of '$relay_sent' in $elapsed ms, budget $relay_budget" \
        "$(grep -v '^ *$' "$work/perfdhcp-relay.log" | tail -12)"
fi
if grep -q "warning rackboot: .*per-relay limit of relay 10.67.0.1.*dropping DHCP requests over the rate limit" \
    "$work/rackboot.log"; then
    pass "the log warns that relay 10.67.0.1 is over its limit"
else
    fail "the log warns that relay 10.67.0.1 is over its limit" "$(grep 'rate limit' "$work/rackboot.log" | head -3)"
fi

# ---- hostile datagrams ------------------------------------------------------------------------------------------
in_ns "$rly" timeout 30 python3 "$repo/Tests/integration/dhcp-hostile.py" 10.66.0.1 10.66.0.5 50 \
    > "$work/hostile.json" 2>&1
read -r hostile_malformed hostile_unusable < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); print(d["malformed"], d["unusable"])' "$work/hostile.json" 2>/dev/null)
sleep 1
if [ "${hostile_malformed:-0}" -gt 0 ] && kill -0 "$rackboot_pid" 2>/dev/null; then
    pass "rackboot survives $hostile_malformed malformed and $hostile_unusable unusable hostile datagrams"
else
    fail "rackboot survives the hostile datagrams" "$(cat "$work/hostile.json")" "$(tail -20 "$work/rackboot.log")"
fi
malformed_warnings=$(grep -c "warning rackboot: .*source_ip=10.66.0.5 .*dropping malformed DHCP datagrams" \
    "$work/rackboot.log")
if [ "$malformed_warnings" -eq 1 ]; then
    pass "one warning for the malformed flood from 10.66.0.5, the rest at debug"
else
    fail "one warning for the malformed flood from 10.66.0.5" "$malformed_warnings warning lines" \
        "$(grep 'malformed' "$work/rackboot.log" | head -3)"
fi
set_mac "$known_mac"
after=$(udhcpc_once after)
if [ "$after" = "$known_ip" ]; then
    pass "after the hostile datagrams the server still serves: the reserved machine gets $known_ip"
else
    fail "after the hostile datagrams the server still serves" "udhcpc got '$after'" "$(tail -5 "$work/udhcpc-after.log")"
fi

# ---- STATUS: the drops, counted --------------------------------------------------------------------------------
# STATUS is refreshed every 5 s; wait for one that counts (nearly) every hostile datagram: UDP may lose a few under
# load, so 90 % of them must be counted as malformed (datagrams that do not decode and requests that are unusable).
status_counts() {
    status_line | python3 -c 'import re, sys
counts = {k: int(v) for v, k in re.findall(r"(\d+) (malformed|rate-limited|pool exhausted)", sys.stdin.read())}
sys.exit(0 if counts.get("malformed", 0) >= int(sys.argv[1]) * 0.9 and counts.get("rate-limited", 0) > 0
         and counts.get("pool exhausted", 0) > 0 else 1)' "$((hostile_malformed + hostile_unusable))"
}
if wait_for 12 status_counts; then
    pass "STATUS counts the drops: $(status_line | grep -o 'DHCP dropped[^;]*')"
else
    fail "STATUS counts malformed, rate-limited and pool-exhausted drops" "last STATUS: $(status_line)"
fi

# ---- memory ------------------------------------------------------------------------------------------------------
rss_bound_mib=128
rss_peak=$(hwm_kib)
if [ -n "$rss_peak" ] && [ "$rss_peak" -lt $((rss_bound_mib * 1024)) ]; then
    pass "the server's peak RSS (VmHWM) stayed under $rss_bound_mib MiB: $((${rss_at_start:-0} / 1024)) MiB at start, $((rss_peak / 1024)) MiB after every flood"
else
    fail "the server's peak RSS (VmHWM) stays under $rss_bound_mib MiB" "VmHWM '$rss_peak' KiB"
fi

if kill -0 "$rackboot_pid" 2>/dev/null; then pass "rackboot serve is still running"; else
    fail "rackboot serve is still running" "$(tail -20 "$work/rackboot.log")"
fi
if [ "$failed" -gt 0 ]; then
    echo "---- rackboot log (last 30 lines)"
    tail -30 "$work/rackboot.log"
fi
echo "(took $((SECONDS - started)) s)"
report dhcp-flood
