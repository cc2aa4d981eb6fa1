/* A ring buffer set up by a static inline function in a header, as brotli's ringbuffer.h and
 * hash.h: its site is the header's own line in every unit that includes it. Included only
 * through api.h, so `tagger cc` must find the annotated copy from an unchanged header. */
#ifndef RING_H
#define RING_H
#include <stdlib.h>
struct ring {
	char *data;
	size_t size;
};
static inline void ring_init(struct ring *r, size_t n)
{
	r->data = malloc(n);
	r->size = n;
}
#endif
