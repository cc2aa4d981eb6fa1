/*
 * Exact bytes and counts per call site for every function of the malloc family, nesting,
 * the _noprof recipe, alloc_tag_record, and neighbouring hooked calls (the -O2 trap).
 * Runs under ALLOCTAG_PROFILING=1 and 1,compressed (see run.sh).
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include <alloc_tag/override.h>

static void *volatile keep[64];
/* Through volatiles so compilers neither fold nor warn about the deliberate misuse. */
static volatile size_t huge = SIZE_MAX / 2, bad_alignment = 48;

/* A helper following the kernel's recipe: its callers are charged. */
static char *make_buffer_noprof(size_t n)
{
	char *p = malloc_noprof(n);
	if (p != NULL)
		memset(p, 'x', n);
	return p;
}
#define make_buffer(...) alloc_hooks(make_buffer_noprof(__VA_ARGS__))

/* A container that allocates later on behalf of its creator (rhashtable pattern). */
struct table {
	struct alloc_tag *tag;
	void *slots;
};

static struct table *table_create(void)
{
	struct table *t = (malloc)(sizeof(*t)); /* untagged on purpose: the record is what's tested */
	t->slots = NULL;
	alloc_tag_record(t->tag);
	return t;
}
#define table_create_hooked() alloc_hooks(table_create())

static void table_grow(struct table *t, size_t n)
{
	t->slots = alloc_hooks_tag(t->tag, realloc_noprof(t->slots, n));
}

static int aligned(void *p, size_t a)
{
	return ((uintptr_t)p & (a - 1)) == 0;
}

int main(void)
{
	int l, l2, l3;

	/* malloc and free */
	keep[0] = malloc(100); l = __LINE__;
	EXPECT_SITE(l, 100, 1);
	CHECK(malloc_usable_size(keep[0]) >= 100, "usable size %zu", malloc_usable_size(keep[0]));
	memset(keep[0], 1, malloc_usable_size(keep[0]));
	free(keep[0]);
	EXPECT_SITE(l, 0, 0);
	free(NULL);
	EXPECT_SITE(l, 0, 0);

	/* malloc(0) returns a unique pointer charged with 0 bytes */
	keep[0] = malloc(0); l = __LINE__;
	CHECK(keep[0] != NULL, "malloc(0)");
	EXPECT_SITE(l, 0, 1);
	free(keep[0]);
	EXPECT_SITE(l, 0, 0);

	/* calloc: zeroed, count * size bytes, overflow refused */
	keep[0] = calloc(7, 9); l = __LINE__;
	EXPECT_SITE(l, 63, 1);
	{
		int zero = 1;
		for (int i = 0; i < 63; i++)
			zero &= ((unsigned char *)keep[0])[i] == 0;
		CHECK(zero, "calloc memory is zeroed");
	}
	free(keep[0]);
	EXPECT_SITE(l, 0, 0);
	errno = 0;
	keep[0] = calloc(huge, 4); l = __LINE__;
	CHECK(keep[0] == NULL && errno == ENOMEM, "calloc overflow gives ENOMEM");
	EXPECT_SITE(l, 0, 0);

	/* realloc: grow, shrink and move; the realloc site takes the new size */
	keep[0] = malloc(10); l = __LINE__;
	memcpy(keep[0], "012345678", 10);
	keep[1] = malloc(16); /* a neighbour, so growing in place is unlikely */
	keep[0] = realloc(keep[0], 100000); l2 = __LINE__;
	EXPECT_SITE(l, 0, 0);
	EXPECT_SITE(l2, 100000, 1);
	CHECK(memcmp(keep[0], "012345678", 10) == 0, "realloc keeps contents");
	keep[0] = realloc(keep[0], 5); l3 = __LINE__;
	EXPECT_SITE(l2, 0, 0);
	EXPECT_SITE(l3, 5, 1);
	CHECK(memcmp(keep[0], "01234", 5) == 0, "shrinking keeps contents");
	keep[0] = realloc(keep[0], 0); /* frees, as glibc does */
	CHECK(keep[0] == NULL, "realloc(p, 0) returns NULL");
	EXPECT_SITE(l3, 0, 0);
	free(keep[1]);
	keep[0] = realloc(NULL, 33); l = __LINE__;
	EXPECT_SITE(l, 33, 1);
	free(keep[0]);

	/* nested on one line: the inner malloc's bytes move to the realloc */
	keep[0] = realloc(malloc(8), 24); l = __LINE__;
	EXPECT_SITE(l, 24, 1);
	CHECK(site_at(__FILE__, l).tags == 2, "two tags on the nested line");
	free(keep[0]);
	EXPECT_SITE(l, 0, 0);

	/* reallocarray */
	keep[0] = reallocarray(NULL, 6, 7); l = __LINE__;
	EXPECT_SITE(l, 42, 1);
	errno = 0;
	CHECK(reallocarray(keep[0], huge, 3) == NULL && errno == ENOMEM, "reallocarray overflow");
	EXPECT_SITE(l, 42, 1);
	free(keep[0]);

	/* strdup and strndup */
	keep[0] = strdup("hello"); l = __LINE__;
	keep[1] = strndup("hello, world", 4); l2 = __LINE__;
	EXPECT_SITE(l, 6, 1);
	EXPECT_SITE(l2, 5, 1);
	CHECK(strcmp(keep[1], "hell") == 0, "strndup copies");
	free(keep[0]);
	free(keep[1]);
	EXPECT_SITE(l, 0, 0);
	EXPECT_SITE(l2, 0, 0);

	/* aligned allocations keep their alignment and are charged the bytes asked for */
	keep[0] = aligned_alloc(64, 100); l = __LINE__;
	CHECK(aligned(keep[0], 64), "aligned_alloc alignment");
	EXPECT_SITE(l, 100, 1);
	CHECK(malloc_usable_size(keep[0]) >= 100, "aligned usable size");
	free(keep[0]);
	EXPECT_SITE(l, 0, 0);
	{
		void *p = NULL;
		int rc = posix_memalign(&p, 4096, 10); l = __LINE__;
		CHECK(rc == 0 && aligned(p, 4096), "posix_memalign");
		EXPECT_SITE(l, 10, 1);
		keep[0] = p;
		/* realloc of an over-aligned block moves it into a plain one */
		keep[0] = realloc(keep[0], 20); l2 = __LINE__;
		EXPECT_SITE(l, 0, 0);
		EXPECT_SITE(l2, 20, 1);
		free(keep[0]);
		EXPECT_SITE(l2, 0, 0);
		rc = posix_memalign(&p, 24, 10); l = __LINE__;
		CHECK(rc == EINVAL, "posix_memalign rejects a non-power-of-two alignment");
		EXPECT_SITE(l, 0, 0);
	}
	errno = 0;
	keep[0] = aligned_alloc(bad_alignment, 10); l = __LINE__;
	CHECK(keep[0] == NULL && errno == EINVAL, "aligned_alloc rejects 48");
	keep[0] = memalign(32, 7); l = __LINE__;
	CHECK(aligned(keep[0], 32), "memalign");
	EXPECT_SITE(l, 7, 1);
	free(keep[0]);
	keep[0] = memalign(bad_alignment, 7); l = __LINE__; /* glibc rounds 48 up to 64 */
	CHECK(aligned(keep[0], 64), "memalign(48) aligns to 64");
	free(keep[0]);
	{
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		keep[0] = valloc(5); l = __LINE__;
		keep[1] = pvalloc(5); l2 = __LINE__;
		CHECK(aligned(keep[0], page) && aligned(keep[1], page), "valloc/pvalloc page-aligned");
		EXPECT_SITE(l, 5, 1);
		EXPECT_SITE(l2, (long long)page, 1); /* pvalloc allocates whole pages */
		free(keep[0]);
		free(keep[1]);
		EXPECT_SITE(l, 0, 0);
		EXPECT_SITE(l2, 0, 0);
	}

	/* nesting with an explicit tag: the innermost tag wins, the outer one comes back */
	{
		DEFINE_ALLOC_TAG(outer); l = __LINE__;
		alloc_hooks_tag(&outer, ({
			keep[0] = malloc_noprof(10);
			keep[1] = malloc(20); l2 = __LINE__;
			keep[2] = malloc_noprof(30);
			0;
		}));
		EXPECT_SITE(l, 40, 2);
		EXPECT_SITE(l2, 20, 1);
		free(keep[0]);
		free(keep[1]);
		free(keep[2]);
		EXPECT_SITE(l, 0, 0);
		EXPECT_SITE(l2, 0, 0);
	}

	/* the _noprof recipe: each caller line is charged, not the helper's body */
	keep[0] = make_buffer(11); l = __LINE__;
	keep[1] = make_buffer(13); l2 = __LINE__;
	EXPECT_SITE(l, 11, 1);
	EXPECT_SITE(l2, 13, 1);
	free(keep[0]);
	free(keep[1]);

	/* alloc_tag_record: later allocations of the container go to its creator's line
	 * (the container itself too: it is allocated while the creator's tag is current) */
	{
		struct table *t = table_create_hooked(); l = __LINE__;
		keep[0] = t;
		table_grow(t, 64);
		table_grow(t, 128);
		EXPECT_SITE(l, 16 + 128, 2);
		free(t->slots);
		EXPECT_SITE(l, 16, 1);
		free(keep[0]);
		EXPECT_SITE(l, 0, 0);
	}

	/* neighbouring hooked calls must not trade tags (seen with clang -O2) */
	keep[0] = malloc(1); l = __LINE__;
	keep[1] = strdup("ab"); l2 = __LINE__;
	keep[2] = realloc(keep[0], 7); l3 = __LINE__;
	keep[3] = strdup("abcd"); int l4 = __LINE__;
	EXPECT_SITE(l, 0, 0);
	EXPECT_SITE(l2, 3, 1);
	EXPECT_SITE(l3, 7, 1);
	EXPECT_SITE(l4, 5, 1);
	free(keep[1]);
	free(keep[2]);
	free(keep[3]);

	/* an allocation under no tag is charged to the untagged line, exactly */
	{
		long long before = untagged_bytes();
		keep[0] = (malloc)(777);
		CHECK(untagged_bytes() - before == 777, "untagged delta %lld", untagged_bytes() - before);
		free(keep[0]);
		CHECK(untagged_bytes() == before, "untagged back to %lld", before);
	}

	/* a failed allocation leaves nothing charged */
	errno = 0;
	keep[0] = malloc(huge); l = __LINE__;
	CHECK(keep[0] == NULL && errno == ENOMEM, "huge malloc fails with ENOMEM");
	EXPECT_SITE(l, 0, 0);

	return check_finish("sites");
}
