/*
 * control.c - start-up settings (the kernel's boot parameter), the run-time switch (its
 * sysctl), messages, and the report written at exit.
 *
 * Settings come from settings.c's table, read on the first allocation, which can come before
 * any constructor; nothing here allocates through malloc.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int alloc_tag_mode_state;
int alloc_tag_counting;
int alloc_tag_debug_level;
unsigned long alloc_tag_fault_every;

static char last_error[200];
static int compressed_overflowed;

/* ---- Messages ------------------------------------------------------------------------ */

/* The pieces are written as given, with one writev: no line limit, no buffer. */
void alloc_tag_message(const char *first, ...)
{
	struct iovec iov[17];
	int n = 0;
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s != NULL && n < 16; s = va_arg(ap, const char *))
		iov[n++] = (struct iovec){ (void *)s, strlen(s) };
	va_end(ap);
	iov[n++] = (struct iovec){ "\n", 1 };
	alloc_tag_write_all(2, iov, n);
}

static void set_error(const char *message)
{
	size_t n = strlen(message);
	if (n >= sizeof(last_error))
		n = sizeof(last_error) - 1;
	memcpy(last_error, message, n);
	last_error[n] = '\0';
}

const char *alloc_tag_last_error(void)
{
	return last_error;
}

static struct alloc_tag untagged = {
	.ct = { .magic = CODETAG_MAGIC, .lineno = 0, .function = ALLOC_TAG_UNTAGGED_NAME,
		.filename = ALLOC_TAG_UNTAGGED_NAME },
};

void alloc_tag_init(void)
{
	if (__atomic_load_n(&alloc_tag_mode_state, __ATOMIC_ACQUIRE) != ALLOC_TAG_MODE_UNINIT)
		return;
	alloc_tag_read_settings();
	codetag_reserve(ALLOC_TAG_UNTAGGED_INDEX, &untagged.ct);
	alloc_tag_debug_level = alloc_tag_config.debug;
	store_relaxed(&alloc_tag_counting, alloc_tag_config.counting);
	__atomic_store_n(&alloc_tag_mode_state, alloc_tag_config.mode, __ATOMIC_RELEASE);
}

enum alloc_tag_mode alloc_tag_mode(void)
{
	alloc_tag_init();
	return (enum alloc_tag_mode)__atomic_load_n(&alloc_tag_mode_state, __ATOMIC_ACQUIRE);
}

bool alloc_tag_profiling_enabled(void)
{
	alloc_tag_init();
	return load_relaxed(&alloc_tag_counting) != 0;
}

int alloc_tag_set_profiling(bool enabled)
{
	alloc_tag_init();
	if (alloc_tag_mode_state == ALLOC_TAG_MODE_NEVER) {
		set_error("profiling was started with ALLOCTAG_PROFILING=never and cannot be switched at run time");
		errno = EPERM;
		return -1;
	}
	if (alloc_tag_debug_level != 0) {
		set_error("the switch is read-only in debug mode (ALLOCTAG_DEBUG): allocations made while "
			  "off and freed while on would be reported as untracked");
		errno = EPERM;
		return -1;
	}
	if (load_relaxed(&compressed_overflowed)) {
		set_error("compressed references could not represent every tag, so profiling was disabled "
			  "(run without \",compressed\")");
		errno = EPERM;
		return -1;
	}
	store_relaxed(&alloc_tag_counting, enabled ? 1 : 0);
	return 0;
}

/* Compressed references hold a 16-bit index: past that, stop counting (the kernel disables
 * profiling when page flags cannot hold its index).  References already written stay
 * valid, so frees keep the counts exact. */
void alloc_tag_compressed_overflow(uint32_t limit)
{
	char number[16];
	if (__atomic_exchange_n(&compressed_overflowed, 1, __ATOMIC_RELAXED))
		return;
	store_relaxed(&alloc_tag_counting, 0);
	snprintf(number, sizeof(number), "%u", limit);
	alloc_tag_warn("compressed references hold at most ", number,
		       " tags and more were registered; memory allocation profiling is disabled "
		       "(run without \",compressed\" to profile this program)");
}

void alloc_tag_register_image(struct codetag *start, struct codetag *stop)
{
	alloc_tag_init();
	codetag_register_range(start, stop);
	alloc_tag_debug_image(start);
	if (alloc_tag_mode_state == ALLOC_TAG_MODE_COMPRESSED &&
	    codetag_index_limit() - 1 > ALLOC_TAG_COMPRESSED_MAX_INDEX)
		alloc_tag_compressed_overflow(ALLOC_TAG_COMPRESSED_MAX_INDEX);
}

/* Set by an atexit handler: exit() runs those before any image's destructors, so the
 * destructors that follow are the process ending, not a dlclose. */
static int exiting;

static void mark_exiting(void)
{
	store_relaxed(&exiting, 1);
}

void alloc_tag_watch_exit(void)
{
	atexit(mark_exiting);
}

void alloc_tag_unregister_image(struct codetag *start, struct codetag *stop)
{
	/* At exit every image is still mapped and the report written at exit must list all of
	 * its tags, zero or not: only a dlclose forgets a range. */
	if (load_relaxed(&exiting))
		return;
	codetag_unregister_range(start, stop);
}

/* ---- At exit ------------------------------------------------------------------------- */

/* Priority 101 runs after the program's own destructors, so their frees are counted. */
__attribute__((destructor(101))) static void alloc_tag_at_exit(void)
{
	const char *path = alloc_tag_config.report;

	if (path[0] != '\0') {
		if (strcmp(path, "-") == 0) {
			alloc_tag_report_fd(2);
		} else {
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0) {
				alloc_tag_warn("cannot write ALLOCTAG_REPORT=", path, ": ", strerror(errno));
			} else {
				if (alloc_tag_report_fd(fd) != 0)
					alloc_tag_warn("cannot write ALLOCTAG_REPORT=", path, ": ", strerror(errno));
				close(fd);
			}
		}
	}
	alloc_tag_debug_at_exit();
}
