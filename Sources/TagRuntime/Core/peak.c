/*
 * peak.c - the process's peak live bytes, which sites held them, and each site's own peak.
 *
 * A peak cannot be kept exactly on the hot path without a shared counter (a `lock`-prefixed
 * add on every allocation and free).  Instead each thread counts down the bytes it
 * allocates (alloc_tag_count: load, subtract, store, branch on the borrow; allocations only:
 * frees never raise a peak) and, every ALLOCTAG_PEAK_INTERVAL bytes (default 1 MiB), samples:
 * sums every thread's counters (O(sites x threads)), raises each site's peak to its live
 * bytes, and when the live total is a new high, copies every site's live bytes into the
 * at-peak table (O(sites)).  Every report samples too.
 *
 * Bound: live bytes only grow by allocations, and no thread allocates `interval` bytes
 * without sampling, so the true peak (process or site) exceeds the sampled one by less than
 * interval x (threads that allocated since the last sample).  With ALLOCTAG_PEAK_INTERVAL=1
 * every allocation samples: exact for one thread (the test setting; O(sites) per malloc).
 * ALLOCTAG_PEAK_INTERVAL=0 samples only at reports.
 *
 * Invariants:
 * - Tables are chunked like the counters and never move or shrink: readers load them
 *   without the lock (relaxed), so a reader racing a new process peak may mix two peaks'
 *   rows.  Writers hold peak_mutex, which is taken before threads_mutex, never after; the
 *   fork handlers take it too (alloc_tag.c), and in the fork window the forking thread,
 *   which holds it, samples without taking it again (rt_lock).
 * - Runs inside malloc: nothing here allocates through malloc (tables and scratch come
 *   from mmap), and a thread sampling does not re-enter (sampling never allocates).
 *
 * Measured (docs/performance.md, "Cumulative counts and peaks"): callgrind, peers workload,
 * profiling on: +4.2 instructions per free+malloc pair (+1.2% header, +1.6% compressed), of
 * which sampling every MiB is 0.15.
 */
#include "internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct peak_slot {
	int64_t peak;    /* highest live bytes sampled */
	int64_t at_peak; /* live bytes at the sample with the highest process total */
};

static pthread_mutex_t peak_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct peak_slot *tables[COUNTER_CHUNKS];
static int64_t peak_total;
/* Sums of the current sample; only under peak_mutex. */
static struct alloc_tag_counters *scratch;
static size_t scratch_bytes;

int64_t alloc_tag_peak_interval(void)
{
	alloc_tag_init();
	return alloc_tag_config.peak_interval;
}

static struct peak_slot *slot(uint32_t index, int create)
{
	uint32_t ci = index >> COUNTER_CHUNK_SHIFT;
	struct peak_slot *t = __atomic_load_n(&tables[ci], __ATOMIC_ACQUIRE);
	if (t == NULL && create) {
		void *p = mmap(NULL, COUNTER_CHUNK_SIZE * sizeof(*t), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		t = p;
		__atomic_store_n(&tables[ci], t, __ATOMIC_RELEASE);
	}
	return t == NULL ? NULL : &t[index & (COUNTER_CHUNK_SIZE - 1)];
}

/* Caller holds peak_mutex. */
static void sample_locked(void)
{
	uint32_t limit = codetag_index_limit();
	size_t need = sizeof(*scratch) * (limit > 0 ? limit : 1);
	int64_t total = 0;

	if (need > scratch_bytes) {
		size_t size = need * 2;
		void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return;
		if (scratch != NULL)
			munmap(scratch, scratch_bytes);
		scratch = p;
		scratch_bytes = size;
	}
	alloc_tag_sum_counters(scratch, limit);
	for (uint32_t i = ALLOC_TAG_UNTAGGED_INDEX; i < limit; i++) {
		int64_t live = scratch[i].bytes;
		total += live;
		if (live <= 0)
			continue;
		struct peak_slot *s = slot(i, 1);
		if (s != NULL && live > load_relaxed(&s->peak))
			store_relaxed(&s->peak, live);
	}
	if (total <= load_relaxed(&peak_total))
		return;
	store_relaxed(&peak_total, total);
	for (uint32_t i = ALLOC_TAG_UNTAGGED_INDEX; i < limit; i++) {
		struct peak_slot *s = slot(i, scratch[i].bytes > 0);
		if (s != NULL)
			store_relaxed(&s->at_peak, scratch[i].bytes > 0 ? scratch[i].bytes : 0);
	}
}

void alloc_tag_peak_check(struct alloc_tag_thread *self)
{
	int64_t every = alloc_tag_peak_interval();

	self->peak_countdown = alloc_tag_peak_countdown(every);
	if (every == 0)
		return;
	rt_lock(&peak_mutex);
	sample_locked();
	rt_unlock(&peak_mutex);
}

int64_t alloc_tag_peak(void)
{
	alloc_tag_init();
	rt_lock(&peak_mutex);
	sample_locked();
	int64_t total = load_relaxed(&peak_total);
	rt_unlock(&peak_mutex);
	return total;
}

void alloc_tag_peak_at(uint32_t index, struct alloc_tag_entry *e)
{
	struct peak_slot *s = slot(index, 0);
	int64_t peak = s != NULL ? load_relaxed(&s->peak) : 0;

	e->peak_bytes = peak > e->bytes ? peak : e->bytes;
	e->bytes_at_peak = s != NULL ? load_relaxed(&s->at_peak) : 0;
}

void alloc_tag_peak_lock(int lock)
{
	if (lock)
		pthread_mutex_lock(&peak_mutex);
	else
		pthread_mutex_unlock(&peak_mutex);
}
