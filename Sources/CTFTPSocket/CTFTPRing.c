#define _GNU_SOURCE
#include "CTFTPRing.h"

#include "CTFTPMonotonic.h"

#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

enum {
    RING_ENTRIES = 1024,
    COMPLETION_ENTRIES = 8192,
    /* More buffers than one wait hands out, so a full batch never leaves the kernel without one. */
    BUFFER_COUNT = 1024,
    BUFFER_SIZE = 2048,
    BUFFER_GROUP = 0,
};

enum watch_kind { WATCH_NONE = 0, WATCH_DATAGRAMS = 1, WATCH_READABLE = 2 };

/* user_data of cancel requests, whose completions are of no interest. */
static const uint64_t cancel_tag = UINT64_MAX;

struct ctftp_ring {
    struct io_uring uring;
    struct io_uring_buf_ring *buffers;
    unsigned char *buffer_memory;
    /* Buffers handed out by the last wait, returned to the kernel at the start of the next. */
    uint16_t returning[BUFFER_COUNT];
    int returning_count;
    /* Per descriptor: what it is watched for, and a generation that tells its completions from those of an
       earlier watch of the same descriptor number (a closed socket's number is soon reused). */
    uint8_t *kinds;
    uint32_t *generations;
    size_t watch_capacity;
};

size_t ctftp_ring_datagram_capacity(void) { return BUFFER_SIZE; }

static uint64_t user_data(struct ctftp_ring *ring, int fd) {
    return ((uint64_t)ring->generations[fd] << 32) | (uint32_t)fd;
}

static struct io_uring_sqe *next_entry(struct ctftp_ring *ring) {
    struct io_uring_sqe *entry = io_uring_get_sqe(&ring->uring);
    if (!entry) {
        io_uring_submit(&ring->uring);
        entry = io_uring_get_sqe(&ring->uring);
    }
    return entry;
}

static int arm(struct ctftp_ring *ring, int fd) {
    struct io_uring_sqe *entry = next_entry(ring);
    if (!entry) return -EBUSY;
    if (ring->kinds[fd] == WATCH_DATAGRAMS) {
        /* MSG_TRUNC: a datagram longer than the buffer reports its full length, so it is never mistaken for a
           shorter one. */
        io_uring_prep_recv_multishot(entry, fd, NULL, 0, MSG_TRUNC);
        entry->flags |= IOSQE_BUFFER_SELECT;
        entry->buf_group = BUFFER_GROUP;
    } else {
        io_uring_prep_poll_multishot(entry, fd, POLLIN);
    }
    io_uring_sqe_set_data64(entry, user_data(ring, fd));
    return 0;
}

struct ctftp_ring *ctftp_ring_create(void) {
    struct ctftp_ring *ring = calloc(1, sizeof *ring);
    if (!ring) return NULL;
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    /* DEFER_TASKRUN (Linux 6.1, after multishot receive in 6.0): arrivals are copied out when the pump waits,
       not by interrupting it. */
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
    params.cq_entries = COMPLETION_ENTRIES;
    int result = io_uring_queue_init_params(RING_ENTRIES, &ring->uring, &params);
    if (result < 0) {
        free(ring);
        errno = -result;
        return NULL;
    }
    size_t ring_bytes = BUFFER_COUNT * sizeof(struct io_uring_buf);
    ring->buffers = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    ring->buffer_memory = malloc((size_t)BUFFER_COUNT * BUFFER_SIZE);
    if (ring->buffers == MAP_FAILED || !ring->buffer_memory) {
        result = -ENOMEM;
    } else {
        io_uring_buf_ring_init(ring->buffers);
        struct io_uring_buf_reg registration;
        memset(&registration, 0, sizeof registration);
        registration.ring_addr = (uint64_t)(uintptr_t)ring->buffers;
        registration.ring_entries = BUFFER_COUNT;
        registration.bgid = BUFFER_GROUP;
        result = io_uring_register_buf_ring(&ring->uring, &registration, 0);
    }
    if (result < 0) {
        if (ring->buffers != MAP_FAILED && ring->buffers) munmap(ring->buffers, ring_bytes);
        free(ring->buffer_memory);
        io_uring_queue_exit(&ring->uring);
        free(ring);
        errno = -result;
        return NULL;
    }
    for (int id = 0; id < BUFFER_COUNT; id++) {
        io_uring_buf_ring_add(ring->buffers, ring->buffer_memory + (size_t)id * BUFFER_SIZE, BUFFER_SIZE, id,
                              io_uring_buf_ring_mask(BUFFER_COUNT), id);
    }
    io_uring_buf_ring_advance(ring->buffers, BUFFER_COUNT);
    return ring;
}

void ctftp_ring_destroy(struct ctftp_ring *ring) {
    if (!ring) return;
    io_uring_queue_exit(&ring->uring);
    munmap(ring->buffers, BUFFER_COUNT * sizeof(struct io_uring_buf));
    free(ring->buffer_memory);
    free(ring->kinds);
    free(ring->generations);
    free(ring);
}

static int watch(struct ctftp_ring *ring, int fd, enum watch_kind kind) {
    if (fd < 0) return -EBADF;
    if ((size_t)fd >= ring->watch_capacity) {
        size_t capacity = ring->watch_capacity ? ring->watch_capacity : 256;
        while (capacity <= (size_t)fd) capacity *= 2;
        uint8_t *kinds = realloc(ring->kinds, capacity * sizeof *kinds);
        if (!kinds) return -ENOMEM;
        ring->kinds = kinds;
        uint32_t *generations = realloc(ring->generations, capacity * sizeof *generations);
        if (!generations) return -ENOMEM;
        ring->generations = generations;
        memset(ring->kinds + ring->watch_capacity, 0, capacity - ring->watch_capacity);
        memset(ring->generations + ring->watch_capacity, 0, (capacity - ring->watch_capacity) * sizeof *generations);
        ring->watch_capacity = capacity;
    }
    ring->generations[fd]++;
    ring->kinds[fd] = kind;
    int result = arm(ring, fd);
    if (result < 0) ring->kinds[fd] = WATCH_NONE;
    return result;
}

int ctftp_ring_watch_datagrams(struct ctftp_ring *ring, int fd) { return watch(ring, fd, WATCH_DATAGRAMS); }

int ctftp_ring_watch_readable(struct ctftp_ring *ring, int fd) { return watch(ring, fd, WATCH_READABLE); }

void ctftp_ring_unwatch(struct ctftp_ring *ring, int fd) {
    if (fd < 0 || (size_t)fd >= ring->watch_capacity || ring->kinds[fd] == WATCH_NONE) return;
    struct io_uring_sqe *entry = next_entry(ring);
    if (entry) {
        /* The request holds its own reference to the socket, so closing the descriptor alone would not end it. */
        io_uring_prep_cancel64(entry, user_data(ring, fd), 0);
        io_uring_sqe_set_data64(entry, cancel_tag);
    }
    ring->kinds[fd] = WATCH_NONE;
    ring->generations[fd]++;
}

static void give_back(struct ctftp_ring *ring, uint16_t id) {
    io_uring_buf_ring_add(ring->buffers, ring->buffer_memory + (size_t)id * BUFFER_SIZE, BUFFER_SIZE, id,
                          io_uring_buf_ring_mask(BUFFER_COUNT), 0);
    io_uring_buf_ring_advance(ring->buffers, 1);
}

/* Errors after which a receive on the socket can succeed again: the ICMP errors a connected UDP socket reports
   once, and running out of buffers. Anything else (a closed or unusable descriptor) would fail again at once. */
static int receive_can_resume(int error) {
    switch (error) {
    case ENOBUFS: case ECONNREFUSED: case EHOSTUNREACH: case ENETUNREACH: case EHOSTDOWN: case ENETDOWN:
    case EMSGSIZE: case EPROTO: case ENOPROTOOPT: case EAGAIN: case EINTR: case ENOMEM:
        return 1;
    default:
        return 0;
    }
}

int ctftp_ring_wait(struct ctftp_ring *ring, struct ctftp_ring_event *events, int capacity, int timeout_ms,
                    long long spin_ns) {
    for (int index = 0; index < ring->returning_count; index++) give_back(ring, ring->returning[index]);
    ring->returning_count = 0;

    struct io_uring_cqe *completion = NULL;
    long long remaining_ns = timeout_ms < 0 ? -1 : (long long)timeout_ms * 1000000;
    if (spin_ns > 0 && remaining_ns != 0 && io_uring_cq_ready(&ring->uring) == 0) {
        /* Each round runs the deferred receives: a datagram that arrived is a completion when it returns. */
        long long started = ctftp_monotonic_ns();
        long long budget = remaining_ns < 0 || spin_ns < remaining_ns ? spin_ns : remaining_ns;
        io_uring_submit_and_get_events(&ring->uring);
        long long elapsed = 0;
        while (io_uring_cq_ready(&ring->uring) == 0 && (elapsed = ctftp_monotonic_ns() - started) < budget)
            io_uring_get_events(&ring->uring);
        if (remaining_ns > 0) remaining_ns = remaining_ns > elapsed ? remaining_ns - elapsed : 0;
    }
    int result;
    if (io_uring_cq_ready(&ring->uring) > 0) {
        result = io_uring_submit(&ring->uring);
    } else if (remaining_ns == 0) {
        result = io_uring_submit_and_get_events(&ring->uring);
    } else if (remaining_ns < 0) {
        result = io_uring_submit_and_wait(&ring->uring, 1);
    } else {
        struct __kernel_timespec timeout = {.tv_sec = remaining_ns / 1000000000, .tv_nsec = remaining_ns % 1000000000};
        result = io_uring_submit_and_wait_timeout(&ring->uring, &completion, 1, &timeout, NULL);
    }
    if (result < 0 && result != -ETIME && result != -EINTR && result != -EBUSY) return result;

    int count = 0;
    unsigned seen = 0;
    unsigned head;
    io_uring_for_each_cqe(&ring->uring, head, completion) {
        if (count == capacity) break;
        seen++;
        uint64_t tag = completion->user_data;
        int has_buffer = (completion->flags & IORING_CQE_F_BUFFER) != 0;
        uint16_t id = (uint16_t)(completion->flags >> IORING_CQE_BUFFER_SHIFT);
        int fd = (int)(uint32_t)tag;
        if (tag == cancel_tag || fd < 0 || (size_t)fd >= ring->watch_capacity || ring->kinds[fd] == WATCH_NONE ||
            (uint32_t)(tag >> 32) != ring->generations[fd]) {
            if (has_buffer) give_back(ring, id);  /* a completion of a watch that has ended */
            continue;
        }
        int more = (completion->flags & IORING_CQE_F_MORE) != 0;
        int res = completion->res;
        if (ring->kinds[fd] == WATCH_READABLE) {
            if (!more) {
                if (res >= 0) arm(ring, fd);
                else ring->kinds[fd] = WATCH_NONE;
            }
            if (res > 0)
                events[count++] = (struct ctftp_ring_event){.fd = fd, .readable = 1, .result = 0, .bytes = NULL};
            continue;
        }
        if (!more) {
            if (res >= 0 || receive_can_resume(-res)) arm(ring, fd);
            else ring->kinds[fd] = WATCH_NONE;
        }
        if (res == -ENOBUFS) continue;  /* the datagram waits in the socket for the re-armed receive */
        const unsigned char *bytes = NULL;
        if (has_buffer) {
            bytes = ring->buffer_memory + (size_t)id * BUFFER_SIZE;
            ring->returning[ring->returning_count++] = id;
        }
        events[count++] = (struct ctftp_ring_event){.fd = fd, .readable = 0, .result = res, .bytes = bytes};
    }
    io_uring_cq_advance(&ring->uring, seen);
    return count;
}
