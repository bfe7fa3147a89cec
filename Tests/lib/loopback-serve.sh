# Shared by the TFTP tests that run `rackboot serve` on 127.0.0.1 and a random high port, TFTP only (no subnet
# keeps its interface, so DHCP stays off) and with its state in the test's folder. Source it after report.sh.
#   loopback_serve_start RACKBOOT ROOT WORK [SERVE-ARGS...]  writes WORK/serve.yaml from the example config, starts
#                        serve (logs in WORK/serve.out and WORK/serve.err), sets serve_pid and port, and checks
#                        that it listens
#   loopback_serve_stop  stops it with SIGTERM and checks that it exits with status 0
#   loopback_serve_kill  for a cleanup trap: stops it if it still runs
serve_pid=
port=

loopback_serve_start() {
    local rackboot=$1 root=$2 work=$3 repo
    shift 3
    repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    port=$((20000 + RANDOM % 20000))
    sed -e "s|^profiles: .*|profiles: $repo/profiles|" \
        -e "s|^  root: .*|  root: $root\n  address: 127.0.0.1\n  port: $port|" \
        -e "s|^state_directory: .*|state_directory: $work/state|" -e "s|^  port: 80$|  address: 127.0.0.1\n  port: $((port + 1))|" -e "/^      interface: /d" \
        "$repo/docs/examples/rackboot.yaml" > "$work/serve.yaml"
    "$rackboot" serve --config "$work/serve.yaml" "$@" > "$work/serve.out" 2> "$work/serve.err" &
    serve_pid=$!
    for _ in $(seq 1 100); do grep -q "TFTP server listening" "$work/serve.err" && break; sleep 0.1; done
    if grep -q "TFTP server listening" "$work/serve.err"; then pass "serve listens on 127.0.0.1:$port"; else
        fail "serve listens on 127.0.0.1:$port" "$(tail -5 "$work/serve.err")"
    fi
}

loopback_serve_stop() {
    local status
    kill -TERM "$serve_pid"
    wait "$serve_pid"
    status=$?
    serve_pid=
    if [ "$status" -eq 0 ]; then pass "serve stops with status 0 on SIGTERM"; else
        fail "serve stops with status 0 on SIGTERM" "status $status"
    fi
}

loopback_serve_kill() {
    if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2> /dev/null; then
        kill -TERM "$serve_pid"
        wait "$serve_pid" 2> /dev/null
    fi
}
