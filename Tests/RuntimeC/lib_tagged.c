/* A shared library with tags of its own, loaded and unloaded by test_dlopen. */
#include <alloc_tag/override.h>

void *lib_allocate(size_t n)
{
	return malloc(n); /* tagged at this line, in [lib_tagged] */
}

char *lib_copy(const char *s)
{
	return strdup(s);
}
