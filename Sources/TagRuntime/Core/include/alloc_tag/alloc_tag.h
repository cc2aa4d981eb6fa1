/*
 * alloc_tag.h - memory allocation profiling: the allocation consumer of code tags.
 *
 * Every annotated call site owns a static struct alloc_tag in the "alloc_tags" section.
 * alloc_hooks(expr) makes that tag the thread's current tag while expr runs; the
 * interposed allocator charges the current tag and remembers it per allocation, so the
 * free that comes later uncharges the same site.  Nesting: the innermost tag wins.
 *
 * Build settings (the kernel's Kconfig):
 *   ALLOC_TAG_PROFILING=0   compiles every hook away (CONFIG_MEM_ALLOC_PROFILING=n)
 * Run-time settings: ALLOCTAG_PROFILING={0|1|never}[,header], ALLOCTAG_REPORT=PATH|-,
 * ALLOCTAG_DEBUG={0|1|fatal}, ALLOCTAG_INSPECT; settings.c has the table, README.md the rest.
 */
#ifndef ALLOC_TAG_ALLOC_TAG_H
#define ALLOC_TAG_ALLOC_TAG_H

#include "codetag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ALLOC_TAG_PROFILING
#define ALLOC_TAG_PROFILING 1
#endif

#define ALLOC_TAG_SECTION "alloc_tags"

/* One per call site.  Counters are not in the record: they live per thread, indexed by
 * ct.index, so the allocation path never writes a shared cache line. */
struct alloc_tag {
	struct codetag ct;
};

/* ---- Reading the counters ------------------------------------------------------------ */

/* One report line.  Strings stay valid for the life of the process. */
struct alloc_tag_entry {
	const char *modname; /* NULL for the main executable */
	const char *function;
	const char *filename;
	uint32_t lineno;
	bool accurate;
	int64_t bytes;  /* live bytes */
	int64_t calls;  /* live allocations */
	/* Cumulative: every allocation ever charged here (a realloc counts once, its new size). */
	int64_t total_bytes;
	int64_t total_calls;
	/* The highest live bytes this site reached, and its live bytes when the process's
	 * total was highest: sampled, see alloc_tag_peak() for the bound. */
	int64_t peak_bytes;
	int64_t bytes_at_peak;
};

/* The synthetic site charged for allocations made with no current tag. */
#define ALLOC_TAG_UNTAGGED_NAME "<untagged>"

/*
 * Snapshot of every site (the untagged line first), summed over all threads, live and
 * exited.  *entries is allocated with malloc; release it with free().  Returns the count,
 * or 0 with *entries == NULL when memory could not be had.
 */
size_t alloc_tag_snapshot(struct alloc_tag_entry **entries);

/* The report in /proc/allocinfo version 2.0 format.  Returns a malloc'd NUL-terminated
 * string (length in *len when len != NULL), or NULL when memory could not be had. */
char *alloc_tag_report(size_t *len);

/* Writes the report to fd without allocating through malloc.  Returns 0 or -1 (errno). */
int alloc_tag_report_fd(int fd);

/* Formats one line exactly as allocinfo does ("%12lli %8llu file:line [mod] func:f \n").
 * Returns the length written (truncated to size-1), like snprintf. */
int alloc_tag_format_entry(char *buf, size_t size, const struct alloc_tag_entry *entry);

/*
 * The extended report: every allocinfo line with four columns in front, the cumulative
 * and peak counts, in a format of its own (the v2.0 report stays byte-compatible):
 *   alloctag extended allocinfo - version: 1
 *   # peak: <process live bytes at their highest> interval: <ALLOCTAG_PEAK_INTERVAL>
 *   #  <peak_size>   <total_size>  <total_calls> <size_at_peak>     <size>  <calls> <tag info>
 *   "%12lli %14lli %13llu %13lli " then the line exactly as allocinfo prints it
 * In a Swift program (version 2; a report with no type line stays version 1): after a site's
 * line, one line per Swift class type whose instances it allocated (swift_allocObject), most
 * instances first, the site's types past the first 8 summed as "<other types>" last:
 *   "+ type %10lli %14lli NAME\n"   instances and bytes ever allocated, the type's name
 * and, last, "# types not recorded: CALLS BYTES\n" when the runtime's table of sites was full.
 * Which swift_allocObject calls are seen, and ALLOCTAG_SWIFT_TYPES: README.md.
 * Written at exit to ALLOCTAG_REPORT_EXTENDED=PATH|-, and served by live inspection on
 * the abstract socket "alloctag.<pid>.<random>.ext" (inspect.c).  Returns 0 or -1 (errno); never uses malloc.
 */
int alloc_tag_report_extended_fd(int fd);
#define ALLOC_TAG_EXTENDED_HEADER "alloctag extended allocinfo - version: 1\n"
#define ALLOC_TAG_EXTENDED_HEADER_TYPES "alloctag extended allocinfo - version: 2\n"
#define ALLOC_TAG_EXTENDED_COLUMNS \
	"#  <peak_size>   <total_size>  <total_calls> <size_at_peak>     <size>  <calls> <tag info>\n"

/*
 * The process's live bytes at their highest, as sampled: each thread samples every time it
 * has added ALLOCTAG_PEAK_INTERVAL bytes (default 1 MiB) since its previous sample (an
 * allocation adds its size, a realloc what it grew), and every report samples.  The true peak
 * is at most interval x (threads allocating) above what is returned; with
 * ALLOCTAG_PEAK_INTERVAL=1 every allocation and growth samples, exact for one thread.  The
 * same bound holds for each site's peak_bytes.
 */
int64_t alloc_tag_peak(void);
/* The sampling interval in bytes per thread (ALLOCTAG_PEAK_INTERVAL); 0: at reports only. */
int64_t alloc_tag_peak_interval(void);

#define ALLOC_TAG_REPORT_HEADER "allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n"
const char *alloc_tag_report_header(void);

/* ---- Control (the kernel's boot parameter and sysctl) ------------------------------- */

enum alloc_tag_mode {
	ALLOC_TAG_MODE_NEVER = 1,      /* no references, not switchable */
	ALLOC_TAG_MODE_HEADER = 2,     /* 16-byte reference header per allocation (`1,header`) */
	ALLOC_TAG_MODE_COMPRESSED = 3, /* the default: 4-byte reference beside slab objects up to
	                                * 512 bytes, the 16-byte header on bigger blocks */
};

enum alloc_tag_mode alloc_tag_mode(void);
bool alloc_tag_profiling_enabled(void);

/* Turns counting on or off.  Returns 0, or -1 with errno = EPERM when the mode is never
 * or debug mode made the switch read-only (the reason is in alloc_tag_last_error()). */
int alloc_tag_set_profiling(bool enabled);
const char *alloc_tag_last_error(void);

/* Starts live inspection (as ALLOCTAG_INSPECT=1 does at start): the process's owner or root
 * can then read its report (`tagger allocinfo --pid`).  Idempotent.  Returns 0, or -1 with
 * errno when it cannot listen (the reason is also printed, once). */
int alloc_tag_inspect_start(void);

/* ---- Images ------------------------------------------------------------------------- */

/* Registers/forgets one image's tag range; alloc_tag.h arranges both for every image
 * that includes it (constructor/destructor), so users rarely call them. */
void alloc_tag_register_image(struct codetag *start, struct codetag *stop);
void alloc_tag_unregister_image(struct codetag *start, struct codetag *stop);

/* ---- Hooks -------------------------------------------------------------------------- */

#if ALLOC_TAG_PROFILING

/* The thread's current tag; NULL outside any hooked region.  initial-exec: read on every
 * allocation, and the runtime lives in the executable or a library loaded at start. */
extern __thread struct alloc_tag *alloc_tag_current __attribute__((tls_model("initial-exec")));

void alloc_tag_warn_changed(struct alloc_tag *expected, struct alloc_tag *found);

/*
 * The empty asm statements are compiler barriers: clang treats malloc() as a builtin that
 * touches no user memory and would otherwise move or merge the thread-local stores of
 * neighbouring hooked calls across the allocation (seen at -O2).
 */
static inline __attribute__((always_inline)) struct alloc_tag *alloc_tag_save(struct alloc_tag *tag)
{
	struct alloc_tag *old = alloc_tag_current;
	alloc_tag_current = tag;
	__asm__ __volatile__("" ::: "memory");
	return old;
}

static inline __attribute__((always_inline)) void alloc_tag_restore(struct alloc_tag *tag, struct alloc_tag *old)
{
	__asm__ __volatile__("" ::: "memory");
	if (__builtin_expect(alloc_tag_current != tag, 0))
		alloc_tag_warn_changed(tag, alloc_tag_current);
	alloc_tag_current = old;
}

/* Untyped spellings for Swift, which passes its records as raw pointers. */
static inline __attribute__((always_inline)) void *alloc_tag_swap_raw(void *tag)
{
	return alloc_tag_save((struct alloc_tag *)tag);
}

static inline __attribute__((always_inline)) void alloc_tag_restore_raw(void *tag, void *old)
{
	alloc_tag_restore((struct alloc_tag *)tag, (struct alloc_tag *)old);
}

/*
 * Swift tasks: a task's current tag lives in a task-local (TagRuntime's AllocTagTaskScope), which
 * follows the task across `await` and never leaks to other work on the thread. An allocation made
 * under no thread tag asks `lookup` (installed once by TagRuntime, NULL until then) for the
 * running task's tag, so the thread tag (sync scopes, sites) stays innermost. `lookup` must not
 * allocate.
 */
void alloc_tag_set_task_lookup(void *(*lookup)(void));

#if defined(__has_attribute)
#if __has_attribute(retain)
#define ALLOC_TAG_RETAIN retain,
#endif
#endif
#ifndef ALLOC_TAG_RETAIN
#define ALLOC_TAG_RETAIN
#endif

#ifdef ALLOC_TAG_MODNAME
#define ALLOC_TAG_MODNAME_INIT ALLOC_TAG_MODNAME
#else
#define ALLOC_TAG_MODNAME_INIT NULL
#endif

/* `used, retain`: the record must survive --gc-sections (lld drops `used` alone). */
#ifndef ALLOC_TAG_SITE_FLAGS
#define ALLOC_TAG_SITE_FLAGS 0
#endif
#define DEFINE_ALLOC_TAG(_name)                                                               \
	static struct alloc_tag _name                                                         \
	    __attribute__((used, ALLOC_TAG_RETAIN section(ALLOC_TAG_SECTION), aligned(8))) = { \
		.ct = { .magic = CODETAG_MAGIC, .flags = ALLOC_TAG_SITE_FLAGS, .lineno = __LINE__, .index = 0, \
			.modname = ALLOC_TAG_MODNAME_INIT, .function = __func__,               \
			.filename = __FILE__ } }

#ifdef __cplusplus
#define ALLOC_TAG_AUTO auto
#else
#define ALLOC_TAG_AUTO __auto_type
#endif

/* Evaluates _do_alloc with _tag as the current tag; yields _do_alloc's value. */
#define alloc_hooks_tag(_tag, _do_alloc)                                      \
	({                                                                    \
		struct alloc_tag *const _alloc_tag_this = (_tag);             \
		struct alloc_tag *_alloc_tag_old = alloc_tag_save(_alloc_tag_this); \
		ALLOC_TAG_AUTO _alloc_tag_res = (_do_alloc);                  \
		alloc_tag_restore(_alloc_tag_this, _alloc_tag_old);           \
		_alloc_tag_res;                                               \
	})

/* Charges the allocations _do_alloc makes to this line. */
#define alloc_hooks(_do_alloc)                                  \
	({                                                      \
		DEFINE_ALLOC_TAG(_alloc_tag);                   \
		alloc_hooks_tag(&_alloc_tag, _do_alloc);        \
	})

/* alloc_hooks for a call that yields no value (a constructor filling an out-parameter,
 * `open_blocks(p, &node)`): the same tag and scope, and the expression is void. */
#define alloc_hooks_void(_do_alloc)                                                 \
	({                                                                          \
		DEFINE_ALLOC_TAG(_alloc_tag);                                       \
		struct alloc_tag *_alloc_tag_old = alloc_tag_save(&_alloc_tag);     \
		(_do_alloc);                                                        \
		alloc_tag_restore(&_alloc_tag, _alloc_tag_old);                     \
	})

/* For objects that allocate later on behalf of their creator (the kernel's rhashtable):
 * remember the creator's tag in _p, then allocate with alloc_hooks_tag(_p, ...). */
#define alloc_tag_record(_p) ((_p) = alloc_tag_current)

#ifndef ALLOC_TAG_NO_IMAGE_REGISTRATION
/* Each image (executable or shared library) has its own hidden __start_/__stop_ pair;
 * every file that includes this header registers its image's range, idempotently. */
extern struct codetag __start_alloc_tags[] __attribute__((weak, visibility("hidden")));
extern struct codetag __stop_alloc_tags[] __attribute__((weak, visibility("hidden")));

/* The asm hides the weak symbols' values: compilers otherwise assume an array's address
 * is never NULL, but a weak undefined one is when the image has no tags. */
__attribute__((constructor, used)) static void alloc_tag_register_this_image(void)
{
	struct codetag *start = __start_alloc_tags, *stop = __stop_alloc_tags;
	__asm__("" : "+r"(start), "+r"(stop));
	if (start != NULL && start != stop)
		alloc_tag_register_image(start, stop);
}

__attribute__((destructor, used)) static void alloc_tag_unregister_this_image(void)
{
	struct codetag *start = __start_alloc_tags, *stop = __stop_alloc_tags;
	__asm__("" : "+r"(start), "+r"(stop));
	if (start != NULL && start != stop)
		alloc_tag_unregister_image(start, stop);
}
#endif

#else /* !ALLOC_TAG_PROFILING: everything compiles away */

#define DEFINE_ALLOC_TAG(_name)
#define alloc_hooks_tag(_tag, _do_alloc) (_do_alloc)
#define alloc_hooks(_do_alloc) (_do_alloc)
#define alloc_hooks_void(_do_alloc) ((void)(_do_alloc))
#define alloc_tag_record(_p) ((void)0)

#endif /* ALLOC_TAG_PROFILING */

#ifdef __cplusplus
}
#endif

#endif /* ALLOC_TAG_ALLOC_TAG_H */
