#include <stdlib.h>
#include "api.h"

/* The library's default allocator: its address is taken, so it stays a function. */
static void *l_alloc(void *ud, void *p, size_t old_size, size_t new_size)
{
	(void)ud;
	(void)old_size;
	if (new_size == 0) {
		free(p);
		return NULL;
	}
	return realloc(p, new_size);
}

static struct state *state_new(alloc_fn f, void *ud)
{
	struct state *s = f(ud, NULL, 0, sizeof *s);
	s->alloc = f;
	s->ud = ud;
	s->objects = 0;
	return s;
}

struct state *state_default(void)
{
	return state_new(l_alloc, NULL);
}

void *mem_realloc(struct state *s, void *p, size_t old_size, size_t new_size)
{
	return s->alloc(s->ud, p, old_size, new_size);
}
