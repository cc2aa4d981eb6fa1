/*
 * Over-aligned allocations charge exactly what was asked for, in every form (issue 15,
 * item 8: the compressed form once charged glibc's alignment slack, 2031609 bytes for
 * posix_memalign(2 MiB, 100)), and come back aligned, usable and uncharged.
 *   ./test_aligned   (run.sh runs it under each reference form)
 */
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include <alloc_tag/override.h>

int main(void)
{
	void *p = NULL;
	int l;
	static const size_t aligns[] = { 32, 64, 4096, 65536, (size_t)2 << 20 };
	static const size_t sizes[] = { 1, 100, 600, 5000, 300000 };

	CHECK(posix_memalign(&p, (size_t)2 << 20, 100) == 0, "posix_memalign(2 MiB, 100)"); l = __LINE__;
	EXPECT_SITE(l, 100, 1);
	CHECK(((uintptr_t)p & (((size_t)2 << 20) - 1)) == 0 && malloc_usable_size(p) >= 100, "aligned, usable");
	free(p);
	EXPECT_SITE(l, 0, 0);

	for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			void *q[3];
			int lq[3];
			CHECK(posix_memalign(&q[0], aligns[a], sizes[s]) == 0, "posix_memalign"); lq[0] = __LINE__;
			q[1] = aligned_alloc(aligns[a], sizes[s]); lq[1] = __LINE__;
			q[2] = memalign(aligns[a], sizes[s]); lq[2] = __LINE__;
			for (int i = 0; i < 3; i++) {
				CHECK(q[i] != NULL && ((uintptr_t)q[i] & (aligns[a] - 1)) == 0, "align %zu size %zu", aligns[a], sizes[s]);
				CHECK(malloc_usable_size(q[i]) >= sizes[s], "usable %zu < %zu", malloc_usable_size(q[i]), sizes[s]);
				memset(q[i], 0x5a, sizes[s]);
				EXPECT_SITE(lq[i], (long long)sizes[s], 1);
				free(q[i]);
				EXPECT_SITE(lq[i], 0, 0);
			}
		}
	}
	p = valloc(10); l = __LINE__;
	EXPECT_SITE(l, 10, 1);
	free(p);
	p = pvalloc(10); l = __LINE__;
	EXPECT_SITE(l, sysconf(_SC_PAGESIZE), 1);
	free(p);
	EXPECT_SITE(l, 0, 0);
	return check_finish("aligned");
}
