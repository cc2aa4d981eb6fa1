/* Reads a running process's report over its abstract socket "alloctag.<pid>" (what
 * `tagger allocinfo --pid` does), for the runtime's own tests.  Believes only the process it
 * asked for: the server's SO_PEERCRED pid must be <pid> and its uid the owner of /proc/<pid>.
 *   inspect_client PID          print the report; exit 1 if it cannot connect, 2 if refused
 *   inspect_client PID stall    connect and never read (sleeps 30 s): a client that stalls */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[65536], proc[64];
	ssize_t n;
	struct ucred peer;
	socklen_t plen = sizeof(peer);
	struct stat owner;

	if (argc < 2)
		return 64;
	int len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "alloctag.%s", argv[1]);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) != 0) {
		perror("connect");
		return 1;
	}
	snprintf(proc, sizeof(proc), "/proc/%s", argv[1]);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &plen) != 0 || stat(proc, &owner) != 0 ||
	    peer.pid != atoi(argv[1]) || peer.uid != owner.st_uid) {
		fprintf(stderr, "inspect_client: @alloctag.%s is served by pid %d uid %u, not by process %s: refused\n",
			argv[1], (int)peer.pid, (unsigned)peer.uid, argv[1]);
		return 2;
	}
	if (argc > 2 && strcmp(argv[2], "stall") == 0) {
		sleep(30);
		return 0;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}
