/*
 * Settings and what the runtime adds to a process.  run.sh runs:
 *   ./test_settings threads N      the process has exactly N threads after allocating, and a
 *                                  forked child exactly 1 (no helper thread re-created there)
 *   ./test_settings secure         run setuid: AT_SECURE is set, so no ALLOCTAG_* setting counts
 *   ./test_settings fork-report    allocates 700 bytes, a forked child allocates 50 and exits
 *                                  through exit(): the report names the parent's bytes only
 */
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include <alloc_tag/override.h>

static void *volatile keep[4];

static int threads(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	int l;

	if (strcmp(what, "threads") == 0 && argc == 3) {
		keep[0] = malloc(100); l = __LINE__;
		EXPECT_SITE(l, 100, 1);
		CHECK(threads() == atoi(argv[2]), "%d threads, expected %s", threads(), argv[2]);
		pid_t child = fork();
		if (child == 0) {
			keep[1] = malloc(10);
			_exit(threads() == 1 ? 0 : 3);
		}
		int status = -1;
		waitpid(child, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "forked child: status %#x (3: more than one thread)", status);
		free(keep[0]);
		return check_finish("settings threads");
	}
	if (strcmp(what, "secure") == 0) {
		CHECK(getauxval(AT_SECURE) == 1, "AT_SECURE is %lu: run this copy setuid as another user", getauxval(AT_SECURE));
		/* ALLOCTAG_PROFILING=never is in the environment, and ignored: the default (1) holds. */
		CHECK(alloc_tag_mode() == ALLOC_TAG_MODE_HEADER, "mode %d", alloc_tag_mode());
		keep[0] = malloc(100); l = __LINE__;
		EXPECT_SITE(l, 100, 1);
		return check_finish("settings secure");
	}
	if (strcmp(what, "fork-report") == 0) {
		keep[0] = malloc(700);
		pid_t child = fork();
		if (child == 0) {
			keep[1] = malloc(50);
			exit(0);
		}
		int status = -1;
		waitpid(child, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
		return check_finish("settings fork-report");
	}
	fprintf(stderr, "usage: test_settings threads N|secure|fork-report\n");
	return 64;
}
