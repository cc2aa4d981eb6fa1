/*
 * More than 65535 tags (a library with 70000): the default form's references hold every
 * index the registry can give (20 bits beside slab objects, 32 in headers), so profiling
 * stays on and the last tag is counted exactly, as are sites counted before the library
 * was loaded.  run.sh runs it under ALLOCTAG_PROFILING=1 and 1,header and expects no
 * warning.
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
	CHECK(alloc_tag_profiling_enabled(), "profiling stays on");
	void *(*allocate)(size_t) = (void *(*)(size_t))dlsym(h, "many_allocate");
	keep[1] = allocate(100);
	keep[2] = allocate(3000);
	struct site_sum last = site_at("many_tags.c", 70000);
	CHECK(last.tags == 1 && last.bytes == 3100 && last.calls == 2, "the 70000th tag: %lld bytes in %lld calls (%d tags)",
	      last.bytes, last.calls, last.tags);
	keep[3] = malloc(7); int l2 = __LINE__;
	EXPECT_SITE(l2, 7, 1);
	free(keep[0]);
	EXPECT_SITE(l, 0, 0);
	free(keep[1]);
	free(keep[2]);
	free(keep[3]);
	last = site_at("many_tags.c", 70000);
	CHECK(last.bytes == 0 && last.calls == 0, "back to zero: %lld bytes in %lld calls", last.bytes, last.calls);
	EXPECT_SITE(l2, 0, 0);
	return check_finish("many tags");
}
