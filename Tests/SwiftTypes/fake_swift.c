/* A stand-in for libswiftCore's two functions the runtime uses (Tests/SwiftTypes/run.sh):
 * swift_allocObject (malloc, then the metadata word) and swift_getTypeName (a metadata here is
 * the address of a pointer to its name).  Lets a C program reach the runtime's type table at
 * a scale no Swift probe reaches cheaply: more sites than the table holds. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *swift_allocObject(const void *metadata, size_t size, size_t align_mask)
{
	(void)align_mask;
	const void **object = malloc(size);
	if (object != NULL)
		object[0] = metadata;
	return object;
}

struct type_name {
	const char *data;
	uintptr_t length;
};

struct type_name swift_getTypeName(const void *type, bool qualified)
{
	(void)qualified;
	const char *name = *(const char *const *)type;
	return (struct type_name){ name, strlen(name) };
}
