/*
 * slab.c - the cold paths of the compressed-reference slabs (see slab.h for the layout and
 * its invariants): the reserved range, the pool of empty slabs, thread heaps and their
 * exit, refilling a heap's current slab, and frees from other threads.
 *
 * Nothing here allocates through malloc: heaps and slabs come from mmap.
 */
#include "slab.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__thread struct slab_heap *slab_heap_self ALLOC_TAG_IE;
uintptr_t slab_region_base;
uintptr_t slab_region_bytes;

/* Lock order: heaps_mutex, then a heap's lock, then slab_mutex. */
static pthread_mutex_t heaps_mutex = PTHREAD_MUTEX_INITIALIZER; /* the heap list */
static pthread_mutex_t slab_mutex = PTHREAD_MUTEX_INITIALIZER;  /* range, pools, orphans */
static uintptr_t region_next;      /* next slab never carved */
static uintptr_t region_committed; /* end of the read-write part of the range */
static int region_failed;
static struct slab *pool_warm;     /* empty slabs of any class, pages resident */
static unsigned pool_warm_count;
static struct slab *pool_cold;     /* empty slabs whose pages went back to the kernel */
static size_t pool_cold_count;
static struct slab *orphans[SLAB_CLASSES];
static struct slab_heap *heaps; /* every live heap */
static uintptr_t list_secret;   /* per process, mixed into every slab's key */

/* The owner of orphaned slabs (never a thread's heap, so every free of theirs is remote),
 * and the heap of a thread whose heap has been torn down (it allocates from glibc). */
static struct slab_heap slab_orphaned;
static struct slab_heap slab_heap_gone = { .exited = 1 };

static pthread_key_t heap_key;
static pthread_once_t heap_key_once = PTHREAD_ONCE_INIT;

/* Address space to reserve (PROT_NONE, no commit charge), largest first; committed for
 * read-write a megabyte at a time as slabs are carved. */
static const uintptr_t region_sizes[] = { (uintptr_t)1 << 36, (uintptr_t)1 << 32, (uintptr_t)1 << 28 };
#define COMMIT_STEP ((uintptr_t)1 << 20)
/* Empty slabs kept resident for reuse; past this many their pages go back to the kernel. */
#define POOL_RESIDENT 16u
#define PAGE 4096u
_Static_assert((SLAB_COLORS - 1) * SLAB_COLOR_BYTES + sizeof(struct slab) <= PAGE,
	       "a pooled slab keeps its header in the first page");

/* ---- Lists ------------------------------------------------------------------------------- */

static void list_push(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head != NULL)
		(*head)->prev = s;
	*head = s;
}

static void list_remove(struct slab **head, struct slab *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* ---- The range and the pool (callers hold slab_mutex) --------------------------------- */

/* The per-process secret: getrandom(2), or (no entropy yet) the clock and an address. */
static void choose_secret(void)
{
	uintptr_t k = 0;
	struct timespec ts;

	if (syscall(SYS_getrandom, &k, sizeof(k), 1 /* GRND_NONBLOCK */) != (long)sizeof(k)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		k = ((uintptr_t)ts.tv_nsec << 32) ^ (uintptr_t)ts.tv_sec ^ (uintptr_t)&k;
	}
	list_secret = k * 0x9e3779b97f4a7c15ull;
}

static int reserve_region(void)
{
	choose_secret();
	for (size_t i = 0; i < sizeof(region_sizes) / sizeof(region_sizes[0]); i++) {
		uintptr_t bytes = region_sizes[i];
		void *p = mmap(NULL, bytes + SLAB_BYTES, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		uintptr_t base = ((uintptr_t)p + SLAB_BYTES - 1) & ~(SLAB_BYTES - 1);
		region_next = region_committed = base;
		store_relaxed(&slab_region_base, base);
		__atomic_store_n(&slab_region_bytes, bytes, __ATOMIC_RELEASE);
		return 0;
	}
	region_failed = 1;
	return -1;
}

static struct slab *carve(void)
{
	if (slab_region_bytes == 0 && (region_failed || reserve_region() != 0))
		return NULL;
	if (region_next + SLAB_BYTES > slab_region_base + slab_region_bytes)
		return NULL;
	if (region_next + SLAB_BYTES > region_committed) {
		uintptr_t step = COMMIT_STEP;
		if (region_committed + step > slab_region_base + slab_region_bytes)
			step = slab_region_base + slab_region_bytes - region_committed;
		if (mprotect((void *)region_committed, step, PROT_READ | PROT_WRITE) != 0)
			return NULL;
		region_committed += step;
	}
	struct slab *s = slab_of((void *)region_next);
	region_next += SLAB_BYTES;
	return s; /* fresh pages: every reference is 0 */
}

/* Caller holds slab_mutex; s is empty and on no list.  The first page keeps the header and
 * its list links; the rest reads back as zeros. */
static void release_pages(struct slab *s)
{
	madvise((void *)(((uintptr_t)s & ~(SLAB_BYTES - 1)) + PAGE), SLAB_BYTES - PAGE, MADV_DONTNEED);
	pool_cold_count++;
	list_push(&pool_cold, s);
}

/* Caller holds slab_mutex; s has no live object. */
static void pool_push(struct slab *s)
{
	store_relaxed(&s->owner, &slab_orphaned);
	s->full = 0;
	if (pool_warm_count < POOL_RESIDENT) {
		pool_warm_count++;
		list_push(&pool_warm, s);
		return;
	}
	/* The first page keeps the header and its list links; the rest reads back as zeros. */
	release_pages(s);
}

/* Caller holds slab_mutex.  Resident slabs first: they cost no page faults. */
static struct slab *pool_pop(void)
{
	struct slab *s = pool_warm;

	if (s != NULL) {
		pool_warm_count--;
		list_remove(&pool_warm, s);
	} else if ((s = pool_cold) != NULL) {
		pool_cold_count--;
		list_remove(&pool_cold, s);
	}
	return s;
}

static void pool_put(struct slab *s)
{
	rt_lock(&slab_mutex);
	pool_push(s);
	rt_unlock(&slab_mutex);
}

static void slab_init(struct slab *s, unsigned cls, int reused)
{
	uint32_t size = (cls + 1) * 16;
	uintptr_t align = slab_class_align(size);
	uintptr_t end = ((uintptr_t)s & ~(SLAB_BYTES - 1)) + SLAB_BYTES;
	size_t room = end - (uintptr_t)s - offsetof(struct slab, refs);
	uint32_t capacity = (uint32_t)((room - (align - 1)) / (size + sizeof(uint32_t)));

	/* A pooled slab's references are 0, but a bigger array now covers old objects. */
	if (reused)
		memset(s->refs, 0, capacity * sizeof(uint32_t));
	s->free = NULL;
	s->key = list_secret ^ ((uintptr_t)s >> SLAB_SHIFT) * 0xff51afd7ed558ccdull;
	s->objects = (char *)(((uintptr_t)&s->refs[capacity] + align - 1) & ~(align - 1));
	s->bump = s->objects;
	s->end = s->objects + (size_t)capacity * size;
	s->remote = NULL;
	s->size = size;
	s->recip = (uint32_t)((((uint64_t)1 << 32) + size - 1) / size);
	s->used = 0;
	s->capacity = capacity;
	s->cls = (uint8_t)cls;
	s->full = 0;
}

/* ---- Heaps ---------------------------------------------------------------------------- */

/* Caller holds slab_mutex.  The slab keeps its free list, remote list and use count. */
static void orphan_slab(struct slab *s)
{
	if (s->used == 0) {
		pool_push(s);
		return;
	}
	store_relaxed(&s->owner, &slab_orphaned);
	s->full = 0;
	list_push(&orphans[s->cls], s);
}

/* Caller holds heaps_mutex, h's lock and slab_mutex. */
static void orphan_heap(struct slab_heap *h)
{
	for (unsigned cls = 0; cls < SLAB_CLASSES; cls++) {
		struct slab *lists[2] = { h->partial[cls], h->full[cls] };
		for (int l = 0; l < 2; l++) {
			for (struct slab *s = lists[l], *next; s != NULL; s = next) {
				next = s->next;
				orphan_slab(s);
			}
		}
		h->current[cls] = h->partial[cls] = h->full[cls] = NULL;
	}
	*h->pprev = h->next;
	if (h->next != NULL)
		h->next->pprev = h->pprev;
}

static void heap_exit(void *arg)
{
	struct slab_heap *h = arg;

	rt_lock(&heaps_mutex);
	rt_lock(&h->lock);
	rt_lock(&slab_mutex);
	orphan_heap(h);
	rt_unlock(&slab_mutex);
	rt_unlock(&h->lock);
	rt_unlock(&heaps_mutex);
	/* Later destructors of this thread allocate from glibc. */
	slab_heap_self = &slab_heap_gone;
	munmap(h, sizeof(*h));
}

static void create_heap_key(void)
{
	pthread_key_create(&heap_key, heap_exit);
}

static struct slab_heap *heap_create(void)
{
	void *p = mmap(NULL, sizeof(struct slab_heap), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	struct slab_heap *h = p;

	pthread_mutex_init(&h->lock, NULL);
	if (alloc_tag_fork_held)
		pthread_mutex_lock(&h->lock); /* as fork's handlers hold every other heap's */
	rt_lock(&heaps_mutex);
	h->next = heaps;
	h->pprev = &heaps;
	if (heaps != NULL)
		heaps->pprev = &h->next;
	heaps = h;
	rt_unlock(&heaps_mutex);
	/* Published before pthread_setspecific, which may allocate. */
	slab_heap_self = h;
	pthread_once(&heap_key_once, create_heap_key);
	pthread_setspecific(heap_key, h);
	return h;
}

/* ---- Refilling ------------------------------------------------------------------------ */

/* Moves the objects other threads freed onto the owner's free list, checking each: it
 * must be one of s's objects and free (its reference is cleared before the push). */
static void collect_remote(struct slab *s)
{
	void *list, *tail, *next;
	uint32_t n = 1;

	if (load_relaxed(&s->remote) == NULL)
		return;
	list = __atomic_exchange_n(&s->remote, NULL, __ATOMIC_ACQUIRE);
	for (tail = list;; tail = next, n++) {
		uint32_t *slot = slab_ref_slot(s, tail);
		if (slot == NULL || *slot != 0)
			slab_corrupt_list(tail);
		if ((next = slab_reveal(tail, *(uintptr_t *)tail, s->key)) == NULL)
			break;
	}
	*(uintptr_t *)tail = slab_protect(tail, s->free, s->key);
	s->free = list;
	s->used -= n;
}

static int has_room(const struct slab *s)
{
	return s->free != NULL || s->bump < s->end;
}

static void make_current(struct slab_heap *h, struct slab *s)
{
	s->full = 0;
	list_push(&h->partial[s->cls], s);
	h->current[s->cls] = s;
}

/* A slab of class cls with room, made current; NULL when none can be had. */
static struct slab *refill(struct slab_heap *h, unsigned cls)
{
	struct slab *s = h->current[cls];

	if (s != NULL) {
		collect_remote(s);
		if (has_room(s))
			return s;
		list_remove(&h->partial[cls], s);
		s->full = 1;
		list_push(&h->full[cls], s);
		h->current[cls] = NULL;
	}
	/* Partial slabs got room from local frees. */
	while ((s = h->partial[cls]) != NULL) {
		collect_remote(s);
		if (has_room(s)) {
			h->current[cls] = s;
			return s;
		}
		list_remove(&h->partial[cls], s);
		s->full = 1;
		list_push(&h->full[cls], s);
	}
	/* Full slabs may have had objects freed by other threads: take them all back.  A scan
	 * that finds nothing doubles the refills until the next one (up to 64), so a heap that
	 * only grows does not rescan every slab it has for each new one. */
	if (h->scan_wait[cls] > 0) {
		h->scan_wait[cls]--;
	} else {
		for (struct slab *t = h->full[cls], *next; t != NULL; t = next) {
			next = t->next;
			collect_remote(t);
			if (has_room(t)) {
				list_remove(&h->full[cls], t);
				t->full = 0;
				list_push(&h->partial[cls], t);
			}
		}
		uint8_t backoff = h->scan_backoff[cls];
		backoff = h->partial[cls] != NULL ? 0 : backoff == 0 ? 1 : backoff < 64 ? 2 * backoff : 64;
		h->scan_backoff[cls] = h->scan_wait[cls] = backoff;
		if ((s = h->partial[cls]) != NULL) {
			h->current[cls] = s;
			return s;
		}
	}
	/* Then a slab of an exited thread (full ones join this heap's full list), an empty
	 * one, a new one. */
	for (;;) {
		rt_lock(&slab_mutex);
		if ((s = orphans[cls]) == NULL)
			break; /* still holding slab_mutex */
		list_remove(&orphans[cls], s);
		store_relaxed(&s->owner, h);
		rt_unlock(&slab_mutex);
		collect_remote(s);
		if (has_room(s)) {
			make_current(h, s);
			return s;
		}
		s->full = 1;
		list_push(&h->full[cls], s);
	}
	s = pool_pop();
	int reused = s != NULL;
	if (!reused)
		s = carve();
	rt_unlock(&slab_mutex);
	if (s == NULL)
		return NULL;
	slab_init(s, cls, reused);
	store_relaxed(&s->owner, h);
	make_current(h, s);
	return s;
}

void *slab_alloc_slow(unsigned cls, uint32_t **slot)
{
	struct slab_heap *h = slab_heap_self;
	struct slab *s;

	if (h == NULL && (h = heap_create()) == NULL)
		return NULL;
	if (h->exited)
		return NULL;
	rt_lock(&h->lock);
	s = refill(h, cls);
	rt_unlock(&h->lock);
	return s != NULL ? slab_take(s, slot) : NULL; /* refill leaves room */
}

/* ---- Frees ---------------------------------------------------------------------------- */

void slab_free_remote(struct slab *s, void *p)
{
	void *head = load_relaxed(&s->remote);

	do {
		*(uintptr_t *)p = slab_protect(p, head, s->key);
	} while (!__atomic_compare_exchange_n(&s->remote, &head, p, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* The owner freed into a slab that was full, or emptied it. */
void slab_free_local_slow(struct slab *s)
{
	struct slab_heap *h = s->owner;

	rt_lock(&h->lock);
	if (s->full) {
		list_remove(&h->full[s->cls], s);
		s->full = 0;
		list_push(&h->partial[s->cls], s);
		s->used--; /* the fast path left it to here */
	}
	if (s->used == 0 && s != h->current[s->cls]) {
		list_remove(&h->partial[s->cls], s);
		pool_put(s);
	}
	rt_unlock(&h->lock);
}

void slab_corrupt_list(const void *p)
{
	alloc_tag_abort_pointer("malloc(): corrupted free list", p);
}

/* ---- malloc_trim, mallinfo2, malloc_stats ------------------------------------------------ */

int slab_trim(void)
{
	struct slab *s;
	int released = 0;

	rt_lock(&slab_mutex);
	while ((s = pool_warm) != NULL) {
		list_remove(&pool_warm, s);
		pool_warm_count--;
		release_pages(s);
		released = 1;
	}
	rt_unlock(&slab_mutex);
	return released;
}

static size_t used_bytes(const struct slab *list)
{
	size_t n = 0;
	for (const struct slab *s = list; s != NULL; s = s->next)
		n += (size_t)load_relaxed(&s->used) * s->size;
	return n;
}

void slab_stats(struct slab_stats *out)
{
	memset(out, 0, sizeof(*out));
	rt_lock(&heaps_mutex);
	for (struct slab_heap *h = heaps; h != NULL; h = h->next) {
		rt_lock(&h->lock);
		for (unsigned cls = 0; cls < SLAB_CLASSES; cls++)
			out->used_bytes += used_bytes(h->partial[cls]) + used_bytes(h->full[cls]);
		rt_unlock(&h->lock);
	}
	rt_lock(&slab_mutex);
	for (unsigned cls = 0; cls < SLAB_CLASSES; cls++)
		out->used_bytes += used_bytes(orphans[cls]);
	size_t carved = slab_region_bytes ? (region_next - slab_region_base) / SLAB_BYTES : 0;
	out->released = pool_cold_count;
	out->pooled = pool_warm_count;
	rt_unlock(&slab_mutex);
	rt_unlock(&heaps_mutex);
	out->slabs = carved - out->released;
	out->slab_bytes = out->slabs * SLAB_BYTES;
	out->pooled_bytes = out->pooled * SLAB_BYTES;
}

/* ---- fork ----------------------------------------------------------------------------- */

/* Every lock, in order: no thread is then moving slabs between lists. */
void slab_lock_for_fork(void)
{
	pthread_mutex_lock(&heaps_mutex);
	for (struct slab_heap *h = heaps; h != NULL; h = h->next)
		pthread_mutex_lock(&h->lock);
	pthread_mutex_lock(&slab_mutex);
}

void slab_unlock_in_parent(void)
{
	pthread_mutex_unlock(&slab_mutex);
	for (struct slab_heap *h = heaps; h != NULL; h = h->next)
		pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&heaps_mutex);
}

/* Only the forking thread lives on in the child: the other heaps' slabs become orphans, so
 * what the child frees of them is reused.  (A thread caught between two stores of a fast
 * path at fork time can only cost the child an object or keep a slab out of the pool.) */
void slab_unlock_in_child(void)
{
	for (struct slab_heap *h = heaps, *next; h != NULL; h = next) {
		next = h->next;
		if (h == slab_heap_self)
			pthread_mutex_unlock(&h->lock);
		else
			orphan_heap(h); /* its lock stays taken: nobody uses this heap again */
	}
	pthread_mutex_unlock(&slab_mutex);
	pthread_mutex_unlock(&heaps_mutex);
}
