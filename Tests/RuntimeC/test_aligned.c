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
	static const size_t aligns[] = { 32, 64, 128, 256, 512, 1024, 4096, 65536, (size_t)2 << 20 };
	static const size_t sizes[] = { 0, 1, 40, 100, 200, 512, 600, 5000, 300000 };
	int slabs = alloc_tag_mode() == ALLOC_TAG_MODE_COMPRESSED;

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
				/* The slab form serves alignments and sizes up to 512 from the class of the
				 * size rounded up to the alignment: no header, no over-allocation. */
				size_t room = sizes[s] == 0 ? aligns[a] : (sizes[s] + aligns[a] - 1) & ~(aligns[a] - 1);
				if (slabs && aligns[a] <= 512 && room <= 512)
					CHECK(malloc_usable_size(q[i]) == room, "align %zu size %zu: usable %zu, expected the %zu class",
					      aligns[a], sizes[s], malloc_usable_size(q[i]), room);
				memset(q[i], 0x5a, sizes[s]);
				EXPECT_SITE(lq[i], (long long)sizes[s], 1);
				free(q[i]);
				EXPECT_SITE(lq[i], 0, 0);
			}
		}
	}
	/* Many at once: the first object of every slab is aligned too, and realloc keeps the
	 * contents and the charge exact. */
	static void *many[3000];
	int misaligned = 0;
	for (int i = 0; i < 3000; i++) {
		many[i] = aligned_alloc(i % 2 ? 64 : 256, 40 + i % 7); l = __LINE__;
		misaligned += ((uintptr_t)many[i] & (i % 2 ? 63 : 255)) != 0;
		memset(many[i], i & 0xff, 40);
	}
	CHECK(misaligned == 0, "%d of 3000 aligned objects misaligned", misaligned);
	long long want = 0;
	for (int i = 0; i < 3000; i++)
		want += 40 + i % 7;
	EXPECT_SITE(l, want, 3000);
	int corrupt = 0, lr = 0;
	for (int i = 0; i < 3000; i++) {
		many[i] = realloc(many[i], 100); lr = __LINE__;
		for (int j = 0; j < 40; j++)
			corrupt += ((unsigned char *)many[i])[j] != (i & 0xff);
	}
	CHECK(corrupt == 0, "realloc of aligned objects: %d bytes corrupt", corrupt);
	EXPECT_SITE(l, 0, 0);
	EXPECT_SITE(lr, 300000, 3000);
	for (int i = 0; i < 3000; i++)
		free(many[i]);
	EXPECT_SITE(lr, 0, 0);

	p = valloc(10); l = __LINE__;
	EXPECT_SITE(l, 10, 1);
	free(p);
	p = pvalloc(10); l = __LINE__;
	EXPECT_SITE(l, sysconf(_SC_PAGESIZE), 1);
	free(p);
	EXPECT_SITE(l, 0, 0);
	return check_finish("aligned");
}
