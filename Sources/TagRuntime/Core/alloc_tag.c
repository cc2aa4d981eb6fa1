/*
 * alloc_tag.c - per-thread counters, the thread registry, and summing on read.
 *
 * Invariants:
 * - A thread's counter block is written only by that thread (relaxed stores); readers sum
 *   every live block plus the exited total under threads_mutex, so a read never stops an
 *   allocating thread.
 * - A thread that exits folds its counters into exited_total and from then on (its other
 *   TLS destructors still allocate) counts there directly with atomic adds.
 * - Nothing here allocates through malloc: blocks and chunks come from mmap.
 * - A cell's four counters only grow: live = allocated - freed, and the allocated pair is
 *   the site's cumulative total.  Summing reads each counter once, so a reader racing a
 *   thread may see an allocation's charge without its free (or the reverse) for that instant.
 */
#include "internal.h"
#include "slab.h"

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

__thread struct alloc_tag *alloc_tag_current ALLOC_TAG_IE;
__thread struct alloc_tag_thread *alloc_tag_self ALLOC_TAG_IE;
void *(*alloc_tag_task_lookup)(void);

void alloc_tag_set_task_lookup(void *(*lookup)(void))
{
	__atomic_store_n(&alloc_tag_task_lookup, lookup, __ATOMIC_RELEASE);
}

static pthread_mutex_t threads_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct alloc_tag_thread *threads;
static struct alloc_tag_thread exited_total;
/* alloc_tag_self of a thread whose block was folded: every chunk is NULL, so the fast
 * path always falls through to the slow path, which counts into exited_total. */
static struct alloc_tag_thread exited_marker = { .exited = 1 };

static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

#define CHUNK_BYTES (COUNTER_CHUNK_SIZE * sizeof(struct alloc_tag_cell))

static struct alloc_tag_cell *new_chunk(void)
{
	void *p = mmap(NULL, CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Caller holds threads_mutex. */
static struct alloc_tag_cell *exited_chunk(uint32_t chunk_index)
{
	struct alloc_tag_cell *c = __atomic_load_n(&exited_total.chunk[chunk_index], __ATOMIC_ACQUIRE);
	if (c == NULL) {
		c = new_chunk();
		if (c != NULL)
			__atomic_store_n(&exited_total.chunk[chunk_index], c, __ATOMIC_RELEASE);
	}
	return c;
}

static void add_exited(uint32_t index, int64_t bytes, int which)
{
	uint32_t ci = index >> COUNTER_CHUNK_SHIFT;
	struct alloc_tag_cell *c = __atomic_load_n(&exited_total.chunk[ci], __ATOMIC_ACQUIRE);

	if (c == NULL) {
		rt_lock(&threads_mutex);
		c = exited_chunk(ci);
		rt_unlock(&threads_mutex);
		if (c == NULL) {
			codetag_mark_inaccurate(index);
			return;
		}
	}
	int64_t *v = &c[index & (COUNTER_CHUNK_SIZE - 1)].alloc_bytes + which;
	__atomic_fetch_add(&v[0], bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&v[1], 1, __ATOMIC_RELAXED);
}

static void fold_thread(void *arg)
{
	struct alloc_tag_thread *self = arg;

	rt_lock(&threads_mutex);
	for (uint32_t ci = 0; ci < COUNTER_CHUNKS; ci++) {
		struct alloc_tag_cell *c = self->chunk[ci];
		if (c == NULL)
			continue;
		struct alloc_tag_cell *total = exited_chunk(ci);
		for (uint32_t i = 0; i < COUNTER_CHUNK_SIZE; i++) {
			if (c[i].alloc_calls == 0 && c[i].free_calls == 0)
				continue;
			if (total != NULL) {
				__atomic_fetch_add(&total[i].alloc_bytes, c[i].alloc_bytes, __ATOMIC_RELAXED);
				__atomic_fetch_add(&total[i].alloc_calls, c[i].alloc_calls, __ATOMIC_RELAXED);
				__atomic_fetch_add(&total[i].free_bytes, c[i].free_bytes, __ATOMIC_RELAXED);
				__atomic_fetch_add(&total[i].free_calls, c[i].free_calls, __ATOMIC_RELAXED);
			} else {
				codetag_mark_inaccurate((ci << COUNTER_CHUNK_SHIFT) + i);
			}
		}
	}
	alloc_tag_types_fold(self);
	*self->pprev = self->next;
	if (self->next != NULL)
		self->next->pprev = self->pprev;
	rt_unlock(&threads_mutex);

	alloc_tag_self = &exited_marker;
	for (uint32_t ci = 0; ci < COUNTER_CHUNKS; ci++) {
		if (self->chunk[ci] != NULL)
			munmap(self->chunk[ci], CHUNK_BYTES);
	}
	alloc_tag_types_release(self);
	munmap(self, sizeof(*self));
}

static void create_thread_key(void)
{
	pthread_key_create(&thread_key, fold_thread);
}

static struct alloc_tag_thread *register_thread(void)
{
	void *p = mmap(NULL, sizeof(struct alloc_tag_thread), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	struct alloc_tag_thread *self = p;
	/* As peak.c's alloc_tag_peak_check leaves it: a zeroed countdown would borrow on the
	 * thread's first allocation and sample the peak for it. */
	self->peak_countdown = alloc_tag_peak_countdown(alloc_tag_config.peak_interval);

	rt_lock(&threads_mutex);
	self->next = threads;
	self->pprev = &threads;
	if (threads != NULL)
		threads->pprev = &self->next;
	threads = self;
	rt_unlock(&threads_mutex);

	/* Publish before pthread_setspecific, which may allocate (keys past the 32nd): the
	 * nested allocation then finds the block instead of registering again. */
	alloc_tag_self = self;
	pthread_once(&thread_key_once, create_thread_key);
	pthread_setspecific(thread_key, self);
	return self;
}

void alloc_tag_count_slow(uint32_t index, int64_t bytes, int which)
{
	struct alloc_tag_thread *self = alloc_tag_self;

	if (self == NULL)
		self = register_thread();
	if (self != NULL && !self->exited) {
		uint32_t ci = index >> COUNTER_CHUNK_SHIFT;
		struct alloc_tag_cell *c = self->chunk[ci];
		if (c == NULL) {
			c = new_chunk();
			if (c != NULL)
				__atomic_store_n(&self->chunk[ci], c, __ATOMIC_RELEASE);
		}
		if (c != NULL) {
			int64_t *v = &c[index & (COUNTER_CHUNK_SIZE - 1)].alloc_bytes + which;
			store_relaxed(&v[0], load_relaxed(&v[0]) + bytes);
			store_relaxed(&v[1], load_relaxed(&v[1]) + 1);
			if (which == ALLOC_TAG_ALLOC &&
			    __builtin_sub_overflow(self->peak_countdown, (uint64_t)bytes, &self->peak_countdown))
				alloc_tag_peak_check(self);
			return;
		}
	}
	add_exited(index, bytes, which);
}

static void add_cell(struct alloc_tag_counters *out, struct alloc_tag_cell *c)
{
	int64_t alloc_bytes = load_relaxed(&c->alloc_bytes), alloc_calls = load_relaxed(&c->alloc_calls);

	out->bytes += alloc_bytes - load_relaxed(&c->free_bytes);
	out->calls += alloc_calls - load_relaxed(&c->free_calls);
	out->total_bytes += alloc_bytes;
	out->total_calls += alloc_calls;
}

static void add_block(struct alloc_tag_counters *out, struct alloc_tag_thread *block, uint32_t limit)
{
	for (uint32_t ci = 0; ci <= (limit - 1) >> COUNTER_CHUNK_SHIFT; ci++) {
		struct alloc_tag_cell *c = __atomic_load_n(&block->chunk[ci], __ATOMIC_ACQUIRE);
		if (c == NULL)
			continue;
		uint32_t base = ci << COUNTER_CHUNK_SHIFT;
		uint32_t n = limit - base < COUNTER_CHUNK_SIZE ? limit - base : COUNTER_CHUNK_SIZE;
		for (uint32_t i = 0; i < n; i++)
			add_cell(&out[base + i], &c[i]);
	}
}

void alloc_tag_sum_counters(struct alloc_tag_counters *out, uint32_t limit)
{
	memset(out, 0, sizeof(*out) * limit);
	if (limit == 0)
		return;
	rt_lock(&threads_mutex);
	add_block(out, &exited_total, limit);
	for (struct alloc_tag_thread *t = threads; t != NULL; t = t->next)
		add_block(out, t, limit);
	rt_unlock(&threads_mutex);
}

void alloc_tag_visit_threads(void (*visit)(struct alloc_tag_thread *t, void *arg), void *arg)
{
	rt_lock(&threads_mutex);
	visit(NULL, arg);
	for (struct alloc_tag_thread *t = threads; t != NULL; t = t->next)
		visit(t, arg);
	rt_unlock(&threads_mutex);
}

static void add_one(struct alloc_tag_counters *out, struct alloc_tag_thread *block, uint32_t index)
{
	struct alloc_tag_cell *c =
		__atomic_load_n(&block->chunk[index >> COUNTER_CHUNK_SHIFT], __ATOMIC_ACQUIRE);
	if (c != NULL)
		add_cell(out, &c[index & (COUNTER_CHUNK_SIZE - 1)]);
}

int alloc_tag_sum_one_trylock(uint32_t index, struct alloc_tag_counters *out)
{
	memset(out, 0, sizeof(*out));
	if (pthread_mutex_trylock(&threads_mutex) != 0)
		return -1;
	add_one(out, &exited_total, index);
	for (struct alloc_tag_thread *t = threads; t != NULL; t = t->next)
		add_one(out, t, index);
	rt_unlock(&threads_mutex);
	return 0;
}

/* fork() in one thread while another holds a lock would leave the child's copy locked, so
 * the prepare handler takes every runtime lock.  From then until the parent or child handler,
 * the forking thread takes none (alloc_tag_fork_held): other libraries' fork handlers that run
 * in between (registered before these, or by glibc's order) may allocate, first allocations
 * and new size classes included, without waiting on a lock held here. */
__thread int alloc_tag_fork_held ALLOC_TAG_IE;

static void lock_for_fork(void)
{
	codetag_registry_lock();
	alloc_tag_peak_lock(1);
	pthread_mutex_lock(&threads_mutex);
	slab_lock_for_fork();
	alloc_tag_fork_held = 1;
}

static void unlock_in_parent(void)
{
	alloc_tag_fork_held = 0;
	slab_unlock_in_parent();
	pthread_mutex_unlock(&threads_mutex);
	alloc_tag_peak_lock(0);
	codetag_registry_unlock();
}

static void unlock_in_child(void)
{
	alloc_tag_fork_held = 0;
	slab_unlock_in_child();
	pthread_mutex_unlock(&threads_mutex);
	alloc_tag_peak_lock(0);
	codetag_registry_unlock();
}

__attribute__((constructor(101))) static void alloc_tag_setup(void)
{
	alloc_tag_init();
	alloc_tag_watch_exit();
	alloc_tag_types_setup();
	pthread_atfork(lock_for_fork, unlock_in_parent, unlock_in_child);
}
