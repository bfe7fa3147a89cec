/*
 * What both load clients (bench/tftp-bench.c and bench/http-bench.c) measure the same way: the monotonic clock, the
 * server's memory from /proc, and sorting times for percentiles. Header-only, so each client stays one file to build.
 */
#ifndef RACKBOOT_BENCH_COMMON_H
#define RACKBOOT_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

static inline double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* A "Key: N kB" line of /proc/PID/status, in KiB (0 when the process or the key is gone). */
static inline long status_kib(pid_t pid, const char *key) {
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

/* Children of pid, one level (tftpd-hpa forks one process per transfer; nginx has its workers). */
static inline int children(pid_t pid, pid_t *out, int max) {
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int n = 0;
    while (n < max && fscanf(f, "%d", &out[n]) == 1) n++;
    fclose(f);
    return n;
}

/* The peak so far of the server's VmHWM and of the sum of VmRSS over it and its children. */
static long peak_rss_kib;

static inline void sample_server_rss(pid_t server) {
    static pid_t kids[4096];
    if (!server) return;
    long rss = status_kib(server, "VmRSS"), hwm = status_kib(server, "VmHWM");
    if (hwm > peak_rss_kib) peak_rss_kib = hwm;
    int n = children(server, kids, 4096);
    for (int i = 0; i < n; i++) rss += status_kib(kids[i], "VmRSS");
    if (rss > peak_rss_kib) peak_rss_kib = rss;
}

static inline int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif
