#!/usr/bin/env python3
"""Compares what DHCP clients were told (ACK files written by dhcp-load.py: "MAC IP XID LEASE EPOCH") with the
lease store (`rackboot leases --json`). Prints one line per problem (at most 10 of each kind) and a summary; exits 1
when there is a problem.

  stored LEASES.json ACKFILE...           every ACKed (mac, ip) is a bound lease in the store; no MAC holds two
                                          bound leases; no address was ACKed to two MACs
  again ACKFILE-AFTER ACKFILE-BEFORE...   after a restart: a MAC ACKed before got the same address again; no
                                          address ACKed before to one MAC was ACKed to another
  renewed LEASES.json ACKFILE             every renewal ACK promised a lease the store holds: expiry at least the
                                          ACK's time + its lease time - 1 s (the server read its clock, in whole
                                          seconds, just before sending)
"""
import json
import sys


def acks(paths):
    for path in paths:
        with open(path) as lines:
            for line in lines:
                fields = line.split()
                if len(fields) == 5:
                    yield fields[0], fields[1], int(fields[3]), int(fields[4])


def report(problems, summary):
    for kind, items in problems.items():
        for item in items[:10]:
            print(f"{kind}: {item}")
        if len(items) > 10:
            print(f"{kind}: … {len(items) - 10} more")
    print(summary)
    sys.exit(1 if any(problems.values()) else 0)


def bound(leases_path):
    with open(leases_path) as file:
        return [entry for entry in json.load(file) if entry["state"] == "bound"]


def stored(leases_path, paths):
    leases = bound(leases_path)
    held = {(entry["mac"], entry["address"]) for entry in leases}
    per_mac = {}
    for entry in leases:
        per_mac.setdefault(entry["mac"], []).append(entry["address"])
    seen = {}
    missing, shared = [], []
    total = 0
    for mac, ip, _, _ in acks(paths):
        total += 1
        if (mac, ip) not in held:
            missing.append(f"{mac} was ACKed {ip}; the store has {per_mac.get(mac, 'nothing')}")
        owner = seen.setdefault(ip, mac)
        if owner != mac:
            shared.append(f"{ip} ACKed to {owner} and to {mac}")
    two = [f"{mac} holds {addresses}" for mac, addresses in per_mac.items() if len(addresses) > 1]
    report({"not stored": missing, "two clients": shared, "two addresses": two},
           f"{total} ACKs checked against {len(leases)} bound leases")


def again(after, before_paths):
    before_ip, owner = {}, {}
    for mac, ip, _, _ in acks(before_paths):
        before_ip[mac] = ip
        owner[ip] = mac
    moved, taken = [], []
    old = 0
    total = 0
    for mac, ip, _, _ in acks([after]):
        total += 1
        if mac in before_ip:
            old += 1
            if before_ip[mac] != ip:
                moved.append(f"{mac} had {before_ip[mac]}, now got {ip}")
        if owner.get(ip, mac) != mac:
            taken.append(f"{ip} was ACKed to {owner[ip]} before, now to {mac}")
    report({"moved": moved, "taken": taken}, f"{total} ACKs after the restart, {old} of them for MACs ACKed before")


def renewed(leases_path, path):
    expiry = {(entry["mac"], entry["address"]): entry["expiry"] for entry in bound(leases_path)}
    short = []
    total = 0
    for mac, ip, lease, at in acks([path]):
        total += 1
        stored_expiry = expiry.get((mac, ip))
        if stored_expiry is None or stored_expiry < at + lease - 1:
            short.append(f"{mac} {ip} ACKed at {at} for {lease} s; stored expiry {stored_expiry}")
    report({"ACK beyond the stored lease": short}, f"{total} renewal ACKs checked")


if __name__ == "__main__":
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "stored":
        stored(rest[0], rest[1:])
    elif command == "again":
        again(rest[0], rest[1:])
    elif command == "renewed":
        renewed(rest[0], rest[1])
    else:
        sys.exit(f"unknown command {command}")
