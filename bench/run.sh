#!/usr/bin/env bash
# `make bench-tftp`: Rackboot's TFTP server against tftpd-hpa, atftpd and dnsmasq (TFTP only), same workloads, same
# load client (bench/tftp-bench.c), results written to docs/performance.md by bench/report.py.
#
# Usage: bench/run.sh RACKBOOT_BINARY TFTP_BENCH_BINARY ATFTPD_BINARY [TFTP_FLOOR_BINARY]
#        (bench/tftp-floor.c, the least work per block a lock-step server can do: a reference row in the lock-step
#        storm, not a peer)
# Environment: BENCH_STORM_CLIENTS (500), BENCH_STORM_MIB (32), BENCH_FILE_MIB (32), BENCH_SERVERS (all four),
#              BENCH_REPEAT (5: rounds of each single-transfer loopback row, servers alternating, median kept),
#              BENCH_OUTPUT,
#              BENCH_ROWS ("single storm veth": which groups of rows to run, for quick experiments),
#              BENCH_STORM_REPEAT (3: rounds of the lock-step storm for BENCH_STORM_REPEAT_SERVERS, default
#              "rackboot dnsmasq floor", servers alternating, median kept), BENCH_RACKBOOT_TFTP (extra `key: value`
#              lines for Rackboot's tftp section, for experiments), BENCH_CLIENT_IO (io_uring: the load client's
#              default; epoll: the load client's older wait, for comparing clients)
#              (docs/performance.md).
#
# Safety: every server and client runs inside network namespaces this script creates; the loopback workloads use
# the namespace's own 127.0.0.1 (so dnsmasq, which has no TFTP port option, can bind port 69 without touching the
# host), the latency workloads a veth pair with 10.x addresses that exist only inside the namespaces. The trap
# kills only the PIDs started here and deletes only these namespaces.
set -uo pipefail
rackboot=$(realpath "${1:?usage: run.sh RACKBOOT TFTP_BENCH ATFTPD}")
bench=$(realpath "${2:?}")
atftpd=$(realpath "${3:?}")
floor=${4:+$(realpath "$4")}
cd "$(dirname "$0")/.."
storm_clients=${BENCH_STORM_CLIENTS:-500}
storm_mib=${BENCH_STORM_MIB:-32}
file_mib=${BENCH_FILE_MIB:-32}
repeat=${BENCH_REPEAT:-5}
storm_repeat=${BENCH_STORM_REPEAT:-3}
storm_repeat_servers=${BENCH_STORM_REPEAT_SERVERS:-rackboot dnsmasq floor}
servers=${BENCH_SERVERS:-rackboot tftpd-hpa atftpd dnsmasq}
rows=${BENCH_ROWS:-single storm veth}
output=${BENCH_OUTPUT:-docs/performance.md}
command_line="make bench-tftp BENCH_STORM_CLIENTS=$storm_clients BENCH_STORM_MIB=$storm_mib"

work=$(mktemp -d /tmp/rackboot-bench-XXXXXX)
chmod 0755 "$work"
ns_lo=rb-bench-lo-$$
ns_srv=rb-bench-srv-$$
ns_cli=rb-bench-cli-$$
# Each server runs in this cgroup (v1 cpuacct) so its CPU time counts every process it forks.
cgroup=/sys/fs/cgroup/cpuacct/rb-bench-$$
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2> /dev/null; wait "$server_pid" 2> /dev/null; fi
    for ns in "$ns_lo" "$ns_srv" "$ns_cli"; do ip netns del "$ns" 2> /dev/null; done
    [ -d "$cgroup" ] && for _ in $(seq 1 50); do rmdir "$cgroup" 2> /dev/null && break; sleep 0.1; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# (Read here, outside the namespaces: `ip netns exec` mounts a fresh /sys without the cgroup hierarchies.)
if ! mkdir "$cgroup" 2> /dev/null; then
    echo "bench: no cpuacct cgroup; server CPU comes from /proc (children a server does not wait for are missed)" >&2
    cgroup=
fi

# Namespaces: one with only its loopback, and a client/server pair joined by a veth. The loopback namespace also
# gets 10.213.1.1 on lo: without one non-loopback address, getaddrinfo(AI_ADDRCONFIG) in tftpd-hpa refuses to
# resolve 127.0.0.1 and it exits 66.
ip netns add "$ns_lo" && ip -n "$ns_lo" link set lo up || exit 1
ip -n "$ns_lo" addr add 10.213.1.1/32 dev lo
ip netns add "$ns_srv" && ip netns add "$ns_cli" || exit 1
ip -n "$ns_srv" link set lo up
ip -n "$ns_cli" link set lo up
ip link add rbb-srv-$$ netns "$ns_srv" type veth peer name rbb-cli-$$ netns "$ns_cli" || exit 1
ip -n "$ns_srv" addr add 10.213.0.1/24 dev rbb-srv-$$
ip -n "$ns_cli" addr add 10.213.0.2/24 dev rbb-cli-$$
ip -n "$ns_srv" link set rbb-srv-$$ up
ip -n "$ns_cli" link set rbb-cli-$$ up
# The 1 ms round trip: `tc netem delay 0.5ms` on each end where the kernel has netem; this machine's kernel is built
# without it (CONFIG_NET_SCH_NETEM is not set), and then the load client holds each packet it sends for 1 ms
# instead (--delay-us), the same round trip as seen by the server.
delay_us=0
if ! { ip netns exec "$ns_srv" tc qdisc add dev rbb-srv-$$ root netem delay 0.5ms limit 100000 2> /dev/null &&
    ip netns exec "$ns_cli" tc qdisc add dev rbb-cli-$$ root netem delay 0.5ms limit 100000 2> /dev/null; }; then
    delay_us=1000
    echo "bench: no netem in this kernel; the load client delays its packets by 1 ms instead" >&2
fi

# The root: one file for single transfers and one for the storm (every client boots the same image).
root=$work/root
mkdir -p "$root"
head -c $((file_mib * 1024 * 1024)) /dev/urandom > "$root/image.bin"
if [ "$storm_mib" = "$file_mib" ]; then ln "$root/image.bin" "$root/storm.bin"; else
    head -c $((storm_mib * 1024 * 1024)) /dev/urandom > "$root/storm.bin"
fi
chmod -R a+rX "$root"
sed -e "s|^profiles: .*|profiles: $PWD/profiles|" -e "s|^tftp:|tftp_unused:|" -e "/^      interface: /d" -e "s|^state_directory: .*|state_directory: $work/state|" docs/examples/rackboot.yaml |
    sed -e '/^tftp_unused:/,$d' > "$work/base.yaml"

# start_server NAME NAMESPACE ADDRESS: starts it on ADDRESS:69 and waits (bounded) until the port is bound.
start_server() {
    local name=$1 ns=$2 address=$3
    case $name in
    rackboot)
        { cat "$work/base.yaml"; printf 'tftp:\n  root: %s\n  address: %s\n  port: 69\n  max_block_size: 65464\n  max_window_size: 32\n  max_transfers: 2000\n' "$root" "$address"
            [ -n "${BENCH_RACKBOOT_TFTP:-}" ] && printf '  %s\n' "$BENCH_RACKBOOT_TFTP"; } > "$work/rackboot.yaml"
        ip netns exec "$ns" "$rackboot" serve --config "$work/rackboot.yaml" > "$work/$name.log" 2>&1 &
        ;;
    tftpd-hpa)
        ip netns exec "$ns" /usr/sbin/in.tftpd -L -s "$root" -a "$address:69" -u tftp > "$work/$name.log" 2>&1 &
        ;;
    atftpd)
        ip netns exec "$ns" "$atftpd" --daemon --no-fork --port 69 --bind-address "$address" --maxthread 2000 \
            --user nobody --group nogroup --logfile "$work/$name.log" --verbose=1 "$root" > /dev/null 2>&1 &
        ;;
    dnsmasq)
        ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --enable-tftp --tftp-root="$root" \
            --tftp-max=2000 --listen-address="$address" --bind-interfaces --pid-file= \
            --log-facility="$work/$name.log" > /dev/null 2>&1 &
        ;;
    floor)
        ip netns exec "$ns" "$floor" "$root/storm.bin" "$address" 69 > "$work/$name.log" 2>&1 &
        ;;
    esac
    server_pid=$!
    [ -n "$cgroup" ] && echo "$server_pid" > "$cgroup/cgroup.procs"
    for _ in $(seq 1 100); do
        ip netns exec "$ns" ss -Huln "sport = :69" 2> /dev/null | grep -q . && return 0
        sleep 0.1
    done
    echo "bench: $name did not bind $address:69 in $ns" >&2
    tail -5 "$work/$name.log" >&2
    return 1
}

stop_server() {
    kill -TERM "$server_pid" 2> /dev/null
    wait "$server_pid" 2> /dev/null
    server_pid=
}

supports_window() { [ "$1" = rackboot ] || [ "$1" = atftpd ]; }  # tftpd-hpa 5.2 and dnsmasq 2.90 lack RFC 7440

# run WORKLOAD SERVER NAMESPACE CLIENT_NAMESPACE ADDRESS FILE COUNT BLKSIZE WINDOW [DELAY_US]: one fresh server,
# one client run.
run() {
    local workload=$1 server=$2 ns=$3 client_ns=$4 address=$5 file=$6 count=$7 blksize=$8 window=$9 delay=${10:-0}
    start_server "$server" "$ns" "$address" || { echo "{\"workload\": \"$workload\", \"server\": \"$server\", \"error\": \"did not start\"}" >> "$work/results.jsonl"; return; }
    local deadline=$((count > 1 ? 900 : 300))
    local line cpu_before
    cpu_before=$([ -n "$cgroup" ] && cat "$cgroup/cpuacct.usage")
    line=$(ip netns exec "$client_ns" "$bench" --server "$address" --port 69 --file "$file" --source "$root/$file" \
        --count "$count" --blksize "$blksize" --windowsize "$window" --tsize --pid "$server_pid" \
        --deadline "$deadline" --delay-us "$delay" --times "$work/times.txt" --io "${BENCH_CLIENT_IO:-io_uring}")
    if [ -n "$cgroup" ] && [ -n "$line" ]; then
        local cpu
        cpu=$(awk -v a="$cpu_before" -v b="$(cat "$cgroup/cpuacct.usage")" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
        line=$(sed -E "s/\"server_cpu_s\": [0-9.]+/\"server_cpu_s\": $cpu/" <<< "$line")
    fi
    stop_server
    [ -n "$line" ] || line='{"ok": 0, "failed": '"$count"', "first_failure": "client crashed"}'
    echo "{\"workload\": \"$workload\", \"server\": \"$server\", \"count\": $count, \"req_blksize\": $blksize, \"req_window\": $window, ${line#\{}" |
        tee -a "$work/results.jsonl"
}

# keep_median RUNS_FILE: appends the run with the median MB/s of RUNS_FILE (one JSON line per run) to the results,
# with the run count and every run's MB/s and CPU seconds.
keep_median() {
    python3 -c 'import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
ordered = sorted(rows, key=lambda row: row.get("mb_per_s", 0))
median = dict(ordered[len(ordered) // 2])
median["runs"] = len(rows)
median["all_mb_per_s"] = [row.get("mb_per_s", 0) for row in rows]
median["all_server_cpu_s"] = [row.get("server_cpu_s", 0) for row in rows]
print(json.dumps(median, ensure_ascii=False))' "$1" | tee -a "$work/results.jsonl"
}

# run_into RUNS_FILE RUN_ARGS...: one run whose result goes to RUNS_FILE instead of the results.
run_into() {
    local file=$1
    shift
    run "$@" > /dev/null
    tail -1 "$work/results.jsonl" >> "$file"
    sed -i '$d' "$work/results.jsonl"
}

started=$(date -u '+%Y-%m-%d %H:%M UTC')
# A single transfer on loopback lasts a few seconds at most and swings with whatever else the machine runs, so each
# row runs $repeat times with the servers alternating (a fresh server each time), and each server keeps its median.
[[ " $rows " == *" single "* ]] && for blksize in 512 1468 8192; do
    for window in 1 8 32; do
        row_servers=()
        for server in $servers; do
            [ "$window" -gt 1 ] && ! supports_window "$server" && continue
            row_servers+=("$server")
            : > "$work/single-$server.jsonl"
        done
        for _ in $(seq 1 "$repeat"); do
            for server in "${row_servers[@]}"; do
                run_into "$work/single-$server.jsonl" "loopback 1 × ${file_mib} MiB" "$server" "$ns_lo" "$ns_lo" \
                    127.0.0.1 image.bin 1 "$blksize" "$window"
            done
        done
        for server in "${row_servers[@]}"; do keep_median "$work/single-$server.jsonl"; done
    done
done
# The lock-step storm decides the throughput and CPU targets, and this machine's throughput drifts by ±10 % over
# minutes, so the servers within reach of each other (BENCH_STORM_REPEAT_SERVERS) run it in alternating rounds and
# each keeps its median run; the others run once.
# The floor (bench/tftp-floor.c) runs here only: how far any server could go on this machine.
storm_servers="$servers${floor:+ floor}"
if [[ " $rows " == *" storm "* ]]; then
    for server in $storm_servers; do : > "$work/storm-$server.jsonl"; done
    for round in $(seq 1 "$storm_repeat"); do
        for server in $storm_servers; do
            [ "$round" -gt 1 ] && [[ " $storm_repeat_servers " != *" $server "* ]] && continue
            run_into "$work/storm-$server.jsonl" "loopback storm ${storm_clients} × ${storm_mib} MiB" "$server" \
                "$ns_lo" "$ns_lo" 127.0.0.1 storm.bin "$storm_clients" 1468 1
        done
    done
    for server in $storm_servers; do keep_median "$work/storm-$server.jsonl"; done
fi
[[ " $rows " == *" storm "* ]] && for server in $servers; do
    supports_window "$server" || continue
    run "loopback storm ${storm_clients} × ${storm_mib} MiB" "$server" "$ns_lo" "$ns_lo" 127.0.0.1 storm.bin \
        "$storm_clients" 1468 16
done
[[ " $rows " == *" veth "* ]] && for window in 1 4 16 32; do
    for server in $servers; do
        [ "$window" -gt 1 ] && ! supports_window "$server" && continue
        run "veth, 1 ms RTT, 1 × ${file_mib} MiB" "$server" "$ns_srv" "$ns_cli" 10.213.0.1 image.bin 1 1468 "$window" \
            "$delay_us"
    done
done

# Only the "## TFTP" section is replaced; the other sections of the file (DHCP) stay as they are.
python3 bench/report.py "$work/results.jsonl" "$started" "$command_line" "$(nproc)" "$delay_us" > "$work/section.md" &&
    python3 - "$output" "$work/section.md" <<'PY' && echo "bench: wrote the TFTP section of $output"
import os, re, sys
path, section = sys.argv[1], open(sys.argv[2]).read().rstrip() + "\n\n"
text = open(path).read() if os.path.exists(path) else "# Performance\n\n"
pattern = re.compile(r"^## TFTP\n.*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
open(path + ".new", "w").write(text)
os.replace(path + ".new", path)
PY
