/*
 * Start-up modes and the run-time switch.  run.sh runs this program under each
 * ALLOCTAG_PROFILING value with the expected mode as argument:
 *   ./test_modes header|compressed|off|never
 */
#include <errno.h>

#include "check.h"
#include <alloc_tag/override.h>

static void *volatile keep[8];

int main(int argc, char **argv)
{
	const char *want = argc > 1 ? argv[1] : "header";
	enum alloc_tag_mode mode = alloc_tag_mode();
	int l;

	if (strcmp(want, "never") == 0) {
		CHECK(mode == ALLOC_TAG_MODE_NEVER, "mode %d", mode);
		CHECK(!alloc_tag_profiling_enabled(), "never is off");
		errno = 0;
		CHECK(alloc_tag_set_profiling(true) == -1 && errno == EPERM, "never cannot be switched on");
		CHECK(strstr(alloc_tag_last_error(), "never") != NULL, "error says why: %s", alloc_tag_last_error());
		keep[0] = malloc(100); l = __LINE__;
		keep[1] = realloc(keep[0], 200);
		CHECK(malloc_usable_size(keep[1]) >= 200, "allocator works in never");
		EXPECT_SITE(l, 0, 0);
		free(keep[1]);
		return check_finish("modes never");
	}

	if (strcmp(want, "off") == 0) {
		CHECK(mode != ALLOC_TAG_MODE_NEVER && !alloc_tag_profiling_enabled(), "0 starts off, switchable");
		keep[0] = malloc(10); l = __LINE__;
		EXPECT_SITE(l, 0, 0);
		CHECK(alloc_tag_set_profiling(true) == 0 && alloc_tag_profiling_enabled(), "switched on");
		keep[1] = malloc(10); int l2 = __LINE__;
		EXPECT_SITE(l2, 10, 1);
		/* memory allocated while off frees without touching any counter */
		free(keep[0]);
		EXPECT_SITE(l, 0, 0);
		/* realloc of memory allocated while off charges the realloc site from then on */
		keep[2] = (malloc)(5);
		CHECK(alloc_tag_set_profiling(false) == 0, "switched off");
		keep[3] = malloc(30); int l3 = __LINE__;
		free(keep[1]); /* allocated while on, freed while off: still uncharged */
		EXPECT_SITE(l2, 0, 0);
		EXPECT_SITE(l3, 0, 0);
		free(keep[2]);
		free(keep[3]);
		return check_finish("modes off-then-on");
	}

	CHECK(mode == (strcmp(want, "compressed") == 0 ? ALLOC_TAG_MODE_COMPRESSED : ALLOC_TAG_MODE_HEADER),
	      "mode %d for %s", mode, want);
	CHECK(alloc_tag_profiling_enabled(), "on");
	keep[0] = malloc(10); l = __LINE__;
	EXPECT_SITE(l, 10, 1);
	CHECK(alloc_tag_set_profiling(false) == 0 && !alloc_tag_profiling_enabled(), "off");
	free(keep[0]);
	EXPECT_SITE(l, 0, 0);
	CHECK(alloc_tag_set_profiling(true) == 0, "on again");
	return check_finish(want);
}
