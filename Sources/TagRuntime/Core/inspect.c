/*
 * inspect.c - live inspection: the report of a running process, read the way
 * /proc/allocinfo is read, without restarting it and without it writing a file.
 *
 * A listener thread accepts on the Linux abstract unix socket "alloctag.<pid>" and writes
 * the report to each client that runs as the same user (or root), then closes.  The
 * socket lives in the network namespace, not the filesystem, so the peer's credentials
 * (SO_PEERCRED) are the access check.  ALLOCTAG_INSPECT=0 turns it off.
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

static int listen_fd = -1;

static socklen_t socket_address(struct sockaddr_un *addr, pid_t pid)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	int n = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, "alloctag.%d", (int)pid);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
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
			alloc_tag_report_fd(client);
		else
			(void)!write(client, "alloctag: permission denied: only the process's owner or root may read its report\n", 82);
		close(client);
	}
}

static void start_listener(void)
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
	socklen_t len = socket_address(&addr, getpid());
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
	if (pthread_create(&thread, &attr, serve, (void *)(intptr_t)fd) != 0) {
		close(fd);
		fd = -1;
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	listen_fd = fd;
}

/* A forked child has no listener thread and a new pid: it gets its own. */
static void restart_in_child(void)
{
	if (listen_fd >= 0) {
		close(listen_fd);
		listen_fd = -1;
		start_listener();
	}
}

__attribute__((constructor(102))) static void alloc_tag_inspect_setup(void)
{
	start_listener();
	pthread_atfork(NULL, NULL, restart_in_child);
}
