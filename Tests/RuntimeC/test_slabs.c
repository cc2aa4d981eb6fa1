/*
 * Compressed references on slabs (run.sh runs this under ALLOCTAG_PROFILING=1,compressed):
 * exact bytes across the slab/glibc boundary, usable sizes and alignment, realloc within
 * and across size classes, calloc on recycled objects, slabs of exited
 * threads freed by another thread and reused, memory going back once freed, and fork.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include <alloc_tag/override.h>

#define SIZES 601           /* 0 .. 600: both sides of the 512-byte slab limit */
#define PRODUCED 100000
#define ROUNDS 30

static void *volatile keep[SIZES];
static int site_produce;

static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static size_t class_size(size_t n)
{
	return n <= 16 ? 16 : (n + 15) & ~(size_t)15;
}

/* A thread that allocates and exits: its slabs are orphaned with every object live. */
static void *produce(void *arg)
{
	void **out = arg;
	for (int i = 0; i < PRODUCED; i++) {
		out[i] = malloc(24); site_produce = __LINE__;
	}
	return NULL;
}

/* Two threads swap blocks through one array, so about half the frees are of the other
 * thread's blocks: what they free must be reused, not pile up on remote lists. */
#define SWAP_SLOTS 4096
#define SWAP_OPS 2000000
static void *swap_slots[SWAP_SLOTS];
static int site_swap;

static void *swap(void *arg)
{
	uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	for (int op = 0; op < SWAP_OPS; op++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		void *p = malloc(64); site_swap = __LINE__;
		free(__atomic_exchange_n(&swap_slots[s % SWAP_SLOTS], p, __ATOMIC_ACQ_REL));
	}
	return NULL;
}

/* A thread that exits holding every object: its slabs are orphaned full. */
#define HELD 20000
static void *held[HELD];
static int site_hold;

static void *hold(void *arg)
{
	(void)arg;
	for (int i = 0; i < HELD; i++) {
		held[i] = malloc(48); site_hold = __LINE__;
	}
	return NULL;
}

/* Threads that keep refilling slabs (sizes across every class) while main forks. */
static volatile int churning = 1;

static void *churn(void *arg)
{
	uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	void *slots[512] = { 0 };
	while (churning) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		free(slots[s % 512]);
		slots[s % 512] = malloc(1 + (s >> 32) % 512);
	}
	for (int i = 0; i < 512; i++)
		free(slots[i]);
	return NULL;
}

/* 100 threads that each touch 20 size classes and wait for each other before freeing. */
#define MANY_THREADS 100
#define MANY_CLASSES 20
static pthread_barrier_t all_allocated, measured;

static void *touch_classes(void *arg)
{
	void *mine[MANY_CLASSES];
	(void)arg;
	for (int c = 0; c < MANY_CLASSES; c++)
		memset(mine[c] = malloc(16 * (size_t)(c + 1) + 8), 1, 16 * (size_t)(c + 1) + 8);
	pthread_barrier_wait(&all_allocated);
	pthread_barrier_wait(&measured);
	for (int c = 0; c < MANY_CLASSES; c++)
		free(mine[c]);
	return NULL;
}

static void produce_and_free(void **objects)
{
	pthread_t t;
	pthread_create(&t, NULL, produce, objects);
	pthread_join(t, NULL);
	for (int i = 0; i < PRODUCED; i++)
		free(objects[i]);
}

int main(void)
{
	int l, l2;
	long long total = 0;
	int misaligned = 0, wrong_usable = 0;

	CHECK(alloc_tag_mode() == ALLOC_TAG_MODE_COMPRESSED, "runs in the default form (ALLOCTAG_PROFILING=1)");

	/* Every size from 0 to 600 at one site: bytes are the exact sum. */
	for (size_t n = 0; n < SIZES; n++) {
		keep[n] = malloc(n); l = __LINE__;
		total += (long long)n;
	}
	EXPECT_SITE(l, total, SIZES);
	for (size_t n = 0; n < SIZES; n++) {
		misaligned += ((uintptr_t)keep[n] & 15) != 0;
		size_t usable = malloc_usable_size(keep[n]);
		wrong_usable += n <= 512 ? usable != class_size(n) : usable < n;
		memset(keep[n], 0xab, usable); /* the whole usable size is the caller's */
	}
	CHECK(misaligned == 0, "%d pointers not 16-byte aligned", misaligned);
	CHECK(wrong_usable == 0, "%d usable sizes off", wrong_usable);
	EXPECT_SITE(l, total, SIZES);
	for (size_t n = 0; n < SIZES; n++)
		free(keep[n]);
	EXPECT_SITE(l, 0, 0);

	/* realloc inside a size class keeps the object and charges the realloc's site. */
	keep[0] = malloc(20); l = __LINE__;
	memcpy(keep[0], "0123456789abcdefghi", 20);
	keep[1] = realloc(keep[0], 30); l2 = __LINE__;
	CHECK(keep[1] == keep[0], "realloc 20 -> 30 stays in the 32-byte object");
	EXPECT_SITE(l, 0, 0);
	EXPECT_SITE(l2, 30, 1);
	/* ... and across classes moves it, contents intact, out to glibc and back. */
	keep[2] = realloc(keep[1], 100); l = __LINE__;
	CHECK(keep[2] != keep[1] && memcmp(keep[2], "0123456789abcdefghi", 20) == 0, "realloc 30 -> 100 moves");
	EXPECT_SITE(l2, 0, 0);
	EXPECT_SITE(l, 100, 1);
	keep[3] = realloc(keep[2], 5000); l2 = __LINE__;
	CHECK(keep[3] != NULL && memcmp(keep[3], "0123456789abcdefghi", 20) == 0, "realloc 100 -> 5000");
	EXPECT_SITE(l, 0, 0);
	EXPECT_SITE(l2, 5000, 1);
	keep[4] = realloc(keep[3], 7); l = __LINE__;
	CHECK(keep[4] != NULL && memcmp(keep[4], "0123456", 7) == 0, "realloc 5000 -> 7");
	EXPECT_SITE(l2, 0, 0);
	EXPECT_SITE(l, 7, 1);
	free(keep[4]);
	EXPECT_SITE(l, 0, 0);

	/* A single grow-to-fit stays exact; an object grown before gets twice the room it asks
	 * for, grows in place inside it, and moves when it shrinks under a quarter. */
	keep[0] = malloc(20);
	keep[1] = realloc(keep[0], 100); l = __LINE__;
	CHECK(malloc_usable_size(keep[1]) == 112, "grown once: %zu usable, expected 112", malloc_usable_size(keep[1]));
	keep[2] = realloc(keep[1], 120); l2 = __LINE__;
	CHECK(keep[2] != keep[1] && malloc_usable_size(keep[2]) == 240, "grown twice: %zu usable, expected 240",
	      malloc_usable_size(keep[2]));
	EXPECT_SITE(l, 0, 0);
	EXPECT_SITE(l2, 120, 1);
	keep[3] = realloc(keep[2], 200); l = __LINE__;
	keep[4] = realloc(keep[3], 240); l2 = __LINE__;
	CHECK(keep[3] == keep[2] && keep[4] == keep[2], "growth inside the room stays in place");
	EXPECT_SITE(l, 0, 0);
	EXPECT_SITE(l2, 240, 1);
	keep[5] = realloc(keep[4], 50); l = __LINE__;
	CHECK(keep[5] != keep[4] && malloc_usable_size(keep[5]) == 64, "shrunk under a quarter: moved to %zu usable",
	      malloc_usable_size(keep[5]));
	EXPECT_SITE(l2, 0, 0);
	EXPECT_SITE(l, 50, 1);
	free(keep[5]);
	EXPECT_SITE(l, 0, 0);

	/* A buffer grown a byte at a time to 512 moves 6 times (at 1, 17, 33, 81, 177 and 369
	 * bytes), not 32. */
	char *buffer = NULL;
	int moves = 0, corrupt = 0;
	for (size_t n = 1; n <= 512; n++) {
		char *grown = realloc(buffer, n); l = __LINE__;
		moves += grown != buffer;
		grown[n - 1] = (char)n;
		buffer = grown;
	}
	for (size_t n = 1; n <= 512; n++)
		corrupt += buffer[n - 1] != (char)n;
	CHECK(moves == 6 && corrupt == 0, "byte-by-byte growth: %d moves, %d bytes corrupt", moves, corrupt);
	EXPECT_SITE(l, 512, 1);
	free(buffer);
	EXPECT_SITE(l, 0, 0);

	/* calloc zeroes a recycled object. */
	keep[0] = malloc(64);
	memset(keep[0], 0xff, 64);
	free(keep[0]);
	keep[1] = calloc(8, 8); l = __LINE__;
	int nonzero = 0;
	for (int i = 0; i < 64; i++)
		nonzero += ((unsigned char *)keep[1])[i] != 0;
	CHECK(nonzero == 0, "calloc over a recycled object: %d non-zero bytes", nonzero);
	EXPECT_SITE(l, 64, 1);

	free(keep[1]);
	EXPECT_SITE(l, 0, 0);

	/* Threads exit holding their objects; main frees them; the slabs are reused, so the
	 * process does not grow round after round. */
	void **objects = (malloc)(sizeof(void *) * PRODUCED);
	long after_first = 0;
	for (int round = 0; round < ROUNDS; round++) {
		produce_and_free(objects);
		if (round == 2)
			after_first = rss_kib();
	}
	long after_all = rss_kib();
	EXPECT_SITE(site_produce, 0, 0);
	CHECK(after_all - after_first < 4096, "RSS grew %ld KiB from round 3 to round %d", after_all - after_first, ROUNDS);

	long before_swap = rss_kib();
	pthread_t swappers[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&swappers[i], NULL, swap, (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < 2; i++)
		pthread_join(swappers[i], NULL);
	long after_swap = rss_kib();
	for (int i = 0; i < SWAP_SLOTS; i++)
		free(swap_slots[i]);
	EXPECT_SITE(site_swap, 0, 0);
	CHECK(after_swap - before_swap < 16384, "RSS grew %ld KiB over 4M cross-thread swaps of 64-byte blocks",
	      after_swap - before_swap);

	/* Full orphans are adopted by the next heap short of their class; what is freed of
	 * them afterwards is reused, so allocating as much again does not grow the process. */
	pthread_t holder;
	pthread_create(&holder, NULL, hold, NULL);
	pthread_join(holder, NULL);
	void *mine = malloc(48); l = __LINE__;
	for (int i = 0; i < HELD; i++)
		free(held[i]);
	EXPECT_SITE(site_hold, 0, 0);
	long before_again = rss_kib();
	for (int i = 0; i < HELD; i++)
		held[i] = malloc(48);
	long after_again = rss_kib();
	CHECK(after_again - before_again < 512, "RSS grew %ld KiB reallocating what an exited thread held",
	      after_again - before_again);
	for (int i = 0; i < HELD; i++)
		free(held[i]);
	free(mine);
	EXPECT_SITE(l, 0, 0);

	/* Freed memory goes back to the kernel (past a small pool of empty slabs). */
	for (int i = 0; i < PRODUCED; i++)
		memset(objects[i] = malloc(200), 1, 200); /* untouched pages would not count */
	long peak = rss_kib();
	for (int i = 0; i < PRODUCED; i++)
		free(objects[i]);
	long freed = rss_kib();
	CHECK(peak - freed > 15000, "RSS %ld KiB with 20 MB live, %ld KiB after freeing it", peak, freed);

	/* mallinfo2 counts slab objects as allocated; malloc_trim gives pooled slabs back. */
	struct mallinfo2 m0 = mallinfo2();
	for (int i = 0; i < PRODUCED; i++) {
		memset(objects[i] = malloc(100), 1, 100); l = __LINE__;
	}
	struct mallinfo2 m1 = mallinfo2();
	CHECK(m1.uordblks - m0.uordblks == 112u * PRODUCED, "mallinfo2: %zu more bytes in use with %d 112-byte objects",
	      m1.uordblks - m0.uordblks, PRODUCED);
	CHECK(m1.hblkhd >= 112u * PRODUCED, "mallinfo2: slabs as mmapped space (%zu bytes)", m1.hblkhd);
	for (int i = 0; i < PRODUCED; i++)
		free(objects[i]);
	struct mallinfo2 m2 = mallinfo2();
	CHECK(m2.uordblks == m0.uordblks, "mallinfo2 after the frees: %zu in use, %zu before", m2.uordblks, m0.uordblks);
	EXPECT_SITE(l, 0, 0);
	long before_trim = rss_kib();
	CHECK(malloc_trim(0) == 1, "malloc_trim released memory");
	long after_trim = rss_kib();
	struct mallinfo2 m3 = mallinfo2();
	CHECK(before_trim - after_trim >= 512, "malloc_trim: RSS %ld KiB -> %ld KiB", before_trim, after_trim);
	CHECK(m3.hblkhd < m2.hblkhd, "mallinfo2 after malloc_trim: %zu mmapped bytes, %zu before", m3.hblkhd, m2.hblkhd);

	/* 100 threads each touching 20 size classes: every class costs a thread its current slab's
	 * header page and the pages its objects touch (2 pages here), and exiting threads give
	 * their slabs back. */
	pthread_t many[MANY_THREADS];
	long rss_before_many = rss_kib();
	pthread_barrier_init(&all_allocated, NULL, MANY_THREADS + 1);
	pthread_barrier_init(&measured, NULL, MANY_THREADS + 1);
	for (int i = 0; i < MANY_THREADS; i++)
		pthread_create(&many[i], NULL, touch_classes, NULL);
	pthread_barrier_wait(&all_allocated);
	long rss_many = rss_kib();
	struct mallinfo2 mm = mallinfo2();
	pthread_barrier_wait(&measured);
	for (int i = 0; i < MANY_THREADS; i++)
		pthread_join(many[i], NULL);
	malloc_trim(0);
	long rss_after_many = rss_kib();
	struct mallinfo2 ma = mallinfo2();
	long slabs_many = ((long)mm.hblkhd - (long)m3.hblkhd) / 1024, slabs_after = ((long)ma.hblkhd - (long)m3.hblkhd) / 1024;
	printf("100 threads x 20 classes: RSS +%ld KiB while alive, +%ld KiB after exit and malloc_trim; "
	       "slabs held %+ld KiB -> %+ld KiB\n", rss_many - rss_before_many, rss_after_many - rss_before_many,
	       slabs_many, slabs_after);
	/* 2 pages per thread and class, and the threads' stacks and TLS (under 64 KiB each) */
	CHECK(rss_many - rss_before_many < MANY_THREADS * (MANY_CLASSES * 8 + 64),
	      "100 threads x 20 classes: RSS grew %ld KiB", rss_many - rss_before_many);
	/* the threads' slabs came back: at most the resident pool (16 slabs) stays */
	CHECK(slabs_after <= 16 * 64,
	      "slabs held: %+ld KiB while alive, %+ld KiB after the threads exited", slabs_many, slabs_after);

	/* fork: the child frees what another thread of the parent allocated, and allocates. */
	pthread_t t;
	pthread_create(&t, NULL, produce, objects);
	pthread_join(t, NULL);
	pid_t child = fork();
	if (child == 0) {
		for (int i = 0; i < PRODUCED; i++)
			free(objects[i]);
		struct site_sum s = site_at(__FILE__, (unsigned)site_produce);
		for (int i = 0; i < PRODUCED; i++)
			objects[i] = malloc(24);
		for (int i = 0; i < PRODUCED; i++)
			free(objects[i]);
		_exit(s.bytes == 0 && s.calls == 0 ? 0 : 1);
	}
	int status = 0;
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child after fork: status %d", status);
	EXPECT_SITE(site_produce, 24LL * PRODUCED, PRODUCED);
	for (int i = 0; i < PRODUCED; i++)
		free(objects[i]);
	EXPECT_SITE(site_produce, 0, 0);
	(free)(objects);

	/* fork while other threads refill their slabs: every child allocates and frees across
	 * all classes and exits cleanly (alarm turns a deadlock into a failure). */
	pthread_t churners[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&churners[i], NULL, churn, (void *)(uintptr_t)(i + 7));
	int bad_children = 0;
	for (int round = 0; round < 40; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			alarm(10);
			void *mine[600];
			for (int i = 0; i < 600; i++)
				mine[i] = malloc((size_t)i + 1);
			for (int i = 0; i < 600; i++)
				free(mine[i]);
			_exit(0);
		}
		int st = 0;
		waitpid(pid, &st, 0);
		bad_children += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	churning = 0;
	for (int i = 0; i < 3; i++)
		pthread_join(churners[i], NULL);
	CHECK(bad_children == 0, "%d of 40 children forked during slab refills failed", bad_children);
	return check_finish("slabs");
}
