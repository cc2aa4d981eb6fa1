/* A program that knows nothing of alloctag: used with LD_PRELOAD=libTagRuntimePreload.so.
 * Leaves exactly 3 blocks of 1000 bytes live; no stdio, so libc allocates nothing else. */
#include <stdlib.h>
#include <unistd.h>

static void *volatile keep[5];

int main(void)
{
	for (int i = 0; i < 5; i++)
		keep[i] = malloc(1000);
	free(keep[1]);
	free(keep[3]);
	keep[0] = realloc(keep[0], 1000);
	write(1, "plain: done\n", 12);
	return 0;
}
