/*
 * fork with other libraries' fork handlers that allocate (issue 15, item 4).  The handlers
 * are registered from .preinit_array, before the runtime's constructor, so their prepare
 * handler runs after the runtime's and their parent and child handlers before its own: the
 * window in which the runtime holds its locks.  Each scenario forks from a fresh thread
 * (its first allocation is the handlers'), and the handlers allocate sizes of a class the
 * process has not used yet.  alarm() turns a hang into a failure.
 *   ./test_fork   (run.sh runs it under each reference form)
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static void *volatile from_prepare, *volatile from_parent, *volatile from_child;
static size_t next_size = 200; /* a new size class each time (16-byte classes) */
static int site_prepare, site_parent, site_child;

static void *fresh_size(int *site)
{
	size_t n = __atomic_fetch_add(&next_size, 48, __ATOMIC_RELAXED);
	void *p = alloc_hooks(malloc(n)); *site = __LINE__;
	return p;
}

static void prepare(void) { from_prepare = fresh_size(&site_prepare); }
static void parent(void) { from_parent = fresh_size(&site_parent); }
static void child(void) { from_child = fresh_size(&site_child); }

/* .preinit_array runs before every constructor, the runtime's too (as a library that
 * is initialised before the runtime would). */
static void register_early(void)
{
	pthread_atfork(prepare, parent, child);
}
__attribute__((section(".preinit_array"), used)) static void (*const register_early_entry)(void) = register_early;

/* Forks from a thread that has never allocated. */
static void *fork_fresh(void *arg)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0) {
		void *mine = malloc(4000);
		int ok = from_child != NULL && mine != NULL;
		free(mine);
		free(from_child);
		free(from_prepare);
		_exit(ok ? 0 : 3);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	free(from_prepare);
	free(from_parent);
	return (void *)(intptr_t)status;
}

int main(void)
{
	alarm(20);
	for (int round = 0; round < 4; round++) {
		pthread_t t;
		void *status;
		pthread_create(&t, NULL, fork_fresh, NULL);
		pthread_join(t, &status);
		CHECK(WIFEXITED((int)(intptr_t)status) && WEXITSTATUS((int)(intptr_t)status) == 0,
		      "round %d: child status %d", round, (int)(intptr_t)status);
	}
	/* and from the main thread, which has allocated before */
	pid_t pid = fork();
	if (pid == 0)
		_exit(from_child != NULL ? 0 : 3);
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "main thread: child status %d", status);
	free(from_prepare);
	free(from_parent);
	/* Every handler's allocation was counted and every free uncharged. */
	struct site_sum s = site_at(__FILE__, (unsigned)site_prepare);
	CHECK(s.bytes == 0 && s.calls == 0, "handlers' site: %lld bytes in %lld calls", s.bytes, s.calls);
	return check_finish("fork handlers");
}
