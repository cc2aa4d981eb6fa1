/*
 * codetag.c - the generic code-tag registry: images' tag ranges, the index table, strings.
 *
 * Invariants:
 * - A registered tag has a unique index in [CODETAG_FIRST_INDEX, index_limit); index 1 is
 *   reserved for the consumer's synthetic untagged site, 0 means "not registered".
 * - slots[i].ct points at the record while its image is loaded, and at a copy owned by the
 *   runtime (strings included) once codetag_unregister_range() ran; a slot is never reused,
 *   so a back-reference holding index i stays meaningful for the life of the process.
 * - Nothing here calls into the dynamic loader while registry_mutex is held: the allocator
 *   may take registry_mutex while the loader holds its own lock (dlopen allocates).
 */
#include "internal.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

enum {
	SLOT_UNLOADED = 1u << 0,   /* its image is gone; the record is the runtime's copy */
	SLOT_INACCURATE = 1u << 1, /* a reference could not be recorded for it */
	SLOT_RESOLVED = 1u << 2,   /* modname below is final */
};

struct codetag_range {
	struct codetag *start;
	struct codetag *stop;
	struct codetag_range *next;
	const char *modname; /* the image's name, valid once resolved */
	int resolved;
};

struct codetag_slot {
	struct codetag *ct;
	const char *modname; /* NULL: main executable (valid once SLOT_RESOLVED) */
	struct codetag_range *range; /* NULL when registered on first use */
	/* The tag's strings once read; copies owned by the runtime for shared libraries, whose
	 * own memory goes away at dlclose (a report's strings must outlive it). */
	const char *function;
	const char *filename;
	/* SLOT_* bits.  Every access is atomic: SLOT_INACCURATE is or-ed in without the lock from
	 * inside the allocator while other bits change under it (a plain |= would race). */
	uint32_t state;
};

static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct codetag_slot *slots;
static uint32_t index_limit = CODETAG_FIRST_INDEX;
static struct codetag_range *ranges;

void codetag_registry_lock(void) { rt_lock(&registry_mutex); }
void codetag_registry_unlock(void) { rt_unlock(&registry_mutex); }

/* ---- A bump arena for the registry's own memory (never through malloc) --------------- */

static char *arena_next;
static size_t arena_left;

/* Caller holds registry_mutex. */
void *codetag_arena_alloc(size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (size > arena_left) {
		size_t chunk = size > (1u << 16) ? size : (1u << 16);
		void *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		arena_next = p;
		arena_left = chunk;
	}
	void *result = arena_next;
	arena_next += size;
	arena_left -= size;
	return result;
}

/* Caller holds registry_mutex.  The table is reserved whole (24 MiB of address space) and
 * only the pages that hold used slots are ever touched. */
static int ensure_slots(void)
{
	if (slots != NULL)
		return 0;
	void *p = mmap(NULL, sizeof(struct codetag_slot) * ((size_t)CODETAG_MAX_INDEX + 1),
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	__atomic_store_n(&slots, (struct codetag_slot *)p, __ATOMIC_RELEASE); /* read with no lock below */
	return 0;
}

/* Caller holds registry_mutex.  Returns the new index, or 0 when the table is full. */
static uint32_t assign_index(struct codetag *ct)
{
	if (ensure_slots() != 0 || index_limit > CODETAG_MAX_INDEX)
		return 0;
	uint32_t index = index_limit;
	slots[index].ct = ct;
	slots[index].modname = NULL;
	slots[index].range = NULL;
	slots[index].function = NULL;
	slots[index].filename = NULL;
	__atomic_store_n(&slots[index].state, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ct->index, index, __ATOMIC_RELEASE);
	/* Published last, and atomically: reports read the limit with no lock
	 * (codetag_index_limit) and then find every slot below it initialised. */
	__atomic_store_n(&index_limit, index + 1, __ATOMIC_RELEASE);
	return index;
}

void codetag_reserve(uint32_t index, struct codetag *ct)
{
	rt_lock(&registry_mutex);
	if (ensure_slots() == 0) {
		slots[index].ct = ct;
		slots[index].modname = NULL;
		slots[index].range = NULL;
		slots[index].function = ct->function;
		slots[index].filename = ct->filename;
		__atomic_store_n(&slots[index].state, SLOT_RESOLVED, __ATOMIC_RELEASE);
		__atomic_store_n(&ct->index, index, __ATOMIC_RELEASE);
	}
	rt_unlock(&registry_mutex);
}

uint32_t codetag_register_one(struct codetag *ct)
{
	uint32_t index;

	if (ct->magic != CODETAG_MAGIC)
		return ALLOC_TAG_UNTAGGED_INDEX;
	rt_lock(&registry_mutex);
	index = ct->index;
	if (index == 0)
		index = assign_index(ct);
	rt_unlock(&registry_mutex);
	return index != 0 ? index : ALLOC_TAG_UNTAGGED_INDEX;
}

/* Records are 40 bytes and 8-aligned, but a compiler may pad between objects: step over
 * anything that does not start with the magic, 8 bytes at a time. */
static struct codetag *next_record(struct codetag *ct, struct codetag *stop)
{
	char *p = (char *)ct;
	while (p + sizeof(struct codetag) <= (char *)stop) {
		if (((struct codetag *)p)->magic == CODETAG_MAGIC)
			return (struct codetag *)p;
		p += 8;
	}
	return NULL;
}

void codetag_register_range(struct codetag *start, struct codetag *stop)
{
	if (start == NULL || stop <= start)
		return;
	struct codetag_range *range;

	rt_lock(&registry_mutex);
	for (range = ranges; range != NULL; range = range->next) {
		if (range->start == start) {
			rt_unlock(&registry_mutex);
			return;
		}
	}
	range = codetag_arena_alloc(sizeof(*range));
	if (range != NULL) {
		range->start = start;
		range->stop = stop;
		range->next = ranges;
		range->modname = NULL;
		range->resolved = 0;
		ranges = range;
	}
	for (struct codetag *ct = next_record(start, stop); ct != NULL; ct = next_record(ct + 1, stop)) {
		uint32_t index = ct->index;
		if (index == 0 && (index = assign_index(ct)) == 0)
			break;
		if (slots[index].range == NULL)
			slots[index].range = range;
	}
	rt_unlock(&registry_mutex);
}

/* ---- Strings -------------------------------------------------------------------------- */

typedef const char *(*codetag_string_fn)(void);

const char *codetag_string(const struct codetag *ct, const char *field)
{
	if (field == NULL)
		return NULL;
	if (ct->flags & CODETAG_FLAG_STRING_FNS)
		return ((codetag_string_fn)(uintptr_t)field)();
	return field;
}

struct image_query {
	uintptr_t address;
	char *buf;
	size_t size;
	int found;  /* 1: the image holding address is a library, its name is in buf */
};

/* Runs under the loader's dl_load_write_lock: an image cannot be unlinked (nor its name
 * freed) while this looks at it, so the name is copied here, never read afterwards. */
static int image_name_visit(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct image_query *q = arg;
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = (uintptr_t)info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD || q->address < start || q->address - start >= ph->p_memsz)
			continue;
		const char *name = info->dlpi_name;
		if (name == NULL || name[0] == '\0')
			return 1; /* the main executable */
		const char *base = strrchr(name, '/');
		base = base ? base + 1 : name;
		size_t n = strlen(base);
		const char *so = strstr(base, ".so");
		if (so != NULL)
			n = (size_t)(so - base);
		if (n >= q->size)
			n = q->size - 1;
		memcpy(q->buf, base, n);
		q->buf[n] = '\0';
		q->found = 1;
		return 1;
	}
	return 0;
}

/* "…/libfoo.so.1" -> "libfoo"; NULL for the main executable.  Caller holds no lock: the
 * look-up runs under the loader's lock that unlinking an image takes (dl_iterate_phdr), not
 * dladdr's: dladdr returns the image's link_map, which a dlclose on another thread may free
 * before its name is read (TSan saw the use after free: test_registry_race).  Not under
 * registry_mutex either: an unloading image's destructor takes that lock while the loader
 * holds its own. */
static const char *image_name_of(const void *address, char *buf, size_t size)
{
	struct image_query q = { (uintptr_t)address, buf, size, 0 };

	dl_iterate_phdr(image_name_visit, &q);
	return q.found ? buf : NULL;
}

static const char *copy_string(const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s) + 1;
	char *copy = codetag_arena_alloc(n);
	if (copy != NULL)
		memcpy(copy, s, n);
	return copy;
}

/* Resolves the module name of slot `index` once (loader calls happen outside the lock);
 * tags of a registered range share one look-up per image. */
static void resolve_modname(uint32_t index)
{
	struct codetag *ct;
	struct codetag_range *range;
	char name[256];
	const char *resolved;

	if (__atomic_load_n(&slots[index].state, __ATOMIC_ACQUIRE) & SLOT_RESOLVED)
		return;
	/* Under the lock the record's image cannot finish unloading: its destructor needs the
	 * lock to swap the record for a copy. */
	rt_lock(&registry_mutex);
	ct = slots[index].ct;
	range = slots[index].range;
	/* An explicit name (ALLOC_TAG_MODNAME) wins over the image's. */
	resolved = codetag_string(ct, ct->modname);
	if (resolved != NULL && resolved[0] == '\0')
		resolved = NULL;
	if (resolved != NULL)
		resolved = copy_string(resolved);
	rt_unlock(&registry_mutex);
	if (resolved == NULL) {
		int known = 0;
		if (range != NULL) {
			rt_lock(&registry_mutex);
			known = range->resolved;
			resolved = range->modname;
			rt_unlock(&registry_mutex);
		}
		if (!known) {
			const void *where = range != NULL ? (const void *)range->start : (const void *)ct;
			const char *found = image_name_of(where, name, sizeof(name));
			rt_lock(&registry_mutex);
			resolved = found != NULL ? copy_string(found) : NULL;
			if (range != NULL && !range->resolved) {
				range->modname = resolved;
				range->resolved = 1;
			}
			rt_unlock(&registry_mutex);
		}
	}
	rt_lock(&registry_mutex);
	if (!(__atomic_load_n(&slots[index].state, __ATOMIC_RELAXED) & SLOT_RESOLVED)) {
		slots[index].modname = resolved;
		__atomic_fetch_or(&slots[index].state, SLOT_RESOLVED, __ATOMIC_RELEASE);
	}
	rt_unlock(&registry_mutex);
}

void codetag_unregister_range(struct codetag *start, struct codetag *stop)
{
	struct codetag_range **link;

	if (start == NULL || stop <= start)
		return;
	/* Resolve names while the image is still mapped, before taking the lock. */
	for (struct codetag *ct = next_record(start, stop); ct != NULL; ct = next_record(ct + 1, stop)) {
		uint32_t index = __atomic_load_n(&ct->index, __ATOMIC_ACQUIRE);
		if (index != 0 && slots != NULL && slots[index].ct == ct)
			resolve_modname(index);
	}

	rt_lock(&registry_mutex);
	for (link = &ranges; *link != NULL; link = &(*link)->next) {
		if ((*link)->start == start) {
			*link = (*link)->next;
			break;
		}
	}
	for (struct codetag *ct = next_record(start, stop); ct != NULL; ct = next_record(ct + 1, stop)) {
		uint32_t index = ct->index;
		if (index == 0 || slots[index].ct != ct)
			continue;
		struct codetag *copy = codetag_arena_alloc(sizeof(*copy));
		if (copy == NULL)
			continue; /* keep pointing at the record: its line is lost, counts are not */
		copy->magic = CODETAG_MAGIC;
		copy->flags = ct->flags & ~(uint32_t)CODETAG_FLAG_STRING_FNS;
		copy->lineno = ct->lineno;
		copy->index = index;
		copy->modname = NULL;
		/* Copied even when cached: a cached pointer may point into the departing image. */
		copy->function = copy_string(slots[index].function ? slots[index].function : codetag_string(ct, ct->function));
		copy->filename = copy_string(slots[index].filename ? slots[index].filename : codetag_string(ct, ct->filename));
		slots[index].function = copy->function;
		slots[index].filename = copy->filename;
		slots[index].ct = copy;
		__atomic_fetch_or(&slots[index].state, SLOT_UNLOADED, __ATOMIC_RELAXED);
	}
	rt_unlock(&registry_mutex);
}

/* ---- Reading ------------------------------------------------------------------------- */

uint32_t codetag_index_limit(void)
{
	return __atomic_load_n(&index_limit, __ATOMIC_ACQUIRE);
}

int codetag_info_at(uint32_t index, struct codetag_info *info)
{
	struct codetag_slot *slot;
	struct codetag *ct;

	/* The limit first (an acquire load): a slot below it was published with the slots. */
	if (index == 0 || index >= codetag_index_limit() || slots == NULL)
		return 0;
	resolve_modname(index);
	rt_lock(&registry_mutex);
	slot = &slots[index];
	ct = slot->ct;
	if (slot->function == NULL || slot->filename == NULL) {
		const char *function = codetag_string(ct, ct->function);
		const char *filename = codetag_string(ct, ct->filename);
		/* The main executable's strings live as long as the process; a library's do not. */
		int copy = slot->modname != NULL && !(__atomic_load_n(&slot->state, __ATOMIC_RELAXED) & SLOT_UNLOADED);
		slot->function = function == NULL ? "?" : copy ? copy_string(function) : function;
		slot->filename = filename == NULL ? "?" : copy ? copy_string(filename) : filename;
	}
	info->modname = slot->modname;
	info->function = slot->function ? slot->function : "?";
	info->filename = slot->filename ? slot->filename : "?";
	info->lineno = ct->lineno;
	info->flags = ct->flags;
	if (__atomic_load_n(&slot->state, __ATOMIC_RELAXED) & SLOT_INACCURATE)
		info->flags |= CODETAG_FLAG_INACCURATE;
	rt_unlock(&registry_mutex);
	return 1;
}

/* No lock: the table pointer is published once (release) and read with acquire. */
int codetag_info_unloaded(uint32_t index)
{
	struct codetag_slot *table = __atomic_load_n(&slots, __ATOMIC_ACQUIRE);
	return table != NULL && index <= CODETAG_MAX_INDEX &&
	       (__atomic_load_n(&table[index].state, __ATOMIC_RELAXED) & SLOT_UNLOADED) != 0;
}

/* May run inside the allocator: no lock, a relaxed or-in of a sticky flag. */
void codetag_mark_inaccurate(uint32_t index)
{
	struct codetag_slot *table = __atomic_load_n(&slots, __ATOMIC_ACQUIRE);
	if (table != NULL && index <= CODETAG_MAX_INDEX)
		__atomic_fetch_or(&table[index].state, SLOT_INACCURATE, __ATOMIC_RELAXED);
}
