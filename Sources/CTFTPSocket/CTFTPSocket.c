#define _GNU_SOURCE
#include "CTFTPSocket.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

int ctftp_open_transfer_socket(const struct sockaddr *local, socklen_t local_length) {
    int fd = socket(local->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    struct timeval send_timeout = {.tv_sec = 0, .tv_usec = 50000};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout) != 0 ||
        bind(fd, local, local_length) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int ctftp_send_datagrams(int fd, const struct sockaddr *peer, socklen_t peer_length,
                         const unsigned char *base, const size_t *lengths, int count) {
    if (count == 1) {
        ssize_t sent;
        do sent = sendto(fd, base, lengths[0], 0, peer, peer_length);
        while (sent < 0 && errno == EINTR);
        return sent < 0 ? 0 : 1;
    }
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
            messages[i].msg_hdr.msg_namelen = peer_length;
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

long ctftp_receive_datagram(int fd, void *buffer, size_t capacity,
                            struct sockaddr_storage *peer, socklen_t *peer_length) {
    *peer_length = sizeof *peer;
    ssize_t received;
    do received = recvfrom(fd, buffer, capacity, MSG_DONTWAIT, (struct sockaddr *)peer, peer_length);
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
