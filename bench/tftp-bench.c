/*
 * tftp-bench: Rackboot's TFTP load client for `make bench-tftp`.
 *
 * Runs N concurrent read transfers of one file against a TFTP server, lock-step (RFC 1350) or windowed
 * (RFC 7440), with blksize/windowsize/tsize options, from one thread that costs as little CPU as it can (it shares
 * the machine with the server, so every microsecond it spends per block is one the server cannot): io_uring by
 * default, one multishot receive per transfer socket into provided buffers and each ACK queued as a send, so a
 * whole batch of DATA blocks is received and answered in one io_uring_enter; `--io epoll` (or a kernel that refuses
 * io_uring) waits with epoll and reads and sends with one system call each. Every byte received is compared with
 * the source file (mmap) and every length with its size. It prints one JSON line: transfers ok/failed, aggregate MB/s,
 * p50/p99 transfer time, the server's CPU seconds and peak RSS read from /proc (PID given with --pid;
 * children included, for forking servers such as tftpd-hpa), and the client's own CPU seconds.
 *
 * --delay-us N holds every packet the client sends for N microseconds before it leaves: a round trip of N µs
 * without `tc netem` (this machine's kernel is built without CONFIG_NET_SCH_NETEM). For a TFTP server only the
 * round trip matters (a window goes out, the ACK comes back), so it stands in for netem's delay on both ends.
 *
 * Every loop is bounded: each transfer has a retransmission limit and the whole run a deadline.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"

enum { OP_RRQ = 1, OP_DATA = 3, OP_ACK = 4, OP_ERROR = 5, OP_OACK = 6 };
enum { ST_REQUEST, ST_DATA, ST_DONE, ST_FAILED };

typedef struct {
    int fd;
    int state;
    int connected;
    struct sockaddr_in peer;
    uint64_t next;        /* next expected block, counted without wrapping (1-based) */
    uint64_t bytes;
    int blksize, window, in_window, nacked, retries;
    double start, finish, last_activity;
    unsigned char ack[4]; /* the ACK an io_uring send reads (it must outlive the call that queued it) */
    uint64_t ack_batch;   /* the batch in which that send was queued */
    char reason[96];
} transfer_t;

static const char *server_ip = "127.0.0.1", *file_name, *source_path, *times_path;
static int server_port = 69, count = 1, blksize = 0, window = 0, want_tsize = 0, max_retries = 8;
static double deadline_seconds = 600, retransmit_seconds = 1.0, delay_seconds = 0;
static pid_t server_pid = 0;
static const char *cpuacct_path; /* a cgroup v1 cpuacct.usage holding only the server (bench/run.sh makes it) */
static const unsigned char *source;
static uint64_t source_size;
static int use_uring = 1;
static struct io_uring ring;
static int ring_ready;       /* ACKs on connected sockets are queued on `ring` */
static uint64_t ring_batch = 1; /* counts io_uring_enter calls, so an ACK buffer still queued is never rewritten */

/* utime+stime+cutime+cstime of pid in seconds (fields 14-17 of /proc/PID/stat). */
static double cpu_seconds(pid_t pid, int with_reaped_children) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return 0;
    unsigned long long v[17] = {0};
    /* after ")": state(3) ppid(4) ... utime is field 14 */
    char *tok = strtok(p + 2, " ");
    for (int field = 3; tok && field <= 17; field++, tok = strtok(NULL, " ")) v[field - 1] = strtoull(tok, NULL, 10);
    double ticks = sysconf(_SC_CLK_TCK);
    double total = v[13] + v[14];
    if (with_reaped_children) total += v[15] + v[16];
    return total / ticks;
}

/* The server's children, for its CPU time and to wait for its workers. */
static pid_t kids[4096];

/* The server's CPU seconds so far: from its own cpuacct cgroup when given (exact, children included even when the
 * server never waits for them, as tftpd-hpa 5.2 does), else from /proc (the server, its reaped and live children). */
static double server_cpu(void) {
    if (cpuacct_path) {
        FILE *f = fopen(cpuacct_path, "r");
        unsigned long long ns = 0;
        if (f) {
            if (fscanf(f, "%llu", &ns) != 1) ns = 0;
            fclose(f);
        }
        return ns / 1e9;
    }
    double total = cpu_seconds(server_pid, 1);
    int n = children(server_pid, kids, 4096);
    for (int i = 0; i < n; i++) total += cpu_seconds(kids[i], 1);
    return total;
}

static void fail(transfer_t *t, const char *why) {
    if (t->state == ST_DONE || t->state == ST_FAILED) return;
    t->state = ST_FAILED;
    t->finish = now();
    snprintf(t->reason, sizeof t->reason, "%s", why);
}

/* Packets held for --delay-us, in send order (a constant delay keeps them in due order). */
typedef struct {
    double due;
    transfer_t *t;
    int to_server_port; /* an RRQ goes to the request port, not the transfer's peer */
    size_t len;
    unsigned char data[512];
} held_t;
enum { HELD_MAX = 1 << 16 };
static held_t *held;
static size_t held_head, held_count;
static struct sockaddr_in request_address;

static void send_now(transfer_t *t, const void *buf, size_t len, int to_request_port);

static void send_later(transfer_t *t, const void *buf, size_t len, int to_request_port) {
    if (held_count == HELD_MAX || len > sizeof held[0].data) return; /* dropped: the retransmission timer recovers */
    held_t *h = &held[(held_head + held_count++) % HELD_MAX];
    h->due = now() + delay_seconds;
    h->t = t;
    h->to_server_port = to_request_port;
    h->len = len;
    memcpy(h->data, buf, len);
}

/* Sends every held packet that is due; returns the seconds until the next one (or -1 when none is held). */
static double release_due(void) {
    double t_now = now();
    while (held_count) {
        held_t *h = &held[held_head];
        if (h->due > t_now) return h->due - t_now;
        send_now(h->t, h->data, h->len, h->to_server_port); /* final ACKs of finished transfers too */
        held_head = (held_head + 1) % HELD_MAX;
        held_count--;
    }
    return -1;
}

static void send_to_peer(transfer_t *t, const void *buf, size_t len) {
    if (delay_seconds > 0) send_later(t, buf, len, 0);
    else send_now(t, buf, len, 0);
}

static void submit_ring(void) {
    io_uring_submit(&ring);
    ring_batch++;
}

/* Queues an ACK as an io_uring send (no completion unless it fails), submitted with the next wait. A submitted
 * send that found the socket's buffer full reads t->ack when it finally leaves; by then it may hold a later ACK of
 * the same transfer, which acknowledges more and is just as valid. */
static void queue_ack(transfer_t *t, const unsigned char ack[4]) {
    if (t->ack_batch == ring_batch) submit_ring(); /* its previous ACK is still queued: let it leave first */
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (!sqe) {
        submit_ring();
        sqe = io_uring_get_sqe(&ring);
    }
    if (!sqe) return; /* lost: the retransmission timer recovers */
    memcpy(t->ack, ack, 4);
    t->ack_batch = ring_batch;
    io_uring_prep_send(sqe, t->fd, t->ack, 4, 0);
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
    io_uring_sqe_set_data64(sqe, UINT64_MAX);
}

static void send_now(transfer_t *t, const void *buf, size_t len, int to_request_port) {
    if (to_request_port) {
        sendto(t->fd, buf, len, 0, (struct sockaddr *)&request_address, sizeof request_address);
        return;
    }
    ssize_t r = t->connected ? send(t->fd, buf, len, 0)
                             : sendto(t->fd, buf, len, 0, (struct sockaddr *)&t->peer, sizeof t->peer);
    (void)r; /* a lost send is recovered by the retransmission timer */
}

static void send_ack(transfer_t *t, uint16_t block) {
    unsigned char b[4] = {0, OP_ACK, block >> 8, block & 0xff};
    if (ring_ready && t->connected && delay_seconds == 0) queue_ack(t, b);
    else send_to_peer(t, b, 4);
}

static void send_rrq(transfer_t *t) {
    char b[512];
    size_t n = 0;
    b[n++] = 0;
    b[n++] = OP_RRQ;
    n += (size_t)sprintf(b + n, "%s", file_name) + 1;
    n += (size_t)sprintf(b + n, "octet") + 1;
    if (blksize) {
        n += (size_t)sprintf(b + n, "blksize") + 1;
        n += (size_t)sprintf(b + n, "%d", blksize) + 1;
    }
    if (want_tsize) {
        n += (size_t)sprintf(b + n, "tsize") + 1;
        n += (size_t)sprintf(b + n, "0") + 1;
    }
    if (window > 1) {
        n += (size_t)sprintf(b + n, "windowsize") + 1;
        n += (size_t)sprintf(b + n, "%d", window) + 1;
    }
    if (delay_seconds > 0) send_later(t, b, n, 1);
    else send_now(t, b, n, 1);
}

/* Options in an OACK: name\0value\0 pairs. */
static void read_oack(transfer_t *t, const unsigned char *p, ssize_t len) {
    const char *s = (const char *)p + 2, *end = (const char *)p + len;
    while (s < end) {
        const char *name = s;
        s += strnlen(s, end - s) + 1;
        if (s >= end) break;
        const char *value = s;
        s += strnlen(s, end - s) + 1;
        if (!strcasecmp(name, "blksize")) t->blksize = atoi(value);
        else if (!strcasecmp(name, "windowsize")) t->window = atoi(value);
        else if (!strcasecmp(name, "tsize") && strtoull(value, NULL, 10) != source_size) fail(t, "wrong tsize");
    }
}

static void lock_peer(transfer_t *t, struct sockaddr_in *from) {
    if (t->connected) return;
    t->peer = *from; /* the server's transfer ID (RFC 1350 §4) */
    if (connect(t->fd, (struct sockaddr *)from, sizeof *from) == 0) t->connected = 1;
}

static void on_packet(transfer_t *t, const unsigned char *p, ssize_t len, struct sockaddr_in *from) {
    if (len < 4 || t->state >= ST_DONE) return;
    if (t->connected && (from->sin_port != t->peer.sin_port || from->sin_addr.s_addr != t->peer.sin_addr.s_addr))
        return;
    int op = p[1];
    t->last_activity = now();
    t->retries = 0;
    if (op == OP_ERROR) {
        char why[96];
        snprintf(why, sizeof why, "ERROR %d %.60s", p[3], (const char *)p + 4);
        fail(t, why);
        return;
    }
    if (op == OP_OACK && t->state == ST_REQUEST) {
        lock_peer(t, from);
        read_oack(t, p, len);
        if (t->state == ST_FAILED) return;
        t->state = ST_DATA;
        send_ack(t, 0);
        return;
    }
    if (op != OP_DATA) return;
    if (t->state == ST_REQUEST) { /* no OACK: the server ignored every option */
        lock_peer(t, from);
        t->blksize = 512;
        t->window = 1;
        t->state = ST_DATA;
    }
    uint16_t block = (uint16_t)(p[2] << 8 | p[3]);
    size_t payload = (size_t)len - 4;
    if (block != (uint16_t)t->next) {
        /* a block from an earlier window (retransmission) or a gap: ack the last in-order block once */
        if (!t->nacked) {
            send_ack(t, (uint16_t)(t->next - 1));
            t->nacked = 1;
        }
        return;
    }
    t->nacked = 0;
    uint64_t offset = (t->next - 1) * (uint64_t)t->blksize;
    if (payload > (size_t)t->blksize || offset + payload > source_size ||
        memcmp(p + 4, source + offset, payload) != 0) {
        fail(t, "bytes differ from the source");
        return;
    }
    t->bytes += payload;
    t->next++;
    t->in_window++;
    if (payload < (size_t)t->blksize) {
        send_ack(t, block);
        if (t->bytes != source_size) {
            fail(t, "short file");
            return;
        }
        t->state = ST_DONE;
        t->finish = now();
        return;
    }
    if (t->in_window >= t->window) {
        t->in_window = 0;
        send_ack(t, block);
    }
}

/* Marks a transfer that just ended as no longer watched; returns 1 when it did end. */
static int ended(int ep, transfer_t *t, int before) {
    if (before >= ST_DONE || t->state < ST_DONE) return 0;
    if (!ring_ready) epoll_ctl(ep, EPOLL_CTL_DEL, t->fd, NULL);
    return 1;
}

/* One epoll wait and the reads it allows; returns how many transfers ended. */
static int epoll_turn(int ep, transfer_t *ts, double wait_s) {
    static unsigned char buf[65536 + 64];
    struct epoll_event events[256];
    struct timespec timeout = {0, (long)(wait_s * 1e9)};
    int n = epoll_pwait2(ep, events, 256, &timeout, NULL), finished = 0;
    for (int e = 0; e < n; e++) {
        transfer_t *t = &ts[events[e].data.u32];
        for (int reads = 0; reads < 64; reads++) { /* bounded so one busy socket cannot starve the rest */
            struct sockaddr_in from;
            socklen_t fromlen = sizeof from;
            ssize_t len = recvfrom(t->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
            if (len < 0) break;
            int before = t->state;
            on_packet(t, buf, len, &from);
            if (ended(ep, t, before)) {
                finished++;
                break;
            }
        }
    }
    return finished;
}

/* Retransmissions (the last ACK, or the RRQ) and the run's deadline; returns how many transfers ended. */
static int check_timers(int ep, transfer_t *ts, double elapsed) {
    double t_now = now();
    int finished = 0;
    for (int i = 0; i < count; i++) {
        transfer_t *t = &ts[i];
        if (t->state >= ST_DONE) continue;
        int before = t->state;
        if (elapsed > deadline_seconds) {
            fail(t, "run deadline");
        } else if (t_now - t->last_activity > retransmit_seconds) {
            if (++t->retries > max_retries) {
                fail(t, "timeout");
            } else {
                t->last_activity = t_now;
                if (t->state == ST_REQUEST) send_rrq(t);
                else send_ack(t, (uint16_t)(t->next - 1));
            }
        }
        finished += ended(ep, t, before);
    }
    return finished;
}

/* The io_uring side: provided buffers that the kernel fills with received datagrams (each behind a
 * struct io_uring_recvmsg_out and the sender's address). */
enum { RING_BUFFER_GROUP = 1 };
static struct io_uring_buf_ring *ring_buffers;
static unsigned char *ring_memory;
static unsigned ring_buffer_count, ring_buffer_size;
static struct msghdr ring_msg = {.msg_namelen = sizeof(struct sockaddr_in)};

/* Sets up the ring and its buffers, sized for every datagram a run can have in flight (a window per transfer).
 * Returns 0, or -errno when the kernel refuses (the run then uses epoll). */
static int uring_setup(int largest_datagram, int in_flight) {
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
    params.cq_entries = 32768;
    int r = io_uring_queue_init_params(4096, &ring, &params);
    if (r < 0) return r;
    unsigned size = sizeof(struct io_uring_recvmsg_out) + sizeof(struct sockaddr_in) + (unsigned)largest_datagram;
    ring_buffer_size = (size + 63) & ~63u;
    unsigned wanted = (unsigned)in_flight * 2 + 64, limit = (64u << 20) / ring_buffer_size;
    if (wanted > limit) wanted = limit;
    ring_buffer_count = 64;
    while (ring_buffer_count < wanted && ring_buffer_count < 32768) ring_buffer_count *= 2;
    ring_buffers = mmap(NULL, ring_buffer_count * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
                        MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    ring_memory = malloc((size_t)ring_buffer_count * ring_buffer_size);
    if (ring_buffers == MAP_FAILED || !ring_memory) return -ENOMEM;
    io_uring_buf_ring_init(ring_buffers);
    struct io_uring_buf_reg reg = {.ring_addr = (uint64_t)(uintptr_t)ring_buffers,
                                   .ring_entries = ring_buffer_count, .bgid = RING_BUFFER_GROUP};
    r = io_uring_register_buf_ring(&ring, &reg, 0);
    if (r < 0) return r;
    for (unsigned id = 0; id < ring_buffer_count; id++)
        io_uring_buf_ring_add(ring_buffers, ring_memory + (size_t)id * ring_buffer_size, ring_buffer_size,
                              (unsigned short)id, io_uring_buf_ring_mask(ring_buffer_count), (int)id);
    io_uring_buf_ring_advance(ring_buffers, (int)ring_buffer_count);
    ring_ready = 1;
    return 0;
}

/* One multishot receive on transfer `index`'s socket, until it ends (the kernel ends it when buffers run out). */
static void uring_arm(transfer_t *ts, int index) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (!sqe) {
        submit_ring();
        sqe = io_uring_get_sqe(&ring);
    }
    if (!sqe) return; /* the transfer's timer will fail it */
    io_uring_prep_recvmsg_multishot(sqe, ts[index].fd, &ring_msg, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = RING_BUFFER_GROUP;
    io_uring_sqe_set_data64(sqe, (uint64_t)index);
}

/* Submits the queued ACKs, waits for datagrams, handles them; returns how many transfers ended. */
static int uring_turn(transfer_t *ts, double wait_s) {
    struct __kernel_timespec timeout = {0, (long long)(wait_s * 1e9)};
    struct io_uring_cqe *cqe = NULL;
    io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &timeout, NULL);
    ring_batch++;
    unsigned head, seen = 0, returned = 0;
    int finished = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
        seen++;
        uint64_t tag = cqe->user_data;
        if (tag == UINT64_MAX) continue; /* a failed ACK send: the retransmission timer recovers */
        transfer_t *t = &ts[tag];
        if (!(cqe->flags & IORING_CQE_F_MORE) && t->state < ST_DONE) uring_arm(ts, (int)tag);
        if (!(cqe->flags & IORING_CQE_F_BUFFER)) continue; /* ENOBUFS or an error: the datagram stays queued */
        unsigned id = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        unsigned char *buffer = ring_memory + (size_t)id * ring_buffer_size;
        struct io_uring_recvmsg_out *out = io_uring_recvmsg_validate(buffer, cqe->res, &ring_msg);
        if (out && out->namelen >= sizeof(struct sockaddr_in)) {
            int before = t->state;
            if (out->flags & MSG_TRUNC) fail(t, "datagram longer than the buffer");
            else
                on_packet(t, io_uring_recvmsg_payload(out, &ring_msg),
                          (ssize_t)io_uring_recvmsg_payload_length(out, cqe->res, &ring_msg),
                          (struct sockaddr_in *)io_uring_recvmsg_name(out));
            finished += ended(-1, t, before);
        }
        io_uring_buf_ring_add(ring_buffers, buffer, ring_buffer_size, (unsigned short)id,
                              io_uring_buf_ring_mask(ring_buffer_count), (int)returned++);
    }
    io_uring_buf_ring_advance(ring_buffers, (int)returned);
    io_uring_cq_advance(&ring, seen);
    return finished;
}

static void usage(void) {
    fprintf(stderr, "usage: tftp-bench --file NAME --source PATH [--server IP] [--port N] [--count N] [--blksize N]\n"
                    "                  [--windowsize N] [--tsize] [--pid SERVER_PID] [--deadline S] [--times FILE]\n"
                    "                  [--delay-us N] [--cpuacct CGROUP/cpuacct.usage] [--io io_uring|epoll]\n");
    exit(64);
}

int main(int argc, char **argv) {
    static struct option options[] = {{"server", 1, 0, 's'}, {"port", 1, 0, 'p'},   {"file", 1, 0, 'f'},
                                      {"source", 1, 0, 'S'}, {"count", 1, 0, 'n'},  {"blksize", 1, 0, 'b'},
                                      {"windowsize", 1, 0, 'w'}, {"tsize", 0, 0, 't'}, {"pid", 1, 0, 'P'},
                                      {"deadline", 1, 0, 'd'}, {"times", 1, 0, 'T'}, {"delay-us", 1, 0, 'D'}, {"cpuacct", 1, 0, 'C'}, {"io", 1, 0, 'I'},
                                      {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 's': server_ip = optarg; break;
        case 'p': server_port = atoi(optarg); break;
        case 'f': file_name = optarg; break;
        case 'S': source_path = optarg; break;
        case 'n': count = atoi(optarg); break;
        case 'b': blksize = atoi(optarg); break;
        case 'w': window = atoi(optarg); break;
        case 't': want_tsize = 1; break;
        case 'P': server_pid = atoi(optarg); break;
        case 'd': deadline_seconds = atof(optarg); break;
        case 'T': times_path = optarg; break;
        case 'C': cpuacct_path = optarg; break;
        case 'D': delay_seconds = atof(optarg) / 1e6; break;
        case 'I':
            if (strcmp(optarg, "epoll") && strcmp(optarg, "io_uring")) usage();
            use_uring = strcmp(optarg, "io_uring") == 0;
            break;
        default: usage();
        }
    }
    if (!file_name || !source_path || count < 1 || count > 4000) usage();
    int sfd = open(source_path, O_RDONLY);
    struct stat st;
    if (sfd < 0 || fstat(sfd, &st) < 0) { perror(source_path); return 1; }
    source_size = (uint64_t)st.st_size;
    source = mmap(NULL, source_size ? source_size : 1, PROT_READ, MAP_SHARED, sfd, 0);
    if (source == MAP_FAILED) { perror("mmap"); return 1; }

    int ep = epoll_create1(0);
    transfer_t *ts = calloc((size_t)count, sizeof *ts);
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons(server_port)};
    inet_pton(AF_INET, server_ip, &server.sin_addr);
    request_address = server;
    held = calloc(HELD_MAX, sizeof *held);

    const char *client_io = "epoll";
    if (use_uring) {
        int r = uring_setup((blksize > 512 ? blksize : 512) + 4, count * (window > 1 ? window : 1));
        if (r == 0) client_io = "io_uring";
        else fprintf(stderr, "tftp-bench: io_uring refused (%s), using epoll\n", strerror(-r));
    }
    double cpu_before = server_pid || cpuacct_path ? server_cpu() : 0;
    sample_server_rss(server_pid);
    double started = now();
    for (int i = 0; i < count; i++) {
        transfer_t *t = &ts[i];
        t->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (t->fd < 0) { perror("socket"); return 1; }
        int rcvbuf = 4 << 20;
        setsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        t->peer = server;
        t->next = 1;
        t->blksize = 512;
        t->window = 1;
        t->start = t->last_activity = now();
        if (ring_ready) {
            uring_arm(ts, i);
        } else {
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
            epoll_ctl(ep, EPOLL_CTL_ADD, t->fd, &ev);
        }
        send_rrq(t);
    }

    int remaining = count;
    double next_check = started + 0.1;
    while (remaining > 0) {
        double wait_s = release_due();
        if (wait_s < 0 || wait_s > 0.02) wait_s = 0.02;
        remaining -= ring_ready ? uring_turn(ts, wait_s) : epoll_turn(ep, ts, wait_s);
        double t_now = now();
        if (t_now >= next_check) {
            next_check = t_now + 0.1;
            sample_server_rss(server_pid);
            remaining -= check_timers(ep, ts, t_now - started);
        }
    }
    double wall = now() - started;
    for (int i = 0; i < 1000 && held_count; i++) { /* the held final ACKs still leave (bounded: 1000 × ≤ 20 ms) */
        double wait_s = release_due();
        if (wait_s > 0) usleep((useconds_t)(wait_s * 1e6 < 20000 ? wait_s * 1e6 : 20000));
    }
    sample_server_rss(server_pid);
    /* Let a forking server reap its children so their CPU shows in cutime/cstime (bounded: 3 s). */
    for (int i = 0; i < 30 && server_pid && children(server_pid, kids, 4096) > 0; i++) usleep(100000);
    double cpu = server_pid || cpuacct_path ? server_cpu() - cpu_before : 0;

    int ok = 0, failed = 0;
    uint64_t bytes = 0;
    double *times = calloc((size_t)count, sizeof *times);
    FILE *tf = times_path ? fopen(times_path, "w") : NULL;
    const char *first_reason = "";
    int granted_blksize = 0, granted_window = 0;
    for (int i = 0; i < count; i++) {
        transfer_t *t = &ts[i];
        if (t->state == ST_DONE) {
            times[ok++] = t->finish - t->start;
            bytes += t->bytes;
            granted_blksize = t->blksize;
            granted_window = t->window;
        } else {
            failed++;
            if (!*first_reason) first_reason = t->reason;
        }
        if (tf) fprintf(tf, "%d %s %.6f %s\n", i, t->state == ST_DONE ? "ok" : "failed", t->finish - t->start, t->reason);
        close(t->fd);
    }
    if (tf) fclose(tf);
    qsort(times, (size_t)ok, sizeof *times, compare_doubles);
    double p50 = ok ? times[(ok - 1) / 2] : 0, p99 = ok ? times[(int)((ok - 1) * 0.99)] : 0;
    struct rusage usage_self;
    getrusage(RUSAGE_SELF, &usage_self);
    double client_cpu = usage_self.ru_utime.tv_sec + usage_self.ru_utime.tv_usec / 1e6 + usage_self.ru_stime.tv_sec +
                        usage_self.ru_stime.tv_usec / 1e6;
    printf("{\"ok\": %d, \"failed\": %d, \"bytes\": %llu, \"wall_s\": %.3f, \"mb_per_s\": %.1f, \"p50_s\": %.3f, "
           "\"p99_s\": %.3f, \"server_cpu_s\": %.2f, \"server_peak_rss_mib\": %.1f, \"blksize\": %d, "
           "\"windowsize\": %d, \"client_cpu_s\": %.2f, \"client_io\": \"%s\", \"first_failure\": \"%s\"}\n",
           ok, failed, (unsigned long long)bytes, wall, bytes / 1e6 / wall, p50, p99, cpu, peak_rss_kib / 1024.0,
           granted_blksize, granted_window, client_cpu, client_io, first_reason);
    return failed ? 2 : 0;
}
