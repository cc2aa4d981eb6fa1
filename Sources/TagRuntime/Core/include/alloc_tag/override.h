/*
 * override.h - tag every malloc-family call of a C file at its own line.
 *
 * Include it after the file's system headers (or pass `-include alloc_tag/override.h`
 * with the file's feature macros such as _GNU_SOURCE given on the command line: this
 * header includes <stdlib.h>, <string.h> and <malloc.h> first, so that their prototypes
 * are not macro-expanded, which fixes the feature macros for the rest of the file).
 *
 * The _noprof spellings call the real function without a tag of their own: a helper that
 * wraps an allocator uses them and gets `#define helper(...) alloc_hooks(helper_noprof(...))`
 * so that its callers are charged, as in the kernel.
 */
#ifndef ALLOC_TAG_OVERRIDE_H
#define ALLOC_TAG_OVERRIDE_H

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_tag.h"

#define malloc_noprof(...) (malloc)(__VA_ARGS__)
#define calloc_noprof(...) (calloc)(__VA_ARGS__)
#define realloc_noprof(...) (realloc)(__VA_ARGS__)
#define reallocarray_noprof(...) (reallocarray)(__VA_ARGS__)
#define strdup_noprof(...) (strdup)(__VA_ARGS__)
#define strndup_noprof(...) (strndup)(__VA_ARGS__)
#define aligned_alloc_noprof(...) (aligned_alloc)(__VA_ARGS__)
#define posix_memalign_noprof(...) (posix_memalign)(__VA_ARGS__)
#define memalign_noprof(...) (memalign)(__VA_ARGS__)
#define valloc_noprof(...) (valloc)(__VA_ARGS__)
#define pvalloc_noprof(...) (pvalloc)(__VA_ARGS__)

#undef malloc
#undef calloc
#undef realloc
#undef reallocarray
#undef strdup
#undef strndup
#undef aligned_alloc
#undef posix_memalign
#undef memalign
#undef valloc
#undef pvalloc

#define malloc(...) alloc_hooks(malloc_noprof(__VA_ARGS__))
#define calloc(...) alloc_hooks(calloc_noprof(__VA_ARGS__))
#define realloc(...) alloc_hooks(realloc_noprof(__VA_ARGS__))
#define reallocarray(...) alloc_hooks(reallocarray_noprof(__VA_ARGS__))
#define strdup(...) alloc_hooks(strdup_noprof(__VA_ARGS__))
#define strndup(...) alloc_hooks(strndup_noprof(__VA_ARGS__))
#define aligned_alloc(...) alloc_hooks(aligned_alloc_noprof(__VA_ARGS__))
#define posix_memalign(...) alloc_hooks(posix_memalign_noprof(__VA_ARGS__))
#define memalign(...) alloc_hooks(memalign_noprof(__VA_ARGS__))
#define valloc(...) alloc_hooks(valloc_noprof(__VA_ARGS__))
#define pvalloc(...) alloc_hooks(pvalloc_noprof(__VA_ARGS__))

#endif /* ALLOC_TAG_OVERRIDE_H */
