#!/usr/bin/env python3
"""Turns bench/http.sh's results (one JSON object per row) into the "## HTTP" section of docs/performance.md: how it
was run, the table, the TFTP storm beside the HTTP one, and the targets evaluated from the same numbers. Nothing in
the output is typed by hand except the notes it copies from bench/notes.md ("### HTTP" onwards)."""
import json
import os
import sys

(results_path, link_check_path, started, load_started, command, cores, rtt_us, link_mode, nginx_version,
 rackboot_version, congestion, client_rmem) = sys.argv[1:13]
rows = [json.loads(line) for line in open(results_path) if line.strip()]
link_check = None
if os.path.exists(link_check_path):
    lines = [line for line in open(link_check_path) if line.strip()]
    link_check = json.loads(lines[-1]) if lines else None
GIB = 1024**3
NAMES = {"rackboot": "Rackboot", "nginx": "nginx"}


def good(row):
    return row is not None and "error" not in row and row.get("bytes")


def cpu_per_gib(row):
    return row["server_cpu_s"] / (row["bytes"] / GIB) if good(row) else float("nan")


def client_cpu_per_gib(row):
    return row["client_cpu_s"] / (row["bytes"] / GIB) if good(row) else float("nan")


def find(workload, server, protocol="http", window=None):
    for row in rows:
        if (row["workload"] == workload and row["server"] == server and row.get("protocol") == protocol
                and (window is None or row.get("req_window") == window)):
            return row
    return None


http_workloads = []
for row in rows:
    if row.get("protocol") == "http" and row["workload"] not in http_workloads:
        http_workloads.append(row["workload"])
storm_workloads = [w for w in http_workloads if " storm " in w]
direct_storm = next((w for w in storm_workloads if w.startswith("veth")), None)
delay_storm = next((w for w in storm_workloads if "RTT" in w), None)
single = next((w for w in http_workloads if " 1 × " in w), None)
rtt_ms = int(rtt_us) / 1000

out = ["## HTTP\n"]
out.append("Produced by `make bench-http` (bench/http.sh, the load client bench/http-bench.c, the 1 ms link "
           "bench/delay-link.c, this report bench/http-report.py); do not edit by hand: rerun it.\n")
out.append(f"- Run started: {started}, on {cores} cores (the server, the load client and, in the 1 ms rows, the "
           "link share them).")
# A command may carry a note after it, " (…)", which stays outside the code span.
command_text, _, command_note = command.partition(" (")
out.append(f"- Command: `{command_text}`" + (f" ({command_note}" if command_note else ""))
load_end = ", ".join(open("/proc/loadavg").read().split()[:3])
out.append(f"- Load average (1, 5, 15 min) when the run started: {', '.join(load_started.split())}; when it ended: "
           f"{load_end}. The `load` column is the 1-minute figure at the end of each row's median run. Anything else "
           "running on the machine (builds, VMs) competes with the servers and the load client, so compare rows of "
           "one run, not runs.")
out.append(f"- Servers: Rackboot {rackboot_version} (release build, `rackboot serve --log console --log-level info`: "
           "one log line per request, as in production, to a file instead of the journal; HTTP and TFTP on the "
           "row's address, DHCP off); nginx "
           f"{nginx_version.removeprefix('nginx/')} (Debian's nginx-light, `worker_processes auto` (one worker per core), `sendfile on`, "
           "`tcp_nopush on`, keep-alive, `access_log off`). Both serve the same files from the same folder. "
           f"TCP congestion control in the namespaces: {congestion}.")
out.append(
    "- How it is measured: a fresh server is started for every run, inside a server namespace and, from its first "
    "instruction, in a cpuacct cgroup of its own, so its CPU time (every thread; nginx's master and workers) is read "
    "exactly before and after the run. The load client runs in a client namespace across a veth pair, with its "
    f"sockets' receive buffers limited to {int(client_rmem.split()[2]) // 1024} KiB (tcp_rmem there), which keeps the "
    "kernel's TCP memory, one pool for both ends here, out of pressure (bench/notes.md, \"The load client\"). It "
    "opens every "
    "connection of a row at once, sends one GET on each and reads with epoll into a 2 MiB buffer; a response counts "
    "only with status 200, a Content-Length equal to the file's size and every body byte equal to the file (mapped "
    "into the client, compared with memcmp). MB/s is 10^6 bytes of verified bodies per second of wall time, from the "
    "first connect to the last byte; a transfer's time and its time to first byte (TTFB) run from its own connect. "
    "CPU s/GiB is the server's cgroup CPU time per GiB it served. It holds the server's user space and system calls "
    "and the kernel work done inside them, but on one host part of the TCP work of both ends runs in whichever "
    "context delivers the packet (the peer's system call, or in the RTT row the link's write), so it is a figure to "
    "compare servers by within a row, not the cost on a real network. Peak RSS is sampled every 0.1 s: the larger of "
    "the server's VmHWM and the sum of VmRSS over it and its children (for nginx, master and workers). Every HTTP "
    "row runs in several rounds (the workload column says how many) with the two servers alternating, and shows "
    "each server's run with the median MB/s; every run is listed below the table.")
if link_mode == "ack-path":
    out.append(
        f"- The {rtt_ms:g} ms RTT row: this kernel has neither netem nor fq, so the round trip is made by "
        "bench/delay-link.c, a forwarder between two TAP devices (one in each namespace) that holds every frame "
        f"{rtt_ms:g} ms before it passes it on, pinned to core 0 at real-time priority so that it is on time however "
        "busy the cores are; what it writes into a TAP is processed on the other core (RPS), not inside its write. "
        "Only the client-to-server leg crosses it (requests, handshakes and ACKs); the server's packets come back over "
        "the veth. TCP at the server sees the same round trip as with half the delay on each leg, since nothing but "
        "the round trip reaches it, and the link does not carry the data: forwarding every data frame through user "
        "space cost more CPU than the servers and the client together and made the link the bottleneck "
        "(bench/notes.md, \"The 1 ms link\"). Its lateness, listed below the table, shows that it kept time. Where "
        "a core runs the steered packets, their TCP work is charged to whatever process runs there, so this row's "
        "CPU s/GiB are higher than the direct rows' for both servers.\n")
else:
    out.append(
        f"- The {rtt_ms:g} ms RTT row: bench/delay-link.c, a forwarder between two TAP devices (one in each "
        f"namespace), holds every frame {rtt_ms / 2:g} ms in each direction, pinned to core 0 at real-time priority, "
        "and carries TCP segments of up to 64 KiB whole (virtio-net headers, TSO offload). It shares the cores with "
        "the servers: see its CPU and lateness below before reading the row.\n")

out.append("| workload | server | ok / failed | MB/s | p50 s | p99 s | TTFB p50 s | server CPU s | CPU s/GiB "
           "| peak RSS MiB | client CPU s/GiB | load | Rackboot ÷ nginx MB/s | Rackboot ÷ nginx CPU s/GiB |")
out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for workload in http_workloads:
    group = [r for r in rows if r["workload"] == workload and r.get("protocol") == "http"]
    rb = find(workload, "rackboot")
    ng = find(workload, "nginx")
    for row in group:
        name = NAMES.get(row["server"], row["server"])
        label = workload + (f" (median of {row['runs']})" if row.get("runs", 1) > 1 else "")
        if not good(row):
            why = row.get("error") or row.get("first_failure") or "no bytes"
            out.append(f"| {label} | {name} | {row.get('ok', 0)} / {row.get('failed', row.get('count', ''))} "
                       f"({why}) | | | | | | | | | | | |")
            continue
        ratio = cpu_ratio = ""
        if row["server"] == "rackboot" and good(ng):
            ratio = f"{rb['mb_per_s'] / ng['mb_per_s']:.2f}×"
            cpu_ratio = f"{cpu_per_gib(rb) / cpu_per_gib(ng):.2f}×"
        failure = f" ({row['first_failure']})" if row.get("failed") else ""
        out.append(f"| {label} | {name} | {row['ok']} / {row['failed']}{failure} | {row['mb_per_s']:.1f} "
                   f"| {row['p50_s']:.3f} | {row['p99_s']:.3f} | {row['ttfb_p50_s']:.4f} | {row['server_cpu_s']:.2f} "
                   f"| {cpu_per_gib(row):.2f} | {row['server_peak_rss_mib']:.1f} | {client_cpu_per_gib(row):.2f} "
                   f"| {row.get('load1', '')} | {ratio} | {cpu_ratio} |")

out.append("\nEvery run (MB/s at server CPU s/GiB, failed transfers; \"TCP memory pressure\" where the kernel entered "
           "it during the run), in the order run:\n")


def run_text(mb, cpu, failed, pressures, gib):
    text = f"{mb:.1f} MB/s at {cpu / gib:.2f} s/GiB, {failed} failed" if gib else f"{mb:.1f} MB/s"
    return text + (", TCP memory pressure" if pressures else "")


for workload in http_workloads:
    for server in ("rackboot", "nginx"):
        row = find(workload, server)
        if not row or "all_mb_per_s" not in row:
            continue
        gib = row.get("bytes", 0) / GIB
        count = len(row["all_mb_per_s"])
        runs = ", ".join(run_text(mb, cpu, failed, pressures, gib) for mb, cpu, failed, pressures in zip(
            row["all_mb_per_s"], row["all_server_cpu_s"], row.get("all_failed", [0] * count),
            row.get("all_tcp_memory_pressures", [0] * count)))
        out.append(f"- {workload}, {NAMES[server]}: {runs}")



def link_line(row, what):
    """One run through the link: ping's RTT before it, frames each way, how late they left, the link's CPU."""
    gib = row["bytes"] / GIB
    parts = [f"{what}: {row['mb_per_s']:.1f} MB/s; `ping` through the link before it: {row.get('link_rtt_ms')} ms "
             "(min/avg/max)"]
    for side, name in (("to_server", "client to server"), ("to_client", "server to client")):
        frames = row.get(f"link_{side}_frames", 0)
        if not frames:
            continue
        parts.append(f"{name}: {frames} frames, {row[f'link_{side}_bytes'] / 1e6:.1f} MB "
                     f"({row[f'link_{side}_gso_frames']} GSO segments, largest {row[f'link_{side}_largest']} bytes), "
                     f"left {row[f'link_{side}_late_mean_us']:.0f} µs after their due time on average, "
                     f"{row[f'link_{side}_late_max_us'] / 1000:.1f} ms at most")
    parts.append(f"the link's own CPU {row['link_cpu_s']:.2f} s")
    return "- " + "; ".join(parts) + "."


link_rows = [r for r in rows if r.get("link_cpu_s") is not None and good(r) and r["workload"] == delay_storm]
if link_rows or (link_check and good(link_check)):
    out.append("")
    out.append(f"The {rtt_ms:g} ms link (bench/delay-link.c, mode `{link_mode}`), run by run:\n")
    if link_check and good(link_check):
        out.append(link_line(link_check, f"link check, one {link_check['bytes'] / 2**20:.0f} MiB download from "
                                         "nginx (not a row)"))
    for row in link_rows:
        out.append(link_line(row, f"{NAMES[row['server']]}'s median storm run"))

tftp_rows = [r for r in rows if r.get("protocol") == "tftp"]
rb_storm = find(direct_storm, "rackboot") if direct_storm else None
if tftp_rows:
    out.append("\n### The same storm over TFTP\n")
    out.append("Rackboot's TFTP serving the same storm file to the same number of clients across the same veth, with "
               "bench/tftp-bench.c as `make bench-tftp` runs it (blksize 1468, tsize, one run each): what booting "
               "over HTTP instead of TFTP buys in this storm. End-to-end is the wall time from the first request to "
               "the last byte.\n")
    out.append("| storm | protocol | ok / failed | end-to-end s | MB/s | p50 s | p99 s | server CPU s/GiB "
               "| peak RSS MiB | HTTP's end-to-end is … times shorter |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    if good(rb_storm):
        out.append(f"| {direct_storm} | HTTP (Rackboot, median run above) | {rb_storm['ok']} / {rb_storm['failed']} "
                   f"| {rb_storm['wall_s']:.1f} | {rb_storm['mb_per_s']:.1f} | {rb_storm['p50_s']:.3f} "
                   f"| {rb_storm['p99_s']:.3f} | {cpu_per_gib(rb_storm):.2f} | {rb_storm['server_peak_rss_mib']:.1f} "
                   "| |")
    for row in tftp_rows:
        mode = f"TFTP windowsize {row['req_window']}" if row.get("req_window", 1) > 1 else "TFTP lock-step"
        if not good(row):
            out.append(f"| {row['workload']} | {mode} | {row.get('error') or row.get('first_failure')} "
                       "| | | | | | | |")
            continue
        failure = f" ({row['first_failure']})" if row.get("failed") else ""
        gain = f"{row['wall_s'] / rb_storm['wall_s']:.1f}×" if good(rb_storm) else ""
        out.append(f"| {row['workload']} | {mode} (blksize {row.get('blksize')}) | {row['ok']} / {row['failed']}"
                   f"{failure} | {row['wall_s']:.1f} | {row['mb_per_s']:.1f} | {row['p50_s']:.3f} | "
                   f"{row['p99_s']:.3f} | {cpu_per_gib(row):.2f} | {row['server_peak_rss_mib']:.1f} | {gain} |")

out.append("\n### Targets, evaluated from the rows above\n")
out.append("The targets: in the storms, at least nginx's throughput (1.0×), CPU s/GiB at most 1.2× nginx's, no "
           "failed transfer and a peak RSS under 150 MiB; the single 256 MiB download at least 0.9× nginx's "
           "throughput.\n")


def target(text, value, ok):
    out.append(f"- {text}: {value} — **{'met' if ok else 'MISSED'}**")


def pair(workload):
    return find(workload, "rackboot"), find(workload, "nginx")


for workload in storm_workloads:
    rb, ng = pair(workload)
    if good(rb) and good(ng):
        ratio = rb["mb_per_s"] / ng["mb_per_s"]
        target(f"{workload}: throughput ≥ 1.0× nginx",
               f"{rb['mb_per_s']:.1f} vs {ng['mb_per_s']:.1f} MB/s = {ratio:.2f}×", ratio >= 1.0)
        ratio = cpu_per_gib(rb) / cpu_per_gib(ng)
        target(f"{workload}: CPU s/GiB ≤ 1.2× nginx's",
               f"{cpu_per_gib(rb):.2f} vs {cpu_per_gib(ng):.2f} = {ratio:.2f}×", ratio <= 1.2)
    if rb and "error" not in rb:
        failed = sum(rb.get("all_failed", [rb.get("failed", 0)]))
        target(f"{workload}: no failed transfer (Rackboot, all runs)",
               f"{failed} failed of {rb.get('count', 0) * rb.get('runs', 1)}", failed == 0)
    if good(rb):
        target(f"{workload}: peak RSS < 150 MiB (Rackboot)", f"{rb['server_peak_rss_mib']:.1f} MiB",
               rb["server_peak_rss_mib"] < 150)
if single:
    rb, ng = pair(single)
    if good(rb) and good(ng):
        ratio = rb["mb_per_s"] / ng["mb_per_s"]
        target(f"{single}: throughput ≥ 0.9× nginx", f"{rb['mb_per_s']:.1f} vs {ng['mb_per_s']:.1f} MB/s = "
               f"{ratio:.2f}×", ratio >= 0.9)
    if rb and "error" not in rb:
        failed = sum(rb.get("all_failed", [rb.get("failed", 0)]))
        target(f"{single}: no failed transfer (Rackboot, all runs)",
               f"{failed} failed of {rb.get('runs', 1)}", failed == 0)

notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")
if os.path.exists(notes):
    text = open(notes).read()
    start = text.find("### HTTP")
    if start >= 0:
        out.append("")
        out.append(text[start:].rstrip())
print("\n".join(out))
