#ifndef RACKBOOT_CTFTPSOCKET_H
#define RACKBOOT_CTFTPSOCKET_H

/* The few Linux calls the TFTP transfer pump makes that Swift's Glibc module does not
   offer (epoll, eventfd, sendmmsg), kept to plain C so the Swift side stays small. */
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

/* A non-blocking-receive UDP socket bound to `local` (port 0: a fresh TID). Sends block for
   at most 50 ms when the send buffer is full, then fail like a lost packet.
   Returns the descriptor, or -errno. */
int ctftp_open_transfer_socket(const struct sockaddr *local, socklen_t local_length);

/* Sends `count` datagrams to `peer`: datagram i is `lengths[i]` bytes, laid out back to back
   from `base`. One sendto for one datagram, sendmmsg (in chunks of 64) for more.
   Returns how many left; fewer than `count` means errno says why. */
int ctftp_send_datagrams(int fd, const struct sockaddr *peer, socklen_t peer_length,
                         const unsigned char *base, const size_t *lengths, int count);

/* One datagram without waiting: its length, or -1 with errno (EAGAIN when none is queued). */
long ctftp_receive_datagram(int fd, void *buffer, size_t capacity,
                            struct sockaddr_storage *peer, socklen_t *peer_length);

/* True when both are the same IPv4 or IPv6 address and port (a transfer's TID). */
int ctftp_same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* epoll_event is packed on x86_64; these keep its layout out of Swift. */
int ctftp_epoll_add(int epoll_fd, int fd);
/* Waits for up to `capacity` readable descriptors, written to `ready`; returns the count or -1. */
int ctftp_epoll_wait(int epoll_fd, int *ready, int capacity, int timeout_ms);

#endif
