/*
 * Compressed references name at most 65535 tags.  Loading a library with more disables
 * profiling with one warning (as the kernel does when page flags cannot hold its index):
 * nothing crashes, and memory counted before keeps exact counts when freed.
 * Run under ALLOCTAG_PROFILING=1,compressed by run.sh, which checks the warning.
 */
#include <dlfcn.h>

#include "check.h"
#include <alloc_tag/override.h>

static void *volatile keep[4];

int main(int argc, char **argv)
{
	keep[0] = malloc(500); int l = __LINE__;
	EXPECT_SITE(l, 500, 1);
	void *h = dlopen(argv[1], RTLD_NOW);
	CHECK(h != NULL, "dlopen: %s", dlerror());
	CHECK(!alloc_tag_profiling_enabled(), "profiling disabled after the overflow");
	CHECK(alloc_tag_set_profiling(true) == -1 && strstr(alloc_tag_last_error(), "compressed") != NULL,
	      "and it cannot be switched back on: %s", alloc_tag_last_error());
	void *(*allocate)(size_t) = (void *(*)(size_t))dlsym(h, "many_allocate");
	keep[1] = allocate(100);
	keep[2] = malloc(7); int l2 = __LINE__;
	EXPECT_SITE(l2, 0, 0);
	free(keep[0]); /* counted before: still uncharged exactly */
	EXPECT_SITE(l, 0, 0);
	free(keep[1]);
	free(keep[2]);
	return check_finish("many tags");
}
