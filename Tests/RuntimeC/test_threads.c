/*
 * Counters across threads: frees by another thread, threads that exit with live memory
 * (their counters fold into the shared total), and an 8-thread random
 * malloc/calloc/realloc/aligned/free stress with pointers handed between threads while a
 * reader takes reports; afterwards every site of this file is exactly zero and every
 * report line was well formed.
 */
#include <pthread.h>
#include <stdint.h>

#include "check.h"
#include <alloc_tag/override.h>

#define THREADS 8
#define OPS 30000
#define SLOTS 64

static int site_malloc, site_calloc, site_realloc, site_aligned, site_exit, site_cross;

/* A handoff box: threads leave pointers here for others to free. */
static pthread_mutex_t handoff_lock = PTHREAD_MUTEX_INITIALIZER;
static void *handoff[256];

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void *stress(void *arg)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull * (uintptr_t)arg + 1;
	void *slots[SLOTS] = { 0 };

	for (int op = 0; op < OPS; op++) {
		int i = (int)(next_random(&rng) % SLOTS);
		size_t size = 1 + next_random(&rng) % 600;
		switch (next_random(&rng) % 6) {
		case 0:
			free(slots[i]);
			slots[i] = malloc(size); site_malloc = __LINE__;
			break;
		case 1:
			free(slots[i]);
			slots[i] = calloc(size, 3); site_calloc = __LINE__;
			break;
		case 2: {
			void *p = realloc(slots[i], size); site_realloc = __LINE__;
			if (p != NULL)
				slots[i] = p;
			break;
		}
		case 3: {
			void *p = NULL;
			free(slots[i]);
			if (posix_memalign(&p, (size_t)64 << (next_random(&rng) % 4), size) != 0) /* site_aligned */
				p = NULL;
			slots[i] = p;
			break;
		}
		case 4: { /* swap with the handoff box: the other thread frees what we allocated */
			int h = (int)(next_random(&rng) % 256);
			pthread_mutex_lock(&handoff_lock);
			void *theirs = handoff[h];
			handoff[h] = slots[i];
			pthread_mutex_unlock(&handoff_lock);
			slots[i] = theirs;
			break;
		}
		default:
			free(slots[i]);
			slots[i] = NULL;
		}
	}
	for (int i = 0; i < SLOTS; i++)
		free(slots[i]);
	return NULL;
}

static volatile int reading = 1;
static long reports_read, malformed_lines;

/* "%12lli %8llu file:line func:name \n": checks the shape of every line. */
static int well_formed(const char *line, size_t n)
{
	if (n < 24 || line[12] != ' ' || line[21] != ' ' || line[n - 1] != ' ')
		return 0;
	return strstr(line, " func:") != NULL && memchr(line + 22, ':', n - 22) != NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	while (reading) {
		size_t len;
		char *text = alloc_tag_report(&len);
		if (text == NULL)
			continue;
		char *line = strchr(strchr(text, '\n') + 1, '\n') + 1; /* past the two header lines */
		while (*line) {
			char *end = strchr(line, '\n');
			if (end == NULL || !well_formed(line, (size_t)(end - line)))
				__atomic_fetch_add(&malformed_lines, 1, __ATOMIC_RELAXED);
			if (end == NULL)
				break;
			line = end + 1;
		}
		free(text);
		reports_read++;
	}
	return NULL;
}

static void *allocate_then_exit(void *arg)
{
	void **out = arg;
	for (int i = 0; i < 10; i++) {
		out[i] = malloc(100); site_exit = __LINE__;
	}
	return NULL;
}

static void *free_it(void *arg)
{
	free(arg);
	return NULL;
}

int main(void)
{
	pthread_t threads[THREADS], reader_thread;

	/* freed by another thread */
	{
		void *p = malloc(64); site_cross = __LINE__;
		pthread_t t;
		EXPECT_SITE(site_cross, 64, 1);
		pthread_create(&t, NULL, free_it, p);
		pthread_join(t, NULL);
		EXPECT_SITE(site_cross, 0, 0);
	}

	/* threads that exit with live allocations: their counters survive them */
	{
		static void *blocks[4][10];
		pthread_t t[4];
		for (int i = 0; i < 4; i++)
			pthread_create(&t[i], NULL, allocate_then_exit, blocks[i]);
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		EXPECT_SITE(site_exit, 4000, 40);
		for (int i = 0; i < 4; i++)
			for (int j = 0; j < 10; j++)
				free(blocks[i][j]);
		EXPECT_SITE(site_exit, 0, 0);
	}

	/* the stress */
	pthread_create(&reader_thread, NULL, reader, NULL);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, stress, (void *)(i + 1));
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	reading = 0;
	pthread_join(reader_thread, NULL);
	for (int h = 0; h < 256; h++)
		free(handoff[h]);

	EXPECT_SITE(site_malloc, 0, 0);
	EXPECT_SITE(site_calloc, 0, 0);
	EXPECT_SITE(site_realloc, 0, 0);
	(void)site_aligned;
	{
		/* every site of this file is back to zero, whatever line it stands on */
		struct alloc_tag_entry *entries;
		size_t n = alloc_tag_snapshot(&entries);
		long long bytes = 0, calls = 0;
		int sites = 0;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(entries[i].filename, __FILE__) == 0) {
				bytes += entries[i].bytes < 0 ? -entries[i].bytes : entries[i].bytes;
				calls += entries[i].calls < 0 ? -entries[i].calls : entries[i].calls;
				sites++;
			}
		}
		free(entries);
		CHECK(sites >= 6 && bytes == 0 && calls == 0, "%d sites: %lld bytes in %lld calls left", sites, bytes, calls);
	}
	CHECK(reports_read > 0, "the reader took reports");
	CHECK(malformed_lines == 0, "%ld malformed report lines", malformed_lines);
	printf("threads: %ld reports read during the stress\n", reports_read);
	return check_finish("threads");
}
