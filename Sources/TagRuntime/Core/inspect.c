/*
 * inspect.c - live inspection: the report of a running process, read the way
 * /proc/allocinfo is read, without restarting it and without it writing a file.
 *
 * A listener thread accepts on the Linux abstract unix socket "alloctag.<pid>" and writes
 * the report to each client that runs as the same user (or root), then closes.  The
 * socket lives in the network namespace, not the filesystem, so the peer's credentials
 * (SO_PEERCRED) are the access check.  ALLOCTAG_INSPECT=0 turns it off.  A second socket,
 * "alloctag.<pid>.ext", serves the extended report (cumulative and peak counts, extended.c).
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct listener {
	const char *suffix;
	int (*write_report)(int fd);
	int fd;
};

static struct listener listeners[] = {
	{ "", alloc_tag_report_fd, -1 },
	{ ".ext", alloc_tag_report_extended_fd, -1 },
};

static socklen_t socket_address(struct sockaddr_un *addr, pid_t pid, const char *suffix)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	int n = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, "alloctag.%d%s", (int)pid, suffix);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static void *serve(void *arg)
{
	struct listener *l = arg;
	int fd = l->fd;
	for (;;) {
		int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (client < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		struct ucred peer;
		socklen_t len = sizeof(peer);
		if (getsockopt(client, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 &&
		    (peer.uid == geteuid() || peer.uid == 0))
			l->write_report(client);
		else
			(void)!write(client, "alloctag: permission denied: only the process's owner or root may read its report\n", 82);
		close(client);
	}
}

static void start_listener(struct listener *l)
{
	struct sockaddr_un addr;
	pthread_t thread;
	pthread_attr_t attr;
	sigset_t all, old;

	alloc_tag_init();
	if (!alloc_tag_config.inspect)
		return;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	socklen_t len = socket_address(&addr, getpid(), l->suffix);
	if (bind(fd, (struct sockaddr *)&addr, len) != 0 || listen(fd, 4) != 0) {
		close(fd);
		return;
	}
	/* The listener must never take the program's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	l->fd = fd;
	if (pthread_create(&thread, &attr, serve, l) != 0) {
		close(fd);
		fd = -1;
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	l->fd = fd;
}

/* A forked child has no listener thread and a new pid: it gets its own. */
static void restart_in_child(void)
{
	for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++) {
		if (listeners[i].fd >= 0) {
			close(listeners[i].fd);
			listeners[i].fd = -1;
			start_listener(&listeners[i]);
		}
	}
}

__attribute__((constructor(102))) static void alloc_tag_inspect_setup(void)
{
	for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++)
		start_listener(&listeners[i]);
	pthread_atfork(NULL, NULL, restart_in_child);
}
