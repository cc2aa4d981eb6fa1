/*
 * settings.c - every ALLOCTAG_* run-time setting: one table, one parser, one warning for
 * each bad value (the kernel's boot parameters; mimalloc's option table).
 *
 *   ALLOCTAG_PROFILING  {0|1|never}[,header|,compressed]   mode and the switch's first position
 *   ALLOCTAG_DEBUG      0|1|fatal                    debug mode
 *   ALLOCTAG_REPORT     PATH|-                       report at exit (%p: the pid, %%: a %)
 *   ALLOCTAG_INSPECT    1|on|true|yes or 0|off|false|no   live inspection (default off)
 *   ALLOCTAG_FAULT_REFS N (a positive integer, 0 = off)   tests: every Nth reference fails
 *   ALLOCTAG_REPORT_EXTENDED PATH|-              extended report at exit (cumulative, peaks)
 *   ALLOCTAG_PEAK_INTERVAL N (bytes, default 1048576; 0: at reports only)   peak sampling
 *   ALLOCTAG_SOURCE_ROOT /ABS/DIR|none   cut from absolute file names in reports (default:
 *                       a SwiftPM-built program's package root, the directory above .build/)
 *   ALLOCTAG_SWIFT_TYPES 1|on (default) or 0|off   Swift class types per site (swift_types.c)
 *
 * Invariants:
 * - Read once, by the first allocation or the first constructor, whichever comes first;
 *   that can be before libc has set up environ, and then the values come from
 *   /proc/self/environ with raw system calls.  Nothing here allocates through malloc.
 * - A process running with AT_SECURE (setuid, setgid, file capabilities) ignores every
 *   setting, silently, as secure_getenv(3) and glibc's own MALLOC_* settings do: its
 *   environment belongs to a less trusted user, who must not choose where a root-owned
 *   process writes nor what it prints.
 * - A bad value is reported with exactly one "alloctag: warning: ignoring NAME=..." line and
 *   leaves that setting at its default; it never turns another setting off.
 */
#include "internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
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

struct alloc_tag_config alloc_tag_config = {
	.mode = ALLOC_TAG_ENABLED_BY_DEFAULT ? ALLOC_TAG_MODE_COMPRESSED : ALLOC_TAG_MODE_NEVER,
	.counting = ALLOC_TAG_ENABLED_BY_DEFAULT,
	.debug = ALLOC_TAG_DEBUG_BY_DEFAULT,
	.inspect = 0,
	.peak_interval = 1 << 20,
	.swift_types = 1,
};

/* ---- Parsers: 0 and the value applied to *c, or -1 and *c unchanged ------------------ */

/* "1" and "0" (counting on or off from the start) use the slabs' compressed references;
 * ",header" asks for the 16-byte header on every block, ",compressed" names the default. */
static int parse_profiling(const char *value, struct alloc_tag_config *c)
{
	const char *comma = strchr(value, ',');
	size_t n = comma ? (size_t)(comma - value) : strlen(value);
	int mode, counting;

	if (n == 1 && (value[0] == '1' || value[0] == '0')) {
		mode = ALLOC_TAG_MODE_COMPRESSED;
		counting = value[0] == '1';
	} else if (n == 5 && memcmp(value, "never", 5) == 0) {
		mode = ALLOC_TAG_MODE_NEVER;
		counting = 0;
	} else {
		return -1;
	}
	if (comma != NULL) {
		if (strcmp(comma + 1, "header") == 0) {
			if (mode != ALLOC_TAG_MODE_NEVER)
				mode = ALLOC_TAG_MODE_HEADER;
		} else if (strcmp(comma + 1, "compressed") != 0) {
			return -1;
		}
	}
	c->mode = mode;
	c->counting = counting;
	return 0;
}

static int parse_debug(const char *value, struct alloc_tag_config *c)
{
	static const char *const names[] = { "0", "1", "fatal" };
	for (int i = 0; i < 3; i++) {
		if (strcmp(value, names[i]) == 0) {
			c->debug = i;
			return 0;
		}
	}
	return -1;
}

static int parse_inspect(const char *value, struct alloc_tag_config *c)
{
	static const char *const off[] = { "0", "off", "false", "no" };
	static const char *const on[] = { "1", "on", "true", "yes" };
	for (int i = 0; i < 4; i++) {
		if (strcmp(value, off[i]) == 0 || strcmp(value, on[i]) == 0) {
			c->inspect = strcmp(value, on[i]) == 0;
			return 0;
		}
	}
	return -1;
}

/* A decimal integer, digits only (no sign, no spaces, no suffix), that fits. */
static int parse_fault_refs(const char *value, struct alloc_tag_config *c)
{
	unsigned long n = 0;

	if (value[0] == '\0')
		return -1;
	for (const char *p = value; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || n > (~0ul - 9) / 10)
			return -1;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	c->fault_every = n;
	return 0;
}

static int parse_peak_interval(const char *value, struct alloc_tag_config *c)
{
	int64_t n = 0;

	if (value[0] == '\0')
		return -1;
	for (const char *p = value; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	c->peak_interval = n;
	return 0;
}

/* A path (or "-") into report[4096]; after a %, only p or %. */
static int parse_path(const char *value, char *report)
{
	size_t n = strlen(value);

	if (n == 0 || n >= sizeof(alloc_tag_config.report))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (value[i] == '%') {
			if (value[i + 1] != 'p' && value[i + 1] != '%')
				return -1;
			i++;
		}
	}
	memcpy(report, value, n + 1);
	return 0;
}

static int parse_report(const char *value, struct alloc_tag_config *c)
{
	return parse_path(value, c->report);
}

static int parse_report_extended(const char *value, struct alloc_tag_config *c)
{
	return parse_path(value, c->report_extended);
}

/* An absolute directory (kept with one trailing /), or "none": file names as compiled. */
static int parse_source_root(const char *value, struct alloc_tag_config *c)
{
	size_t n = strlen(value);

	if (strcmp(value, "none") == 0) {
		c->source_root[0] = '\0';
	} else {
		if (value[0] != '/' || n + 2 > sizeof(c->source_root))
			return -1;
		memcpy(c->source_root, value, n + 1);
		while (n > 1 && c->source_root[n - 1] == '/')
			c->source_root[--n] = '\0';
		if (n > 1)
			memcpy(c->source_root + n, "/", 2);
		else
			c->source_root[0] = '\0'; /* "/": nothing to cut */
	}
	c->source_root_set = 1;
	return 0;
}

/* Whether swift_allocObject records its type (swift_types.c); it forwards either way. */
static int parse_swift_types(const char *value, struct alloc_tag_config *c)
{
	static const char *const off[] = { "0", "off" };
	static const char *const on[] = { "1", "on" };
	for (int i = 0; i < 2; i++) {
		if (strcmp(value, off[i]) == 0 || strcmp(value, on[i]) == 0) {
			c->swift_types = strcmp(value, on[i]) == 0;
			return 0;
		}
	}
	return -1;
}

struct setting {
	const char *name;
	int (*parse)(const char *value, struct alloc_tag_config *c);
	const char *expected; /* the warning's explanation */
	const char *fallback; /* the default, as the warning names it */
};

static const struct setting settings[] = {
	{ "ALLOCTAG_PROFILING", parse_profiling,
	  "expected 0, 1 or never, optionally followed by \",header\" or \",compressed\"",
	  ALLOC_TAG_ENABLED_BY_DEFAULT ? "1" : "never" },
	{ "ALLOCTAG_DEBUG", parse_debug, "expected 0, 1 or fatal", ALLOC_TAG_DEBUG_BY_DEFAULT ? "1" : "0" },
	{ "ALLOCTAG_REPORT", parse_report,
	  "expected a file path (in which %p stands for the pid and %% for a %) or - for standard error, "
	  "shorter than 4096 bytes",
	  "no report" },
	{ "ALLOCTAG_INSPECT", parse_inspect, "expected 1, on, true, yes, 0, off, false or no", "0" },
	{ "ALLOCTAG_FAULT_REFS", parse_fault_refs, "expected a decimal count (every Nth reference fails; 0: none)", "0" },
	{ "ALLOCTAG_REPORT_EXTENDED", parse_report_extended,
	  "expected a file path (in which %p stands for the pid and %% for a %) or - for standard error, "
	  "shorter than 4096 bytes",
	  "no extended report" },
	{ "ALLOCTAG_PEAK_INTERVAL", parse_peak_interval,
	  "expected bytes per thread between peak samples (a decimal count; 0: at reports only)", "1048576" },
	{ "ALLOCTAG_SOURCE_ROOT", parse_source_root,
	  "expected an absolute directory, shorter than 4095 bytes, or none", "a SwiftPM package's root" },
	{ "ALLOCTAG_SWIFT_TYPES", parse_swift_types, "expected 1, on, 0 or off", "1" },
};

/* ---- The environment ------------------------------------------------------------------ */

extern char **environ;

/* Reads NAME's value from /proc/self/environ into buf with raw system calls.  A value that
 * does not fit is returned cut to size - 1 bytes with *cut set. */
static const char *getenv_from_proc(const char *name, char *buf, size_t size, int *cut)
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
			char ch = chunk[i];
			if (ch == '\0') {
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
				if (pos < name_len && ch == name[pos])
					pos++;
				else if (pos == name_len && ch == '=')
					state = 1;
				else
					state = 2;
			} else if (state == 1) {
				if (out + 1 < size)
					buf[out++] = ch;
				else
					*cut = 1;
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

/* 0: not read yet, 1: being read, 2: read. */
static int settings_state;

void alloc_tag_read_settings(void)
{
	int expected = 0;
	struct alloc_tag_config c = alloc_tag_config;

	if (__atomic_load_n(&settings_state, __ATOMIC_ACQUIRE) == 2)
		return;
	if (!__atomic_compare_exchange_n(&settings_state, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&settings_state, __ATOMIC_ACQUIRE) != 2)
			syscall(SYS_sched_yield);
		return;
	}
	/* glibc's secure_getenv: nothing is read in a setuid, setgid or capability-raising exec. */
	if (getauxval(AT_SECURE) == 0) {
		for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
			const struct setting *s = &settings[i];
			static char buf[sizeof(c.report) + 1];
			int cut = 0;
			const char *value = environ != NULL ? secure_getenv(s->name) : getenv_from_proc(s->name, buf, sizeof(buf), &cut);
			if (value == NULL || (!cut && s->parse(value, &c) == 0))
				continue;
			alloc_tag_warn("ignoring ", s->name, "=\"", value, cut ? "...\"" : "\"", ": ", s->expected,
				       "; keeping the default (", s->fallback, ")");
		}
	}
	alloc_tag_config = c;
	alloc_tag_fault_every = c.fault_every;
	__atomic_store_n(&settings_state, 2, __ATOMIC_RELEASE);
}
