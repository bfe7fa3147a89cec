#ifndef RACKBOOT_CTFTPSOCKET_H
#define RACKBOOT_CTFTPSOCKET_H

/* The few Linux calls the TFTP transfer pump makes that Swift's Glibc module does not
   offer (epoll, eventfd, sendmmsg, UDP_SEGMENT, io_uring in CTFTPRing.h), kept to plain C so the Swift side
   stays small. */
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "CTFTPRing.h"

/* A transfer's two UDP sockets on `local`'s address and one fresh port (its TID). `*transfer` is
   connected to `client`, so the client's datagrams reach it by exact match (early demux, a cached
   route, no address per send or receive); `*stray` is not connected and receives every other sender
   on that port, to be answered with ERROR 5 from the same TID. Sends on both block for at most
   50 ms when the send buffer is full, then fail like a lost packet. Returns 0, or -errno. */
int ctftp_open_transfer_sockets(const struct sockaddr *local, socklen_t local_length,
                                const struct sockaddr *client, socklen_t client_length,
                                int *transfer, int *stray);

/* How a socket's windows leave: UDP GSO until the kernel refuses it once, then sendmmsg. */
struct ctftp_send_state {
    int segmentation_refused;  /* set when a UDP_SEGMENT send failed with EIO, EINVAL or ENOPROTOOPT */
    int segmented_calls;       /* UDP_SEGMENT sends made, added to by each call (for counters) */
};

/* Sends one datagram of `length` bytes to `peer`, or on the connected socket when `peer` is NULL.
   Returns 1 when it left, 0 with errno otherwise. */
int ctftp_send_datagram(int fd, const struct sockaddr *peer, socklen_t peer_length,
                        const unsigned char *bytes, size_t length);

/* Sends `count` DATA blocks numbered from `first_block` (wrapping past 65535) to `peer`, or on the
   connected socket when `peer` is NULL. Block i carries the `block_size` bytes at
   `payload + i * block_size`, the last one whatever is left of `payload_length` (possibly nothing).
   Each datagram is gathered from its 4-byte header and its payload, so the payload leaves straight
   from the caller's memory. One block: one sendmsg. More: UDP_SEGMENT sends of at most 64 segments
   and 65507 bytes, which the kernel cuts into exactly those datagrams; without GSO, sendmmsg calls
   of 64. Returns how many blocks left; fewer than `count` means errno says why. */
int ctftp_send_data_blocks(int fd, const struct sockaddr *peer, socklen_t peer_length, uint16_t first_block,
                           const unsigned char *payload, size_t payload_length, size_t block_size, int count,
                           struct ctftp_send_state *state);

/* One datagram without waiting: its length, or -1 with errno (EAGAIN when none is queued; on a
   connected socket ECONNREFUSED once for an ICMP error, which this read clears). `peer` may be NULL. */
long ctftp_receive_datagram(int fd, void *buffer, size_t capacity,
                            struct sockaddr_storage *peer, socklen_t *peer_length);

/* True when both are the same IPv4 or IPv6 address and port (a transfer's TID). */
int ctftp_same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* epoll_event is packed on x86_64; these keep its layout out of Swift. */
int ctftp_epoll_add(int epoll_fd, int fd);
/* Waits for up to `capacity` readable descriptors, written to `ready`; returns the count or -1. With `spin_ns` > 0
   it first polls without sleeping for that long (never past the timeout), as ctftp_ring_wait does. */
int ctftp_epoll_wait(int epoll_fd, int *ready, int capacity, int timeout_ms, long long spin_ns);

#endif
