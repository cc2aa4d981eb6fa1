/*
 * control.c - start-up settings (the kernel's boot parameter), the run-time switch (its
 * sysctl), messages, and the report written at exit.
 *
 * Settings are read on the first allocation, which can come before any constructor and
 * before libc has set up environ; nothing here allocates through malloc.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Build settings: the kernel's CONFIG_MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT and
 * CONFIG_MEM_ALLOC_PROFILING_DEBUG. */
#ifndef ALLOC_TAG_ENABLED_BY_DEFAULT
#define ALLOC_TAG_ENABLED_BY_DEFAULT 1
#endif
#ifndef ALLOC_TAG_DEBUG_BY_DEFAULT
#define ALLOC_TAG_DEBUG_BY_DEFAULT 0
#endif

int alloc_tag_mode_state;
int alloc_tag_counting;
int alloc_tag_debug_level;
unsigned long alloc_tag_fault_every;

static char last_error[200];
static int compressed_overflowed;

extern char **environ;

/* ---- Messages ------------------------------------------------------------------------ */

void alloc_tag_message(const char *first, ...)
{
	char line[1024];
	size_t n = 0;
	va_list ap;

	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
		size_t len = strlen(s);
		if (len > sizeof(line) - 1 - n)
			len = sizeof(line) - 1 - n;
		memcpy(line + n, s, len);
		n += len;
	}
	va_end(ap);
	line[n++] = '\n';
	for (size_t off = 0; off < n;) {
		ssize_t w = write(2, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
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

/* ---- Settings ------------------------------------------------------------------------ */

int alloc_tag_parse_profiling(const char *value, struct alloc_tag_settings *s)
{
	const char *comma = strchr(value, ',');
	size_t n = comma ? (size_t)(comma - value) : strlen(value);
	int mode, counting;

	if (n == 1 && value[0] == '1') {
		mode = ALLOC_TAG_MODE_HEADER;
		counting = 1;
	} else if (n == 1 && value[0] == '0') {
		mode = ALLOC_TAG_MODE_HEADER;
		counting = 0;
	} else if (n == 5 && memcmp(value, "never", 5) == 0) {
		mode = ALLOC_TAG_MODE_NEVER;
		counting = 0;
	} else {
		return -1;
	}
	if (comma != NULL) {
		if (strcmp(comma + 1, "compressed") != 0)
			return -1;
		if (mode != ALLOC_TAG_MODE_NEVER)
			mode = ALLOC_TAG_MODE_COMPRESSED;
	}
	s->mode = mode;
	s->counting = counting;
	return 0;
}

int alloc_tag_parse_debug(const char *value, struct alloc_tag_settings *s)
{
	if (strcmp(value, "0") == 0)
		s->debug = 0;
	else if (strcmp(value, "1") == 0)
		s->debug = 1;
	else if (strcmp(value, "fatal") == 0)
		s->debug = 2;
	else
		return -1;
	return 0;
}

/* Reads NAME's value from /proc/self/environ into buf with raw system calls. */
static const char *getenv_from_proc(const char *name, char *buf, size_t size)
{
	size_t name_len = strlen(name);
	char chunk[4096];
	size_t pos = 0; /* position within the current entry */
	size_t out = 0;
	int state = 0; /* 0 matching name, 1 copying value, 2 skipping entry */
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/environ", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t got = syscall(SYS_read, fd, chunk, sizeof(chunk));
		if (got <= 0)
			break;
		for (ssize_t i = 0; i < got; i++) {
			char c = chunk[i];
			if (c == '\0') {
				if (state == 1) {
					buf[out] = '\0';
					syscall(SYS_close, fd);
					return buf;
				}
				state = 0;
				pos = 0;
				continue;
			}
			if (state == 0) {
				if (pos < name_len && c == name[pos])
					pos++;
				else if (pos == name_len && c == '=')
					state = 1;
				else
					state = 2;
			} else if (state == 1 && out + 1 < size) {
				buf[out++] = c;
			}
		}
	}
	syscall(SYS_close, fd);
	if (state == 1) {
		buf[out] = '\0';
		return buf;
	}
	return NULL;
}

const char *alloc_tag_getenv(const char *name, char *buf, size_t size)
{
	if (environ != NULL)
		return getenv(name);
	return getenv_from_proc(name, buf, size);
}

static struct alloc_tag untagged = {
	.ct = { .magic = CODETAG_MAGIC, .lineno = 0, .function = ALLOC_TAG_UNTAGGED_NAME,
		.filename = ALLOC_TAG_UNTAGGED_NAME },
};

void alloc_tag_init(void)
{
	static int warned_profiling, warned_debug;
	struct alloc_tag_settings s = {
		.mode = ALLOC_TAG_ENABLED_BY_DEFAULT ? ALLOC_TAG_MODE_HEADER : ALLOC_TAG_MODE_NEVER,
		.counting = ALLOC_TAG_ENABLED_BY_DEFAULT,
		.debug = ALLOC_TAG_DEBUG_BY_DEFAULT,
	};
	char buf[64];
	const char *value;

	if (__atomic_load_n(&alloc_tag_mode_state, __ATOMIC_ACQUIRE) != ALLOC_TAG_MODE_UNINIT)
		return;
	value = alloc_tag_getenv("ALLOCTAG_PROFILING", buf, sizeof(buf));
	if (value != NULL && alloc_tag_parse_profiling(value, &s) != 0 &&
	    !__atomic_exchange_n(&warned_profiling, 1, __ATOMIC_RELAXED)) {
		alloc_tag_warn("ignoring ALLOCTAG_PROFILING=\"", value,
			       "\": expected 0, 1 or never, optionally followed by \",compressed\"; keeping the default (",
			       ALLOC_TAG_ENABLED_BY_DEFAULT ? "1" : "never", ")");
	}
	value = alloc_tag_getenv("ALLOCTAG_DEBUG", buf, sizeof(buf));
	if (value != NULL && alloc_tag_parse_debug(value, &s) != 0 &&
	    !__atomic_exchange_n(&warned_debug, 1, __ATOMIC_RELAXED)) {
		alloc_tag_warn("ignoring ALLOCTAG_DEBUG=\"", value,
			       "\": expected 0, 1 or fatal; keeping the default (",
			       ALLOC_TAG_DEBUG_BY_DEFAULT ? "1" : "0", ")");
	}
	value = alloc_tag_getenv("ALLOCTAG_FAULT_REFS", buf, sizeof(buf));
	if (value != NULL)
		alloc_tag_fault_every = strtoul(value, NULL, 10);
	codetag_reserve(ALLOC_TAG_UNTAGGED_INDEX, &untagged.ct);
	alloc_tag_debug_level = s.debug;
	store_relaxed(&alloc_tag_counting, s.counting);
	__atomic_store_n(&alloc_tag_mode_state, s.mode, __ATOMIC_RELEASE);
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
	const char *path = getenv("ALLOCTAG_REPORT");

	if (path != NULL && path[0] != '\0') {
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
