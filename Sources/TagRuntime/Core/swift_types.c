/*
 * swift_types.c - which Swift class types each site allocated (swift_allocObject's metadata),
 * for the extended report's "+ type" lines (extended.c); the v2.0 report never shows them.
 *
 * Where the metadata is seen: this file defines swift_allocObject (weak, C calling convention,
 * as the Swift runtime declares it), so every call that binds to the runtime's definition
 * instead of libswiftCore's is seen: the code of the executable that links CAllocTag (SwiftPM
 * links every module of the package and its dependencies into it: classes, closure contexts,
 * specialized array and dictionary storage) and, when the runtime is libTagRuntimePreload.so or
 * the executable exports the symbol (SwiftPM's do), other libraries' calls through their PLT
 * (Foundation).  Not seen: libswiftCore's own calls (direct calls inside that library:
 * unspecialized generic stdlib code, swift_allocBox).  No cost anywhere else: retain and
 * release are untouched.  ALLOCTAG_SWIFT_TYPES=0 (settings.c) leaves it forwarding only.
 *
 * Not used: the hook Instruments uses (libswiftCore's `_swift_allocObject` function pointer),
 * which would see libswiftCore's own calls too.  In Swift 6.3.1 on Linux, once that pointer
 * differs from its default, swift_allocObject sets the swizzling flag itself, and from then on
 * every swift_retain/swift_release goes through an adapter that masks the object pointer
 * (& 0x00fffffffffffff8) before the indirect call: a value whose high bits mark it as not a
 * native object (a String's bridge object) is then dereferenced and the program crashes
 * (seen on the probe's --types-cost); besides, retains and releases cost about a third more
 * (docs/performance.md, Tests/SwiftTypes/hook-cost.swift).
 *
 * Invariants:
 * - Swift is looked up at run time and absent means off: swift_getTypeName is a weak
 *   reference (NULL in a C program, which never calls swift_allocObject either), and dlsym runs
 *   only once it is known to be there (a failed dlsym would malloc its error text).
 * - Nothing is recorded on the malloc path: only swift_allocObject (after its own malloc,
 *   which charged the same current tag) records a type.  Names are resolved when a report is
 *   written (swift_getTypeName), never while allocating.
 * - No malloc inside: the site table is static and its entries are claimed with compare-and-
 *   swap; counters are per thread (single writer, relaxed stores) in mmap'd chunks, folded into
 *   a shared total when the thread exits, as alloc_tag.c's counters are.
 * - Bounded and never silent: TYPES_PER_SITE types per site, further types of that site are
 *   counted on its "<other types>" line; an allocation whose site finds no free entry within
 *   TYPE_SITE_PROBES of its hash (the table holds TYPE_SITES sites) is counted in the report's
 *   "# types not recorded:" line.
 * - Counts only grow: instances and bytes ever allocated per type.  Live bytes per type are
 *   not kept: a free does not carry its type (swift_deallocObject has no hook, and reading an
 *   object's first word in free() would cost every free and could misread a plain block).
 */
#include "internal.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

/* ---- Swift, looked up at run time ---------------------------------------------------- */

/* swift_getTypeName returns {data, length} in two registers under the Swift calling
 * convention, exactly as C returns this two-word struct on x86-64 and AArch64. */
struct swift_type_name {
	const char *data;
	uintptr_t length;
};
#if defined(__has_attribute)
#if __has_attribute(swiftcall)
#define ALLOC_TAG_SWIFTCALL __attribute__((swiftcall))
#endif
#endif
#ifndef ALLOC_TAG_SWIFTCALL
#define ALLOC_TAG_SWIFTCALL
#endif
extern struct swift_type_name swift_getTypeName(const void *type, bool qualified) ALLOC_TAG_SWIFTCALL
	__attribute__((weak));

typedef void *(*alloc_object_fn)(const void *metadata, size_t size, size_t align_mask);

/* libswiftCore's swift_allocObject (what the interposed one forwards to). */
static alloc_object_fn next_alloc_object;

/* ---- The table ------------------------------------------------------------------------ */

struct type_site {
	uint32_t index;                       /* the site's tag index; 0: free */
	const void *types[TYPES_PER_SITE];    /* metadata pointers; NULL: free */
};
static struct type_site type_sites[TYPE_SITES];
static int types_in_use; /* set when the first site is claimed: reports skip all else */

/* Exited threads' counters, added to with atomics (chunks published with compare-and-swap). */
static struct alloc_tag_type_cell *exited_types[TYPE_CHUNKS];
static int64_t unrecorded_calls, unrecorded_bytes;

static struct alloc_tag_type_cell *new_type_chunk(void)
{
	void *p = mmap(NULL, TYPE_CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static uint32_t site_hash(uint32_t index)
{
	return (index * 2654435761u) >> (32 - TYPE_SITES_SHIFT);
}

/* The table entry of `index`, claimed when claim is set; -1 when none. */
static int find_site(uint32_t index, int claim)
{
	uint32_t h = site_hash(index);

	for (uint32_t probe = 0; probe < TYPE_SITE_PROBES; probe++) {
		uint32_t at = (h + probe) & (TYPE_SITES - 1);
		uint32_t seen = __atomic_load_n(&type_sites[at].index, __ATOMIC_ACQUIRE);
		if (seen == index)
			return (int)at;
		if (seen != 0)
			continue;
		if (!claim)
			return -1;
		if (__atomic_compare_exchange_n(&type_sites[at].index, &seen, index, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			if (!load_relaxed(&types_in_use))
				__atomic_store_n(&types_in_use, 1, __ATOMIC_RELEASE);
			return (int)at;
		}
		if (seen == index)
			return (int)at;
	}
	return -1;
}

/* The type's position in its site (TYPES_PER_SITE: the site's other types). */
static uint32_t find_type(struct type_site *s, const void *metadata)
{
	for (uint32_t j = 0; j < TYPES_PER_SITE; j++) {
		const void *seen = __atomic_load_n(&s->types[j], __ATOMIC_ACQUIRE);
		if (seen == metadata)
			return j;
		if (seen != NULL)
			continue;
		if (__atomic_compare_exchange_n(&s->types[j], &seen, metadata, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
		    seen == metadata)
			return j;
	}
	return TYPES_PER_SITE;
}

/* The exited threads' chunk ci, published on first use; NULL when no memory could be had. */
static struct alloc_tag_type_cell *exited_type_chunk(uint32_t ci)
{
	struct alloc_tag_type_cell *c = __atomic_load_n(&exited_types[ci], __ATOMIC_ACQUIRE);

	if (c == NULL) {
		struct alloc_tag_type_cell *fresh = new_type_chunk();
		if (fresh == NULL)
			return NULL;
		if (__atomic_compare_exchange_n(&exited_types[ci], &c, fresh, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			c = fresh;
		else
			munmap(fresh, TYPE_CHUNK_BYTES);
	}
	return c;
}

static void add_unrecorded(int64_t calls, int64_t bytes)
{
	__atomic_fetch_add(&unrecorded_calls, calls, __ATOMIC_RELAXED);
	__atomic_fetch_add(&unrecorded_bytes, bytes, __ATOMIC_RELAXED);
}

static void add_exited_type(uint32_t slot, int64_t calls, int64_t bytes)
{
	struct alloc_tag_type_cell *c = exited_type_chunk(slot >> TYPE_CHUNK_SHIFT);

	if (c == NULL) {
		add_unrecorded(calls, bytes);
		return;
	}
	c += slot & (TYPE_CHUNK_SIZE - 1);
	__atomic_fetch_add(&c->calls, calls, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->bytes, bytes, __ATOMIC_RELAXED);
}

/* The site's index as malloc charged it just before: the thread's tag, else the task's. */
static uint32_t current_site(void)
{
	struct alloc_tag *tag = alloc_tag_current_tag();

	if (tag == NULL)
		return ALLOC_TAG_UNTAGGED_INDEX;
	uint32_t index = load_relaxed(&tag->ct.index);
	return index != 0 ? index : codetag_register_one(&tag->ct);
}

/* The slot of (index, metadata): the site's entry claimed, the type's claimed or the site's
 * other types; -1 when the site finds no entry. */
static int find_slot(uint32_t index, const void *metadata)
{
	int site = find_site(index, 1);
	if (site < 0)
		return -1;
	return site * (int)TYPE_SLOTS_PER_SITE + (int)find_type(&type_sites[site], metadata);
}

static void record(const void *metadata, size_t size)
{
	struct alloc_tag_thread *self = alloc_tag_self;
	uint32_t index;
	int slot;

	if (!load_relaxed(&alloc_tag_counting) || metadata == NULL)
		return;
	index = current_site();
	if (self == NULL || self->exited) {
		slot = find_slot(index, metadata);
		if (slot < 0)
			add_unrecorded(1, (int64_t)size);
		else
			add_exited_type((uint32_t)slot, 1, (int64_t)size);
		return;
	}
	/* Index 0 is no site, so the zeroed cache never matches. */
	if (self->type_last_index == index && self->type_last_metadata == metadata) {
		slot = (int)self->type_last_slot;
	} else {
		slot = find_slot(index, metadata);
		if (slot < 0) {
			add_unrecorded(1, (int64_t)size);
			return;
		}
		self->type_last_index = index;
		self->type_last_metadata = metadata;
		self->type_last_slot = (uint32_t)slot;
	}
	struct alloc_tag_type_cell *c = self->type_chunk[(uint32_t)slot >> TYPE_CHUNK_SHIFT];
	if (unlikely(c == NULL)) {
		c = new_type_chunk();
		if (c == NULL) {
			add_exited_type((uint32_t)slot, 1, (int64_t)size);
			return;
		}
		__atomic_store_n(&self->type_chunk[(uint32_t)slot >> TYPE_CHUNK_SHIFT], c, __ATOMIC_RELEASE);
	}
	c += (uint32_t)slot & (TYPE_CHUNK_SIZE - 1);
	store_relaxed(&c->calls, load_relaxed(&c->calls) + 1);
	store_relaxed(&c->bytes, load_relaxed(&c->bytes) + (int64_t)size);
}

/* ---- The way in ----------------------------------------------------------------------- */

static alloc_object_fn resolve_next(void)
{
	alloc_object_fn next = __atomic_load_n(&next_alloc_object, __ATOMIC_ACQUIRE);
	if (next == NULL) {
		next = (alloc_object_fn)dlsym(RTLD_NEXT, "swift_allocObject");
		if (next == NULL) {
			alloc_tag_warn("swift_allocObject called but no Swift runtime defines it after alloctag");
			__builtin_trap();
		}
		__atomic_store_n(&next_alloc_object, next, __ATOMIC_RELEASE);
	}
	return next;
}

/* Weak: a program that links the Swift runtime statically keeps the runtime's own (and gets
 * no types). */
__attribute__((weak, visibility("default"))) void *swift_allocObject(const void *metadata, size_t size,
								      size_t align_mask)
{
	alloc_object_fn next = __atomic_load_n(&next_alloc_object, __ATOMIC_ACQUIRE);
	void *object = (next != NULL ? next : resolve_next())(metadata, size, align_mask);

	if (alloc_tag_config.swift_types)
		record(metadata, size);
	return object;
}

/* Resolves the forwarding early (constructor), when Swift is there: a failed dlsym would malloc. */
void alloc_tag_types_setup(void)
{
	if (&swift_getTypeName != NULL && alloc_tag_config.swift_types)
		resolve_next();
}

/* ---- Threads -------------------------------------------------------------------------- */

/* Called with the thread list locked, before the thread leaves it (alloc_tag.c). */
void alloc_tag_types_fold(struct alloc_tag_thread *self)
{
	for (uint32_t ci = 0; ci < TYPE_CHUNKS; ci++) {
		struct alloc_tag_type_cell *c = self->type_chunk[ci];
		if (c == NULL)
			continue;
		for (uint32_t i = 0; i < TYPE_CHUNK_SIZE; i++) {
			if (c[i].calls != 0)
				add_exited_type((ci << TYPE_CHUNK_SHIFT) + i, c[i].calls, c[i].bytes);
		}
	}
}

void alloc_tag_types_release(struct alloc_tag_thread *self)
{
	for (uint32_t ci = 0; ci < TYPE_CHUNKS; ci++) {
		if (self->type_chunk[ci] != NULL)
			munmap(self->type_chunk[ci], TYPE_CHUNK_BYTES);
	}
}

/* ---- Reading -------------------------------------------------------------------------- */

static void add_chunks(struct alloc_tag_type_cell *out, struct alloc_tag_type_cell *const *chunks)
{
	for (uint32_t ci = 0; ci < TYPE_CHUNKS; ci++) {
		struct alloc_tag_type_cell *c = __atomic_load_n(&chunks[ci], __ATOMIC_ACQUIRE);
		if (c == NULL)
			continue;
		for (uint32_t i = 0; i < TYPE_CHUNK_SIZE; i++) {
			out[(ci << TYPE_CHUNK_SHIFT) + i].calls += load_relaxed(&c[i].calls);
			out[(ci << TYPE_CHUNK_SHIFT) + i].bytes += load_relaxed(&c[i].bytes);
		}
	}
}

/* NULL: the exited threads' total. */
static void add_thread(struct alloc_tag_thread *t, void *out)
{
	add_chunks(out, t != NULL ? t->type_chunk : exited_types);
}

struct alloc_tag_type_sums *alloc_tag_types_sum(void)
{
	struct alloc_tag_type_sums *s;

	if (!__atomic_load_n(&types_in_use, __ATOMIC_ACQUIRE))
		return NULL;
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return NULL;
	/* The exited total is read under the thread list's lock too, so a thread folding at this
	 * moment is counted once: before its fold (its block) or after (the total). */
	alloc_tag_visit_threads(add_thread, s->cells);
	s->unrecorded_calls = __atomic_load_n(&unrecorded_calls, __ATOMIC_RELAXED);
	s->unrecorded_bytes = __atomic_load_n(&unrecorded_bytes, __ATOMIC_RELAXED);
	return s;
}

void alloc_tag_types_free(struct alloc_tag_type_sums *s)
{
	if (s != NULL)
		munmap(s, sizeof(*s));
}

/* Appends s to out[*n .. size), control bytes as '?', cut at TYPE_NAME_MAX bytes with "...". */
static void put_name(char *out, size_t size, size_t *n, const char *s, size_t len)
{
	size_t cut = len > TYPE_NAME_MAX ? TYPE_NAME_MAX : len;
	for (size_t i = 0; i < cut && *n < size; i++)
		out[(*n)++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (cut < len)
		for (int i = 0; i < 3 && *n < size; i++)
			out[(*n)++] = '.';
}

static size_t type_line(char *out, size_t size, const struct alloc_tag_type_cell *c, const void *metadata)
{
	static const char head[] = "+ type ";
	char hex[2 + 16 + 1];
	size_t n = 0;

	if (size < TYPE_LINE_MAX)
		return 0;
	memcpy(out, head, sizeof(head) - 1), n += sizeof(head) - 1;
	n += alloc_tag_format_int(out + n, c->calls, 10);
	out[n++] = ' ';
	n += alloc_tag_format_int(out + n, c->bytes, 14);
	out[n++] = ' ';
	if (metadata == NULL) {
		put_name(out, size, &n, "<other types>", 13);
	} else if (&swift_getTypeName != NULL) {
		struct swift_type_name name = swift_getTypeName(metadata, true);
		put_name(out, size, &n, name.data, name.length);
	} else {
		uintptr_t v = (uintptr_t)metadata;
		int digits = 0;
		put_name(out, size, &n, "<metadata 0x", 12);
		for (uintptr_t t = v; t != 0 || digits == 0; t >>= 4)
			digits++;
		for (int i = 0; i < digits; i++)
			hex[i] = "0123456789abcdef"[(v >> (4 * (digits - 1 - i))) & 15];
		put_name(out, size, &n, hex, (size_t)digits);
		put_name(out, size, &n, ">", 1);
	}
	out[n++] = '\n';
	return n;
}

size_t alloc_tag_types_lines(const struct alloc_tag_type_sums *s, uint32_t index, char *out, size_t size)
{
	int site;
	uint32_t order[TYPE_SLOTS_PER_SITE], count = 0;
	size_t n = 0;

	if (s == NULL || (site = find_site(index, 0)) < 0)
		return 0;
	const struct alloc_tag_type_cell *cells = &s->cells[(uint32_t)site * TYPE_SLOTS_PER_SITE];
	/* Most instances first (ties: first seen first); the site's other types last. */
	for (uint32_t j = 0; j < TYPES_PER_SITE; j++) {
		if (cells[j].calls <= 0)
			continue;
		uint32_t at = count++;
		for (; at > 0 && cells[order[at - 1]].calls < cells[j].calls; at--)
			order[at] = order[at - 1];
		order[at] = j;
	}
	if (cells[TYPES_PER_SITE].calls > 0)
		order[count++] = TYPES_PER_SITE;
	for (uint32_t k = 0; k < count; k++) {
		const void *metadata = order[k] == TYPES_PER_SITE
			? NULL : __atomic_load_n(&type_sites[site].types[order[k]], __ATOMIC_ACQUIRE);
		n += type_line(out + n, size - n, &cells[order[k]], metadata);
	}
	return n;
}
