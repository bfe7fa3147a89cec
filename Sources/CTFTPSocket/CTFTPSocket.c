#define _GNU_SOURCE
#include "CTFTPSocket.h"

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

static int send_one(int fd, const struct sockaddr *peer, socklen_t peer_length,
                    const unsigned char *bytes, size_t length) {
    ssize_t sent;
    do sent = peer ? sendto(fd, bytes, length, 0, peer, peer_length) : send(fd, bytes, length, 0);
    while (sent < 0 && errno == EINTR);
    return sent < 0 ? -errno : 0;
}

/* One UDP_SEGMENT send: the kernel cuts `length` bytes into datagrams of `segment` bytes (the last
   may be shorter). Returns 0 or -errno; nothing leaves on failure. */
static int send_segmented(int fd, const struct sockaddr *peer, socklen_t peer_length,
                          const unsigned char *bytes, size_t length, uint16_t segment) {
    union {
        char buffer[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec vector = {.iov_base = (void *)bytes, .iov_len = length};
    struct msghdr message = {
        .msg_name = (void *)peer,
        .msg_namelen = peer ? peer_length : 0,
        .msg_iov = &vector,
        .msg_iovlen = 1,
        .msg_control = control.buffer,
        .msg_controllen = sizeof control.buffer,
    };
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_UDP;
    header->cmsg_type = UDP_SEGMENT;
    header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    memcpy(CMSG_DATA(header), &segment, sizeof segment);
    ssize_t sent;
    do sent = sendmsg(fd, &message, 0);
    while (sent < 0 && errno == EINTR);
    return sent < 0 ? -errno : 0;
}

/* Datagrams [0, count) in sendmmsg calls of up to 64; returns how many left. */
static int send_batched(int fd, const struct sockaddr *peer, socklen_t peer_length,
                        const unsigned char *base, const size_t *lengths, int count) {
    enum { chunk = 64 };
    struct iovec vectors[chunk];
    struct mmsghdr messages[chunk];
    int done = 0;
    size_t offset = 0;
    while (done < count) {
        int batch = count - done < chunk ? count - done : chunk;
        size_t batch_offset = offset;
        for (int i = 0; i < batch; i++) {
            vectors[i].iov_base = (void *)(base + batch_offset);
            vectors[i].iov_len = lengths[done + i];
            batch_offset += lengths[done + i];
            memset(&messages[i], 0, sizeof messages[i]);
            messages[i].msg_hdr.msg_name = (void *)peer;
            messages[i].msg_hdr.msg_namelen = peer ? peer_length : 0;
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        int sent;
        do sent = sendmmsg(fd, messages, (unsigned)batch, 0);
        while (sent < 0 && errno == EINTR);
        if (sent <= 0) return done;
        for (int i = 0; i < sent; i++) offset += lengths[done + i];
        done += sent;
        if (sent < batch) return done;
    }
    return done;
}

/* How many datagrams from `lengths[0]` one UDP_SEGMENT send can carry: equal lengths, then at most
   one shorter, within the kernel's limits. */
static int segment_run(const size_t *lengths, int count, size_t *run_bytes) {
    size_t segment = lengths[0], total = 0;
    int run = 0;
    while (run < count && run < most_segments && lengths[run] <= segment &&
           total + lengths[run] <= most_segmented_bytes) {
        total += lengths[run];
        run++;
        if (lengths[run - 1] < segment) break;
    }
    *run_bytes = total;
    return run;
}

int ctftp_send_datagrams(int fd, const struct sockaddr *peer, socklen_t peer_length,
                         const unsigned char *base, const size_t *lengths, int count,
                         struct ctftp_send_state *state) {
    int done = 0;
    size_t offset = 0;
    while (done < count) {
        size_t run_bytes = 0;
        int run = segment_run(lengths + done, count - done, &run_bytes);
        if (run < 2 || lengths[done] > UINT16_MAX) {
            if (count - done > 1 && state->segmentation_refused)
                return done + send_batched(fd, peer, peer_length, base + offset, lengths + done, count - done);
            int error = send_one(fd, peer, peer_length, base + offset, lengths[done]);
            if (error) {
                errno = -error;
                return done;
            }
            offset += lengths[done];
            done += 1;
            continue;
        }
        if (state->segmentation_refused)
            return done + send_batched(fd, peer, peer_length, base + offset, lengths + done, count - done);
        int error = send_segmented(fd, peer, peer_length, base + offset, run_bytes, (uint16_t)lengths[done]);
        if (error == -EIO || error == -EINVAL || error == -ENOPROTOOPT) {
            state->segmentation_refused = 1;  /* this socket's windows leave by sendmmsg from now on */
            continue;
        }
        if (error) {
            errno = -error;
            return done;
        }
        state->segmented_calls += 1;
        offset += run_bytes;
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

int ctftp_epoll_wait(int epoll_fd, int *ready, int capacity, int timeout_ms) {
    enum { most = 256 };
    struct epoll_event events[most];
    int count;
    do count = epoll_wait(epoll_fd, events, capacity < most ? capacity : most, timeout_ms);
    while (count < 0 && errno == EINTR);
    for (int i = 0; i < count; i++) ready[i] = events[i].data.fd;
    return count;
}
