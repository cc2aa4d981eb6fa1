/*
 * The tag registry under a thread sanitizer (issue 15 item 9): run.sh builds the runtime with
 * codetag.c instrumented (-fsanitize=thread) and this program, and fails on any TSan report.
 *
 * A slot's state word is written from two sides: codetag_unregister_range() or-s in
 * SLOT_UNLOADED under the registry lock when the library is dlclosed, and the allocator or-s in
 * SLOT_INACCURATE with no lock when a reference cannot be had (ALLOCTAG_FAULT_REFS=2 makes
 * every second one fail).  Workers allocate through lib_race.so and let it go (each with a
 * handle of its own, so whichever thread drops the last one unloads it) while a reader walks
 * the registry (codetag_info_at: each slot's names, resolved from the loader while images come
 * and go): the two or-ins meet on the library's slots with no lock between them.  A plain |=
 * there is a data race TSan reports; so is a plain write of the index limit that reports read
 * with no lock, and a use of a link_map that a dlclose freed.
 *
 * The loader maps libraries where TSan does not see it, so a library's data at an address
 * the runtime had mmapped and unmapped reads as written by that mmap (a false report): the
 * reader walks the registry rather than taking full reports (which map a buffer each), and
 * run.sh suppresses the reports that name mmap (the slab form's heaps map and unmap too).
 *   test_registry_race LIBRARY RUNTIME   (RUNTIME: the runtime's shared library, loaded)
 */
#include <dlfcn.h>
#include <pthread.h>

#include "check.h"

#define THREADS 4
#define ROUNDS 200

static const char *lib_path;
/* The runtime's allocator, by pointer: under TSan the process's malloc is the sanitizer's. */
static void *(*runtime_malloc)(size_t);
static void (*runtime_free)(void *);
static int reading = 1;
static long walks;

static void *worker(void *arg)
{
	(void)arg;
	for (int round = 0; round < ROUNDS; round++) {
		void *h = dlopen(lib_path, RTLD_NOW);
		if (h == NULL) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			abort();
		}
		void *(*allocate)(size_t, void *(*)(size_t)) = (void *(*)(size_t, void *(*)(size_t)))dlsym(h, "lib_allocate");
		for (int i = 0; i < 8; i++)
			runtime_free(allocate(24 + (size_t)i, runtime_malloc));
		dlclose(h);
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct codetag_info info;

	(void)arg;
	while (__atomic_load_n(&reading, __ATOMIC_RELAXED)) {
		for (uint32_t i = 1, limit = codetag_index_limit(); i < limit; i++)
			codetag_info_at(i, &info);
		walks++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS], r;

	if (argc < 3)
		return 64;
	lib_path = argv[1];
	void *runtime = dlopen(argv[2], RTLD_NOW | RTLD_NOLOAD);
	CHECK(runtime != NULL, "the runtime %s is loaded", argv[2]);
	if (runtime == NULL)
		return check_finish("registry race");
	runtime_malloc = (void *(*)(size_t))dlsym(runtime, "malloc");
	runtime_free = (void (*)(void *))dlsym(runtime, "free");
	uint32_t before = codetag_index_limit();
	pthread_create(&r, NULL, reader, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&reading, 0, __ATOMIC_RELAXED);
	pthread_join(r, NULL);
	uint32_t loads = codetag_index_limit() - before;
	CHECK(loads >= 10 && walks > 0, "the library was loaded and unloaded %u times, the registry walked %ld times", loads, walks);
	printf("registry race: %u loads, %ld walks\n", loads, walks);
	return check_finish("registry race");
}
