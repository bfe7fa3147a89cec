/*
 * tftp-floor: the least work per block a lock-step TFTP server can do on Linux with UDP sockets, as a reference
 * row for `make bench-tftp` (it is not a server anyone should run: no timers, no retransmission of its own, no
 * logging, no file name checks, one file).
 *
 * It serves FILE to every read request on ADDRESS:PORT (IPv4): one connected socket per transfer, the file mapped
 * once, each DATA sent with one sendmsg straight from the mapping (header and payload iovecs), each ACK read with one
 * receive. What is left is what every server pays per block: the kernel's UDP receive of the ACK and send of the
 * DATA (on loopback the send also delivers the datagram into the client's socket and wakes the client), plus the
 * wait. `--io epoll` (the default) waits with epoll and reads each ACK with one recv; `--io io_uring` receives the
 * ACKs inside the wait with one multishot receive per transfer socket into provided buffers, as Rackboot's pumps
 * do. In alternating 500-client storms here the io_uring mode was not faster (medians 196 vs 229 MB/s, 3 rounds of
 * 500 x 8 MiB, 2026-12-04), so the bench runs the default.
 * Options granted: blksize (8-65464) and tsize; anything else is ignored. A duplicate of the previous ACK (the
 * client's own retransmission) resends the block, so a lost datagram does not stall a transfer.
 *
 * Usage: tftp-floor [--io epoll|io_uring] FILE ADDRESS PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum { OP_RRQ = 1, OP_DATA = 3, OP_ACK = 4, OP_OACK = 6 };
enum { MAX_TRANSFERS = 4096, EVENTS = 512, BUFFER_GROUP = 1, BUFFER_COUNT = 8192, BUFFER_SIZE = 64 };
/* user_data of the listener's receive in io_uring mode; transfers use their pointer. */
#define LISTENER_TAG 0

typedef struct {
    int fd;
    uint64_t block; /* the block last sent, counted without wrapping */
    int blksize;
    int last_sent;  /* the block last sent was the file's final (short) one */
    int over;       /* io_uring: acknowledged to the end, waiting for its receive's last completion */
} transfer_t;

static const unsigned char *file;
static size_t file_size;
static struct sockaddr_in listen_address;
static int transfers;

static void send_block(transfer_t *t) {
    uint64_t offset = (t->block - 1) * (uint64_t)t->blksize;
    size_t length = offset >= file_size ? 0 : file_size - offset;
    if (length > (size_t)t->blksize) length = (size_t)t->blksize;
    unsigned char header[4] = {0, OP_DATA, (unsigned char)(t->block >> 8), (unsigned char)t->block};
    struct iovec iov[2] = {{header, 4}, {(void *)(file + (length ? offset : 0)), length}};
    struct msghdr message = {.msg_iov = iov, .msg_iovlen = 2};
    (void)sendmsg(t->fd, &message, 0);
    t->last_sent = length < (size_t)t->blksize;
}

/* Answers a read request from `peer`: a new transfer with its own connected socket, then the OACK or DATA 1.
 * Returns the transfer, or NULL when the request is not one or no socket could be made. */
static transfer_t *start_transfer(unsigned char *packet, size_t length, const struct sockaddr_in *peer) {
    if (length < 4 || packet[0] != 0 || packet[1] != OP_RRQ || transfers >= MAX_TRANSFERS) return NULL;
    packet[length] = 0;
    int blksize = 512, want_tsize = 0;
    char *cursor = (char *)packet + 2, *end = (char *)packet + length;
    cursor += strlen(cursor) + 1; /* file name: this server has one file */
    if (cursor >= end) return NULL;
    cursor += strlen(cursor) + 1; /* mode */
    while (cursor < end) {
        char *name = cursor, *value = name + strlen(name) + 1;
        if (value >= end) break;
        cursor = value + strlen(value) + 1;
        if (!strcasecmp(name, "blksize") && atoi(value) >= 8) blksize = atoi(value) > 65464 ? 65464 : atoi(value);
        if (!strcasecmp(name, "tsize")) want_tsize = 1;
    }
    transfer_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->blksize = blksize;
    t->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in local = listen_address;
    local.sin_port = 0;
    if (t->fd < 0 || bind(t->fd, (const void *)&local, sizeof local) < 0 ||
        connect(t->fd, (const void *)peer, sizeof *peer) < 0) {
        if (t->fd >= 0) close(t->fd);
        free(t);
        return NULL;
    }
    transfers++;
    char oack[96] = {0, OP_OACK};
    int oack_length = 2;
    if (blksize != 512)
        oack_length += snprintf(oack + oack_length, sizeof oack - oack_length, "blksize%c%d", 0, blksize) + 1;
    if (want_tsize)
        oack_length += snprintf(oack + oack_length, sizeof oack - oack_length, "tsize%c%zu", 0, file_size) + 1;
    if (oack_length > 2) {
        (void)send(t->fd, oack, (size_t)oack_length, 0); /* block 0 sent: ACK 0 asks for DATA 1 */
    } else {
        t->block = 1;
        send_block(t);
    }
    return t;
}

/* Handles an ACK; returns 1 when the transfer is over (the final block was acknowledged). */
static int acknowledged(transfer_t *t, const unsigned char *packet, size_t length) {
    if (length < 4 || packet[0] != 0 || packet[1] != OP_ACK) return 0;
    uint16_t block = (uint16_t)(packet[2] << 8 | packet[3]);
    if (block == (uint16_t)(t->block - 1) && t->block > 0) { /* the client retransmitted: our DATA was lost */
        send_block(t);
        return 0;
    }
    if (block != (uint16_t)t->block) return 0;
    if (t->block > 0 && t->last_sent) return 1;
    t->block++;
    send_block(t);
    return 0;
}

static void end_transfer(transfer_t *t) {
    close(t->fd);
    free(t);
    transfers--;
}

static int serve_epoll(int listener) {
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event) < 0) return perror("epoll"), 1;
    struct epoll_event events[EVENTS];
    unsigned char packet[65536];
    for (;;) {
        int ready = epoll_wait(epoll, events, EVENTS, -1);
        if (ready < 0 && errno != EINTR) return perror("epoll_wait"), 1;
        for (int i = 0; i < ready; i++) {
            transfer_t *t = events[i].data.ptr;
            if (!t) {
                struct sockaddr_in peer;
                socklen_t peer_length = sizeof peer;
                ssize_t length = recvfrom(listener, packet, sizeof packet - 1, 0, (void *)&peer, &peer_length);
                if (length <= 0 || !(t = start_transfer(packet, (size_t)length, &peer))) continue;
                struct epoll_event transfer_event = {.events = EPOLLIN, .data.ptr = t};
                if (epoll_ctl(epoll, EPOLL_CTL_ADD, t->fd, &transfer_event) < 0) end_transfer(t);
                continue;
            }
            ssize_t length = recv(t->fd, packet, sizeof packet, 0);
            if (length > 0 && acknowledged(t, packet, (size_t)length)) end_transfer(t);
        }
    }
}

static struct io_uring ring;
static struct io_uring_buf_ring *buffers;
static unsigned char *buffer_memory;
static unsigned char listener_packet[65536];
static struct sockaddr_in listener_peer;
static struct iovec listener_iov = {listener_packet, sizeof listener_packet - 1};
static struct msghdr listener_message = {.msg_name = &listener_peer, .msg_namelen = sizeof listener_peer,
                                         .msg_iov = &listener_iov, .msg_iovlen = 1};

static struct io_uring_sqe *next_sqe(void) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (!sqe) {
        io_uring_submit(&ring);
        sqe = io_uring_get_sqe(&ring);
    }
    return sqe;
}

static void arm_listener(int listener) {
    listener_message.msg_namelen = sizeof listener_peer;
    struct io_uring_sqe *sqe = next_sqe();
    io_uring_prep_recvmsg(sqe, listener, &listener_message, 0);
    io_uring_sqe_set_data64(sqe, LISTENER_TAG);
}

static void arm_transfer(transfer_t *t) {
    struct io_uring_sqe *sqe = next_sqe();
    io_uring_prep_recv_multishot(sqe, t->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BUFFER_GROUP;
    io_uring_sqe_set_data(sqe, t);
}

static int serve_io_uring(int listener) {
    struct io_uring_params params = {.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                                              IORING_SETUP_CQSIZE,
                                     .cq_entries = 16384};
    int result = io_uring_queue_init_params(4096, &ring, &params);
    if (result < 0) return fprintf(stderr, "io_uring: %s\n", strerror(-result)), 1;
    buffers = mmap(NULL, BUFFER_COUNT * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
                   MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    buffer_memory = malloc((size_t)BUFFER_COUNT * BUFFER_SIZE);
    if (buffers == MAP_FAILED || !buffer_memory) return fprintf(stderr, "io_uring buffers: out of memory\n"), 1;
    io_uring_buf_ring_init(buffers);
    struct io_uring_buf_reg registration = {.ring_addr = (uint64_t)(uintptr_t)buffers, .ring_entries = BUFFER_COUNT,
                                            .bgid = BUFFER_GROUP};
    result = io_uring_register_buf_ring(&ring, &registration, 0);
    if (result < 0) return fprintf(stderr, "io_uring buffers: %s\n", strerror(-result)), 1;
    for (unsigned id = 0; id < BUFFER_COUNT; id++)
        io_uring_buf_ring_add(buffers, buffer_memory + (size_t)id * BUFFER_SIZE, BUFFER_SIZE, (unsigned short)id,
                              io_uring_buf_ring_mask(BUFFER_COUNT), (int)id);
    io_uring_buf_ring_advance(buffers, BUFFER_COUNT);
    arm_listener(listener);
    for (;;) {
        struct io_uring_cqe *cqe;
        result = io_uring_submit_and_wait(&ring, 1);
        if (result < 0 && result != -EINTR) return fprintf(stderr, "io_uring_enter: %s\n", strerror(-result)), 1;
        unsigned head, seen = 0, returned = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            if (cqe->user_data == LISTENER_TAG) {
                transfer_t *t = cqe->res > 0 ? start_transfer(listener_packet, (size_t)cqe->res, &listener_peer) : NULL;
                if (t) arm_transfer(t);
                arm_listener(listener);
                continue;
            }
            if (cqe->user_data == UINT64_MAX) continue; /* a cancellation's own completion */
            transfer_t *t = io_uring_cqe_get_data(cqe);
            if (cqe->flags & IORING_CQE_F_BUFFER) {
                unsigned id = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
                unsigned char *packet = buffer_memory + (size_t)id * BUFFER_SIZE;
                if (!t->over && cqe->res > 0 && acknowledged(t, packet, (size_t)cqe->res)) {
                    t->over = 1; /* its receive ends with a completion of its own, after which t is freed */
                    struct io_uring_sqe *sqe = next_sqe();
                    io_uring_prep_cancel(sqe, t, 0);
                    io_uring_sqe_set_data64(sqe, UINT64_MAX);
                }
                io_uring_buf_ring_add(buffers, packet, BUFFER_SIZE, (unsigned short)id,
                                      io_uring_buf_ring_mask(BUFFER_COUNT), (int)returned++);
            }
            if (cqe->flags & IORING_CQE_F_MORE) continue;
            if (t->over || (cqe->res < 0 && cqe->res != -ENOBUFS)) end_transfer(t); /* done, or the client is gone */
            else arm_transfer(t); /* the kernel ended the multishot receive (no buffers left): start it again */
        }
        io_uring_buf_ring_advance(buffers, (int)returned);
        io_uring_cq_advance(&ring, seen);
    }
}

int main(int argc, char **argv) {
    int use_epoll = 1, first = 1;
    if (argc > 2 && !strcmp(argv[1], "--io")) {
        use_epoll = !strcmp(argv[2], "epoll");
        if (!use_epoll && strcmp(argv[2], "io_uring"))
            return fprintf(stderr, "tftp-floor: --io epoll or io_uring\n"), 2;
        first = 3;
    }
    if (argc - first != 3) return fprintf(stderr, "usage: tftp-floor [--io epoll|io_uring] FILE ADDRESS PORT\n"), 2;
    int source = open(argv[first], O_RDONLY | O_CLOEXEC);
    struct stat status;
    if (source < 0 || fstat(source, &status) < 0 || status.st_size == 0) return perror(argv[first]), 1;
    file_size = (size_t)status.st_size;
    file = mmap(NULL, file_size, PROT_READ, MAP_SHARED | MAP_POPULATE, source, 0);
    if (file == MAP_FAILED) return perror("mmap"), 1;
    listen_address = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[first + 2]))};
    if (inet_pton(AF_INET, argv[first + 1], &listen_address.sin_addr) != 1)
        return fprintf(stderr, "tftp-floor: %s is not an IPv4 address\n", argv[first + 1]), 2;
    int listener = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (const void *)&listen_address, sizeof listen_address) < 0)
        return perror("bind"), 1;
    return use_epoll ? serve_epoll(listener) : serve_io_uring(listener);
}
