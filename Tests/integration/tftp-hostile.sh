#!/usr/bin/env bash
# Hostile TFTP requests against `rackboot serve` on 127.0.0.1 and a random high port: names that try to climb out
# of the root, things that are not regular files, malformed and out-of-range options, a file truncated during its
# transfer, WRQ. Raw datagrams come from tftp-hostile.py; real clients (tftp-hpa, atftp) repeat the escapes they
# can send. No byte from outside the root may ever arrive, and the server must keep serving.
# Usage: Tests/integration/tftp-hostile.sh path/to/rackboot   (root: it makes a device node)
set -uo pipefail
rackboot=$(realpath "${1:?usage: tftp-hostile.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
repo=$PWD
work=$(mktemp -d)
source Tests/lib/report.sh
source Tests/lib/loopback-serve.sh
cleanup() {
    loopback_serve_kill
    rm -rf "$work"
}
trap cleanup EXIT

# Outside the root: a secret file and a secret directory, each holding a marker that must never be sent.
marker="RACKBOOT-SECRET-$RANDOM$RANDOM"
echo "$marker" > "$work/secret"
mkdir -p "$work/outside-dir" "$work/root/images"
echo "$marker" > "$work/outside-dir/secret"
head -c 300000 /dev/urandom > "$work/root/images/small.img"
cp "$work/root/images/small.img" "$work/root/images/vanish.img"
head -c $((32 << 20)) /dev/urandom > "$work/root/images/big.img"  # for the netascii requests
ln -s ../secret "$work/root/escape-link"
ln -s ../../outside-dir "$work/root/images/escape-dir-link"
mknod "$work/root/null-device" c 1 3
mkfifo "$work/root/fifo"

loopback_serve_start "$rackboot" "$work/root" "$work" --log-level debug

# The raw requests: each line of its output is one check.
python3 "$repo/Tests/integration/tftp-hostile.py" 127.0.0.1 "$port" "$work/root" "$marker" > "$work/raw.out" 2>&1
raw_status=$?
cat "$work/raw.out"
passed=$((passed + $(grep -c '^ok ' "$work/raw.out")))
failed=$((failed + $(grep -c '^FAIL ' "$work/raw.out")))
if [ $raw_status -ne 0 ] && ! grep -q '^FAIL ' "$work/raw.out"; then fail "tftp-hostile.py ran to its end" "exit $raw_status"; fi

# Real clients send these names exactly as typed; each must report the error and write nothing.
cd "$work"
# refused NAME CLIENT-OUTPUT RECEIVED-FILE PATTERN
refused() {
    if [ ! -s "$3" ] && grep -qE "$4" "$2" && ! grep -q "$marker" "$3" 2> /dev/null; then pass "$1"; else
        fail "$1" "$(head -3 "$2")" "received: $(head -c 60 "$3" 2> /dev/null)"
    fi
}
tftp 127.0.0.1 "$port" -m binary -c get '\..\secret' got1 > out1 2>&1
refused 'tftp-hpa get \..\secret: ERROR 2, no byte' out1 got1 "Error code 2"
tftp 127.0.0.1 "$port" -m binary -c get images/escape-dir-link/secret got2 > out2 2>&1
refused "tftp-hpa get through a directory symlink leaving the root: ERROR 2" out2 got2 "Error code 2"
tftp 127.0.0.1 "$port" -m binary -c get images got3 > out3 2>&1
refused "tftp-hpa get of a directory: ERROR 2" out3 got3 "Error code 2"
atftp -g -r images/../../secret -l got4 127.0.0.1 "$port" > out4 2>&1
refused "atftp images/../../secret: access violation, no byte" out4 got4 "Access violation"
atftp -g -r null-device -l got5 127.0.0.1 "$port" > out5 2>&1
refused "atftp of a device node: access violation, no byte" out5 got5 "Access violation"
atftp --option "blksize 7" --option "windowsize 0" -g -r images/small.img -l got6 127.0.0.1 "$port" > out6 2>&1
if cmp -s got6 root/images/small.img; then pass "atftp with out-of-range blksize 7 and windowsize 0 still gets the file"
else fail "atftp with out-of-range blksize 7 and windowsize 0 still gets the file" "$(head -3 out6)"; fi
cd "$repo"

if kill -0 "$serve_pid" 2> /dev/null; then pass "serve is still running after every hostile request"; else
    fail "serve is still running after every hostile request" "$(tail -5 "$work/serve.err")"
fi
# Refusals are logged with the reason; malformed datagrams are counted, and nothing is logged above notice for
# a request the server answered correctly.
if grep -q "TFTP request refused" "$work/serve.err"; then pass "refusals are logged with their reason"; else
    fail "refusals are logged with their reason" "$(grep -c . "$work/serve.err") log lines"
fi
if ! grep -qE "^\S+ (error|critical) " "$work/serve.err"; then
    pass "no hostile request is logged as a server error"
else
    fail "no hostile request is logged as a server error" "$(grep -E '^\S+ (error|critical)' "$work/serve.err" | head -3)"
fi
if grep -q 'reply=ERROR 4 "Malformed request".*Refusing undecodable TFTP request' "$work/serve.err" &&
    ! grep -q "Ignoring undecodable TFTP datagram" "$work/serve.err"; then
    pass "an undecodable request is logged as refused, with the ERROR sent back"
else
    fail "an undecodable request is logged as refused, with the ERROR sent back" \
        "$(grep -m2 -i "undecodable" "$work/serve.err")"
fi
# The vanishing client's transfer (timeout 1) retransmits once after a second and draws ICMP port-unreachable.
for _ in $(seq 1 50); do grep -q "file=images/vanish.img.*TFTP client went away" "$work/serve.err" && break; sleep 0.1; done
if grep -q "file=images/vanish.img.*TFTP client went away" "$work/serve.err" &&
    ! grep -q "file=images/vanish.img.*TFTP transfer failed" "$work/serve.err"; then
    pass "a client whose port answers unreachable ends its transfer at once, logged as gone"
else
    fail "a client whose port answers unreachable ends its transfer at once, logged as gone" \
        "$(grep -m3 "vanish.img" "$work/serve.err")"
fi
if ! grep -q "^FORGED-LOG-LINE" "$work/serve.err" && grep -q 'evil\\u{a}FORGED-LOG-LINE' "$work/serve.err"; then
    pass "a newline in a requested name is escaped in the log, never a forged line"
else
    fail "a newline in a requested name is escaped in the log, never a forged line" "$(grep -m2 FORGED "$work/serve.err")"
fi
loopback_serve_stop
report tftp-hostile
