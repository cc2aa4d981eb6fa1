/*
 * The peers' workload: bench.c's "mixed" loop as a standalone program, so that every
 * profiler runs the same code.  A working set of LIVE blocks of 8..512 bytes; each
 * operation frees a random block and allocates a new one of a random size in its place.
 *
 *   workload OPS [LIVE [keep]]   prints "ops=N live=L loop_ns_per_op=X checksum=C live_bytes=B"
 *
 * `keep` leaves the working set allocated at exit (for checking a report's live bytes).
 *
 * Built plain (every profiler interposes malloc/free itself) or with
 * `-include alloc_tag/override.h` and the runtime's sources, which tags the two calls below
 * at their own lines.  Each block starts with its size; the checksum reads it back before
 * the free, so the optimizer cannot drop the allocations (a malloc/free pair whose result
 * is unused may be deleted at -O2).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The same generator, seed and size formula as bench.c's WORKLOAD_MIXED. */
static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4 || (argc == 4 && strcmp(argv[3], "keep") != 0)) {
		fprintf(stderr, "usage: %s OPS [LIVE [keep]]\n", argv[0]);
		return 64;
	}
	long ops = atol(argv[1]);
	long live_count = argc > 2 ? atol(argv[2]) : 10000;
	int keep = argc == 4;
	if (ops < 1 || live_count < 1) {
		fprintf(stderr, "%s: OPS and LIVE must be positive\n", argv[0]);
		return 64;
	}
	unsigned char **live = calloc((size_t)live_count, sizeof(*live));
	if (live == NULL)
		return 1;
	uint64_t s = 0x9e3779b97f4a7c15ull, checksum = 0, live_bytes = 0;
	uint16_t n16;
	for (long i = 0; i < live_count; i++) {
		n16 = (uint16_t)(8 + xorshift(&s) % 505);
		live[i] = malloc(n16);
		if (live[i] == NULL)
			return 1;
		memcpy(live[i], &n16, sizeof(n16));
		live_bytes += n16;
	}
	double t0 = now_ns();
	for (long op = 0; op < ops; op++) {
		uint64_t r = xorshift(&s);
		long i = (long)(r % (uint64_t)live_count);
		memcpy(&n16, live[i], sizeof(n16));
		checksum += n16;
		live_bytes -= n16;
		free(live[i]);
		n16 = (uint16_t)(8 + (r >> 32) % 505);
		live[i] = malloc(n16);
		if (live[i] == NULL)
			return 1;
		memcpy(live[i], &n16, sizeof(n16));
		live_bytes += n16;
	}
	double t = now_ns() - t0;
	for (long i = 0; i < live_count && !keep; i++) {
		memcpy(&n16, live[i], sizeof(n16));
		checksum += n16;
		free(live[i]);
	}
	if (!keep)
		free(live);
	printf("ops=%ld live=%ld loop_ns_per_op=%.2f checksum=%llu live_bytes=%llu\n", ops, live_count,
	       t / ops, (unsigned long long)checksum, (unsigned long long)live_bytes);
	return 0;
}
