#!/bin/busybox sh
# /init of the end-to-end initramfs: brings up the NIC the machine booted from, asks DHCP for its address (as an
# installed system would), prints one marker line with MAC, IP and the kernel command line to the serial
# console, and powers off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
. /initramfs-network.sh
network_up virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net
echo "RACKBOOT-E2E-MARKER mac=$mac ip=${ip:-none} cmdline=[$(cat /proc/cmdline)]" > /dev/ttyS0
sync
poweroff -f
