#!/usr/bin/env python3
"""A DHCP load client that acts as a relay agent: many concurrent exchanges with distinct MACs, each sent with
giaddr set from UDP port 67 to the server's port 67 (the server answers the relay, so one bound socket receives
every reply). Every ACK is appended to a file as it arrives and flushed at once, so a test can kill the server
at any moment and still know exactly which leases a client was promised.

Modes:
  dora    DISCOVER, then REQUEST (option 50 = the offered address, option 54 = the server) for each MAC.
  reboot  REQUEST in INIT-REBOOT state (option 50 only, no server identifier) for each "MAC ADDRESS" line of
          --addresses: extends an existing lease, so the server must write it before the ACK.

ACK lines: "MAC YIADDR XID LEASE_SECONDS ACK_EPOCH_SECONDS". NAK lines (in --naks): "MAC XID MESSAGE".
Bounded: at most --count exchanges (or the --addresses lines), each tried --tries times with --timeout seconds
between tries, everything stops after --deadline seconds, and after --idle seconds without any reply while
exchanges are waiting (the server is gone). Prints a JSON summary on stdout.

Usage: dhcp-load.py --server IP --giaddr IP --acks FILE [--mode dora|reboot] [--mac-prefix 02:fa:01 --first N
       --count N | --addresses FILE] [--concurrency N] [--timeout S] [--tries N] [--deadline S] [--idle S]
"""
import argparse
import json
import os
import random
import select
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import dhcp_packet  # noqa: E402
from dhcp_packet import (ACK, BOOTREPLY, DISCOVER, LEASE_TIME, MESSAGE, NAK, OFFER, PARAMETER_LIST,  # noqa: E402
                         REQUEST, REQUESTED_IP, ROUTER, SERVER_ID, SUBNET_MASK, ip_bytes, mac_bytes, mac_text)


def build(kind, xid, mac, giaddr, requested=None, server_id=None):
    options = []
    if requested is not None:
        options.append((REQUESTED_IP, requested))
    if server_id is not None:
        options.append((SERVER_ID, server_id))
    options.append((PARAMETER_LIST, [SUBNET_MASK, ROUTER, LEASE_TIME, SERVER_ID]))
    return dhcp_packet.build(options, message_type=kind, hops=1, xid=xid, giaddr=giaddr, chaddr=mac)


class Exchange:
    __slots__ = ("mac", "xid", "packet", "tries", "due", "state")

    def __init__(self, mac, xid, packet, state):
        self.mac, self.xid, self.packet, self.state = mac, xid, packet, state
        self.tries = 0
        self.due = 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--giaddr", required=True)
    parser.add_argument("--acks", required=True)
    parser.add_argument("--naks")
    parser.add_argument("--mode", choices=["dora", "reboot"], default="dora")
    parser.add_argument("--mac-prefix", default="02:fa:00")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--addresses")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--deadline", type=float, default=60.0)
    parser.add_argument("--idle", type=float, default=3.0)
    args = parser.parse_args()

    prefix = mac_bytes(args.mac_prefix)
    assert len(prefix) == 3, "--mac-prefix takes three octets"
    assert args.count <= 1 << 24 and args.deadline <= 600 and args.tries <= 10
    if args.mode == "dora":
        work = [(prefix + (args.first + n).to_bytes(3, "big"), None) for n in range(args.count)]
    else:
        work = []
        with open(args.addresses) as lines:
            for line in lines:
                fields = line.split()
                if len(fields) >= 2:
                    work.append((mac_bytes(fields[0]), ip_bytes(fields[1])))
    work.reverse()

    server = (args.server, 67)
    giaddr = ip_bytes(args.giaddr)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((args.giaddr, 67))
    sock.setblocking(False)

    acks = open(args.acks, "a", buffering=1)
    naks = open(args.naks, "a", buffering=1) if args.naks else None
    counts = {"started": 0, "offers": 0, "acks": 0, "naks": 0, "unanswered": 0, "stray": 0}
    active = {}
    used_xids = set()
    start = time.monotonic()
    last_reply = start
    stopped = "done"

    def send(exchange, now):
        exchange.tries += 1
        exchange.due = now + args.timeout
        try:
            sock.sendto(exchange.packet, server)
        except (BlockingIOError, OSError):
            pass  # counts as a lost datagram; the retry covers it

    while work or active:
        now = time.monotonic()
        if now - start > args.deadline:
            stopped = "deadline"
            break
        if active and now - last_reply > args.idle:
            stopped = "idle"
            break
        while work and len(active) < args.concurrency:
            mac, address = work.pop()
            xid = random.getrandbits(32)
            while xid in used_xids:
                xid = random.getrandbits(32)
            used_xids.add(xid)
            if args.mode == "dora":
                exchange = Exchange(mac, xid, build(DISCOVER, xid, mac, giaddr), DISCOVER)
            else:
                exchange = Exchange(mac, xid, build(REQUEST, xid, mac, giaddr, requested=address), REQUEST)
            active[xid] = exchange
            counts["started"] += 1
            send(exchange, now)
        wait = min((e.due for e in active.values()), default=now + 0.1) - now
        readable, _, _ = select.select([sock], [], [], max(0.0, min(wait, 0.1)))
        if readable:
            while True:
                try:
                    data = sock.recv(4096)
                except BlockingIOError:
                    break
                reply = dhcp_packet.parse(data, op=BOOTREPLY)
                if reply is None:
                    counts["stray"] += 1
                    continue
                xid, chaddr, yiaddr, options = reply.xid, reply.chaddr, reply.yiaddr, reply.options
                exchange = active.get(xid)
                kind = reply.message_type
                if exchange is None or exchange.mac != chaddr:
                    counts["stray"] += 1
                    continue
                last_reply = time.monotonic()
                if kind == OFFER and exchange.state == DISCOVER:
                    counts["offers"] += 1
                    exchange.state = REQUEST
                    exchange.tries = 0
                    exchange.packet = build(REQUEST, xid, chaddr, giaddr, requested=ip_bytes(yiaddr),
                                            server_id=options.get(SERVER_ID))
                    send(exchange, last_reply)
                elif kind == ACK and exchange.state == REQUEST:
                    lease_time = options.get(LEASE_TIME, b"")
                    lease = struct.unpack("!I", lease_time)[0] if len(lease_time) == 4 else 0
                    acks.write(f"{mac_text(chaddr)} {yiaddr} {xid:08x} {lease} {int(time.time())}\n")
                    acks.flush()
                    counts["acks"] += 1
                    del active[xid]
                elif kind == NAK and exchange.state == REQUEST:
                    counts["naks"] += 1
                    if naks:
                        naks.write(f"{mac_text(chaddr)} {xid:08x} {options.get(MESSAGE, b'').decode('utf-8', 'replace')}\n")
                    del active[xid]
                else:
                    counts["stray"] += 1
        now = time.monotonic()
        for xid, exchange in list(active.items()):
            if exchange.due <= now:
                if exchange.tries >= args.tries:
                    counts["unanswered"] += 1
                    del active[xid]
                else:
                    send(exchange, now)
    counts["unanswered"] += len(active) + len(work)
    counts["stopped"] = stopped
    counts["seconds"] = round(time.monotonic() - start, 2)
    acks.close()
    if naks:
        naks.close()
    json.dump(counts, sys.stdout)
    print()


if __name__ == "__main__":
    main()
