#include "demo_c.h"

#include <stdlib.h>
#include <string.h>

/* Kept alive to the end, so the report at exit shows each site's bytes. */
void *demo_c_kept[3];

void demo_c_allocate(void)
{
	demo_c_kept[0] = malloc(1000);
	demo_c_kept[1] = calloc(10, 30);
	demo_c_kept[2] = strdup("alloctag");
}
