/*
 * Settings and what the runtime adds to a process.  run.sh runs:
 *   ./test_settings threads N      the process has exactly N threads after allocating, and a
 *                                  forked child exactly 1 (no helper thread re-created there)
 *   ./test_settings secure         run setuid: AT_SECURE is set, so no ALLOCTAG_* setting counts
 *   ./test_settings fork-report    a forked child exits through exit(): it writes a report only
 *                                  with %p in ALLOCTAG_REPORT, then its own (checked here)
 *   ./test_settings close-stderr   3 x 1000 bytes live, standard error closed before exit
 *   ./test_settings refused        run where unshare is refused, with ALLOCTAG_INSPECT=1: one
 *                                  thread, and a second start says -1/EPERM (printing nothing)
 *   ./test_settings newuser        after allocating, unshare(CLONE_NEWUSER) works: the runtime
 *                                  added no thread (the kernel refuses it, EINVAL, to a
 *                                  multithreaded process); 77 when user namespaces are off here
 */
#include <errno.h>
#include <sched.h>
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
	if (strcmp(what, "refused") == 0) {
		keep[0] = malloc(100); l = __LINE__;
		EXPECT_SITE(l, 100, 1);
		CHECK(threads() == 1, "%d threads after a start that failed, expected 1", threads());
		errno = 0;
		int again = alloc_tag_inspect_start();
		CHECK(again == -1 && errno == EPERM, "a second start: %d (%s), expected -1 (EPERM)", again, strerror(errno));
		CHECK(threads() == 1, "%d threads after the second start, expected 1", threads());
		free(keep[0]);
		return check_finish("settings refused");
	}
	if (strcmp(what, "newuser") == 0) {
		keep[0] = malloc(100); l = __LINE__;
		EXPECT_SITE(l, 100, 1);
		int r = unshare(CLONE_NEWUSER);
		int e = errno;
		if (r != 0 && (e == EPERM || e == ENOSPC || e == ENOSYS)) {
			fprintf(stderr, "user namespaces are not available here: %s\n", strerror(e));
			return 77;
		}
		CHECK(r == 0, "unshare(CLONE_NEWUSER): %s (EINVAL: the process has more than one thread)", strerror(e));
		free(keep[0]);
		return check_finish("settings newuser");
	}
	if (strcmp(what, "secure") == 0) {
		CHECK(getauxval(AT_SECURE) == 1, "AT_SECURE is %lu: run this copy setuid as another user", getauxval(AT_SECURE));
		/* ALLOCTAG_PROFILING=never is in the environment, and ignored: the default (1) holds. */
		CHECK(alloc_tag_mode() == ALLOC_TAG_MODE_COMPRESSED, "mode %d", alloc_tag_mode());
		keep[0] = malloc(100); l = __LINE__;
		EXPECT_SITE(l, 100, 1);
		return check_finish("settings secure");
	}
	if (strcmp(what, "fork-report") == 0) {
		/* A forked child exits through exit(): it writes a report only when ALLOCTAG_REPORT
		 * holds %p, and then to its own file. */
		const char *spec = getenv("ALLOCTAG_REPORT");
		keep[0] = malloc(700);
		l = __LINE__ + 3; /* the child's malloc(50) */
		pid_t child = fork();
		if (child == 0) {
			keep[1] = malloc(50);
			exit(0);
		}
		int status = -1;
		waitpid(child, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
		CHECK(spec != NULL, "ALLOCTAG_REPORT is set");
		if (spec == NULL)
			return check_finish("settings fork-report");
		char path[4200], want[4200];
		const char *pp = strstr(spec, "%p");
		if (pp == NULL) {
			CHECK(access(spec, F_OK) != 0, "the child wrote %s, which is its parent's report", spec);
		} else {
			snprintf(path, sizeof(path), "%.*s%d%s", (int)(pp - spec), spec, (int)child, pp + 2);
			snprintf(want, sizeof(want), "          50        1 %s:%d func:main \n", __FILE__, l);
			FILE *f = fopen(path, "r");
			int found = 0;
			char line[4200];
			while (f != NULL && fgets(line, sizeof(line), f) != NULL)
				found += strcmp(line, want) == 0;
			if (f != NULL)
				fclose(f);
			CHECK(found == 1, "%s: the child's own report lists its 50 bytes once (%d)", path, found);
		}
		return check_finish("settings fork-report");
	}
	if (strcmp(what, "close-stderr") == 0) {
		/* Leaves 3 x 1000 bytes live and closes standard error before exit, as ls does. */
		for (int i = 0; i < 3; i++)
			keep[i] = malloc(1000);
		fflush(stdout);
		close(2);
		return 0;
	}
	fprintf(stderr, "usage: test_settings threads N|refused|newuser|secure|fork-report|close-stderr\n");
	return 64;
}
