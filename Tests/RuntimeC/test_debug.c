/*
 * Debug mode, driven by run.sh: `./test_debug untagged|foreign|changed|clean` under
 * ALLOCTAG_DEBUG=1 or fatal; run.sh checks the one-shot warnings on stderr and the exit
 * status.
 */
#include <string.h>

#include "check.h"

extern void *__libc_malloc(size_t);

static void *volatile keep;

__attribute__((noinline)) static void allocate_untagged(void)
{
	keep = (malloc)(10); /* from this image, which has tags, with no current tag */
	free(keep);
	keep = (malloc)(10); /* a second time: the warning is one-shot */
	free(keep);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "clean";

	keep = alloc_hooks(malloc(1)); /* this image has tags */
	free(keep);
	if (strcmp(what, "untagged") == 0) {
		allocate_untagged();
	} else if (strcmp(what, "foreign") == 0) {
		free(__libc_malloc(32)); /* memory that never went through the interposed malloc */
	} else if (strcmp(what, "changed") == 0) {
		DEFINE_ALLOC_TAG(other);
		keep = alloc_hooks(({ alloc_tag_current = &other; malloc(3); }));
		free(keep);
	} else if (strcmp(what, "switch") == 0) {
		CHECK(alloc_tag_set_profiling(false) == -1, "the switch is read-only in debug mode");
		CHECK(strstr(alloc_tag_last_error(), "debug") != NULL, "%s", alloc_tag_last_error());
		return check_finish("debug switch");
	}
	printf("debug %s: done\n", what);
	return 0;
}
