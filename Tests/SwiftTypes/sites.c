/* A C program for Tests/SwiftTypes/run.sh: two tagged sites, no Swift runtime, so the Swift
 * types machinery must change nothing (extended report version 1, no "+ type" line). */
#include <unistd.h>
#include <stdlib.h>
#include <alloc_tag/override.h>

static void *volatile keep[8];

int main(void)
{
	for (int i = 0; i < 5; i++)
		keep[i] = malloc(100);
	keep[5] = calloc(3, 1000);
	free(keep[0]);
	write(1, "sites: done\n", 12);
	return 0;
}
