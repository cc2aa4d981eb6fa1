/*
 * soak.c - the runtime under everything at once, for a bounded time (argv[2] seconds):
 * 4 threads allocating, reallocating and freeing at several sites and handing a share of
 * their blocks to each other to free (cross-thread frees); a thread loading a tagged library,
 * allocating and freeing through it and unloading it (dlopen/dlclose); a thread flipping the
 * run-time switch; a thread forking children that allocate, free and exit; live inspection on
 * (Tests/Soak/run.sh reads the report from outside meanwhile) and in-process snapshots.
 * At the end every block is freed and every site of this file and of the library must be
 * back at exactly 0 bytes in 0 calls.  Usage: soak LIBRARY SECONDS
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../RuntimeC/check.h"
#include <alloc_tag/override.h>

#define WORKERS 4
#define HANDOFF 4096

static atomic_int stop;
static const char *library;
static pthread_mutex_t handoff_lock = PTHREAD_MUTEX_INITIALIZER;
static void *handoff[HANDOFF];
static int handoff_count;
static atomic_long counts[5]; /* allocations, cross-thread frees, loads, forks, flips */

static unsigned next_random(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

static void give(void *p)
{
	void *drop = NULL;
	pthread_mutex_lock(&handoff_lock);
	if (handoff_count < HANDOFF)
		handoff[handoff_count++] = p;
	else
		drop = p;
	pthread_mutex_unlock(&handoff_lock);
	free(drop);
}

static void *take(void)
{
	void *p = NULL;
	pthread_mutex_lock(&handoff_lock);
	if (handoff_count > 0)
		p = handoff[--handoff_count];
	pthread_mutex_unlock(&handoff_lock);
	return p;
}

static void *worker(void *arg)
{
	unsigned state = (unsigned)(uintptr_t)arg * 7919u + 1;
	void *own[64] = { 0 };

	while (!atomic_load(&stop)) {
		unsigned r = next_random(&state);
		unsigned slot = r % 64;
		size_t size = 1 + (r >> 6) % ((r & 0x100) ? 600 : 100000);
		free(own[slot]);
		switch (r % 5) {
		case 0: own[slot] = malloc(size); break;
		case 1: own[slot] = calloc(1, size); break;
		case 2: own[slot] = realloc(malloc(16), size); break;
		case 3: {
			void *p = NULL;
			own[slot] = posix_memalign(&p, 64, size) == 0 ? p : NULL;
			break;
		}
		default: own[slot] = strdup("a string that some other thread frees");
		}
		atomic_fetch_add(&counts[0], 1);
		if (r % 3 == 0) { /* hand it to whichever thread takes it */
			give(own[slot]);
			own[slot] = NULL;
		}
		void *q = take();
		if (q != NULL) {
			free(q);
			atomic_fetch_add(&counts[1], 1);
		}
	}
	for (int i = 0; i < 64; i++)
		free(own[i]);
	return NULL;
}

static void *loader(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		void *h = dlopen(library, RTLD_NOW);
		if (h == NULL) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			atomic_store(&stop, 1);
			break;
		}
		void *(*allocate)(size_t) = (void *(*)(size_t))dlsym(h, "lib_allocate");
		char *(*copy)(const char *) = (char *(*)(const char *))dlsym(h, "lib_copy");
		void *blocks[16];
		for (int i = 0; i < 16; i++)
			blocks[i] = i % 2 ? allocate((size_t)(i * 100 + 1)) : copy("from the library");
		for (int i = 0; i < 16; i++)
			free(blocks[i]);
		dlclose(h);
		/* Each load registers the library's tags under new indices (a slot is never reused),
		 * and compressed references name at most 65535: stay well below. */
		if (atomic_fetch_add(&counts[2], 1) + 1 >= 5000)
			break;
		usleep(1000);
	}
	return NULL;
}

static void *forker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		pid_t child = fork();
		if (child == 0) {
			void *blocks[32];
			for (int i = 0; i < 32; i++)
				blocks[i] = malloc((size_t)(i * 37 + 1));
			for (int i = 0; i < 32; i++)
				free(blocks[i]);
			/* _exit: exit() in the child of a threaded process can hang in glibc itself (its
			 * __exit_funcs_lock, held by another thread's dlclose at the fork). */
			_exit(0);
		}
		int status = -1;
		if (child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			atomic_fetch_add(&counts[3], 1);
		else
			CHECK(0, "forked child: status %#x", status);
		usleep(20000);
	}
	return NULL;
}

static void *flipper(void *arg)
{
	(void)arg;
	for (int on = 0; !atomic_load(&stop); on = !on) {
		CHECK(alloc_tag_set_profiling(on) == 0, "switch: %s", alloc_tag_last_error());
		atomic_fetch_add(&counts[4], 1);
		usleep(3000);
		if (counts[4] % 50 == 0) { /* an in-process reader too */
			size_t len = 0;
			char *text = alloc_tag_report(&len);
			CHECK(text != NULL && len > 0, "in-process report");
			free(text);
		}
	}
	CHECK(alloc_tag_set_profiling(true) == 0, "switch back on");
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t threads[WORKERS + 3];
	void *(*roles[3])(void *) = { loader, forker, flipper };

	if (argc != 3)
		return 64;
	library = argv[1];
	int seconds = atoi(argv[2]);
	printf("soak %d\n", (int)getpid());
	fflush(stdout);
	for (int i = 0; i < WORKERS; i++)
		pthread_create(&threads[i], NULL, worker, (void *)(uintptr_t)i);
	for (int i = 0; i < 3; i++)
		pthread_create(&threads[WORKERS + i], NULL, roles[i], NULL);
	sleep((unsigned)seconds);
	atomic_store(&stop, 1);
	for (int i = 0; i < WORKERS + 3; i++)
		pthread_join(threads[i], NULL);
	for (void *p; (p = take()) != NULL;)
		free(p);

	/* Every site of this file and of the library is back at zero. */
	struct alloc_tag_entry *entries;
	size_t n = alloc_tag_snapshot(&entries);
	int sites = 0, nonzero = 0;
	for (size_t i = 0; i < n; i++) {
		int ours = strstr(entries[i].filename, "soak.c") != NULL ||
			   (entries[i].modname != NULL && strcmp(entries[i].modname, "lib_tagged") == 0);
		if (!ours)
			continue;
		sites++;
		if (entries[i].bytes != 0 || entries[i].calls != 0) {
			nonzero++;
			fprintf(stderr, "not at zero: %lld %lld %s:%u\n", (long long)entries[i].bytes,
				(long long)entries[i].calls, entries[i].filename, entries[i].lineno);
		}
	}
	free(entries);
	CHECK(nonzero == 0, "%d of %d sites not at zero", nonzero, sites);
	CHECK(sites == 7, "%d sites of soak.c seen, expected its 7", sites);
	CHECK(counts[2] > 0 && counts[3] > 0 && counts[4] > 0 && counts[1] > 0, "every role ran");
	printf("soak: %ld allocations, %ld cross-thread frees, %ld loads, %ld forks, %ld switch flips\n",
	       (long)counts[0], (long)counts[1], (long)counts[2], (long)counts[3], (long)counts[4]);
	return check_finish("soak");
}
