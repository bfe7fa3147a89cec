/*
 * An impaired Ethernet link between two TAP devices, for fault tests: this kernel has no qdiscs (no `tc netem`),
 * so the loss and reordering a routed rack sees are made here, on the path, where neither end can tell.
 *
 * Usage: lossy-link TAP-A TAP-B LOSS-PERCENT REORDER-PERCENT SEED MAX-SECONDS
 *   Creates TAP-A and TAP-B (the caller moves each into its namespace with `ip link set … netns …`; the
 *   descriptors keep working), prints "ready", then forwards every frame from one to the other:
 *   - an IPv4 frame is dropped with probability LOSS-PERCENT;
 *   - otherwise it is held back with probability REORDER-PERCENT and sent right after the next frame in the same
 *     direction (or after 2 ms if none comes), so the two arrive swapped;
 *   - ARP and everything else pass untouched, so address resolution does not stall the test.
 *   Stops by itself after MAX-SECONDS, or on SIGTERM/SIGINT, and prints what it did:
 *   "forwarded N dropped N reordered N" per direction.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX 65536

struct direction {
    const char *name;
    int from, to;
    unsigned char held[FRAME_MAX];
    ssize_t held_length;          /* 0: nothing held */
    double held_since;
    unsigned long forwarded, dropped, reordered;
};

static volatile sig_atomic_t stopping = 0;
static void stop(int signal_number) { (void)signal_number; stopping = 1; }

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_tap(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) { perror("open /dev/net/tun"); exit(1); }
    struct ifreq request;
    memset(&request, 0, sizeof request);
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) < 0) { perror("TUNSETIFF"); exit(1); }
    return fd;
}

static void send_frame(int fd, const unsigned char *frame, ssize_t length) {
    /* A full TAP queue drops the frame, as a congested link would; anything else is a bug worth seeing. */
    if (write(fd, frame, (size_t)length) < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EIO)
        perror("write");
}

static void release_held(struct direction *d) {
    if (d->held_length > 0) {
        send_frame(d->to, d->held, d->held_length);
        d->held_length = 0;
    }
}

static int chance(double percent) { return percent > 0 && (double)rand() / RAND_MAX * 100.0 < percent; }

static void forward_one(struct direction *d, double loss, double reorder) {
    unsigned char frame[FRAME_MAX];
    ssize_t length = read(d->from, frame, sizeof frame);
    if (length <= 0) return;
    int is_ipv4 = length >= 14 && frame[12] == 0x08 && frame[13] == 0x00;
    if (is_ipv4 && chance(loss)) {
        d->dropped++;
        return;
    }
    if (is_ipv4 && d->held_length == 0 && chance(reorder)) {
        memcpy(d->held, frame, (size_t)length);
        d->held_length = length;
        d->held_since = now_seconds();
        d->reordered++;
        return;
    }
    send_frame(d->to, frame, length);
    d->forwarded++;
    release_held(d);  /* the held frame now arrives after this later one */
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s TAP-A TAP-B LOSS-PERCENT REORDER-PERCENT SEED MAX-SECONDS\n", argv[0]);
        return 2;
    }
    double loss = atof(argv[3]), reorder = atof(argv[4]), limit = atof(argv[6]);
    srand((unsigned)strtoul(argv[5], NULL, 10));
    int a = open_tap(argv[1]), b = open_tap(argv[2]);
    static struct direction forward, backward;
    forward.name = "a->b"; forward.from = a; forward.to = b;
    backward.name = "b->a"; backward.from = b; backward.to = a;
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    printf("ready\n");
    fflush(stdout);

    double deadline = now_seconds() + limit;
    struct pollfd fds[2] = {{.fd = a, .events = POLLIN}, {.fd = b, .events = POLLIN}};
    while (!stopping && now_seconds() < deadline) {
        int ready = poll(fds, 2, 1);
        if (ready < 0 && errno != EINTR) { perror("poll"); break; }
        if (ready > 0 && (fds[0].revents & POLLIN)) forward_one(&forward, loss, reorder);
        if (ready > 0 && (fds[1].revents & POLLIN)) forward_one(&backward, loss, reorder);
        double now = now_seconds();
        if (forward.held_length > 0 && now - forward.held_since > 0.002) release_held(&forward);
        if (backward.held_length > 0 && now - backward.held_since > 0.002) release_held(&backward);
    }
    struct direction *both[2] = {&forward, &backward};
    for (int i = 0; i < 2; i++)
        printf("%s forwarded %lu dropped %lu reordered %lu\n", both[i]->name, both[i]->forwarded,
               both[i]->dropped, both[i]->reordered);
    return 0;
}
