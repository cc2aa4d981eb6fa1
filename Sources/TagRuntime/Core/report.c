/*
 * report.c - snapshots and the /proc/allocinfo text.
 *
 * Line format, byte for byte as the kernel's alloc_tag_to_text() + codetag_to_text():
 *   "%12lli %8llu " "file:line [module] func:name" [" accurate:no"] " " "\n"
 * with "[module] " only for tags of shared libraries.
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

const char *alloc_tag_report_header(void)
{
	return ALLOC_TAG_REPORT_HEADER;
}

/* Appends to a bounded buffer, counting what would have been written (snprintf's rule). */
struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}


/* printf's %<width>lli / %<width>llu: right-aligned in `width`, never truncated. */
static void put_int(struct out *o, long long value, int is_signed, int width)
{
	char digits[24];
	int n = 0;
	int negative = is_signed && value < 0;
	unsigned long long v = negative ? 0ull - (unsigned long long)value : (unsigned long long)value;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (negative)
		digits[n++] = '-';
	for (int pad = width - n; pad > 0; pad--)
		put(o, " ", 1);
	while (n > 0)
		put(o, &digits[--n], 1);
}

/* One line, "%12lli %8llu file:line [module] func:name[ accurate:no] \n", as pieces: the
 * strings by pointer (never copied, never cut), the numbers formatted into *t.  No stdio:
 * this also runs from the out-of-memory path and for every line of large reports. */
#define ENTRY_PIECES 9
_Static_assert(TYPE_LINES_MAX < 16384, "a site's type lines fit the report's buffer");
struct entry_text {
	char counts[48]; /* "%12lli %8llu " */
	char lineno[16]; /* ":%u" */
};

static int entry_pieces(const struct alloc_tag_entry *e, struct entry_text *t, struct iovec *iov)
{
	struct out counts = { t->counts, sizeof(t->counts), 0 };
	struct out lineno = { t->lineno, sizeof(t->lineno), 0 };
	int n = 0;

	put_int(&counts, (long long)e->bytes, 1, 12);
	put(&counts, " ", 1);
	/* Counters are summed while other threads run, so a free on one thread can be read before
	 * the allocation it undoes on another: a live count can read below zero for a moment.
	 * The bytes column is signed (%12lli) and shows it; %8llu cannot, and would print 20
	 * digits and break the line's shape, so the text shows such a count as 0.  Snapshots
	 * (alloc_tag_snapshot) keep the raw sums. */
	put_int(&counts, e->calls < 0 ? 0 : (long long)e->calls, 0, 8);
	put(&counts, " ", 1);
	put(&lineno, ":", 1);
	put_int(&lineno, (long long)e->lineno, 0, 0);
	iov[n++] = (struct iovec){ t->counts, counts.len };
	iov[n++] = (struct iovec){ (void *)e->filename, strlen(e->filename) };
	iov[n++] = (struct iovec){ t->lineno, lineno.len };
	if (e->modname != NULL) {
		iov[n++] = (struct iovec){ " [", 2 };
		iov[n++] = (struct iovec){ (void *)e->modname, strlen(e->modname) };
		iov[n++] = (struct iovec){ "]", 1 };
	}
	iov[n++] = (struct iovec){ " func:", 6 };
	iov[n++] = (struct iovec){ (void *)e->function, strlen(e->function) };
	iov[n++] = e->accurate ? (struct iovec){ " \n", 2 } : (struct iovec){ " accurate:no \n", 14 };
	return n;
}

static size_t pieces_length(const struct iovec *iov, int n)
{
	size_t len = 0;
	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

static size_t pieces_copy(char *to, const struct iovec *iov, int n)
{
	size_t len = 0;
	for (int i = 0; i < n; i++) {
		memcpy(to + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	return len;
}

int alloc_tag_format_entry(char *buf, size_t size, const struct alloc_tag_entry *e)
{
	struct entry_text t;
	struct iovec iov[ENTRY_PIECES];
	int n = entry_pieces(e, &t, iov);
	struct out o = { buf, size, 0 };

	for (int i = 0; i < n; i++)
		put(&o, iov[i].iov_base, iov[i].iov_len);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

/* Sums counters for every index into memory from mmap (never malloc: this also runs at
 * exit and from the out-of-memory path).  Returns NULL when memory could not be had. */
struct alloc_tag_counters *alloc_tag_sum_all(uint32_t *limit, size_t *mapped)
{
	*limit = codetag_index_limit();
	*mapped = sizeof(struct alloc_tag_counters) * (*limit > 0 ? *limit : 1);
	void *p = mmap(NULL, *mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	alloc_tag_sum_counters(p, *limit);
	return p;
}

/* The directory cut from absolute tag file names, so two machines' reports diff cleanly (the
 * kernel prints mm/slub.c): ALLOCTAG_SOURCE_ROOT, else, for a program SwiftPM built (its
 * executable under PACKAGE/.build/), the package root, which is what `tagger cc`'s
 * -fmacro-prefix-map cuts for C built with it. SwiftPM compiles C targets by absolute path and
 * a package cannot pass flags to its own C targets without unsafeFlags. Found once (readlink:
 * no allocation); "" when nothing is cut. */
static char default_root[4096];
static pthread_once_t default_root_once = PTHREAD_ONCE_INIT;

static void find_default_root(void)
{
	char exe[sizeof(default_root)];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *build;

	if (n <= 0)
		return;
	exe[n] = '\0';
	build = strstr(exe, "/.build/");
	if (build == NULL || build == exe)
		return;
	memcpy(default_root, exe, (size_t)(build - exe) + 1); /* with its trailing '/' */
	default_root[build - exe + 1] = '\0';
}

const char *alloc_tag_display_filename(const char *filename)
{
	const char *root = alloc_tag_config.source_root;
	size_t n;

	if (!alloc_tag_config.source_root_set) {
		pthread_once(&default_root_once, find_default_root);
		root = default_root;
	}
	n = strlen(root);
	if (n > 0 && filename[0] == '/' && strncmp(filename, root, n) == 0 && filename[n] != '\0')
		return filename + n;
	return filename;
}

/* Fills *e for index; returns 0 when the index is to be left out (an unloaded image's tag
 * whose counters are back to zero, as the kernel drops an unloaded module's tags). */
int alloc_tag_entry_at(uint32_t index, const struct alloc_tag_counters *sum, struct alloc_tag_entry *e)
{
	struct codetag_info info;

	if (!codetag_info_at(index, &info))
		return 0;
	if (codetag_info_unloaded(index) && sum->bytes == 0 && sum->calls == 0)
		return 0;
	if ((info.flags & CODETAG_FLAG_RUNTIME) && sum->calls == 0 && sum->total_calls == 0)
		return 0;
	e->modname = info.modname;
	e->function = info.function;
	e->filename = alloc_tag_display_filename(info.filename);
	e->lineno = info.lineno;
	e->accurate = (info.flags & CODETAG_FLAG_INACCURATE) == 0;
	e->bytes = sum->bytes;
	e->calls = sum->calls;
	e->total_bytes = sum->total_bytes;
	e->total_calls = sum->total_calls;
	alloc_tag_peak_at(index, e);
	return 1;
}

size_t alloc_tag_snapshot(struct alloc_tag_entry **entries)
{
	uint32_t limit;
	size_t mapped, n = 0;
	struct alloc_tag_counters *sums;
	struct alloc_tag_entry *out;

	alloc_tag_init();
	*entries = NULL;
	sums = alloc_tag_sum_all(&limit, &mapped);
	if (sums == NULL)
		return 0;
	/* The runtime's own memory is charged to its own line, like anyone else's. */
	out = alloc_hooks(malloc(sizeof(*out) * (limit > 1 ? limit : 1)));
	if (out != NULL) {
		for (uint32_t i = ALLOC_TAG_UNTAGGED_INDEX; i < limit; i++)
			n += alloc_tag_entry_at(i, &sums[i], &out[n]);
		*entries = out;
	}
	munmap(sums, mapped);
	return n;
}

int alloc_tag_write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int alloc_tag_write_entry(int fd, const char *prefix, const struct alloc_tag_entry *e)
{
	struct entry_text t;
	struct iovec iov[ENTRY_PIECES + 1];
	int n = 0;

	if (prefix != NULL)
		iov[n++] = (struct iovec){ (void *)prefix, strlen(prefix) };
	n += entry_pieces(e, &t, iov + n);
	return alloc_tag_write_all(fd, iov, n);
}

/* Lines are gathered in a buffer and written in large writes; a line longer than the
 * buffer is written whole from its pieces (there is no line limit). */
int alloc_tag_write_report(int fd, const char *header, size_t header_len,
			   const struct alloc_tag_counters *sums, uint32_t limit, alloc_tag_line_prefix prefix,
			   alloc_tag_line_after after, const void *after_arg)
{
	char buf[16384];
	char following[TYPE_LINES_MAX];
	size_t used = 0;
	int rc = 0;

	if (header_len > sizeof(buf)) {
		struct iovec whole = { (void *)header, header_len };
		rc = alloc_tag_write_all(fd, &whole, 1);
	} else {
		memcpy(buf, header, header_len);
		used = header_len;
	}
	for (uint32_t i = ALLOC_TAG_UNTAGGED_INDEX; i < limit && rc == 0; i++) {
		struct alloc_tag_entry e;
		struct entry_text t;
		char before[ALLOC_TAG_LINE_PREFIX_MAX];
		struct iovec iov[ENTRY_PIECES + 3];
		int n = 0;
		if (!alloc_tag_entry_at(i, &sums[i], &e))
			continue;
		if (prefix != NULL)
			iov[1 + n++] = (struct iovec){ before, prefix(&e, before) };
		n += entry_pieces(&e, &t, iov + 1 + n);
		if (after != NULL) {
			size_t more = after(i, following, sizeof(following), after_arg);
			if (more > 0)
				iov[1 + n++] = (struct iovec){ following, more };
		}
		size_t len = pieces_length(iov + 1, n);
		if (used + len > sizeof(buf)) {
			iov[0] = (struct iovec){ buf, used };
			if (len > sizeof(buf)) {
				rc = alloc_tag_write_all(fd, iov, n + 1);
				used = 0;
				continue;
			}
			rc = alloc_tag_write_all(fd, iov, 1);
			used = 0;
		}
		used += pieces_copy(buf + used, iov + 1, n);
	}
	if (rc == 0 && used > 0) {
		struct iovec last = { buf, used };
		rc = alloc_tag_write_all(fd, &last, 1);
	}
	return rc;
}

int alloc_tag_report_fd(int fd)
{
	uint32_t limit;
	size_t mapped;
	struct alloc_tag_counters *sums;

	alloc_tag_init();
	sums = alloc_tag_sum_all(&limit, &mapped);
	if (sums == NULL)
		return -1;
	int rc = alloc_tag_write_report(fd, ALLOC_TAG_REPORT_HEADER, sizeof(ALLOC_TAG_REPORT_HEADER) - 1,
					sums, limit, NULL, NULL, NULL);
	munmap(sums, mapped);
	return rc;
}

char *alloc_tag_report(size_t *len)
{
	struct alloc_tag_entry *entries;
	size_t n = alloc_tag_snapshot(&entries);
	size_t total = sizeof(ALLOC_TAG_REPORT_HEADER) - 1;
	char *text, *p;

	if (entries == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		total += (size_t)alloc_tag_format_entry(NULL, 0, &entries[i]);
	text = alloc_hooks(malloc(total + 1));
	if (text != NULL) {
		p = text;
		memcpy(p, ALLOC_TAG_REPORT_HEADER, sizeof(ALLOC_TAG_REPORT_HEADER) - 1);
		p += sizeof(ALLOC_TAG_REPORT_HEADER) - 1;
		for (size_t i = 0; i < n; i++)
			p += alloc_tag_format_entry(p, (size_t)(text + total + 1 - p), &entries[i]);
		*p = '\0';
		if (len != NULL)
			*len = (size_t)(p - text);
	}
	free(entries);
	return text;
}

/* "%<width>lli" into buf, which must hold 24 + width bytes; returns the length. */
size_t alloc_tag_format_int(char *buf, long long value, int width)
{
	struct out o = { buf, 24 + (size_t)width, 0 };
	put_int(&o, value, 1, width);
	return o.len;
}
