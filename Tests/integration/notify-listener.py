#!/usr/bin/env python3
"""Plays systemd's side of sd_notify(3) for tests: binds an AF_UNIX datagram socket and appends every
notification to a file, one line per assignment, prefixed with the monotonic time it arrived.
Usage: notify-listener.py SOCKET_PATH OUTPUT_FILE SECONDS"""
import os
import socket
import sys
import time

path, output, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
listener.bind(path)
listener.settimeout(0.2)
deadline = time.monotonic() + seconds
with open(output, "a", buffering=1) as out:
    while time.monotonic() < deadline:
        try:
            data = listener.recv(65536)
        except socket.timeout:
            continue
        for assignment in data.decode("utf-8", "replace").split("\n"):
            out.write(f"{time.monotonic():.3f} {assignment}\n")
os.unlink(path)
