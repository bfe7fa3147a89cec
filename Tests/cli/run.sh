#!/usr/bin/env bash
# Runs the rackboot binary as an admin would and checks what it prints and how it exits.
# Usage: Tests/cli/run.sh path/to/rackboot   (run from anywhere; it works from the repository root)
set -uo pipefail
rackboot=$(realpath "${1:?usage: run.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
source Tests/lib/report.sh
example=docs/examples/rackboot.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# expect_exit NAME CODE COMMAND... : runs COMMAND, keeps stdout in $work/out and stderr in $work/err.
expect_exit() {
    local name=$1 code=$2
    shift 2
    "$@" > "$work/out" 2> "$work/err"
    local actual=$?
    if [ "$actual" -eq "$code" ]; then pass "$name"; else fail "$name" "exit $actual, expected $code" "$(head -5 "$work/err")"; fi
}

expect_contains() { # NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "no '$3' in:" "$(head -20 "$2")"; fi
}

expect_exit "--version" 0 "$rackboot" --version
expect_contains "--version prints the version" "$work/out" "0.1.0"
for command in check render serve leases; do
    expect_exit "$command --help" 0 "$rackboot" "$command" --help
    expect_contains "$command --help names --config" "$work/out" "--config"
done

expect_exit "check passes on the example" 0 "$rackboot" check --config "$example"
expect_contains "check summarises the example" "$work/out" "10 machines, 4 templates: 0 errors"

# Every example MAC renders in every format, as the machine it belongs to.
while read -r file mac; do
    host=$(sed -n 's/^hostname: //p' "$file")
    state=$(sed -n 's/^state: //p' "$file")
    for format in pxelinux grub ipxe; do
        expect_exit "render $mac --format $format" 0 "$rackboot" render "$mac" --format "$format" --config "$example"
        expect_contains "render $mac names $host" "$work/err" "is $host ("
        if [ "$state" = local ]; then
            case $format in pxelinux) want="LOCALBOOT 0" ;; grub) want="exit" ;; ipxe) want="exit 1" ;; esac
        else
            want="hostname=$host"
            [ "$(sed -n 's/^template: //p' "$file")" = debian12 ] && want="netcfg/get_hostname=$host"
        fi
        expect_contains "render $mac --format $format boots what $host should" "$work/out" "$want"
    done
done < <(grep -H '^  - ' profiles/*.yaml | sed 's/:  - / /')

expect_exit "render of an unknown MAC" 0 "$rackboot" render 52:54:00:99:99:99 --config "$example"
expect_contains "an unknown MAC gets the default config" "$work/err" "pxelinux.cfg/default"
expect_contains "the default config boots the local disk" "$work/out" "LOCALBOOT 0"
expect_exit "render rejects a malformed MAC" 64 "$rackboot" render 52:54:00:99:99 --config "$example"
expect_contains "render says why the MAC is refused" "$work/err" "is not a MAC address"

# A copied profile claims its MAC twice: check fails and names both files with their lines.
cp -r profiles "$work/profiles"
cp "$work/profiles/web-01.yaml" "$work/profiles/web-01-copy.yaml"
expect_exit "check fails on a MAC claimed twice" 1 "$rackboot" check --config "$example" --profiles "$work/profiles"
expect_contains "the duplicate names the copy with its line" "$work/out" "web-01.yaml:3:5: error: MAC 52:54:00:20:00:11 is also claimed by"
expect_contains "the duplicate notes the first file with its line" "$work/out" "web-01-copy.yaml:3:5: note: first claimed here"

for fixture in broken-profiles broken-config; do
    expect_exit "check fails on $fixture" 1 "$rackboot" check --config "Tests/Fixtures/$fixture/rackboot.yaml"
    if diff -u "Tests/Fixtures/$fixture/expected-check.txt" "$work/out" > "$work/diff"; then
        pass "check lists every problem of $fixture at its file and line"
    else
        fail "check lists every problem of $fixture at its file and line" "$(head -30 "$work/diff")"
    fi
done

expect_exit "check --strict fails on warnings" 1 "$rackboot" check --strict --config "$example"

# UEFI HTTP boot of GRUB from a port other than 80: GRUB 2.06 cannot reach its config there, so check warns at the key.
mkdir -p "$work/httpboot/root" "$work/httpboot/profiles"
: > "$work/httpboot/root/grubx64.efi"
: > "$work/httpboot/root/pxelinux.0"
: > "$work/httpboot/root/ldlinux.c32"
printf 'boot:\n  next_server: 10.20.0.2\n  files: {bios: pxelinux.0, efi_x64: grubx64.efi}\n  http_files:\n    efi_x64: grubx64.efi\ntftp:\n  root: root\nhttp:\n  port: 8080\n' \
    > "$work/httpboot/rackboot.yaml"
expect_exit "check passes a GRUB HTTP boot on port 8080 with a warning" 0 "$rackboot" check --config "$work/httpboot/rackboot.yaml"
expect_contains "the warning names http_files.efi_x64 with its line" "$work/out" \
    "rackboot.yaml:5:14: warning: http_files.efi_x64: GRUB loaded by UEFI HTTP boot"
expect_exit "a missing configuration file" 1 "$rackboot" check --config "$work/none.yaml"
expect_contains "a missing configuration file is named" "$work/out" "none.yaml:1:1: error: cannot read the configuration file"
expect_exit "serve refuses a broken set" 1 "$rackboot" serve --config Tests/Fixtures/broken-profiles/rackboot.yaml

# serve: TFTP on a loopback port (no subnet names an interface, so DHCP is off), a rendered config fetched with
# curl, then a graceful stop on SIGTERM. DHCP is tested in namespaces by Tests/integration/dhcp-clients.sh.
mkdir -p "$work/root"
port=$((20000 + RANDOM % 20000))
sed -e "s|^profiles: .*|profiles: $PWD/profiles|" -e "s|^  root: .*|  root: $work/root\n  address: 127.0.0.1\n  port: $port|" \
    -e "s|^state_directory: .*|state_directory: $work/state|" -e "s|^  port: 80$|  address: 127.0.0.1\n  port: $((port + 1))|" -e "/^      interface: /d" "$example" > "$work/serve.yaml"
"$rackboot" serve --config "$work/serve.yaml" > "$work/serve.out" 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 1 50); do grep -q "TFTP server listening" "$work/serve.err" && break; sleep 0.1; done
expect_contains "serve loads the inventory first" "$work/serve.err" "machines=10"
if curl -sS --max-time 10 "tftp://127.0.0.1:$port/pxelinux.cfg/01-52-54-00-20-00-11" -o "$work/served" 2> "$work/curl.err" &&
    "$rackboot" render 52:54:00:20:00:11 --config "$work/serve.yaml" 2> /dev/null | cmp -s - "$work/served"; then
    pass "serve gives curl exactly what render prints"
else
    fail "serve gives curl exactly what render prints" "$(cat "$work/curl.err")"
fi
kill -TERM "$serve_pid"
wait "$serve_pid"
status=$?
if [ "$status" -eq 0 ]; then pass "serve stops with status 0 on SIGTERM"; else fail "serve stops with status 0 on SIGTERM" "status $status"; fi

expect_exit "make tftproot copies the boot loaders" 0 make --no-print-directory tftproot TFTPROOT="$work/tftproot"
for loader in pxelinux.0 ldlinux.c32 syslinux.efi ldlinux.e64; do
    if [ -s "$work/tftproot/$loader" ]; then pass "tftproot has $loader"; else fail "tftproot has $loader" "missing"; fi
done

report cli
