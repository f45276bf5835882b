/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A cheap clock for the datapath's busy-time account: the TSC on x86 (one
 * instruction, no vDSO call), nanoseconds elsewhere. The control path turns
 * cycles into nanoseconds with the rate measured once at start.
 */
#ifndef XVDPA_CYCLES_H
#define XVDPA_CYCLES_H

#include <stdint.h>
#include <time.h>

static inline uint64_t xv_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t xv_cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return xv_mono_ns();
#endif
}

/* Measures the cycle rate (about 20 ms); before it, 1 cycle = 1 ns. */
void xv_cycles_calibrate(void);
uint64_t xv_cycles_to_ns(uint64_t cycles);

#endif /* XVDPA_CYCLES_H */
