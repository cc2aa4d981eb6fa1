/*
 * debug.c - debug mode (ALLOCTAG_DEBUG=1|fatal, the kernel's CONFIG_MEM_ALLOC_PROFILING_DEBUG).
 *
 * One-shot warnings at the place an invariant breaks, each naming where it happened:
 *   - an allocation with no current tag called from an instrumented image's code;
 *   - a free of memory that never carried a reference;
 *   - the current tag changed inside a hooked region.
 * Every occurrence is counted; with "fatal" the process exits non-zero at exit if any fired.
 */
#include "internal.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { WARN_UNTAGGED, WARN_FOREIGN_FREE, WARN_TAG_CHANGED, WARN_KINDS };

static unsigned long warnings[WARN_KINDS];
static int warned_once[WARN_KINDS];

/* Executable segments of images that contain tags, recorded at registration (outside the
 * allocator), so the allocator can tell instrumented callers without asking the loader. */
#define MAX_IMAGES 64
struct text_range {
	uintptr_t start, end;
};
static struct text_range instrumented[MAX_IMAGES * 4];
static int instrumented_count;

struct find_image {
	uintptr_t address;
	int found;
};

static int record_image(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_image *find = arg;
	(void)size;
	int contains = 0;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && find->address >= lo && find->address < lo + ph->p_memsz)
			contains = 1;
	}
	if (!contains)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		int n = __atomic_load_n(&instrumented_count, __ATOMIC_RELAXED);
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || n >= MAX_IMAGES * 4)
			continue;
		instrumented[n].start = info->dlpi_addr + ph->p_vaddr;
		instrumented[n].end = instrumented[n].start + ph->p_memsz;
		__atomic_store_n(&instrumented_count, n + 1, __ATOMIC_RELEASE);
	}
	find->found = 1;
	return 1;
}

void alloc_tag_debug_image(struct codetag *start)
{
	struct find_image find = { (uintptr_t)start, 0 };

	if (alloc_tag_debug_level == 0)
		return;
	codetag_registry_lock();
	for (int i = 0; i < instrumented_count; i++) {
		if (find.address >= instrumented[i].start && find.address < instrumented[i].end) {
			codetag_registry_unlock();
			return;
		}
	}
	codetag_registry_unlock();
	dl_iterate_phdr(record_image, &find);
}

static int from_instrumented(const void *caller)
{
	int n = __atomic_load_n(&instrumented_count, __ATOMIC_ACQUIRE);
	for (int i = 0; i < n; i++) {
		if ((uintptr_t)caller >= instrumented[i].start && (uintptr_t)caller < instrumented[i].end)
			return 1;
	}
	return 0;
}

/* "symbol+0x1f (image)" for an address; dladdr neither allocates nor takes our locks. */
static void describe_address(const void *address, char *buf, size_t size)
{
	Dl_info info;

	if (dladdr(address, &info) != 0 && info.dli_sname != NULL) {
		snprintf(buf, size, "%s+0x%lx (%s)", info.dli_sname,
			 (unsigned long)((uintptr_t)address - (uintptr_t)info.dli_saddr),
			 info.dli_fname ? info.dli_fname : "?");
	} else if (dladdr(address, &info) != 0 && info.dli_fname != NULL) {
		snprintf(buf, size, "%p (%s+0x%lx)", address, info.dli_fname,
			 (unsigned long)((uintptr_t)address - (uintptr_t)info.dli_fbase));
	} else {
		snprintf(buf, size, "%p", address);
	}
}

static int first_time(int kind)
{
	__atomic_fetch_add(&warnings[kind], 1, __ATOMIC_RELAXED);
	return !__atomic_exchange_n(&warned_once[kind], 1, __ATOMIC_RELAXED);
}

void alloc_tag_debug_untagged(void *caller)
{
	char where[512];

	if (!from_instrumented(caller) || !first_time(WARN_UNTAGGED))
		return;
	describe_address(caller, where, sizeof(where));
	alloc_tag_warn("allocation with no current tag from instrumented code at ", where,
		       " (wrap the call in alloc_hooks(), or annotate the file with `tagger annotate`)");
}

void alloc_tag_debug_foreign_free(void *ptr, void *caller)
{
	char where[512], address[32];

	if (!first_time(WARN_FOREIGN_FREE))
		return;
	describe_address(caller, where, sizeof(where));
	snprintf(address, sizeof(address), "%p", ptr);
	alloc_tag_warn("free of ", address, " which never carried an allocation tag reference, at ", where,
		       " (memory from an allocator other than this process's malloc, or a double free)");
}

static void describe_tag(const struct alloc_tag *tag, char *buf, size_t size)
{
	const struct codetag *ct = &tag->ct;
	const char *file = codetag_string(ct, ct->filename), *function = codetag_string(ct, ct->function);

	snprintf(buf, size, "%s:%u func:%s", file ? alloc_tag_display_filename(file) : "?", ct->lineno, function ? function : "?");
}

void alloc_tag_warn_changed(struct alloc_tag *expected, struct alloc_tag *found)
{
	char a[512], b[512];

	if (alloc_tag_debug_level == 0 || !first_time(WARN_TAG_CHANGED))
		return;
	describe_tag(expected, a, sizeof(a));
	if (found != NULL)
		describe_tag(found, b, sizeof(b));
	else
		snprintf(b, sizeof(b), "no tag");
	alloc_tag_warn("the current tag changed inside the hooked region of ", a, " (found ", b,
		       "): a hook was left without restoring its tag");
}

void alloc_tag_debug_at_exit(void)
{
	unsigned long total = 0;
	char number[32];

	if (alloc_tag_debug_level < 2)
		return;
	for (int i = 0; i < WARN_KINDS; i++)
		total += __atomic_load_n(&warnings[i], __ATOMIC_RELAXED);
	if (total == 0)
		return;
	snprintf(number, sizeof(number), "%lu", total);
	alloc_tag_warn("ALLOCTAG_DEBUG=fatal: ", number, " debug warning(s) fired; exiting with status 1");
	fflush(NULL);
	_exit(1);
}
