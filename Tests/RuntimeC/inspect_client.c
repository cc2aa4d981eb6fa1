/* Reads a running process's report the way `tagger allocinfo --pid` does, for the runtime's
 * own tests.  The socket is found in the process itself, never derived from its pid: among the
 * sockets its threads hold (/proc/PID/task/TID/fd: socket:[inode]), the one that
 * /proc/PID/net/unix lists as listening under "@alloctag.<...>" (with ".ext": the extended
 * report).  Then it believes only the process it asked for: the server's SO_PEERCRED pid must
 * be PID and its uid the owner of /proc/PID.
 *   inspect_client PID          print the report; exit 1 if it is not listening or cannot be
 *                               reached, 2 if refused (its descriptors or its credentials)
 *   inspect_client PID ext      the extended report
 *   inspect_client PID stall    connect and never read (sleeps 30 s): a client that stalls
 *   inspect_client PID late S   connect, read nothing for S seconds, then read to the end and
 *                               print how many bytes came (a server that dropped it: few)
 *   inspect_client @NAME        connect to the abstract NAME as given and print what it sends,
 *                               checking nothing (a name copied out of /proc/net/unix) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static unsigned long inodes[4096];
static size_t ninodes;

/* Collects the socket inodes every thread of pid holds; -1 with errno when the kernel does not
 * let this reader see them. */
static int held_sockets(const char *pid)
{
	char path[600], link[64];
	snprintf(path, sizeof(path), "/proc/%s/task", pid);
	DIR *tasks = opendir(path);
	if (tasks == NULL)
		return -1;
	for (struct dirent *t; (t = readdir(tasks)) != NULL;) {
		if (t->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task/%s/fd", pid, t->d_name);
		DIR *fds = opendir(path);
		if (fds == NULL) {
			if (errno == ENOENT)
				continue; /* the thread exited */
			closedir(tasks);
			return -1;
		}
		for (struct dirent *f; (f = readdir(fds)) != NULL;) {
			char fd[900];
			unsigned long inode;
			snprintf(fd, sizeof(fd), "%s/%s", path, f->d_name);
			ssize_t n = readlink(fd, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (sscanf(link, "socket:[%lu]", &inode) == 1 && ninodes < sizeof(inodes) / sizeof(inodes[0]))
				inodes[ninodes++] = inode;
		}
		closedir(fds);
	}
	closedir(tasks);
	return 0;
}

/* The abstract name (without its leading NUL) of the listening socket pid holds; 0 if none. */
static int find_listener(const char *pid, int extended, char *name, size_t size)
{
	char path[64], line[512], sock[256];
	unsigned flags, type, state;
	unsigned long inode;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%s/net/unix", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%*s %*s %*s %x %x %x %lu %255s", &flags, &type, &state, &inode, sock) != 5)
			continue;
		size_t len = strlen(sock);
		int ext = len > 4 && strcmp(sock + len - 4, ".ext") == 0;
		if (!(flags & 0x10000) || type != SOCK_STREAM || strncmp(sock, "@alloctag.", 10) != 0 || ext != extended)
			continue;
		for (size_t i = 0; i < ninodes && !found; i++) {
			if (inodes[i] == inode && len < size) {
				memcpy(name, sock + 1, len); /* '@' stands for the leading NUL */
				found = 1;
			}
		}
	}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[65536], proc[64], name[sizeof(addr.sun_path)];
	ssize_t n;
	struct ucred peer;
	socklen_t plen = sizeof(peer);
	struct stat owner, ours, theirs;

	if (argc < 2)
		return 64;
	if (argv[1][0] == '@') {
		snprintf(name, sizeof(name), "%s", argv[1] + 1);
		goto connect;
	}
	snprintf(proc, sizeof(proc), "/proc/%s", argv[1]);
	if (stat(proc, &owner) != 0) {
		fprintf(stderr, "inspect_client: no process %s\n", argv[1]);
		return 1;
	}
	if (held_sockets(argv[1]) != 0) {
		fprintf(stderr, "inspect_client: cannot read the descriptors of process %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	snprintf(buf, sizeof(buf), "/proc/%s/ns/net", argv[1]);
	if (stat("/proc/self/ns/net", &ours) == 0 && stat(buf, &theirs) == 0 && ours.st_ino != theirs.st_ino) {
		fprintf(stderr, "inspect_client: process %s runs in another network namespace\n", argv[1]);
		return 1;
	}
	if (!find_listener(argv[1], argc > 2 && strcmp(argv[2], "ext") == 0, name, sizeof(name))) {
		fprintf(stderr, "inspect_client: process %s is not listening (no alloctag socket among its descriptors)\n", argv[1]);
		return 1;
	}
connect:;
	size_t len = strlen(name);
	memcpy(addr.sun_path + 1, name, len);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) != 0) {
		perror("connect");
		return 1;
	}
	if (argv[1][0] != '@' &&
	    (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &plen) != 0 || peer.pid != atoi(argv[1]) || peer.uid != owner.st_uid)) {
		fprintf(stderr, "inspect_client: @%s is served by pid %d uid %u, not by process %s: refused\n",
			name, (int)peer.pid, (unsigned)peer.uid, argv[1]);
		return 2;
	}
	if (argc > 2 && strcmp(argv[2], "stall") == 0) {
		sleep(30);
		return 0;
	}
	if (argc > 3 && strcmp(argv[2], "late") == 0) {
		size_t total = 0;
		sleep((unsigned)atoi(argv[3]));
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += (size_t)n;
		printf("%zu\n", total);
		return 0;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}
