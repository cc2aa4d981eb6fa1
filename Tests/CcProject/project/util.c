#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"

API(void *) xmalloc(size_t n)
{
	void *p = malloc(n);
	if (p == NULL) {
		fputs("out of memory\n", stderr);
		abort();
	}
	return p;
}

/* Hands its allocation out through a parameter, as SQLite's mallocWithAlarm does. */
static void alloc_out(size_t n, void **out)
{
	*out = malloc(n);
}

API(void *) xzalloc(size_t n)
{
	void *p;
	alloc_out(n, &p);
	memset(p, 0, n);
	return p;
}

void xmake(size_t n, void **out)
{
	*out = xmalloc(n);
}
