#!/usr/bin/env bash
# Real TFTP clients (curl, atftp, tftp-hpa) against `rackboot serve` on 127.0.0.1 and a random high port.
# Every check compares the sha256 of what arrived with the source; refusals must deliver no byte.
# Usage: Tests/integration/tftp-clients.sh path/to/rackboot   (run from anywhere)
set -uo pipefail
rackboot=$(realpath "${1:?usage: tftp-clients.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
source Tests/lib/report.sh
source Tests/lib/loopback-serve.sh
cleanup() {
    loopback_serve_kill
    rm -rf "$work"
}
trap cleanup EXIT
sha() { sha256sum "$1" 2> /dev/null | cut -d' ' -f1; }

# same_file NAME SOURCE RECEIVED CLIENT-OUTPUT-FILE
same_file() {
    if [ -s "$3" ] && [ "$(sha "$2")" = "$(sha "$3")" ]; then
        pass "$1"
    else
        fail "$1" "sha256 $(sha "$3") of $(stat -c %s "$3" 2> /dev/null || echo missing) bytes, expected $(sha "$2")" \
            "$(head -5 "$4" 2> /dev/null)"
    fi
}

# The root: a 40 MiB file (81920 blocks of 512: the block number wraps past 65535), a small one, and a symlink
# pointing out of the root at a secret beside it.
mkdir -p "$work/root/images"
head -c $((40 * 1024 * 1024)) /dev/urandom > "$work/root/images/big.img"
head -c 300000 /dev/urandom > "$work/root/images/small.img"
echo "secret outside the root" > "$work/secret"
ln -s ../secret "$work/root/escape-link"

loopback_serve_start "$rackboot" "$work/root" "$work"
url="tftp://127.0.0.1:$port"
cd "$work"  # the clients write where they run (tftp-hpa get, atftp -l)

mac=52:54:00:20:00:11
"$rackboot" render "$mac" --config "$work/serve.yaml" > rendered.cfg 2> /dev/null
curl -sS --max-time 10 "$url/pxelinux.cfg/01-52-54-00-20-00-11" -o got.cfg > curl.out 2>&1
same_file "curl gets the rendered pxelinux.cfg/01-<mac> that render prints" rendered.cfg got.cfg curl.out

curl -sS --max-time 30 --tftp-blksize 512 "$url/images/big.img" -o got.big512 > curl.out 2>&1
same_file "curl blksize 512: 40 MiB file across the block-number rollover" root/images/big.img got.big512 curl.out
rm -f got.big512

atftp --option "blksize 512" -g -r images/big.img -l got.atftp512 127.0.0.1 "$port" > atftp.out 2>&1
same_file "atftp blksize 512: 40 MiB file across the block-number rollover" root/images/big.img got.atftp512 atftp.out
rm -f got.atftp512

atftp --option "windowsize 16" --option "blksize 1468" -g -r images/big.img -l got.window 127.0.0.1 "$port" \
    > atftp.out 2>&1
same_file "atftp windowsize 16 blksize 1468: 40 MiB file" root/images/big.img got.window atftp.out
rm -f got.window

# Windows leave as UDP GSO sends; the client must get exactly the datagrams a sendmmsg would have sent. 300000 bytes
# end in a window of 12 full blocks and a short one; 8 blocks of 8196 bytes exceed one GSO send's 65507.
atftp --option "windowsize 32" --option "blksize 1468" -g -r images/small.img -l got.window32 127.0.0.1 "$port" \
    > atftp.out 2>&1
same_file "atftp windowsize 32 blksize 1468: small file, short final block inside a window" root/images/small.img \
    got.window32 atftp.out
atftp --option "windowsize 8" --option "blksize 8192" -g -r images/small.img -l got.window8k 127.0.0.1 "$port" \
    > atftp.out 2>&1
same_file "atftp windowsize 8 blksize 8192: small file, windows split across GSO sends" root/images/small.img \
    got.window8k atftp.out

atftp --option "tsize 0" --trace -g -r images/small.img -l got.tsize 127.0.0.1 "$port" > atftp.out 2>&1
same_file "atftp tsize 0: small file" root/images/small.img got.tsize atftp.out
if grep -q "received OACK <tsize: 300000" atftp.out; then pass "atftp tsize 0: the OACK carries the size"; else
    fail "atftp tsize 0: the OACK carries the size" "$(head -10 atftp.out)"
fi

curl -sS --max-time 30 --tftp-blksize 1468 "$url/images/small.img" -o got.curl1468 > curl.out 2>&1
same_file "curl blksize 1468: small file" root/images/small.img got.curl1468 curl.out

tftp 127.0.0.1 "$port" -m binary -c get images/small.img got.hpa > hpa.out 2>&1
same_file "tftp-hpa get: small file" root/images/small.img got.hpa hpa.out

# Refusals. tftp-hpa exits 0 on a TFTP error: its output and the absence of the file are what count.
echo "should never be written" > upload.txt
tftp 127.0.0.1 "$port" -m binary -c put upload.txt uploaded.txt > put.out 2>&1
if grep -q "Error code 2" put.out && [ ! -e root/uploaded.txt ]; then
    pass "tftp-hpa put (WRQ) gets ERROR 2 and nothing is written"
else
    fail "tftp-hpa put (WRQ) gets ERROR 2 and nothing is written" "$(head -3 put.out)" "$(ls root)"
fi

atftp -p -l upload.txt -r uploaded2.txt 127.0.0.1 "$port" > put.out 2>&1
if [ ! -e root/uploaded2.txt ] && grep -qi "error.*2\|access\|read-only" put.out; then
    pass "atftp put (WRQ) gets an access violation and nothing is written"
else
    fail "atftp put (WRQ) gets an access violation and nothing is written" "$(head -3 put.out)"
fi

# refused NAME OUTPUT RECEIVED CLIENT-OUTPUT-FILE PATTERN: the client reported the error and got no byte.
refused() {
    if [ ! -s "$3" ] && grep -qE "$4" "$2"; then pass "$1"; else fail "$1" "$(head -3 "$2")" "received: $(head -c 60 "$3" 2> /dev/null)"; fi
}
tftp 127.0.0.1 "$port" -m binary -c get ../secret got.escape1 > escape.out 2>&1
refused "tftp-hpa get ../secret: ERROR 2, no byte from outside the root" escape.out got.escape1 "Error code 2"
# curl only says "TFTP error: Access violation" with -v; its exit status 69 (CURLE_REMOTE_ACCESS_DENIED) is ERROR 2.
curl -sS --max-time 10 --path-as-is "$url/../../secret" -o got.escape2 > escape.out 2>&1
echo "curl exit status $?" >> escape.out
refused "curl ../../secret (path as is): access violation, no byte" escape.out got.escape2 "curl exit status 69"
atftp -g -r "$work/secret" -l got.escape3 127.0.0.1 "$port" > escape.out 2>&1
refused "atftp absolute path outside the root: ERROR 1 or 2, no byte" escape.out got.escape3 "<(File not found|Access violation)>"
tftp 127.0.0.1 "$port" -m binary -c get escape-link got.escape4 > escape.out 2>&1
refused "tftp-hpa get of a symlink leaving the root: ERROR 2, no byte" escape.out got.escape4 "Error code 2"

cd "$OLDPWD"
loopback_serve_stop
if grep -q "TFTP transfer complete" "$work/serve.err" && grep "TFTP transfer complete" "$work/serve.err" |
    grep -q "blksize=512.*windowsize=1\|windowsize=1.*blksize=512"; then
    pass "serve logs each finished transfer with blksize and windowsize"
else
    fail "serve logs each finished transfer with blksize and windowsize" "$(grep -m2 'transfer complete' "$work/serve.err")"
fi

report tftp
