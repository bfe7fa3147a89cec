/*
 * delay-link: an Ethernet link with a fixed one-way delay between two TAP devices, for `make bench-http`'s 1 ms
 * round-trip rows. This kernel has no `tc netem` (CONFIG_NET_SCH_NETEM is not set) and no fq qdisc, so the delay
 * is made here, on the path, in the manner of Tests/faults/lossy-link.c: neither end can tell.
 *
 * Usage: delay-link TAP-A TAP-B DELAY-US MAX-SECONDS
 *   Creates TAP-A and TAP-B (the caller moves each into its namespace with `ip link set … netns …`; the
 *   descriptors keep working), prints "ready", then forwards every frame from one to the other DELAY-US
 *   microseconds after it was read, in order. ARP and everything else are delayed the same way. With both legs of
 *   a path on the link, 500 gives a 1 ms round trip; bench/http.sh by default routes only the client-to-server leg
 *   over it and holds that 1000 µs (bench/notes.md, "The 1 ms link", says why).
 *
 * For throughput it carries large segments whole: both TAPs are opened with IFF_VNET_HDR and TUNSETOFFLOAD
 * (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6), so the sending stack hands over TCP segments of up to 64 KiB with a
 * virtio-net header (GSO type and size, checksum offsets), and the same header written into the other TAP makes the
 * receiving stack take the segment as one, as if GRO had built it. A frame is read straight into a byte ring per
 * direction (no copy in user space), reads are batched (each direction is drained until it is empty or a batch is
 * full), and the wait for the next due frame is a nanosecond-resolution ppoll with a 1 ns timer slack.
 *
 * A full ring (more than RING_BYTES in flight in one direction, far beyond what one link carries in 500 µs here)
 * stops reading that TAP; its queue then drops, as a congested link's would. Stops by itself after MAX-SECONDS, or
 * on SIGTERM/SIGINT, and prints one line per direction:
 *   "a->b frames N bytes N gso_frames N largest N max_queued_bytes N late_over_100us N late_mean_us X late_max_us X"
 * (late: how long after its due time a frame was written, which is how much longer than DELAY-US it was held)
 * and "cpu_s X": its own CPU time (user + system, which includes the receiving stack's work done inside its write
 * into the second TAP), so the report can state the link's ceiling in bytes per CPU second.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define RING_BYTES (32u << 20)     /* per direction */
#define FRAME_MAX (128u << 10)     /* vnet header + Ethernet frame: a 64 KiB GSO segment with room to spare */
#define RECORD_HEADER 16u          /* struct record, kept 16-byte aligned */
#define READ_BATCH 64              /* frames read from one TAP per turn before the other gets its turn */
#define SPIN_NS 10000              /* a ppoll may wake this late: the last stretch is polled instead */

struct record {
    uint32_t length; /* bytes of vnet header + frame; WRAP: the rest of the ring is unused, go on at 0 */
    uint32_t unused;
    int64_t due_ns;
};
#define WRAP UINT32_MAX

struct direction {
    const char *name;
    int from, to;
    unsigned char *ring;
    size_t head, tail, used; /* head: oldest record; tail: where the next is read; used: bytes incl. skipped ends */
    unsigned long frames, gso_frames, late;
    unsigned long long bytes, late_ns_total, late_ns_max; /* how long after its due time each frame left */
    size_t largest, max_used;
};

static volatile sig_atomic_t stopping = 0;
static void stop(int signal_number) { (void)signal_number; stopping = 1; }

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int open_tap(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) { perror("open /dev/net/tun"); exit(1); }
    struct ifreq request;
    memset(&request, 0, sizeof request);
    request.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) < 0) { perror("TUNSETIFF"); exit(1); }
    int header = sizeof(struct virtio_net_hdr);
    if (ioctl(fd, TUNSETVNETHDRSZ, &header) < 0) { perror("TUNSETVNETHDRSZ"); exit(1); }
    if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0) {
        perror("TUNSETOFFLOAD");
        exit(1);
    }
    return fd;
}

/* Where the next frame can be read, with FRAME_MAX + RECORD_HEADER contiguous bytes; NULL when the ring is full. */
static struct record *reserve(struct direction *d) {
    const size_t need = RECORD_HEADER + FRAME_MAX;
    if (d->used == 0) d->head = d->tail = 0;
    if (d->used == 0 || d->tail > d->head) { /* free: [tail, end) and [0, head) */
        if (RING_BYTES - d->tail >= need) return (void *)(d->ring + d->tail);
        if (d->head >= need) { /* the end is too short: mark it unused and go on at 0 */
            ((struct record *)(d->ring + d->tail))->length = WRAP;
            d->used += RING_BYTES - d->tail;
            d->tail = 0;
            return (void *)d->ring;
        }
        return NULL;
    }
    if (d->tail < d->head && d->head - d->tail >= need) return (void *)(d->ring + d->tail);
    return NULL; /* full (tail == head with bytes queued), or too little room before head */
}

/* Reads up to READ_BATCH frames from d->from into the ring, each due delay_ns from now. Returns frames read. */
static int read_batch(struct direction *d, int64_t delay_ns) {
    int count = 0;
    while (count < READ_BATCH) {
        struct record *r = reserve(d);
        if (!r) break;
        ssize_t length = read(d->from, (unsigned char *)r + RECORD_HEADER, FRAME_MAX);
        if (length <= 0) break;
        r->length = (uint32_t)length;
        r->due_ns = now_ns() + delay_ns;
        size_t advance = (RECORD_HEADER + (size_t)length + 15) & ~(size_t)15;
        d->tail += advance;
        d->used += advance;
        if (d->tail == RING_BYTES) d->tail = 0;
        if (d->used > d->max_used) d->max_used = d->used;
        if ((size_t)length > d->largest) d->largest = (size_t)length;
        const struct virtio_net_hdr *h = (const void *)((unsigned char *)r + RECORD_HEADER);
        if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) d->gso_frames++;
        count++;
    }
    return count;
}

/* Writes every due frame of d; returns nanoseconds until the next one is due, or -1 when none is queued. */
static int64_t release_due(struct direction *d) {
    for (;;) {
        if (d->used == 0) return -1;
        struct record *r = (void *)(d->ring + d->head);
        if (r->length == WRAP) {
            d->used -= RING_BYTES - d->head;
            d->head = 0;
            continue;
        }
        int64_t t = now_ns();
        if (r->due_ns > t) return r->due_ns - t;
        uint64_t late_ns = (uint64_t)(t - r->due_ns);
        d->late_ns_total += late_ns;
        if (late_ns > d->late_ns_max) d->late_ns_max = late_ns;
        if (late_ns > 100000) d->late++;
        /* A full TAP queue drops the frame, as a congested link would; anything else is a bug worth seeing. */
        if (write(d->to, (unsigned char *)r + RECORD_HEADER, r->length) < 0 && errno != EAGAIN && errno != ENOBUFS &&
            errno != EIO)
            perror("write");
        d->frames++;
        d->bytes += r->length - sizeof(struct virtio_net_hdr);
        size_t advance = (RECORD_HEADER + r->length + 15) & ~(size_t)15;
        d->head += advance;
        d->used -= advance;
        if (d->head == RING_BYTES) d->head = 0;
    }
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s TAP-A TAP-B DELAY-US MAX-SECONDS\n", argv[0]);
        return 2;
    }
    int64_t delay_ns = (int64_t)(atof(argv[3]) * 1000);
    double limit = atof(argv[4]);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake when the next frame is due, not up to 50 µs later */
    int a = open_tap(argv[1]), b = open_tap(argv[2]);
    static struct direction forward, backward;
    forward.name = "a->b";
    forward.from = a;
    forward.to = b;
    backward.name = "b->a";
    backward.from = b;
    backward.to = a;
    struct direction *both[2] = {&forward, &backward};
    for (int i = 0; i < 2; i++) {
        both[i]->ring = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (both[i]->ring == MAP_FAILED) { perror("mmap"); return 1; }
    }
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    printf("ready\n");
    fflush(stdout);

    int64_t deadline = now_ns() + (int64_t)(limit * 1e9);
    struct pollfd fds[2] = {{.fd = a, .events = POLLIN}, {.fd = b, .events = POLLIN}};
    while (!stopping && now_ns() < deadline) {
        /* Drain what is readable (bounded per turn), then send what is due, then sleep until the next due frame or
         * the next readable frame. A frame read late is due late by the same amount, so reads come first. */
        int busy = 0;
        for (int i = 0; i < 2; i++) busy |= read_batch(both[i], delay_ns) == READ_BATCH;
        int64_t wait = -1;
        for (int i = 0; i < 2; i++) {
            int64_t next = release_due(both[i]);
            if (next >= 0 && (wait < 0 || next < wait)) wait = next;
        }
        if (busy) continue;
        if (wait >= 0 && wait <= SPIN_NS) continue; /* due within the wake-up latency: poll again instead */
        if (wait < 0 || wait > 100000000) wait = 100000000; /* at most 100 ms, so the deadline is seen */
        else wait -= SPIN_NS;
        struct timespec timeout = {wait / 1000000000, wait % 1000000000};
        for (int i = 0; i < 2; i++) fds[i].events = reserve(both[i]) ? POLLIN : 0;
        int ready = ppoll(fds, 2, &timeout, NULL);
        if (ready < 0 && errno != EINTR) { perror("ppoll"); break; }
    }
    for (int i = 0; i < 2; i++)
        printf("%s frames %lu bytes %llu gso_frames %lu largest %zu max_queued_bytes %zu late_over_100us %lu "
               "late_mean_us %.1f late_max_us %.1f\n",
               both[i]->name, both[i]->frames, both[i]->bytes, both[i]->gso_frames, both[i]->largest,
               both[i]->max_used, both[i]->late,
               both[i]->frames ? both[i]->late_ns_total / 1e3 / both[i]->frames : 0.0, both[i]->late_ns_max / 1e3);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("cpu_s %.2f\n", usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
                               usage.ru_stime.tv_usec / 1e6);
    return 0;
}
