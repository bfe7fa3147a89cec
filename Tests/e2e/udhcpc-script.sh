#!/bin/sh
# udhcpc calls this with "bound" once it has a lease; keep the address for the marker.
[ "$1" = bound ] && echo "$ip" > /tmp/leased-ip
exit 0
