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
import socket
import struct
import sys
import time

MAGIC = b"\x63\x82\x53\x63"


def header(giaddr, htype=1, hlen=6, op=1, sname=b"", file=b""):
    return struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, htype, hlen, 1, 0x5EED, 0, 0, b"\0" * 4, b"\0" * 4,
                       b"\0" * 4, giaddr, bytes([2, 0x66, 0, 0, 0, 1]) + b"\0" * 10, sname, file) + MAGIC


def main():
    server, giaddr_text, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    giaddr = socket.inet_aton(giaddr_text)
    discover = bytes([53, 1, 1])
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
        header(giaddr, hlen=17) + discover + bytes([255]),  # hlen past chaddr
        header(giaddr)[:236] + b"\x63\x53\x82\x63" + discover + bytes([255]),  # bad magic cookie
        header(giaddr, op=7) + discover + bytes([255]),
    ]
    unusable = [
        header(giaddr) + bytes([53, 0, 61, 0, 93, 0, 255]),  # zero-length 53: no message type
        header(giaddr) + discover + bytes([82, 0, 255]),  # zero-length 82
        header(giaddr) + discover + bytes([82, 4, 1, 10, 0, 1, 255]),  # 82 sub-option past its end
        header(giaddr, hlen=0) + discover + bytes([255]),
        header(giaddr, htype=6) + discover + bytes([255]),  # not Ethernet
        header(giaddr, op=2) + discover + bytes([255]),  # a BOOTREPLY sent to a server
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
