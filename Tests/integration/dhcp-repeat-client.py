#!/usr/bin/env python3
"""One MAC that repeats DHCPDISCOVER fast, for the per-MAC rate-limit test: it broadcasts COUNT DISCOVERs (each
with its own xid) SPACING seconds apart from port 68, then listens a bounded time and counts the OFFERs that
answer them. It prints one JSON object: sent, offers, send_seconds (from the first DISCOVER to the last).

Usage: dhcp-repeat-client.py INTERFACE MAC COUNT SPACING   (inside the client's namespace, as root)
"""
import json
import os
import select
import socket
import struct
import sys
import time

MAGIC = b"\x63\x82\x53\x63"


def discover(xid, mac):
    header = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, b"\0" * 4, b"\0" * 4,
                         b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    return header + MAGIC + bytes([53, 1, 1, 55, 3, 1, 3, 6, 255])


def main():
    interface, mac_text, count, spacing = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    mac = bytes(int(part, 16) for part in mac_text.split(":"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
    sock.bind(("0.0.0.0", 68))
    base = int.from_bytes(os.urandom(3), "big") << 8
    xids = {base + index for index in range(count)}
    offers = set()

    def drain(until):
        while True:
            ready, _, _ = select.select([sock], [], [], max(0.0, until - time.monotonic()))
            if not ready:
                return
            data, _ = sock.recvfrom(4096)
            if len(data) >= 240 and data[236:240] == MAGIC:
                xid, = struct.unpack("!I", data[4:8])
                if xid in xids and b"\x35\x01\x02" in data[240:]:
                    offers.add(xid)

    start = time.monotonic()
    for index in range(count):
        sock.sendto(discover(base + index, mac), ("255.255.255.255", 67))
        drain(start + (index + 1) * spacing)
    send_seconds = time.monotonic() - start - spacing
    drain(time.monotonic() + 1.5)
    print(json.dumps({"sent": count, "offers": len(offers), "send_seconds": round(send_seconds, 3)}))


if __name__ == "__main__":
    main()
