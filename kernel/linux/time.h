/* time.h: the application's clocks (CLOCK_REALTIME = the wall clock, CLOCK_MONOTONIC...). */
#ifndef MOTE_LINUX_TIME_H
#define MOTE_LINUX_TIME_H

#include "lib/types.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_TAI 11

struct timespec_k {
	int64_t tv_sec, tv_nsec;
};

struct timeval_k {
	int64_t tv_sec, tv_usec;
};

/* The value of clock id now, in ns; -EINVAL for an unknown clock. */
int clock_now(int id, uint64_t *ns) __must_check;
/* An absolute time on clock id as a time_ns() deadline (0 if already past). */
uint64_t clock_abs_to_mono(int id, const struct timespec_k *ts);
/* CPU time of the process / of the calling thread, in ns. */
uint64_t clock_process_cpu_ns(void);
uint64_t clock_thread_cpu_ns(void);

static inline uint64_t timespec_to_ns(const struct timespec_k *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

static inline struct timespec_k ns_to_timespec(uint64_t ns)
{
	return (struct timespec_k){ (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL) };
}

#endif /* MOTE_LINUX_TIME_H */
