/*
 * check.h - a tiny harness for the runtime's C scenario tests: exact expectations on the
 * report entries of a site (this file's path and a line), counted and summarised as
 * "name: N passed, N failed".
 */
#ifndef RUNTIME_CHECK_H
#define RUNTIME_CHECK_H

#include <alloc_tag/alloc_tag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (cond) {                                                    \
			check_passed++;                                        \
		} else {                                                       \
			check_failed++;                                        \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

struct site_sum {
	long long bytes, calls;
	int tags;     /* how many tags stand at that line */
	int accurate; /* all of them accurate */
};

/* `name` as a report shows `file` (__FILE__): the same, or its end after a '/' when the
 * report cuts a source root (ALLOCTAG_SOURCE_ROOT). */
__attribute__((unused)) static int names_file(const char *name, const char *file)
{
	size_t n = strlen(name), f = strlen(file);
	return n <= f && strcmp(file + f - n, name) == 0 && (n == f || (name[0] != '/' && file[f - n - 1] == '/'));
}

/* Sums the entries of `file:line` ((malloc) is used through alloc_tag_snapshot, which
 * frees its own array before returning the sums). */
__attribute__((unused)) static struct site_sum site_at(const char *file, unsigned line)
{
	struct alloc_tag_entry *entries;
	size_t n = alloc_tag_snapshot(&entries);
	struct site_sum sum = { 0, 0, 0, 1 };

	for (size_t i = 0; i < n; i++) {
		if (entries[i].lineno == line && names_file(entries[i].filename, file)) {
			sum.bytes += entries[i].bytes;
			sum.calls += entries[i].calls;
			sum.tags++;
			sum.accurate &= entries[i].accurate;
		}
	}
	free(entries);
	return sum;
}

__attribute__((unused)) static long long untagged_bytes(void)
{
	return site_at(ALLOC_TAG_UNTAGGED_NAME, 0).bytes;
}

#define EXPECT_SITE(line, want_bytes, want_calls)                                              \
	do {                                                                                   \
		struct site_sum s_ = site_at(__FILE__, (line));                                \
		CHECK(s_.tags > 0 && s_.bytes == (want_bytes) && s_.calls == (want_calls),     \
		      "line %d: %lld bytes in %lld calls (%d tags), expected %lld in %lld",    \
		      (int)(line), s_.bytes, s_.calls, s_.tags, (long long)(want_bytes),       \
		      (long long)(want_calls));                                                \
	} while (0)

__attribute__((unused)) static int check_finish(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
