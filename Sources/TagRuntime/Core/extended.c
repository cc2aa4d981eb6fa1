/*
 * extended.c - the extended report: allocinfo's lines with the cumulative and peak counts in
 * front (format in alloc_tag.h), written at exit to ALLOCTAG_REPORT_EXTENDED (control.c) and
 * served by live inspection on "alloctag.<pid>.ext".  `tagger allocinfo` reads it like a v2.0 report.
 *
 * Invariants: the tail of every line is byte for byte the allocinfo line of the same site
 * (alloc_tag_format_entry), so the v2.0 report stays the one format of live counts; nothing
 * here allocates through malloc (sums come from mmap), as the report at exit must not.
 */
#include "internal.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	struct iovec iov = { (void *)p, n };
	return alloc_tag_write_all(fd, &iov, 1);
}

struct sink {
	int fd;
	int rc;
	size_t used;
	char buf[16384];
};

static void emit(struct sink *s, const char *p, size_t n)
{
	if (s->rc != 0)
		return;
	if (s->used + n > sizeof(s->buf)) {
		s->rc = write_all(s->fd, s->buf, s->used);
		s->used = 0;
		if (n > sizeof(s->buf)) {
			if (s->rc == 0)
				s->rc = write_all(s->fd, p, n);
			return;
		}
	}
	memcpy(s->buf + s->used, p, n);
	s->used += n;
}

static void emit_int(struct sink *s, long long value, int width, const char *after)
{
	char digits[48];
	emit(s, digits, alloc_tag_format_int(digits, value, width));
	emit(s, after, strlen(after));
}

int alloc_tag_report_extended_fd(int fd)
{
	static struct sink sink; /* 16 KiB: off the stack of the listener thread */
	static pthread_mutex_t sink_mutex = PTHREAD_MUTEX_INITIALIZER;
	int64_t peak = alloc_tag_peak(); /* samples: the peaks cover the present */
	uint32_t limit = codetag_index_limit();
	size_t mapped = sizeof(struct alloc_tag_counters) * (limit > 0 ? limit : 1);
	void *p = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int64_t live = 0;
	int rc;

	if (p == MAP_FAILED)
		return -1;
	struct alloc_tag_counters *sums = p;
	alloc_tag_sum_counters(sums, limit);
	for (uint32_t i = ALLOC_TAG_UNTAGGED_INDEX; i < limit; i++)
		live += sums[i].bytes;

	pthread_mutex_lock(&sink_mutex);
	struct sink *s = &sink;
	s->fd = fd;
	s->rc = 0;
	s->used = 0;
	emit(s, ALLOC_TAG_EXTENDED_HEADER "# peak: ", strlen(ALLOC_TAG_EXTENDED_HEADER "# peak: "));
	/* Allocations between the sample and the sums can put the present above it. */
	emit_int(s, live > peak ? live : peak, 0, " interval: ");
	emit_int(s, alloc_tag_peak_interval(), 0, "\n" ALLOC_TAG_EXTENDED_COLUMNS);
	for (uint32_t i = ALLOC_TAG_UNTAGGED_INDEX; i < limit && s->rc == 0; i++) {
		struct alloc_tag_entry e;
		char line[1024];
		if (!alloc_tag_entry_at(i, &sums[i], &e))
			continue;
		char prefix[128];
		size_t p = 0;
		const int64_t columns[] = { e.peak_bytes, e.total_bytes, e.total_calls, e.bytes_at_peak };
		const int widths[] = { 12, 14, 13, 13 };
		for (int c = 0; c < 4; c++) {
			p += alloc_tag_format_int(prefix + p, columns[c], widths[c]);
			prefix[p++] = ' ';
		}
		prefix[p] = '\0';
		int n = alloc_tag_format_entry(line, sizeof(line), &e);
		if (n >= 0 && (size_t)n < sizeof(line)) {
			emit(s, prefix, p);
			emit(s, line, (size_t)n);
		} else if (s->rc == 0) { /* a line longer than the buffer: written whole from its pieces */
			s->rc = write_all(fd, s->buf, s->used);
			s->used = 0;
			if (s->rc == 0)
				s->rc = alloc_tag_write_entry(fd, prefix, &e);
		}
	}
	if (s->rc == 0)
		s->rc = write_all(fd, s->buf, s->used);
	rc = s->rc;
	pthread_mutex_unlock(&sink_mutex);
	munmap(p, mapped);
	return rc;
}
