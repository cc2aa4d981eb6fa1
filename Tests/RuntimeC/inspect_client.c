/* Reads a running process's report over its abstract socket "alloctag.<pid>" (what
 * `tagger allocinfo --pid` does), for the runtime's own tests.  Exit 1 if it cannot connect. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[65536];
	ssize_t n;

	if (argc != 2)
		return 64;
	int len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "alloctag.%s", argv[1]);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) != 0) {
		perror("connect");
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}
