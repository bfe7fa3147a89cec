#!/bin/busybox sh
# /init of the end-to-end initramfs: brings up the NIC the machine booted from, asks DHCP for its address (as an
# installed system would), prints one marker line with MAC, IP, the machine's architecture (uname -m) and the kernel
# command line to the console (/dev/console: the kernel's console= device, ttyS0 on x86-64, ttyAMA0 on ARM64), and
# powers off. The same script serves x86-64 (build-assets.sh) and ARM64 (build-arm64-assets.sh); modules an image
# does not hold (built into its kernel) are skipped.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
. /initramfs-network.sh
network_up virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net
echo "RACKBOOT-E2E-MARKER mac=$mac ip=${ip:-none} arch=$(uname -m) cmdline=[$(cat /proc/cmdline)]" > /dev/console
sync
poweroff -f
