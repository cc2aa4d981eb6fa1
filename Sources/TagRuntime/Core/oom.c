/*
 * oom.c - when an allocation fails, name the biggest sites once (the kernel's show_mem
 * report), without allocating: stack buffers, trylock, write(2).
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define TOP_SITES 10

void alloc_tag_out_of_memory(size_t bytes)
{
	static int reported;
	uint32_t top[TOP_SITES];
	int64_t top_bytes[TOP_SITES];
	int n = 0;
	char number[32];

	if (__atomic_exchange_n(&reported, 1, __ATOMIC_RELAXED))
		return;
	uint32_t limit = codetag_index_limit();
	for (uint32_t i = ALLOC_TAG_UNTAGGED_INDEX; i < limit; i++) {
		struct alloc_tag_counters sum;
		if (alloc_tag_sum_one_trylock(i, &sum) != 0)
			return; /* another thread is reading: better no report than a deadlock */
		if (sum.bytes <= 0)
			continue;
		int pos;
		if (n < TOP_SITES)
			pos = n++;
		else if (sum.bytes > top_bytes[TOP_SITES - 1])
			pos = TOP_SITES - 1;
		else
			continue;
		top[pos] = i;
		top_bytes[pos] = sum.bytes;
		for (; pos > 0 && top_bytes[pos - 1] < top_bytes[pos]; pos--) {
			uint32_t t = top[pos - 1];
			int64_t tb = top_bytes[pos - 1];
			top[pos - 1] = top[pos];
			top_bytes[pos - 1] = top_bytes[pos];
			top[pos] = t;
			top_bytes[pos] = tb;
		}
	}
	snprintf(number, sizeof(number), "%zu", bytes);
	alloc_tag_warn("out of memory allocating ", number, " bytes; largest live allocation sites:");
	for (int i = 0; i < n; i++) {
		struct alloc_tag_counters sum;
		struct alloc_tag_entry e;
		if (alloc_tag_sum_one_trylock(top[i], &sum) != 0 || !alloc_tag_entry_at(top[i], &sum, &e))
			continue;
		alloc_tag_write_entry(2, "alloctag:   ", &e);
	}
}
