#!/usr/bin/env bash
# Hostile HTTP clients against `rackboot serve` on 127.0.0.1 (HTTP and TFTP each on a free high port): malformed
# requests, every spelling of a path that climbs out of the root, symlinks out of it, oversized headers and bodies,
# slowloris, slow readers, a connection flood and pipelining, spoken over raw sockets by http-hostile.py. Each is
# refused or bounded, no byte from outside the root is ever sent, and after each one the server still serves a small
# file over HTTP within 1 s and over TFTP (tftp-hpa). The refusals are found in the log.
# Usage: Tests/integration/http-hostile.sh path/to/rackboot
set -uo pipefail
rackboot=$(realpath "${1:?usage: http-hostile.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
repo=$PWD
work=$(mktemp -d)
source Tests/lib/report.sh
source Tests/lib/http-serve.sh
http_serve_cleanup_on_exit
request_timeout=3
send_timeout=3
max_connections=64

http_serve_setup "$work" "  max_connections: $max_connections" "  request_timeout: ${request_timeout}s" \
    "  send_timeout: ${send_timeout}s"
# Outside the root: a secret file and a secret directory holding a marker that must never be sent.
marker="RACKBOOT-SECRET-$RANDOM$RANDOM"
echo "$marker" > "$work/secret"
mkdir -p "$work/outside-dir" "$work/root/images" "$work/scratch"
echo "$marker" > "$work/outside-dir/secret"
ln -s ../secret "$work/root/escape-link"
ln -s ../../outside-dir "$work/root/images/escape-dir-link"
head -c 4096 /dev/urandom > "$work/root/e2e/small.img"
echo "file a" > "$work/root/e2e/a.txt"
echo "file b, a little longer" > "$work/root/e2e/b.txt"
truncate -s 50M "$work/root/e2e/huge.img"

http_serve_start "$rackboot"

python3 "$repo/Tests/integration/http-hostile.py" "$http_port" "$tftp_port" "$work/root" "$marker" "$work/scratch" \
    "$request_timeout" "$send_timeout" "$max_connections" > "$work/raw.out" 2>&1
raw_status=$?
grep -v '^count ' "$work/raw.out"
passed=$((passed + $(grep -c '^ok ' "$work/raw.out")))
failed=$((failed + $(grep -c '^FAIL ' "$work/raw.out")))
if [ $raw_status -ne 0 ] && ! grep -q '^FAIL ' "$work/raw.out"; then
    fail "http-hostile.py ran to its end" "exit $raw_status" "$(tail -5 "$work/raw.out")"
fi
# sent KEY: how many requests of a kind http-hostile.py sent (its "count KEY N" lines).
sent() { awk -v key="$1" '$1 == "count" && $2 == key { print $3 }' "$work/raw.out" | grep . || echo 0; }

if kill -0 "$rackboot_pid" 2> /dev/null; then pass "serve is still running after every hostile client"; else
    fail "serve is still running after every hostile client" "$(tail -5 "$serve_log")"
fi
http_serve_stop  # the log is complete once serve has stopped
log=$serve_log

# at_least NAME PATTERN N [EXCLUDED]: at least N log lines match PATTERN (ERE), not counting those matching EXCLUDED.
at_least() {
    local found
    found=$(grep -E "$2" "$log" | grep -cvE "${4:-^$}")
    if [ "$found" -ge "$3" ]; then pass "$1 ($found lines)"; else
        fail "$1" "$found lines match '$2', expected at least $3" "$(grep -E "$2" "$log" | tail -2)"
    fi
}
malformed=$(($(sent malformed) + $(sent headers)))
at_least "each malformed request and oversized header block is logged with ip=: malformed (decoder) or 431 (handler)" \
    "ip=127\.0\.0\.1 .*(Refusing malformed HTTP request|status=431 .*HTTP request refused)" "$malformed" \
    "stream ended at an unexpected time"
at_least "each path escape is logged as refused with status 400" \
    "method=GET path=/[^ ]* .*status=400 .*HTTP request refused" "$(sent path_400)"
at_least "a '..' is logged with its reason" "reason='\.\.' in the path .*HTTP request refused" 1
at_least "the symlink out of the root is logged as refused (403 or 404)" \
    "path=/escape-link .*status=40[34] .*HTTP request refused" 1
at_least "each oversized body is logged: status 413, body over 4096 bytes" \
    "ip=127\.0\.0\.5 .*path=/callback/m1/… .*reason=body over 4096 bytes status=413 .*HTTP request refused" \
    "$(sent body_413)"
at_least "each slow client is logged: Closing HTTP connection: request not received in time, with ip=" \
    "ip=127\.0\.0\.1 .*Closing HTTP connection: request not received in time" "$(sent slow_logged)"
at_least "the stalled reader is logged: Closing HTTP connection: the client stopped reading" \
    "ip=127\.0\.0\.1 .*Closing HTTP connection: the client stopped reading" 1
if ! grep -q "Machine installed" "$log"; then pass "no hostile request installed a machine"; else
    fail "no hostile request installed a machine" "$(grep -m1 'Machine installed' "$log")"
fi
# A connection the server itself closed (413, a deadline) is not also a malformed request of the client's.
if ! grep -q "stream ended at an unexpected time" "$log"; then
    pass "a request the server cut short (413, a deadline) is not also logged as malformed"
else
    fail "a request the server cut short (413, a deadline) is not also logged as malformed" \
        "$(grep -c 'stream ended at an unexpected time' "$log") lines, such as: $(grep -m1 'stream ended' "$log")"
fi
if ! grep -q "^FORGED-LOG-LINE" "$log" && grep -q "FORGED-LOG-LINE" "$log"; then
    pass "a newline decoded into a path is escaped in the log, never a forged line"
else
    fail "a newline decoded into a path is escaped in the log, never a forged line" \
        "$(grep -B1 -m1 "FORGED-LOG-LINE" "$log" | cut -c1-200)"
fi
if ! grep -qE "^\S+ (error|critical) " "$log"; then pass "no hostile request is logged as a server error"; else
    fail "no hostile request is logged as a server error" "$(grep -E '^\S+ (error|critical) ' "$log" | head -3)"
fi
report http-hostile
