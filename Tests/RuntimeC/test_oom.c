/* When an allocation fails the biggest live sites are printed once (run.sh checks stderr). */
#include <stdint.h>

#include "check.h"
#include <alloc_tag/override.h>

static void *volatile keep[4];
static volatile size_t huge = SIZE_MAX / 2;

int main(void)
{
	keep[0] = malloc(1 << 20);
	keep[1] = malloc(2 << 20);
	keep[2] = malloc(huge);
	CHECK(keep[2] == NULL, "huge allocation fails");
	keep[3] = malloc(huge);
	CHECK(keep[3] == NULL, "second huge allocation fails (no second report)");
	return check_finish("oom");
}
