#!/bin/busybox sh
# /init of the Secure Boot end-to-end initramfs (e2e/secureboot.img, built by Tests/e2e/build-secureboot-assets.sh):
# like init.sh it brings up the NIC the machine booted from and asks DHCP for its address; then it reads what the
# booted kernel knows of Secure Boot, prints one marker line with MAC, IP, both readings and the kernel command line
# to the console, and powers off:
#   secureboot=  the firmware's SecureBoot variable (EFI global variable GUID 8be4df61-93ca-11d2-aa0d-00e098032b8c)
#                through efivarfs, whose file holds 4 attribute bytes and then the value: 1 Secure Boot enforced,
#                0 off; `absent` without the variable, `none` when the kernel was not booted by UEFI;
#   lockdown=    the kernel's lockdown mode (securityfs): Debian's kernel locks itself down to `integrity` when the
#                firmware booted it with Secure Boot on, and then loads only signed modules (these ones are).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
. /initramfs-network.sh
network_up virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net
secureboot=none
if [ -d /sys/firmware/efi ]; then
    insmod /lib/modules/efivarfs.ko 2>&1 | sed 's/^/insmod efivarfs: /' > /dev/console
    mount -t efivarfs efivarfs /sys/firmware/efi/efivars
    variable=/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
    secureboot=absent
    [ -r "$variable" ] && secureboot=$(tail -c 1 "$variable" | od -An -tu1 | tr -d ' \n')
fi
mount -t securityfs securityfs /sys/kernel/security
lockdown=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)
echo "RACKBOOT-E2E-MARKER mac=$mac ip=${ip:-none} secureboot=$secureboot lockdown=${lockdown:-unknown}" \
    "cmdline=[$(cat /proc/cmdline)]" > /dev/console
sync
poweroff -f
