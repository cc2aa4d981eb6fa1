/*
 * codetag.h - the generic code-tag layer.
 *
 * A code tag is a static record, one per call site, placed in a named linker section so
 * that the runtime can find every record of a loaded image by walking the linker-made
 * __start_<section> / __stop_<section> pair.  The allocation consumer (alloc_tag.h) is
 * built on top of it.
 *
 * The record layout is shared by C and Swift (a Swift record is a tuple of the same
 * shape, see TagRuntime's AllocTagRecord), so it is fixed, 40 bytes, 8-byte aligned:
 *
 *   offset  0  uint32  magic     CODETAG_MAGIC; anything else in the section is skipped
 *   offset  4  uint32  flags     CODETAG_FLAG_*
 *   offset  8  uint32  lineno
 *   offset 12  uint32  index     owned by the runtime: 0 until the tag is registered
 *   offset 16  ptr     modname   NULL (or "") means "derive from the image"
 *   offset 24  ptr     function
 *   offset 32  ptr     filename
 *
 * With CODETAG_FLAG_STRING_FNS the three pointers are functions returning the string
 * (Swift cannot place a string pointer in a constant record, but it can place a
 * non-capturing @convention(c) closure).
 */
#ifndef ALLOC_TAG_CODETAG_H
#define ALLOC_TAG_CODETAG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CODETAG_MAGIC 0x31474154u /* "TAG1" little-endian */

enum {
	/* modname/function/filename hold `const char *(*)(void)` instead of strings. */
	CODETAG_FLAG_STRING_FNS = 1u << 0,
	/* Set by the runtime: a reference for this site could not be recorded. */
	CODETAG_FLAG_INACCURATE = 1u << 1,
	/* A site of the runtime itself: reported only once it has allocated. */
	CODETAG_FLAG_RUNTIME = 1u << 2,
};

struct codetag {
	uint32_t magic;
	uint32_t flags;
	uint32_t lineno;
	uint32_t index;
	const char *modname;
	const char *function;
	const char *filename;
} __attribute__((aligned(8)));

/* What a report needs of a tag, with strings resolved and the owning image named. */
struct codetag_info {
	const char *modname; /* NULL for the main executable */
	const char *function;
	const char *filename;
	uint32_t lineno;
	uint32_t flags;
};

/*
 * Registers every record in [start, stop) (one image's section).  Idempotent per start
 * address.  Records already registered one by one keep their index.
 */
void codetag_register_range(struct codetag *start, struct codetag *stop);

/*
 * Forgets an image's range (its library is being unloaded).  Tags are copied first, so
 * lines for them stay valid; the consumer decides how long they stay listed.
 */
void codetag_unregister_range(struct codetag *start, struct codetag *stop);

/* Registers one record (first use before its image's range was seen); returns its index. */
uint32_t codetag_register_one(struct codetag *ct);

/* Number of indices handed out so far plus one (index 0 is never used). */
uint32_t codetag_index_limit(void);

/* Fills *info for index; returns 0 when no tag has that index. */
int codetag_info_at(uint32_t index, struct codetag_info *info);

#ifdef __cplusplus
}
#endif

#endif /* ALLOC_TAG_CODETAG_H */
