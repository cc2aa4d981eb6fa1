/*
 * control.c - start-up settings (the kernel's boot parameter), the run-time switch (its
 * sysctl), messages, and the report written at exit.
 *
 * Settings come from settings.c's table, read on the first allocation, which can come before
 * any constructor; nothing here allocates through malloc.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int alloc_tag_mode_state;
int alloc_tag_counting;
int alloc_tag_debug_level;
unsigned long alloc_tag_fault_every;

static char last_error[200];

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
	store_relaxed(&alloc_tag_counting, enabled ? 1 : 0);
	return 0;
}

void alloc_tag_register_image(struct codetag *start, struct codetag *stop)
{
	alloc_tag_init();
	codetag_register_range(start, stop);
	alloc_tag_debug_image(start);
}

/* Only a dlclose forgets an image's range (its tags at zero leave the report, as an unloaded
 * module's do in the kernel's): the destructors that run at exit leave every range in place,
 * so the report written at exit lists every site, those back at zero too.  The runtime
 * interposes dlclose to know which is which, on this thread. */
static __thread int in_dlclose ALLOC_TAG_IE;

int dlclose(void *handle)
{
	static int (*real_dlclose)(void *);
	int (*fn)(void *) = __atomic_load_n(&real_dlclose, __ATOMIC_RELAXED);

	if (fn == NULL) {
		fn = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
		if (fn == NULL)
			return -1;
		__atomic_store_n(&real_dlclose, fn, __ATOMIC_RELAXED);
	}
	in_dlclose++;
	int rc = fn(handle);
	in_dlclose--;
	return rc;
}

void alloc_tag_unregister_image(struct codetag *start, struct codetag *stop)
{
	if (in_dlclose)
		codetag_unregister_range(start, stop);
}

/* ---- At exit ------------------------------------------------------------------------- */

/* The process ALLOCTAG_REPORT belongs to: a forked child writes its own report only when the
 * path holds %p (a file of its own), never over its parent's. */
static pid_t report_pid;
/* ALLOCTAG_REPORT=-: a copy of the standard error the process started with, and its identity,
 * for programs that close fd 2 before they exit (ls does, through gnulib's close_stdout).
 * It is written to only while it is still that same open file. */
static int stderr_copy = -1;
static struct stat stderr_stat;

static int same_file(int fd, const struct stat *want)
{
	struct stat st;
	return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

static void forget_stderr_copy_in_child(void)
{
	if (same_file(stderr_copy, &stderr_stat))
		close(stderr_copy);
	stderr_copy = -1;
}

/* ALLOCTAG_REPORT with %p replaced by the pid and %% by %; -1 when it does not fit. */
static int expand_report_path(const char *spec, char *out, size_t size)
{
	char pid[16];
	size_t n = 0;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (const char *p = spec; *p != '\0'; p++) {
		const char *piece = p;
		size_t len = 1;
		if (p[0] == '%' && p[1] == 'p') {
			piece = pid;
			len = strlen(pid);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			p++;
		}
		if (n + len >= size)
			return -1;
		memcpy(out + n, piece, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}

/* One report written at exit: its setting's name, value and writer. */
struct exit_report {
	const char *setting;
	const char *spec;
	int (*write_fd)(int fd);
};

static void cannot_write(const struct exit_report *r, const char *path, const char *why)
{
	alloc_tag_warn("cannot write ", r->setting, "=", path, ": ", why);
}

/* Writes a new file beside the target (O_EXCL, O_NOFOLLOW: never one planted there) and
 * renames it over the target: a symlink or a file someone else made is never followed nor
 * truncated, and a reader sees either the old report or the whole new one. */
static void write_report_file(const struct exit_report *r, const char *path)
{
	char tmp[sizeof(alloc_tag_config.report) + 48];
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		cannot_write(r, path, S_ISLNK(st.st_mode) ? "it is a symbolic link, which the report never follows"
						       : "it is not a regular file (use - for standard error)");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		cannot_write(r, path, strerror(errno));
		return;
	}
	int rc = r->write_fd(fd);
	int saved = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0) {
		unlink(tmp);
		cannot_write(r, path, strerror(saved));
	}
}

static void write_report(const struct exit_report *r)
{
	const char *spec = r->spec;
	char path[sizeof(alloc_tag_config.report) + 16];

	if (spec[0] == '\0' || (getpid() != report_pid && strstr(spec, "%p") == NULL))
		return;
	if (strcmp(spec, "-") == 0) {
		/* fd 2 when the program still has one; else the copy, if still the same file.  With
		 * neither there is nowhere to say anything: the report is lost (docs/reliability.md). */
		if (fcntl(2, F_GETFD) != -1)
			r->write_fd(2);
		else if (same_file(stderr_copy, &stderr_stat))
			r->write_fd(stderr_copy);
		return;
	}
	if (expand_report_path(spec, path, sizeof(path)) != 0) {
		cannot_write(r, spec, "the path with %p expanded is too long");
		return;
	}
	write_report_file(r, path);
}

/*
 * The report is written after every image's destructors, so what libraries free in theirs is
 * counted: the runtime's destructor (priority 101: after its own image's other destructors)
 * runs inside exit's _dl_fini and registers an atexit handler from there, which exit runs
 * once _dl_fini has returned, that is after every image's destructors, whether the runtime
 * is a shared library (LD_PRELOAD, `tagger cc`) or linked into the executable.
 */
static void write_at_end(void)
{
	static int done;
	if (__atomic_exchange_n(&done, 1, __ATOMIC_RELAXED))
		return;
	const struct exit_report reports[] = {
		{ "ALLOCTAG_REPORT", alloc_tag_config.report, alloc_tag_report_fd },
		{ "ALLOCTAG_REPORT_EXTENDED", alloc_tag_config.report_extended, alloc_tag_report_extended_fd },
	};
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
		write_report(&reports[i]);
	alloc_tag_debug_at_exit();
}

void alloc_tag_watch_exit(void)
{
	report_pid = getpid();
	if ((strcmp(alloc_tag_config.report, "-") == 0 || strcmp(alloc_tag_config.report_extended, "-") == 0) &&
	    fcntl(2, F_GETFD) != -1) {
		stderr_copy = fcntl(2, F_DUPFD_CLOEXEC, 10);
		if (stderr_copy >= 0 && fstat(stderr_copy, &stderr_stat) != 0) {
			close(stderr_copy);
			stderr_copy = -1;
		}
		if (stderr_copy >= 0)
			pthread_atfork(NULL, NULL, forget_stderr_copy_in_child);
	}
}

__attribute__((destructor(101))) static void alloc_tag_at_exit(void)
{
	if (atexit(write_at_end) != 0)
		write_at_end();
}
