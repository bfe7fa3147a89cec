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
import struct
import sys
import time

MAGIC = b"\x63\x82\x53\x63"
VENDOR_CLASS = b"PXEClient:Arch:00000:UNDI:002001"


def options_bytes(message_type, extra):
    out = bytes([53, 1, message_type])
    out += bytes([60, len(VENDOR_CLASS)]) + VENDOR_CLASS
    out += bytes([93, 2, 0, 0])  # client system architecture: x86 BIOS
    out += bytes([94, 3, 1, 2, 1])  # network interface identifier: UNDI 2.1
    out += bytes([97, 17, 0]) + bytes(range(16))  # client machine identifier (GUID)
    out += bytes([55, 8, 1, 3, 6, 43, 54, 60, 66, 67])
    for code, value in extra:
        out += bytes([code, len(value)]) + value
    return out + b"\xff"


def packet(xid, mac, message_type, extra=()):
    header = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, b"\0" * 4, b"\0" * 4,
                         b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    return header + MAGIC + options_bytes(message_type, extra)


def parse(data):
    if len(data) < 240 or data[236:240] != MAGIC:
        return None
    xid, = struct.unpack("!I", data[4:8])
    reply = {
        "xid": xid,
        "yiaddr": socket.inet_ntoa(data[16:20]),
        "siaddr": socket.inet_ntoa(data[20:24]),
        "giaddr": socket.inet_ntoa(data[24:28]),
        "file": data[108:236].split(b"\0", 1)[0].decode("latin-1"),
        "options": {},
    }
    i = 240
    while i < len(data):
        code = data[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        length = data[i + 1]
        reply["options"][code] = data[i + 2:i + 2 + length]
        i += 2 + length
    return reply


def describe(reply):
    options = reply["options"]
    return {
        "yiaddr": reply["yiaddr"],
        "siaddr": reply["siaddr"],
        "file": reply["file"],
        "type": options.get(53, b"\0")[0],
        "server_id": socket.inet_ntoa(options[54]) if len(options.get(54, b"")) == 4 else None,
        "option60": options.get(60, b"").decode("latin-1"),
        "option67": options.get(67, b"").decode("latin-1").rstrip("\0"),
        "option43": options.get(43, b"").hex(),
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
        reply = parse(data)
        if reply and reply["xid"] == xid and reply["options"].get(53, b"\0")[0] in wanted_types:
            replies.append(describe(reply))
    return replies


def main():
    interface, mac_text = sys.argv[1], sys.argv[2]
    mac = bytes(int(part, 16) for part in mac_text.split(":"))
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
        sock.sendto(packet(xid, mac, 1), ("255.255.255.255", 67))
        result["offers"] += collect(sock, xid, {2}, 2.0, lambda replies: have_both(result["offers"] + replies))
        if have_both(result["offers"]):
            break
    result["address_offer"] = next((o for o in result["offers"] if o["yiaddr"] != "0.0.0.0"), None)
    result["proxy_offer"] = next(
        (o for o in result["offers"] if o["yiaddr"] == "0.0.0.0" and o["option60"].startswith("PXEClient")), None)
    chosen = result["address_offer"]
    if chosen and chosen["server_id"]:
        extra = [(50, socket.inet_aton(chosen["yiaddr"])), (54, socket.inet_aton(chosen["server_id"]))]
        for _ in range(3):
            sock.sendto(packet(xid, mac, 3, extra), ("255.255.255.255", 67))
            acks = collect(sock, xid, {5, 6}, 2.0, lambda replies: len(replies) > 0)
            if acks:
                result["ack"] = acks[0]
                break
    print(json.dumps(result, indent=1))
    ok = result["ack"] is not None and result["ack"]["type"] == 5 and result["proxy_offer"] is not None
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
