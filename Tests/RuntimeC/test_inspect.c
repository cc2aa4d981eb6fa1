/* Live inspection (run with ALLOCTAG_INSPECT=1): holds a known site live until stdin closes;
 * run.sh reads its report meanwhile.  Before that it behaves as a daemon does: closes every
 * descriptor above 2 (closefrom(3)) and serves 20 clients of its own on a new listening socket,
 * which gets the lowest free number, so each of them must reach the program, not the runtime.
 * With an argument other than "-", dlopens that library first (many tags: a report of
 * megabytes); a second argument is the size of the block held live (31337 by default). */
#include <dlfcn.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include <alloc_tag/override.h>

static void *volatile keep;

int main(int argc, char **argv)
{
	char c, buf[8];
	int served = 0;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (argc > 1 && strcmp(argv[1], "-") != 0 && dlopen(argv[1], RTLD_NOW) == NULL)
		return 3;
	keep = malloc(argc > 2 ? (size_t)atol(argv[2]) : 31337);
	syscall(SYS_close_range, 3u, ~0u, 0u);
	/* A name the kernel picks (autobind): two of these in pid namespaces of their own that
	 * share the network namespace both run as pid 1. */
	socklen_t alen = sizeof(addr.sun_family);
	int server = socket(AF_UNIX, SOCK_STREAM, 0);
	if (server < 0 || bind(server, (struct sockaddr *)&addr, alen) != 0 || listen(server, 4) != 0)
		return 4;
	alen = sizeof(addr);
	if (getsockname(server, (struct sockaddr *)&addr, &alen) != 0)
		return 4;
	for (int i = 0; i < 20; i++) {
		int client = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(client, (struct sockaddr *)&addr, alen) != 0)
			continue;
		int conn = accept(server, NULL, NULL);
		if (conn >= 0 && write(client, "ping", 4) == 4 && read(conn, buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0)
			served++;
		close(conn);
		close(client);
	}
	printf("ready %d %d\n", (int)getpid(), served);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	free(keep);
	return 0;
}
