/*
 * When an allocation fails for lack of memory the biggest live sites are printed once (run.sh
 * checks stderr); a request no address space could hold (malloc(SIZE_MAX)) fails silently,
 * as glibc's does.  The biggest site has a 1200-byte function name: its line is printed
 * whole, here and in the report written at exit.
 */
#include <stdint.h>
#include <sys/resource.h>

#include "check.h"
#include <alloc_tag/override.h>

#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define LONG_NAME "long_" X100 X100 X100 X100 X100 X100 X100 X100 X100 X100 X100 X100

static struct alloc_tag long_tag __attribute__((used, ALLOC_TAG_RETAIN section(ALLOC_TAG_SECTION), aligned(8))) = {
	.ct = { .magic = CODETAG_MAGIC, .lineno = __LINE__, .function = LONG_NAME, .filename = __FILE__ }
};

static void *volatile keep[8];
static volatile size_t impossible = SIZE_MAX;

int main(void)
{
	keep[0] = malloc(1 << 20);
	keep[1] = malloc(2 << 20);
	keep[2] = alloc_hooks_tag(&long_tag, (malloc)(3 << 20)); /* (malloc): not override.h's own tag */
	keep[3] = malloc(impossible);
	CHECK(keep[3] == NULL, "malloc(SIZE_MAX) fails");
	keep[3] = calloc(impossible / 2, 4);
	CHECK(keep[3] == NULL, "calloc overflowing size_t fails");
	/* Real exhaustion: the address space is limited to what is mapped now plus 256 MiB. */
	struct rlimit lim = { 0, 0 };
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;
	CHECK(f != NULL && fscanf(f, "%lu", &pages) == 1, "statm");
	fclose(f);
	lim.rlim_cur = lim.rlim_max = pages * 4096ul + (256ul << 20);
	CHECK(setrlimit(RLIMIT_AS, &lim) == 0, "setrlimit");
	keep[4] = malloc(1ul << 30);
	CHECK(keep[4] == NULL, "1 GiB fails under a 256 MiB headroom");
	keep[5] = malloc(1ul << 30);
	CHECK(keep[5] == NULL, "second failure (no second report)");
	return check_finish("oom");
}
