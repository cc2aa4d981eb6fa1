/*
 * misuse.c - what the allocator does with a pointer no allocation of its owns now: a
 * second free, a pointer into the middle of a block, a free list a use-after-free write
 * corrupted.  As glibc does, it aborts with one line naming the call and the pointer
 * ("free(): double free detected in alloctag: 0x..."), written with write(2): nothing
 * here allocates, and the heap is not trusted any more.
 *
 * glibc's tcache key: glibc 2.34+ marks a chunk in its tcache with a per-process random
 * word at offset 8 (tcache_key) and clears it when the chunk is handed out.  A block whose
 * reference sits where glibc then writes (the 16-byte header form) is recognised as freed
 * by that word; it is learned once, on the first misuse, by freeing a chunk of glibc's own.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

void alloc_tag_abort_pointer(const char *what, const void *p)
{
	char hex[2 + 2 * sizeof(uintptr_t) + 1];
	uintptr_t v = (uintptr_t)p;
	int n = 0;

	hex[n++] = '0';
	hex[n++] = 'x';
	int started = 0;
	for (int shift = (int)(8 * sizeof(uintptr_t)) - 4; shift >= 0; shift -= 4) {
		unsigned digit = (unsigned)(v >> shift) & 15;
		if (digit != 0 || started || shift == 0) {
			hex[n++] = "0123456789abcdef"[digit];
			started = 1;
		}
	}
	hex[n] = '\0';
	alloc_tag_message(what, " in alloctag: ", hex, (const char *)0);
	abort();
}

static uint64_t tcache_key;
static int tcache_key_known;

int alloc_tag_glibc_freed(const void *mem)
{
	if (!__atomic_load_n(&tcache_key_known, __ATOMIC_ACQUIRE)) {
		uint64_t *probe = __libc_malloc(1000);
		uint64_t key = 0;
		if (probe != NULL) {
			probe[1] = 0;
			__libc_free(probe);
			memcpy(&key, (char *)probe + 8, sizeof(key)); /* glibc's word, not ours */
		}
		store_relaxed(&tcache_key, key);
		__atomic_store_n(&tcache_key_known, 1, __ATOMIC_RELEASE);
	}
	uint64_t key = load_relaxed(&tcache_key), word;
	memcpy(&word, (const char *)mem + 8, sizeof(word));
	return key != 0 && word == key;
}
