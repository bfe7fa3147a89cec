/*
 * http-bench: the load client of `make bench-http` (bench/http.sh).
 *
 * Opens N HTTP/1.1 connections at once (a boot storm: every machine asks for its kernel at the same moment), sends
 * one GET on each, and reads every response to its end, from one thread with epoll (non-blocking sockets,
 * level-triggered). Every response is checked: status 200, a Content-Length equal to the source file's size, no
 * chunked body, and every body byte compared (memcmp) with the source file mapped once, at its offset; a byte too
 * many, a connection closed early or a transfer that makes no progress for --idle seconds fails it. The run is
 * bounded by --deadline: whatever has not finished then fails.
 *
 * It is built to cost little per byte, since it shares the machine's cores with the server: bodies are received
 * into one 2 MiB buffer (up to 8 reads per ready socket per turn) and compared straight from there, headers are
 * parsed once per response, and nothing is allocated per read. Its own CPU time is reported so its cost can be
 * seen.
 *
 * Per transfer it records the time to the first response byte (TTFB) and to the last body byte, both from the
 * moment its connect() was called. It prints one JSON line: transfers ok/failed, bytes, wall time, aggregate MB/s
 * (10^6 bytes per second of wall time), p50/p99 transfer time, p50/p99 TTFB, the server's peak RSS sampled every
 * 0.1 s from /proc (--pid: the largest VmHWM of the server, or the largest sum of VmRSS over it and its children,
 * such as nginx's workers), the client's own CPU seconds (getrusage) and its recv() calls that returned data (how
 * finely the responses arrived). --times writes one line per transfer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"

enum { ST_CONNECTING, ST_HEADERS, ST_BODY, ST_DONE, ST_FAILED };
enum { HEAD_MAX = 16384, RECV_BYTES = 2 << 20, READS_PER_TURN = 8 };

typedef struct {
    int fd;
    int state;
    int status;
    double start, first_byte, finish, last_activity;
    uint64_t content_length, received; /* body bytes received and verified */
    size_t head_length;
    char head[HEAD_MAX + 1];
    char reason[96];
} transfer_t;

static const char *server_ip = "127.0.0.1", *path = "/", *source_path, *times_path, *host_header;
static int server_port = 80, count = 1;
static double deadline_seconds = 600, idle_seconds = 60;
static pid_t server_pid;
static const unsigned char *source;
static uint64_t source_size;
static char request[1024];
static size_t request_length;
static unsigned char *body_buffer;
static unsigned long long recv_calls; /* recv() calls that returned bytes: how finely the responses arrived */

static void fail(transfer_t *t, const char *why) {
    if (t->state >= ST_DONE) return;
    t->state = ST_FAILED;
    t->finish = now();
    snprintf(t->reason, sizeof t->reason, "%s", why);
}

/* Compares body bytes with the source at the transfer's offset; fails the transfer on a difference or an excess. */
static void take_body(transfer_t *t, const unsigned char *p, size_t n) {
    if (n == 0) return;
    if (t->received + n > t->content_length) {
        fail(t, "bytes after the Content-Length");
        return;
    }
    if (memcmp(p, source + t->received, n) != 0) {
        char why[96];
        snprintf(why, sizeof why, "bytes differ from the source in %llu..%llu", (unsigned long long)t->received,
                 (unsigned long long)(t->received + n));
        fail(t, why);
        return;
    }
    t->received += n;
    if (t->received == t->content_length) {
        t->state = ST_DONE;
        t->finish = now();
    }
}

/* Parses the status line and headers once "\r\n\r\n" has arrived; the bytes after it are the body's first. */
static void take_head(transfer_t *t) {
    t->head[t->head_length] = 0;
    char *end = strstr(t->head, "\r\n\r\n");
    if (!end) {
        if (t->head_length == HEAD_MAX) fail(t, "response head over 16 KiB");
        return;
    }
    *end = 0;
    if (sscanf(t->head, "HTTP/1.%*d %d", &t->status) != 1) {
        fail(t, "no HTTP/1.x status line");
        return;
    }
    int has_length = 0;
    for (char *line = strstr(t->head, "\r\n"); line; line = strstr(line, "\r\n")) {
        line += 2;
        if (!strncasecmp(line, "content-length:", 15)) {
            t->content_length = strtoull(line + 15, NULL, 10);
            has_length = 1;
        } else if (!strncasecmp(line, "transfer-encoding:", 18)) {
            fail(t, "Transfer-Encoding instead of Content-Length");
            return;
        }
    }
    char why[96];
    if (t->status != 200) {
        snprintf(why, sizeof why, "status %d", t->status);
        fail(t, why);
        return;
    }
    if (!has_length || t->content_length != source_size) {
        snprintf(why, sizeof why, "Content-Length %llu, the file has %llu",
                 has_length ? (unsigned long long)t->content_length : 0ULL, (unsigned long long)source_size);
        fail(t, why);
        return;
    }
    t->state = ST_BODY;
    size_t body_start = (size_t)(end + 4 - t->head);
    take_body(t, (const unsigned char *)t->head + body_start, t->head_length - body_start);
}

/* Reads what the socket has (bounded per turn so one fast connection cannot starve the rest). */
static void on_readable(transfer_t *t) {
    for (int reads = 0; reads < READS_PER_TURN && t->state < ST_DONE; reads++) {
        ssize_t n;
        if (t->state == ST_HEADERS) n = recv(t->fd, t->head + t->head_length, HEAD_MAX - t->head_length, 0);
        else n = recv(t->fd, body_buffer, RECV_BYTES, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            char why[96];
            snprintf(why, sizeof why, "recv: %s after %llu body bytes", strerror(errno),
                     (unsigned long long)t->received);
            fail(t, why);
            return;
        }
        if (n == 0) {
            char why[96];
            snprintf(why, sizeof why, "closed by the server after %llu body bytes", (unsigned long long)t->received);
            fail(t, why);
            return;
        }
        recv_calls++;
        double t_now = now();
        if (!t->first_byte) t->first_byte = t_now;
        t->last_activity = t_now;
        if (t->state == ST_HEADERS) {
            t->head_length += (size_t)n;
            take_head(t);
        } else {
            take_body(t, body_buffer, (size_t)n);
            if (n < RECV_BYTES) return; /* drained */
        }
    }
}

/* The connection is up (or failed): send the request, which fits the empty socket buffer at once. */
static void on_connected(int ep, transfer_t *t) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error) {
        char why[96];
        snprintf(why, sizeof why, "connect: %s", strerror(error));
        fail(t, why);
        return;
    }
    if (send(t->fd, request, request_length, MSG_NOSIGNAL) != (ssize_t)request_length) {
        fail(t, "request not sent whole");
        return;
    }
    t->state = ST_HEADERS;
    t->last_activity = now();
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = t};
    epoll_ctl(ep, EPOLL_CTL_MOD, t->fd, &ev);
}

static double percentile(double *sorted, int n, double p) { return n ? sorted[(int)((n - 1) * p)] : 0; }

static void usage(void) {
    fprintf(stderr, "usage: http-bench --path /NAME --source FILE [--server IP] [--port N] [--host NAME] [--count N]\n"
                    "                  [--deadline S] [--idle S] [--pid SERVER_PID] [--times FILE]\n");
    exit(64);
}

int main(int argc, char **argv) {
    static struct option options[] = {
        {"server", 1, 0, 's'}, {"port", 1, 0, 'p'}, {"path", 1, 0, 'f'},     {"source", 1, 0, 'S'},
        {"count", 1, 0, 'n'},  {"host", 1, 0, 'H'}, {"deadline", 1, 0, 'd'}, {"idle", 1, 0, 'i'},
        {"pid", 1, 0, 'P'},    {"times", 1, 0, 'T'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 's': server_ip = optarg; break;
        case 'p': server_port = atoi(optarg); break;
        case 'f': path = optarg; break;
        case 'S': source_path = optarg; break;
        case 'n': count = atoi(optarg); break;
        case 'H': host_header = optarg; break;
        case 'd': deadline_seconds = atof(optarg); break;
        case 'i': idle_seconds = atof(optarg); break;
        case 'P': server_pid = atoi(optarg); break;
        case 'T': times_path = optarg; break;
        default: usage();
        }
    }
    if (!source_path || count < 1 || count > 60000 || strlen(path) > 900) usage();
    int sfd = open(source_path, O_RDONLY);
    struct stat st;
    if (sfd < 0 || fstat(sfd, &st) < 0) { perror(source_path); return 1; }
    source_size = (uint64_t)st.st_size;
    source = mmap(NULL, source_size ? source_size : 1, PROT_READ, MAP_SHARED | MAP_POPULATE, sfd, 0);
    if (source == MAP_FAILED) { perror("mmap"); return 1; }
    body_buffer = malloc(RECV_BYTES);
    transfer_t *ts = calloc((size_t)count, sizeof *ts);
    if (!body_buffer || !ts) { perror("malloc"); return 1; }
    request_length = (size_t)snprintf(request, sizeof request,
                                      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: rackboot-http-bench\r\n"
                                      "Accept: */*\r\n\r\n",
                                      path, host_header ? host_header : server_ip);
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons(server_port)};
    if (inet_pton(AF_INET, server_ip, &server.sin_addr) != 1) usage();
    int ep = epoll_create1(EPOLL_CLOEXEC);

    sample_server_rss(server_pid);
    double started = now();
    for (int i = 0; i < count; i++) {
        transfer_t *t = &ts[i];
        t->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (t->fd < 0) { perror("socket"); return 1; }
        t->start = t->last_activity = now();
        t->state = ST_CONNECTING;
        struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = t};
        epoll_ctl(ep, EPOLL_CTL_ADD, t->fd, &ev);
        if (connect(t->fd, (struct sockaddr *)&server, sizeof server) < 0 && errno != EINPROGRESS) {
            char why[96];
            snprintf(why, sizeof why, "connect: %s", strerror(errno));
            fail(t, why);
        }
    }

    int remaining = count;
    double next_check = started + 0.1;
    struct epoll_event events[512];
    while (remaining > 0) {
        int n = epoll_wait(ep, events, 512, 20);
        for (int e = 0; e < n; e++) {
            transfer_t *t = events[e].data.ptr;
            if (t->state >= ST_DONE) continue;
            if (t->state == ST_CONNECTING) on_connected(ep, t);
            else on_readable(t);
            if (t->state >= ST_DONE) {
                epoll_ctl(ep, EPOLL_CTL_DEL, t->fd, NULL);
                close(t->fd);
                t->fd = -1;
                remaining--;
            }
        }
        double t_now = now();
        if (t_now < next_check) continue;
        next_check = t_now + 0.1;
        sample_server_rss(server_pid);
        for (int i = 0; i < count; i++) { /* the run's deadline and each transfer's idle limit */
            transfer_t *t = &ts[i];
            if (t->state >= ST_DONE) continue;
            if (t_now - started > deadline_seconds) fail(t, "run deadline");
            else if (t_now - t->last_activity > idle_seconds) fail(t, "no progress for --idle seconds");
            else continue;
            epoll_ctl(ep, EPOLL_CTL_DEL, t->fd, NULL);
            close(t->fd);
            t->fd = -1;
            remaining--;
        }
    }
    double finished = 0;
    for (int i = 0; i < count; i++)
        if (ts[i].state == ST_DONE && ts[i].finish > finished) finished = ts[i].finish;
    double wall = (finished ? finished : now()) - started;
    sample_server_rss(server_pid);

    int ok = 0, failed = 0;
    uint64_t bytes = 0;
    double *times = calloc((size_t)count, sizeof *times), *ttfb = calloc((size_t)count, sizeof *ttfb);
    FILE *tf = times_path ? fopen(times_path, "w") : NULL;
    const char *first_reason = "";
    for (int i = 0; i < count; i++) {
        transfer_t *t = &ts[i];
        if (t->state == ST_DONE) {
            times[ok] = t->finish - t->start;
            ttfb[ok++] = t->first_byte - t->start;
            bytes += t->received;
        } else {
            failed++;
            if (!*first_reason) first_reason = t->reason;
        }
        if (tf)
            fprintf(tf, "%d %s %.6f %.6f %llu %s\n", i, t->state == ST_DONE ? "ok" : "failed", t->finish - t->start,
                    t->first_byte ? t->first_byte - t->start : -1.0, (unsigned long long)t->received, t->reason);
    }
    if (tf) fclose(tf);
    qsort(times, (size_t)ok, sizeof *times, compare_doubles);
    qsort(ttfb, (size_t)ok, sizeof *ttfb, compare_doubles);
    struct rusage self;
    getrusage(RUSAGE_SELF, &self);
    double client_cpu =
        self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6 + self.ru_stime.tv_sec + self.ru_stime.tv_usec / 1e6;
    printf("{\"ok\": %d, \"failed\": %d, \"bytes\": %llu, \"wall_s\": %.3f, \"mb_per_s\": %.1f, \"p50_s\": %.3f, "
           "\"p99_s\": %.3f, \"ttfb_p50_s\": %.4f, \"ttfb_p99_s\": %.4f, \"server_peak_rss_mib\": %.1f, "
           "\"client_cpu_s\": %.2f, \"client_recv_calls\": %llu, \"first_failure\": \"%s\"}\n",
           ok, failed, (unsigned long long)bytes, wall, wall > 0 ? bytes / 1e6 / wall : 0, percentile(times, ok, 0.5),
           percentile(times, ok, 0.99), percentile(ttfb, ok, 0.5), percentile(ttfb, ok, 0.99), peak_rss_kib / 1024.0,
           client_cpu, recv_calls, first_reason);
    return failed ? 2 : 0;
}
