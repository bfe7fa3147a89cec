/*
 * tftp-bench: Rackboot's TFTP load client for `make bench-tftp`.
 *
 * Runs N concurrent read transfers of one file against a TFTP server, lock-step (RFC 1350) or windowed
 * (RFC 7440), with blksize/windowsize/tsize options, from one thread with epoll so the client costs as little
 * CPU as possible (it shares the machine with the server). Every byte received is compared with the source
 * file (mmap) and every length with its size. It prints one JSON line: transfers ok/failed, aggregate MB/s,
 * p50/p99 transfer time, and the server's CPU seconds and peak RSS read from /proc (PID given with --pid;
 * children included, for forking servers such as tftpd-hpa).
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
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
    char reason[96];
} transfer_t;

static const char *server_ip = "127.0.0.1", *file_name, *source_path, *times_path;
static int server_port = 69, count = 1, blksize = 0, window = 0, want_tsize = 0, max_retries = 8;
static double deadline_seconds = 600, retransmit_seconds = 1.0, delay_seconds = 0;
static pid_t server_pid = 0;
static const char *cpuacct_path; /* a cgroup v1 cpuacct.usage holding only the server (bench/run.sh makes it) */
static const unsigned char *source;
static uint64_t source_size;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

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

static long status_kib(pid_t pid, const char *key) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    long value = 0;
    size_t keylen = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, keylen) == 0) value = strtol(line + keylen + 1, NULL, 10);
    fclose(f);
    return value;
}

/* Children of pid (one level: tftpd-hpa forks one process per transfer). */
static int children(pid_t pid, pid_t *out, int max) {
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int n = 0;
    while (n < max && fscanf(f, "%d", &out[n]) == 1) n++;
    fclose(f);
    return n;
}

static pid_t kids[4096];
static long peak_rss_kib = 0;

/* Sums VmRSS over the server and its children; keeps the peak. */
static void sample_server(void) {
    if (!server_pid) return;
    long rss = status_kib(server_pid, "VmRSS"), hwm = status_kib(server_pid, "VmHWM");
    if (hwm > peak_rss_kib) peak_rss_kib = hwm;
    int n = children(server_pid, kids, 4096);
    for (int i = 0; i < n; i++) rss += status_kib(kids[i], "VmRSS");
    if (rss > peak_rss_kib) peak_rss_kib = rss;
}

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
    send_to_peer(t, b, 4);
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

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void usage(void) {
    fprintf(stderr, "usage: tftp-bench --file NAME --source PATH [--server IP] [--port N] [--count N] [--blksize N]\n"
                    "                  [--windowsize N] [--tsize] [--pid SERVER_PID] [--deadline S] [--times FILE]\n"
                    "                  [--delay-us N] [--cpuacct CGROUP/cpuacct.usage]\n");
    exit(64);
}

int main(int argc, char **argv) {
    static struct option options[] = {{"server", 1, 0, 's'}, {"port", 1, 0, 'p'},   {"file", 1, 0, 'f'},
                                      {"source", 1, 0, 'S'}, {"count", 1, 0, 'n'},  {"blksize", 1, 0, 'b'},
                                      {"windowsize", 1, 0, 'w'}, {"tsize", 0, 0, 't'}, {"pid", 1, 0, 'P'},
                                      {"deadline", 1, 0, 'd'}, {"times", 1, 0, 'T'}, {"delay-us", 1, 0, 'D'}, {"cpuacct", 1, 0, 'C'},
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

    double cpu_before = server_pid || cpuacct_path ? server_cpu() : 0;
    sample_server();
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
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, t->fd, &ev);
        send_rrq(t);
    }

    unsigned char buf[65536 + 64];
    struct epoll_event events[256];
    int remaining = count;
    double next_check = started + 0.1;
    while (remaining > 0) {
        double wait_s = release_due();
        if (wait_s < 0 || wait_s > 0.02) wait_s = 0.02;
        struct timespec timeout = {0, (long)(wait_s * 1e9)};
        int n = epoll_pwait2(ep, events, 256, &timeout, NULL);
        for (int e = 0; e < n; e++) {
            transfer_t *t = &ts[events[e].data.u32];
            for (int reads = 0; reads < 64; reads++) { /* bounded so one busy socket cannot starve the rest */
                struct sockaddr_in from;
                socklen_t fromlen = sizeof from;
                ssize_t len = recvfrom(t->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
                if (len < 0) break;
                int before = t->state;
                on_packet(t, buf, len, &from);
                if (before < ST_DONE && t->state >= ST_DONE) {
                    remaining--;
                    epoll_ctl(ep, EPOLL_CTL_DEL, t->fd, NULL);
                    break;
                }
            }
        }
        double t_now = now();
        if (t_now >= next_check) {
            next_check = t_now + 0.1;
            sample_server();
            for (int i = 0; i < count; i++) {
                transfer_t *t = &ts[i];
                if (t->state >= ST_DONE) continue;
                int timed_out = 0;
                if (t_now - started > deadline_seconds) {
                    fail(t, "run deadline");
                    timed_out = 1;
                } else if (t_now - t->last_activity > retransmit_seconds) {
                    if (++t->retries > max_retries) {
                        fail(t, "timeout");
                        timed_out = 1;
                    } else {
                        t->last_activity = t_now;
                        if (t->state == ST_REQUEST) send_rrq(t);
                        else send_ack(t, (uint16_t)(t->next - 1));
                    }
                }
                if (timed_out) {
                    remaining--;
                    epoll_ctl(ep, EPOLL_CTL_DEL, t->fd, NULL);
                }
            }
        }
    }
    double wall = now() - started;
    for (int i = 0; i < 1000 && held_count; i++) { /* the held final ACKs still leave (bounded: 1000 × ≤ 20 ms) */
        double wait_s = release_due();
        if (wait_s > 0) usleep((useconds_t)(wait_s * 1e6 < 20000 ? wait_s * 1e6 : 20000));
    }
    sample_server();
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
    printf("{\"ok\": %d, \"failed\": %d, \"bytes\": %llu, \"wall_s\": %.3f, \"mb_per_s\": %.1f, \"p50_s\": %.3f, "
           "\"p99_s\": %.3f, \"server_cpu_s\": %.2f, \"server_peak_rss_mib\": %.1f, \"blksize\": %d, "
           "\"windowsize\": %d, \"first_failure\": \"%s\"}\n",
           ok, failed, (unsigned long long)bytes, wall, bytes / 1e6 / wall, p50, p99, cpu, peak_rss_kib / 1024.0,
           granted_blksize, granted_window, first_reason);
    return failed ? 2 : 0;
}
