#!/usr/bin/env python3
"""Turns bench/run.sh's results (one JSON object per run) into docs/performance.md: the table, the targets of
issue 3 evaluated from the same numbers, the date and the exact command. Nothing in the output is typed by hand."""
import json
import os
import sys

results_path, started, command, cores, delay_us = sys.argv[1:6]
rows = [json.loads(line) for line in open(results_path) if line.strip()]
GIB = 1024**3


def key(row):
    return (row["workload"], row.get("req_blksize"), row.get("req_window"))


def find(workload_prefix, server, blksize, window):
    for row in rows:
        if (row["workload"].startswith(workload_prefix) and row["server"] == server
                and row.get("req_blksize") == blksize and row.get("req_window") == window and "error" not in row):
            return row
    return None


def cpu_per_gib(row):
    return row["server_cpu_s"] / (row["bytes"] / GIB) if row.get("bytes") else float("nan")


def client_cpu_per_gib(row):
    """The load client's own CPU per GiB, which the server's work leaves it on the shared cores."""
    return f"{row['client_cpu_s'] / (row['bytes'] / GIB):.2f}" if row.get("bytes") and "client_cpu_s" in row else ""


out = []
out.append("## TFTP\n")
out.append("Produced by `make bench-tftp` (bench/run.sh, the load client bench/tftp-bench.c, this report "
           "bench/report.py); do not edit by hand: rerun it.\n")
out.append(f"- Run started: {started}, on {cores} cores (the load client and the server share them).")
out.append(f"- Command: `{command}`")
load = open("/proc/loadavg").read().split()[:3]
out.append(f"- Load average when the run ended (1, 5, 15 min): {', '.join(load)}. Anything else running on the "
           "machine (builds, VMs) competes with both the servers and the load client, so compare rows of one run, "
           "not runs.")
out.append("- Servers: Rackboot (release build), tftpd-hpa 5.2 (`in.tftpd -L`, one process per transfer), "
           "atftpd 0.8.0 (`--daemon --no-fork --maxthread 2000`), dnsmasq 2.90 (TFTP only, `--port=0 "
           "--tftp-max=2000`). tftpd-hpa 5.2 and dnsmasq 2.90 do not implement windowsize (RFC 7440), so "
           "their windowed rows are not run.")
if any(row["server"] == "floor" for row in rows):
    out.append("- floor (bench/tftp-floor.c, lock-step storm only) is not a peer but a reference: a minimal C server "
               "that does only what every lock-step server must per block (receive the ACK, send the next DATA from a "
               "file mapped once, one connected socket per transfer, epoll), without timers, "
               "retransmission of its own, logging or checks. It shows how far any server can take this row on this "
               "machine.")
out.append("- Loopback rows run on the loopback of a network namespace the benchmark creates (dnsmasq has no "
           "TFTP port option and needs port 69). A fresh server is started for every run. Single-transfer "
           "loopback rows are run in several rounds with the servers alternating (`BENCH_REPEAT`, the `runs` count "
           "below), and each server's run with the median MB/s is shown. The lock-step storm runs in alternating rounds for the servers within reach of "
           "each other (`BENCH_STORM_REPEAT` rounds of `BENCH_STORM_REPEAT_SERVERS`), each keeping its median run "
           "and listing all; the other storm rows and the 1 ms rows run once.")
if delay_us == "0":
    out.append("- The 1 ms rows run across a veth pair between two namespaces with `tc netem delay 0.5ms` on each end.")
else:
    out.append(f"- The 1 ms rows run across a veth pair between two namespaces. This kernel has no netem "
               f"(CONFIG_NET_SCH_NETEM is not set), so the load client holds every packet it sends for {delay_us} µs "
               f"(`--delay-us`): the same round trip as seen by the server, all of it on the client-to-server leg.")
out.append("- Each transfer's bytes are compared with the source file and its length with the size; MB/s is "
           "10^6 bytes per second of wall time over all transfers of the row; server CPU is the CPU time of "
           "a cpuacct cgroup holding only the server and the processes it forks, during the row; peak RSS is the largest VmHWM, or the "
           "largest sum of VmRSS over the server and its children, sampled every 0.1 s. The load client's CPU is its "
           "own (`getrusage`); it runs on the same two cores, so a server that costs less per block leaves it more "
           "room and both go faster.\n")
out.append("| workload | server | blksize / window granted | ok / failed | MB/s | p50 s | p99 s | server CPU s "
           "| CPU s/GiB | peak RSS MiB | load client CPU s/GiB | Rackboot ÷ this |")
out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
groups = {}
for row in rows:
    groups.setdefault(key(row), []).append(row)
for group_key, group in groups.items():
    rackboot = next((r for r in group if r["server"] == "rackboot" and "error" not in r), None)
    for row in group:
        asked = f"(asked {row.get('req_blksize')} / {row.get('req_window')})"
        if "error" in row:
            out.append(f"| {row['workload']} | {row['server']} | {asked} | {row['error']} | | | | | | | | |")
            continue
        ratio = ""
        if rackboot and row["server"] != "rackboot" and row.get("mb_per_s"):
            ratio = f"{rackboot['mb_per_s'] / row['mb_per_s']:.2f}×"
        failure = f" ({row['first_failure']})" if row.get("failed") else ""
        workload = row["workload"] + (f" (median of {row['runs']})" if row.get("runs", 1) > 1 else "")
        if row.get("runs", 1) > 1 and "all_mb_per_s" in row and row["workload"].startswith("loopback storm"):
            gib = row["bytes"] / GIB
            runs = ", ".join(f"{mb:.1f} MB/s at {cpu / gib:.2f} s/GiB"
                             for mb, cpu in zip(row["all_mb_per_s"], row["all_server_cpu_s"]))
            workload += f"; runs: {runs}"
        out.append(
            f"| {workload} | {row['server']} | {row['blksize']} / {row['windowsize']} {asked} "
            f"| {row['ok']} / {row['failed']}{failure} | {row['mb_per_s']:.1f} | {row['p50_s']:.3f} "
            f"| {row['p99_s']:.3f} | {row['server_cpu_s']:.2f} | {cpu_per_gib(row):.2f} "
            f"| {row['server_peak_rss_mib']:.1f} | {client_cpu_per_gib(row)} | {ratio} |")

peers = ["tftpd-hpa", "atftpd", "dnsmasq"]
out.append("\n### Targets (issue 3), evaluated from the rows above\n")


def verdict(ok):
    return "met" if ok else "MISSED"


def target(text, value, ok):
    out.append(f"- {text}: {value} — **{verdict(ok)}**" if ok is not None else f"- {text}: {value}")


rb = find("loopback 1 ×", "rackboot", 1468, 1)
peer_rows = [r for r in (find("loopback 1 ×", p, 1468, 1) for p in peers) if r]
if rb and peer_rows:
    best = max(peer_rows, key=lambda r: r["mb_per_s"])
    ratio = rb["mb_per_s"] / best["mb_per_s"]
    target("Loopback lock-step blksize 1468 ≥ 1.0× the fastest peer",
           f"{rb['mb_per_s']:.1f} MB/s vs {best['server']} {best['mb_per_s']:.1f} MB/s = {ratio:.2f}×", ratio >= 1.0)
rb1, rb16, at16 = (find("veth", "rackboot", 1468, 1), find("veth", "rackboot", 1468, 16),
                   find("veth", "atftpd", 1468, 16))
if rb1 and rb16:
    ratio = rb16["mb_per_s"] / rb1["mb_per_s"]
    target("1 ms RTT: windowsize 16 ≥ 10× Rackboot's lock-step",
           f"{rb16['mb_per_s']:.1f} vs {rb1['mb_per_s']:.1f} MB/s = {ratio:.1f}×", ratio >= 10)
if rb16 and at16:
    ratio = rb16["mb_per_s"] / at16["mb_per_s"]
    target("1 ms RTT: windowsize 16 ≥ atftpd's windowsize 16",
           f"{rb16['mb_per_s']:.1f} vs {at16['mb_per_s']:.1f} MB/s = {ratio:.2f}×", ratio >= 1.0)
storm = find("loopback storm", "rackboot", 1468, 1)
storm_peers = [r for r in (find("loopback storm", p, 1468, 1) for p in peers) if r]
if storm:
    target("Storm lock-step: zero failures", f"{storm['failed']} failed of {storm['ok'] + storm['failed']}",
           storm["failed"] == 0)
    target("Storm lock-step: peak RSS < 150 MiB", f"{storm['server_peak_rss_mib']:.1f} MiB",
           storm["server_peak_rss_mib"] < 150)
if storm and storm_peers:
    best = max(storm_peers, key=lambda r: r["mb_per_s"])
    ratio = storm["mb_per_s"] / best["mb_per_s"]
    target("Storm lock-step: ≥ 1.2× the best peer's aggregate",
           f"{storm['mb_per_s']:.1f} vs {best['server']} {best['mb_per_s']:.1f} MB/s = {ratio:.2f}×", ratio >= 1.2)
    floor = find("loopback storm", "floor", 1468, 1)
    if floor:
        target("Reference, not a target: the floor (bench/tftp-floor.c) in the same storm",
               f"{floor['mb_per_s']:.1f} MB/s at {cpu_per_gib(floor):.2f} CPU s/GiB = "
               f"{floor['mb_per_s'] / best['mb_per_s']:.2f}× {best['server']}; Rackboot reaches "
               f"{100 * storm['mb_per_s'] / floor['mb_per_s']:.0f} % of it", None)
    cheapest = min(storm_peers, key=cpu_per_gib)
    target("Storm lock-step: CPU s/GiB ≤ the best peer's",
           f"{cpu_per_gib(storm):.2f} vs {cheapest['server']} {cpu_per_gib(cheapest):.2f} (cheapest peer); "
           f"{best['server']} (fastest peer) {cpu_per_gib(best):.2f}", cpu_per_gib(storm) <= cpu_per_gib(cheapest))
storm16 = find("loopback storm", "rackboot", 1468, 16)
if storm16 and storm_peers:
    best = max(storm_peers, key=lambda r: r["mb_per_s"])
    ratio = storm16["mb_per_s"] / best["mb_per_s"]
    target("Storm windowsize 16 ≥ 3× the best peer's lock-step",
           f"{storm16['mb_per_s']:.1f} vs {best['server']} {best['mb_per_s']:.1f} MB/s = {ratio:.2f}×", ratio >= 3)
notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")
if os.path.exists(notes):
    out.append("")
    # Only the TFTP notes: bench/http-report.py copies the part from "### HTTP" on into the HTTP section.
    out.append(open(notes).read().split("\n### HTTP")[0].rstrip())
print("\n".join(out))
