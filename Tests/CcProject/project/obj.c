#include "api.h"

void *obj_new(struct state *s, int type, size_t size)
{
	struct obj *o = mem_realloc(s, NULL, 0, size);
	o->type = type;
	o->next = NULL;
	s->objects++;
	return o;
}
