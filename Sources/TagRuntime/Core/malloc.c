/*
 * malloc.c - the interposed malloc family.
 *
 * Every function forwards to glibc (__libc_malloc and friends) and, unless the mode is
 * never, keeps a back-reference per allocation: which tag was charged and for how many
 * bytes, so free() and realloc() uncharge exactly that.
 *
 * Header mode (ALLOCTAG_PROFILING=1,header): 16 bytes just before the user pointer.  For alignments above 16 the block
 * is over-allocated by the alignment and the header records log2(alignment), which is
 * also the distance back to glibc's pointer.
 *
 *   [glibc chunk ...][size:56 | shift:8][index:32][check:32][user bytes ...]
 *
 * Compressed mode (the default): requests up to SLAB_MAX_SIZE bytes come from slabs that keep
 * a 4-byte reference per object beside the objects (slab.h), the way the kernel's slabs keep
 * their obj_exts; an aligned request comes from the class of its size rounded up to the
 * alignment when that is at most SLAB_MAX_SIZE (its objects are that aligned).  Bigger
 * requests carry the header as above (16 bytes on at least 513: at most 3%), so their size is exact whatever slack
 * glibc leaves (an earlier 8-byte trailer in that slack could not tell 2 MiB of alignment
 * slack from the request, and could not be read safely after a double free).
 *
 * `check` is a magic word mixed with the user pointer; a free writes a second word (dead) in
 * its place, and a slab object's reference goes to 0.  A pointer without a live reference
 * is one of three things (free_unreferenced): glibc's own block, handed to glibc, which
 * checks it as it always does; a second free (the dead word, glibc's tcache key where the
 * header was, or a free slab object); or a pointer no allocation returned (inside a slab
 * but off its object grid, or with no plausible glibc chunk size before it).  The last two
 * abort with glibc's message and the pointer (misuse.c).  Slab free lists are protected
 * and checked on every pop (slab.h).
 */
#include "internal.h"
#include "slab.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

#define EXPORT __attribute__((visibility("default")))
/* Every helper on the allocation path is always_inline, so this is the address in the
 * program that called the malloc-family function, even at -O0 (debug mode names it). */
#define CALLER() __builtin_return_address(0)

/* No Linux address space holds more (user space is 2^47 bytes, 2^56 with 5-level paging):
 * such requests fail with ENOMEM at once, silently as glibc's do, before any arithmetic
 * can overflow, and are not the process running out of memory. */
#define MAX_REQUEST ((size_t)1 << 56)

/* ---- Failure injection (tests): every Nth reference "cannot be had" ----------------- */

static unsigned long fault_count;

ALLOC_TAG_COLD static int reference_fault(void)
{
	return __atomic_add_fetch(&fault_count, 1, __ATOMIC_RELAXED) % alloc_tag_fault_every == 0;
}

/* ---- Header references ---------------------------------------------------------------- */

#define HEADER_SIZE 16u
#define HEADER_MAGIC 0xa110c7a9u
#define HEADER_DEAD 0xdeadf7eeu
#define SIZE_MASK ((UINT64_C(1) << 56) - 1)

struct ref_header {
	uint64_t size_shift;
	uint32_t index;
	uint32_t check;
};
_Static_assert(sizeof(struct ref_header) == HEADER_SIZE, "header must keep 16-byte alignment");

struct ref {
	struct slab *slab; /* the object's slab, or NULL for glibc memory */
	void *base;   /* what glibc returned */
	size_t size;  /* requested bytes, as charged */
	uint32_t index;
	int aligned;  /* base != user - HEADER_SIZE */
	int grown;    /* slab objects only: grown by realloc before */
	uint32_t *check; /* the reference's check word, set to `dead` when the block is freed */
	uint32_t dead;
};

static inline uint32_t header_check(const void *user)
{
	return HEADER_MAGIC ^ (uint32_t)((uintptr_t)user >> 4);
}

static inline uint32_t header_dead(const void *user)
{
	return HEADER_DEAD ^ (uint32_t)((uintptr_t)user >> 4);
}

/* A freed header block's second mark, 16 bytes into the user bytes: when glibc files the
 * freed chunk in its unsorted, small or large bins it writes fd/bk over the header (and
 * fd_nextsize/bk_nextsize over the first 16 user bytes), so the dead word is gone; the
 * bytes from user + 16 on are not glibc's in any bin.  Blocks of 24 bytes or more only. */
#define FREED_MARK_OFFSET 16u
static inline uint64_t header_freed_mark(const void *user)
{
	return ((uint64_t)header_dead(user) << 32) | HEADER_DEAD;
}

/* Whether user carries the freed mark; reads nothing past user's page (a wild pointer near
 * a page end is then reported as invalid, not faulted on). */
static inline int header_freed_marked(const void *user)
{
	uint64_t word;
	if (((uintptr_t)user & 4095) > 4096 - FREED_MARK_OFFSET - sizeof(word))
		return 0;
	memcpy(&word, (const char *)user + FREED_MARK_OFFSET, sizeof(word));
	return word == header_freed_mark(user);
}

/* index: what alloc_tag_charge (or realloc's alloc_tag_recharge) returned, called once the
 * memory was had, so a failed allocation never counts. */
static inline __attribute__((always_inline)) void *header_attach(void *base, size_t offset, unsigned shift, size_t size, uint32_t index)
{
	char *user = (char *)base + offset;
	struct ref_header *h = (struct ref_header *)user - 1;

	h->size_shift = (uint64_t)size | ((uint64_t)shift << 56);
	h->index = index;
	h->check = header_check(user);
	return user;
}

static inline __attribute__((always_inline)) int header_find(void *user, struct ref *r)
{
	struct ref_header *h = (struct ref_header *)user - 1;
	uint64_t size_shift;
	unsigned shift;

	if (unlikely(h->check != header_check(user)))
		return 0;
	size_shift = h->size_shift;
	shift = (unsigned)(size_shift >> 56);
	r->size = (size_t)(size_shift & SIZE_MASK);
	r->index = h->index;
	r->aligned = shift != 0;
	r->base = shift ? (char *)user - ((size_t)1 << shift) : (void *)h;
	r->check = &h->check;
	r->dead = header_dead(user);
	r->slab = NULL;
	return 1;
}

/* ---- Compressed references ------------------------------------------------------------ */

/* glibc's usable size of a chunk it returned (its musable()): the size word precedes the
 * pointer, the low three bits are flags, bit 1 marks an mmapped chunk.  Used inside the
 * allocator where the exported malloc_usable_size cannot be looked up. */
static inline __attribute__((always_inline)) size_t chunk_usable(const void *p)
{
	size_t word = ((const size_t *)p)[-1];
	size_t chunk = word & ~(size_t)7;
	return (word & 2) ? chunk - 2 * sizeof(size_t) : chunk - sizeof(size_t);
}

/* Whether the word before p reads as a chunk size glibc could have written: a multiple of
 * 16 (flags aside), at least 32, below 2^47.  A pointer into the middle of a block seldom
 * passes. */
static inline __attribute__((always_inline)) int chunk_plausible(const void *p)
{
	size_t chunk = ((const size_t *)p)[-1] & ~(size_t)7;
	return (chunk & 15) == 0 && chunk - 32 < ((size_t)1 << 47);
}

/* ---- Slab references (compressed mode, small requests) ------------------------------- */

/* size bytes in an object of the class for room (size <= room <= SLAB_MAX_SIZE); NULL when
 * no slab can be had. */
static inline __attribute__((always_inline)) void *slab_malloc(size_t room, size_t size, void *caller)
{
	uint32_t *slot;
	void *p = slab_alloc(room, &slot);

	if (likely(p != NULL))
		*slot = slab_ref((slab_class(room) + 1) * 16, size, alloc_tag_charge(size, caller), 0);
	return p;
}

/* Fails for a pointer that is not a live object's start (never handed out, or freed). */
static inline __attribute__((always_inline)) int slab_find(void *user, struct ref *r)
{
	struct slab *s = slab_of(user);
	uint32_t *slot = slab_ref_slot(s, user);
	uint32_t ref;

	if (unlikely(slot == NULL) || unlikely(!((ref = *slot) & SLAB_REF_ALLOCATED)))
		return 0;
	r->slab = s;
	r->base = user;
	r->index = ref & SLAB_REF_INDEX_MASK;
	r->size = s->size - ((ref >> SLAB_REF_SLACK_SHIFT) & SLAB_REF_SLACK_MASK);
	r->aligned = 0;
	r->grown = (ref & SLAB_REF_GROWN) != 0;
	r->check = slot;
	r->dead = 0;
	return 1;
}

/* Slabs exist only in the compressed form: in the header form the range is empty. */
static inline __attribute__((always_inline)) int find_ref(void *user, struct ref *r)
{
	return slab_contains(user) ? slab_find(user, r) : header_find(user, r);
}

/* Gives a found reference's memory back; its charge is the caller's to settle. */
static inline __attribute__((always_inline)) void give_back(void *user, const struct ref *r)
{
	*r->check = r->dead; /* a second free of the pointer is then recognised */
	if (r->slab != NULL) {
		slab_free(r->slab, user);
		return;
	}
	if (r->size >= FREED_MARK_OFFSET + sizeof(uint64_t)) {
		uint64_t mark = header_freed_mark(user);
		memcpy((char *)user + FREED_MARK_OFFSET, &mark, sizeof(mark));
	}
	__libc_free(r->base);
}

/* Uncharges a found reference and gives the memory back. */
static inline __attribute__((always_inline)) void release(void *user, const struct ref *r)
{
	alloc_tag_uncharge(r->index, r->size);
	give_back(user, r);
}

/* ---- Cold paths ------------------------------------------------------------------------ */

static inline __attribute__((always_inline)) int current_mode(void)
{
	int mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_RELAXED);
	if (unlikely(mode == ALLOC_TAG_MODE_UNINIT)) {
		alloc_tag_init();
		mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_ACQUIRE);
	}
	return mode;
}

/* The reference's space could not be had: hand out memory without one, as the kernel
 * does when its extension vector cannot be allocated, and mark the site. */
ALLOC_TAG_COLD static void *untracked(void *p, void *caller)
{
	if (p != NULL && load_relaxed(&alloc_tag_counting))
		codetag_mark_inaccurate(alloc_tag_current_index(caller));
	return p;
}

ALLOC_TAG_COLD static void *impossible(void)
{
	errno = ENOMEM;
	return NULL;
}

ALLOC_TAG_COLD static void *out_of_memory(size_t size)
{
	alloc_tag_out_of_memory(size);
	errno = ENOMEM;
	return NULL;
}

static inline int pow2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* ---- The allocation paths, one per reference kind -------------------------------------- */

static inline __attribute__((always_inline)) void *tracked_malloc(size_t size, int mode, int zero, void *caller)
{
	void *p;

	if (unlikely(size > MAX_REQUEST))
		return impossible();
	if (unlikely(alloc_tag_fault_every != 0) && reference_fault()) {
		p = zero ? __libc_calloc(1, size) : __libc_malloc(size);
		return p ? untracked(p, caller) : out_of_memory(size);
	}
	if (mode == ALLOC_TAG_MODE_COMPRESSED && likely(size <= SLAB_MAX_SIZE)) {
		p = slab_malloc(size, size, caller);
		if (likely(p != NULL)) { /* else no slab could be had: glibc serves it */
			if (zero)
				memset(p, 0, size);
			return p;
		}
	}
	void *base = zero ? __libc_calloc(1, size + HEADER_SIZE) : __libc_malloc(size + HEADER_SIZE);
	if (unlikely(base == NULL)) {
		p = zero ? __libc_calloc(1, size) : __libc_malloc(size);
		return p ? untracked(p, caller) : out_of_memory(size);
	}
	return header_attach(base, HEADER_SIZE, 0, size, alloc_tag_charge(size, caller));
}

static inline __attribute__((always_inline)) void *tracked_memalign(size_t align, size_t size, int mode, void *caller)
{
	if (align <= 16)
		return tracked_malloc(size, mode, 0, caller);
	if (mode == ALLOC_TAG_MODE_COMPRESSED && align <= SLAB_MAX_SIZE && size <= SLAB_MAX_SIZE) {
		/* A class whose size is a multiple of align has align-aligned objects (slab.h). */
		size_t room = size == 0 ? align : (size + align - 1) & ~(align - 1);
		if (room <= SLAB_MAX_SIZE) {
			void *p = slab_malloc(room, size, caller);
			if (likely(p != NULL))
				return p;
		}
	}
	if (unlikely(size > MAX_REQUEST || align > MAX_REQUEST))
		return impossible();
	void *base = __libc_memalign(align, size + align);
	if (unlikely(base == NULL))
		return out_of_memory(size);
	return header_attach(base, align, (unsigned)__builtin_ctzl(align), size, alloc_tag_charge(size, caller));
}

/* A pointer without a live reference, given to free or realloc (fn): returns when it is
 * glibc's own block, aborts on a second free or a pointer no allocation returned. */
ALLOC_TAG_COLD static void check_unreferenced(void *p, const char *fn)
{
	const char *dead = NULL;

	if (slab_contains(p)) {
		if (slab_ref_slot(slab_of(p), p) != NULL)
			dead = "double free detected";
	} else {
		struct ref_header *h = (struct ref_header *)p - 1;
		if (h->check == header_dead(p) || alloc_tag_glibc_freed(h) || header_freed_marked(p))
			dead = "double free detected";
		else if (chunk_plausible(p))
			return;
	}
	char what[64];
	size_t n = strlen(fn);
	memcpy(what, fn, n);
	what[n++] = ' ';
	strcpy(what + n, dead != NULL ? dead : "invalid pointer");
	alloc_tag_abort_pointer(what, p);
}

/* Gives glibc a block that never carried a reference (checked first). */
ALLOC_TAG_COLD static void free_foreign(void *p, void *caller)
{
	check_unreferenced(p, "free():");
	if (alloc_tag_debug_level)
		alloc_tag_debug_foreign_free(p, caller);
	__libc_free(p);
}

typedef size_t (*usable_size_fn)(void *);

/* glibc's own malloc_usable_size, looked up on first use (never inside the allocator). */
static size_t libc_usable_size(void *p)
{
	static usable_size_fn fn;
	usable_size_fn f = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);

	if (f == NULL) {
		f = (usable_size_fn)dlsym(RTLD_NEXT, "malloc_usable_size");
		if (f == NULL)
			return chunk_usable(p);
		__atomic_store_n(&fn, f, __ATOMIC_RELEASE);
	}
	return f(p);
}

/* realloc of a slab object.  It stays where it is while the new size fits, unless it
 * shrinks under a quarter of the object (the realloc's site is charged either way).  Growing out of it,
 * an object already grown by realloc once moves into twice the room it asked for, so a
 * buffer grown step by step moves a logarithmic number of times instead of once every 16
 * bytes (glibc often extends in place; slabs cannot); a single grow-to-fit stays exact. */
static inline __attribute__((always_inline)) void *slab_realloc(void *p, const struct ref *r, size_t size, int mode, void *caller)
{
	struct slab *s = r->slab;
	int grown = r->grown;
	void *q;

	if (size <= s->size && (size >= r->size || 4 * size >= s->size)) {
		*r->check = slab_ref(s->size, size, alloc_tag_recharge(r->index, r->size, size, caller),
				     grown ? SLAB_REF_GROWN : 0);
		return p;
	}
	if (size > r->size && size <= SLAB_MAX_SIZE) {
		size_t room = !grown ? size : 2 * size < SLAB_MAX_SIZE ? 2 * size : SLAB_MAX_SIZE;
		uint32_t *slot;
		q = slab_alloc(room, &slot);
		if (likely(q != NULL)) { /* the move's charge is one recharge, as in place */
			memcpy(q, p, r->size);
			*slot = slab_ref((slab_class(room) + 1) * 16, size,
					 alloc_tag_recharge(r->index, r->size, size, caller), SLAB_REF_GROWN);
			give_back(p, r);
			return q;
		}
		q = tracked_malloc(size, mode, 0, caller);
	} else {
		q = tracked_malloc(size, mode, 0, caller);
	}
	if (q == NULL)
		return NULL; /* the old object and its reference are intact */
	memcpy(q, p, r->size < size ? r->size : size);
	release(p, r);
	return q;
}

/* ---- The interface --------------------------------------------------------------------- */

/* Every entry point tests for `never` before anything else and hands the rest to a function
 * of its own: gcc and clang do not shrink-wrap, so with the tracked path inlined every call,
 * `never` included, paid for saving six registers (callgrind: 260 instructions per
 * malloc+free pair against glibc's 214 before malloc and free were split; realloc paid 27
 * instructions per call in `never` before it was).  The tracked halves settle a mode still
 * unset (the first allocation of the process), which may turn out to be never. */
/* ---- The fast paths: a slab object, a tagged site, no call but tail calls ---------------- */

/* A function that calls anything saves the callee-saved registers it uses on entry (neither
 * gcc nor clang shrink-wraps), so malloc_tracked and free_tracked paid 16 instructions each
 * for pushes and pops.  Their common case (a slab object of the thread's own heap, a counted
 * site whose counters exist) now calls nothing: every other case, decided before anything is
 * changed, is a tail call to the general path, and what must run after the fast path (a peak
 * sample, the charge of an object already taken) is a tail call too. */

/* What malloc's and calloc's fast path leaves to a call, as tail calls: the charge of an object
 * it took but could not charge (untagged with a task lookup or debug mode, a tag not yet
 * registered, the thread's counters not yet there), and a peak sample.  zero: bytes to clear
 * (calloc's), 0 for malloc. */
__attribute__((noinline)) static void *slab_charge_slow(void *p, uint32_t *slot, size_t size, size_t zero, void *caller)
{
	*slot = slab_ref((slab_class(size) + 1) * 16, size, alloc_tag_charge(size, caller), 0);
	return memset(p, 0, zero);
}

__attribute__((noinline)) static void *sample_peak(struct alloc_tag_thread *self, void *p, size_t zero)
{
	alloc_tag_peak_check(self);
	return memset(p, 0, zero);
}

/* Every malloc or calloc (zero) that is not the fast path's: an unsettled mode, the header
 * form, a size past the slabs, failure injection, no current slab with a free object. */
__attribute__((noinline)) static void *alloc_general(size_t size, int mode, int zero, void *caller)
{
	if (unlikely(mode == ALLOC_TAG_MODE_UNINIT)) {
		mode = current_mode();
		if (mode == ALLOC_TAG_MODE_NEVER)
			return zero ? __libc_calloc(1, size) : __libc_malloc(size);
	}
	return tracked_malloc(size, mode, zero, caller);
}

/* The index the fast path charges, or 0 when it cannot settle it without a call (counting is
 * on: the caller checked).  Untagged is the untagged line unless a task lookup is installed
 * or debug mode names the caller. */
static inline __attribute__((always_inline)) uint32_t fast_index(void)
{
	struct alloc_tag *tag = alloc_tag_current;

	if (likely(tag != NULL))
		return load_relaxed(&tag->ct.index);
	if (__atomic_load_n(&alloc_tag_task_lookup, __ATOMIC_RELAXED) != NULL || alloc_tag_debug_level != 0)
		return 0;
	return ALLOC_TAG_UNTAGGED_INDEX;
}

/* malloc (zero 0) and calloc (zero 1) of size bytes, inlined into each so that neither calls
 * anything but in tail position. */
static inline __attribute__((always_inline)) void *alloc_fast(size_t size, int mode, int zero, void *caller)
{
	struct slab_heap *h;
	struct slab *s;
	uint32_t *slot;
	void *p;

	if (unlikely(mode != ALLOC_TAG_MODE_COMPRESSED) || unlikely(size > SLAB_MAX_SIZE) ||
	    unlikely(alloc_tag_fault_every != 0) || unlikely((h = slab_heap_self) == NULL) ||
	    unlikely((s = h->current[slab_class(size)]) == NULL) || unlikely((p = slab_take(s, &slot)) == NULL))
		return alloc_general(size, mode, zero, caller);

	struct alloc_tag_thread *self = alloc_tag_self;
	struct alloc_tag_cell *c;
	uint32_t index = 0;

	if (likely(load_relaxed(&alloc_tag_counting))) {
		if (unlikely((index = fast_index()) == 0) || unlikely(self == NULL) ||
		    unlikely((c = self->chunk[index >> COUNTER_CHUNK_SHIFT]) == NULL))
			return slab_charge_slow(p, slot, size, zero ? size : 0, caller);
		c += index & (COUNTER_CHUNK_SIZE - 1);
		store_relaxed(&c->alloc_bytes, load_relaxed(&c->alloc_bytes) + (int64_t)size);
		store_relaxed(&c->alloc_calls, load_relaxed(&c->alloc_calls) + 1);
		*slot = slab_ref(s->size, size, index, 0);
		if (unlikely(__builtin_sub_overflow(self->peak_countdown, (uint64_t)size, &self->peak_countdown)))
			return sample_peak(self, p, zero ? size : 0);
	} else {
		*slot = slab_ref(s->size, size, 0, 0);
	}
	return zero ? memset(p, 0, size) : p;
}

__attribute__((noinline)) static void *malloc_tracked(size_t size, int mode, void *caller)
{
	return alloc_fast(size, mode, 0, caller);
}

EXPORT void *malloc(size_t size)
{
	int mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_RELAXED);
	if (mode == ALLOC_TAG_MODE_NEVER)
		return __libc_malloc(size);
	return malloc_tracked(size, mode, CALLER());
}

/* Every free that is not the fast path's: header blocks, another thread's slab, a slab that
 * must move between lists, counters not yet there, and pointers without a live reference. */
__attribute__((noinline)) static void free_general(void *p, void *caller)
{
	struct ref r;

	if (unlikely(!find_ref(p, &r))) {
		free_foreign(p, caller);
		return;
	}
	release(p, &r);
}

/* A pointer outside the slabs: a header block, or glibc's own (free_foreign checks it). */
__attribute__((noinline)) static void free_unslabbed(void *p, void *caller)
{
	struct ref r;

	if (unlikely(!header_find(p, &r))) {
		free_foreign(p, caller);
		return;
	}
	release(p, &r);
}

/* The fast path checks everything that could send it elsewhere before it changes anything:
 * a live reference on the object grid (else the general path finds the misuse), the thread's
 * own slab staying on its list after this free (slab_free's condition), the counters there. */
__attribute__((noinline)) static void free_tracked(void *p, void *caller)
{
	struct slab_heap *h = slab_heap_self;
	struct slab *s;
	uint32_t *slot, ref;

	if (unlikely(!slab_contains(p)))
		return free_unslabbed(p, caller);
	s = slab_of(p);
	if (unlikely((slot = slab_ref_slot(s, p)) == NULL) || unlikely(!((ref = *slot) & SLAB_REF_ALLOCATED)) ||
	    unlikely(load_relaxed(&s->owner) != h) || unlikely(s->full) ||
	    unlikely(s->used == 1 && h->current[s->cls] != s))
		return free_general(p, caller);

	uint32_t index = ref & SLAB_REF_INDEX_MASK;
	if (likely(index != 0)) {
		struct alloc_tag_thread *self = alloc_tag_self;
		struct alloc_tag_cell *c;
		if (unlikely(self == NULL) || unlikely((c = self->chunk[index >> COUNTER_CHUNK_SHIFT]) == NULL))
			return free_general(p, caller);
		c += index & (COUNTER_CHUNK_SIZE - 1);
		int64_t size = (int64_t)(s->size - ((ref >> SLAB_REF_SLACK_SHIFT) & SLAB_REF_SLACK_MASK));
		store_relaxed(&c->free_bytes, load_relaxed(&c->free_bytes) + size);
		store_relaxed(&c->free_calls, load_relaxed(&c->free_calls) + 1);
	}
	*slot = 0; /* a second free of the pointer is then recognised */
	*(uintptr_t *)p = slab_protect(p, s->free, s->key);
	s->free = p;
	s->used--;
}

EXPORT void free(void *p)
{
	int mode;

	if (p == NULL)
		return;
	mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_RELAXED);
	if (unlikely(mode <= ALLOC_TAG_MODE_NEVER)) {
		__libc_free(p);
		return;
	}
	free_tracked(p, CALLER());
}

__attribute__((noinline)) static void *calloc_tracked(size_t count, size_t size, int mode, void *caller)
{
	size_t total;

	if (unlikely(__builtin_mul_overflow(count, size, &total))) {
		if (mode == ALLOC_TAG_MODE_UNINIT && current_mode() == ALLOC_TAG_MODE_NEVER)
			return __libc_calloc(count, size);
		errno = ENOMEM;
		return NULL;
	}
	return alloc_fast(total, mode, 1, caller);
}

EXPORT void *calloc(size_t count, size_t size)
{
	int mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_RELAXED);
	if (mode == ALLOC_TAG_MODE_NEVER)
		return __libc_calloc(count, size);
	return calloc_tracked(count, size, mode, CALLER());
}

__attribute__((noinline)) static void *realloc_tracked(void *p, size_t size, int mode, void *caller)
{
	struct ref r;

	if (unlikely(mode == ALLOC_TAG_MODE_UNINIT)) {
		mode = current_mode();
		if (mode == ALLOC_TAG_MODE_NEVER)
			return __libc_realloc(p, size);
	}
	if (p == NULL)
		return tracked_malloc(size, mode, 0, caller);
	if (size == 0) { /* glibc frees and returns NULL */
		free_tracked(p, caller);
		return NULL;
	}
	int found = find_ref(p, &r);
	if (unlikely(!found))
		check_unreferenced(p, "realloc():");
	if (found && r.slab != NULL)
		return slab_realloc(p, &r, size, mode, caller);
	if (unlikely(!found || r.aligned)) {
		/* Foreign memory, or an over-aligned block whose alignment realloc need not keep:
		 * move it into a fresh tracked block. */
		size_t old = found ? r.size : chunk_usable(p);
		void *q = tracked_malloc(size, mode, 0, caller);
		if (q == NULL)
			return NULL;
		memcpy(q, p, old < size ? old : size);
		if (found)
			release(p, &r);
		else
			free_foreign(p, caller);
		return q;
	}
	if (unlikely(size > MAX_REQUEST))
		return impossible();
	/* A block glibc moves is freed: its reference must read as dead, not live. */
	*r.check = r.dead;
	void *base = __libc_realloc(r.base, size + HEADER_SIZE);
	if (unlikely(base == NULL)) {
		*r.check = header_check(p);
		return out_of_memory(size); /* the old block and its reference are intact */
	}
	return header_attach(base, HEADER_SIZE, 0, size, alloc_tag_recharge(r.index, r.size, size, caller));
}

EXPORT void *realloc(void *p, size_t size)
{
	int mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_RELAXED);
	if (mode == ALLOC_TAG_MODE_NEVER)
		return __libc_realloc(p, size);
	return realloc_tracked(p, size, mode, CALLER());
}

EXPORT void *reallocarray(void *p, size_t count, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(count, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, total);
}

/* align: a power of two (the callers check or round it). */
__attribute__((noinline)) static void *memalign_tracked(size_t align, size_t size, int mode, void *caller)
{
	if (unlikely(mode == ALLOC_TAG_MODE_UNINIT)) {
		mode = current_mode();
		if (mode == ALLOC_TAG_MODE_NEVER)
			return __libc_memalign(align, size);
	}
	return tracked_memalign(align, size, mode, caller);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	int mode;
	void *p;

	if (!pow2(align) || align % sizeof(void *) != 0)
		return EINVAL;
	mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_RELAXED);
	p = mode == ALLOC_TAG_MODE_NEVER ? __libc_memalign(align, size) : memalign_tracked(align, size, mode, CALLER());
	if (p == NULL) {
		errno = saved;
		return ENOMEM;
	}
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
	int mode;

	if (!pow2(align)) {
		errno = EINVAL;
		return NULL;
	}
	mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_RELAXED);
	if (mode == ALLOC_TAG_MODE_NEVER)
		return __libc_memalign(align, size);
	return memalign_tracked(align, size, mode, CALLER());
}

EXPORT void *memalign(size_t align, size_t size)
{
	int mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_RELAXED);

	if (mode == ALLOC_TAG_MODE_NEVER)
		return __libc_memalign(align, size);
	if (!pow2(align)) { /* glibc rounds a bad alignment up to the next power of two */
		if (align > MAX_REQUEST)
			return impossible();
		size_t a = 1;
		while (a < align)
			a <<= 1;
		align = a;
	}
	return memalign_tracked(align, size, mode, CALLER());
}

EXPORT void *valloc(size_t size)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

EXPORT void *pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t rounded;

	if (__builtin_add_overflow(size, page - 1, &rounded)) {
		errno = ENOMEM;
		return NULL;
	}
	rounded &= ~(page - 1);
	return memalign(page, rounded ? rounded : page);
}

/* ---- glibc's statistics and trimming, with the slabs added ------------------------------ */

typedef int (*trim_fn)(size_t);
typedef struct mallinfo2 (*mallinfo2_fn)(void);
typedef struct mallinfo (*mallinfo_fn)(void);
typedef void (*stats_fn)(void);

/* Looked up on first use: none of these is called from inside the allocator. */
#define NEXT(type, name) ((type)dlsym(RTLD_NEXT, name))

/* Slab memory goes back to the kernel, then glibc trims its own. */
EXPORT int malloc_trim(size_t pad)
{
	trim_fn next = NEXT(trim_fn, "malloc_trim");
	int released = slab_trim();
	return (next != NULL && next(pad)) || released;
}

/* glibc's figures plus the slabs': carved slabs as mmapped space (hblks, hblkhd), objects
 * handed out as allocated (uordblks), the rest of their slabs and the resident pool as free
 * (fordblks).  Objects other threads freed and the owner has not collected yet still count
 * as allocated. */
EXPORT struct mallinfo2 mallinfo2(void)
{
	mallinfo2_fn next = NEXT(mallinfo2_fn, "mallinfo2");
	struct mallinfo2 m;
	struct slab_stats s;

	memset(&m, 0, sizeof(m));
	if (next != NULL)
		m = next();
	slab_stats(&s);
	m.hblks += s.slabs;
	m.hblkhd += s.slab_bytes;
	m.uordblks += s.used_bytes;
	m.fordblks += s.slab_bytes - s.used_bytes;
	return m;
}

EXPORT struct mallinfo mallinfo(void)
{
	struct mallinfo2 m2 = mallinfo2();
	struct mallinfo m = {
		.arena = (int)m2.arena, .ordblks = (int)m2.ordblks, .smblks = (int)m2.smblks,
		.hblks = (int)m2.hblks, .hblkhd = (int)m2.hblkhd, .usmblks = (int)m2.usmblks,
		.fsmblks = (int)m2.fsmblks, .uordblks = (int)m2.uordblks, .fordblks = (int)m2.fordblks,
		.keepcost = (int)m2.keepcost,
	};
	return m;
}

static void format_size(char *out, size_t value)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	while (n > 0)
		*out++ = digits[--n];
	*out = '\0';
}

/* glibc's report on stderr, then one line for the slabs. */
EXPORT void malloc_stats(void)
{
	stats_fn next = NEXT(stats_fn, "malloc_stats");
	struct slab_stats s;
	char slabs[24], bytes[24], used[24], pooled[24], released[24];

	if (next != NULL)
		next();
	slab_stats(&s);
	format_size(slabs, s.slabs);
	format_size(bytes, s.slab_bytes);
	format_size(used, s.used_bytes);
	format_size(pooled, s.pooled);
	format_size(released, s.released);
	alloc_tag_message("alloctag slabs: ", slabs, " slabs (", bytes, " bytes), ", used, " bytes in use, ",
			  pooled, " empty slabs resident, ", released, " given back", (const char *)0);
}

/* The bytes the caller may use: glibc's usable size less what the reference occupies
 * (the Swift runtime sizes array and string capacity from this). */
EXPORT size_t malloc_usable_size(void *p)
{
	struct ref r;
	int mode;

	if (p == NULL)
		return 0;
	mode = __atomic_load_n(&alloc_tag_mode_state, __ATOMIC_ACQUIRE);
	if (mode <= ALLOC_TAG_MODE_NEVER || !find_ref(p, &r))
		return slab_contains(p) ? 0 : libc_usable_size(p);
	if (r.slab != NULL)
		return r.slab->size;
	return libc_usable_size(r.base) - (size_t)((char *)p - (char *)r.base);
}
