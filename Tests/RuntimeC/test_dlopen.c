/*
 * Shared libraries as modules: a library's sites show [libname]; memory it allocated
 * outlives dlclose (its tags stay listed until their counters reach zero); 8 threads
 * allocate through the library while it is loaded and unloaded again and again and a
 * reader takes reports; at the end every counter is exactly zero and no line was malformed.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>

#include "check.h"

#define THREADS 8
#define POOL 512
/* Every UNLOAD_EVERY rounds all workers meet after their dlclose, so the library's last
 * handle is closed and it is unmapped at least 300 / UNLOAD_EVERY times whatever the
 * scheduling (without it, 8 overlapping threads rarely all close at once: 4 unloads were
 * seen on a loaded machine); between meetings they load and unload it freely. */
#define UNLOAD_EVERY 25
static pthread_barrier_t all_closed;

static const char *lib_path;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static void *pool[POOL];
static volatile int reading = 1;
static long reports, malformed;

static int lib_lines(const char *text, long long *bytes, long long *calls)
{
	int n = 0;
	*bytes = *calls = 0;
	for (const char *line = text; (line = strstr(line, "lib_tagged.c:")) != NULL; line++) {
		const char *start = line;
		while (start > text && start[-1] != '\n')
			start--;
		long long b, c;
		if (sscanf(start, "%lld %lld", &b, &c) == 2) {
			*bytes += b;
			*calls += c;
		}
		n++;
	}
	return n;
}

static void *worker(void *arg)
{
	uint64_t rng = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 7;
	for (int round = 0; round < 300; round++) {
		void *h = dlopen(lib_path, RTLD_NOW);
		if (h == NULL) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			abort();
		}
		void *(*allocate)(size_t) = (void *(*)(size_t))dlsym(h, "lib_allocate");
		for (int i = 0; i < 20; i++) {
			rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
			void *p = allocate(1 + rng % 300);
			int slot = (int)((rng >> 20) % POOL);
			pthread_mutex_lock(&pool_lock);
			void *old = pool[slot];
			pool[slot] = p;
			pthread_mutex_unlock(&pool_lock);
			free(old); /* often allocated under an earlier mapping of the library */
		}
		dlclose(h);
		if (round % UNLOAD_EVERY == UNLOAD_EVERY - 1)
			pthread_barrier_wait(&all_closed);
	}
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	while (reading) {
		char *text = alloc_tag_report(NULL);
		if (text == NULL)
			continue;
		for (char *line = strchr(strchr(text, '\n') + 1, '\n') + 1; *line;) {
			char *end = strchr(line, '\n');
			if (end == NULL || end - line < 24 || end[-1] != ' ' || line[12] != ' ' || line[21] != ' ' ||
			    strstr(line, " func:") == NULL || strstr(line, " func:") > end)
				__atomic_fetch_add(&malformed, 1, __ATOMIC_RELAXED);
			if (end == NULL)
				break;
			line = end + 1;
		}
		free(text);
		reports++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long long bytes, calls;
	lib_path = argc > 1 ? argv[1] : "./lib_tagged.so";

	/* one load: sites listed with the module name, memory outlives dlclose */
	void *h = dlopen(lib_path, RTLD_NOW);
	CHECK(h != NULL, "dlopen %s: %s", lib_path, dlerror());
	void *(*allocate)(size_t) = (void *(*)(size_t))dlsym(h, "lib_allocate");
	char *(*copy)(const char *) = (char *(*)(const char *))dlsym(h, "lib_copy");
	void *a = allocate(1000);
	char *b = copy("hello");
	char *text = alloc_tag_report(NULL);
	CHECK(strstr(text, "        1000        1 ") != NULL && strstr(text, "lib_tagged.c:6 [lib_tagged] func:lib_allocate \n") != NULL,
	      "library site with its module:\n%s", text);
	CHECK(strstr(text, "           6        1 ") != NULL && strstr(text, "lib_tagged.c:11 [lib_tagged] func:lib_copy \n") != NULL,
	      "second library site");
	free(text);
	dlclose(h);
	text = alloc_tag_report(NULL);
	CHECK(lib_lines(text, &bytes, &calls) == 2 && bytes == 1006 && calls == 2,
	      "after dlclose the live sites stay listed: %lld bytes in %lld calls\n%s", bytes, calls, text);
	free(text);
	free(a);
	text = alloc_tag_report(NULL);
	CHECK(lib_lines(text, &bytes, &calls) == 1 && bytes == 6, "a site back at zero leaves the list");
	free(text);
	free(b);
	text = alloc_tag_report(NULL);
	CHECK(lib_lines(text, &bytes, &calls) == 0, "all gone once freed:\n%s", text);
	free(text);

	/* the stress; every load of the library registers its 2 tags anew */
	uint32_t indices_before = codetag_index_limit();
	pthread_t t[THREADS], r;
	pthread_barrier_init(&all_closed, NULL, THREADS);
	pthread_create(&r, NULL, reader, NULL);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(i + 1));
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	reading = 0;
	pthread_join(r, NULL);
	for (int i = 0; i < POOL; i++)
		free(pool[i]);
	text = alloc_tag_report(NULL);
	CHECK(lib_lines(text, &bytes, &calls) == 0, "after the stress no library line is left (%lld bytes, %lld calls)", bytes, calls);
	free(text);
	CHECK(reports > 0 && malformed == 0, "%ld reports, %ld malformed lines", reports, malformed);
	uint32_t loads = (codetag_index_limit() - indices_before) / 2;
	CHECK(loads >= 300 / UNLOAD_EVERY, "the library was loaded and unloaded %u times", loads);
	printf("dlopen: %u loads and %ld reports during the stress\n", loads, reports);
	return check_finish("dlopen");
}
