"""Writes a C file defining N tags (more than a 16-bit reference could name) and a function
that allocates under the last one (line N)."""
import sys

n = int(sys.argv[1])
out = ['#include <alloc_tag/alloc_tag.h>', '#include <stdlib.h>']
for i in range(n):
    out.append('static struct alloc_tag t%d __attribute__((used, retain, section("alloc_tags"), aligned(8))) = '
               '{ { CODETAG_MAGIC, 0, %d, 0, 0, "many", "many_tags.c" } };' % (i, i + 1))
out.append('void *many_allocate(size_t n) { return alloc_hooks_tag(&t%d, malloc(n)); }' % (n - 1))
sys.stdout.write("\n".join(out) + "\n")
