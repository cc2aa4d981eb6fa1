/*
 * inspect.c - live inspection: the report of a running process, read the way
 * /proc/allocinfo is read, without restarting it and without it writing a file.
 *
 * Off unless asked for (ALLOCTAG_INSPECT=1, or alloc_tag_inspect_start() from the program):
 * otherwise the runtime adds no thread, no descriptor and no socket to the process.
 *
 * Protocol: unix stream sockets in the abstract namespace named "alloctag.<pid>.<16 random hex
 * digits>" (the allocinfo text) and the same name plus ".ext" (the extended report: cumulative
 * and peak counts, extended.c); a client connects and reads the text until EOF.  Why it is safe
 * (docs/reliability.md):
 * - Nobody can take the names first: they are unpredictable (getrandom), and a name found taken
 *   is drawn again.  Clients do not derive them from the pid: they find them in the process
 *   itself: the sockets its threads hold (/proc/<pid>/task/<tid>/fd: socket:[inode], links
 *   the kernel shows only to a reader allowed to inspect the process, its owner or root:
 *   PTRACE_MODE_READ) that /proc/<pid>/net/unix lists as listening under such a name.  A
 *   socket of any other process, of another user or with the same pid in another pid
 *   namespace, is never even looked at.
 * - Who may read is also checked by the kernel's credentials, on both sides: the server sends
 *   the report only to a peer whose SO_PEERCRED uid is the process's euid or 0; the client
 *   believes a report only from a peer whose SO_PEERCRED pid is the pid it asked for and whose
 *   uid owns that process (/proc/<pid>), so a process that takes a name once this one has let
 *   it go (it exited) is refused, never read.
 * - The serving thread has a descriptor table of its own (unshare(CLONE_FILES), before it
 *   creates any descriptor), and closes its copies of the program's descriptors at once: the
 *   program can neither close the listening socket (closefrom(3)) nor have its number reused
 *   under the thread, and the thread holds none of the program's pipes or files open.
 * - One poll loop, non-blocking writes from a per-client snapshot (a memfd, sent with
 *   sendfile): a client that never reads holds one of 8 slots for at most 5 s, and others are
 *   served meanwhile.
 * - The thread's own allocations (pthread_create's) are charged to this file's line, never to
 *   the program's <untagged> line.  A forked child has no thread (exec'd programs start theirs
 *   when asked).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 8
#define CLIENT_SECONDS 5

static const char refusal[] = "alloctag: permission denied: only the process's owner or root may read its report\n";

/* One listening socket per report. */
static const struct listener {
	const char *suffix;
	int (*write_report)(int fd);
} listeners[] = {
	{ "", alloc_tag_report_fd },
	{ ".ext", alloc_tag_report_extended_fd },
};
#define LISTENERS (int)(sizeof(listeners) / sizeof(listeners[0]))

struct client {
	int fd;      /* -1: free slot */
	int report;  /* memfd holding this client's snapshot */
	off_t sent, size;
	time_t deadline;
};

struct setup {
	sem_t done;
	int error;          /* errno of the failed step, 0 when listening */
	const char *step;   /* what failed */
};

static int started;
/* The first start's failure (an errno), returned by every later call: said once, never hidden. */
static int start_error;

/* "alloctag.<pid>.<16 hex digits><suffix>", the digits drawn from getrandom (or, where it
 * cannot answer, the clock and this thread's stack address, mixed: a name found taken is drawn
 * again, so a guessed one costs a retry, never inspection). */
static socklen_t socket_address(struct sockaddr_un *addr, pid_t pid, const char *suffix)
{
	uint64_t r = 0;
	struct timespec ts;

	if (syscall(SYS_getrandom, &r, sizeof(r), GRND_NONBLOCK) != (long)sizeof(r)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = ((uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&ts) * 0x9e3779b97f4a7c15ull;
	}
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	int n = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, "alloctag.%d.%016llx%s", (int)pid,
			 (unsigned long long)r, suffix);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* Binds fd to a fresh name; 0, or -1 with errno. */
static int bind_fresh(int fd, const char *suffix)
{
	struct sockaddr_un addr;

	for (int attempt = 0; attempt < 16; attempt++) {
		if (bind(fd, (struct sockaddr *)&addr, socket_address(&addr, getpid(), suffix)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

static time_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void drop(struct client *c)
{
	close(c->fd);
	close(c->report);
	c->fd = c->report = -1;
}

/* Takes one connection: the report for the owner or root, one refusing line for anyone else. */
static void admit(int listener, const struct listener *l, struct client *slots)
{
	int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct ucred peer;
	socklen_t len = sizeof(peer);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || (peer.uid != geteuid() && peer.uid != 0)) {
		(void)!send(fd, refusal, sizeof(refusal) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
		close(fd);
		return;
	}
	struct client *c = NULL;
	for (int i = 0; i < MAX_CLIENTS && c == NULL; i++)
		if (slots[i].fd < 0)
			c = &slots[i];
	int report = c != NULL ? (int)syscall(SYS_memfd_create, "alloctag-report", MFD_CLOEXEC) : -1;
	if (report < 0 || l->write_report(report) != 0) {
		if (report >= 0)
			close(report);
		close(fd);
		return;
	}
	c->fd = fd;
	c->report = report;
	c->sent = 0;
	c->size = lseek(report, 0, SEEK_END);
	c->deadline = now() + CLIENT_SECONDS;
}

/* Sends what the client's socket takes now; 1 when the client is finished with. */
static int feed(struct client *c)
{
	while (c->sent < c->size) {
		ssize_t n = sendfile(c->fd, c->report, &c->sent, (size_t)(c->size - c->sent));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return 1;
	}
	return 1;
}

static void serve(const int *fds)
{
	struct client slots[MAX_CLIENTS];
	struct pollfd pfd[LISTENERS + MAX_CLIENTS];

	for (int i = 0; i < MAX_CLIENTS; i++)
		slots[i].fd = slots[i].report = -1;
	for (;;) {
		int n = 0, busy = 0;
		for (int i = 0; i < LISTENERS; i++)
			pfd[n++] = (struct pollfd){ fds[i], POLLIN, 0 };
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (slots[i].fd >= 0) {
				busy++;
				pfd[n++] = (struct pollfd){ slots[i].fd, POLLOUT, 0 };
			}
		}
		if (poll(pfd, (nfds_t)n, busy ? 1000 : -1) < 0 && errno != EINTR)
			return;
		time_t t = now();
		for (int i = 0, k = LISTENERS; i < MAX_CLIENTS; i++) {
			if (slots[i].fd < 0)
				continue;
			short revents = pfd[k++].revents;
			if ((revents && feed(&slots[i])) || t >= slots[i].deadline)
				drop(&slots[i]);
		}
		for (int i = 0; i < LISTENERS; i++)
			if (pfd[i].revents & POLLIN)
				admit(fds[i], &listeners[i], slots);
	}
}

static void *inspect_thread(void *arg)
{
	struct setup *setup = arg;
	int fds[LISTENERS];

	/* A descriptor table of its own, emptied: nothing the program does to its descriptors
	 * reaches this thread's, and this thread keeps none of the program's files open. */
	setup->step = "unshare(CLONE_FILES)";
	if (unshare(CLONE_FILES) != 0)
		goto failed;
	if (syscall(SYS_close_range, 0u, ~0u, 0u) != 0) {
		for (int i = 0; i < 65536; i++)
			close(i);
	}
	for (int i = 0; i < LISTENERS; i++) {
		setup->step = "socket";
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto failed;
		/* Descriptors 0-2 stay taken (by the first socket): a message written to fd 2 from
		 * this thread can never land on a client. */
		while (fd < 3)
			fd = dup(fd);
		fds[i] = fd;
		setup->step = "bind";
		if (bind_fresh(fd, listeners[i].suffix) != 0)
			goto failed;
		setup->step = "listen";
		if (listen(fd, 16) != 0)
			goto failed;
	}
	setup->error = 0;
	sem_post(&setup->done);
	serve(fds);
	return NULL;
failed:
	setup->error = errno ? errno : EINVAL;
	sem_post(&setup->done);
	return NULL;
}

int alloc_tag_inspect_start(void)
{
	struct setup setup = { .error = 0, .step = "" };
	pthread_t thread;
	pthread_attr_t attr;
	sigset_t all, old;
	int rc;

	alloc_tag_init();
	if (__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL)) {
		int failed = __atomic_load_n(&start_error, __ATOMIC_ACQUIRE);
		if (failed != 0) {
			errno = failed;
			return -1;
		}
		return 0;
	}
	sem_init(&setup.done, 0, 0);
	/* The thread never takes the program's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	/* The extended report's buffers (about 30 KiB) and swift_getTypeName's demangler, which
	 * recurses, run on this stack (swift_types.c). */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	/* pthread_create's own allocations are the runtime's: on this line, not <untagged>. */
	rc = alloc_hooks(pthread_create(&thread, &attr, inspect_thread, &setup));
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		setup.error = rc;
		setup.step = "pthread_create";
	} else {
		while (sem_wait(&setup.done) != 0 && errno == EINTR)
			;
		/* Started: the thread serves until exit. Failed: it has posted and is returning;
		 * joined here, so "inspection is off" also means "no thread" when this returns. */
		if (setup.error == 0)
			pthread_detach(thread);
		else
			pthread_join(thread, NULL);
	}
	sem_destroy(&setup.done);
	if (setup.error != 0) {
		__atomic_store_n(&start_error, setup.error, __ATOMIC_RELEASE);
		alloc_tag_warn("live inspection is off: ", setup.step, ": ", strerror(setup.error));
		errno = setup.error;
		return -1;
	}
	return 0;
}

/* A forked child has no thread and asks for none: the flag goes back for an explicit start. */
static void forget_in_child(void)
{
	__atomic_store_n(&started, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&start_error, 0, __ATOMIC_RELAXED);
}

__attribute__((constructor(102))) static void alloc_tag_inspect_setup(void)
{
	alloc_tag_init();
	pthread_atfork(NULL, NULL, forget_in_child);
	if (alloc_tag_config.inspect)
		alloc_tag_inspect_start();
}
