#!/usr/bin/env bash
# make demo: the whole life of one machine, with the commands an admin types. In a private network namespace
# (bridge br0 = 10.88.0.2/24, one tap; 10.88.0.0/24 exists only there) it writes one profile, demo-01 in state
# install with the e2e installer's template and its answer file, and a configuration with `http:`; runs
# `rackboot check`, starts `rackboot serve` and shows `rackboot machines` (never seen). Then a QEMU machine
# (SeaBIOS + iPXE, an empty disk) boots three times:
#   1. DHCP, its iPXE script, kernel and initrd over HTTP; the installer fetches its answer file, streams the disk
#      image onto the disk and calls back: `rackboot machines` says installed;
#   2. Rackboot hands it its disk: the installed system prints RACKBOOT-DISK-MARKER with its install id;
#   `rackboot reinstall demo-01`: `rackboot machines` says reinstall pending;
#   3. it installs again, with a new install id.
# Rackboot's log (DHCP acknowledgements, HTTP requests served, the lifecycle) and the machine's markers are shown as
# they happen. Every step is checked (Tests/e2e/lib/install-common.sh, shared with Tests/e2e/install.sh); the last
# line says what the machine did, or "demo: FAILED: <step>" (exit 1). Each boot is bounded (vm_seconds, 240 s).
# Usage: demo.sh path/to/rackboot   (as root)
set -uo pipefail
rackboot=$(realpath "${1:?usage: demo.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
host=demo-01 mac=52:54:00:e2:30:01 ip=10.88.0.11
ns=rbdemo$$
namespaces=("$ns")
work=$(mktemp -d)
source Tests/e2e/lib/install-common.sh

# The checks report through pass and fail: a passed check is silent; the first failed one prints what was seen and
# ends the demo, whose last line (printed after the cleanup) names the step.
result=
pass() { :; }
fail() { # step detail...
    local step=$1
    shift
    [ $# -gt 0 ] && printf '     %s\n' "$@"
    result="demo: FAILED: $step"
    exit 1
}
finish() {
    local status=$?
    install_cleanup
    [ $status -eq 130 ] && : "${result:=demo: FAILED: interrupted}"
    echo "${result:-demo: FAILED: stopped before the end (exit status $status)}"
}
trap finish EXIT
trap 'exit 130' INT TERM

# The commands an admin types: shown, then run in the demo's folder (where rackboot.yaml and profiles/ are).
rackboot() { "$rackboot" "$@"; }
admin() {
    printf '\n$ %s\n' "$*"
    (cd "$work" && "$@")
}

# Rackboot's log and the VM's console, as they grow: the new lines since the last call, filtered.
shown_log=0 shown_console=0 watching=
format_log() {
    grep -a -E 'server listening|\] ready|DHCPREQUEST acknowledged|HTTP request served|\] Machine ' |
        sed -E -e 's/ (message_id|message_type|xid)=[^ ]*//g' \
            -e 's/^[0-9-]+T([0-9:]+)[^ ]* [a-z]+ rackboot: (.*)\[[A-Za-z]+\] (.*)$/[rackboot \1] \3: \2/' -e 's/[: ]+$//'
}
complete_lines() { local count; count=$( { wc -l < "$1"; } 2>/dev/null); echo "${count:-0}"; }
show_new() {
    local total
    total=$(complete_lines "$log")
    [ "$total" -gt "$shown_log" ] && sed -n "$((shown_log + 1)),${total}p" "$log" | format_log
    shown_log=$total
    [ -n "$watching" ] || return 0
    total=$(complete_lines "$work/$watching.console")
    [ "$total" -gt "$shown_console" ] && sed -n "$((shown_console + 1)),${total}p" "$work/$watching.console" |
        tr -d '\r' | grep -a -o 'RACKBOOT-.*' | sed "s/^/[vm $host] /"
    shown_console=$total
}
boot() { # run-name what
    printf '\n== %s\n' "$2"
    mark_log
    watching=$1 shown_console=0
    boot_vm "$1" tap1 "$mac" bios
    wait_vm "$1" show_new
    watching=
}

echo "== boot assets: Debian's boot loaders and kernel, the e2e installer initramfs and disk image (Tests/e2e/build-assets.sh)"
install_assets || fail "the boot assets could not be built"

echo "== a private network: namespace $ns, bridge br0 = 10.88.0.2/24 (the appliance), tap1 for the machine"
install_network demo 1 || fail "the private network could not be built"

echo
echo "== one machine: its profile, its template (the e2e installer) with its answer file, and the configuration"
install_template
install_profile "$host" "$mac" "$ip"
install_config
admin cat "profiles/$host.yaml"
admin cat profiles/templates/e2e-install.yaml
admin cat profiles/templates/e2e-install/install.env
admin cat rackboot.yaml
admin rackboot check --config rackboot.yaml || fail "rackboot check found problems in the configuration"

printf '\n$ ip netns exec %s rackboot serve --config rackboot.yaml --log console 2> serve.log &\n' "$ns"
install_serve || fail "rackboot serve did not get ready within 10 s" "$(tail -5 "$log")"
show_new
admin rackboot machines --config rackboot.yaml
expect_state "$host" "never seen" 0 "rackboot machines lists it, never seen"

truncate -s 64M "$work/$host.disk"
boot "$host.boot1" "boot 1: $host powers on (SeaBIOS + iPXE, MAC $mac, an empty 64 MiB disk; at most $vm_seconds s)"
check_install "$host.boot1" "$host" "$ip" "$mac"
first_id=$install_id
show_new
admin rackboot machines --config rackboot.yaml
expect_state "$host" installed 1 "rackboot machines shows it installed"

boot "$host.boot2" "boot 2: $host powers on again (Rackboot hands it its disk)"
check_disk_boot "$host.boot2" "$host" "$first_id" syslinux-bios "$ip" "$mac"

admin rackboot reinstall "$host" --config rackboot.yaml || fail "rackboot reinstall $host"
wait_for 5 grep -a -q "Machine reinstall requested" "$log"
show_new
admin rackboot machines --config rackboot.yaml
expect_state "$host" "reinstall pending" 1 "rackboot machines shows the reinstall pending"

boot "$host.boot3" "boot 3: $host powers on a third time (it installs again)"
check_install "$host.boot3" "$host" "$ip" "$mac"
second_id=$install_id
[ "$second_id" != "$first_id" ] || fail "the reinstall has a new install id" "first: '$first_id', second: '$second_id'"
show_new
admin rackboot machines --config rackboot.yaml
expect_state "$host" installed 2 "rackboot machines shows it installed twice"

install_stop
echo
result="demo: $host installed itself from its answer file, booted its own disk, and installed again after rackboot reinstall (install ids $first_id then $second_id)"
