#define _GNU_SOURCE
#include "CTFTPSocket.h"

#include "CTFTPMonotonic.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

/* The kernel's limits for one UDP_SEGMENT send: UDP_MAX_SEGMENTS (64 before Linux 6.9) and the
   largest IPv4 UDP payload. */
enum { most_segments = 64, most_segmented_bytes = 65507 };

static int open_bound(const struct sockaddr *local, socklen_t local_length, int reuse_before_bind) {
    int fd = socket(local->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    struct timeval send_timeout = {.tv_sec = 0, .tv_usec = 50000};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout) != 0 ||
        (reuse_before_bind && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) ||
        bind(fd, local, local_length) != 0 ||
        (!reuse_before_bind && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int ctftp_open_transfer_sockets(const struct sockaddr *local, socklen_t local_length,
                                const struct sockaddr *client, socklen_t client_length,
                                int *transfer, int *stray) {
    /* Bound before SO_REUSEADDR is set, so the kernel picks a port no other socket holds; only then
       may the second socket share it (both have SO_REUSEADDR). */
    int first = open_bound(local, local_length, 0);
    if (first < 0) return first;
    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof bound;
    int second = -1, error = 0;
    if (getsockname(first, (struct sockaddr *)&bound, &bound_length) != 0) error = -errno;
    if (!error && (second = open_bound((struct sockaddr *)&bound, bound_length, 1)) < 0) error = second;
    /* Connected only now: until the first reply leaves, the client does not know this port. */
    if (!error && connect(first, client, client_length) != 0) error = -errno;
    if (error) {
        close(first);
        if (second >= 0) close(second);
        return error;
    }
    *transfer = first;
    *stray = second;
    return 0;
}

static ssize_t send_message(int fd, struct msghdr *message) {
    ssize_t sent;
    do sent = sendmsg(fd, message, 0);
    while (sent < 0 && errno == EINTR);
    return sent;
}

int ctftp_send_datagram(int fd, const struct sockaddr *peer, socklen_t peer_length,
                        const unsigned char *bytes, size_t length) {
    struct iovec vector = {.iov_base = (void *)bytes, .iov_len = length};
    struct msghdr message = {
        .msg_name = (void *)peer, .msg_namelen = peer ? peer_length : 0, .msg_iov = &vector, .msg_iovlen = 1};
    return send_message(fd, &message) < 0 ? 0 : 1;
}

/* The blocks of one call: block i is a 4-byte DATA header and the payload bytes after it. */
struct data_blocks {
    uint16_t first_block;
    const unsigned char *payload;
    size_t payload_length, block_size;
    int count;
};

static size_t payload_offset(const struct data_blocks *blocks, int i) { return (size_t)i * blocks->block_size; }

static size_t payload_size(const struct data_blocks *blocks, int i) {
    size_t offset = payload_offset(blocks, i);
    size_t left = blocks->payload_length > offset ? blocks->payload_length - offset : 0;
    return left < blocks->block_size ? left : blocks->block_size;
}

/* Points vectors[0] and [1] at block i's header (written into `header`) and payload. */
static void gather_block(const struct data_blocks *blocks, int i, unsigned char header[4], struct iovec vectors[2]) {
    uint16_t number = (uint16_t)(blocks->first_block + (uint16_t)i);
    header[0] = 0;
    header[1] = 3; /* DATA */
    header[2] = (unsigned char)(number >> 8);
    header[3] = (unsigned char)number;
    vectors[0].iov_base = header;
    vectors[0].iov_len = 4;
    vectors[1].iov_base = (void *)(blocks->payload + payload_offset(blocks, i));
    vectors[1].iov_len = payload_size(blocks, i);
}

/* Blocks [done, done + run) as one UDP_SEGMENT send: the kernel cuts the gathered bytes into datagrams
   of 4 + block_size bytes (the last may be shorter). Returns 0 or -errno; nothing leaves on failure. */
static int send_segmented(int fd, const struct sockaddr *peer, socklen_t peer_length,
                          const struct data_blocks *blocks, int done, int run) {
    unsigned char headers[most_segments][4];
    struct iovec vectors[2 * most_segments];
    for (int i = 0; i < run; i++) gather_block(blocks, done + i, headers[i], &vectors[2 * i]);
    union {
        char buffer[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = {
        .msg_name = (void *)peer,
        .msg_namelen = peer ? peer_length : 0,
        .msg_iov = vectors,
        .msg_iovlen = (size_t)(2 * run),
        .msg_control = control.buffer,
        .msg_controllen = sizeof control.buffer,
    };
    uint16_t segment = (uint16_t)(4 + blocks->block_size);
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_UDP;
    header->cmsg_type = UDP_SEGMENT;
    header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    memcpy(CMSG_DATA(header), &segment, sizeof segment);
    return send_message(fd, &message) < 0 ? -errno : 0;
}

/* Blocks [done, count) in sendmmsg calls of up to 64; returns how many of them left. */
static int send_batched(int fd, const struct sockaddr *peer, socklen_t peer_length,
                        const struct data_blocks *blocks, int done) {
    enum { batch_limit = 64 };
    unsigned char headers[batch_limit][4];
    struct iovec vectors[2 * batch_limit];
    struct mmsghdr messages[batch_limit];
    int sent_total = 0;
    while (done + sent_total < blocks->count) {
        int first = done + sent_total;
        int batch = blocks->count - first < batch_limit ? blocks->count - first : batch_limit;
        for (int i = 0; i < batch; i++) {
            gather_block(blocks, first + i, headers[i], &vectors[2 * i]);
            memset(&messages[i], 0, sizeof messages[i]);
            messages[i].msg_hdr.msg_name = (void *)peer;
            messages[i].msg_hdr.msg_namelen = peer ? peer_length : 0;
            messages[i].msg_hdr.msg_iov = &vectors[2 * i];
            messages[i].msg_hdr.msg_iovlen = 2;
        }
        int sent;
        do sent = sendmmsg(fd, messages, (unsigned)batch, 0);
        while (sent < 0 && errno == EINTR);
        if (sent <= 0) return sent_total;
        sent_total += sent;
        if (sent < batch) return sent_total;
    }
    return sent_total;
}

/* How many blocks from `done` one UDP_SEGMENT send can carry within the kernel's limits (only the
   stream's final block is shorter than block_size, so every run is equal lengths then at most one
   shorter). */
static int segment_run(const struct data_blocks *blocks, int done) {
    size_t segment = 4 + blocks->block_size, total = 0;
    int run = 0;
    while (done + run < blocks->count && run < most_segments && total + segment <= most_segmented_bytes) {
        total += segment;
        run++;
    }
    if (run == 0 && done < blocks->count) run = 1;
    return run;
}

int ctftp_send_data_blocks(int fd, const struct sockaddr *peer, socklen_t peer_length, uint16_t first_block,
                           const unsigned char *payload, size_t payload_length, size_t block_size, int count,
                           struct ctftp_send_state *state) {
    struct data_blocks blocks = {first_block, payload, payload_length, block_size, count};
    int done = 0;
    while (done < count) {
        int run = segment_run(&blocks, done);
        if (run < 2 || 4 + block_size > UINT16_MAX) {
            if (count - done > 1 && state->segmentation_refused)
                return done + send_batched(fd, peer, peer_length, &blocks, done);
            unsigned char header[4];
            struct iovec vectors[2];
            gather_block(&blocks, done, header, vectors);
            struct msghdr message = {
                .msg_name = (void *)peer, .msg_namelen = peer ? peer_length : 0, .msg_iov = vectors, .msg_iovlen = 2};
            if (send_message(fd, &message) < 0) return done;
            done += 1;
            continue;
        }
        if (state->segmentation_refused) return done + send_batched(fd, peer, peer_length, &blocks, done);
        int error = send_segmented(fd, peer, peer_length, &blocks, done, run);
        if (error == -EIO || error == -EINVAL || error == -ENOPROTOOPT) {
            state->segmentation_refused = 1;  /* this socket's windows leave by sendmmsg from now on */
            continue;
        }
        if (error) {
            errno = -error;
            return done;
        }
        state->segmented_calls += 1;
        done += run;
    }
    return done;
}

long ctftp_receive_datagram(int fd, void *buffer, size_t capacity,
                            struct sockaddr_storage *peer, socklen_t *peer_length) {
    if (peer) *peer_length = sizeof *peer;
    ssize_t received;
    do received = recvfrom(fd, buffer, capacity, MSG_DONTWAIT, (struct sockaddr *)peer, peer ? peer_length : NULL);
    while (received < 0 && errno == EINTR);
    return received;
}

int ctftp_same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
    if (a->ss_family != b->ss_family) return 0;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
        return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return 0;
}

int ctftp_epoll_add(int epoll_fd, int fd) {
    struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
}

int ctftp_epoll_wait(int epoll_fd, int *ready, int capacity, int timeout_ms, long long spin_ns) {
    enum { most = 256 };
    struct epoll_event events[most];
    int wanted = capacity < most ? capacity : most;
    int count = 0;
    if (spin_ns > 0 && timeout_ms != 0) {
        long long timeout_ns = (long long)timeout_ms * 1000000;
        long long budget = timeout_ms > 0 && timeout_ns < spin_ns ? timeout_ns : spin_ns;
        long long started = ctftp_monotonic_ns(), elapsed = 0;
        while ((count = epoll_wait(epoll_fd, events, wanted, 0)) == 0 || (count < 0 && errno == EINTR)) {
            count = 0;
            if ((elapsed = ctftp_monotonic_ns() - started) >= budget) break;
        }
        if (timeout_ms > 0) timeout_ms = (int)((timeout_ns - elapsed + 999999) / 1000000);
    }
    if (count == 0) {
        do count = epoll_wait(epoll_fd, events, wanted, timeout_ms);
        while (count < 0 && errno == EINTR);
    }
    for (int i = 0; i < count; i++) ready[i] = events[i].data.fd;
    return count;
}
