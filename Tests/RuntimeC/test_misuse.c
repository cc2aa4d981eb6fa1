/*
 * Frees glibc would reject, driven by run.sh: `./test_misuse SCENARIO` under each reference
 * form.  The program prints the pointer it is about to misuse on stdout; run.sh expects an
 * abort (status 134) with one line on stderr naming that pointer, as glibc words it:
 *   double-small    free(p) twice, p = malloc(40)
 *   double-large    free(p) twice, p = malloc(5000) (glibc's block in every form)
 *   double-binned   the same with a live block after p and a malloc between the frees,
 *                   so glibc files p's chunk in its bins, writing over the header; a free
 *                   1000-byte chunk waits in glibc's tcache, so the runtime's one-time probe
 *                   for glibc's tcache key (a malloc(1000)) takes that one, not p's chunk
 *                   (reusing p's chunk, the probe wrote the key over it: the double free was
 *                   caught by that coincidence alone before the second freed mark)
 *   double-aligned  free(p) twice, p = aligned_alloc(64, 100)
 *   interior        free(p + 16), p = malloc(64) filled with 0xab
 *   realloc-freed   realloc(p, 80) after free(p)
 *   uaf-local       a use-after-free write aims p's free-list link at p itself, then two
 *                   malloc(40): the slab form must abort ("corrupted free list") rather
 *                   than hand p out twice; the header form (whose link glibc keeps apart
 *                   from the user bytes) must hand out two different blocks (exit 0)
 *   uaf-remote      the same through the list of objects freed by another thread, then
 *                   5000 malloc(40) of which none may be handed out twice
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wuse-after-free"
#endif

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

static void *volatile keep[4];
static void *volatile hidden;
/* The compilers see a use after free here and would refuse it: that is the point. */
#define LAUNDER(x) (hidden = (x), (char *)hidden)

static void announce(const void *p)
{
	printf("%p\n", p);
	fflush(stdout);
}

static void *free_elsewhere(void *p)
{
	free(p);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	char *p;

	setvbuf(stdout, NULL, _IONBF, 0); /* no buffer allocated between the frees */

	if (strcmp(what, "double-small") == 0 || strcmp(what, "double-large") == 0) {
		p = malloc(what[7] == 's' ? 40 : 5000);
		free(p);
		p = LAUNDER(p);
		announce(p);
		free(p);
	} else if (strcmp(what, "double-binned") == 0) {
		void *spare = __libc_malloc(1000);
		p = malloc(5000);
		keep[0] = malloc(5000); /* p cannot merge into the top chunk */
		free(p);
		keep[1] = malloc(8000); /* too big for p's chunk: glibc sorts it into a bin */
		__libc_free(spare);     /* into the tcache, for the probe */
		p = LAUNDER(p);
		announce(p);
		free(p);
	} else if (strcmp(what, "double-aligned") == 0) {
		p = aligned_alloc(64, 100);
		free(p);
		p = LAUNDER(p);
		announce(p);
		free(p);
	} else if (strcmp(what, "interior") == 0) {
		p = malloc(64);
		memset(p, 0xab, 64);
		p = LAUNDER(p + 16);
		announce(p);
		free(p);
	} else if (strcmp(what, "realloc-freed") == 0) {
		p = malloc(40);
		free(p);
		p = LAUNDER(p);
		announce(p);
		keep[0] = realloc(p, 80);
	} else if (strcmp(what, "uaf-local") == 0) {
		p = malloc(40);
		free(p);
		p = LAUNDER(p);
		announce(p);
		*(void **)p = p; /* the write after free */
		keep[0] = malloc(40);
		keep[1] = malloc(40);
		return keep[0] == keep[1] ? 1 : 0;
	} else if (strcmp(what, "uaf-remote") == 0) {
		pthread_t t;
		p = malloc(40);
		pthread_create(&t, NULL, free_elsewhere, p);
		pthread_join(t, NULL);
		announce(p);
		memset(p, 0x41, 16);
		/* Enough 40-byte blocks to use up the slab and collect what the thread freed;
		 * none may be handed out twice. */
		static void *got[5000];
		for (int i = 0; i < 5000; i++) {
			got[i] = malloc(40);
			for (int j = 0; j < i; j++)
				if (got[j] == got[i])
					return 1;
		}
		return 0;
	} else {
		fprintf(stderr, "usage: test_misuse SCENARIO\n");
		return 64;
	}
	return 2; /* not reached when the misuse was caught */
}
