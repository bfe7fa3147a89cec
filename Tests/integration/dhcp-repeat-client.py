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
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import dhcp_packet  # noqa: E402
from dhcp_packet import BROADCAST, DISCOVER, OFFER, PARAMETER_LIST  # noqa: E402


def discover(xid, mac):
    return dhcp_packet.build([(PARAMETER_LIST, [1, 3, 6])], message_type=DISCOVER, xid=xid, flags=BROADCAST,
                             chaddr=mac)


def main():
    interface, mac_text, count, spacing = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    mac = dhcp_packet.mac_bytes(mac_text)
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
            reply = dhcp_packet.parse(data)
            if reply and reply.xid in xids and reply.message_type == OFFER:
                offers.add(reply.xid)

    start = time.monotonic()
    for index in range(count):
        sock.sendto(discover(base + index, mac), ("255.255.255.255", 67))
        drain(start + (index + 1) * spacing)
    send_seconds = time.monotonic() - start - spacing
    drain(time.monotonic() + 1.5)
    print(json.dumps({"sent": count, "offers": len(offers), "send_seconds": round(send_seconds, 3)}))


if __name__ == "__main__":
    main()
