/*
 * slab.h - small-object slabs that carry compressed references (the default form,
 * ALLOCTAG_PROFILING=1; ALLOCTAG_PROFILING=1,header puts a 16-byte header on every block).
 *
 * The kernel keeps a slab object's tag reference beside the slab (its obj_exts vector), not
 * inside the object.  The same here: requests of up to SLAB_MAX_SIZE bytes come from 64 KiB
 * slabs carved out of one reserved address range.  A slab holds objects of one size class
 * (a multiple of 16) and, in its header, one 32-bit reference per object:
 *
 *   bit 31        allocated (0: the object is free, so a second free is recognised)
 *   bit 30        grown by realloc (its next growth gets room to grow in place)
 *   bits 20..29   class size - requested size (frees uncharge exactly what was charged;
 *                 at most 511, realloc keeps an object only while it uses a quarter)
 *   bits 0..19    tag index: CODETAG_INDEX_BITS, so every tag the registry can hold
 *
 * So a reference costs 4 bytes beside the object and there is no size word: less memory
 * than glibc's own chunk header.  The price is a cache line apart from the object (the
 * references', shared with 15 neighbours) that malloc writes and free reads.
 *
 * Invariants:
 * - A slab belongs to one thread's heap (owner).  Only the owner touches its free list, bump
 *   pointer, use count and list links; it changes the links only under its heap's lock,
 *   which fork() takes, so a child never sees a list half-moved.  Other threads push freed
 *   objects onto `remote` with a CAS; the owner takes the whole list with one exchange
 *   (push-only plus take-all: no ABA).
 * - `used` counts objects handed out and not yet back on the owner's free list, so a slab
 *   with used == 0 has no live object and no free in flight: only then is it pooled.
 * - Every free object's reference is 0, including all of a pooled slab's.
 * - A heap whose thread exits hands its slabs to per-class orphan lists (owner becomes
 *   &slab_orphaned); a heap short of a slab adopts one before taking a new one.
 * - Slab memory never reaches glibc and glibc memory never enters a slab: free() tells them
 *   apart by address with one range check.
 * - Free lists are not trusted (issue 15): every next pointer stored in a free object is
 *   protected as glibc 2.32 protects its tcache (slab_protect: the link's own address >> 12
 *   and a per-slab key drawn from a per-process getrandom secret), and every object taken
 *   off the owner's list or collected from the remote list must lie on the slab's object
 *   grid and have reference 0, or the process aborts naming the pointer before it is read
 *   or handed out.  A second free (reference 0) and a pointer off the grid abort too
 *   (malloc.c, misuse.c).  Cost, callgrind on the peers workload (1M free+malloc, 10k live
 *   blocks of 8..512 B, gcc -O2): 257.3 -> 268.2 instructions per pair (+10.9, +4.3%);
 *   the header form 353.3 -> 356.3 (its dead word and the realloc marking).
 */
#ifndef ALLOC_TAG_SLAB_H
#define ALLOC_TAG_SLAB_H

#include "internal.h"

#include <pthread.h>
#include <stddef.h>

#define SLAB_SHIFT 16
#define SLAB_BYTES ((uintptr_t)1 << SLAB_SHIFT)
#define SLAB_MAX_SIZE 512u
#define SLAB_CLASSES (SLAB_MAX_SIZE / 16)
/* A slab's header starts (base / SLAB_BYTES % SLAB_COLORS) cache lines into it: headers at
 * the same offset in every 64 KiB would all fall into one cache set and evict each other
 * (cachegrind: 3.5 L1 misses per malloc+free pair with 100 live blocks, 0.17 colored). */
#define SLAB_COLORS 16u
#define SLAB_COLOR_BYTES 64u

#define SLAB_REF_ALLOCATED 0x80000000u
#define SLAB_REF_GROWN 0x40000000u
#define SLAB_REF_SLACK_SHIFT CODETAG_INDEX_BITS
#define SLAB_REF_SLACK_MASK 0x3ffu
#define SLAB_REF_INDEX_MASK CODETAG_MAX_INDEX
_Static_assert(CODETAG_INDEX_BITS == 20 && SLAB_MAX_SIZE <= SLAB_REF_SLACK_MASK + 1,
	       "a slab reference holds every index and any slack");

struct slab_heap;

struct slab {
	/* First cache line: all that malloc and free read on their fast paths. */
	void *free;              /* owner's free list: the head plain, next pointers protected */
	char *objects;           /* first object, 16-byte aligned */
	struct slab_heap *owner; /* relaxed atomic: read by every freeing thread */
	char *bump;              /* next object never handed out */
	char *end;               /* past the last object */
	uintptr_t key;           /* this slab's secret for protected next pointers */
	uint32_t size;           /* object size: (cls + 1) * 16 */
	uint32_t recip;          /* ceil(2^32 / size): offset * recip >> 32 is the object number */
	uint32_t used;
	uint8_t cls;
	uint8_t full;            /* on the owner's full list */
	/* Second line: frees from other threads and list links. */
	void *remote __attribute__((aligned(64))); /* atomic: objects freed by other threads */
	struct slab *next, *prev; /* in the owner's partial or full list, the orphan or pool list */
	uint32_t capacity;
	uint32_t refs[];
};
_Static_assert(offsetof(struct slab, full) < 64, "the fast paths read one cache line");

struct slab_heap {
	struct slab *current[SLAB_CLASSES]; /* allocating now; also on partial */
	struct slab *partial[SLAB_CLASSES];
	struct slab *full[SLAB_CLASSES];
	struct slab_heap *next, **pprev;    /* every live heap (fork hands the others' slabs on) */
	/* Refills left before the full list is scanned again, and the current backoff. */
	uint8_t scan_wait[SLAB_CLASSES], scan_backoff[SLAB_CLASSES];
	/* Held by the owner while it moves slabs between lists, and by fork(). */
	pthread_mutex_t lock;
	int exited;
};

extern __thread struct slab_heap *slab_heap_self ALLOC_TAG_IE;
/* The reserved range: [slab_region_base, slab_region_base + slab_region_bytes), set once. */
extern uintptr_t slab_region_base ALLOC_TAG_HIDDEN;
extern uintptr_t slab_region_bytes ALLOC_TAG_HIDDEN;

/* slab.c: the cold paths. */
ALLOC_TAG_HIDDEN void *slab_alloc_slow(unsigned cls, uint32_t **slot);
ALLOC_TAG_HIDDEN void slab_free_remote(struct slab *s, void *p);
ALLOC_TAG_HIDDEN void slab_free_local_slow(struct slab *s);
/* malloc_trim: every pooled slab's pages go back to the kernel; 1 when any did. */
ALLOC_TAG_HIDDEN int slab_trim(void);
/* mallinfo2/malloc_stats: what the slabs hold (walks every heap under its lock). */
struct slab_stats {
	size_t slabs, slab_bytes;   /* carved and not given back: resident or reusable */
	size_t used_bytes;          /* objects handed out (freed by other threads, not yet collected, included) */
	size_t pooled, pooled_bytes; /* empty slabs kept resident */
	size_t released;            /* empty slabs whose pages went back to the kernel */
};
ALLOC_TAG_HIDDEN void slab_stats(struct slab_stats *out);
ALLOC_TAG_HIDDEN void slab_lock_for_fork(void);
ALLOC_TAG_HIDDEN void slab_unlock_in_parent(void);
ALLOC_TAG_HIDDEN void slab_unlock_in_child(void);
/* A free list's pointer failed validation (a use-after-free write, a double free): abort. */
ALLOC_TAG_HIDDEN __attribute__((noreturn, cold)) void slab_corrupt_list(const void *p);

static inline __attribute__((always_inline)) unsigned slab_class(size_t size)
{
	return size <= 16 ? 0 : (unsigned)((size - 1) >> 4);
}

/* Every object of a class starts at a multiple of the largest power of two dividing its size
 * (the first object is placed so): 64-byte objects are 64-aligned, 96-byte ones 32-aligned.
 * So memalign(A, n) with A <= 512 is served from the class of n rounded up to A, with no
 * header and no over-allocation; the price is at most A - 16 bytes before the first object,
 * once per slab. */
static inline __attribute__((always_inline)) uintptr_t slab_class_align(uint32_t size)
{
	return (uintptr_t)(size & -size);
}

static inline __attribute__((always_inline)) int slab_contains(const void *p)
{
	return (uintptr_t)p - load_relaxed(&slab_region_base) < load_relaxed(&slab_region_bytes);
}

/* The reference slot of p, or NULL when p is not the start of one of s's objects. */
static inline __attribute__((always_inline)) uint32_t *slab_ref_slot(struct slab *s, const void *p)
{
	uintptr_t offset = (uintptr_t)p - (uintptr_t)s->objects;
	uint32_t i;

	if (unlikely(offset >= (uintptr_t)(s->end - s->objects)))
		return NULL;
	i = (uint32_t)((offset * s->recip) >> 32);
	if (unlikely((uintptr_t)i * s->size != offset))
		return NULL;
	return &s->refs[i];
}

/* The header of the slab that holds p (or of the slab at base p). */
static inline __attribute__((always_inline)) struct slab *slab_of(const void *p)
{
	uintptr_t base = (uintptr_t)p & ~(SLAB_BYTES - 1);
	return (struct slab *)(base + ((base >> SLAB_SHIFT) & (SLAB_COLORS - 1)) * SLAB_COLOR_BYTES);
}

/* Safe-linking (glibc 2.32's PROTECT_PTR): a next pointer stored in a free object is
 * mixed with the address it is stored at (>> 12, the random bits ASLR gives) and the slab's
 * secret, so a use-after-free write cannot aim the list at a chosen address without knowing
 * both; NULL is stored as a non-zero word. */
static inline __attribute__((always_inline)) uintptr_t slab_protect(const void *at, const void *next, uintptr_t key)
{
	return ((uintptr_t)at >> 12) ^ (uintptr_t)next ^ key;
}

static inline __attribute__((always_inline)) void *slab_reveal(const void *at, uintptr_t stored, uintptr_t key)
{
	return (void *)(((uintptr_t)at >> 12) ^ stored ^ key);
}

/* The next object of s (free list first, then never-used objects) and its reference slot,
 * or NULL when s has none.  An object taken off the free list must be the start of one of
 * s's objects and free (reference 0): anything else is a corrupted list, and aborts before
 * the pointer is read or handed out. */
static inline __attribute__((always_inline)) void *slab_take(struct slab *s, uint32_t **slot)
{
	void *p;

	if (likely((p = s->free) != NULL)) {
		uint32_t *r = slab_ref_slot(s, p);
		if (unlikely(r == NULL) || unlikely(*r != 0))
			slab_corrupt_list(p);
		s->free = slab_reveal(p, *(uintptr_t *)p, s->key);
		*slot = r;
	} else if (likely(s->bump < s->end)) {
		p = s->bump;
		s->bump += s->size;
		*slot = slab_ref_slot(s, p);
	} else {
		return NULL;
	}
	s->used++;
	return p;
}

/* An object of size <= SLAB_MAX_SIZE and its reference slot; NULL when no slab can be had
 * (the caller falls back to glibc). */
static inline __attribute__((always_inline)) void *slab_alloc(size_t size, uint32_t **slot)
{
	unsigned cls = slab_class(size);
	struct slab_heap *h = slab_heap_self;
	struct slab *s;
	void *p;

	if (likely(h != NULL) && likely((s = h->current[cls]) != NULL) && likely((p = slab_take(s, slot)) != NULL))
		return p;
	return slab_alloc_slow(cls, slot);
}

/* flags: 0 or SLAB_REF_GROWN. */
static inline __attribute__((always_inline)) uint32_t slab_ref(uint32_t size, size_t requested, uint32_t index, uint32_t flags)
{
	return SLAB_REF_ALLOCATED | flags | ((size - (uint32_t)requested) << SLAB_REF_SLACK_SHIFT) | index;
}

/* Gives p back; its reference must already be 0.  The owner's current slab stays even
 * when it empties: pooling it and taking a slab again at the next malloc would churn. */
static inline __attribute__((always_inline)) void slab_free(struct slab *s, void *p)
{
	struct slab_heap *h = slab_heap_self;

	if (likely(load_relaxed(&s->owner) == h)) {
		*(uintptr_t *)p = slab_protect(p, s->free, s->key);
		s->free = p;
		if (unlikely(s->full) || (unlikely(--s->used == 0) && h->current[s->cls] != s))
			slab_free_local_slow(s);
		return;
	}
	slab_free_remote(s, p);
}

#endif /* ALLOC_TAG_SLAB_H */
