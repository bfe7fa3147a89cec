#!/usr/bin/env bash
# Two appliances sharing their leases in PostgreSQL (leases.backend: postgresql), with real clients, in network
# namespaces this script creates and removes, against a private PostgreSQL cluster (Tests/lib/postgres.sh) on a Unix
# socket only.
#  1. Appliance A alone: dhclient gets a lease from it (1 min leases, the shortest Rackboot gives: T1 30 s, T2 52.5 s)
#     and keeps running.
#  2. Appliance B joins; udhcpc clients get leases while both answer every broadcast (both offer, the client takes
#     one, the other drops its hold).
#  3. perfdhcp (a relay agent, broadcasting on the bridge so both appliances see it) loads both; A is SIGKILLed in
#     the middle. B keeps acknowledging the load, and a new udhcpc client still gets a lease.
#  4. dhclient's renewals to A go unanswered; at T2 it rebinds by broadcast and B acknowledges the same address,
#     which the database then holds as bound, written by B.
#  5. PostgreSQL stops (pg_halt) in the middle of a second perfdhcp load, and a new udhcpc client asks during the
#     outage: B logs one error, acknowledges nothing until the database is back (pg_resume), the udhcpc attempt
#     fails, every ACK perfdhcp saw came before the halt; then B says the store is writable again and a new client
#     gets a lease.
#  6. After the kill and at the end, the database against both appliances' logs: no MAC holds two bound leases, the
#     last ACK of every MAC whose lease still runs is a bound row of that MAC and address lasting at least as long as
#     the ACK promised, and no address was ever acknowledged to two MACs (the pools are large enough and each
#     appliance searches its own part of them, so no address legitimately changes hands during the run).
# Usage (as root): Tests/integration/shared-leases.sh path/to/rackboot
#
# Topology (every address is 10.x and exists only inside the namespaces; the database is a Unix socket):
#   lan ns: bridge br0
#   a ns:   appliance A (`appliance: rack-a`), <tag>s 10.68.0.1/24 on br0
#   b ns:   appliance B (`appliance: rack-b`), <tag>s 10.68.0.2/24 on br0 (same interface name, same config
#           apart from the appliance's name, boot.next_server and state_directory)
#           both: subnet 10.68.0.0/24 on <tag>s, pool .100-.199, 1 min leases; relayed subnet 10.69.0.0/16
#           (pool 10.69.1.1-10.69.63.254, 1 h leases) via 10.68.0.5
#   dhc ns: <tag>d on br0: dhclient (its own lease, pid and event files), configures its address to renew
#   cli ns: <tag>c on br0: udhcpc runs, a fresh MAC each
#   rly ns: <tag>r 10.69.0.1/16 (first) + 10.68.0.5/24 on br0: perfdhcp, a relay (giaddr 10.69.0.1), sending to
#           255.255.255.255 on the bridge
set -uo pipefail
rackboot=$(realpath "${1:?usage: shared-leases.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
started=$SECONDS
source Tests/lib/report.sh
source Tests/lib/postgres.sh

if [ "$(id -u)" -ne 0 ]; then
    fail "shared-leases.sh needs root (network namespaces, a PostgreSQL cluster run as postgres)"
    report shared-leases
    exit 1
fi
for tool in perfdhcp dhclient udhcpc; do
    if ! command -v "$tool" > /dev/null; then
        fail "$tool is installed (perfdhcp: Debian's kea-admin; dhclient: isc-dhcp-client; udhcpc: busybox)"
        report shared-leases
        exit 1
    fi
done

tag=rl$(($$ % 100000))
work=$(mktemp -d "/tmp/rackboot-shared-$tag.XXXXXX")
chmod 0755 "$work"
lan=$tag-lan nsa=$tag-a nsb=$tag-b dhc=$tag-dhc cli=$tag-cli rly=$tag-rly
namespaces=("$lan" "$nsa" "$nsb" "$dhc" "$cli" "$rly")
if_srv=${tag}s if_dhc=${tag}d if_cli=${tag}c if_rly=${tag}r

# Stops what this script started: the processes inside its namespaces (by PID), the namespaces, the database.
source Tests/lib/netns.sh
cleanup() {
    netns_stop
    pg_stop
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
check() { # NAME COMMAND...: passes when COMMAND succeeds
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}
abort() { # NAME DETAIL...: a failure after which nothing below can run
    fail "$@"
    report shared-leases
    exit 1
}

# ---- database ----------------------------------------------------------------------------------------------------
pg_start > "$work/pg_start.log" 2>&1 || abort "a private PostgreSQL cluster starts" "$(tail -5 "$work/pg_start.log")"
pass "a private PostgreSQL cluster listens on $PG_SOCKET_DIR only"

# ---- network -----------------------------------------------------------------------------------------------------
netns_create shared-leases
netns_bridge "$lan" br0 &&
    netns_veth "$nsa" "$if_srv" "$lan" a-port br0 &&
    netns_veth "$nsb" "$if_srv" "$lan" b-port br0 &&
    netns_veth "$dhc" "$if_dhc" "$lan" d-port br0 &&
    netns_veth "$cli" "$if_cli" "$lan" c-port br0 &&
    netns_veth "$rly" "$if_rly" "$lan" r-port br0 &&
    in_ns "$nsa" ip addr add 10.68.0.1/24 dev "$if_srv" &&
    in_ns "$nsb" ip addr add 10.68.0.2/24 dev "$if_srv" &&
    in_ns "$nsa" ip route add 10.69.0.0/16 via 10.68.0.5 &&
    in_ns "$nsb" ip route add 10.69.0.0/16 via 10.68.0.5 &&
    in_ns "$rly" ip addr add 10.69.0.1/16 dev "$if_rly" &&
    in_ns "$rly" ip addr add 10.68.0.5/24 dev "$if_rly" ||
    abort "the namespaces are wired"

# ---- the appliances ----------------------------------------------------------------------------------------------
mkdir -p "$work/profiles" "$work/root" "$work/state-a" "$work/state-b"
for file in pxelinux.0 ldlinux.c32 syslinux.efi ldlinux.e64; do : > "$work/root/$file"; done
# write_config FILE APPLIANCE NEXT-SERVER STATE-DIRECTORY
write_config() {
    cat > "$1" << EOF
profiles: profiles
state_directory: $4
boot:
  next_server: $3
  files: {bios: pxelinux.0, efi_x64: syslinux.efi}
dhcp:
  lease_time: 1m
  subnets:
    - network: 10.68.0.0/24
      interface: $if_srv
      pools: [10.68.0.100-10.68.0.199]
    - network: 10.69.0.0/16
      lease_time: 1h
      pools: [10.69.1.1-10.69.63.254]
tftp:
  root: root
leases:
  backend: postgresql
  appliance: $2
  postgresql:
    url: $PG_URL
    timeout: 5s
EOF
}
write_config "$work/a.yaml" rack-a 10.68.0.1 state-a
write_config "$work/b.yaml" rack-b 10.68.0.2 state-b
alog=$work/a.log blog=$work/b.log
is_rackboot() { [[ $(readlink "/proc/$1/exe" 2> /dev/null) == "$rackboot"* ]]; }
ready() { grep -q '\] ready' "$1" || ! kill -0 "$2" 2> /dev/null; } # LOG PID: ready, or gone
# start_appliance NS CONFIG LOG: `ip netns exec` execs rackboot, so $! is rackboot's own PID.
start_appliance() {
    ip netns exec "$1" "$rackboot" serve --config "$2" --log console > /dev/null 2> "$3" &
    started_pid=$!
    wait_for 30 ready "$3" "$started_pid" && is_rackboot "$started_pid" && grep -q '\] ready' "$3"
}
if start_appliance "$nsa" "$work/a.yaml" "$alog"; then
    a_pid=$started_pid
    pass "appliance A serves (PID $a_pid), $(grep -o 'appliance_ordinal=[0-9]*' "$alog" | head -1)"
else
    abort "appliance A serves" "$(tail -20 "$alog")"
fi

# ---- clients -----------------------------------------------------------------------------------------------------
in_ns "$dhc" ip link set "$if_dhc" address 52:54:00:68:00:d1
dhclient_mac=52:54:00:68:00:d1
# dhclient's script configures the address (renewals are unicast from it) and records "REASON ADDRESS".
cat > "$work/dhclient-script.sh" << EOF
#!/bin/sh
case \$reason in
    BOUND|RENEW|REBIND|REBOOT) ip addr replace "\$new_ip_address/24" dev "\$interface" ;;
    EXPIRE|FAIL|RELEASE|STOP) ip addr flush dev "\$interface" ;;
esac
echo "\$reason \${new_ip_address:--}" >> "$work/dhclient.events"
exit 0
EOF
chmod 0755 "$work/dhclient-script.sh"
# Retransmissions 1-2 s apart (dhclient's defaults back off up to 15 s and more, which can step over the 7.5 s
# between T2 and the end of a 1 min lease, so that it starts over with a DISCOVER instead of rebinding).
printf 'initial-interval 1;\nbackoff-cutoff 2;\n' > "$work/dhclient.conf"
: > "$work/dhclient.events"
# udhcpc_run NAME MAC [TRIES [SECONDS]]: one udhcpc in the client namespace with MAC, quitting once it has a lease
# (or after TRIES discovers, default 5, SECONDS apart, default 2); prints the leased address and the server that gave
# it, or nothing.
udhcpc_run() {
    in_ns "$cli" ip link set "$if_cli" address "$2"
    in_ns "$cli" timeout 30 udhcpc -i "$if_cli" -f -q -n -t "${3:-5}" -T "${4:-2}" -s /bin/true > "$work/udhcpc-$1.out" 2>&1
    sed -n 's/.*lease of \([0-9.]*\) obtained from \([0-9.]*\),.*/\1 \2/p' "$work/udhcpc-$1.out" | tail -1
}
acks_matching() { grep '\] DHCPREQUEST acknowledged' "$1" | grep -c -- "$2"; }
# ack_of LOG MAC: the address of MAC's last ACK in LOG
ack_of() { grep '\] DHCPREQUEST acknowledged' "$1" | grep -- " mac=$2 " | sed -n 's/.* ip=\([0-9.]*\) .*/\1/p' | tail -1; }
row_of() { pg_psql "SELECT host(address), state, appliance FROM lease WHERE mac = '$1' ORDER BY address"; }

# ---- 1. dhclient gets its lease from A alone ---------------------------------------------------------------------
ip netns exec "$dhc" timeout 300 dhclient -4 -d -v -1 -cf "$work/dhclient.conf" -lf "$work/dhclient.leases" \
    -pf "$work/dhclient.pid" -sf "$work/dhclient-script.sh" "$if_dhc" > "$work/dhclient.log" 2>&1 &
wait_for 20 grep -q '^BOUND ' "$work/dhclient.events"
dhclient_ip=$(awk '$1 == "BOUND" { print $2 }' "$work/dhclient.events" | tail -1)
if [ -n "$dhclient_ip" ] && grep -q "DHCPACK of $dhclient_ip from 10.68.0.1" "$work/dhclient.log" &&
    [ "$(ack_of "$alog" "$dhclient_mac")" = "$dhclient_ip" ] &&
    [ "$(row_of "$dhclient_mac")" = "$dhclient_ip|bound|rack-a" ]; then
    pass "dhclient gets $dhclient_ip from A alone: A logged the ACK, the database holds it bound, written by rack-a"
else
    abort "dhclient gets a lease from A alone" "dhclient events: $(tr '\n' ';' < "$work/dhclient.events")" \
        "database: $(row_of "$dhclient_mac" | tr '\n' ';')" "$(tail -5 "$work/dhclient.log")" "$(tail -5 "$alog")"
fi
dhclient_bound_at=$SECONDS

# ---- 2. B joins; udhcpc clients while both answer ----------------------------------------------------------------
if start_appliance "$nsb" "$work/b.yaml" "$blog"; then
    b_pid=$started_pid
    pass "appliance B serves (PID $b_pid), $(grep -o 'appliance_ordinal=[0-9]*' "$blog" | head -1)"
else
    abort "appliance B serves" "$(tail -20 "$blog")"
fi
check "the database names both appliances" \
    test "$(pg_psql "SELECT string_agg(name, ',' ORDER BY name) FROM appliance")" = rack-a,rack-b
servers= problems=()
for index in 1 2 3 4 5 6; do
    mac=52:54:00:68:01:0$index
    got=$(udhcpc_run "before-$index" "$mac")
    stored=$(pg_psql "SELECT host(address) FROM lease WHERE mac = '$mac' AND state = 'bound'")
    if [ -n "$got" ] && [ "$stored" = "${got% *}" ]; then
        servers+=" ${got#* }"
    else
        problems+=("udhcpc $mac: '$got', database: '$stored'" "$(tail -3 "$work/udhcpc-before-$index.out")")
    fi
done
if [ ${#problems[@]} -eq 0 ]; then
    pass "six udhcpc clients get leases, stored bound, while both appliances answer (from:$servers)"
else
    fail "six udhcpc clients get leases, stored bound, while both appliances answer" "${problems[@]}"
fi
holds() { [ "$(pg_psql "SELECT count(*) FROM lease WHERE state = 'offered' AND mac::text LIKE '52:54:00:68:01:%'")" = 0 ]; }
if wait_for 5 holds; then
    pass "the holds of the offers the clients did not take are gone from the database"
else
    fail "the holds of the offers the clients did not take are gone from the database" \
        "$(pg_psql "SELECT host(address), mac, state, appliance FROM lease WHERE mac::text LIKE '52:54:00:68:01:%'")"
fi

# ---- 3. perfdhcp load; SIGKILL A in the middle -------------------------------------------------------------------
# perfdhcp acts as a relay (giaddr: the interface's first address, 10.69.0.1; replies to port 67) and, given an
# interface, sends to 255.255.255.255, so both appliances see each DISCOVER and REQUEST; 500 clients, 100 exchanges
# a second for 12 s.
in_ns "$rly" timeout 40 perfdhcp -4 -l "$if_rly" -r 100 -R 500 -p 12 -d 2 -b mac=02:69:00:00:00:00 \
    > "$work/perfdhcp-load.out" 2>&1 &
load_pid=$!
load_acks_a() { [ "$(acks_matching "$alog" ' ip=10\.69\.')" -ge "$1" ]; }
if wait_for 20 load_acks_a 100; then
    b_at_kill=$(lines "$blog")
    kill -KILL "$a_pid"
    wait "$a_pid" 2> /dev/null
    killed_status=$?
    a_acks=$(acks_matching "$alog" ' ip=10\.69\.')
    b_acks=$(head -n "$b_at_kill" "$blog" | grep '\] DHCPREQUEST acknowledged' | grep -c ' ip=10\.69\.')
    if [ "$killed_status" = 137 ]; then
        pass "A is SIGKILLed mid-load (A had acknowledged $a_acks load clients, B $b_acks)"
    else
        fail "A is SIGKILLed mid-load" "wait status $killed_status"
    fi
else
    wait "$load_pid"
    abort "A acknowledges 100 of the load's clients within 20 s" "$(tail -20 "$work/perfdhcp-load.out")" \
        "$(tail -5 "$alog")"
fi
# The survivor serves a new client during the load.
got=$(udhcpc_run after-kill 52:54:00:68:02:01)
if [ "${got#* }" = 10.68.0.2 ] && [ "$(ack_of "$blog" 52:54:00:68:02:01)" = "${got% *}" ]; then
    pass "after the kill, a new udhcpc client gets ${got% *} from B"
else
    fail "after the kill, a new udhcpc client gets a lease from B" "udhcpc: '$got'" \
        "$(tail -3 "$work/udhcpc-after-kill.out")" "$(tail -5 "$blog")"
fi
wait "$load_pid"
load_status=$?
received() { # FILE SECTION: "received packets" of DISCOVER-OFFER or REQUEST-ACK in a perfdhcp summary
    awk -v s="$2" '/Statistics for:/ { on = index($0, s) > 0 } on && /received packets:/ { print $3; exit }' "$1"
}
b_after_kill=$(tail -n +"$((b_at_kill + 1))" "$blog" | grep '\] DHCPREQUEST acknowledged' | grep -c ' ip=10\.69\.')
if [ "$b_after_kill" -gt 0 ]; then
    pass "B keeps acknowledging the load after the kill ($b_after_kill ACKs; perfdhcp: $(received \
        "$work/perfdhcp-load.out" DISCOVER-OFFER) offers, $(received "$work/perfdhcp-load.out" REQUEST-ACK) ACKs, exit $load_status)"
else
    fail "B keeps acknowledging the load after the kill" "$(grep -v '^ *$' "$work/perfdhcp-load.out" | tail -25)"
fi

# ---- the database against the logs -------------------------------------------------------------------------------
# check-leases.py MODE NOW LEASES-DUMP LOG...: the ACKs logged at info ("DHCPREQUEST acknowledged", with ip= and mac=)
# against `lease` rows (address|mac|state|expiry|appliance). Log times have one-second resolution.
#   unique: no address was acknowledged to two MACs
#   kept: no MAC was acknowledged two addresses: a client with a running lease that comes back through the other
#         appliance (perfdhcp's clients start over with a DISCOVER, A's clients reach B after A is killed) is
#         offered the address it holds (no lease in this test runs out before its client asks again)
#   stored: for each MAC, its last ACK (across the logs; the last of each log within a second of the latest
#           count, as the logs' clocks cannot order them closer) is a bound row of that MAC and address whose expiry
#           is no earlier than the ACK's time plus its lease time (less 3 s: decision, commit and log happen within
#           that), unless that lease has run out by NOW.
cat > "$work/check-leases.py" << 'PY'
import datetime, ipaddress, re, sys

mode, now, dump, logs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
lease_times = [(ipaddress.ip_network("10.68.0.0/24"), 60), (ipaddress.ip_network("10.69.0.0/16"), 3600)]
def lease_time(ip):
    return next(seconds for network, seconds in lease_times if ipaddress.ip_address(ip) in network)

acks = []  # (time, ip, mac, log, line)
for index, path in enumerate(logs):
    for number, line in enumerate(open(path, errors="replace"), 1):
        if not line.rstrip().endswith("] DHCPREQUEST acknowledged"):
            continue
        ip, mac = re.search(r" ip=(\S+)", line), re.search(r" mac=(\S+)", line)
        when = datetime.datetime.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S%z").timestamp()
        acks.append((int(when), ip.group(1), mac.group(1).lower(), index, number))
if not acks:
    sys.exit("no ACK in the logs")
problems = []
def one_to_one(key, other, saying):
    """ACKs grouped by field `key` (1 ip, 2 mac); a group with two values of field `other` is a problem."""
    groups = {}
    for ack in acks:
        groups.setdefault(ack[key], []).append(ack)
    for name, list_ in sorted(groups.items()):
        if len({ack[other] for ack in list_}) > 1:
            problems.append(f"{name} {saying} " + ", ".join(
                f"{ack[other]} ({datetime.datetime.fromtimestamp(ack[0], datetime.timezone.utc):%H:%M:%S} "
                f"{logs[ack[3]].rsplit('/', 1)[-1]}:{ack[4]})" for ack in list_))
    return groups
if mode == "unique":
    owners = one_to_one(1, 2, "acknowledged to")
    summary = f"{len(acks)} ACKs, {len(owners)} addresses, each to one MAC"
elif mode == "kept":
    held = one_to_one(2, 1, "acknowledged")
    both = sum(1 for list_ in held.values() if len({ack[3] for ack in list_}) > 1)
    summary = f"{len(held)} MACs, each one address; {both} of them acknowledged by both appliances"
else:
    rows = {}
    for line in open(dump):
        address, mac, state, expiry, appliance = line.rstrip("\n").split("|")
        rows[address] = (mac.lower(), state, int(expiry), appliance)
    last = {}  # mac -> {log: ack}
    for ack in acks:
        last.setdefault(ack[2], {})[ack[3]] = ack
    running = expired = 0
    for mac, per_log in sorted(last.items()):
        latest = max(ack[0] for ack in per_log.values())
        candidates = [ack for ack in per_log.values() if ack[0] >= latest - 1]
        if all(ack[0] + lease_time(ack[1]) - 3 <= now for ack in candidates):
            expired += 1
            continue
        running += 1
        if not any(rows.get(ack[1], ("",))[0] == mac and rows[ack[1]][1] == "bound"
                   and rows[ack[1]][2] >= ack[0] + lease_time(ack[1]) - 3 for ack in candidates):
            problems.append(f"{mac}: last ACK " + " or ".join(
                f"{ip} at {when} ({logs[log].rsplit('/', 1)[-1]}:{line})" for when, ip, _, log, line in candidates)
                + "; database: " + "; ".join(f"{ack[1]}: {rows.get(ack[1], 'no row')}" for ack in candidates))
    summary = f"{len(acks)} ACKs of {len(last)} MACs: {running} leases still running, all stored; {expired} run out"
for problem in problems[:20]:
    print(problem)
if problems:
    sys.exit(f"{len(problems)} problems")
print(summary)
PY
snapshot=0
# db_invariants WHEN: copies the logs, then reads the database (an ACK is logged after its commit, so every ACK
# copied is in the database by then), and checks it against them.
db_invariants() {
    local when=$1 output now twice
    snapshot=$((snapshot + 1))
    cp "$alog" "$work/a-$snapshot.log"
    cp "$blog" "$work/b-$snapshot.log"
    now=$(date +%s)
    pg_psql "SELECT host(address), mac, state, expiry, appliance FROM lease ORDER BY address" > "$work/lease-$snapshot.txt"
    twice=$(pg_psql "SELECT mac || ': ' || string_agg(host(address), ', ') FROM lease WHERE state = 'bound'
        GROUP BY mac HAVING count(*) > 1")
    if [ -s "$work/lease-$snapshot.txt" ] && [ -z "$twice" ]; then
        pass "$when: no MAC has two bound leases ($(wc -l < "$work/lease-$snapshot.txt") rows)"
    else
        fail "$when: no MAC has two bound leases" "$twice" "rows: $(wc -l < "$work/lease-$snapshot.txt")"
    fi
    local mode claim
    for mode in unique kept stored; do
        case $mode in
            unique) claim="no address was acknowledged to two MACs by either appliance" ;;
            kept) claim="a client keeps its address through either appliance" ;;
            stored) claim="every MAC's last ACK (either appliance) is its bound lease in the database" ;;
        esac
        if output=$(python3 "$work/check-leases.py" "$mode" "$now" "$work/lease-$snapshot.txt" \
            "$work/a-$snapshot.log" "$work/b-$snapshot.log" 2>&1); then
            pass "$when: $claim ($output)"
        else
            fail "$when: $claim" "$output"
        fi
    done
}
db_invariants "after the kill"

# ---- 4. dhclient rebinds to B ------------------------------------------------------------------------------------
# Its renewals go to A (unicast) and are unanswered; at T2 (52.5 s into its 1 min lease) it broadcasts its REQUEST.
rebound() {
    tail -n +"$((b_at_kill + 1))" "$blog" | grep '\] DHCPREQUEST acknowledged' | grep -q -- " mac=$dhclient_mac "
}
# rebind_seen: dhclient's log shows, after its first lease, REQUESTs unicast to A, then one broadcast (T2), then
# the ACK from B, with no DISCOVER in between (it never started over).
rebind_seen() {
    awk -v ip="$dhclient_ip" '
        /^DHCPACK of / && $5 == "10.68.0.1" { bound = 1; unicast = 0; last = ""; next }
        !bound { next }
        /^DHCPDISCOVER/ { exit 1 }
        /^DHCPREQUEST for / && $7 == "10.68.0.1" { unicast++; last = "unicast"; next }
        /^DHCPREQUEST for / && $7 == "255.255.255.255" { last = unicast ? "broadcast" : "early"; next }
        /^DHCPACK of / && $5 == "10.68.0.2" { ok = ($3 == ip && last == "broadcast"); exit }
        END { exit !ok }' "$work/dhclient.log"
}
if wait_for 75 rebound; then
    rebind_ip=$(ack_of "$blog" "$dhclient_mac")
    wait_for 5 rebind_seen
    if [ "$rebind_ip" = "$dhclient_ip" ] && rebind_seen; then
        pass "dhclient's renewals to A go unanswered; its broadcast at T2 gets B's ACK for the same address $dhclient_ip ($((SECONDS - dhclient_bound_at)) s after A's ACK)"
    else
        fail "dhclient's renewals to A go unanswered; its broadcast at T2 gets B's ACK for the same address" \
            "A gave '$dhclient_ip', B '$rebind_ip'" "$(tail -8 "$work/dhclient.log")"
    fi
    check "after the rebind the database holds $dhclient_ip bound to dhclient's MAC, written by rack-b" \
        test "$(row_of "$dhclient_mac")" = "$dhclient_ip|bound|rack-b"
else
    fail "dhclient rebinds to B within 75 s of the kill" "dhclient events: $(tr '\n' ';' < "$work/dhclient.events")" \
        "$(tail -10 "$work/dhclient.log")" "$(grep -- "$dhclient_mac" "$blog" | tail -5)"
fi
check "dhclient was never NAKed" bash -c "! grep -q DHCPNAK '$work/dhclient.log'"

# ---- 5. the database stops while clients ask ---------------------------------------------------------------------
# A short perfdhcp run (50 new MACs, 20 exchanges a second for 6 s) is under way when PostgreSQL stops; a new udhcpc
# client asks during the outage. The log's line count right after pg_halt returns and right before pg_resume bound
# the outage in B's log.
in_ns "$rly" timeout 30 perfdhcp -4 -l "$if_rly" -r 20 -R 50 -p 6 -d 2 -b mac=02:69:01:00:00:00 \
    > "$work/perfdhcp-outage.out" 2>&1 &
outage_load_pid=$!
outage_load_acked() { [ "$(acks_matching "$blog" ' mac=02:69:01:')" -ge 5 ]; }
wait_for 5 outage_load_acked || fail "B acknowledges the second load before the database stops" "$(tail -3 "$blog")"
before_halt=$(lines "$blog")
pg_halt || fail "pg_halt stops PostgreSQL"
halted=$(lines "$blog")
halted_at=$SECONDS
got=$(udhcpc_run outage 52:54:00:68:03:01 3 1)
wait "$outage_load_pid"
# The outage lasts at least 6 s, and until B has noticed it (its first failing call may take up to
# leases.postgresql.timeout, 5 s).
wait_for 10 grep -q '\] lease store cannot commit' "$blog"
while [ $((SECONDS - halted_at)) -lt 6 ]; do sleep 0.2; done
resumed=$(lines "$blog")
outage=$((SECONDS - halted_at))
pg_resume || abort "pg_resume starts PostgreSQL again"
if [ -z "$got" ]; then
    pass "during the outage a new udhcpc client gets no lease"
else
    fail "during the outage a new udhcpc client gets no lease" "it got $got" "$(tail -3 "$work/udhcpc-outage.out")"
fi
# Every ACK perfdhcp received was logged by B before the database went down (none came during the outage, logged
# or not), and exchanges during the outage went unanswered.
acked_before=$(head -n "$halted" "$blog" | grep '\] DHCPREQUEST acknowledged' | grep -c ' mac=02:69:01:')
load_acks=$(received "$work/perfdhcp-outage.out" REQUEST-ACK)
load_drops=$(awk '/Statistics for:/ { on = index($0, "DISCOVER-OFFER") > 0 } on && /^drops:/ { print $2; exit }' \
    "$work/perfdhcp-outage.out")
if [ "${load_acks:-0}" -gt 0 ] && [ "$load_acks" -le "$acked_before" ] && [ "${load_drops:-0}" -gt 0 ]; then
    pass "the database stopped mid-load: perfdhcp's $load_acks ACKs all came before (B logged $acked_before), $load_drops DISCOVERs went unanswered"
else
    fail "the database stopped mid-load: perfdhcp's ACKs all came before, DISCOVERs during the outage went unanswered" \
        "perfdhcp: $load_acks ACKs, $load_drops DISCOVERs dropped; B logged $acked_before ACKs for its MACs before the halt" \
        "$(grep -v '^ *$' "$work/perfdhcp-outage.out" | tail -22)"
fi
window=$(sed -n "$((halted + 1)),${resumed}p" "$blog")
if [ "$resumed" -gt "$halted" ] && ! grep -q 'DHCPREQUEST acknowledged' <<< "$window"; then
    pass "B acknowledged nothing while the database was down ($outage s, $((resumed - halted)) log lines)"
else
    fail "B acknowledged nothing while the database was down" "$((resumed - halted)) log lines in the window" \
        "$(grep 'DHCPREQUEST acknowledged' <<< "$window" | head -5)"
fi
errors=$(grep -c '\] lease store cannot commit' "$blog")
error_line=$(grep -n '\] lease store cannot commit' "$blog" | head -1)
if [ "$errors" = 1 ] && [ "${error_line%%:*}" -gt "$before_halt" ] && [[ $error_line == *' error rackboot: '* ]] &&
    ! grep -q 'lease store still cannot commit' "$blog"; then
    pass "B logged one error for the outage: ${error_line#*\] }"
else
    fail "B logged one error for the outage" "$errors such lines (the log had $before_halt lines at pg_halt)" \
        "$(grep 'lease store .*cannot commit' "$blog" | head -3)"
fi
got=$(udhcpc_run after-outage 52:54:00:68:03:02 10 2)
if [ "${got#* }" = 10.68.0.2 ] &&
    [ "$(pg_psql "SELECT host(address) FROM lease WHERE mac = '52:54:00:68:03:02' AND state = 'bound'")" = "${got% *}" ]; then
    pass "after pg_resume a new udhcpc client gets ${got% *} from B, stored"
else
    fail "after pg_resume a new udhcpc client gets a lease from B" "udhcpc: '$got'" \
        "$(tail -3 "$work/udhcpc-after-outage.out")" "$(tail -5 "$blog")"
fi
if wait_for 10 grep -q '\] lease store writable again after [0-9]* failed commits' "$blog"; then
    pass "B says so: $(grep -o 'lease store writable again after [0-9]* failed commits' "$blog" | tail -1)"
else
    fail "B logs that the lease store is writable again" "$(tail -5 "$blog")"
fi
check "B still runs" kill -0 "$b_pid"

# ---- 6. at the end -----------------------------------------------------------------------------------------------
db_invariants "at the end"

if [ "$failed" -gt 0 ]; then
    for log in "$alog" "$blog" "$work/dhclient.log"; do
        echo "---- $(basename "$log") (last 15 lines)"
        tail -15 "$log" | cut -c1-400
    done
fi
echo "(took $((SECONDS - started)) s)"
report shared-leases
