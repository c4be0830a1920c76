/* echo_server.c: a TCP echo server for tests/e2e/net_echo.sh: listens on PORT, serves COUNT
 * connections one after the other (each: read until the peer's end, send every byte back),
 * then prints what it served and exits. Checks its socket calls as it goes. Prints the
 * system's free memory (/proc/meminfo) when it starts listening and when it is done, so that
 * a test can see what many connections leave behind. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

static void print_free(const char *when)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "MemFree:", 8))
			printf("%s %s", when, line);
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7777, count = argc > 2 ? atoi(argv[2]) : 1, one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t len = sizeof(a);
	long total = 0;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (s < 0)
		die("socket");
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("setsockopt SO_REUSEADDR");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 8))
		die("bind/listen");
	if (getsockname(s, (struct sockaddr *)&a, &len) || ntohs(a.sin_port) != port)
		die("getsockname");
	print_free("before");
	printf("listening on port %d\n", port);
	for (int i = 0; i < count; i++) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		char buf[16384];
		ssize_t n;
		int c;

		if (poll(&p, 1, 60000) != 1 || !(p.revents & POLLIN))
			die("poll for a connection");
		c = accept4(s, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
		if (c < 0 || plen != sizeof(peer) || peer.sin_family != AF_INET)
			die("accept4");
		if (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
			die("TCP_NODELAY");
		while ((n = read(c, buf, sizeof(buf))) > 0) {
			for (ssize_t done = 0; done < n;) {
				ssize_t w = write(c, buf + done, (size_t)(n - done));

				if (w <= 0)
					die("write");
				done += w;
			}
			total += n;
		}
		if (n < 0)
			die("read");
		close(c);
	}
	close(s);
	print_free("after");
	printf("served %d connections, %ld bytes\n", count, total);
	return 0;
}
