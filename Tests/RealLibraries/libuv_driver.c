/* libuv driver: a loop left open at exit (never closed) with libuv's own allocations live.
 * Handles and requests are static, so the live heap bytes are libuv's: the paths uv_fs_stat
 * and uv_fs_lstat copy (uv__strdup) and that no uv_fs_req_cleanup frees, uv_fs_readlink
 * results, uv_fs_poll contexts, inotify watcher lists, the loop's watcher array grown by
 * uv__io_start (maybe_resize) for many polled pipe ends, a bound pipe's name, the threadpool,
 * a second loop from uv_loop_new, and the uv_os_environ, uv_interface_addresses and
 * uv_cpu_info results, not freed.
 *
 *   libuv_driver <scratch-dir>    prints "uv_ok=1 ..." with path_bytes=<bytes>, the bytes of
 *                                 the paths copied once for uv_fs_stat and once for uv_fs_lstat
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#define NSTAT 1500 /* uv_fs_stat and uv_fs_lstat requests each */
#define NLINK 200  /* uv_fs_readlink requests */
#define NPIPE 200  /* pipes, both ends polled: fds up to ~400 */
#define NFSPOLL 100
#define NEVENT 20
#define NTIMER 50
#define NWORK 64

static uv_loop_t loop;
static uv_fs_t stat_reqs[NSTAT], lstat_reqs[NSTAT], link_reqs[NLINK];
static uv_poll_t polls[2 * NPIPE];
static uv_fs_poll_t fs_polls[NFSPOLL];
static uv_fs_event_t events[NEVENT];
static uv_timer_t timers[NTIMER];
static uv_work_t works[NWORK];
static uv_pipe_t server;
static char paths[NSTAT][160];
static char dirs[NEVENT][160];
static int stat_done, lstat_done, link_done, timer_fired, work_done, link_ok, fs_polled;

static void on_stat(uv_fs_t *req) { stat_done++; (void)req; }
static void on_lstat(uv_fs_t *req) { lstat_done++; (void)req; }
static void on_link(uv_fs_t *req) { link_done++; link_ok += req->result == 0 && req->ptr != NULL; }
static void on_timer(uv_timer_t *t) { timer_fired++; (void)t; }
static void on_poll(uv_poll_t *p, int status, int events) { (void)p; (void)status; (void)events; }
/* Each path is missing: the first stat reports ENOENT, then its request is cleaned up. */
static void on_fs_poll(uv_fs_poll_t *h, int s, const uv_stat_t *a, const uv_stat_t *b) { fs_polled += s == UV_ENOENT; (void)h; (void)a; (void)b; }
static void on_event(uv_fs_event_t *h, const char *f, int e, int s) { (void)h; (void)f; (void)e; (void)s; }
static void work_cb(uv_work_t *w) { usleep(1000); (void)w; }
static void after_work(uv_work_t *w, int status) { work_done += status == 0; (void)w; }

/* A failed step is reported on the line the test reads (uv_ok=0), not by the exit status;
 * a system call's failure is passed as -errno, which is libuv's error code on Unix. */
#define CHECK(what, expr)                                                                   \
	do {                                                                                \
		int r_ = (expr);                                                            \
		if (r_ != 0) {                                                              \
			printf("uv_ok=0 failed=%s: %s\n", what, r_ < 0 ? uv_strerror(r_) : "error"); \
			return 0;                                                           \
		}                                                                           \
	} while (0)

int main(int argc, char **argv)
{
	if (argc < 2) return 2;
	const char *dir = argv[1];
	CHECK("uv_loop_init", uv_loop_init(&loop));

	/* Long paths, copied by libuv for every request that has a callback. */
	size_t path_bytes = 0;
	for (int i = 0; i < NSTAT; i++) {
		snprintf(paths[i], sizeof paths[i], "%s/libuv-driver-stat-target-%04d-%s", dir, i,
		         "with-a-long-name-so-each-copied-path-is-a-hundred-bytes-or-more");
		path_bytes += strlen(paths[i]) + 1;
		CHECK("uv_fs_stat", uv_fs_stat(&loop, &stat_reqs[i], paths[i], on_stat));
		CHECK("uv_fs_lstat", uv_fs_lstat(&loop, &lstat_reqs[i], paths[i], on_lstat));
	}
	char target[200], link[200];
	snprintf(target, sizeof target, "%s/libuv-link-target", dir);
	snprintf(link, sizeof link, "%s/libuv-link", dir);
	CHECK("symlink", symlink(target, link) ? -errno : 0);
	for (int i = 0; i < NLINK; i++)
		CHECK("uv_fs_readlink", uv_fs_readlink(&loop, &link_reqs[i], link, on_link));

	/* Many polled fds: uv__io_start grows loop->watchers. */
	for (int i = 0; i < NPIPE; i++) {
		int fds[2];
		CHECK("pipe", pipe(fds) ? -errno : 0);
		for (int k = 0; k < 2; k++) {
			CHECK("uv_poll_init", uv_poll_init(&loop, &polls[2 * i + k], fds[k]));
			CHECK("uv_poll_start", uv_poll_start(&polls[2 * i + k], k ? UV_WRITABLE : UV_READABLE, on_poll));
		}
	}
	for (int i = 0; i < NFSPOLL; i++) {
		uv_fs_poll_init(&loop, &fs_polls[i]);
		CHECK("uv_fs_poll_start", uv_fs_poll_start(&fs_polls[i], on_fs_poll, paths[i], 60000));
	}
	/* inotify may be unavailable or out of instances: these watchers are optional. */
	int watched = 0;
	for (int i = 0; i < NEVENT; i++) {
		snprintf(dirs[i], sizeof dirs[i], "%s/libuv-watched-directory-%02d", dir, i);
		CHECK("mkdir", mkdir(dirs[i], 0700) ? -errno : 0);
		uv_fs_event_init(&loop, &events[i]);
		watched += uv_fs_event_start(&events[i], on_event, dirs[i], 0) == 0;
	}
	char sock[200];
	snprintf(sock, sizeof sock, "%s/libuv.sock", dir);
	CHECK("uv_pipe_init", uv_pipe_init(&loop, &server, 0));
	CHECK("uv_pipe_bind", uv_pipe_bind(&server, sock));
	for (int i = 0; i < NTIMER; i++) {
		uv_timer_init(&loop, &timers[i]);
		uv_timer_start(&timers[i], on_timer, (uint64_t)(i % 5), 0);
	}
	for (int i = 0; i < NWORK; i++)
		CHECK("uv_queue_work", uv_queue_work(&loop, &works[i], work_cb, after_work));

	/* Run until every request and timer is done; the handles stay active, so run in steps. */
	for (int spins = 0; spins < 10000; spins++) {
		uv_run(&loop, UV_RUN_NOWAIT);
		if (stat_done == NSTAT && lstat_done == NSTAT && link_done == NLINK && work_done == NWORK &&
		    timer_fired == NTIMER && fs_polled == NFSPOLL)
			break;
		usleep(1000);
	}

	/* Results handed out and never freed; interfaces and CPUs are optional (sandboxes). */
	uv_loop_t *second = uv_loop_new();
	uv_env_item_t *env; int nenv;
	uv_interface_address_t *ifs; int nifs = -1;
	uv_cpu_info_t *cpus; int ncpus = -1;
	CHECK("uv_loop_new", second == NULL ? UV_ENOMEM : 0);
	CHECK("uv_os_environ", uv_os_environ(&env, &nenv));
	if (uv_interface_addresses(&ifs, &nifs) != 0) nifs = -1;
	if (uv_cpu_info(&cpus, &ncpus) != 0) ncpus = -1;
	int ok = stat_done == NSTAT && lstat_done == NSTAT && link_done == NLINK && link_ok == NLINK &&
	         work_done == NWORK && timer_fired == NTIMER && fs_polled == NFSPOLL;
	printf("uv_ok=%d stats=%d lstats=%d readlinks=%d works=%d timers=%d fs_polls=%d watched=%d env=%d"
	       " ifaces=%d cpus=%d paths=%d path_bytes=%zu\n", ok, stat_done, lstat_done, link_done, work_done,
	       timer_fired, fs_polled, watched, nenv, nifs, ncpus, NSTAT, path_bytes);
	return 0;
}
