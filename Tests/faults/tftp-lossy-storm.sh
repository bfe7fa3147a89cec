#!/usr/bin/env bash
# A boot storm through a bad link: CLIENTS real TFTP clients (curl and atftp at blksize 1468 like pxelinux and
# UEFI, tftp-hpa at 512) fetch a boot image at once from `rackboot serve` through a link that loses 2 % of the IPv4
# frames and reorders 2 % more, in both directions. Every transfer must complete with the right sha256.
#
# This kernel has no qdiscs, so `tc netem` is not available: Tests/faults/lossy-link.c is the link instead, a
# forwarder between two TAP devices that drops and swaps frames on the path, where neither end can tell.
#
# Topology (10.x exists only inside the namespaces this script creates and removes):
#   srv ns: <tag>s 10.66.0.1/24 — rackboot serve, TFTP on port 69, DHCP off
#   cli ns: <tag>c 10.66.0.2/24 — the clients
#   the two TAPs are joined by lossy-link, which runs in the host namespace but only reads and writes the TAPs.
# Usage (root): Tests/faults/tftp-lossy-storm.sh path/to/rackboot [CLIENTS]
set -uo pipefail
rackboot=$(realpath "${1:?usage: tftp-lossy-storm.sh path/to/rackboot [CLIENTS]}")
clients=${2:-200}
cd "$(dirname "$0")/../.."
repo=$PWD
source "$repo/Tests/lib/report.sh"
if [ "$(id -u)" -ne 0 ]; then
    fail "runs as root (network namespaces)" "uid $(id -u)"
    report tftp-lossy-storm
    exit 1
fi

tag=rl$(($$ % 100000))
srv=$tag-srv cli=$tag-cli
tap_srv=${tag}s tap_cli=${tag}c
work=$(mktemp -d "/tmp/rackboot-lossy-$tag.XXXXXX")
link_pid=
serve_pid=
namespaces=("$srv" "$cli")
source "$repo/Tests/lib/netns.sh"
cleanup() {
    netns_stop
    if [ -n "$link_pid" ] && kill -0 "$link_pid" 2> /dev/null; then kill -TERM "$link_pid"; wait "$link_pid" 2> /dev/null; fi
    [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -Wall -Wextra -Werror -o "$work/lossy-link" "$repo/Tests/faults/lossy-link.c" || {
    fail "lossy-link builds" "cc failed"
    report tftp-lossy-storm
    exit 1
}
netns_create tftp-lossy-storm
# 2 % loss, 2 % reordering; bounded to 15 minutes whatever happens.
"$work/lossy-link" "$tap_srv" "$tap_cli" 2 2 "$$" 900 > "$work/link.out" 2>&1 &
link_pid=$!
for _ in $(seq 50); do grep -q ready "$work/link.out" && break; sleep 0.1; done
ip link set "$tap_srv" netns "$srv"
ip link set "$tap_cli" netns "$cli"
ip -n "$srv" addr add 10.66.0.1/24 dev "$tap_srv"
ip -n "$cli" addr add 10.66.0.2/24 dev "$tap_cli"
ip -n "$srv" link set "$tap_srv" up
ip -n "$cli" link set "$tap_cli" up

# The boot image: 256 KiB (179 blocks at 1468, 512 at 512: a dozen losses per transfer); one file for every client.
mkdir -p "$work/root"
head -c $((256 * 1024)) /dev/urandom > "$work/root/boot.img"
expected=$(sha256sum "$work/root/boot.img" | cut -d' ' -f1)
sed -e "s|^profiles: .*|profiles: $repo/profiles|" \
    -e "s|^  root: .*|  root: $work/root\n  address: 10.66.0.1\n  port: 69|" \
    -e "s|^state_directory: .*|state_directory: $work/state|" -e "/^      interface: /d" \
    "$repo/docs/examples/rackboot.yaml" > "$work/serve.yaml"
ip netns exec "$srv" "$rackboot" serve --config "$work/serve.yaml" > "$work/serve.out" 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do grep -q "TFTP server listening" "$work/serve.err" && break; sleep 0.1; done
if grep -q "TFTP server listening" "$work/serve.err"; then pass "serve listens on 10.66.0.1:69 behind the lossy link"
else fail "serve listens on 10.66.0.1:69 behind the lossy link" "$(tail -3 "$work/serve.err")"; fi
# ARP settles before the storm (ARP is never impaired).
ip netns exec "$cli" ping -c 1 -W 2 10.66.0.1 > /dev/null 2>&1

# atftp aborts when the server repeats its OACK because the client's ACK 0 was lost ("unexpected OACK"), where
# RFC 2347 wants a repeated ACK 0. Firmware would start the file again; so does this wrapper, once, and says so.
atftp_get() { # OUTPUT-FILE
    local attempt
    for attempt in 1 2; do
        ip netns exec "$cli" timeout 300 atftp --option "blksize 1468" --option "windowsize 4" \
            -g -r boot.img -l "$1" 10.66.0.1 >> "$1.log" 2>&1
        grep -q "unexpected OACK" "$1.log" && [ ! -s "$1" ] && [ $attempt -eq 1 ] || break
        touch "$1.restarted"
    done
}

# The storm: every client starts at once; each is bounded in time. curl's --connect-timeout sets the `timeout`
# option it asks for (1 s here, the server's default that pxelinux and UEFI get); its default asks for 6 s.
mkdir -p "$work/got"
started=$SECONDS
pids=()
for i in $(seq 1 "$clients"); do
    out="$work/got/$i"
    case $((i % 4)) in
    0 | 1) ip netns exec "$cli" timeout 600 curl -sS --connect-timeout 50 --max-time 580 \
        --tftp-blksize 1468 \
        "tftp://10.66.0.1/boot.img" -o "$out" > "$out.log" 2>&1 & ;;
    2) atftp_get "$out" & ;;
    3) (cd "$work/got" && ip netns exec "$cli" timeout 600 tftp 10.66.0.1 -m binary -c get boot.img "$i") \
        > "$out.log" 2>&1 & ;;
    esac
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
elapsed=$((SECONDS - started))

good=0
bad=()
for i in $(seq 1 "$clients"); do
    if [ -f "$work/got/$i" ] && [ "$(sha256sum "$work/got/$i" | cut -d' ' -f1)" = "$expected" ]; then
        good=$((good + 1))
    else
        bad+=("client $i ($(case $((i % 4)) in 0 | 1) echo curl ;; 2) echo atftp ;; 3) echo tftp-hpa ;; esac)):" \
            "$(stat -c %s "$work/got/$i" 2> /dev/null || echo no) bytes; $(head -c 200 "$work/got/$i.log" 2> /dev/null)")
    fi
done
restarted=$(find "$work/got" -name '*.restarted' | wc -l)
if [ "$good" -eq "$clients" ]; then
    pass "all $clients transfers (curl 1468, atftp 1468 window 4, tftp-hpa 512) arrive with the right sha256 in ${elapsed}s ($restarted atftp restarts after its duplicate-OACK abort)"
else
    fail "all $clients transfers arrive with the right sha256" "$good of $clients good after ${elapsed}s" "${bad[@]:0:6}"
fi

# A transfer whose final ACK was lost is logged once the server stops waiting for it (docs/protocol.md, "End of transfer
# and the final ACK").
for _ in $(seq 60); do
    [ "$(grep -c "TFTP transfer complete" "$work/serve.err")" -ge "$clients" ] && break
    sleep 1
done
kill -TERM "$serve_pid"
wait "$serve_pid"
status=$?
serve_pid=
if [ "$status" -eq 0 ]; then pass "serve stops with status 0"; else fail "serve stops with status 0" "status $status"; fi
kill -TERM "$link_pid"
wait "$link_pid"
link_pid=
cat "$work/link.out"
# The link really was bad, both ways: otherwise this test proves nothing.
read -r down_dropped down_reordered < <(awk '$1 == "a->b" { print $5, $7 }' "$work/link.out")
read -r up_dropped up_reordered < <(awk '$1 == "b->a" { print $5, $7 }' "$work/link.out")
if [ "${down_dropped:-0}" -gt 0 ] && [ "${down_reordered:-0}" -gt 0 ] && [ "${up_dropped:-0}" -gt 0 ] &&
    [ "${up_reordered:-0}" -gt 0 ]; then
    pass "the link lost and reordered frames both ways (to clients: $down_dropped lost, $down_reordered swapped; to server: $up_dropped lost, $up_reordered swapped)"
else
    fail "the link lost and reordered frames both ways" "$(cat "$work/link.out")"
fi
retransmits=$(grep "TFTP transfer complete" "$work/serve.err" | grep -oE "retransmits=[0-9]+" | cut -d= -f2 |
    awk '{ s += $1 } END { print s + 0 }')
completed=$(grep -c "TFTP transfer complete" "$work/serve.err")
failed_transfers=$(grep -c "TFTP transfer failed" "$work/serve.err")
if [ "$completed" -eq "$clients" ] && [ "$retransmits" -gt 0 ] && [ "$failed_transfers" -eq 0 ]; then
    pass "serve logged $completed completed transfers, $retransmits retransmissions, no failed transfer"
else
    fail "serve logged every transfer complete, with retransmissions" \
        "$completed completed, $retransmits retransmits, $failed_transfers failed" \
        "$(grep -m3 'transfer failed' "$work/serve.err")"
fi
report tftp-lossy-storm
