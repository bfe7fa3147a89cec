#!/usr/bin/env bash
# sd_notify as systemd sees it: a test-owned NOTIFY_SOCKET must receive READY, STATUS, WATCHDOG, RELOADING, READY,
# STOPPING in that order across a start, a SIGHUP and a SIGTERM; with an event loop blocked, WATCHDOG must stop;
# a SIGHUP with a broken profile keeps the old inventory serving (checked with a real TFTP client) and logs the
# file and line. Loopback only. Usage: systemd-notify.sh path/to/rackboot
set -uo pipefail
rackboot=$(realpath "${1:?usage: systemd-notify.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
source Tests/lib/report.sh
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
# wait_for FILE TEXT SECONDS: polls until FILE holds TEXT (bounded).
wait_for() {
    local end=$((SECONDS + $3))
    until grep -qF -- "$2" "$1" 2>/dev/null; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.1
    done
}

cp -r profiles "$work/profiles"
mkdir -p "$work/root" "$work/state"
port=$((20000 + RANDOM % 20000))
sed -e "s|^profiles: .*|profiles: $work/profiles|" -e "s|^state_directory: .*|state_directory: $work/state|" \
    -e "s|^  root: .*|  root: $work/root\n  address: 127.0.0.1\n  port: $port|" -e "s|^  port: 80$|  address: 127.0.0.1\n  port: $((port + 1))|" -e "/^      interface: /d" \
    docs/examples/rackboot.yaml > "$work/rackboot.yaml"

python3 Tests/integration/notify-listener.py "$work/notify.sock" "$work/notify.log" 60 &
pids+=($!)
for _ in $(seq 50); do [ -S "$work/notify.sock" ] && break; sleep 0.1; done

NOTIFY_SOCKET="$work/notify.sock" WATCHDOG_USEC=1000000 RACKBOOT_FAULT_INJECTION=1 RACKBOOT_FAULT_BLOCK_SECONDS=8 \
    "$rackboot" serve --config "$work/rackboot.yaml" --log console > "$work/serve.out" 2> "$work/serve.err" &
serve=$!
pids+=($serve)

if wait_for "$work/notify.log" "READY=1" 15; then pass "READY=1 once bound"; else fail "READY=1 once bound" "$(tail -5 "$work/serve.err")"; fi
if grep -q "STATUS=10 machines" "$work/notify.log"; then pass "STATUS names the machines"; else fail "STATUS names the machines" "$(cat "$work/notify.log")"; fi
if wait_for "$work/notify.log" "transfers in flight" 8; then pass "STATUS counts transfers in flight"; else fail "STATUS counts transfers in flight" "$(grep STATUS "$work/notify.log" | tail -2)"; fi
if wait_for "$work/notify.log" "WATCHDOG=1" 5; then pass "WATCHDOG=1 while healthy"; else fail "WATCHDOG=1 while healthy"; fi

# A broken profile, then SIGHUP: the old inventory keeps serving and the log names the file and line.
before=$(curl -s --max-time 5 "tftp://127.0.0.1:$port/pxelinux.cfg/01-52-54-00-20-00-11")
printf 'hostname: web-01\nmacs: [52:54:00:20:00:99]\nip: 10.20.0.11\ntemplate: debian12\nstate: install\n' \
    > "$work/profiles/zz-broken.yaml"
kill -HUP "$serve"
if wait_for "$work/serve.err" "reload failed" 10; then pass "a broken reload is refused"; else fail "a broken reload is refused" "$(tail -5 "$work/serve.err")"; fi
if grep -q "file=.*zz-broken.yaml.*line=1\|line=1.*file=.*zz-broken.yaml" "$work/serve.err" ||
    grep "zz-broken.yaml" "$work/serve.err" | grep "line=" > /dev/null; then
    pass "the reload error names the file and line"
else
    fail "the reload error names the file and line" "$(grep -i error "$work/serve.err" | tail -3)"
fi
after=$(curl -s --max-time 5 "tftp://127.0.0.1:$port/pxelinux.cfg/01-52-54-00-20-00-11")
if [ -n "$before" ] && [ "$before" = "$after" ]; then pass "TFTP still serves the previous config"; else fail "TFTP still serves the previous config"; fi

# A good change is picked up by the file poll without a signal.
rm "$work/profiles/zz-broken.yaml"
sed -i 's/role: web/role: frontend/' "$work/profiles/web-01.yaml"
if wait_for "$work/serve.err" "reason=profiles changed" 15 && sleep 0.2 &&
    curl -s --max-time 5 "tftp://127.0.0.1:$port/pxelinux.cfg/01-52-54-00-20-00-11" | grep "rackboot.role=frontend" > /dev/null; then
    pass "an edited profile is reloaded and served"
else
    fail "an edited profile is reloaded and served" "$(grep -i reload "$work/serve.err" | tail -3)"
fi

# RELOADING then READY, in order, after the first READY.
sequence=$(awk '{print $2}' "$work/notify.log" | grep -E '^(READY|RELOADING|STOPPING)=1$' | uniq | tr '\n' ' ')
case "$sequence" in
    "READY=1 RELOADING=1 READY=1 "*) pass "RELOADING=1 then READY=1 on reload" ;;
    *) fail "RELOADING=1 then READY=1 on reload" "sequence: $sequence" ;;
esac
if grep -q "MONOTONIC_USEC=[0-9]" "$work/notify.log"; then pass "RELOADING carries MONOTONIC_USEC"; else fail "RELOADING carries MONOTONIC_USEC"; fi

# Block one event loop: WATCHDOG=1 must stop while it is blocked.
kill -USR2 "$serve"
wait_for "$work/serve.err" "blocking an event loop" 5
# Pings sent just before the block may be read (and timestamped) a little late on a busy machine: the window
# starts 2.5 s into the 8 s block and ends 1 s before it does.
sleep 2.5
mark=$(python3 -c 'import time; print(f"{time.monotonic():.3f}")')
sleep 4.5
late=$(awk -v mark="$mark" '$1 > mark && $2 == "WATCHDOG=1"' "$work/notify.log" | wc -l)
if [ "$late" -eq 0 ]; then pass "no WATCHDOG=1 while an event loop is blocked"; else fail "no WATCHDOG=1 while an event loop is blocked" "$late pings"; fi
if grep -q "did not answer" "$work/serve.err"; then pass "the log says which loop did not answer"; else fail "the log says which loop did not answer"; fi
# The loop is blocked for 8 s from the signal; once it answers again, so does the watchdog.
recovered=$(python3 -c 'import time; print(f"{time.monotonic() + 1.5:.3f}")')
end=$((SECONDS + 10))
until awk -v mark="$recovered" '$1 > mark && $2 == "WATCHDOG=1"' "$work/notify.log" | grep . > /dev/null || [ $SECONDS -ge $end ]; do
    sleep 0.2
done
if awk -v mark="$recovered" '$1 > mark && $2 == "WATCHDOG=1"' "$work/notify.log" | grep . > /dev/null; then
    pass "WATCHDOG=1 resumes once the loop answers again"
else
    fail "WATCHDOG=1 resumes once the loop answers again"
fi

# SIGTERM: STOPPING=1, and exit 0.
kill -TERM "$serve"
wait "$serve"
status=$?
pids=("${pids[@]/$serve}")
if wait_for "$work/notify.log" "STOPPING=1" 5; then pass "STOPPING=1 on SIGTERM"; else fail "STOPPING=1 on SIGTERM"; fi
if [ "$status" -eq 0 ]; then pass "exit 0 after SIGTERM"; else fail "exit 0 after SIGTERM" "status $status"; fi
order=$(awk '{print $2}' "$work/notify.log" | grep -E '^(READY|RELOADING|STOPPING)=1$' | uniq | tr '\n' ' ')
case "$order" in
    "READY=1 RELOADING=1 READY=1 "*"STOPPING=1 ") pass "READY, RELOADING, READY, STOPPING in order" ;;
    *) fail "READY, RELOADING, READY, STOPPING in order" "order: $order" ;;
esac

# The unit file, pointed at this binary, passes systemd-analyze verify without a word.
sed "s|/usr/local/bin/rackboot|$rackboot|g" systemd/rackboot.service > "$work/rackboot.service"
if verify=$(systemd-analyze verify "$work/rackboot.service" 2>&1) && [ -z "$verify" ]; then
    pass "systemd-analyze verify finds nothing in the unit"
else
    fail "systemd-analyze verify finds nothing in the unit" "$verify"
fi

report systemd
