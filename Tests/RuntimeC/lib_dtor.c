/* A library that knows nothing of alloctag, allocates in its constructor and frees in its
 * destructor: with the shared runtime the report at exit must count that free. */
#include <stdlib.h>

static void *volatile held;

__attribute__((constructor)) static void take(void) { held = malloc(5000); }
__attribute__((destructor)) static void give_back(void) { free(held); }
