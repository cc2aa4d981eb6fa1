/*
 * Cumulative counts and peaks with exact numbers: a single thread allocates known sizes at
 * known lines, frees some, and has a known peak.  Under ALLOCTAG_PEAK_INTERVAL=1 every
 * allocation samples, so every peak must be exact; under the default interval (1 MiB) each
 * must be within the stated bound.  A thread that exits hands its totals on.
 */
#include <pthread.h>
#include <unistd.h>

#include "check.h"

#define MIB 1048576LL

struct site_full {
	long long bytes, calls, total_bytes, total_calls, peak_bytes, bytes_at_peak;
};

static struct site_full full_in(const char *file, unsigned line)
{
	struct alloc_tag_entry *entries;
	size_t n = alloc_tag_snapshot(&entries);
	struct site_full s = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (entries[i].lineno == line && strcmp(entries[i].filename, file) == 0) {
			s.bytes += entries[i].bytes;
			s.calls += entries[i].calls;
			s.total_bytes += entries[i].total_bytes;
			s.total_calls += entries[i].total_calls;
			s.peak_bytes += entries[i].peak_bytes;
			s.bytes_at_peak += entries[i].bytes_at_peak;
		}
	}
	free(entries);
	return s;
}

#define full_at(line) full_in(__FILE__, (line))

static long long at_peak_sum(void)
{
	struct alloc_tag_entry *entries;
	size_t n = alloc_tag_snapshot(&entries);
	long long sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += entries[i].bytes_at_peak;
	free(entries);
	return sum;
}

#define EXPECT_FULL(line, b, c, tb, tc, pb, ap)                                                       \
	do {                                                                                          \
		struct site_full s_ = full_at(line);                                                  \
		CHECK(s_.bytes == (b) && s_.calls == (c) && s_.total_bytes == (tb) &&                 \
			      s_.total_calls == (tc) && s_.peak_bytes == (pb) && s_.bytes_at_peak == (ap), \
		      "line %d: live %lld/%lld total %lld/%lld peak %lld at-peak %lld, expected "      \
		      "%lld/%lld %lld/%lld %lld %lld",                                                 \
		      (int)(line), s_.bytes, s_.calls, s_.total_bytes, s_.total_calls, s_.peak_bytes,  \
		      s_.bytes_at_peak, (long long)(b), (long long)(c), (long long)(tb), (long long)(tc), \
		      (long long)(pb), (long long)(ap));                                               \
	} while (0)

/* Kept where the compiler must assume they are read: -O2 removes a malloc whose block is
 * only ever freed. */
static void *volatile keep[8];
static unsigned line_a, line_b, line_c, line_d, line_e, line_g, line_r;

static void *a(size_t n) { line_a = __LINE__; return keep[0] = alloc_hooks(malloc(n)); }
static void *b(size_t n) { line_b = __LINE__; return keep[1] = alloc_hooks(malloc(n)); }
static void *c(size_t n) { line_c = __LINE__; return keep[2] = alloc_hooks(malloc(n)); }
static void *d(size_t n) { line_d = __LINE__; return keep[3] = alloc_hooks(malloc(n)); }
static void *e(size_t n) { line_e = __LINE__; return keep[4] = alloc_hooks(malloc(n)); }
static void *g(size_t n) { line_g = __LINE__; return keep[5] = alloc_hooks(malloc(n)); }
static void *r(void *p, size_t n) { line_r = __LINE__; return keep[5] = alloc_hooks(realloc(p, n)); }

static void *thread_main(void *arg)
{
	void *blocks[100];
	for (int i = 0; i < 100; i++)
		blocks[i] = d(1000);
	for (int i = 0; i < 50; i++)
		free(blocks[i]);
	return arg;
}

/* A fresh thread's first allocation: 1000 bytes, freed.  It samples only under an interval
 * of 1 (a fresh thread's countdown starts at the interval, not at 0). */
static void *first_alloc_main(void *arg)
{
	free(e(1000));
	return arg;
}

int main(void)
{
	const char *interval = getenv("ALLOCTAG_PEAK_INTERVAL");
	int exact = interval != NULL && strcmp(interval, "1") == 0;
	void *a1 = a(MIB), *a2 = a(MIB), *a3 = a(MIB);
	void *b1 = b(MIB / 2); /* the process peak: 3.5 MiB tagged, and what was untagged then */
	free(a1);
	free(a2);
	free(b1);
	void *b2 = b(MIB / 4);
	void *c1 = c(2 * MIB); /* 3.25 MiB: below the peak */

	long long peak = alloc_tag_peak();
	if (exact) {
		EXPECT_FULL(line_a, MIB, 1, 3 * MIB, 3, 3 * MIB, 3 * MIB);
		EXPECT_FULL(line_b, MIB / 4, 1, 3 * MIB / 4, 2, MIB / 2, MIB / 2);
		EXPECT_FULL(line_c, 2 * MIB, 1, 2 * MIB, 1, 2 * MIB, 0);
		long long untagged = full_in(ALLOC_TAG_UNTAGGED_NAME, 0).bytes_at_peak;
		CHECK(peak == 7 * MIB / 2 + untagged, "peak %lld, expected %lld", peak, 7 * MIB / 2 + untagged);
	} else {
		/* Samples every MiB: each 1 MiB block samples, the 512 KiB one may not. */
		struct site_full sa = full_at(line_a), sb = full_at(line_b);
		CHECK(sa.total_bytes == 3 * MIB && sa.total_calls == 3 && sa.peak_bytes == 3 * MIB,
		      "a: total %lld/%lld peak %lld", sa.total_bytes, sa.total_calls, sa.peak_bytes);
		CHECK(sb.peak_bytes > MIB / 2 - MIB && sb.peak_bytes <= MIB / 2, "b: peak %lld", sb.peak_bytes);
		long long untagged = untagged_bytes();
		CHECK(peak > 7 * MIB / 2 - MIB && peak < 7 * MIB / 2 + untagged + 4096,
		      "peak %lld not within one interval under %lld", peak, 7 * MIB / 2 + untagged);
	}
	CHECK(peak == at_peak_sum(), "the at-peak rows sum to the peak (%lld vs %lld)", at_peak_sum(), peak);

	pthread_t t;
	pthread_create(&t, NULL, thread_main, NULL);
	pthread_join(t, NULL);
	if (exact) {
		EXPECT_FULL(line_d, 50000, 50, 100000, 100, 100000, 0);
	} else {
		struct site_full sd = full_at(line_d);
		CHECK(sd.bytes == 50000 && sd.calls == 50 && sd.total_bytes == 100000 && sd.total_calls == 100 &&
			      sd.peak_bytes > 100000 - MIB && sd.peak_bytes <= 100000,
		      "d: live %lld/%lld total %lld/%lld peak %lld", sd.bytes, sd.calls, sd.total_bytes,
		      sd.total_calls, sd.peak_bytes);
	}

	pthread_create(&t, NULL, first_alloc_main, NULL);
	pthread_join(t, NULL);
	struct site_full se = full_at(line_e);
	CHECK(se.total_bytes == 1000 && se.peak_bytes == (exact ? 1000 : 0),
	      "a new thread's first allocation sampled the peak: e total %lld peak %lld (expected %d)",
	      se.total_bytes, se.peak_bytes, exact ? 1000 : 0);

	/* The extended report to a file: its line for a's site, byte for byte. */
	char path[] = "/tmp/alloctag-extended-XXXXXX", text[65536];
	int fd = mkstemp(path);
	CHECK(fd >= 0 && alloc_tag_report_extended_fd(fd) == 0, "extended report to fd");
	ssize_t got = pread(fd, text, sizeof(text) - 1, 0);
	text[got > 0 ? got : 0] = '\0';
	close(fd);
	unlink(path);
	CHECK(strncmp(text, ALLOC_TAG_EXTENDED_HEADER "# peak: ", strlen(ALLOC_TAG_EXTENDED_HEADER "# peak: ")) == 0,
	      "extended header: %.80s", text);
	char want[512];
	if (exact) {
		snprintf(want, sizeof(want), "\n     3145728        3145728             3       3145728      1048576        1 %s:%u func:a \n",
			 __FILE__, line_a);
		CHECK(strstr(text, want) != NULL, "extended line for a: want %s in\n%s", want, text);
	}
	free(a3);
	free(b2);
	free(c1);

	/* realloc at one site (after the frees: the process peak stays where it was).  The first
	 * realloc moves the block from g's site to r's; the next ones are r's own block (one
	 * counter update each); a realloc counts once, its new size, and only growth can raise
	 * the peak.  Sizes cross the slab limit (512) and glibc's mmap threshold. */
	void *p = g(100);
	p = r(p, 200);
	p = r(p, 400);   /* inside the slabs, moved */
	p = r(p, 5000);  /* onto glibc */
	p = r(p, 300000);
	p = r(p, 100);   /* shrinks: no new peak */
	if (exact) {
		EXPECT_FULL(line_g, 0, 0, 100, 1, 100, 0);
		EXPECT_FULL(line_r, 100, 1, 200 + 400 + 5000 + 300000 + 100, 5, 300000, 0);
	} else {
		struct site_full sr = full_at(line_r);
		CHECK(sr.bytes == 100 && sr.calls == 1 && sr.total_bytes == 305700 && sr.total_calls == 5 &&
			      sr.peak_bytes > 300000 - MIB && sr.peak_bytes <= 300000,
		      "r: live %lld/%lld total %lld/%lld peak %lld", sr.bytes, sr.calls, sr.total_bytes,
		      sr.total_calls, sr.peak_bytes);
	}
	free(p);
	EXPECT_SITE(line_r, 0, 0);
	return check_finish("test_peak");
}
