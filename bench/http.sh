#!/usr/bin/env bash
# `make bench-http`: Rackboot's HTTP service against nginx (Debian's nginx-light, sendfile on), same files, same load
# client (bench/http-bench.c), a fresh server process for every run; and the same boot storm over Rackboot's TFTP
# (bench/tftp-bench.c), so the gain of HTTP boot shows beside it. bench/http-report.py writes the "## HTTP" section of
# docs/performance.md from the run; the other sections stay as they are.
#
# Usage: bench/http.sh RACKBOOT HTTP_BENCH DELAY_LINK TFTP_BENCH
#        (the binaries of bench/http-bench.c, bench/delay-link.c and bench/tftp-bench.c)
# Environment: BENCH_STORM_CLIENTS (500), BENCH_STORM_MIB (32), BENCH_HTTP_SINGLE_MIB (256),
#              BENCH_HTTP_REPEAT (5: rounds of every HTTP row, the two servers alternating, each keeping its median
#              run by MB/s), BENCH_HTTP_SINGLE_REPEAT (11: the same for the single download, which lasts a tenth
#              of a second and swings two-fold with where the scheduler puts the server and the client),
#              BENCH_HTTP_ROWS ("single storm delay tftp": which groups of rows to run, for quick
#              experiments), BENCH_HTTP_SERVERS ("rackboot nginx"), BENCH_RTT_US (1000: the round trip of the RTT
#              row), BENCH_LINK_MODE (ack-path: only the client-to-server leg crosses the delay link, held the whole
#              round trip; both: both legs cross it, each held half; bench/notes.md says why ack-path),
#              BENCH_OUTPUT (docs/performance.md), BENCH_HTTP_COMMAND (the command line the report names; the
#              Makefile sets it), BENCH_HTTP_STRACE (a folder: every storm run's server is also traced with
#              `strace -c -f` into it, with its threads' CPU ticks before and after; an investigation aid: strace
#              slows the server, so the report is then not written), BENCH_HTTP_KEEP (a folder: every HTTP run's
#              per-transfer times (index, ok/failed, seconds, TTFB, bytes, reason), server log, link counters, the
#              TCP counters (nstat) that changed in each namespace and the interfaces' counters; and the run's
#              results.jsonl, which bench/http-report.py reads),
#              BENCH_CLIENT_RMEM (the client namespace's net.ipv4.tcp_rmem, "4096 131072 524288"; see below),
#              BENCH_NGINX_DIRECTIVES (directives for nginx's server block, which override the http block's, for
#              experiments: "tcp_nopush off;")
#
# Topology (10.x exists only inside the two namespaces this script creates and deletes):
#   srv ns: rbh-s-<pid> 10.215.0.1/24 (veth) and, for the RTT rows, a TAP 10.215.1.1/24 — the server under test
#   cli ns: rbh-c-<pid> 10.215.0.2/24 (veth) and a TAP 10.215.1.2/24 — the load client
#   the two TAPs are joined by bench/delay-link.c (this kernel has no netem), which holds every frame; it runs in the
#   host namespace at real-time priority but only reads and writes its two TAPs, and lives only for its run. In
#   ack-path mode the server ns routes 10.215.1.2 over the veth, so the server's packets skip the link.
# Safety: every server, client and link is started here and stopped by its PID; every loop and run is bounded
# (the load clients have deadlines, the link a lifetime); the trap deletes the namespaces and the cgroup.
set -uo pipefail
rackboot=$(realpath "${1:?usage: http.sh RACKBOOT HTTP_BENCH DELAY_LINK TFTP_BENCH}")
client=$(realpath "${2:?}")
delay_link=$(realpath "${3:?}")
tftp_bench=$(realpath "${4:?}")
cd "$(dirname "$0")/.."
storm_clients=${BENCH_STORM_CLIENTS:-500}
storm_mib=${BENCH_STORM_MIB:-32}
single_mib=${BENCH_HTTP_SINGLE_MIB:-256}
repeat=${BENCH_HTTP_REPEAT:-5}
single_repeat=${BENCH_HTTP_SINGLE_REPEAT:-11}
rows=${BENCH_HTTP_ROWS:-single storm delay tftp}
servers=${BENCH_HTTP_SERVERS:-rackboot nginx}
rtt_us=${BENCH_RTT_US:-1000}
link_mode=${BENCH_LINK_MODE:-ack-path}
client_rmem=${BENCH_CLIENT_RMEM:-4096 131072 524288}
# The link runs on core 0 and the TAPs' receive work goes to the other cores (RPS mask: every core but 0).
link_pin=()
link_rps=
if [ "$(nproc)" -ge 2 ]; then
    link_pin=(taskset -c 0)
    link_rps=$(printf '%x' $(((1 << $(nproc)) - 2)))
fi
case $link_mode in
ack-path) hold_us=$rtt_us ;;
both) hold_us=$((rtt_us / 2)) ;;
*) echo "bench: BENCH_LINK_MODE is ack-path or both" >&2; exit 64 ;;
esac
output=${BENCH_OUTPUT:-docs/performance.md}
strace_dir=${BENCH_HTTP_STRACE:-}
command_line=${BENCH_HTTP_COMMAND:-bash bench/http.sh $*}
[ -n "$strace_dir" ] && mkdir -p "$strace_dir" && strace_dir=$(realpath "$strace_dir")
keep_dir=${BENCH_HTTP_KEEP:-}
runs_kept=0
[ -n "$keep_dir" ] && mkdir -p "$keep_dir" && keep_dir=$(realpath "$keep_dir")
command -v nginx > /dev/null || { echo "bench: nginx is not installed (make bench-http installs nginx-light)" >&2; exit 1; }

work=$(mktemp -d /tmp/rackboot-http-bench-XXXXXX)
chmod 0755 "$work"
ns_srv=rbh-srv-$$
ns_cli=rbh-cli-$$
tap_srv=rbhts$$
tap_cli=rbhtc$$
# The server runs in this cgroup (v1 cpuacct), so its CPU time counts every thread and process (nginx's workers).
cgroup=/sys/fs/cgroup/cpuacct/rb-http-bench-$$
server_pid=
link_pid=
tracer_pid=
stop_pid() { # PID: SIGTERM, up to 10 s, then SIGKILL
    local pid=$1
    kill -TERM "$pid" 2> /dev/null || return 0
    for _ in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
}
cleanup() {
    [ -n "$tracer_pid" ] && stop_pid "$tracer_pid"
    [ -n "$server_pid" ] && stop_pid "$server_pid"
    [ -n "$link_pid" ] && stop_pid "$link_pid"
    for ns in "$ns_srv" "$ns_cli"; do # a load client interrupted mid-run: only processes inside these namespaces
        for pid in $(ip netns pids "$ns" 2> /dev/null); do kill -TERM "$pid" 2> /dev/null; done
    done
    for ns in "$ns_srv" "$ns_cli"; do ip netns del "$ns" 2> /dev/null; done
    [ -d "$cgroup" ] && for _ in $(seq 1 50); do rmdir "$cgroup" 2> /dev/null && break; sleep 0.1; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# (Read here, outside the namespaces: `ip netns exec` mounts a fresh /sys without the cgroup hierarchies.)
if ! mkdir "$cgroup" 2> /dev/null; then
    echo "bench: no cpuacct cgroup (cgroup v1 cpuacct is needed for the server's CPU time)" >&2
    exit 1
fi
# 500 connections on each side, and nginx's and Rackboot's open files.
if [ "$(ulimit -Hn)" = unlimited ]; then ulimit -n 65536; else ulimit -n "$(ulimit -Hn)"; fi

ip netns add "$ns_srv" && ip netns add "$ns_cli" || exit 1
for ns in "$ns_srv" "$ns_cli"; do ip -n "$ns" link set lo up; done
# The client's receive buffers grow to 512 KiB at most (the host's tcp_rmem lets each grow to 32 MiB). The kernel's
# TCP memory (tcp_mem) is one pool for both ends here, and the servers' 500 send queues alone hold about 1 GB in a
# storm: with larger client buffers the pool reached its pressure mark (1.5 GB on this machine), and then the kernel
# shrinks windows and segments, so that a run cost several times the CPU per GiB and swung two-fold from run to run
# (bench/notes.md, "The load client"). The runs record whether pressure was entered (tcp_memory_pressures).
ip netns exec "$ns_cli" sysctl -qw "net.ipv4.tcp_rmem=$client_rmem" || exit 1
ip link add rbh-s-$$ netns "$ns_srv" type veth peer name rbh-c-$$ netns "$ns_cli" || exit 1
ip -n "$ns_srv" addr add 10.215.0.1/24 dev rbh-s-$$
ip -n "$ns_cli" addr add 10.215.0.2/24 dev rbh-c-$$
ip -n "$ns_srv" link set rbh-s-$$ up
ip -n "$ns_cli" link set rbh-c-$$ up

# The root both servers serve: one file for the single download and one for the storm (every client boots the same
# image). Created once; both stay in the page cache for the whole run.
root=$work/root
mkdir -p "$root"
head -c $((single_mib << 20)) /dev/urandom > "$root/image.bin"
head -c $((storm_mib << 20)) /dev/urandom > "$root/storm.bin"
chmod -R a+rX "$root"
# Rackboot's configuration: the example's (profiles, boot, DHCP subnets without interfaces, so DHCP stays off), with
# TFTP and HTTP on the address of the row. Logging as in production: level info (one line per HTTP request and
# per TFTP transfer), written by its background log writer, here to a file rather than the journal.
sed -e "s|^profiles: .*|profiles: $PWD/profiles|" -e "s|^tftp:|tftp_unused:|" -e "/^      interface: /d" \
    -e "s|^state_directory: .*|state_directory: $work/state|" docs/examples/rackboot.yaml |
    sed -e '/^tftp_unused:/,$d' > "$work/base.yaml"
rackboot_args=(serve --config "$work/rackboot.yaml" --log console --log-level info)

# start_server NAME ADDRESS [PROTOCOL]: starts NAME bound to ADDRESS (port 80, or 69 for tftp) inside the server
# namespace, in the cgroup from its first instruction (so nginx's workers are in it too), and waits (bounded) until
# the port is bound.
start_server() {
    local name=$1 address=$2 protocol=${3:-http}
    case $name in
    rackboot)
        {
            cat "$work/base.yaml"
            printf 'tftp:\n  root: %s\n  address: %s\n  port: 69\n  max_block_size: 65464\n  max_window_size: 32\n' \
                "$root" "$address"
            printf '  max_transfers: 2000\nhttp:\n  address: %s\n  port: 80\n  max_connections: 1024\n' "$address"
        } > "$work/rackboot.yaml"
        sh -c 'echo $$ > "$1" && shift && exec "$@"' _ "$cgroup/cgroup.procs" \
            ip netns exec "$ns_srv" "$rackboot" "${rackboot_args[@]}" > "$work/$name.log" 2>&1 &
        ;;
    nginx)
        mkdir -p "$work/nginx"
        cat > "$work/nginx.conf" << CONF
# bench/http.sh: nginx as a boot-file server would be set up, serving the same root as Rackboot.
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    default_type application/octet-stream;
    client_body_temp_path $work/nginx/client_body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen $address:80;
        root $root;
        ${BENCH_NGINX_DIRECTIVES:-}
    }
}
CONF
        sh -c 'echo $$ > "$1" && shift && exec "$@"' _ "$cgroup/cgroup.procs" \
            ip netns exec "$ns_srv" nginx -e "$work/nginx/error.log" -c "$work/nginx.conf" -g 'daemon off;' \
            > "$work/$name.log" 2>&1 &
        ;;
    esac
    server_pid=$!
    local port=80 flag=-Htln
    [ "$protocol" = tftp ] && port=69 flag=-Huln
    for _ in $(seq 1 100); do
        # Rackboot binds both; wait for HTTP and TFTP so the run never starts against a half-started server.
        if ip netns exec "$ns_srv" ss $flag "sport = :$port" 2> /dev/null | grep -q . &&
            { [ "$name" != rackboot ] || ip netns exec "$ns_srv" ss -Htln "sport = :80" 2> /dev/null | grep -q .; }; then
            return 0
        fi
        kill -0 "$server_pid" 2> /dev/null || break
        sleep 0.1
    done
    echo "bench: $name did not bind $address:$port" >&2
    tail -5 "$work/$name.log" >&2
    stop_pid "$server_pid"
    server_pid=
    return 1
}

stop_server() {
    stop_pid "$server_pid"
    server_pid=
}

# The 1 ms link: a fresh delay-link per run (so its counters and CPU are that run's), its TAPs moved into the two
# namespaces, and ping's round trip through it recorded.
link_rtt=
start_link() {
    # Real-time priority, so that a frame leaves when it is due although the server and the client keep both cores
    # busy (under the default policy it waited for a core, for milliseconds: the round trip grew several-fold), on
    # core 0, whose share of the stack's work RPS sends to the others (see link_rps).
    "${link_pin[@]}" chrt -f 10 "$delay_link" "$tap_srv" "$tap_cli" "$hold_us" 1000 > "$work/link.out" 2>&1 &
    link_pid=$!
    for _ in $(seq 1 50); do grep -q ready "$work/link.out" && break; sleep 0.1; done
    grep -q ready "$work/link.out" || { echo "bench: delay-link did not start: $(cat "$work/link.out")" >&2; return 1; }
    ip link set "$tap_srv" netns "$ns_srv" && ip link set "$tap_cli" netns "$ns_cli" || return 1
    ip -n "$ns_srv" addr add 10.215.1.1/24 dev "$tap_srv"
    ip -n "$ns_cli" addr add 10.215.1.2/24 dev "$tap_cli"
    ip -n "$ns_srv" link set "$tap_srv" up
    ip -n "$ns_cli" link set "$tap_cli" up
    if [ "$link_mode" = ack-path ]; then
        # Only the client-to-server leg crosses the link; the server reaches the client's TAP address over the veth
        # (so neither namespace may drop packets that arrive on the other interface than the route back).
        ip netns exec "$ns_srv" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
            "net.ipv4.conf.rbh-s-$$.rp_filter=0" "net.ipv4.conf.$tap_srv.rp_filter=0" > /dev/null
        ip netns exec "$ns_cli" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
            "net.ipv4.conf.rbh-c-$$.rp_filter=0" "net.ipv4.conf.$tap_cli.rp_filter=0" > /dev/null
        ip -n "$ns_srv" route replace 10.215.1.2/32 via 10.215.0.2 dev rbh-s-$$ || return 1
    fi
    if [ -n "$link_rps" ]; then
        # What the link writes into a TAP is handed to the other cores (RPS) instead of being processed inside the
        # write: else the link's one thread ran the receiving end's TCP for every flow (in ack-path mode the
        # server's ACK processing and the sends it clocks), used a whole core and fell milliseconds behind.
        ip netns exec "$ns_srv" sh -c "echo $link_rps > /sys/class/net/$tap_srv/queues/rx-0/rps_cpus" || return 1
        ip netns exec "$ns_cli" sh -c "echo $link_rps > /sys/class/net/$tap_cli/queues/rx-0/rps_cpus" || return 1
    fi
    ip netns exec "$ns_cli" ping -c 1 -W 2 10.215.1.1 > /dev/null 2>&1 # ARP, so it is not in the measured RTT
    link_rtt=$(ip netns exec "$ns_cli" ping -q -c 20 -i 0.05 -W 2 10.215.1.1 2> /dev/null |
        sed -nE 's|.*= ([0-9.]+)/([0-9.]+)/([0-9.]+)/.*|\1/\2/\3|p')
}
stop_link() {
    stop_pid "$link_pid"
    link_pid=
}
# The link's report as JSON fields: frames and bytes each way, how many were GSO segments, its CPU seconds.
link_fields() {
    python3 - "$work/link.out" "$link_rtt" << 'PY'
import json, sys
fields = {"link_rtt_ms": sys.argv[2]}
for line in open(sys.argv[1]):
    words = line.split()
    if words and words[0] in ("a->b", "b->a"):
        side = "to_client" if words[0] == "a->b" else "to_server"
        values = dict(zip(words[1::2], words[2::2]))
        for key in ("frames", "bytes", "gso_frames", "largest", "late_over_100us"):
            fields[f"link_{side}_{key}"] = int(values[key])
        for key in ("late_mean_us", "late_max_us"):
            fields[f"link_{side}_{key}"] = float(values[key])
    elif words and words[0] == "cpu_s":
        fields["link_cpu_s"] = float(words[1])
print(json.dumps(fields)[1:-1])
PY
}

# Investigation aid (BENCH_HTTP_STRACE): traces the running server's system calls (every thread, every process)
# until the row ends, and keeps its per-thread CPU.
thread_cpu() { # PID... : "pid/tid comm utime stime" (clock ticks) of every thread
    local pid tid stat fields
    for pid in "$@"; do
        for tid in /proc/"$pid"/task/*; do
            stat=$(cat "$tid/stat" 2> /dev/null) || continue
            read -r -a fields <<< "${stat##*) }"
            echo "$pid/${tid##*/} $(tr ' ' _ < "$tid/comm") ${fields[11]} ${fields[12]}"
        done
    done
}
server_pids() { echo "$server_pid" $(cat "/proc/$server_pid/task/$server_pid/children" 2> /dev/null); }
start_trace() { # NAME
    [ -n "$strace_dir" ] || return 0
    thread_cpu $(server_pids) > "$strace_dir/$1.threads-before"
    local attach=()
    for pid in $(server_pids); do attach+=(-p "$pid"); done
    strace -c -f -o "$strace_dir/$1.strace" "${attach[@]}" 2> /dev/null &
    tracer_pid=$!
    sleep 1
}
stop_trace() { # NAME
    [ -n "$strace_dir" ] || return 0
    thread_cpu $(server_pids) > "$strace_dir/$1.threads-after"
    kill -INT "$tracer_pid" 2> /dev/null
    wait "$tracer_pid" 2> /dev/null
    tracer_pid=
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# The server's packets: what its veth sent (skbs, each up to a 64 KiB TSO segment, and their bytes) and what arrived
# on its veth and TAP (the client's requests and ACKs), as "tx_packets tx_bytes rx_packets".
server_packets() {
    ip -n "$ns_srv" -s -j link show 2> /dev/null | python3 -c 'import json, sys
links = json.load(sys.stdin)
tx = [0, 0]
rx = 0
for link in links:
    if link["ifname"] == "lo":
        continue
    stats = link.get("stats64", {})
    tx[0] += stats.get("tx", {}).get("packets", 0)
    tx[1] += stats.get("tx", {}).get("bytes", 0)
    rx += stats.get("rx", {}).get("packets", 0)
print(tx[0], tx[1], rx)'
}
# From the run's TCP counters: how often the kernel entered TCP memory pressure (its memory is one pool for both
# ends here), the server's retransmitted segments, and segments the client dropped for want of receive memory.
tcp_fields() {
    awk '$1 == "TcpExtTCPMemoryPressures" { p += $2 } FILENAME ~ /srv$/ && $1 == "TcpRetransSegs" { r = $2 }
        FILENAME ~ /cli$/ && $1 == "TcpExtTCPRcvQDrop" { d = $2 }
        END { printf "\"tcp_memory_pressures\": %d, \"server_retrans_segs\": %d, \"client_rcvq_drops\": %d", p, r, d }' \
        "$work/nstat-srv" "$work/nstat-cli"
}
packet_fields() { # BEFORE AFTER
    local a=($1) b=($2)
    echo "\"server_tx_packets\": $((b[0] - a[0])), \"server_tx_bytes\": $((b[1] - a[1])), \"server_rx_packets\": $((b[2] - a[2]))"
}

# run_http WORKLOAD SERVER ADDRESS FILE COUNT [LINK]: one fresh server, one client run; prints and appends one JSON
# line (an "error" one when the server or the link did not start).
run_http() {
    local workload=$1 server=$2 address=$3 file=$4 count=$5 link=${6:-}
    local deadline=$((count > 1 ? 900 : 300)) line cpu_before cpu extra=
    if [ -n "$link" ] && ! start_link; then
        stop_link
        echo "{\"workload\": \"$workload\", \"server\": \"$server\", \"protocol\": \"http\", \"count\": $count," \
            "\"error\": \"the delay link did not come up\"}" | tee -a "$work/results.jsonl"
        return 0
    fi
    if ! start_server "$server" "$address"; then
        [ -n "$link" ] && stop_link
        echo "{\"workload\": \"$workload\", \"server\": \"$server\", \"protocol\": \"http\", \"count\": $count," \
            "\"error\": \"did not start\"}" | tee -a "$work/results.jsonl"
        return 0
    fi
    start_trace "$server-$count-${link:-veth}"
    local packets_before
    packets_before=$(server_packets)
    ip netns exec "$ns_srv" nstat -saz > "$work/nstat-srv-before" 2> /dev/null
    ip netns exec "$ns_cli" nstat -saz > "$work/nstat-cli-before" 2> /dev/null
    cpu_before=$(cat "$cgroup/cpuacct.usage")
    line=$(ip netns exec "$ns_cli" "$client" --server "$address" --port 80 --path "/$file" --source "$root/$file" \
        --count "$count" --pid "$server_pid" --deadline "$deadline" --idle 60 --times "$work/times.txt")
    cpu=$(awk -v a="$cpu_before" -v b="$(cat "$cgroup/cpuacct.usage")" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    extra=", $(packet_fields "$packets_before" "$(server_packets)")"
    for side in srv cli; do # the TCP counters that changed during the run, in each namespace
        ip netns exec "$([ $side = srv ] && echo "$ns_srv" || echo "$ns_cli")" nstat -saz 2> /dev/null |
            awk 'NR == FNR { before[$1] = $2; next } $2 != before[$1] && $1 !~ /^#/ { print $1, $2 - before[$1] }' \
                "$work/nstat-$side-before" - > "$work/nstat-$side"
    done
    extra+=", $(tcp_fields)"
    stop_trace "$server-$count-${link:-veth}"
    stop_server
    if [ -n "$keep_dir" ]; then
        runs_kept=$((runs_kept + 1))
        cp "$work/times.txt" "$keep_dir/$runs_kept-$server-$count-${link:-veth}.times"
        cp "$work/nstat-srv" "$keep_dir/$runs_kept-$server-$count-${link:-veth}.nstat-srv"
        cp "$work/nstat-cli" "$keep_dir/$runs_kept-$server-$count-${link:-veth}.nstat-cli"
        { ip -n "$ns_srv" -s link; ip -n "$ns_cli" -s link; } > "$keep_dir/$runs_kept-$server-$count-${link:-veth}.links"
        cp "$work/$server.log" "$keep_dir/$runs_kept-$server-$count-${link:-veth}.log"
        [ -n "$link" ] && cp "$work/link.out" "$keep_dir/$runs_kept-$server-$count-${link:-veth}.link"
    fi
    if [ -n "$link" ]; then
        stop_link
        extra+=", $(link_fields)"
    fi
    [ -n "$line" ] || line="{\"ok\": 0, \"failed\": $count, \"first_failure\": \"client crashed\"}"
    echo "{\"workload\": \"$workload\", \"server\": \"$server\", \"protocol\": \"http\", \"count\": $count," \
        "\"server_cpu_s\": $cpu, \"load1\": $(load1)$extra, ${line#\{}" | tee -a "$work/results.jsonl"
}

# run_tftp WORKLOAD WINDOW: Rackboot's TFTP, the storm file to every client at blksize 1468, as bench/run.sh runs it.
run_tftp() {
    local workload=$1 window=$2 line cpu_before cpu
    if ! start_server rackboot 10.215.0.1 tftp; then
        echo "{\"workload\": \"$workload\", \"server\": \"rackboot\", \"protocol\": \"tftp\", \"error\": \"did not start\"}" \
            >> "$work/results.jsonl"
        return
    fi
    cpu_before=$(cat "$cgroup/cpuacct.usage")
    line=$(ip netns exec "$ns_cli" "$tftp_bench" --server 10.215.0.1 --port 69 --file storm.bin \
        --source "$root/storm.bin" --count "$storm_clients" --blksize 1468 --windowsize "$window" --tsize \
        --pid "$server_pid" --deadline 900 --times "$work/times.txt" --io io_uring)
    cpu=$(awk -v a="$cpu_before" -v b="$(cat "$cgroup/cpuacct.usage")" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    stop_server
    [ -n "$line" ] || line="{\"ok\": 0, \"failed\": $storm_clients, \"first_failure\": \"client crashed\"}"
    line=$(sed -E "s/\"server_cpu_s\": [0-9.]+, //" <<< "$line")
    echo "{\"workload\": \"$workload\", \"server\": \"rackboot\", \"protocol\": \"tftp\", \"count\": $storm_clients," \
        "\"req_window\": $window, \"server_cpu_s\": $cpu, \"load1\": $(load1), ${line#\{}" | tee -a "$work/results.jsonl"
}

# keep_median RUNS_FILE: appends the run with the median MB/s to the results, with every run's MB/s and CPU.
keep_median() {
    python3 -c 'import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
if rows:
    ordered = sorted(rows, key=lambda row: row.get("mb_per_s", 0))
    median = dict(ordered[len(ordered) // 2])
    median["runs"] = len(rows)
    median["all_mb_per_s"] = [row.get("mb_per_s", 0) for row in rows]
    median["all_server_cpu_s"] = [row.get("server_cpu_s", 0) for row in rows]
    median["all_failed"] = [row.get("failed", row.get("count", 0)) if "error" not in row else row.get("count", 0)
                            for row in rows]
    median["all_tcp_memory_pressures"] = [row.get("tcp_memory_pressures", 0) for row in rows]
    print(json.dumps(median, ensure_ascii=False))' "$1" >> "$work/results.jsonl"
}

# http_rows ROUNDS WORKLOAD ADDRESS FILE COUNT [LINK]: ROUNDS rounds, servers alternating; medians kept.
http_rows() {
    local rounds=$1 workload=$2 server
    shift 2
    for server in $servers; do : > "$work/runs-$server.jsonl"; done
    for round in $(seq 1 "$rounds"); do
        for server in $servers; do
            echo "bench: $workload, $server, round $round of $rounds" >&2
            run_http "$workload" "$server" "$@" > /dev/null
            tail -1 "$work/results.jsonl" >> "$work/runs-$server.jsonl"
            sed -i '$d' "$work/results.jsonl"
            tail -1 "$work/runs-$server.jsonl" >&2
        done
    done
    for server in $servers; do keep_median "$work/runs-$server.jsonl"; done
}

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_started=$(cut -d' ' -f1-3 /proc/loadavg)
[[ " $rows " == *" single "* ]] && http_rows "$single_repeat" "veth 1 × $single_mib MiB" 10.215.0.1 image.bin 1
[[ " $rows " == *" storm "* ]] &&
    http_rows "$repeat" "veth storm $storm_clients × $storm_mib MiB" 10.215.0.1 storm.bin "$storm_clients"
if [[ " $rows " == *" delay "* ]]; then
    # The link's own ceiling first: one stream through it from nginx (the faster single-stream server here is
    # irrelevant: the row shows what one stream gets through the link and what the link's CPU is per byte).
    echo "bench: link check, one $single_mib MiB stream through delay-link" >&2
    run_http "link check 1 × $single_mib MiB" nginx 10.215.1.1 image.bin 1 link > "$work/link-check.json"
    sed -i '$d' "$work/results.jsonl"
    http_rows "$repeat" "$(awk -v us="$rtt_us" 'BEGIN { print us / 1000 }') ms RTT storm $storm_clients × $storm_mib MiB" 10.215.1.1 storm.bin \
        "$storm_clients" link
fi
if [[ " $rows " == *" tftp "* ]]; then
    for window in 16 1; do
        echo "bench: TFTP storm, windowsize $window" >&2
        run_tftp "veth storm $storm_clients × $storm_mib MiB" "$window" >&2
    done
fi

[ -n "$keep_dir" ] && cp "$work/results.jsonl" "$work/link-check.json" "$keep_dir/" 2> /dev/null
if [ -n "$strace_dir" ]; then
    cp "$work/results.jsonl" "$strace_dir/results.jsonl"
    echo "bench: traced run (BENCH_HTTP_STRACE): results and traces in $strace_dir; $output not written" >&2
    exit 0
fi
nginx_version=$(nginx -v 2>&1 | sed 's|^nginx version: ||')
python3 bench/http-report.py "$work/results.jsonl" "$work/link-check.json" "$started" "$load_started" \
    "$command_line" "$(nproc)" "$rtt_us" "$link_mode" "$nginx_version" "$("$rackboot" --version 2>&1)" \
    "$(ip netns exec "$ns_srv" sysctl -n net.ipv4.tcp_congestion_control)" "$client_rmem" > "$work/section.md" || exit 1
python3 - "$output" "$work/section.md" << 'PY' && echo "bench: wrote the HTTP section of $output"
import os, re, sys
path, section = sys.argv[1], open(sys.argv[2]).read().rstrip() + "\n\n"
text = open(path).read() if os.path.exists(path) else "# Performance\n\n"
pattern = re.compile(r"^## HTTP\n.*?(?=^## |\Z)", re.S | re.M)
if pattern.search(text):
    text = pattern.sub(lambda _: section, text)
else:  # first run: after the TFTP section when there is one, else at the end
    after_tftp = re.compile(r"(^## TFTP\n.*?)(?=^## |\Z)", re.S | re.M)
    if after_tftp.search(text):
        text = after_tftp.sub(lambda m: m.group(1).rstrip() + "\n\n" + section, text, count=1)
    else:
        text = text.rstrip() + "\n\n" + section
open(path + ".new", "w").write(text.rstrip() + "\n")
os.replace(path + ".new", path)
PY
