/*
 * extended.c - the extended report: allocinfo's lines with the cumulative and peak counts in
 * front (format in alloc_tag.h), written at exit to ALLOCTAG_REPORT_EXTENDED (control.c) and
 * served by live inspection on "alloctag.<pid>.<random>.ext".  `tagger allocinfo` reads it like a v2.0 report.
 *
 * Swift programs: after a site's line, one "+ type" line per class type it allocated
 * (swift_types.c), and at the end "# types not recorded:" when the type table was full; the
 * version line then says 2.  With no type recorded (every C program) the report is version 1,
 * byte for byte as before.
 *
 * Invariants: the tail of every line is byte for byte the allocinfo line of the same site
 * (report.c's one line writer, alloc_tag_write_report, writes both reports), so the v2.0
 * report stays the one format of live counts; nothing here allocates through malloc (sums
 * come from mmap), as the report at exit must not.
 */
#include "internal.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

/* "%12lli %14lli %13lli %13lli ": peak, total bytes, total calls, bytes at the process's peak. */
static size_t extended_columns(const struct alloc_tag_entry *e, char *out)
{
	const int64_t columns[] = { e->peak_bytes, e->total_bytes, e->total_calls, e->bytes_at_peak };
	const int widths[] = { 12, 14, 13, 13 };
	size_t n = 0;

	for (int c = 0; c < 4; c++) {
		n += alloc_tag_format_int(out + n, columns[c], widths[c]);
		out[n++] = ' ';
	}
	return n;
}

static size_t type_lines(uint32_t index, char *out, size_t size, const void *sums)
{
	return alloc_tag_types_lines(sums, index, out, size);
}

int alloc_tag_report_extended_fd(int fd)
{
	int64_t peak = alloc_tag_peak(); /* samples: the peaks cover the present */
	uint32_t limit;
	size_t mapped;
	struct alloc_tag_counters *sums = alloc_tag_sum_all(&limit, &mapped);
	int64_t live = 0;
	char header[256];
	size_t n = 0;

	if (sums == NULL)
		return -1;
	struct alloc_tag_type_sums *types = alloc_tag_types_sum();
	for (uint32_t i = ALLOC_TAG_UNTAGGED_INDEX; i < limit; i++)
		live += sums[i].bytes;
	/* Allocations between the sample and the sums can put the present above it. */
	static const char head[] = ALLOC_TAG_EXTENDED_HEADER "# peak: ", mid[] = " interval: ",
			  tail[] = "\n" ALLOC_TAG_EXTENDED_COLUMNS;
	_Static_assert(sizeof(ALLOC_TAG_EXTENDED_HEADER) == sizeof(ALLOC_TAG_EXTENDED_HEADER_TYPES), "same length");
	memcpy(header + n, head, sizeof(head) - 1), n += sizeof(head) - 1;
	if (types != NULL) /* the version line with type lines */
		memcpy(header, ALLOC_TAG_EXTENDED_HEADER_TYPES, sizeof(ALLOC_TAG_EXTENDED_HEADER_TYPES) - 1);
	n += alloc_tag_format_int(header + n, live > peak ? live : peak, 0);
	memcpy(header + n, mid, sizeof(mid) - 1), n += sizeof(mid) - 1;
	n += alloc_tag_format_int(header + n, (long long)alloc_tag_peak_interval(), 0);
	memcpy(header + n, tail, sizeof(tail) - 1), n += sizeof(tail) - 1;
	_Static_assert(sizeof(head) + sizeof(mid) + sizeof(tail) + 2 * 24 < 256, "header fits");

	int rc = alloc_tag_write_report(fd, header, n, sums, limit, extended_columns,
					types != NULL ? type_lines : NULL, types);
	if (rc == 0 && types != NULL && types->unrecorded_calls != 0) {
		static const char lost[] = "# types not recorded: ";
		char line[sizeof(lost) + 2 * 24 + 2];
		size_t k = 0;
		memcpy(line, lost, sizeof(lost) - 1), k += sizeof(lost) - 1;
		k += alloc_tag_format_int(line + k, types->unrecorded_calls, 0);
		line[k++] = ' ';
		k += alloc_tag_format_int(line + k, types->unrecorded_bytes, 0);
		line[k++] = '\n';
		struct iovec iov = { line, k };
		rc = alloc_tag_write_all(fd, &iov, 1);
	}
	alloc_tag_types_free(types);
	munmap(sums, mapped);
	return rc;
}
