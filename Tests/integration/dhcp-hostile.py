#!/usr/bin/env python3
"""Sends hand-built hostile DHCP datagrams to a server, as a relay would (unicast to SERVER:67 from port 67):
options running past their end, option 52 loops, zero-length 53/61/82/93, oversized and truncated packets,
wrong htype/hlen, a bad magic cookie, broken option 82 sub-options. Each kind is sent ROUNDS times, 2 ms apart
(a bounded, paced load: the point is what the server does with each datagram, not overflowing its socket).
It prints one JSON object: how many datagrams it sent, split into those the server must count as malformed
(they do not decode) and as unusable (they decode, but the server drops them).

Usage: dhcp-hostile.py SERVER GIADDR ROUNDS   (inside a namespace that owns GIADDR, as root)
"""
import json
import os
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import dhcp_packet  # noqa: E402
from dhcp_packet import CLIENT_ARCH, CLIENT_ID, DISCOVER, MESSAGE_TYPE, RELAY_AGENT  # noqa: E402

# Every datagram here is a relayed request (hops 1) from one MAC; `overrides` break single header fields (htype,
# hlen, op, sname, file, cookie).
RELAYED = {"hops": 1, "xid": 0x5EED, "chaddr": "02:66:00:00:00:01"}


def header(giaddr, **overrides):
    """The fixed header and the cookie, for datagrams whose options are broken bytes written out here."""
    return dhcp_packet.header(giaddr=giaddr, **RELAYED, **overrides)


def message(giaddr, options=((MESSAGE_TYPE, [DISCOVER]),), **overrides):
    """A datagram with well-formed options (and END), by default a DISCOVER."""
    return dhcp_packet.build(options, giaddr=giaddr, **RELAYED, **overrides)


def main():
    server, giaddr_text, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    giaddr = dhcp_packet.ip_bytes(giaddr_text)
    discover = dhcp_packet.encode_options([(MESSAGE_TYPE, [DISCOVER])], end=False)  # broken bytes follow it
    malformed = [
        header(giaddr) + discover + bytes([12, 200]) + b"host",  # length past the end
        header(giaddr) + discover + bytes([55]),  # code without its length
        header(giaddr, sname=bytes([52, 1, 1, 255]), file=bytes([52, 1, 2, 255])) + discover + bytes([52, 1, 3, 255]),
        header(giaddr, file=b"\0" * 126 + bytes([12, 9])) + discover + bytes([52, 1, 1, 255]),  # overrun in file
        header(giaddr) + discover + bytes([52, 0, 255]),  # zero-length overload
        header(giaddr) + discover + b"\0" * (16384 - 240),  # one byte over 16384 with the cookie and options
        header(giaddr) + discover + b"\0" * 30000,  # far too large
        header(giaddr)[:100],  # truncated BOOTP header
        header(giaddr)[:239],  # truncated magic cookie
        message(giaddr, hlen=17),  # hlen past chaddr
        message(giaddr, cookie=b"\x63\x53\x82\x63"),  # bad magic cookie
        message(giaddr, op=7),
    ]
    unusable = [
        message(giaddr, [(MESSAGE_TYPE, b""), (CLIENT_ID, b""), (CLIENT_ARCH, b"")]),  # zero-length 53: no type
        message(giaddr, [(MESSAGE_TYPE, [DISCOVER]), (RELAY_AGENT, b"")]),  # zero-length 82
        message(giaddr, [(MESSAGE_TYPE, [DISCOVER]), (RELAY_AGENT, [1, 10, 0, 1])]),  # 82 sub-option past its end
        message(giaddr, hlen=0),
        message(giaddr, htype=6),  # not Ethernet
        message(giaddr, op=2),  # a BOOTREPLY sent to a server
    ]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((giaddr_text, 67))
    sent = 0
    for _ in range(rounds):
        for datagram in malformed + unusable:
            sock.sendto(datagram, (server, 67))
            sent += 1
            time.sleep(0.002)
    print(json.dumps({"sent": sent, "malformed": rounds * len(malformed), "unusable": rounds * len(unusable)}))


if __name__ == "__main__":
    main()
