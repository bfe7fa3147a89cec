#!/bin/busybox sh
# /init of the end-to-end initramfs: brings up the NIC the machine booted from, asks DHCP for its address (as an
# installed system would), prints one marker line with MAC, IP and the kernel command line to the serial
# console, and powers off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
    insmod "/lib/modules/$module.ko" 2>&1 | sed "s/^/insmod $module: /" > /dev/ttyS0
done
interface=
for _ in $(seq 50); do
    for path in /sys/class/net/*; do
        name=${path##*/}
        [ "$name" = lo ] && continue
        interface=$name
    done
    [ -n "$interface" ] && break
    sleep 0.1
done
ip link set "$interface" up
udhcpc -i "$interface" -n -q -t 6 -T 2 -s /udhcpc-script.sh > /dev/null 2>&1
mac=$(cat "/sys/class/net/$interface/address")
ip=$(cat /tmp/leased-ip 2>/dev/null || echo none)
echo "RACKBOOT-E2E-MARKER mac=$mac ip=$ip cmdline=[$(cat /proc/cmdline)]" > /dev/ttyS0
sync
poweroff -f
