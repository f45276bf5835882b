// SPDX-License-Identifier: GPL-2.0-only
#include <time.h>

#include "cycles.h"

#define CALIBRATE_NS 20000000ull

static double cycles_per_ns = 1.0;

void xv_cycles_calibrate(void)
{
	const struct timespec step = { .tv_nsec = 1000000 };
	uint64_t t0 = xv_mono_ns(), c0 = xv_cycles(), t1, c1;

	do {
		nanosleep(&step, NULL);
		t1 = xv_mono_ns();
	} while (t1 - t0 < CALIBRATE_NS);
	c1 = xv_cycles();
	if (c1 > c0)
		cycles_per_ns = (double)(c1 - c0) / (double)(t1 - t0);
}

uint64_t xv_cycles_to_ns(uint64_t cycles)
{
	return (uint64_t)((double)cycles / cycles_per_ns);
}
