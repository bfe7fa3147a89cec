#ifndef RACKBOOT_CTFTPMONOTONIC_H
#define RACKBOOT_CTFTPMONOTONIC_H

#include <time.h>

/* Nanoseconds on the monotonic clock (vDSO: no system call), for bounding a busy-poll. */
static inline long long ctftp_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000 + now.tv_nsec;
}

#endif
