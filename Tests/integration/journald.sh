#!/usr/bin/env bash
# journald as an admin queries it: a real systemd-journald, started inside the test's own network and mount
# namespaces (nothing on the host changes), receives Rackboot's native entries; `journalctl MAC=<mac>` returns the
# lease and the transfers of that one machine, with their fields and MESSAGE_IDs.
# Usage: journald.sh path/to/rackboot      Prints ok/FAIL lines and "journald: N passed, M failed".
set -uo pipefail
rackboot=$(realpath "${1:?usage: journald.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
source Tests/lib/report.sh
server_ns=rbjs$$
client_ns=rbjc$$
namespaces=("$server_ns" "$client_ns")
work=$(mktemp -d)
inner=
# Lets the inner script finish (it stops rackboot and journald), then stops whatever is left in the namespaces (by
# PID) and deletes them.
source Tests/lib/netns.sh
cleanup() {
    touch "$work/done"
    [ -n "$inner" ] && wait "$inner" 2>/dev/null
    netns_stop
    [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mac=52:54:00:20:00:11

netns_create journald
netns_veth "$server_ns" rbj0 "$client_ns" rbj1
in_ns "$server_ns" ip addr add 10.79.0.2/24 dev rbj0
in_ns "$client_ns" ip link set rbj1 address "$mac"

mkdir -p "$work/profiles/templates" "$work/root" "$work/state"
# Its own template: the example's debian12 also serves a preseed over HTTP, which this test does not run.
printf 'kernel: debian12/linux\ninitrds: [debian12/initrd.gz]\ncmdline: auto=true netcfg/get_hostname={{hostname}}\n' \
    > "$work/profiles/templates/debian12.yaml"
printf 'hostname: web-01\nmacs: [%s]\nip: 10.79.0.11\ntemplate: debian12\nstate: install\n' "$mac" > "$work/profiles/web-01.yaml"
mkdir -p "$work/root/debian12"
head -c 300000 /dev/urandom > "$work/root/debian12/linux"
cat > "$work/rackboot.yaml" <<YAML
profiles: $work/profiles
state_directory: $work/state
boot:
  next_server: 10.79.0.2
dhcp:
  subnets:
    - network: 10.79.0.0/24
      interface: rbj0
      pools: [10.79.0.100-10.79.0.150]
tftp:
  root: $work/root
YAML
# udhcpc's script: configure the leased address, so the TFTP requests below come from it.
cat > "$work/udhcpc.sh" <<'SH'
#!/bin/sh
[ "$1" = bound ] && ip addr add "$ip/$mask" dev "$interface"
exit 0
SH
chmod +x "$work/udhcpc.sh"

ip netns exec "$server_ns" unshare --mount --propagation private \
    bash Tests/integration/journald-inner.sh "$rackboot" "$work" "$mac" &
inner=$!
wait_for 15 test -e "$work/serving"
[ -e "$work/serving" ] && pass "rackboot serve logs into a private journald" || fail "rackboot serve logs into a private journald" "$(tail -3 "$work/serve.err" 2>/dev/null)"

in_ns "$client_ns" timeout 20 udhcpc -i rbj1 -n -q -t 4 -T 2 -s "$work/udhcpc.sh" > "$work/udhcpc.out" 2>&1
in_ns "$client_ns" curl -sS --max-time 10 "tftp://10.79.0.2/pxelinux.cfg/01-52-54-00-20-00-11" -o "$work/config" 2>> "$work/curl.err"
in_ns "$client_ns" curl -sS --max-time 20 --tftp-blksize 1408 "tftp://10.79.0.2/debian12/linux" -o "$work/kernel" 2>> "$work/curl.err"
touch "$work/done"
wait "$inner"
inner=

field_count() { # file field value
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, field, value = sys.argv[1:]
count = 0
for line in open(path):
    line = line.strip()
    if line and json.loads(line).get(field) == value:
        count += 1
print(count)
PY
}
entries=$(grep -c . "$work/by-mac.json" 2>/dev/null)
entries=${entries:-0}
if [ "$entries" -gt 0 ]; then pass "journalctl MAC=$mac finds entries ($entries)"; else fail "journalctl MAC=$mac finds entries"; fi
if [ "$(field_count "$work/by-mac.json" MESSAGE_ID f69b3a8f6f614a4486cc8707dd5315ae)" -ge 1 ]; then
    pass "the lease granted entry is there, with its MESSAGE_ID"
else
    fail "the lease granted entry is there, with its MESSAGE_ID" "$(head -c 400 "$work/by-mac.json")"
fi
if [ "$(field_count "$work/by-mac.json" IP 10.79.0.11)" -ge 1 ] && [ "$(field_count "$work/by-mac.json" HOSTNAME web-01)" -ge 1 ]; then
    pass "entries carry IP and HOSTNAME fields"
else
    fail "entries carry IP and HOSTNAME fields"
fi
if [ "$(field_count "$work/by-mac.json" MESSAGE_ID b3e858963e834e949a7ec25a278e8764)" -ge 1 ]; then
    pass "the boot config served entry is found by MAC"
else
    fail "the boot config served entry is found by MAC"
fi
if [ "$(field_count "$work/by-mac.json" FILE debian12/linux)" -ge 1 ]; then
    pass "the kernel transfer is found by MAC"
else
    fail "the kernel transfer is found by MAC"
fi
if [ "$(field_count "$work/all.json" PRIORITY 6)" -ge 1 ]; then pass "PRIORITY comes from the log level"; else fail "PRIORITY comes from the log level"; fi
others=$(python3 -c "import json,sys; print(sum(1 for l in open(sys.argv[1]) if l.strip() and json.loads(l).get('MAC') not in (None, sys.argv[2])))" "$work/by-mac.json" "$mac")
if [ "$others" -eq 0 ]; then pass "journalctl MAC= returns that machine only"; else fail "journalctl MAC= returns that machine only" "$others others"; fi

report journald
