#!/usr/bin/env python3
"""Hostile TFTP requests against a running `rackboot serve` on loopback, spoken as raw datagrams so that every
byte of the request is the test's choice (real clients normalise or refuse many of these names before sending).

Usage: tftp-hostile.py HOST PORT ROOT SECRET-MARKER
  ROOT is the served directory (the test truncates a file in it during a transfer); SECRET-MARKER is a string that
  only files outside the root contain: it must never appear in any byte the server sends.

Prints one "ok NAME" / "FAIL NAME" line per check; exits 1 when a check failed.
"""
import os
import socket
import struct
import sys
import time

HOST, PORT, ROOT, MARKER = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].encode()
RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6
NOT_FOUND, ACCESS_VIOLATION, ILLEGAL_OPERATION, UNDEFINED = 1, 2, 4, 0

received_bytes = bytearray()  # everything any server datagram carried, scanned for the marker at the end
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok   {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name}")
        if detail:
            print(f"     {detail}")


def request(opcode, name, mode=b"octet", options=(), raw=None):
    """The datagram of an RRQ/WRQ: name, mode and option pairs, each NUL-terminated, unless `raw` is given."""
    if raw is not None:
        return struct.pack("!H", opcode) + raw
    body = name + b"\0" + mode + b"\0"
    for key, value in options:
        body += key + b"\0" + value + b"\0"
    return struct.pack("!H", opcode) + body


def exchange(datagram, timeout=3.0):
    """Sends one request and returns (opcode, fields, server address) of the first reply, or None on silence."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(timeout)
    try:
        sock.sendto(datagram, (HOST, PORT))
        reply, peer = sock.recvfrom(70000)
    except socket.timeout:
        return None, sock
    received_bytes.extend(reply)
    return (decode(reply), peer), sock


def decode(packet):
    opcode = struct.unpack("!H", packet[:2])[0]
    if opcode == ERROR:
        code = struct.unpack("!H", packet[2:4])[0]
        return ERROR, code, packet[4:].split(b"\0")[0].decode(errors="replace")
    if opcode == DATA:
        return DATA, struct.unpack("!H", packet[2:4])[0], packet[4:]
    if opcode == OACK:
        fields = packet[2:].split(b"\0")[:-1]
        return OACK, dict(zip(fields[0::2], fields[1::2])), None
    return opcode, None, None


def expect_error(name, datagram, codes):
    """The first reply is ERROR with one of `codes`; nothing else arrives afterwards."""
    result, sock = exchange(datagram)
    try:
        if result is None:
            check(name, False, "no reply at all")
            return
        (opcode, code, message), _ = result
        ok = opcode == ERROR and code in codes
        check(name, ok, f"reply opcode {opcode} code {code} message {message!r}, wanted ERROR {codes}")
    finally:
        sock.close()


def negotiate(options, name=b"images/small.img"):
    """The OACK fields the server answers an RRQ with (None: it started with DATA 1, or said ERROR)."""
    result, sock = exchange(request(RRQ, name, options=options))
    try:
        if result is None:
            return "silence"
        (opcode, fields, _), peer = result
        if opcode == ERROR:
            sock.sendto(b"", peer)
            return f"ERROR {fields}"
        # End the transfer politely: ERROR 8 after an OACK, or ERROR 0 after DATA.
        sock.sendto(struct.pack("!HH", ERROR, 8 if opcode == OACK else 0) + b"test done\0", peer)
        return fields if opcode == OACK else None
    finally:
        sock.close()


# --- Names: every spelling that could climb out of the root, plus things that are not regular files. ---
outside = [
    (b"../secret", "..", (ACCESS_VIOLATION,)),
    (b"/../secret", "/../", (ACCESS_VIOLATION,)),
    (b"images/../../secret", "a .. in the middle", (ACCESS_VIOLATION,)),
    (b"\\..\\secret", "\\..\\", (ACCESS_VIOLATION,)),
    (b"images\\..\\..\\secret", "\\..\\ in the middle", (ACCESS_VIOLATION,)),
    (b"./../secret", "./../", (ACCESS_VIOLATION,)),
    (b"....//secret", "....//", (NOT_FOUND,)),
    (b"%2e%2e/secret", "percent-encoded dots (never decoded)", (NOT_FOUND,)),
    (b"%2e%2e%2fsecret", "percent-encoded dots and slash", (NOT_FOUND,)),
    (b"/etc/passwd", "an absolute path (the leading / is stripped: relative to the root)", (NOT_FOUND,)),
    (b"//etc//passwd", "a doubled absolute path", (NOT_FOUND,)),
    (os.path.realpath(os.path.join(ROOT, "..", "secret")).encode(), "the secret's own absolute path",
     (NOT_FOUND,)),
    (b"escape-link", "a symlink pointing out of the root", (ACCESS_VIOLATION,)),
    (b"images/escape-dir-link/secret", "a directory symlink pointing out of the root", (ACCESS_VIOLATION,)),
    (b"images", "a directory", (ACCESS_VIOLATION,)),
    (b"images/", "a directory with a trailing slash", (ACCESS_VIOLATION,)),
    (b"null-device", "a character device node", (ACCESS_VIOLATION,)),
    (b"fifo", "a FIFO (must not block the server)", (ACCESS_VIOLATION,)),
    (b"/", "the root itself", (ACCESS_VIOLATION, ILLEGAL_OPERATION)),
    (b"x" * 10000, "a 10,000-byte name", (ACCESS_VIOLATION, ILLEGAL_OPERATION)),
    (b"\xc3\xa9t\xc3\xa9.img", "a non-ASCII name", (ILLEGAL_OPERATION, NOT_FOUND)),
    (b"evil\nFORGED-LOG-LINE error: x", "a name with a newline (log forgery)", (NOT_FOUND,)),
]
for name, label, codes in outside:
    expect_error(f"RRQ {label}: ERROR {'/'.join(map(str, codes))}", request(RRQ, name), codes)

# A NUL inside the name ends the name on the wire: what follows is read as the mode, which is not a mode.
expect_error("RRQ with a NUL inside the name: ERROR 4 (malformed)",
             request(RRQ, b"", raw=b"images/small.img\0../secret\0octet\0"), (ILLEGAL_OPERATION,))
expect_error("RRQ without any NUL: ERROR 4", request(RRQ, b"", raw=b"images/small.img"), (ILLEGAL_OPERATION,))
expect_error("RRQ without a mode: ERROR 4", request(RRQ, b"", raw=b"images/small.img\0"), (ILLEGAL_OPERATION,))
expect_error("RRQ with an empty name: ERROR 4", request(RRQ, b""), (ILLEGAL_OPERATION,))
expect_error("RRQ in mode mail: ERROR 4", request(RRQ, b"images/small.img", mode=b"mail"), (ILLEGAL_OPERATION,))
expect_error("WRQ: ERROR 2 (read-only)", request(WRQ, b"uploaded.img"), (ACCESS_VIOLATION,))
expect_error("WRQ climbing out: ERROR 2", request(WRQ, b"../uploaded.img"), (ACCESS_VIOLATION,))
check("no WRQ wrote a file", not os.path.exists(os.path.join(ROOT, "uploaded.img"))
      and not os.path.exists(os.path.join(ROOT, "..", "uploaded.img")))

# --- Options: out of range, repeated and malformed. Out-of-range values are left out of the OACK (RFC 2347:
# the client then runs without them), never fatal; malformed option lists refuse the request. ---
expect_error("option name without a value: ERROR 4",
             request(RRQ, b"", raw=b"images/small.img\0octet\0blksize\0"), (ILLEGAL_OPERATION,))
expect_error("option value without its NUL: ERROR 4",
             request(RRQ, b"", raw=b"images/small.img\0octet\0blksize\0001468"), (ILLEGAL_OPERATION,))
expect_error("empty option name: ERROR 4",
             request(RRQ, b"", raw=b"images/small.img\0octet\0\0001468\0"), (ILLEGAL_OPERATION,))

answer = negotiate([(b"blksize", b"7")])
check("blksize 7 (below 8) is not acknowledged: plain DATA 1", answer is None, f"got {answer}")
answer = negotiate([(b"blksize", b"70000")])
check("blksize 70000 is clamped to what the server can send", isinstance(answer, dict)
      and 8 <= int(answer.get(b"blksize", b"0")) <= 65464, f"got {answer}")
answer = negotiate([(b"blksize", b"-1"), (b"tsize", b"0")])
check("blksize -1 is ignored, tsize still answered", isinstance(answer, dict) and b"blksize" not in answer
      and answer.get(b"tsize") == str(os.path.getsize(os.path.join(ROOT, "images/small.img"))).encode(),
      f"got {answer}")
answer = negotiate([(b"blksize", b"99999999999999999999")])
check("a 20-digit blksize is ignored", answer is None, f"got {answer}")
answer = negotiate([(b"timeout", b"0"), (b"windowsize", b"0")])
check("timeout 0 and windowsize 0 are not acknowledged", answer is None, f"got {answer}")
answer = negotiate([(b"timeout", b"256"), (b"windowsize", b"65536")])
check("timeout 256 and windowsize 65536 are not acknowledged", answer is None, f"got {answer}")
answer = negotiate([(b"blksize", b"1468"), (b"blksize", b"512"), (b"BLKSIZE", b"8")])
check("a repeated option: the first counts and the OACK names it once", answer == {b"blksize": b"1468"},
      f"got {answer}")
answer = negotiate([(b"evil", b"1"), (b"tsize", b"0")])
check("an unknown option is ignored, not echoed", isinstance(answer, dict) and b"evil" not in answer,
      f"got {answer}")
answer = negotiate([(b"windowsize", b"1000000")])
check("windowsize 1000000 is refused (out of RFC 7440's range)", answer is None, f"got {answer}")

# --- A file truncated while it is being sent: the server must not pass off the shorter file as complete. ---
victim = os.path.join(ROOT, "images", "shrinking.img")
with open(victim, "wb") as out:
    out.write(b"s" * (512 * 200))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(3)
sock.sendto(request(RRQ, b"images/shrinking.img"), (HOST, PORT))
got = bytearray()
outcome = "silence"
expected_block = 1
truncated = False
try:
    while True:
        packet, peer = sock.recvfrom(70000)
        received_bytes.extend(packet)
        opcode, field, payload = decode(packet)
        if opcode == ERROR:
            outcome = f"ERROR {field}"
            break
        if opcode != DATA or field != expected_block:
            continue
        got.extend(payload)
        if expected_block == 20 and not truncated:
            os.truncate(victim, 512 * 50 + 100)  # mid-transfer: the file loses 150 blocks
            truncated = True
        sock.sendto(struct.pack("!HH", ACK, field), peer)
        if len(payload) < 512:
            outcome = f"complete with {len(got)} bytes"
            break
        expected_block += 1
except socket.timeout:
    pass
sock.close()
check("a file truncated during its transfer ends in ERROR, never a short 'complete' file",
      outcome.startswith("ERROR") and len(got) < 512 * 200, f"outcome {outcome}, {len(got)} bytes received")

# --- A datagram from another TID (RFC 1350 §4): ERROR 5 from the transfer's own port, and the transfer goes on. ---
small = open(os.path.join(ROOT, "images", "small.img"), "rb").read()
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
stray = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.settimeout(3)
stray.settimeout(3)
got = bytearray()
stray_reply = stray_peer = None
early = []  # (block the stray peer acknowledged, what the client got before acknowledging it)
try:
    client.sendto(request(RRQ, b"images/small.img"), (HOST, PORT))
    expected_block, transfer_peer = 1, None
    while True:
        packet, peer = client.recvfrom(70000)
        received_bytes.extend(packet)
        opcode, field, payload = decode(packet)
        if opcode != DATA or (transfer_peer and peer != transfer_peer):
            break
        transfer_peer = peer
        if field != expected_block:
            continue
        got.extend(payload)
        if field in (1, 300):
            # The stray peer acknowledges the very block the client waits for; it must not count as the client's.
            stray.sendto(struct.pack("!HH", ACK, field), peer)
            reply, stray_peer = stray.recvfrom(70000)
            stray_reply = stray_reply or decode(reply)
            client.settimeout(0.3)
            try:
                early.append((field, decode(client.recvfrom(70000)[0])))
            except socket.timeout:
                pass
            client.settimeout(3)
        client.sendto(struct.pack("!HH", ACK, field), peer)
        if len(payload) < 512:
            break
        expected_block += 1
except socket.timeout:
    pass
finally:
    client.close()
    stray.close()
check("a datagram from another TID gets ERROR 5 from the transfer's port",
      stray_reply is not None and stray_reply[:2] == (ERROR, 5) and stray_peer == transfer_peer,
      f"reply {stray_reply} from {stray_peer}, transfer port {transfer_peer}")
moved = [(block, packet) for block, packet in early if packet[:2] == (DATA, block + 1)]
check("the other TID's ACKs (of blocks 1 and 300) do not move the transfer on", stray_reply is not None and not moved,
      f"the client got {moved} before acknowledging")
check("the transfer completes with the whole file after the stray datagrams", bytes(got) == small,
      f"{len(got)} of {len(small)} bytes")

# --- Requests of any size up to the UDP maximum are read whole, and each gets the error that fits it. ---
expect_error("RRQ with a 65,000-byte name: read whole, ERROR 2 (name too long), not a cut-short ERROR 4",
             request(RRQ, b"n" * 65000), (ACCESS_VIOLATION,))
many = [(b"x-option-%d" % index, b"%d" % index) for index in range(300)] + [(b"blksize", b"1468")]
answer = negotiate(many)
check("an RRQ with 300 unknown options (about 5 KB) is read whole: OACK blksize 1468",
      answer == {b"blksize": b"1468"}, f"got {answer}")
result, sock = exchange(request(RRQ, b"images/small.img", options=[(b"pad", b"p" * 65450)]))
sock.close()
check("an RRQ longer than any TFTP packet (65,500 bytes) gets ERROR 4 'Request too long'",
      result is not None and result[0] == (ERROR, ILLEGAL_OPERATION, "Request too long"), f"got {result}")

# --- netascii is converted as it is sent: requests for a big file cannot hold up anyone else's request. ---
netascii_socks = []
for _ in range(2):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.sendto(request(RRQ, b"images/big.img", mode=b"netascii"), (HOST, PORT))
    netascii_socks.append(sock)
started = time.monotonic()
result, sock = exchange(request(RRQ, b"images/small.img"))
waited = time.monotonic() - started
sock.close()
check("an octet RRQ sent right after two netascii RRQs for a 32 MiB file is answered within 100 ms",
      result is not None and result[0][0] == DATA and waited < 0.1, f"reply {result and result[0][:2]} after {waited:.3f} s")
firsts = []
for sock in netascii_socks:
    sock.settimeout(3)
    try:
        packet, peer = sock.recvfrom(70000)
        firsts.append(decode(packet)[:2])
        sock.sendto(struct.pack("!HH", ERROR, 0) + b"test done\0", peer)
    except socket.timeout:
        firsts.append(None)
    sock.close()
check("each netascii request got its DATA 1", firsts == [(DATA, 1), (DATA, 1)], f"got {firsts}")

# --- A client that vanishes mid-transfer (its port answers ICMP unreachable) ends the transfer at once; the shell
# part of this test finds the log line. ---
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(3)
sock.sendto(request(RRQ, b"images/vanish.img", options=[(b"timeout", b"1")]), (HOST, PORT))
try:
    packet, peer = sock.recvfrom(70000)
    check("the vanishing client got the OACK", decode(packet)[0] == OACK, f"got {decode(packet)[:2]}")
except socket.timeout:
    check("the vanishing client got the OACK", False, "silence")
sock.close()

# --- The server is still serving after all of the above. ---
answer = negotiate([(b"tsize", b"0")])
check("the server still answers a good request afterwards", isinstance(answer, dict) and b"tsize" in answer,
      f"got {answer}")
check("no byte from outside the root was ever sent", MARKER not in received_bytes)

print(f"tftp-hostile-raw: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
