#!/usr/bin/env python3
"""Hostile HTTP requests against a running `rackboot serve` on loopback, over raw sockets so that every byte of the
request is the test's choice (curl and browsers normalise or refuse most of these).

Usage: http-hostile.py HTTP-PORT TFTP-PORT ROOT SECRET-MARKER WORK REQUEST-TIMEOUT SEND-TIMEOUT MAX-CONNECTIONS
  ROOT is the served directory: it holds e2e/small.img (the file every "still serving" probe fetches over HTTP and
  TFTP), e2e/a.txt, e2e/b.txt and e2e/huge.img (50 MiB), and symlinks pointing out of it. SECRET-MARKER is a string
  only files outside the root contain: it must never appear in any byte the server sends. WORK is a scratch folder.
  The timeouts (seconds) and MAX-CONNECTIONS are the server's http: settings.

Every hostile request must be refused or bounded, and after each one the server must still answer a normal GET of a
small file within 1 s and a TFTP RRQ (tftp-hpa). Prints one "ok NAME" / "FAIL NAME" line per check, then "count KEY N"
lines (how many requests of each kind the shell test should find in the log); exits 1 when a check failed.
"""
import os
import select
import socket
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"
PORT, TFTP_PORT = int(sys.argv[1]), int(sys.argv[2])
ROOT, MARKER, WORK = sys.argv[3], sys.argv[4].encode(), sys.argv[5]
REQUEST_TIMEOUT, SEND_TIMEOUT, MAX_CONNECTIONS = float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
SMALL = open(os.path.join(ROOT, "e2e", "small.img"), "rb").read()
PASSWD_LINE = b"root:x:0:0"

received = bytearray()  # every byte any response carried (but the big downloads), scanned for the marker at the end
received_lock = threading.Lock()
results = {"passed": 0, "failed": 0}
counts = {}  # requests of each kind, for the log checks of the shell test


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok   {name}", flush=True)
    else:
        results["failed"] += 1
        print(f"FAIL {name}", flush=True)
        if detail:
            print(f"     {detail}", flush=True)


def count(key, n=1):
    counts[key] = counts.get(key, 0) + n


def connect(source=None, timeout=5.0, rcvbuf=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if source:
        sock.bind((source, 0))
    sock.settimeout(timeout)
    sock.connect((HOST, PORT))
    return sock


def exchange(data, source=None, limit=3.0, chunk=65536):
    """Sends `data` while reading whatever comes back, until the server closes or `limit` seconds pass.

    Returns (response bytes, how it ended: "EOF", "RST" or "open", seconds). Reading while sending matters: a
    server that refuses a request early and closes would otherwise reset the connection under the unread reply.
    """
    sock = connect(source)
    sock.setblocking(False)
    out = bytearray()
    sent = 0
    ended = "open"
    started = time.monotonic()
    try:
        while time.monotonic() - started < limit:
            writers = [sock] if sent < len(data) else []
            readable, writable, _ = select.select([sock], writers, [], 0.05)
            if readable:
                try:
                    piece = sock.recv(65536)
                except ConnectionResetError:
                    ended = "RST"
                    break
                if not piece:
                    ended = "EOF"
                    break
                out.extend(piece)
            if writable:
                try:
                    sent += sock.send(data[sent:sent + chunk])
                except (BrokenPipeError, ConnectionResetError):
                    sent = len(data)  # the server stopped listening: keep reading its answer
    finally:
        sock.close()
    with received_lock:
        received.extend(out)
    return bytes(out), ended, time.monotonic() - started


def status_of(response):
    """The status code of the first response in `response`, or None."""
    parts = response.split(b"\r\n", 1)[0].split(b" ")
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/1.") and parts[1].isdigit():
        return int(parts[1])
    return None


def parse_responses(data, methods):
    """Splits pipelined responses: [(status, headers, body)], one per method in `methods` (HEAD has no body)."""
    responses = []
    for method in methods:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            break
        lines = data[:end].decode(errors="replace").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if method == "HEAD" else int(headers.get("content-length", "0"))
        body = data[end + 4:end + 4 + length]
        responses.append((status_of(data), headers, body))
        data = data[end + 4 + length:]
    return responses, data


def http_get_small(timeout=1.0):
    """A normal GET of e2e/small.img; returns (ok, detail)."""
    started = time.monotonic()
    try:
        sock = connect(timeout=timeout)
        sock.sendall(b"GET /e2e/small.img HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = bytearray()
        while time.monotonic() - started < timeout:
            piece = sock.recv(65536)
            if not piece:
                break
            data.extend(piece)
        sock.close()
    except OSError as error:
        return False, f"GET failed after {time.monotonic() - started:.2f} s: {error!r}"
    elapsed = time.monotonic() - started
    responses, _ = parse_responses(bytes(data), ["GET"])
    ok = bool(responses) and responses[0][0] == 200 and responses[0][2] == SMALL and elapsed <= timeout
    return ok, f"GET: {responses[0][0] if responses else data[:60]!r} after {elapsed:.2f} s"


tftp_runs = 0


def tftp_get_small():
    """tftp-hpa fetches e2e/small.img; returns (ok, detail)."""
    global tftp_runs
    tftp_runs += 1
    target = os.path.join(WORK, f"tftp-{tftp_runs}.img")
    try:
        run = subprocess.run(["tftp", HOST, str(TFTP_PORT), "-m", "binary", "-c", "get", "e2e/small.img", target],
                             capture_output=True, timeout=5)
        output = (run.stdout + run.stderr).decode(errors="replace").strip()
    except subprocess.TimeoutExpired:
        return False, "tftp-hpa ran out of 5 s"
    try:
        got = open(target, "rb").read()
        os.unlink(target)
    except OSError:
        got = b""
    return got == SMALL, f"TFTP: {len(got)} bytes {output[:80]!r}"


def serving():
    """(ok, detail): the server answers a normal HTTP GET within 1 s, and a TFTP RRQ."""
    http_ok, http_detail = http_get_small()
    tftp_ok, tftp_detail = tftp_get_small()
    return http_ok and tftp_ok, f"{http_detail}; {tftp_detail}"


class Afterwards:
    """Collects, for a group of hostile requests, whether the server kept serving after each one."""

    def __init__(self, label):
        self.label, self.total, self.failures = label, 0, []

    def probe(self, what):
        ok, detail = serving()
        self.total += 1
        if not ok:
            self.failures.append(f"after {what}: {detail}")

    def report(self):
        check(f"after each of the {self.total} {self.label} the server serves a small file over HTTP within 1 s "
              f"and over TFTP", not self.failures, "; ".join(self.failures[:3]))


# --- Malformed requests: the parser refuses them (400 and close), never a 2xx, never a hang. ---
def request(method, target, headers=(), body=b"", version=b"HTTP/1.1"):
    head = method + b" " + target + b" " + version + b"\r\nHost: 127.0.0.1\r\n"
    for header in headers:
        head += header + b"\r\n"
    return head + b"\r\n" + body


check("before anything hostile the server serves HTTP and TFTP", *serving())

malformed = [
    ("garbage bytes", b"\x00\xff\xfe\x80garbage\x01\x02\r\n\r\n"),
    ("a TLS ClientHello", bytes.fromhex("160301020001000100fc0303") + os.urandom(64)),
    ("GET without target or version", b"GET\r\n\r\n"),
    ("GET without a version (HTTP/0.9)", b"GET /e2e/small.img\r\n\r\n"),
    ("the HTTP/2 connection preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    ("an absurd method", request(b"FROBNICATE", b"/e2e/small.img")),
    ("a 5,000-byte method", request(b"A" * 5000, b"/e2e/small.img")),
    ("version HTTP/9.9", request(b"GET", b"/e2e/small.img", version=b"HTTP/9.9")),
    ("a raw NUL in the target", request(b"GET", b"/e2e/small\x00.img")),
    ("a raw space in the target", request(b"GET", b"/e2e/small .img")),
    ("Content-Length and Transfer-Encoding together (smuggling)",
     request(b"POST", b"/callback/m1/x", [b"Content-Length: 5", b"Transfer-Encoding: chunked"],
             b"0\r\n\r\n" + request(b"GET", b"/e2e/small.img"))),
    ("two different Content-Lengths", request(b"POST", b"/callback/m1/x", [b"Content-Length: 5", b"Content-Length: 7"],
                                              b"abcdefg")),
    ("a header line without a colon", request(b"GET", b"/e2e/small.img", [b"this is no header"])),
]
after = Afterwards("malformed requests")
for label, data in malformed:
    response, ended, seconds = exchange(data)
    status = status_of(response)
    ok = status in (400, 405, 501, 505) and response.count(b"HTTP/1.1 ") == 1 and ended != "open" \
        and SMALL[:64] not in response
    check(f"{label}: refused with {status} and closed, nothing served", ok,
          f"status {status}, connection {ended} after {seconds:.2f} s: {response[:120]!r}")
    count("malformed")
    after.probe(label)
after.report()

# --- Paths that try to leave the root: 400 (a '..', an encoded '/' or '\', a NUL), 404 (names that exist nowhere
# under the root), 403/404 (symlinks out of it); never a byte from outside. ---
secret_path = os.path.realpath(os.path.join(ROOT, "..", "secret")).encode()
escapes = [
    (b"/../secret", {400}),
    (b"/e2e/../../secret", {400}),
    (b"/%2e%2e/secret", {400}),
    (b"/%2E%2E/secret", {400}),
    (b"/%2E%2E%2Fetc%2Fpasswd", {400}),
    (b"/..%2f..%2fetc%2fpasswd", {400}),
    (b"/..%2F..%2F..%2Fsecret", {400}),
    (b"/.%2e/secret", {400}),
    (b"/%2e./secret", {400}),
    (b"/e2e/.%2E/.%2E/secret", {400}),
    (b"/..\\..\\secret", {400}),
    (b"/e2e\\..\\..\\secret", {400}),
    (b"/%5c..%5csecret", {400}),
    (b"/..%5c..%5csecret", {400}),
    (b"/e2e/small.img%00", {400}),
    (b"/e2e/small.img%00.cfg", {400}),
    (b"/%00/../secret", {400}),
    (b"/files/m1/..%2f..%2fsecret", {400}),
    (b"/files/%2e%2e/secret", {400}),
    (b"/callback/m1/%2e%2e", {400}),
    (b"/%c0%ae%c0%ae/secret", {400, 404}),  # overlong UTF-8 dots: not UTF-8 at all
    (b"/%252e%252e/secret", {404}),  # decoded once: the literal name %2e%2e
    (b"/%252e%252e%252fsecret", {404}),
    (b"/etc/passwd", {404}),  # relative to the root
    (b"//etc//passwd", {404}),
    (secret_path, {404}),
    (b"/escape-link", {403, 404}),  # a symlink in the root to ../secret
    (b"/images/escape-dir-link/secret", {403, 404}),  # a directory symlink out of the root
    (b"/images", {403, 404}),  # a directory
]
after = Afterwards("path escapes")
for target, statuses in escapes:
    response, ended, _ = exchange(request(b"GET", target, [b"Connection: close"]))
    status = status_of(response)
    ok = status in statuses and MARKER not in response and PASSWD_LINE not in response
    check(f"GET {target.decode(errors='replace')}: {'/'.join(map(str, sorted(statuses)))}, no byte from outside",
          ok, f"status {status}: {response[:160]!r}")
    if statuses == {400}:
        count("path_400")
    after.probe(target.decode(errors="replace"))
after.report()

# A newline decoded into the path must not forge a log line (the shell test reads the log).
response, _, _ = exchange(request(b"GET", b"/evil%0aFORGED-LOG-LINE%20error:%20forged", [b"Connection: close"]))
check("a percent-encoded newline in the path is refused or not found, never served",
      status_of(response) in (400, 404), f"{response[:100]!r}")

# --- Oversized headers and bodies. ---
after = Afterwards("oversized requests")
for label, headers in [("one 100 KiB header", [b"X-Big: " + b"a" * (100 << 10)]),
                       ("20 headers of 1000 bytes (20 KB in all)",
                        [b"X-H%d: %s" % (i, b"b" * 1000) for i in range(20)]),
                       ("10,000 tiny headers", [b"a%d: b" % i for i in range(10000)])]:
    response, ended, seconds = exchange(request(b"GET", b"/e2e/small.img", headers), limit=5)
    status = status_of(response)
    check(f"{label}: 400 or 431 and the connection closed", status in (400, 431) and ended != "open",
          f"status {status}, connection {ended} after {seconds:.2f} s: {response[:100]!r}")
    count("headers")
    after.probe(label)
response, ended, _ = exchange(request(b"GET", b"/e2e/small.img",
                                      [b"X-Fine: " + b"c" * (8 << 10), b"Connection: close"]))
check("one 8 KiB header (under the 16 KiB limit) is still served: 200", status_of(response) == 200
      and response.endswith(SMALL), f"{response[:100]!r}")

body_cases = [
    ("a 1 MiB body (Content-Length) POSTed to a callback from m1's address",
     request(b"POST", b"/callback/m1/not-the-token", [b"Content-Length: %d" % (1 << 20)], b"z" * (1 << 20))),
    ("a 1 MiB chunked body POSTed to a callback from m1's address",
     request(b"POST", b"/callback/m1/not-the-token", [b"Transfer-Encoding: chunked"],
             (b"4000\r\n" + b"z" * 0x4000 + b"\r\n") * 64 + b"0\r\n\r\n")),
    ("a body of 4,097 bytes (one over the limit)",
     request(b"POST", b"/callback/m1/not-the-token", [b"Content-Length: 4097"], b"z" * 4097)),
]
for label, data in body_cases:
    response, ended, seconds = exchange(data, source="127.0.0.5", limit=5)
    status = status_of(response)
    check(f"{label}: 413 and closed", status == 413 and ended != "open",
          f"status {status}, connection {ended} after {seconds:.2f} s: {response[:100]!r}")
    count("body_413")
    after.probe(label)
response, ended, _ = exchange(request(b"POST", b"/callback/m1/not-the-token", [b"Content-Length: 4096",
                                                                              b"Connection: close"], b"z" * 4096),
                              source="127.0.0.5")
check("a body of exactly 4,096 bytes is read: the wrong token's 403, not 413", status_of(response) == 403,
      f"{response[:100]!r}")
after.report()


# --- Slow clients: the request must arrive whole within request_timeout of the connection (or of the previous
# response); the server closes the connection within request_timeout + 2 s, and serves everyone else meanwhile. ---
def trickle(label, prefix, trickled, outcome):
    """Sends `prefix` at once, then `trickled` one byte a second; records when the server closed the connection."""
    sock = connect()
    started = time.monotonic()
    try:
        if prefix:
            sock.sendall(prefix)
            if prefix.endswith(b"\r\n\r\n") and prefix.startswith(b"GET"):
                # A whole first request: wait for its response, then time the next one from its end.
                sock.settimeout(2)
                got = b""
                while not got.endswith(SMALL):
                    piece = sock.recv(65536)
                    if not piece:
                        break
                    got += piece
                started = time.monotonic()
        sock.settimeout(1.0)
        index = 0
        how = "still open"
        while time.monotonic() - started < REQUEST_TIMEOUT + 6:
            if index < len(trickled):
                try:
                    sock.send(trickled[index:index + 1])
                except OSError:
                    how = "closed"
                    break
                index += 1
            try:
                piece = sock.recv(65536)
                if not piece:
                    how = "closed"
                    break
                if b"HTTP/1.1 2" in piece:
                    how = "served"
                    break
            except socket.timeout:
                continue
            except OSError:
                how = "closed"
                break
        outcome[label] = (how, time.monotonic() - started)
    finally:
        sock.close()


outcome = {}
slow = [
    ("a request line sent one byte a second (slowloris)", b"", b"GET /e2e/small.img HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("headers sent one byte a second", b"GET /e2e/small.img HTTP/1.1\r\n", b"Host: 127.0.0.1\r\nX-A: b\r\n\r\n"),
    ("a body of 100 bytes sent one byte a second",
     b"POST /callback/m1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", b"z" * 100),
    ("a keep-alive connection's second request sent one byte a second",
     b"GET /e2e/small.img HTTP/1.1\r\nHost: x\r\n\r\n", b"GET /e2e/small.img HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("a connection that sends nothing", b"", b""),
]
threads = [threading.Thread(target=trickle, args=(label, prefix, data, outcome)) for label, prefix, data in slow]
for thread in threads:
    thread.start()
meanwhile = []
for _ in range(3):
    time.sleep(1.2)
    meanwhile.append(serving())
for thread in threads:
    thread.join(timeout=REQUEST_TIMEOUT + 10)
for label, _, _ in slow:
    how, seconds = outcome.get(label, ("still running", -1))
    check(f"{label}: closed by the server within request_timeout + 2 s ({REQUEST_TIMEOUT + 2:.0f} s)",
          how == "closed" and seconds <= REQUEST_TIMEOUT + 2, f"{how} after {seconds:.2f} s")
count("slow_logged", len(slow) - 1)  # the silent connection is closed without a log line
check("while the slow clients trickled, the server served HTTP within 1 s and TFTP (3 probes)",
      all(ok for ok, _ in meanwhile), "; ".join(detail for ok, detail in meanwhile if not ok))
check("after the slow clients the server serves HTTP and TFTP", *serving())


# --- Slow readers: a response that makes no progress for send_timeout is abandoned; one that does is not. ---
def server_side_state(client_port):
    """The TCP state (hex, /proc/net/tcp) of the server's end of the connection from `client_port`, or None."""
    for path in ("/proc/net/tcp",):
        with open(path) as table:
            for line in table.readlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].split(":")[1], 16)
                remote_port = int(fields[2].split(":")[1], 16)
                if local_port == PORT and remote_port == client_port:
                    return fields[3]
    return None


ESTABLISHED = "01"
HUGE = os.path.getsize(os.path.join(ROOT, "e2e", "huge.img"))


def stalled_reader(result):
    """Requests the 50 MiB file and reads nothing; records when the server's end left ESTABLISHED."""
    sock = connect(rcvbuf=4096)
    client_port = sock.getsockname()[1]
    sock.sendall(b"GET /e2e/huge.img HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    started = time.monotonic()
    closed_at = None
    while time.monotonic() - started < SEND_TIMEOUT + 10:
        if server_side_state(client_port) != ESTABLISHED:
            closed_at = time.monotonic() - started
            break
        time.sleep(0.1)
    # Drain what the kernel holds: the connection must end (EOF or reset) short of the whole file.
    got = 0
    sock.settimeout(3)
    ended = "open"
    try:
        while got <= HUGE:
            piece = sock.recv(1 << 20)
            if not piece:
                ended = "EOF"
                break
            got += len(piece)
    except ConnectionResetError:
        ended = "RST"
    except socket.timeout:
        ended = "open"
    sock.close()
    result["stalled"] = (closed_at, ended, got)


def steady_reader(result, rate, seconds):
    """Requests the 50 MiB file and reads `rate` bytes a second, in tenths, for `seconds`; records whether the
    server's end stayed ESTABLISHED all along."""
    sock = connect()
    client_port = sock.getsockname()[1]
    sock.sendall(b"GET /e2e/huge.img HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    started = time.monotonic()
    got = 0
    cut_at = None
    sock.settimeout(2)
    try:
        while time.monotonic() - started < seconds:
            tick = time.monotonic()
            want = rate // 10
            while want > 0:
                piece = sock.recv(want)
                if not piece:
                    break
                got += len(piece)
                want -= len(piece)
            if cut_at is None and server_side_state(client_port) != ESTABLISHED:
                cut_at = time.monotonic() - started
            time.sleep(max(0.0, 0.1 - (time.monotonic() - tick)))
    except OSError as error:
        cut_at = cut_at or time.monotonic() - started
        result["steady_error"] = repr(error)
    sock.close()
    result["steady"] = (cut_at, got, time.monotonic() - started)


readers = {}
steady_seconds = 3 * SEND_TIMEOUT
steady_rate = 160 << 10
reader_threads = [threading.Thread(target=stalled_reader, args=(readers,)),
                  threading.Thread(target=steady_reader, args=(readers, steady_rate, steady_seconds))]
for thread in reader_threads:
    thread.start()
meanwhile = []
for _ in range(3):
    time.sleep(1.0)
    meanwhile.append(serving())
for thread in reader_threads:
    thread.join(timeout=SEND_TIMEOUT + 20)
closed_at, ended, got = readers.get("stalled", (None, "?", 0))
check(f"a client that requests a 50 MiB file and reads nothing is cut off after send_timeout ({SEND_TIMEOUT:.0f} s), "
      f"within {SEND_TIMEOUT + 7:.0f} s",
      closed_at is not None and SEND_TIMEOUT - 0.5 <= closed_at <= SEND_TIMEOUT + 7,
      f"server's end left ESTABLISHED after {closed_at} s")
check("the stalled reader's connection ends short of the whole file", ended in ("EOF", "RST") and got < HUGE,
      f"connection {ended} after {got} of {HUGE} bytes")
cut_at, got, seconds = readers.get("steady", (0, 0, 0))
# The reader paces itself with sleeps: on a loaded machine it falls behind its rate, so half the bytes is asked as
# proof it kept reading; what is tested is that the server never closed its end.
check(f"a client reading steadily at {steady_rate >> 10} KiB/s is never cut off: it makes progress all along "
      f"({seconds:.0f} s, 3 x send_timeout)", cut_at is None and got >= steady_rate * seconds // 2,
      f"server's end closed after {cut_at} s with the client still reading ({got} bytes received, "
      f"{readers.get('steady_error', '')})")
check("while the slow readers held their responses, the server served HTTP within 1 s and TFTP (3 probes)",
      all(ok for ok, _ in meanwhile), "; ".join(detail for ok, detail in meanwhile if not ok))
check("after the slow readers the server serves HTTP and TFTP", *serving())


# --- A connection flood: max_connections + 50 at once; the extra ones are closed at once. ---
def open_server_connections():
    with open("/proc/net/tcp") as table:
        return sum(1 for line in table.readlines()[1:]
                   if int(line.split()[1].split(":")[1], 16) == PORT and line.split()[3] == ESTABLISHED)


for _ in range(50):  # the earlier connections are gone from the server's side (at most 5 s)
    if open_server_connections() == 0:
        break
    time.sleep(0.1)
flood = []
try:
    started = time.monotonic()
    for _ in range(MAX_CONNECTIONS + 50):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(2)
        sock.connect((HOST, PORT))
        sock.setblocking(False)
        flood.append(sock)
    opened = time.monotonic() - started
    closed = set()
    while time.monotonic() - started < 2.0:  # well within request_timeout, which would close the idle ones too
        for index, sock in enumerate(flood):
            if index in closed:
                continue
            try:
                if sock.recv(16) == b"":
                    closed.add(index)
            except BlockingIOError:
                pass
            except ConnectionResetError:
                closed.add(index)
        if len(closed) >= 50:
            break
        time.sleep(0.1)
    waited = time.monotonic() - started
    time.sleep(0.3)  # no more than the extra ones close
    for index, sock in enumerate(flood):
        try:
            if index not in closed and sock.recv(16) == b"":
                closed.add(index)
        except BlockingIOError:
            pass
        except ConnectionResetError:
            closed.add(index)
    check(f"a flood of {MAX_CONNECTIONS + 50} connections (max_connections {MAX_CONNECTIONS}): the 50 extra are "
          f"closed at once (within 2 s), {MAX_CONNECTIONS} stay open",
          50 <= len(closed) <= 52 and waited <= 2.0,
          f"{len(closed)} closed after {waited:.2f} s, {len(flood) - len(closed)} open ({opened:.2f} s to open them)")
    ok, detail = tftp_get_small()
    check("during the flood TFTP still answers", ok, detail)
finally:
    for sock in flood:
        sock.close()
started = time.monotonic()
while True:
    ok, detail = http_get_small()
    if ok or time.monotonic() - started > 1.0:
        break
    time.sleep(0.05)
check("once the flood's connections are closed, a normal GET is served within 1 s", ok,
      f"{detail} ({time.monotonic() - started:.2f} s after closing)")

# --- Pipelining: requests in one write get their responses in order. ---
A = open(os.path.join(ROOT, "e2e", "a.txt"), "rb").read()
B = open(os.path.join(ROOT, "e2e", "b.txt"), "rb").read()
response, ended, _ = exchange(request(b"GET", b"/e2e/a.txt") + request(b"GET", b"/e2e/b.txt", [b"Connection: close"]))
answers, rest = parse_responses(response, ["GET", "GET"])
check("two pipelined GETs in one write: two 200s in order, with each file's bytes",
      [(status, body) for status, _, body in answers] == [(200, A), (200, B)] and rest == b"",
      f"{[(status, body[:20]) for status, _, body in answers]}, {len(rest)} bytes left, connection {ended}")
response, ended, _ = exchange(request(b"GET", b"/e2e/b.txt") + request(b"HEAD", b"/e2e/a.txt")
                              + request(b"GET", b"/no/such/file") + request(b"GET", b"/../secret")
                              + request(b"GET", b"/e2e/a.txt", [b"Connection: close"]))
answers, rest = parse_responses(response, ["GET", "HEAD", "GET", "GET", "GET"])
summary = [(status, headers.get("content-length"), body) for status, headers, body in answers]
check("five pipelined requests (GET, HEAD, 404, a '..' path, GET): answered in order, HEAD without a body, the "
      "connection closed after the '..' 400 or kept for the last GET",
      summary[:4] == [(200, str(len(B)), B), (200, str(len(A)), b""), (404, "10", b"Not Found\n"),
                      (400, "12", b"Bad Request\n")] and (summary[4:] in ([], [(200, str(len(A)), A)])) and rest == b"",
      f"{summary}, {rest[:80]!r} left")

check("the server serves HTTP and TFTP at the end", *serving())
check("no byte from outside the root was ever sent", MARKER not in received and PASSWD_LINE not in received)
for key, value in sorted(counts.items()):
    print(f"count {key} {value}")
print(f"http-hostile-raw: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
