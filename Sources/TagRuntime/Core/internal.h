/*
 * internal.h - what the runtime's .c files share; not installed, not part of the API.
 *
 * The allocation path is here as static inline functions; everything that can wait (thread
 * registration, chunk allocation, registration of tags, warnings) is out of line.
 */
#ifndef ALLOC_TAG_INTERNAL_H
#define ALLOC_TAG_INTERNAL_H

/* The runtime's own sites carry CODETAG_FLAG_RUNTIME: a report lists them only once the
 * runtime allocated there, never as a row of zeros in every program's report.  Their image
 * is registered as any other: linked statically (SwiftPM), the runtime's files are the only
 * C files of a Swift program's image, and its Swift tags are listed only because they
 * register that image's section. */
#define ALLOC_TAG_SITE_FLAGS CODETAG_FLAG_RUNTIME
#include "alloc_tag/alloc_tag.h"

#include <pthread.h>
#include <stdint.h>
#include <stddef.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ALLOC_TAG_HIDDEN __attribute__((visibility("hidden")))
#define ALLOC_TAG_COLD __attribute__((cold, noinline))
#define ALLOC_TAG_IE __attribute__((tls_model("initial-exec")))

/* Relaxed atomics: the single writer of a counter is its thread; readers may run at any
 * time.  On x86-64 these compile to plain moves (no lock prefix). */
#define load_relaxed(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* ---- Locks and fork ----------------------------------------------------------------- */

/* Set in the thread that forks from the moment the runtime's prepare handler holds every
 * runtime lock until its parent or child handler lets them go.  That thread then takes no
 * runtime lock (it holds them all, and no other thread can be inside the runtime), so a
 * fork handler of another library that allocates in that window, a thread's first
 * allocation included, neither waits on a lock the handlers hold nor depends on the order
 * in which the handlers were registered. */
extern __thread int alloc_tag_fork_held ALLOC_TAG_IE;

static inline void rt_lock(pthread_mutex_t *m)
{
	if (!alloc_tag_fork_held)
		pthread_mutex_lock(m);
}

static inline void rt_unlock(pthread_mutex_t *m)
{
	if (!alloc_tag_fork_held)
		pthread_mutex_unlock(m);
}

/* ---- Tag indices -------------------------------------------------------------------- */

#define CODETAG_INDEX_BITS 20
#define CODETAG_MAX_INDEX ((1u << CODETAG_INDEX_BITS) - 1)
/* Index 1 is the synthetic site of allocations made with no current tag. */
#define ALLOC_TAG_UNTAGGED_INDEX 1u
/* First index handed to a real tag. */
#define CODETAG_FIRST_INDEX 2u

/* codetag.c */
ALLOC_TAG_HIDDEN void codetag_reserve(uint32_t index, struct codetag *ct);
/* One of ct's string fields, resolved when the record holds functions (Swift's). */
ALLOC_TAG_HIDDEN const char *codetag_string(const struct codetag *ct, const char *field);
ALLOC_TAG_HIDDEN int codetag_info_unloaded(uint32_t index);
ALLOC_TAG_HIDDEN void codetag_registry_lock(void);
ALLOC_TAG_HIDDEN void codetag_registry_unlock(void);
ALLOC_TAG_HIDDEN void codetag_mark_inaccurate(uint32_t index);
/* Called for every index that newly gets a tag (the consumer sizes its tables). */
ALLOC_TAG_HIDDEN void *codetag_arena_alloc(size_t size);

/* ---- Per-thread counters ------------------------------------------------------------ */

#define COUNTER_CHUNK_SHIFT 10
#define COUNTER_CHUNK_SIZE (1u << COUNTER_CHUNK_SHIFT)
#define COUNTER_CHUNKS ((CODETAG_MAX_INDEX >> COUNTER_CHUNK_SHIFT) + 1)

/* One site's counts in one thread: what the thread allocated and what it freed, each only
 * ever growing.  Live = allocated - freed; the cumulative totals come for free, and an
 * allocation and a free each still cost two read-modify-writes (the live-only layout's
 * charge and uncharge had the same two, with opposite signs). */
struct alloc_tag_cell {
	int64_t alloc_bytes;
	int64_t alloc_calls;
	int64_t free_bytes;
	int64_t free_calls;
};

/* A site's counts summed over every thread: live bytes and allocations (what allocinfo
 * prints), and bytes and allocations ever made (realloc counts as one of its new size). */
struct alloc_tag_counters {
	int64_t bytes;
	int64_t calls;
	int64_t total_bytes;
	int64_t total_calls;
};

/* swift_types.c: which Swift class types each site allocated.  TYPE_SITES sites (a table
 * claimed with compare-and-swap), TYPES_PER_SITE types each plus one "<other types>" slot;
 * a slot's counters live per thread in chunks of TYPE_CHUNK_SIZE. */
#define TYPE_SITES_SHIFT 12
#define TYPE_SITES (1u << TYPE_SITES_SHIFT)
#define TYPE_SITE_PROBES 64
#define TYPES_PER_SITE 8
#define TYPE_SLOTS_PER_SITE (TYPES_PER_SITE + 1)
#define TYPE_SLOTS (TYPE_SITES * TYPE_SLOTS_PER_SITE)
#define TYPE_CHUNK_SHIFT 10
#define TYPE_CHUNK_SIZE (1u << TYPE_CHUNK_SHIFT)
#define TYPE_CHUNKS ((TYPE_SLOTS + TYPE_CHUNK_SIZE - 1) / TYPE_CHUNK_SIZE)
#define TYPE_CHUNK_BYTES (TYPE_CHUNK_SIZE * sizeof(struct alloc_tag_type_cell))
/* A type line: "+ type " %10lli " " %14lli " " the name (cut at TYPE_NAME_MAX bytes + "...") "\n". */
#define TYPE_NAME_MAX 1000
#define TYPE_LINE_MAX (7 + 24 + 1 + 24 + 1 + TYPE_NAME_MAX + 3 + 1)
#define TYPE_LINES_MAX (TYPE_SLOTS_PER_SITE * TYPE_LINE_MAX)

/* Instances and bytes ever allocated: only grow, one writer per thread. */
struct alloc_tag_type_cell {
	int64_t calls;
	int64_t bytes;
};

/* One per thread that ever allocated.  Only its thread writes the counters (relaxed
 * stores); chunk pointers are published with release stores and read with acquire.
 * A thread's free counters may exceed its own allocations (it frees what another thread
 * allocated); only the sum over all threads and the exited total is meaningful. */
struct alloc_tag_thread {
	struct alloc_tag_cell *chunk[COUNTER_CHUNKS];
	struct alloc_tag_thread *next;
	struct alloc_tag_thread **pprev;
	int exited;
	/* Bytes this thread may still allocate before it samples the peak (peak.c): an
	 * allocation larger than what is left samples.  Plain (only this thread touches it) and
	 * unsigned, so the hot path is a `sub` and a branch on its borrow. */
	uint64_t peak_countdown;
	/* swift_types.c's per-thread counters, by type slot; NULL until used.  The last (site,
	 * type) this thread recorded and its slot, so a loop allocating one type at one site skips
	 * the table's lookups. */
	struct alloc_tag_type_cell *type_chunk[TYPE_CHUNKS];
	const void *type_last_metadata;
	uint32_t type_last_index, type_last_slot;
};

extern __thread struct alloc_tag_thread *alloc_tag_self ALLOC_TAG_IE;

/* Which pair of a cell an event adds to. */
#define ALLOC_TAG_ALLOC 0
#define ALLOC_TAG_FREE 2

ALLOC_TAG_HIDDEN void alloc_tag_count_slow(uint32_t index, int64_t bytes, int which);
/* A thread's peak_countdown after a sample, and when it registers: the next allocation past
 * `every` bytes borrows (with 1, every allocation samples); 0 (no sampling) never borrows. */
static inline uint64_t alloc_tag_peak_countdown(int64_t every)
{
	return every > 0 ? (uint64_t)every - 1 : UINT64_MAX;
}

/* peak.c: samples the peak; called when a thread's peak_countdown runs out. */
ALLOC_TAG_HIDDEN void alloc_tag_peak_check(struct alloc_tag_thread *self);

/* which: ALLOC_TAG_ALLOC or ALLOC_TAG_FREE, a constant at every call. */
static inline __attribute__((always_inline)) void alloc_tag_count(uint32_t index, int64_t bytes, int which)
{
	struct alloc_tag_thread *self = alloc_tag_self;
	struct alloc_tag_cell *c;

	if (likely(self != NULL) &&
	    likely((c = self->chunk[index >> COUNTER_CHUNK_SHIFT]) != NULL)) {
		int64_t *v = &c[index & (COUNTER_CHUNK_SIZE - 1)].alloc_bytes + which;
		store_relaxed(&v[0], load_relaxed(&v[0]) + bytes);
		store_relaxed(&v[1], load_relaxed(&v[1]) + 1);
		/* Only allocations raise the live total, so only they can make a peak. */
		if (which == ALLOC_TAG_ALLOC &&
		    unlikely(__builtin_sub_overflow(self->peak_countdown, (uint64_t)bytes, &self->peak_countdown)))
			alloc_tag_peak_check(self);
		return;
	}
	alloc_tag_count_slow(index, bytes, which);
}

/* Calls visit(NULL, arg) (the exited threads' total) and visit(t, arg) for each live thread,
 * with the thread list locked. */
ALLOC_TAG_HIDDEN void alloc_tag_visit_threads(void (*visit)(struct alloc_tag_thread *t, void *arg), void *arg);

/* swift_types.c: the forwarding resolved from the constructor (Swift present only); a
 * thread's type counters folded (thread list locked) and then unmapped as it exits. */
ALLOC_TAG_HIDDEN void alloc_tag_types_setup(void);
ALLOC_TAG_HIDDEN void alloc_tag_types_fold(struct alloc_tag_thread *self);
ALLOC_TAG_HIDDEN void alloc_tag_types_release(struct alloc_tag_thread *self);
/* Every type slot summed, in mmap'd memory; NULL when no type was ever recorded (a C
 * program) or no memory could be had.  Freed with alloc_tag_types_free. */
struct alloc_tag_type_sums {
	struct alloc_tag_type_cell cells[TYPE_SLOTS];
	int64_t unrecorded_calls, unrecorded_bytes;
};
ALLOC_TAG_HIDDEN struct alloc_tag_type_sums *alloc_tag_types_sum(void);
ALLOC_TAG_HIDDEN void alloc_tag_types_free(struct alloc_tag_type_sums *s);
/* The "+ type" lines of site index into out (size >= TYPE_LINES_MAX); returns their length. */
ALLOC_TAG_HIDDEN size_t alloc_tag_types_lines(const struct alloc_tag_type_sums *s, uint32_t index, char *out,
					      size_t size);

/* Sums every thread's counters (and the exited total) into out[0 .. limit). */
ALLOC_TAG_HIDDEN void alloc_tag_sum_counters(struct alloc_tag_counters *out, uint32_t limit);
/* Sum for one index; takes the thread-list lock unless trylock fails (returns -1 then). */
ALLOC_TAG_HIDDEN int alloc_tag_sum_one_trylock(uint32_t index, struct alloc_tag_counters *out);

/* debug.c */
extern int alloc_tag_debug_level ALLOC_TAG_HIDDEN;
ALLOC_TAG_HIDDEN void alloc_tag_debug_foreign_free(void *ptr, void *caller);
ALLOC_TAG_HIDDEN void alloc_tag_debug_untagged(void *caller);
ALLOC_TAG_HIDDEN void alloc_tag_debug_image(struct codetag *start);
ALLOC_TAG_HIDDEN void alloc_tag_debug_at_exit(void);

/* ---- Mode and switch ---------------------------------------------------------------- */

#define ALLOC_TAG_MODE_UNINIT 0

/* Written once (first allocation or constructor), read on every allocation. */
extern int alloc_tag_mode_state ALLOC_TAG_HIDDEN;
/* The run-time switch: 1 counts, 0 does not (references are still written). */
extern int alloc_tag_counting ALLOC_TAG_HIDDEN;
/* Failure injection for tests (ALLOCTAG_FAULT_REFS=N): every Nth reference fails. */
extern unsigned long alloc_tag_fault_every ALLOC_TAG_HIDDEN;

ALLOC_TAG_HIDDEN void alloc_tag_init(void);
/* Prepares the report at exit (its process, ALLOCTAG_REPORT=-'s copy of standard error). */
ALLOC_TAG_HIDDEN void alloc_tag_watch_exit(void);

/* settings.c: every ALLOCTAG_* setting, read once (alloc_tag_read_settings) from one table. */
struct alloc_tag_config {
	int mode;                  /* ALLOC_TAG_MODE_* */
	int counting;              /* 0 or 1: the switch's first position */
	int debug;                 /* 0, 1, 2 = fatal */
	int inspect;               /* 0 or 1 */
	unsigned long fault_every; /* 0: no failure injection */
	char report[4096];         /* "" none, "-" standard error, else a path (%p, %%) */
	char report_extended[4096]; /* the same for the extended report (extended.c) */
	int64_t peak_interval;     /* bytes per thread between peak samples; 0: at reports only */
	char source_root[4096];    /* cut from absolute tag file names ("/.../", ending in /) */
	int source_root_set;       /* ALLOCTAG_SOURCE_ROOT given (an empty root: names as compiled) */
	int swift_types;           /* 1: Swift class types recorded per site (swift_types.c), 0: not */
};
extern struct alloc_tag_config alloc_tag_config ALLOC_TAG_HIDDEN;
ALLOC_TAG_HIDDEN void alloc_tag_read_settings(void);
/* A tag's file name as reports print it: ALLOCTAG_SOURCE_ROOT (or a SwiftPM package's root)
 * cut from an absolute name (report.c); no allocation. */
ALLOC_TAG_HIDDEN const char *alloc_tag_display_filename(const char *filename);

/* The running Swift task's tag (alloc_tag_set_task_lookup); NULL until TagRuntime installs it. */
ALLOC_TAG_HIDDEN extern void *(*alloc_tag_task_lookup)(void);

/* The tag to charge: the thread's, else (no thread tag) the task's (Swift async scopes) if a
 * lookup is installed: an indirect call on the untagged path only.  NULL: untagged. */
static inline __attribute__((always_inline)) struct alloc_tag *alloc_tag_current_tag(void)
{
	struct alloc_tag *tag = alloc_tag_current;

	if (tag == NULL) {
		void *(*lookup)(void) = __atomic_load_n(&alloc_tag_task_lookup, __ATOMIC_ACQUIRE);
		if (lookup != NULL)
			tag = (struct alloc_tag *)lookup();
	}
	return tag;
}

/* caller: the program's call into the malloc family, named by debug mode. */
static inline __attribute__((always_inline)) uint32_t alloc_tag_current_index(void *caller)
{
	struct alloc_tag *tag = alloc_tag_current_tag();
	uint32_t index;

	if (tag == NULL) {
		if (unlikely(alloc_tag_debug_level != 0))
			alloc_tag_debug_untagged(caller);
		return ALLOC_TAG_UNTAGGED_INDEX;
	}
	index = load_relaxed(&tag->ct.index);
	if (unlikely(index == 0))
		index = codetag_register_one(&tag->ct);
	return index;
}

/* The index to record for a new allocation: 0 when not counting. */
static inline __attribute__((always_inline)) uint32_t alloc_tag_charge(size_t bytes, void *caller)
{
	uint32_t index;

	if (unlikely(!load_relaxed(&alloc_tag_counting)))
		return 0;
	index = alloc_tag_current_index(caller);
	alloc_tag_count(index, (int64_t)bytes, ALLOC_TAG_ALLOC);
	return index;
}

static inline __attribute__((always_inline)) void alloc_tag_uncharge(uint32_t index, size_t bytes)
{
	if (index != 0)
		alloc_tag_count(index, (int64_t)bytes, ALLOC_TAG_FREE);
}

/*
 * realloc's charge: the block charged old_bytes to old_index now holds new_bytes for the
 * current site.  When that is the same site (a buffer grown where it is grown, the common
 * case) it is one cell's update instead of an uncharge and a charge: the new size counted as
 * an allocation and the old as a free, exactly as the two would count them, with one lookup.
 * The peak countdown is spent only by growth: the realloc raised the live total by
 * new - old, not by new (the sampling bound in alloc_tag.h counts what was added).
 * Returns the index to record: 0 when not counting.
 */
static inline __attribute__((always_inline)) uint32_t alloc_tag_recharge(uint32_t old_index, size_t old_bytes,
									  size_t new_bytes, void *caller)
{
	struct alloc_tag_thread *self;
	struct alloc_tag_cell *c;
	uint32_t index;

	if (unlikely(!load_relaxed(&alloc_tag_counting))) {
		alloc_tag_uncharge(old_index, old_bytes);
		return 0;
	}
	index = alloc_tag_current_index(caller);
	self = alloc_tag_self;
	if (likely(index == old_index) && likely(self != NULL) &&
	    likely((c = self->chunk[index >> COUNTER_CHUNK_SHIFT]) != NULL)) {
		c += index & (COUNTER_CHUNK_SIZE - 1);
		store_relaxed(&c->alloc_bytes, load_relaxed(&c->alloc_bytes) + (int64_t)new_bytes);
		store_relaxed(&c->alloc_calls, load_relaxed(&c->alloc_calls) + 1);
		store_relaxed(&c->free_bytes, load_relaxed(&c->free_bytes) + (int64_t)old_bytes);
		store_relaxed(&c->free_calls, load_relaxed(&c->free_calls) + 1);
		if (new_bytes > old_bytes &&
		    unlikely(__builtin_sub_overflow(self->peak_countdown, (uint64_t)(new_bytes - old_bytes),
						    &self->peak_countdown)))
			alloc_tag_peak_check(self);
		return index;
	}
	alloc_tag_uncharge(old_index, old_bytes);
	alloc_tag_count(index, (int64_t)new_bytes, ALLOC_TAG_ALLOC);
	return index;
}

/* ---- Messages (write(2) only: usable inside the allocator) -------------------------- */

ALLOC_TAG_HIDDEN void alloc_tag_message(const char *first, ...);
#define alloc_tag_warn(...) alloc_tag_message("alloctag: warning: ", __VA_ARGS__, (const char *)0)

/* misuse.c: "<what> in alloctag: 0x...", then abort (a double or invalid free). */
ALLOC_TAG_HIDDEN __attribute__((noreturn, cold)) void alloc_tag_abort_pointer(const char *what, const void *p);
/* Whether the glibc chunk at mem (what glibc's malloc returned) sits in glibc's tcache. */
ALLOC_TAG_HIDDEN int alloc_tag_glibc_freed(const void *mem);


/* report.c: fills *e for index from its summed counters; 0 when the line is left out (an
 * unloaded image's tag back at zero). */
ALLOC_TAG_HIDDEN int alloc_tag_entry_at(uint32_t index, const struct alloc_tag_counters *sum,
					struct alloc_tag_entry *e);

/* report.c: every index's counters summed into mmap'd memory (never malloc); NULL when none
 * could be had.  The caller munmaps (sums, *mapped). */
ALLOC_TAG_HIDDEN struct alloc_tag_counters *alloc_tag_sum_all(uint32_t *limit, size_t *mapped);

/* report.c: writes header, then each listed site's allocinfo line, after prefix's text when
 * prefix is not NULL (at most ALLOC_TAG_LINE_PREFIX_MAX bytes; returns its length).  The one
 * line writer of the v2.0 report and the extended report: buffered, no line limit, no malloc. */
#define ALLOC_TAG_LINE_PREFIX_MAX 128
typedef size_t (*alloc_tag_line_prefix)(const struct alloc_tag_entry *e, char *out);
/* Lines that follow a site's line (the extended report's "+ type" lines): at most
 * TYPE_LINES_MAX bytes into out; returns their length. */
typedef size_t (*alloc_tag_line_after)(uint32_t index, char *out, size_t size, const void *arg);
ALLOC_TAG_HIDDEN int alloc_tag_write_report(int fd, const char *header, size_t header_len,
					    const struct alloc_tag_counters *sums, uint32_t limit,
					    alloc_tag_line_prefix prefix, alloc_tag_line_after after,
					    const void *after_arg);

/* Writes every piece, retrying partial writes and EINTR; 0 or -1 (errno).  Advances iov. */
struct iovec;
ALLOC_TAG_HIDDEN int alloc_tag_write_all(int fd, struct iovec *iov, int n);
/* Writes prefix (may be NULL) and e's whole report line, however long, in one writev. */
ALLOC_TAG_HIDDEN int alloc_tag_write_entry(int fd, const char *prefix, const struct alloc_tag_entry *e);

/* peak.c: takes (1) or releases (0) the peak tables' lock, for fork; taken after the
 * registry's lock and before threads_mutex. */
ALLOC_TAG_HIDDEN void alloc_tag_peak_lock(int lock);
/* peak.c: sets e's peak_bytes (never below e->bytes) and bytes_at_peak from the sampled
 * tables, without a lock: a reader racing a new process peak may mix two peaks' rows. */
ALLOC_TAG_HIDDEN void alloc_tag_peak_at(uint32_t index, struct alloc_tag_entry *e);

/* report.c: "%<width>lli" into buf, which must hold 24 + width bytes; returns the length. */
ALLOC_TAG_HIDDEN size_t alloc_tag_format_int(char *buf, long long value, int width);

/* oom.c */
ALLOC_TAG_HIDDEN void alloc_tag_out_of_memory(size_t bytes);

#endif /* ALLOC_TAG_INTERNAL_H */
