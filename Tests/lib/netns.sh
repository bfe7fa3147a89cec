# Shared by the shell tests that build network namespaces. Source it after setting `namespaces` (an array of the
# names this script creates). It gives:
#   netns_stop          stops the processes inside those namespaces (TERM, up to 5 s, then KILL) and deletes them;
#                       nothing outside them is touched, and processes are ended by PID
#   netns_create SUITE  creates them with loopback up and IPv6 off; on failure reports SUITE and exits
#   in_ns NS CMD...     runs CMD inside NS
#   wait_for SECONDS CMD...  polls CMD every 0.1 s until it succeeds, at most SECONDS

netns_stop() {
    local ns pid left
    for ns in "${namespaces[@]}"; do
        [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
    done
    for _ in $(seq 50); do
        left=0
        for ns in "${namespaces[@]}"; do
            [ -e "/run/netns/$ns" ] && [ -n "$(ip netns pids "$ns" 2>/dev/null)" ] && left=1
        done
        [ $left -eq 0 ] && break
        sleep 0.1
    done
    for ns in "${namespaces[@]}"; do
        [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
}

netns_create() {
    local ns
    for ns in "${namespaces[@]}"; do
        if ! ip netns add "$ns"; then
            echo "FAIL create namespace $ns"
            echo "$1: 0 passed, 1 failed"
            exit 1
        fi
        in_ns "$ns" ip link set lo up
        in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

wait_for() {
    local tries=$(($1 * 10))
    shift
    for _ in $(seq "$tries"); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
