#!/usr/bin/env python3
"""A PXE-like DHCP client for the proxyDHCP test: it does what a PXE ROM does with two servers on a segment.

It broadcasts a DISCOVER with option 60 "PXEClient:Arch:00000:UNDI:002001", option 93 = 0 (BIOS), 94 and 97,
collects every OFFER for a bounded time, takes its address from the offer that carries one (the network's
ordinary DHCP server) and its boot information from the proxy offer (yiaddr 0, option 60 "PXEClient"), then
REQUESTs the address from the server that offered it and waits for the ACK. It prints one JSON object.

Usage: pxe-client.py INTERFACE MAC      (run inside the client's network namespace, as root)
Exit status: 0 when it got an address (ACK) and a proxy offer, 1 otherwise; the JSON says what it saw.
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
from dhcp_packet import (ACK, BOOTFILE_NAME, BROADCAST, CLIENT_ARCH, CLIENT_NDI, CLIENT_UUID, DISCOVER,  # noqa: E402
                         NAK, OFFER, PARAMETER_LIST, REQUEST, REQUESTED_IP, SERVER_ID, VENDOR_CLASS, VENDOR_SPECIFIC)

PXE_CLIENT = b"PXEClient:Arch:00000:UNDI:002001"
PXE_OPTIONS = [
    (VENDOR_CLASS, PXE_CLIENT),
    (CLIENT_ARCH, [0, 0]),  # client system architecture: x86 BIOS
    (CLIENT_NDI, [1, 2, 1]),  # network interface identifier: UNDI 2.1
    (CLIENT_UUID, bytes([0]) + bytes(range(16))),  # client machine identifier (GUID)
    (PARAMETER_LIST, [1, 3, 6, 43, 54, 60, 66, 67]),
]


def packet(xid, mac, message_type, extra=()):
    return dhcp_packet.build(PXE_OPTIONS + list(extra), message_type=message_type, xid=xid, flags=BROADCAST,
                             chaddr=mac)


def describe(reply):
    options = reply.options
    return {
        "yiaddr": reply.yiaddr,
        "siaddr": reply.siaddr,
        "file": reply.file,
        "type": reply.message_type,
        "server_id": reply.address_option(SERVER_ID),
        "option60": options.get(VENDOR_CLASS, b"").decode("latin-1"),
        "option67": options.get(BOOTFILE_NAME, b"").decode("latin-1").rstrip("\0"),
        "option43": options.get(VENDOR_SPECIFIC, b"").hex(),
    }


def collect(sock, xid, wanted_types, seconds, stop):
    """Replies of this transaction until `stop(replies)` or `seconds` elapse (bounded)."""
    replies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop(replies):
        ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        data, _ = sock.recvfrom(4096)
        reply = dhcp_packet.parse(data)
        if reply and reply.xid == xid and reply.message_type in wanted_types:
            replies.append(describe(reply))
    return replies


def main():
    interface, mac_text = sys.argv[1], sys.argv[2]
    mac = dhcp_packet.mac_bytes(mac_text)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
    sock.bind(("0.0.0.0", 68))
    result = {"offers": [], "address_offer": None, "proxy_offer": None, "ack": None}
    xid = int.from_bytes(os.urandom(4), "big")

    def have_both(replies):
        return any(r["yiaddr"] != "0.0.0.0" for r in replies) and any(r["yiaddr"] == "0.0.0.0" for r in replies)

    # A PXE ROM retries its DISCOVER; three tries of 2 s bound the wait.
    for _ in range(3):
        sock.sendto(packet(xid, mac, DISCOVER), ("255.255.255.255", 67))
        result["offers"] += collect(sock, xid, {OFFER}, 2.0, lambda replies: have_both(result["offers"] + replies))
        if have_both(result["offers"]):
            break
    result["address_offer"] = next((o for o in result["offers"] if o["yiaddr"] != "0.0.0.0"), None)
    result["proxy_offer"] = next(
        (o for o in result["offers"] if o["yiaddr"] == "0.0.0.0" and o["option60"].startswith("PXEClient")), None)
    chosen = result["address_offer"]
    if chosen and chosen["server_id"]:
        extra = [(REQUESTED_IP, dhcp_packet.ip_bytes(chosen["yiaddr"])),
                 (SERVER_ID, dhcp_packet.ip_bytes(chosen["server_id"]))]
        for _ in range(3):
            sock.sendto(packet(xid, mac, REQUEST, extra), ("255.255.255.255", 67))
            acks = collect(sock, xid, {ACK, NAK}, 2.0, lambda replies: len(replies) > 0)
            if acks:
                result["ack"] = acks[0]
                break
    print(json.dumps(result, indent=1))
    ok = result["ack"] is not None and result["ack"]["type"] == ACK and result["proxy_offer"] is not None
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
