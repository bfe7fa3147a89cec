#!/usr/bin/env bash
# Lease store faults against `rackboot serve`, in network namespaces this script creates and removes.
#  1. SIGKILL in the middle of a DHCP load, then a restart on the same state directory, three times (killed after
#     about 150, 600 and 1200 ACKs): every ACK a client saw is a lease in the store, no address belongs to two
#     MACs, and after the restart the same MACs get their addresses back and no ACK gives away an address that
#     was promised to another MAC. The third killed server runs with lease_sync normal.
#  2. The lease store's disk fills (a 16 MiB tmpfs mounted over the state folder in rackboot's own mount namespace,
#     then filled with a file): commits go on while the write-ahead log has room it already owns, then stop; no ACK
#     for a new lease or a renewal that is not stored, one clear error naming the database, STATUS says so, the
#     watchdog keeps pinging, offers still go out; with the filler deleted, new DORAs and renewals are ACKed and
#     stored, the log says the store recovered, and the background checkpoint copies the log into the database.
# The load client is Tests/integration/dhcp-load.py, a relay agent; Tests/integration/dhcp-ack-check.py compares
# its ACKs with `rackboot leases --json`.
# Usage (as root): Tests/integration/dhcp-faults.sh path/to/rackboot
#
# Topology (every address is 10.x and exists only inside the namespaces):
#   srv ns: rackboot serve; <tag>s 10.77.0.1/24; 10.99.0.0/16 (relayed, pool 10.99.1.1-10.99.40.254) via 10.77.0.5
#   rly ns: <tag>r 10.77.0.5/24 + 10.99.0.1/16: the load client, a relay (giaddr 10.99.0.1, port 67 -> 67)
set -u
rackboot=$(realpath "${1:?usage: dhcp-faults.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
repo=$PWD
started=$SECONDS
source Tests/lib/report.sh

if [ "$(id -u)" -ne 0 ]; then
    fail "dhcp-faults needs root (network and mount namespaces)"
    report dhcp-faults
    exit 1
fi

tag=rf$(($$ % 100000))
work=$(mktemp -d "/tmp/rackboot-faults-$tag.XXXXXX")
chmod 0755 "$work"
srv=$tag-srv rly=$tag-rly
namespaces=("$srv" "$rly")
if_srv=${tag}s if_rly=${tag}r
rackboot_pid=
listener_pid=

# Stops what this script started (by PID), then the namespaces; the tmpfs lives only in rackboot's own mount
# namespace, so it goes away with the process.
source "$repo/Tests/lib/netns.sh"
cleanup() {
    [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
    netns_stop
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
at_least() { [ "$(lines "$1")" -ge "$2" ]; }
json_field() { # FILE KEY
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null
}

# ---- network ---------------------------------------------------------------------------------------------------
netns_create dhcp-faults
netns_veth "$srv" "$if_srv" "$rly" "$if_rly"
in_ns "$srv" ip addr add 10.77.0.1/24 dev "$if_srv"
in_ns "$srv" ip route add 10.99.0.0/16 via 10.77.0.5 dev "$if_srv"
in_ns "$rly" ip addr add 10.77.0.5/24 dev "$if_rly"
in_ns "$rly" ip addr add 10.99.0.1/16 dev "$if_rly"

# ---- rackboot ----------------------------------------------------------------------------------------------------
mkdir -p "$work/profiles/templates" "$work/tftproot" "$work/state" "$work/full-state"
: > "$work/tftproot/pxelinux.0"
: > "$work/tftproot/ldlinux.c32"
: > "$work/tftproot/syslinux.efi"
: > "$work/tftproot/ldlinux.e64"
# write_config FILE STATE-DIR [LEASE-SYNC]
write_config() {
    cat > "$1" <<EOF
profiles: profiles
state_directory: $2
boot:
  next_server: 10.77.0.1
  files:
    bios: pxelinux.0
    efi_x64: syslinux.efi
dhcp:
  lease_time: 1h
  lease_sync: ${3:-full}
  subnets:
    - network: 10.77.0.0/24
      interface: $if_srv
    - network: 10.99.0.0/16
      pools:
        - 10.99.1.1-10.99.40.254
      router: 10.99.0.1
tftp:
  root: tftproot
  address: 127.0.0.1
  port: 6969
EOF
}
write_config "$work/kill.yaml" state
write_config "$work/full.yaml" full-state

listening() { grep -q 'DHCP server listening' "$1" 2>/dev/null; }
# start_rackboot LOG: rackboot on the disk-backed state folder; its PID is the PID of `ip netns exec`, which
# execs it, so `kill -KILL $rackboot_pid` hits rackboot itself.
start_rackboot() {
    ip netns exec "$srv" "$rackboot" serve --config "$work/kill.yaml" --log-level info > "$1" 2>&1 &
    rackboot_pid=$!
    wait_for 30 listening "$1"
}
is_rackboot() { [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$rackboot" ]; }
# load NAME ARGS...: the relay load client in the relay namespace, bounded by its own deadline and by timeout;
# ACKs go to $work/acks-NAME, its summary to $work/load-NAME.json.
load() {
    local name=$1
    shift
    : > "$work/acks-$name"
    in_ns "$rly" timeout 150 python3 "$repo/Tests/integration/dhcp-load.py" --server 10.77.0.1 --giaddr 10.99.0.1 \
        --acks "$work/acks-$name" --naks "$work/naks-$name" "$@" > "$work/load-$name.json" 2> "$work/load-$name.err"
}
leases_json() { # CONFIG OUT [PID]: the store as `rackboot leases --json` lists it (inside PID's mount namespace)
    if [ -n "${3:-}" ]; then
        nsenter -t "$3" -m -- "$rackboot" leases --json --config "$1" > "$2" 2> "$2.err"
    else
        "$rackboot" leases --json --config "$1" > "$2" 2> "$2.err"
    fi
}
# ack_check NAME COMMAND ARGS...: passes when dhcp-ack-check.py finds no problem; its summary goes in the name.
ack_check() {
    local name=$1 output
    shift
    if output=$(python3 "$repo/Tests/integration/dhcp-ack-check.py" "$@" 2>&1); then
        pass "$name ($(tail -1 <<< "$output"))"
    else
        fail "$name" "$output"
    fi
}

# ---- 1. SIGKILL mid-load -----------------------------------------------------------------------------------------
if start_rackboot "$work/rackboot-0.log" && is_rackboot "$rackboot_pid"; then
    pass "rackboot serve listens (PID $rackboot_pid is rackboot itself)"
else
    fail "rackboot serve listens" "$(tail -20 "$work/rackboot-0.log")"
    report dhcp-faults
    exit 1
fi
kill_after=(0 150 600 1200)
lease_sync_of_round=(- full full normal)
before_files=()
for round in 1 2 3; do
    # Phase a: 2000 new MACs; SIGKILL once the client has seen kill_after ACKs.
    load "$round-a" --mac-prefix "02:fa:0$round" --count 2000 --concurrency 64 --timeout 0.5 --tries 4 \
        --deadline 90 --idle 2 &
    load_pid=$!
    if wait_for 60 at_least "$work/acks-$round-a" "${kill_after[$round]}"; then
        kill -KILL "$rackboot_pid"
        killed_at=$(lines "$work/acks-$round-a")
    else
        killed_at=
    fi
    wait "$rackboot_pid" 2>/dev/null
    wait "$load_pid"
    seen=$(lines "$work/acks-$round-a")
    if [ -n "$killed_at" ] && [ "$seen" -lt 2000 ]; then
        pass "round $round: SIGKILL after $killed_at ACKs, mid-load, lease_sync ${lease_sync_of_round[$round]} (the client saw $seen of 2000 ACKs in all)"
    else
        fail "round $round: SIGKILL mid-load" "killed at '$killed_at' ACKs, client saw $seen" \
            "$(cat "$work/load-$round-a.json")"
    fi
    before_files+=("$work/acks-$round-a")

    # The server killed in round 3 commits with lease_sync normal (no fsync, the page cache only): a killed process
    # must lose no acknowledged lease in that mode either.
    [ "$round" = 2 ] && write_config "$work/kill.yaml" state normal
    if start_rackboot "$work/rackboot-$round.log"; then
        pass "round $round: rackboot restarts on the same state folder ($(grep -o 'count=[0-9]*' \
            "$work/rackboot-$round.log" | head -1) leases loaded)"
    else
        fail "round $round: rackboot restarts on the same state folder" "$(tail -20 "$work/rackboot-$round.log")"
        break
    fi
    leases_json "$work/kill.yaml" "$work/leases-$round-a.json"
    ack_check "round $round: every ACK seen before the kill is a bound lease of that MAC, one address per MAC" \
        stored "$work/leases-$round-a.json" "${before_files[@]}"

    # Phase b: the same 2000 MACs (those ACKed before and those cut off) and 200 new ones.
    load "$round-b" --mac-prefix "02:fa:0$round" --count 2000 --concurrency 64 --timeout 0.5 --tries 4 --deadline 90
    load "$round-new" --mac-prefix "02:fb:0$round" --count 200 --concurrency 64 --timeout 0.5 --tries 4 --deadline 60
    acked_b=$(lines "$work/acks-$round-b")
    acked_new=$(lines "$work/acks-$round-new")
    if [ "$acked_b" -eq 2000 ] && [ "$acked_new" -eq 200 ]; then
        pass "round $round: after the restart all 2000 + 200 DORAs are ACKed"
    else
        fail "round $round: after the restart all 2000 + 200 DORAs are ACKed" "$acked_b and $acked_new ACKs" \
            "$(cat "$work/load-$round-b.json" "$work/load-$round-new.json")"
    fi
    ack_check "round $round: MACs ACKed before the kill get the same address again; none is given another's" \
        again "$work/acks-$round-b" "${before_files[@]}"
    ack_check "round $round: new MACs get no address promised before the kill" \
        again "$work/acks-$round-new" "${before_files[@]}"
    before_files+=("$work/acks-$round-b" "$work/acks-$round-new")
    leases_json "$work/kill.yaml" "$work/leases-$round-b.json"
    ack_check "round $round: every ACK so far is stored, no address ACKed to two MACs" \
        stored "$work/leases-$round-b.json" "${before_files[@]}"
done
kill -TERM "$rackboot_pid" 2>/dev/null
wait "$rackboot_pid" 2>/dev/null

# ---- 2. disk full ------------------------------------------------------------------------------------------------
# rackboot runs in the mount namespace `ip netns exec` gives it, with a 16 MiB tmpfs over full-state: the host
# never sees the mount. nsenter enters that namespace to fill it and to list the store.
python3 Tests/integration/notify-listener.py "$work/notify.sock" "$work/notify.log" 240 &
listener_pid=$!
wait_for 5 test -S "$work/notify.sock"
NOTIFY_SOCKET="$work/notify.sock" WATCHDOG_USEC=2000000 ip netns exec "$srv" sh -c \
    'mount -t tmpfs -o size=16m,mode=0750 rackboot-faults "$1" &&
     exec "$2" serve --config "$3" --log console --log-level info' \
    sh "$work/full-state" "$rackboot" "$work/full.yaml" > "$work/full.log" 2>&1 &
rackboot_pid=$!
if wait_for 30 listening "$work/full.log" && is_rackboot "$rackboot_pid" \
    && nsenter -t "$rackboot_pid" -m -- findmnt -n -o FSTYPE --target "$work/full-state" | grep -x tmpfs > /dev/null; then
    pass "rackboot serves with its state folder on a 16 MiB tmpfs in its own mount namespace"
else
    fail "rackboot serves with its state folder on a tmpfs" "$(tail -20 "$work/full.log")" \
        "$(nsenter -t "$rackboot_pid" -m -- findmnt --target "$work/full-state" 2>&1)" \
        "$(ls -l "/proc/$rackboot_pid/exe" 2>&1)"
    report dhcp-faults
    exit 1
fi
in_mnt() { nsenter -t "$rackboot_pid" -m -- "$@"; }
db=$work/full-state/leases.sqlite

load warm --mac-prefix 02:fc:00 --count 30 --concurrency 8 --timeout 0.5 --tries 4 --deadline 30
awk '{print $1, $2}' "$work/acks-warm" > "$work/warm-addresses"
leases_json "$work/full.yaml" "$work/leases-warm.json" "$rackboot_pid"
if [ "$(lines "$work/acks-warm")" -eq 30 ]; then pass "30 warm-up leases ACKed before the disk fills"; else
    fail "30 warm-up leases ACKed before the disk fills" "$(cat "$work/load-warm.json")"
fi
# Expiries have one-second resolution: from 2 s on, a renewal ACK promises more than the warm-up lease, so an ACK
# for a renewal that was not stored shows (dhcp-ack-check.py renewed allows 1 s between decision and reception).
sleep 2.1
in_mnt sh -c 'dd if=/dev/zero of="$1/filler" bs=4096 > /dev/null 2>&1; exit 0' sh "$work/full-state"
free_kib=$(in_mnt df -k --output=avail "$work/full-state" | tail -1 | tr -d ' ')
if [ "$free_kib" = 0 ]; then pass "the tmpfs is full (0 KiB available)"; else
    fail "the tmpfs is full" "$free_kib KiB free"
fi

# The log file keeps its size after a checkpoint and is rewritten from its start, so the first commits of a full
# disk still fit (the warm-up's pages); 150 new leases cannot, and those that do not fit get no ACK. How many fit
# depends on how many leases each commit groups, which follows the machine's load (64 on a quiet run, 115 with QEMU
# busy beside it): the test asks that some are refused, and the checks below that every ACK was stored.
load full-new --mac-prefix 02:fc:01 --count 150 --concurrency 8 --timeout 0.5 --tries 3 --deadline 60 --idle 10
offers=$(json_field "$work/load-full-new.json" offers)
new_acks=$(lines "$work/acks-full-new")
if [ "$new_acks" -lt 150 ] && [ "${offers:-0}" -ge 150 ]; then
    pass "disk full: all 150 new clients get offers; $((150 - new_acks)) get no ACK ($new_acks fit in the log's room)"
else
    fail "disk full: new clients beyond the log's room get no ACK" "$new_acks ACKed" \
        "$(cat "$work/load-full-new.json")"
fi
load full-renew --mode reboot --addresses "$work/warm-addresses" --concurrency 8 --timeout 0.5 --tries 3 \
    --deadline 30 --idle 10
leases_json "$work/full.yaml" "$work/leases-full.json" "$rackboot_pid"
renew_acks=$(lines "$work/acks-full-renew")
ack_check "disk full: every renewal ACK promises only what the store holds ($renew_acks of 30 ACKed)" \
    renewed "$work/leases-full.json" "$work/acks-full-renew"
ack_check "disk full: the stored leases are intact and every new ACK is stored" stored "$work/leases-full.json" \
    "$work/acks-warm" "$work/acks-full-new"
# A commit that fits in the log's room after a checkpoint can end an outage and the next one begin another: each
# outage gets one error (checked against the recoveries below), not one per refused client.
failing_lines=$(grep -c 'lease store cannot commit' "$work/full.log")
clear_lines=$(grep 'lease store cannot commit' "$work/full.log" | grep ' error ' | grep -F "$db" \
    | grep -ci 'disk is full')
if [ "$failing_lines" -ge 1 ] && [ "$failing_lines" -le 5 ] && [ "$clear_lines" -eq "$failing_lines" ]; then
    pass "disk full: $failing_lines error(s) for ${offers:-0} offers and $((150 - new_acks + 30 - renew_acks)) refused clients, each naming $db and SQLite's 'database or disk is full'"
else
    fail "disk full: one error per outage, naming the database and the reason" \
        "$failing_lines lines, $clear_lines with the level, database and reason; first: $(grep -m1 'lease store cannot commit' "$work/full.log")"
fi
status_failing() { grep -q 'STATUS=.*lease store failing' "$work/notify.log"; }
if wait_for 8 status_failing; then
    pass "disk full: STATUS says so: $(grep -o 'lease store failing: [0-9]* lease changes refused' \
        "$work/notify.log" | tail -1)"
else
    fail "disk full: STATUS says the lease store is failing" "$(grep STATUS "$work/notify.log" | tail -2)"
fi
pings=$(grep -c 'WATCHDOG=1' "$work/notify.log")
more_pings() { [ "$(grep -c 'WATCHDOG=1' "$work/notify.log")" -gt "$pings" ]; }
if wait_for 5 more_pings && kill -0 "$rackboot_pid" 2>/dev/null; then
    pass "disk full: rackboot stays up and the watchdog keeps pinging (the store still answers reads)"
else
    fail "disk full: rackboot stays up and the watchdog keeps pinging" "$(tail -5 "$work/full.log")"
fi

# Space returns.
in_mnt rm -f "$work/full-state/filler"
load after-new --mac-prefix 02:fc:02 --count 40 --concurrency 8 --timeout 0.5 --tries 4 --deadline 30
load after-renew --mode reboot --addresses "$work/warm-addresses" --concurrency 8 --timeout 0.5 --tries 4 --deadline 30
leases_json "$work/full.yaml" "$work/leases-after.json" "$rackboot_pid"
if [ "$(lines "$work/acks-after-new")" -eq 40 ] && [ "$(lines "$work/acks-after-renew")" -eq 30 ]; then
    pass "space back: 40 new DORAs and 30 renewals are ACKed"
else
    fail "space back: 40 new DORAs and 30 renewals are ACKed" \
        "$(cat "$work/load-after-new.json" "$work/load-after-renew.json")"
fi
ack_check "space back: those ACKs are stored" \
    stored "$work/leases-after.json" "$work/acks-after-new" "$work/acks-after-renew"
ack_check "space back: the renewals extend the stored leases" renewed "$work/leases-after.json" "$work/acks-after-renew"
recoveries=$(grep -c 'notice.*lease store writable again after [0-9]* failed commits' "$work/full.log")
if [ "$recoveries" -eq "$failing_lines" ]; then
    pass "space back: the log ends each of the $recoveries outage(s): '$(grep -o 'lease store writable again after [0-9]* failed commits' \
        "$work/full.log" | tail -1)'"
else
    fail "space back: the log ends each outage" "$recoveries recoveries for $failing_lines outages" \
        "$(tail -5 "$work/full.log")"
fi
status_recovered() { grep 'STATUS=' "$work/notify.log" | tail -1 | grep -vq 'lease store failing'; }
if wait_for 8 status_recovered; then pass "space back: STATUS no longer reports the lease store"; else
    fail "space back: STATUS no longer reports the lease store" "$(grep STATUS "$work/notify.log" | tail -1)"
fi
# The main database file only grows when a checkpoint copies pages into it: the background checkpoint runs once a
# second, so 300 new leases (some 20 pages of rows and index entries) reach it while they are being handed out.
main_before=$(in_mnt stat -c %s "$db")
load checkpoint --mac-prefix 02:fc:03 --count 300 --concurrency 2 --timeout 0.5 --tries 4 --deadline 60
sleep 1.5
main_after=$(in_mnt stat -c %s "$db")
leases_json "$work/full.yaml" "$work/leases-checkpoint.json" "$rackboot_pid"
if [ "$(lines "$work/acks-checkpoint")" -eq 300 ] && [ "$main_after" -gt "$main_before" ]; then
    pass "space back: 300 more DORAs ACKed and a checkpoint ran (database file $main_before -> $main_after bytes)"
else
    fail "space back: more DORAs ACKed and a checkpoint ran" "database file $main_before -> $main_after bytes" \
        "$(cat "$work/load-checkpoint.json")"
fi
ack_check "space back: every ACK of the disk-full phase is stored" stored "$work/leases-checkpoint.json" \
    "$work/acks-warm" "$work/acks-full-new" "$work/acks-after-new" "$work/acks-checkpoint"
integrity=$(in_mnt sqlite3 -cmd '.timeout 2000' "$db" 'PRAGMA integrity_check' 2>&1)
if [ "$integrity" = ok ]; then pass "the database passes integrity_check"; else fail "integrity_check" "$integrity"; fi

kill -TERM "$rackboot_pid" 2>/dev/null
wait "$rackboot_pid" 2>/dev/null
if [ "$failed" -gt 0 ]; then
    for log in "$work"/rackboot-*.log "$work/full.log"; do
        echo "---- $(basename "$log") (last 15 lines)"
        tail -15 "$log"
    done
fi
echo "(took $((SECONDS - started)) s)"
report dhcp-faults
