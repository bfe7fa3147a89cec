# Shared by the shell tests that build network namespaces. Source it after setting `namespaces` (an array of the
# names this script creates). It gives:
#   netns_stop          stops the processes inside those namespaces (TERM, up to 5 s, then KILL) and deletes them;
#                       nothing outside them is touched, and processes are ended by PID
#   netns_create SUITE  creates them with loopback up and IPv6 off; on failure reports SUITE and exits
#   in_ns NS CMD...     runs CMD inside NS (in the foreground: for a background process whose PID you keep, use
#                       `ip netns exec NS CMD &`, which execs CMD, so $! is CMD's own PID)
#   wait_for SECONDS CMD...  polls CMD every 0.1 s until it succeeds, at most SECONDS
# and, to wire those namespaces (each returns non-zero when an `ip` call fails):
#   netns_bridge NS BRIDGE                    a bridge in NS (the kernel's defaults: no STP), up
#   netns_veth NS IF PEER_NS PEER [BRIDGE]    a veth pair, IF in NS and PEER in PEER_NS, both up; with BRIDGE (a
#                                             bridge in PEER_NS), PEER is one of its ports
#   netns_tap NS TAP BRIDGE                   a tap device in NS for a QEMU NIC, a port of BRIDGE (in NS), up

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

netns_bridge() {
    ip -n "$1" link add "$2" type bridge && ip -n "$1" link set "$2" up
}

netns_veth() {
    local ns=$1 iface=$2 peer_ns=$3 peer=$4 bridge=${5:-}
    ip link add "$iface" netns "$ns" type veth peer name "$peer" netns "$peer_ns" || return 1
    if [ -n "$bridge" ]; then
        ip -n "$peer_ns" link set "$peer" master "$bridge" up || return 1
    else
        ip -n "$peer_ns" link set "$peer" up || return 1
    fi
    ip -n "$ns" link set "$iface" up
}

netns_tap() {
    ip -n "$1" tuntap add "$2" mode tap && ip -n "$1" link set "$2" master "$3" && ip -n "$1" link set "$2" up
}
