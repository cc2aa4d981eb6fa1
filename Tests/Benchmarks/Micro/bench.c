/*
 * alloctag-bench: the cost of allocation profiling against plain glibc, measured in one run.
 *
 * The driver re-executes itself once per configuration and round, interleaving them so that
 * machine noise hits every configuration alike:
 *   glibc          the same loops calling __libc_malloc/__libc_free directly (no hooks)
 *   never          TagRuntime with ALLOCTAG_PROFILING=never
 *   off            ALLOCTAG_PROFILING=0 (references written, not counting)
 *   on             ALLOCTAG_PROFILING=1 (the default form: 4-byte slab reference up to 512 B)
 *   header         ALLOCTAG_PROFILING=1,header (16-byte header on every block)
 * Workloads: mixed sizes 8..512 with a live working set (blocks untouched, and written
 * whole), the same with frees from any thread, realloc chains, aligned allocations; on 1 thread and on as many threads as the machine has.  Then memory
 * overhead for 1M live objects of 24 bytes and of 8..512 bytes and the time to report 100k tags.
 *
 * Prints ns per operation (median, min, max over rounds) and the median of the per-round
 * ratios to glibc.
 */
#include <alloc_tag/alloc_tag.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

#define LIVE 10000
#define OPS 2000000

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- The workloads: each in a plain-glibc and an instrumented spelling -------------- */

/* USE(p, n): what the program does with a new block (nothing, or write all of it). */
#define WORKLOAD_MIXED(NAME, ALLOC, FREE, USE)                                 \
	static double NAME(uint64_t seed)                                      \
	{                                                                      \
		void **live = __libc_malloc(sizeof(void *) * LIVE);            \
		uint64_t s = seed;                                             \
		for (int i = 0; i < LIVE; i++)                                 \
			live[i] = ALLOC(8 + xorshift(&s) % 505);               \
		double t0 = now_ns();                                          \
		for (int op = 0; op < OPS; op++) {                             \
			uint64_t r = xorshift(&s);                             \
			int i = (int)(r % LIVE);                               \
			size_t n = 8 + (r >> 32) % 505;                        \
			FREE(live[i]);                                         \
			live[i] = ALLOC(n);                                    \
			USE(live[i], n);                                       \
		}                                                              \
		double t = now_ns() - t0;                                      \
		for (int i = 0; i < LIVE; i++)                                 \
			FREE(live[i]);                                         \
		__libc_free(live);                                             \
		return t / OPS;                                                \
	}

#define UNUSED(p, n) ((void)0)
#define WRITTEN(p, n) memset((p), 0x5a, (n))

/* Every thread swaps blocks in one shared array, so most frees are of another thread's
 * blocks (the producer/consumer pattern).  The array starts empty: free(NULL) at first. */
static void **shared_live;
#define WORKLOAD_SHARED(NAME, ALLOC, FREE)                                     \
	static double NAME(uint64_t seed)                                      \
	{                                                                      \
		uint64_t s = seed;                                             \
		double t0 = now_ns();                                          \
		for (int op = 0; op < OPS; op++) {                             \
			uint64_t r = xorshift(&s);                             \
			void *p = ALLOC(8 + (r >> 32) % 505);                  \
			FREE(__atomic_exchange_n(&shared_live[r % LIVE], p, __ATOMIC_ACQ_REL)); \
		}                                                              \
		return (now_ns() - t0) / OPS;                                  \
	}

#define CHAIN 12 /* 16 bytes doubled to 32 KiB */
#define WORKLOAD_REALLOC(NAME, ALLOC, REALLOC, FREE)                           \
	static double NAME(uint64_t seed)                                      \
	{                                                                      \
		(void)seed;                                                    \
		int rounds = OPS / CHAIN / 4;                                  \
		double t0 = now_ns();                                          \
		for (int r = 0; r < rounds; r++) {                             \
			char *volatile p = ALLOC(16);                          \
			for (int i = 1; i < CHAIN; i++)                        \
				p = REALLOC(p, (size_t)16 << i);               \
			FREE(p);                                               \
		}                                                              \
		return (now_ns() - t0) / (rounds * (CHAIN + 1));               \
	}

#define WORKLOAD_ALIGNED(NAME, MEMALIGN, FREE)                                 \
	static double NAME(uint64_t seed)                                      \
	{                                                                      \
		void **live = __libc_malloc(sizeof(void *) * 256);             \
		uint64_t s = seed;                                             \
		int ops = OPS / 4;                                             \
		for (int i = 0; i < 256; i++)                                  \
			live[i] = MEMALIGN(64, 64);                            \
		double t0 = now_ns();                                          \
		for (int op = 0; op < ops; op++) {                             \
			uint64_t r = xorshift(&s);                             \
			int i = (int)(r % 256);                                \
			FREE(live[i]);                                         \
			live[i] = MEMALIGN((size_t)32 << (r >> 40) % 4, 16 + (r >> 16) % 1000); \
		}                                                              \
		double t = now_ns() - t0;                                      \
		for (int i = 0; i < 256; i++)                                  \
			FREE(live[i]);                                         \
		__libc_free(live);                                             \
		return t / ops;                                                \
	}

static void *tagged_memalign(size_t align, size_t size)
{
	void *p = NULL;
	return alloc_hooks(posix_memalign(&p, align, size)) == 0 ? p : NULL;
}

#define TAGGED_MALLOC(n) alloc_hooks(malloc(n))
#define TAGGED_REALLOC(p, n) alloc_hooks(realloc((p), (n)))

WORKLOAD_MIXED(mixed_glibc, __libc_malloc, __libc_free, UNUSED)
WORKLOAD_MIXED(mixed_tagged, TAGGED_MALLOC, free, UNUSED)
WORKLOAD_MIXED(written_glibc, __libc_malloc, __libc_free, WRITTEN)
WORKLOAD_MIXED(written_tagged, TAGGED_MALLOC, free, WRITTEN)
WORKLOAD_SHARED(shared_glibc, __libc_malloc, __libc_free)
WORKLOAD_SHARED(shared_tagged, TAGGED_MALLOC, free)
WORKLOAD_REALLOC(realloc_glibc, __libc_malloc, __libc_realloc, __libc_free)
WORKLOAD_REALLOC(realloc_tagged, TAGGED_MALLOC, TAGGED_REALLOC, free)
WORKLOAD_ALIGNED(aligned_glibc, __libc_memalign, __libc_free)
WORKLOAD_ALIGNED(aligned_tagged, tagged_memalign, free)

struct workload {
	const char *name;
	double (*glibc)(uint64_t);
	double (*tagged)(uint64_t);
	const char *unit;
	int min_threads; /* 2: only meaningful with several threads */
};

static const struct workload workloads[] = {
	{ "mixed 8..512 B, 10k live", mixed_glibc, mixed_tagged, "malloc+free pair", 1 },
	{ "mixed 8..512 B, 10k live, every block written", written_glibc, written_tagged, "malloc+write+free", 1 },
	{ "shared 8..512 B, 10k live, freed by any thread", shared_glibc, shared_tagged, "malloc+free pair", 2 },
	{ "realloc chain 16 B..32 KiB", realloc_glibc, realloc_tagged, "call", 1 },
	{ "aligned 32..256, 16..1015 B", aligned_glibc, aligned_tagged, "memalign+free pair", 1 },
};
#define WORKLOADS (int)(sizeof(workloads) / sizeof(workloads[0]))

struct job {
	double (*fn)(uint64_t);
	uint64_t seed;
	double ns;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	j->ns = j->fn(j->seed);
	return NULL;
}

/* Child: runs one workload on `threads` threads, prints the mean ns per operation. */
static int child_run(int w, int glibc, int threads)
{
	pthread_t t[64];
	struct job jobs[64];
	double sum = 0;

	shared_live = mmap(NULL, sizeof(void *) * LIVE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < threads; i++) {
		jobs[i].fn = glibc ? workloads[w].glibc : workloads[w].tagged;
		jobs[i].seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
		pthread_create(&t[i], NULL, run_job, &jobs[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		sum += jobs[i].ns;
	}
	printf("%.3f\n", sum / threads);
	return 0;
}

/* ---- Memory: 1M live 24-byte objects ------------------------------------------------- */

static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f == NULL || fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	if (f)
		fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

#define OBJECTS 1000000
/* RSS growth for 1M live objects of 24 bytes (mixed == 0) or of 8..512 bytes, each written. */
static int child_memory(int glibc, int mixed)
{
	void **objects = mmap(NULL, sizeof(void *) * OBJECTS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t s = 42;
	long before = rss_kib();
	for (int i = 0; i < OBJECTS; i++) {
		size_t size = mixed ? 8 + xorshift(&s) % 505 : 24;
		objects[i] = glibc ? __libc_malloc(size) : alloc_hooks(malloc(size));
		memset(objects[i], 1, size);
	}
	long after = rss_kib();
	printf("%ld\n", after - before);
	return 0;
}

/* ---- Report of 100k tags with 2 threads' counters ------------------------------------ */

#define REPORT_TAGS 100000
static struct alloc_tag *report_tags;

static void *charge_all(void *arg)
{
	(void)arg;
	for (int i = 0; i < REPORT_TAGS; i++)
		free(alloc_hooks_tag(&report_tags[i], malloc(16)));
	return NULL;
}

static int child_report(void)
{
	static const char *names[] = { "synthetic.c" };
	report_tags = mmap(NULL, sizeof(struct alloc_tag) * REPORT_TAGS, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < REPORT_TAGS; i++) {
		report_tags[i].ct.magic = CODETAG_MAGIC;
		report_tags[i].ct.lineno = (uint32_t)i + 1;
		report_tags[i].ct.function = "synthetic_site";
		report_tags[i].ct.filename = names[0];
	}
	alloc_tag_register_image(&report_tags[0].ct, &report_tags[REPORT_TAGS].ct);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, charge_all, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	double best = 1e18;
	size_t len = 0;
	for (int r = 0; r < 5; r++) {
		double t0 = now_ns();
		char *text = alloc_tag_report(&len);
		double t = now_ns() - t0;
		free(text);
		if (t < best)
			best = t;
	}
	printf("%.3f %zu\n", best / 1e6, len);
	return 0;
}

/* ---- Driver ------------------------------------------------------------------------- */

struct config {
	const char *name;
	const char *profiling; /* NULL: plain glibc loops */
};

static const struct config configs[] = {
	{ "glibc", NULL },
	{ "never", "never" },
	{ "0 (off)", "0" },
	{ "1 (on)", "1" },
	{ "1,header", "1,header" },
};
#define CONFIGS (int)(sizeof(configs) / sizeof(configs[0]))

static double spawn(const char *self, const char *profiling, char *const argv[], char *out2)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		if (profiling)
			setenv("ALLOCTAG_PROFILING", profiling, 1);
		else
			setenv("ALLOCTAG_PROFILING", "never", 1);
		unsetenv("ALLOCTAG_REPORT");
		execv(self, argv);
		_exit(127);
	}
	close(fd[1]);
	char buf[128] = { 0 };
	ssize_t n = read(fd[0], buf, sizeof(buf) - 1);
	close(fd[0]);
	int status;
	waitpid(pid, &status, 0);
	if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	if (out2)
		strcpy(out2, buf);
	return strtod(buf, NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--child") == 0 && argc == 5)
		return child_run(atoi(argv[2]), strcmp(argv[3], "glibc") == 0, atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "--memory") == 0)
		return child_memory(strcmp(argv[2], "glibc") == 0, strcmp(argv[3], "mixed") == 0);
	if (argc == 2 && strcmp(argv[1], "--report") == 0)
		return child_report();

	int rounds = argc > 1 ? atoi(argv[1]) : 7;
	if (rounds < 1)
		rounds = 1;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int thread_counts[2] = { 1, cpus > 64 ? 64 : (int)cpus };
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';

	printf("alloctag-bench: %d rounds, configurations interleaved in each round; ns per operation\n", rounds);
	printf("(median [min .. max]) and the median of per-round ratios to glibc\n\n");
	for (int w = 0; w < WORKLOADS; w++) {
		for (int ti = 0; ti < 2; ti++) {
			int threads = thread_counts[ti];
			if ((ti == 1 && threads == 1) || threads < workloads[w].min_threads)
				continue;
			double ns[CONFIGS][64], ratio[CONFIGS][64];
			for (int r = 0; r < rounds; r++) {
				for (int c = 0; c < CONFIGS; c++) {
					char wbuf[8], tbuf[8];
					snprintf(wbuf, sizeof(wbuf), "%d", w);
					snprintf(tbuf, sizeof(tbuf), "%d", threads);
					char *args[] = { self, "--child", wbuf, configs[c].profiling ? "tagged" : "glibc", tbuf, NULL };
					ns[c][r] = spawn(self, configs[c].profiling, args, NULL);
				}
				for (int c = 0; c < CONFIGS; c++)
					ratio[c][r] = ns[c][r] / ns[0][r];
			}
			printf("%s, %d thread%s, per %s:\n", workloads[w].name, threads, threads > 1 ? "s" : "", workloads[w].unit);
			for (int c = 0; c < CONFIGS; c++) {
				double mn = 1e18, mx = 0;
				for (int r = 0; r < rounds; r++) {
					mn = ns[c][r] < mn ? ns[c][r] : mn;
					mx = ns[c][r] > mx ? ns[c][r] : mx;
				}
				double med = median(ns[c], rounds);
				printf("  %-14s %8.2f ns [%6.2f .. %6.2f]   %.3fx\n", configs[c].name, med, mn, mx, median(ratio[c], rounds));
			}
			printf("\n");
		}
	}

	static const char *memory_kinds[2][2] = { { "24", "1M live 24-byte objects" },
						  { "mixed", "1M live objects of 8..512 bytes" } };
	for (int k = 0; k < 2; k++) {
		printf("%smemory, %s (RSS growth):\n", k ? "\n" : "", memory_kinds[k][1]);
		double rss[CONFIGS] = { 0 };
		int mem_configs[] = { 0, 3, 4 };
		for (int i = 0; i < 3; i++) {
			int c = mem_configs[i];
			char *args[] = { self, "--memory", configs[c].profiling ? "tagged" : "glibc", (char *)memory_kinds[k][0], NULL };
			rss[c] = spawn(self, configs[c].profiling, args, NULL);
			printf("  %-14s %8.0f KiB  %6.2f bytes per object  ratio %.3fx\n", configs[c].name, rss[c],
			       rss[c] * 1024 / OBJECTS, rss[c] / rss[0]);
		}
		for (int i = 1; i < 3; i++) {
			int c = mem_configs[i];
			printf("  overhead per live allocation, %s: %.2f bytes\n", configs[c].name,
			       (rss[c] - rss[0]) * 1024 / OBJECTS);
		}
	}

	char out[128];
	char *args[] = { self, "--report", NULL };
	double ms = spawn(self, "1", args, out);
	printf("\nreport of %d tags with 2 threads' counters: %.2f ms (best of 5; %s bytes of text)\n", REPORT_TAGS, ms,
	       strchr(out, ' ') ? strtok(strchr(out, ' ') + 1, "\n") : "?");
	return 0;
}
