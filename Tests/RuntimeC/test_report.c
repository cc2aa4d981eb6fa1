/*
 * The report is byte-compatible with /proc/allocinfo version 2.0 (golden lines), the C text,
 * fd and snapshot forms agree, and every tag of the image is listed, used or not.
 */
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

static void golden(const struct alloc_tag_entry *e, const char *want)
{
	char buf[512];
	int n = alloc_tag_format_entry(buf, sizeof(buf), e);
	CHECK(n == (int)strlen(want) && strcmp(buf, want) == 0, "got \"%s\", want \"%s\"", buf, want);
}

static void *volatile keep;

int main(void)
{
	struct alloc_tag_entry e = { .modname = NULL, .function = "main", .filename = "src/a.c", .lineno = 7,
				     .accurate = true, .bytes = 1234, .calls = 5 };

	golden(&e, "        1234        5 src/a.c:7 func:main \n");
	e.modname = "libfoo";
	golden(&e, "        1234        5 src/a.c:7 [libfoo] func:main \n");
	e.accurate = false;
	golden(&e, "        1234        5 src/a.c:7 [libfoo] func:main accurate:no \n");
	e.modname = NULL;
	e.bytes = 123456789012345LL;
	e.calls = 123456789;
	golden(&e, "123456789012345 123456789 src/a.c:7 func:main accurate:no \n");
	e.accurate = true;
	e.bytes = 0;
	e.calls = 0;
	golden(&e, "           0        0 src/a.c:7 func:main \n");
	{
		char small[8];
		int n = alloc_tag_format_entry(small, sizeof(small), &e);
		CHECK(n == 43 && strcmp(small, "       ") == 0, "truncation reports the full length (%d)", n);
	}

	CHECK(strcmp(alloc_tag_report_header(), "allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n") == 0,
	      "header");

	/* a used and an unused site of this file */
	keep = alloc_hooks(malloc(4321)); int used = __LINE__;
	if (keep == NULL) {
		(void)alloc_hooks(malloc(1)); /* never runs: a tag that exists but was never used */
	}
	int unused = used + 2;

	char want_used[256], want_unused[256];
	snprintf(want_used, sizeof(want_used), "        4321        1 %s:%d func:main \n", __FILE__, used);
	snprintf(want_unused, sizeof(want_unused), "           0        0 %s:%d func:main \n", __FILE__, unused);

	/* the fd form (no malloc) and the string form are the same text */
	char path[] = "/tmp/alloctag-report-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && alloc_tag_report_fd(fd) == 0, "report to fd");
	off_t size = lseek(fd, 0, SEEK_END);
	char *from_fd = calloc(1, (size_t)size + 1);
	CHECK(pread(fd, from_fd, (size_t)size, 0) == size, "read back");
	close(fd);
	unlink(path);
	size_t len;
	char *text = alloc_tag_report(&len);
	/* calloc above is the one allocation made between the two reports: both untagged */
	CHECK(text != NULL && len == strlen(text), "report text");
	CHECK(strncmp(text, alloc_tag_report_header(), strlen(alloc_tag_report_header())) == 0, "text starts with header");
	CHECK(strstr(text, want_used) != NULL, "used site line: %s", want_used);
	CHECK(strstr(text, want_unused) != NULL, "unused site line: %s", want_unused);
	CHECK(strstr(from_fd, want_used) != NULL && strstr(from_fd, want_unused) != NULL, "fd form has the same site lines");
	{
		const char *first = text + strlen(alloc_tag_report_header());
		CHECK(strncmp(first + 22, "<untagged>:0 func:<untagged> \n", 30) == 0, "untagged line first: %.60s", first);
		/* apart from the untagged line, the two forms are identical */
		const char *a = strchr(first, '\n') + 1;
		const char *b = strchr(from_fd + strlen(alloc_tag_report_header()), '\n') + 1;
		CHECK(strcmp(a, b) == 0, "fd and string reports agree");
	}
	/* the snapshot agrees with the text */
	{
		struct site_sum s = site_at(__FILE__, (unsigned)used);
		CHECK(s.bytes == 4321 && s.calls == 1 && s.accurate, "snapshot of the used site");
	}
	free(text);
	free(from_fd);
	free(keep);
	return check_finish("report");
}
