/* A tagged library for test_registry_race: its one site allocates through the runtime's own
 * malloc, passed in by the program (under a thread sanitizer the sanitizer's malloc is the
 * process's, so the runtime's is reached through a pointer, not by name). */
#include <alloc_tag/alloc_tag.h>
#include <stddef.h>

void *lib_allocate(size_t n, void *(*runtime_malloc)(size_t))
{
	return alloc_hooks(runtime_malloc(n));
}
