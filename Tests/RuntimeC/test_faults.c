/*
 * Failure injection (ALLOCTAG_FAULT_REFS=N: every Nth reference cannot be had): the
 * allocations still succeed, the site is marked accurate:no, frees of the unreferenced
 * blocks neither crash nor disturb the counts of the referenced ones.
 */
#include "check.h"
#include <alloc_tag/override.h>

static void *volatile keep[10];

int main(void)
{
	int l = 0;
	for (int i = 0; i < 10; i++) {
		keep[i] = malloc(100); l = __LINE__;
		memset(keep[i], i, 100);
	}
	struct site_sum s = site_at(__FILE__, (unsigned)l);
	CHECK(!s.accurate, "the site is marked inaccurate");
	CHECK(s.calls > 0 && s.calls < 10 && s.bytes == 100 * s.calls, "%lld bytes in %lld calls", s.bytes, s.calls);
	char *text = alloc_tag_report(NULL);
	char want[256];
	snprintf(want, sizeof(want), " %s:%d func:main accurate:no \n", __FILE__, l);
	CHECK(text != NULL && strstr(text, want) != NULL, "report shows accurate:no");
	free(text);
	for (int i = 0; i < 10; i++) {
		CHECK(((unsigned char *)keep[i])[99] == i, "block %d intact", i);
		free(keep[i]);
	}
	s = site_at(__FILE__, (unsigned)l);
	CHECK(s.bytes == 0 && s.calls == 0 && !s.accurate, "back to zero, still marked");
	return check_finish("faults");
}
