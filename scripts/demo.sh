#!/usr/bin/env bash
# make demo: Rackboot's main job in one command. Starts Rackboot with the example configuration and profiles in a
# private network namespace (its bridge is named enp1s0, the interface the example serves), PXE-boots a QEMU
# machine with web-01's MAC through UEFI's own PXE (OVMF: it writes its progress to the serial console), streams Rackboot's log and the machine's serial console, and
# ends with the line saying which machine booted which profile with which IP. The "installer" is a stand-in: a
# Debian cloud kernel and a busybox initramfs that asks DHCP for its address, prints it and powers off.
# Usage: demo.sh path/to/rackboot   (as root)
set -uo pipefail
rackboot=$(realpath "${1:?usage: demo.sh path/to/rackboot}")
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
mac=52:54:00:20:00:11
echo "== preparing boot assets (Debian boot loaders, a Debian cloud kernel, a busybox initramfs)"
bash Tests/e2e/build-assets.sh || exit 1
ns=rbdemo$$
namespaces=("$ns")
work=$(mktemp -d)
pids=()
# Stops what the demo started (by PID), then anything left in the namespace, and deletes it.
source Tests/lib/netns.sh
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    netns_stop
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The example's templates name debian12/linux, debian12/initrd.gz, rocky9/vmlinuz, rocky9/initrd.img: the stand-in
# kernel and initramfs take those names, next to the boot loaders.
root=$work/tftproot
mkdir -p "$root/debian12" "$root/rocky9"
cp .build/e2e/tftproot/{pxelinux.0,ldlinux.c32,syslinux.efi,ldlinux.e64} "$root/"
for target in debian12/linux rocky9/vmlinuz; do ln .build/e2e/tftproot/e2e/vmlinuz "$root/$target" 2>/dev/null || cp .build/e2e/tftproot/e2e/vmlinuz "$root/$target"; done
for target in debian12/initrd.gz rocky9/initrd.img; do cp .build/e2e/tftproot/e2e/initrd.img "$root/$target"; done
sed -e "s|^profiles: .*|profiles: $repo/profiles|" -e "s|^state_directory: .*|state_directory: $work/state|" \
    -e "s|^  root: .*|  root: $root|" docs/examples/rackboot.yaml > "$work/rackboot.yaml"

echo "== private network: namespace $ns, bridge enp1s0 = 10.20.0.2/24 (the example's boot server), one tap"
netns_create demo
netns_bridge "$ns" enp1s0
in_ns "$ns" ip addr add 10.20.0.2/24 dev enp1s0
netns_tap "$ns" tap0 enp1s0

echo "== rackboot serve --config docs/examples/rackboot.yaml (paths adjusted to this checkout)"
ip netns exec "$ns" "$rackboot" serve --config "$work/rackboot.yaml" --log console 2> "$work/rackboot.log" &
pids+=($!)
# tail writes into a process substitution, so $! is tail itself and the cleanup can stop it.
tail --pid=$$ -n +1 -f "$work/rackboot.log" 2> /dev/null > >(sed -u 's/^[0-9T:+-]* /[rackboot] /') &
pids+=($!)
wait_for 10 grep -q "] ready" "$work/rackboot.log"

echo "== booting a VM with web-01's MAC $mac from its network card (UEFI PXE; QEMU without KVM: ~30 s)"
: > "$work/vm.console"
bash Tests/e2e/qemu-netboot.sh "$ns" tap0 "$mac" ovmf none "$work/vm.console" 240 > "$work/qemu.log" 2>&1 &
pids+=($!)
tail --pid=$$ -n +1 -f "$work/vm.console" 2> /dev/null \
    > >(sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e '/^[[:space:]]*$/d' -e 's/^/[vm web-01] /') &
pids+=($!)

marker=
for _ in $(seq 480); do
    marker=$(grep -a -m1 "RACKBOOT-E2E-MARKER" "$work/vm.console" 2> /dev/null) && break
    sleep 0.5
done
sleep 1
if [ -z "$marker" ]; then
    echo "== demo FAILED: the VM did not boot; last lines of the Rackboot log:"
    tail -20 "$work/rackboot.log"
    exit 1
fi
ip=$(sed -n 's/.* ip=\([0-9.]*\) .*/\1/p' <<< "$marker")
lease=$(grep "DHCPREQUEST acknowledged" "$work/rackboot.log" | grep "mac=$mac" | tail -1)
host=$(sed -n 's/.*hostname=\([^ ]*\).*/\1/p' <<< "$lease")
profile=$(sed -n 's/.*profile=\([^ ]*\).*/\1/p' <<< "$lease")
template=$(sed -n 's/^template: //p' "profiles/$profile")
echo
echo "Rackboot demo: machine $mac booted as $host, profile $profile (template $template), with IP $ip"
