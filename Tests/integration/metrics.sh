#!/usr/bin/env bash
# Prometheus metrics after real traffic: `rackboot serve` in a network namespace, udhcpc, tftp-hpa and curl in another,
# /metrics scraped before and after. Each counter must have moved by exactly what the clients did (DHCP messages by
# type and outcome, a malformed datagram, TFTP transfers and bytes, HTTP requests by status and bytes), the gauges
# must show the present (pool addresses leased and free, machines by lifecycle state, the process's memory), both
# scrapes must pass `promtool check metrics` (from Debian's prometheus package, unpacked by scripts/fetch-promtool.sh,
# never installed), no label may carry a MAC or a client's
# address, and the example alert rules must pass `promtool check rules`.
# Usage (as root): Tests/integration/metrics.sh path/to/rackboot
#
# Topology (10.66.0.0/24 exists only inside the namespaces):
#   srv ns: rackboot serve on <tag>s 10.66.0.1/24: DHCP pool .100-.109, TFTP, HTTP on 10.66.0.1:8080
#   cli ns: <tag>c, no address: udhcpc (a fresh MAC per run), tftp, curl, and one malformed DHCP datagram
set -uo pipefail
rackboot=$(realpath "${1:?usage: metrics.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
repo=$PWD
source Tests/lib/report.sh
if [ "$(id -u)" -ne 0 ]; then
    fail "metrics.sh needs root (network namespaces)"
    report metrics
    exit 1
fi
# promtool from Debian's prometheus package, unpacked under .build (installing the package would enable its server).
if ! promtool=$(bash scripts/fetch-promtool.sh "$repo/.build/promtool"); then
    fail "promtool: scripts/fetch-promtool.sh could not unpack Debian's prometheus package"
    report metrics
    exit 1
fi

tag=rm$(($$ % 100000))
work=$(mktemp -d "/tmp/rackboot-metrics-$tag.XXXXXX")
namespaces=("$tag-srv" "$tag-cli")
srv=$tag-srv cli=$tag-cli if_srv=${tag}s if_cli=${tag}c
source Tests/lib/netns.sh
trap 'netns_stop; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

netns_create metrics
netns_veth "$srv" "$if_srv" "$cli" "$if_cli"
in_ns "$srv" ip addr add 10.66.0.1/24 dev "$if_srv"

known_mac=52:54:00:66:00:01
mkdir -p "$work/profiles/templates" "$work/root/test" "$work/state"
head -c 300000 /dev/urandom > "$work/root/test/linux"
: > "$work/root/pxelinux.0"
: > "$work/root/ldlinux.c32"
cat > "$work/profiles/templates/test.yaml" << 'EOF'
kernel: test/linux
cmdline: console=ttyS0
EOF
printf 'hostname: known-01\nmacs: [%s]\ntemplate: test\nstate: install\n' "$known_mac" > "$work/profiles/known-01.yaml"
printf 'hostname: local-01\nmacs: [52:54:00:66:00:99]\nstate: local\n' > "$work/profiles/local-01.yaml"
cat > "$work/rackboot.yaml" << EOF
profiles: profiles
state_directory: state
boot:
  next_server: 10.66.0.1
  files: {bios: pxelinux.0}
dhcp:
  lease_time: 1h
  subnets:
    - network: 10.66.0.0/24
      interface: $if_srv
      pools: [10.66.0.100-10.66.0.109]
tftp:
  root: root
http:
  address: 10.66.0.1
  port: 8080
EOF
ip netns exec "$srv" "$rackboot" serve --config "$work/rackboot.yaml" --log console > /dev/null 2> "$work/serve.log" &
wait_for 10 grep -q "] ready" "$work/serve.log" || fail "rackboot serve is ready" "$(tail -5 "$work/serve.log")"

check() { # NAME COMMAND...: passes when COMMAND succeeds
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}
scrape() { in_ns "$cli" curl -sS --max-time 5 -o "$work/$1.prom" -D "$work/$1.headers" http://10.66.0.1:8080/metrics; }
# value SCRAPE 'name{labels}' -> the sample's value (0 when absent), as an integer when it is one.
value() {
    python3 - "$work/$1.prom" "$2" << 'PY'
import sys
path, wanted = sys.argv[1], sys.argv[2]
for line in open(path):
    if line.startswith("#") or not line.strip():
        continue
    key, _, number = line.rstrip("\n").rpartition(" ")
    if key == wanted:
        value = float(number)
        print(int(value) if value.is_integer() else value)
        break
else:
    print(0)
PY
}
# moved NAME SAMPLE EXPECTED: the sample grew by exactly EXPECTED between the scrapes "before" and "after".
moved() {
    local before after
    before=$(value before "$2")
    after=$(value after "$2")
    if [ "$((after - before))" -eq "$3" ]; then pass "$1"; else fail "$1" "$2: $before -> $after, expected +$3"; fi
}

in_ns "$cli" ip link set "$if_cli" up
wait_for 5 in_ns "$cli" ip link show "$if_cli" up > /dev/null
# An address for the client's own side first: udhcpc below takes one by DHCP, curl and tftp need it.
scrape_ready() { in_ns "$cli" ip addr add 10.66.0.50/24 dev "$if_cli" 2> /dev/null; scrape before; }
scrape_ready
check "a scrape answers 200 with Prometheus' text format" grep -qi "content-type: text/plain; version=0.0.4" \
    "$work/before.headers"
check "promtool check metrics accepts the first scrape" "$promtool" check metrics < "$work/before.prom"
check "machines by lifecycle state before any traffic: known-01 never seen" \
    test "$(value before 'rackboot_machines{state="never_seen"}')" -eq 1
check "and local-01 local" test "$(value before 'rackboot_machines{state="local"}')" -eq 1

# --- DHCP: four udhcpc runs, each with its own MAC (the first is known-01's); the last releases its lease. ---
in_ns "$cli" ip addr flush dev "$if_cli"
# A DHCPRELEASE is unicast from the leased address, so the client configures what it was given.
printf '#!/bin/sh\n[ "$1" = bound ] && ip addr add "$ip/${mask:-24}" dev "$interface"\nexit 0\n' > "$work/udhcpc.sh"
chmod +x "$work/udhcpc.sh"
macs=("$known_mac" 52:54:00:66:00:02 52:54:00:66:00:03 52:54:00:66:00:04)
for index in 0 1 2; do
    in_ns "$cli" ip link set "$if_cli" address "${macs[$index]}"
    in_ns "$cli" timeout 20 udhcpc -i "$if_cli" -f -q -n -t 3 -T 3 -s "$work/udhcpc.sh" > "$work/udhcpc-$index.out" 2>&1 ||
        fail "udhcpc run $index gets a lease" "$(tail -3 "$work/udhcpc-$index.out")"
    in_ns "$cli" ip addr flush dev "$if_cli"
done
# The fourth stays, then releases its lease (SIGUSR2) and ends.
in_ns "$cli" ip link set "$if_cli" address "${macs[3]}"
ip netns exec "$cli" timeout 20 udhcpc -i "$if_cli" -f -n -t 3 -T 3 -s "$work/udhcpc.sh" -p "$work/udhcpc.pid" \
    > "$work/udhcpc-3.out" 2>&1 &
udhcpc_job=$!
wait_for 10 grep -q "lease of" "$work/udhcpc-3.out" || fail "udhcpc run 3 gets a lease" "$(tail -3 "$work/udhcpc-3.out")"
udhcpc_pid=$(cat "$work/udhcpc.pid")
kill -USR2 "$udhcpc_pid"
wait_for 5 grep -q "released state" "$work/udhcpc-3.out"
kill "$udhcpc_pid" 2> /dev/null
wait "$udhcpc_job" 2> /dev/null
in_ns "$cli" ip addr flush dev "$if_cli"
in_ns "$cli" ip addr add 10.66.0.50/24 dev "$if_cli"
in_ns "$cli" python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\x01\x01\x06\x00not a DHCP message", ("10.66.0.1", 67))'

# --- TFTP: one file whole, one missing. HTTP: the same file, a missing one. ---
in_ns "$cli" tftp 10.66.0.1 -m binary -c get test/linux "$work/got.tftp" > "$work/tftp.out" 2>&1
in_ns "$cli" tftp 10.66.0.1 -m binary -c get test/missing "$work/missing.tftp" > "$work/tftp-missing.out" 2>&1
check "tftp got the file whole" cmp -s "$work/root/test/linux" "$work/got.tftp"
in_ns "$cli" curl -sS --max-time 5 -o "$work/got.http" http://10.66.0.1:8080/test/linux
in_ns "$cli" curl -sS --max-time 5 -o /dev/null http://10.66.0.1:8080/test/missing
check "curl got the file whole" cmp -s "$work/root/test/linux" "$work/got.http"

# A server counts some events just after the client is done with them: a TFTP transfer when the last ACK arrives,
# an HTTP response once it has left, a RELEASE or a malformed datagram when it is read. So scrape until the last of
# each kind shows (at most 5 s); the counts below then must be exact. Each scrape is itself counted on the metrics
# route once it has gone out.
after_scrapes=0
settled() {
    scrape after || return 1
    after_scrapes=$((after_scrapes + 1))
    local sample
    for sample in 'rackboot_tftp_transfers_ended_total{outcome="completed"}' \
        'rackboot_http_requests_total{route="boot_file",status="404"}' \
        'rackboot_dhcp_messages_total{type="release",outcome="released"}' 'rackboot_dhcp_dropped_total{reason="malformed"}'; do
        [ "$(value after "$sample")" -gt "$(value before "$sample")" ] || return 1
    done
}
wait_for 5 settled || fail "every event sent shows in a scrape within 5 s" "$(grep -v '^#' "$work/after.prom" | head -5)"
check "promtool check metrics accepts the scrape after traffic" "$promtool" check metrics < "$work/after.prom"
size=$(stat -c %s "$work/root/test/linux")

moved "DHCP: four DISCOVERs offered" 'rackboot_dhcp_messages_total{type="discover",outcome="offered"}' 4
moved "DHCP: four REQUESTs acknowledged" 'rackboot_dhcp_messages_total{type="request",outcome="acknowledged"}' 4
moved "DHCP: one RELEASE released" 'rackboot_dhcp_messages_total{type="release",outcome="released"}' 1
moved "DHCP: no NAK" 'rackboot_dhcp_messages_total{type="request",outcome="nak"}' 0
moved "DHCP: the malformed datagram is dropped as malformed" 'rackboot_dhcp_dropped_total{reason="malformed"}' 1
commits=$(($(value after 'rackboot_dhcp_lease_commit_duration_seconds_count') - $(value before 'rackboot_dhcp_lease_commit_duration_seconds_count')))
check "DHCP: lease commits were timed (1 to 5 batches for 4 leases and 1 release; got $commits)" \
    test "$commits" -ge 1 -a "$commits" -le 5
check "DHCP pool: 3 addresses leased after 4 leases and 1 release" \
    test "$(value after 'rackboot_dhcp_pool_addresses{pool="10.66.0.100-10.66.0.109",state="leased"}')" -eq 3
check "DHCP pool: 7 of its 10 addresses free" \
    test "$(value after 'rackboot_dhcp_pool_addresses{pool="10.66.0.100-10.66.0.109",state="free"}')" -eq 7

moved "TFTP: one transfer started" 'rackboot_tftp_transfers_started_total' 1
moved "TFTP: one transfer completed" 'rackboot_tftp_transfers_ended_total{outcome="completed"}' 1
moved "TFTP: none failed" 'rackboot_tftp_transfers_ended_total{outcome="failed"}' 0
moved "TFTP: the file's bytes were sent ($size)" 'rackboot_tftp_sent_bytes_total' "$size"
moved "TFTP: the missing file is refused as not found" 'rackboot_tftp_requests_refused_total{reason="not_found"}' 1
check "TFTP: nothing in flight" test "$(value after 'rackboot_tftp_transfers_in_flight')" -eq 0

moved "HTTP: one 200 for a boot file" 'rackboot_http_requests_total{route="boot_file",status="200"}' 1
moved "HTTP: one 404 for a boot file" 'rackboot_http_requests_total{route="boot_file",status="404"}' 1
body404=$(($(value after 'rackboot_http_response_bytes_total{route="boot_file"}') - $(value before 'rackboot_http_response_bytes_total{route="boot_file"}') - size))
check "HTTP: the file's bytes plus a short 404 body were sent (404 body: $body404 bytes)" \
    test "$body404" -gt 0 -a "$body404" -lt 100
moved "HTTP: every earlier scrape ($after_scrapes) is counted on the metrics route" \
    'rackboot_http_requests_total{route="metrics",status="200"}' "$after_scrapes"

check "machines: known-01 is install pending once it has had DHCP" \
    test "$(value after 'rackboot_machines{state="install_pending"}')" -eq 1
check "machines: none never seen any more" test "$(value after 'rackboot_machines{state="never_seen"}')" -eq 0
rss=$(value after 'process_resident_memory_bytes')
check "process: resident memory is reported (${rss} bytes)" python3 -c "import sys; sys.exit(0 if 1e6 < $rss < 2e9 else 1)"
check "build info names the release" grep -q '^rackboot_build_info{version="' "$work/after.prom"

# Labels hold closed sets only: no MAC, no client address.
check "no label carries a MAC" bash -c "! grep -v '^#' '$work/after.prom' | grep -qiE '([0-9a-f]{2}[:-]){5}[0-9a-f]{2}'"
check "no label but the configured pool carries an address" \
    bash -c "! grep -v '^#' '$work/after.prom' | sed 's/pool=\"[^\"]*\"//' | grep -qE '10\.66\.0\.[0-9]'"
check "every metric has HELP text" bash -c "[ \$(grep -c '^# TYPE' '$work/after.prom') -eq \$(grep -c '^# HELP' '$work/after.prom') ]"
check "promtool check rules accepts the example alert rules (docs/examples/rackboot-alerts.yml)" \
    "$promtool" check rules "$repo/docs/examples/rackboot-alerts.yml"

report metrics
