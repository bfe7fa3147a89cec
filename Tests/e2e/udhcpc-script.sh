#!/bin/sh
# udhcpc calls this with "bound" once it has a lease: keep the address for the marker and configure the interface
# with it (and the default route), so the installer can fetch its answer file and image over HTTP.
if [ "$1" = bound ]; then
    echo "$ip" > /tmp/leased-ip
    if [ -n "$mask" ]; then
        ip addr add "$ip/$mask" dev "$interface"
    else
        ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}"
    fi
    for gateway in $router; do
        ip route add default via "$gateway" dev "$interface" && break
    done
fi
exit 0
