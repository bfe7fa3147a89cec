#ifndef RACKBOOT_CTFTPRING_H
#define RACKBOOT_CTFTPRING_H

/* An io_uring event source for one TFTP transfer pump thread, in place of epoll where the kernel allows it.

   A lock-step transfer costs the pump one wait, one receive and one send per block. Here the receive of the
   client's datagrams happens inside the wait: each transfer socket has one multishot receive into a ring of
   provided buffers, and the ring is set up with IORING_SETUP_DEFER_TASKRUN, so the datagrams that arrived while
   the pump was busy are all copied out in the one io_uring_enter that waits for the next batch. Descriptors the
   pump reads itself (a transfer's stray socket, the pump's eventfd) get a multishot poll, reported as readable. */
#include <stddef.h>
#include <stdint.h>

struct ctftp_ring;

/* One completion handed to the pump. */
struct ctftp_ring_event {
    int fd;
    /* 1: a descriptor watched with ctftp_ring_watch_readable has data to read (drain it: several arrivals may be
       reported once). 0: a datagram or a receive error on a descriptor watched with ctftp_ring_watch_datagrams. */
    int readable;
    /* The datagram's full length (more than ctftp_ring_datagram_capacity when it was cut), or -errno
       (ECONNREFUSED for a client's ICMP error). */
    long result;
    /* The datagram's first min(result, capacity) bytes, valid until the next ctftp_ring_wait. */
    const unsigned char *bytes;
};

/* How many bytes of one datagram a watch keeps: a client's ACK or ERROR fits many times over. */
size_t ctftp_ring_datagram_capacity(void);

/* A ring for the calling thread, which must be the only one to use it. NULL with errno when this kernel or its
   policy refuses io_uring (too old, kernel.io_uring_disabled, a seccomp filter such as a container's): the pump
   then uses epoll. */
struct ctftp_ring *ctftp_ring_create(void);
void ctftp_ring_destroy(struct ctftp_ring *ring);

/* Receives every datagram arriving on `fd` until it is unwatched. Returns 0, or -errno. */
int ctftp_ring_watch_datagrams(struct ctftp_ring *ring, int fd);
/* Reports `fd` readable each time data arrives, until it is unwatched. Returns 0, or -errno. */
int ctftp_ring_watch_readable(struct ctftp_ring *ring, int fd);
/* Stops reporting `fd`; call before closing it. Completions still in flight for it are dropped. */
void ctftp_ring_unwatch(struct ctftp_ring *ring, int fd);

/* Submits what is queued and waits up to `timeout_ms` (-1: without limit, 0: not at all) for completions;
   writes at most `capacity` events and returns their count, or -errno (EINTR counts as no events). Buffers of
   the events returned by the previous call go back to the kernel first. With `spin_ns` > 0 it first polls
   without sleeping for that long (never past the timeout), which answers a client that replies within it
   without the cost of a sleep and a wake-up. */
int ctftp_ring_wait(struct ctftp_ring *ring, struct ctftp_ring_event *events, int capacity, int timeout_ms,
                    long long spin_ns);

#endif
