/* The project's export macro, as SQLITE_API / LUALIB_API: the return type is its argument. */
#ifndef API_H
#define API_H
#include <stddef.h>
#include "ring.h"
/* Its expansion starts with its argument: a declaration starts at API, not at the type. */
#define API(type) type

/* util.c: a wrapper called from other files. */
API(void *) xmalloc(size_t n);
API(void *) xzalloc(size_t n);
/* A constructor yielding no value: the object comes back through an out-parameter, as
 * cmark's open_new_blocks(parser, &container, ...). */
void xmake(size_t n, void **out);

/* hooks.c: a hooks struct whose allocate field defaults to malloc. */
struct hooks {
	void *(*allocate)(size_t);
	void (*release)(void *);
};
extern struct hooks default_hooks;

/* state.c: a realloc-style allocator passed by address into a state, called through its field. */
typedef void *(*alloc_fn)(void *ud, void *p, size_t old_size, size_t new_size);
struct state {
	alloc_fn alloc;
	void *ud;
	size_t objects;
};
struct state *state_default(void);
void *mem_realloc(struct state *s, void *p, size_t old_size, size_t new_size);

/* obj.c and ctor.c: a central object allocator and a constructor calling it. */
struct obj {
	int type;
	struct obj *next;
};
void *obj_new(struct state *s, int type, size_t size);
struct str {
	struct obj base;
	char text[];
};
struct str *str_new(struct state *s, const char *text);
#endif
