#include <stdio.h>
#include "api.h"

void *volatile keep[8];
static struct ring ring;

int main(void)
{
	struct state *s = state_default();
	keep[0] = xmalloc(100);
	keep[1] = default_hooks.allocate(200);
	keep[2] = mem_realloc(s, NULL, 0, 300);
	keep[3] = obj_new(s, 2, 400);
	keep[4] = str_new(s, "0123456789");
	keep[5] = xzalloc(60);
	xmake(70, (void **)&keep[6]);
	ring_init(&ring, 80);
	printf("objects=%zu text=%s\n", s->objects, ((struct str *)keep[4])->text);
	return 0;
}
