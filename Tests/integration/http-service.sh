#!/usr/bin/env bash
# The HTTP service as admins and installers use it: curl against `rackboot serve` on 127.0.0.1 (HTTP and TFTP each on a
# free high port, its own configuration, profiles and root). Files arrive byte for byte (sha256 against the disk, and
# against tftp-hpa for rendered configs and root files), byte ranges, HEAD, keep-alive, 405, rendered configs equal
# to `rackboot render`, answer files only to the machine's own address, the install callback (wrong token, right
# token, replay) and the lifecycle it drives across a restart and `rackboot reinstall`, and sendfile for root files
# (the first server runs under strace when strace is installed: make deps installs it).
# Usage: Tests/integration/http-service.sh path/to/rackboot
set -uo pipefail
rackboot=$(realpath "${1:?usage: http-service.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
source Tests/lib/report.sh
source Tests/lib/http-serve.sh
http_serve_cleanup_on_exit
sha() { sha256sum "$1" 2> /dev/null | cut -d' ' -f1; }
# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name" "${detail:-}"; fi
    detail=
}
detail=
# same NAME EXPECTED-FILE GOT-FILE
same() {
    detail="got $(stat -c %s "$3" 2> /dev/null || echo no) bytes (sha256 $(sha "$3"))"
    detail+=", expected $(stat -c %s "$2") bytes"
    check "$1" test -s "$3" -a "$(sha "$2")" = "$(sha "$3")"
}
# m1's lifecycle field FIELD as `rackboot machines --json` reports it.
m1_field() {
    "$rackboot" machines --config "$config" --json 2> /dev/null |
        python3 -c 'import json, sys
print(next(m.get(sys.argv[1], "") for m in json.load(sys.stdin) if m["hostname"] == "m1"))' "$1"
}
curl() { command curl -sS --max-time 10 "$@"; }
# logged PATTERN: the current server's log has a line matching PATTERN (ERE) within 3 s (logging runs in the
# background: a line can trail the response).
logged() {
    for _ in $(seq 1 30); do
        grep -qE "$1" "$serve_log" && return 0
        sleep 0.1
    done
    return 1
}

http_serve_setup "$work"
root=$work/root
big=$root/e2e/big.img
head -c $((20 << 20)) /dev/urandom > "$big"
size=$(stat -c %s "$big")
head -c 300000 /dev/urandom > "$root/e2e/small.img"
m1=52:54:00:aa:00:01
m1_dashes=52-54-00-aa-00-01

tracer=()
if command -v strace > /dev/null; then
    tracer=(strace -f --seccomp-bpf -e trace=sendfile -o "$work/strace.out")
fi
http_serve_start "$rackboot" "${tracer[@]}"
cd "$work"

# --- Files under the root, whole and in ranges. ---
curl -o got.big "$http_url/e2e/big.img" 2> curl.err
same "curl gets a 20 MiB root file whole: sha256 equals the file on disk" "$big" got.big
rm -f got.big
curl -o got.small "$http_url/e2e/small.img" 2> curl.err
tftp 127.0.0.1 "$tftp_port" -m binary -c get e2e/small.img got.small.tftp > tftp.out 2>&1
same "a root file over HTTP equals the file on disk" root/e2e/small.img got.small
same "a root file over HTTP equals what tftp-hpa gets over TFTP" got.small.tftp got.small

# range NAME RANGE EXPECTED-CONTENT-RANGE EXPECTED-FIRST-BYTE EXPECTED-LENGTH
range() {
    local headers
    curl -D range.h -o range.body -r "$2" "$http_url/e2e/big.img" 2> curl.err
    headers=$(tr -d '\r' < range.h)
    tail -c +$(($4 + 1)) "$big" | head -c "$5" > range.expected
    if grep -q "^HTTP/1.1 206" <<< "$headers" && grep -qix "content-range: $3" <<< "$headers" &&
        grep -qix "content-length: $5" <<< "$headers" && cmp -s range.body range.expected; then
        pass "$1"
    else
        fail "$1" "$(head -1 <<< "$headers"), $(grep -i '^content-range' <<< "$headers")" \
            "$(stat -c %s range.body) bytes"
    fi
}
range "Range 0-99: 206, Content-Range bytes 0-99/$size, the first 100 bytes" 0-99 "bytes 0-99/$size" 0 100
range "suffix Range -100: 206 with the last 100 bytes" -100 "bytes $((size - 100))-$((size - 1))/$size" \
    $((size - 100)) 100
range "open Range $((size - 1000))-: 206 with the last 1000 bytes" "$((size - 1000))-" \
    "bytes $((size - 1000))-$((size - 1))/$size" $((size - 1000)) 1000
range "Range past the file's last byte is clamped: 206" "$((size - 10))-$((size + 5000))" \
    "bytes $((size - 10))-$((size - 1))/$size" $((size - 10)) 10
status=$(curl -D past.h -o past.body -w '%{http_code}' -r "$size-" "$http_url/e2e/big.img" 2> curl.err)
detail="status $status, $(grep -i content-range past.h), $(stat -c %s past.body) bytes"
check "Range $size- (past the end): 416 with Content-Range: bytes */$size and no body" \
    test "$status" = 416 -a ! -s past.body -a -n "$(tr -d '\r' < past.h | grep -ix "content-range: bytes \*/$size")"
status=$(curl -D multi.h -o multi.body -w '%{http_code}' -r 0-9,20-29 "$http_url/e2e/big.img" 2> curl.err)
detail="status $status"
check "two ranges at once: the whole file with 200 (single ranges only)" test "$status" = 200 -a \
    "$(sha multi.body)" = "$(sha "$big")"
rm -f multi.body

# --- HEAD: the GET's headers and no body. ---
curl -I -o head.h "$http_url/e2e/big.img" 2> curl.err
detail="$(tr -d '\r' < head.h | head -3 | tr '\n' ' ')"
check "HEAD: 200 with Content-Length: $size" grep -qix "content-length: $size" <(tr -d '\r' < head.h)
# Raw, so that a body after the headers would show: the connection closes right after the blank line.
raw_head() {
    exec 3<> "/dev/tcp/127.0.0.1/$http_port"
    printf 'HEAD %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
    timeout 5 cat <&3 > head.raw
    exec 3<&-
}
raw_head /e2e/big.img
detail="$(stat -c %s head.raw) bytes in all; after the headers: $(python3 -c 'import sys
d = open(sys.argv[1], "rb").read(); print(len(d) - d.find(b"\r\n\r\n") - 4)' head.raw) bytes"
check "HEAD sends no body: the response ends with its blank line" python3 -c 'import sys
d = open(sys.argv[1], "rb").read(); sys.exit(not (d.startswith(b"HTTP/1.1 200") and d.endswith(b"\r\n\r\n")
    and d.count(b"\r\n\r\n") == 1))' head.raw

# --- Keep-alive: one curl, two URLs, one connection. ---
connects=$(curl -o ka1 -o ka2 -w '%{num_connects}\n' "$http_url/e2e/small.img" "$http_url/e2e/vmlinuz" 2> curl.err |
    awk '{ n += $1 } END { print n }')
detail="num_connects summed to $connects; $(cat curl.err)"
check "keep-alive: curl fetches two URLs over one connection (num_connects sums to 1)" \
    test "$connects" = 1 -a "$(sha ka1)" = "$(sha root/e2e/small.img)" -a "$(sha ka2)" = "$(sha root/e2e/vmlinuz)"

# --- Methods. ---
status=$(curl -D delete.h -o /dev/null -w '%{http_code}' -X DELETE "$http_url/e2e/small.img" 2> curl.err)
detail="status $status, $(grep -i '^allow' delete.h)"
check "DELETE of a file: 405 with Allow: GET, HEAD" test "$status" = 405 -a \
    -n "$(tr -d '\r' < delete.h | grep -ix 'allow: GET, HEAD')"
status=$(curl -D put.h -o /dev/null -w '%{http_code}' -X PUT "$http_url/callback/m1/x" 2> curl.err)
detail="status $status, $(grep -i '^allow' put.h)"
check "PUT to a callback: 405 with Allow: GET, POST" test "$status" = 405 -a \
    -n "$(tr -d '\r' < put.h | grep -ix 'allow: GET, POST')"
check "the DELETE removed nothing" test "$(sha root/e2e/small.img)" = "$(sha got.small)"

# --- Rendered configs: the same bytes as `rackboot render` and as TFTP. ---
for format in pxelinux grub ipxe; do
    case $format in
        pxelinux) name=pxelinux.cfg/01-$m1_dashes ;;
        grub) name=grub/grub.cfg-01-$m1_dashes ;;
        ipxe) name=ipxe/01-$m1_dashes.ipxe ;;
    esac
    "$rackboot" render "$m1" --format "$format" --config "$config" > "render.$format" 2> /dev/null
    curl -o "http.$format" "$http_url/$name" 2> curl.err
    same "HTTP /$name equals rackboot render --format $format" "render.$format" "http.$format"
done
tftp 127.0.0.1 "$tftp_port" -m binary -c get "pxelinux.cfg/01-$m1_dashes" tftp.pxelinux > tftp.out 2>&1
same "HTTP and TFTP serve the same rendered pxelinux.cfg/01-<mac>" tftp.pxelinux http.pxelinux
curl -o range.cfg -r 0-9 "$http_url/pxelinux.cfg/01-$m1_dashes" 2> curl.err
head -c 10 render.pxelinux > range.cfg.expected
same "Range 0-9 of a rendered config: its first 10 bytes" range.cfg.expected range.cfg
check "m1's iPXE script boots the installer kernel" grep -q "^kernel /e2e/vmlinuz" http.ipxe

# --- sendfile for root files. ---
if [ ${#tracer[@]} -gt 0 ]; then
    # Every whole transfer of big.img went out by sendfile: the calls of 1 MiB add up to the file, from offset 0.
    read -r calls moved < <(awk '/sendfile\(.*= [0-9]+$/ { n++; s += $NF } END { print n + 0, s + 0 }' strace.out)
    detail="$calls sendfile calls moved $moved bytes; $(head -3 strace.out)"
    check "root files go out by sendfile: $calls calls moved at least 2 x $size bytes (big.img twice)" \
        test "$calls" -ge 20 -a "$moved" -ge $((2 * size))
    detail="$(grep -m3 '=> \[100\]' strace.out)"
    check "Range 0-99 is one sendfile of 100 bytes from offset 0" \
        grep -qE 'sendfile\(.*\[0\] => \[100\], 100\) = 100$' strace.out
else
    fail "strace is installed to see sendfile (make deps installs it)"
fi

# --- Answer files: only to the machine's own address. ---
status=$(curl --interface 127.0.0.5 -o answer.m1 -w '%{http_code}' "$http_url/files/m1/install.env" 2> curl.err)
detail="status $status: $(head -3 answer.m1) $(cat curl.err)"
check "m1's answer file from 127.0.0.5 (m1's ip): 200 with its hostname and IP" test "$status" = 200 -a \
    -n "$(grep -x 'RACKBOOT_HOSTNAME=m1' answer.m1)" -a -n "$(grep -x 'RACKBOOT_IP=127.0.0.5' answer.m1)"
token=$(sed -n 's|^RACKBOOT_CALLBACK=.*/callback/m1/||p' answer.m1)
detail="callback line: $(grep CALLBACK answer.m1)"
check "m1's answer file carries the callback URL with a token" test -n "$token" -a "$(grep -c . <<< "$token")" = 1 \
    -a -n "$(grep -x "RACKBOOT_CALLBACK=$http_url/callback/m1/$token" answer.m1)"
for source in 127.0.0.6 127.0.0.1; do
    status=$(curl --interface "$source" -o answer.other -w '%{http_code}' "$http_url/files/m1/install.env" 2> curl.err)
    detail="status $status: $(head -2 answer.other)"
    check "m1's answer file from $source: 403 and none of it" test "$status" = 403 -a \
        -z "$(grep -e RACKBOOT -e "$token" answer.other)"
done
detail="$(grep 'files/m1' "$serve_log" | tail -2)"
check "the refused answer file is logged with the source address" \
    logged "ip=127\.0\.0\.6 .*method=GET path=/files/m1/install.env .*status=403 .*HTTP request refused"
status=$(curl --interface 127.0.0.6 -o answer.m2 -w '%{http_code}' "$http_url/files/m2/install.env" 2> curl.err)
detail="status $status"
check "m2's answer file from 127.0.0.6: 200 with m2's hostname" test "$status" = 200 -a \
    -n "$(grep -x 'RACKBOOT_HOSTNAME=m2' answer.m2)"
status=$(curl --interface 127.0.0.5 -o /dev/null -w '%{http_code}' "$http_url/files/m1/no-such-file" 2> curl.err)
detail="status $status"
check "a name m1's template does not list: 404" test "$status" = 404

# --- The install callback. ---
status=$(curl --interface 127.0.0.5 -o /dev/null -w '%{http_code}' -X POST "$http_url/callback/m1/0123wrong" \
    2> curl.err)
detail="status $status"
check "callback with a wrong token: 403" test "$status" = 403
detail="$(grep 'Install callback' "$serve_log" | tail -2)"
check "the wrong token is logged: Install callback refused, with ip= and reason" \
    logged "ip=127\.0\.0\.5 .*reason=wrong install token.*Install callback refused"
status=$(curl --interface 127.0.0.6 -o /dev/null -w '%{http_code}' -X POST "$http_url/callback/m1/$token" 2> curl.err)
detail="status $status"
check "callback with the right token from another machine's address (127.0.0.6): 403" test "$status" = 403
detail="$(grep 'Install callback' "$serve_log" | tail -1)"
check "the callback from the wrong address is logged with that address" \
    logged "ip=127\.0\.0\.6 .*Install callback refused"
lifecycle=$(m1_field lifecycle)
detail="lifecycle $lifecycle"
check "after the refused callbacks m1 is not installed" test "$lifecycle" != installed

status=$(curl --interface 127.0.0.5 -o callback.body -w '%{http_code}' -X POST "$http_url/callback/m1/$token" \
    2> curl.err)
detail="status $status: $(cat callback.body)"
check "callback with the right token from 127.0.0.5: 200" test "$status" = 200
lifecycle=$(m1_field lifecycle)
installed_at=$(m1_field installed_at)
install_count=$(m1_field install_count)
detail="lifecycle '$lifecycle'"
check "rackboot machines --json: m1 is installed" test "$lifecycle" = installed
curl -o installed.ipxe "$http_url/ipxe/01-$m1_dashes.ipxe" 2> curl.err
detail="$(cat installed.ipxe)"
check "m1's iPXE script now boots the local disk (sanboot / exit, no kernel)" test -n "$(grep sanboot installed.ipxe)" \
    -a -n "$(grep '^exit' installed.ipxe)" -a -z "$(grep '^kernel' installed.ipxe)"
status=$(curl --interface 127.0.0.5 -o /dev/null -w '%{http_code}' "$http_url/callback/m1/$token" 2> curl.err)
detail="status $status"
check "a replay of the same callback URL: 403" test "$status" = 403
detail="now: $(m1_field lifecycle) at $(m1_field installed_at), count $(m1_field install_count); before: $lifecycle at \
$installed_at, count $install_count"
check "the replay changed nothing (lifecycle, installed_at, install_count)" \
    test "$(m1_field lifecycle)" = installed -a \
    "$(m1_field installed_at)" = "$installed_at" -a "$(m1_field install_count)" = "$install_count"

# --- The installed state survives a restart. ---
cd "$OLDPWD"
http_serve_stop
http_serve_start "$rackboot"
cd "$work"
lifecycle=$(m1_field lifecycle)
detail="lifecycle '$lifecycle'"
check "after a restart m1 is still installed" \
    test "$lifecycle" = installed -a "$(m1_field installed_at)" = "$installed_at"
curl -o restarted.ipxe "$http_url/ipxe/01-$m1_dashes.ipxe" 2> curl.err
detail="$(cat restarted.ipxe)"
check "after a restart m1's iPXE script still boots the local disk" cmp -s restarted.ipxe installed.ipxe
status=$(curl --interface 127.0.0.5 -o /dev/null -w '%{http_code}' -X POST "$http_url/callback/m1/$token" 2> curl.err)
detail="status $status"
check "after a restart a replay of the used callback is still 403" test "$status" = 403

# --- rackboot reinstall: back to the installer, with a new token. ---
"$rackboot" reinstall m1 --config "$config" > reinstall.out 2>&1
reinstall_status=$?
detail="$(cat reinstall.out)"
check "rackboot reinstall m1 exits 0" test "$reinstall_status" -eq 0
lifecycle=$(m1_field lifecycle)
detail="lifecycle '$lifecycle'"
check "rackboot machines --json: m1 is reinstall pending" test "$lifecycle" = "reinstall pending"
curl -o reinstall.ipxe "$http_url/ipxe/01-$m1_dashes.ipxe" 2> curl.err
detail="$(cat reinstall.ipxe)"
check "after reinstall m1's iPXE script boots the installer kernel again" grep -q "^kernel /e2e/vmlinuz" reinstall.ipxe
check "after reinstall the iPXE script is the one rackboot render prints" cmp -s reinstall.ipxe \
    <("$rackboot" render "$m1" --format ipxe --config "$config" 2> /dev/null)
curl --interface 127.0.0.5 -o answer.again "$http_url/files/m1/install.env" 2> curl.err
token2=$(sed -n 's|^RACKBOOT_CALLBACK=.*/callback/m1/||p' answer.again)
detail="old $token, new $token2"
check "the reinstall's answer file carries a new token" test -n "$token2" -a "$token2" != "$token"
status=$(curl --interface 127.0.0.5 -o /dev/null -w '%{http_code}' -X POST "$http_url/callback/m1/$token" 2> curl.err)
detail="status $status, lifecycle $(m1_field lifecycle)"
check "the previous install's token is refused after reinstall: 403, not installed" test "$status" = 403 -a \
    "$(m1_field lifecycle)" != installed

cd "$OLDPWD"
http_serve_stop
if ! grep -qE "^\S+ (error|critical) " "$work"/serve-*.err; then pass "nothing is logged as an error"; else
    fail "nothing is logged as an error" "$(grep -hE '^\S+ (error|critical) ' "$work"/serve-*.err | head -3)"
fi
detail="$(grep -h -m1 -F -e "$token" -e "$token2" "$work"/serve-*.err)"
check "no install token is ever written to the log" test -z "$(grep -h -F -e "$token" -e "$token2" "$work"/serve-*.err)"
report http-service
