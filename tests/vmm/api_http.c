/* api_http.c: the API's HTTP transport: pipelining, a slow client, a client that leaves
 * mid-request, malformed HTTP (400, then closed), the body cap, 100-continue, chunked bodies,
 * Connection: close, the connection limit (a new client takes the slot idle the longest), and
 * 10,000 requests without a leak (RSS and open files measured before and after). It only
 * talks to the API, so it needs no KVM. (tests/vmm/api/abuse.sh: hostile clients, deadlines.) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "host/vmmtest.h"

static char sock_path[100];

static int dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

/* Reads until N responses arrived (by Content-Length) or the peer closed or 5 s passed. BUF
 * gets the bytes; returns the count read; *CLOSED whether the server closed. */
static size_t read_responses(int fd, char *buf, size_t size, int n, bool *closed)
{
	size_t len = 0;
	struct timeval tv = { .tv_sec = 5 };

	*closed = false;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	buf[0] = 0;
	for (;;) {
		int got = 0;
		char *p = buf;

		/* Count complete responses so far. */
		while ((p = strstr(p, "HTTP/1.1 ")) != NULL) {
			char *end = strstr(p, "\r\n\r\n");
			char *cl = strstr(p, "Content-Length: ");
			size_t body = 0;

			if (!end)
				break;
			if (strncmp(p, "HTTP/1.1 100", 12) == 0) {
				p = end + 4;
				continue;
			}
			if (cl && cl < end)
				body = strtoul(cl + 16, NULL, 10);
			if ((size_t)(end + 4 - buf) + body > len)
				break;
			got++;
			p = end + 4 + body;
		}
		if (got >= n || len + 1 >= size)
			return len;
		ssize_t k = recv(fd, buf + len, size - 1 - len, 0);

		if (k <= 0) {
			*closed = k == 0;
			return len;
		}
		len += (size_t)k;
		buf[len] = 0;
	}
}

/* After a response: does the server close the connection? */
static bool server_closes(int fd)
{
	char c;
	struct timeval tv = { .tv_sec = 2 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return recv(fd, &c, 1, 0) == 0;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static long proc_value(pid_t pid, const char *key)
{
	char path[64], *s, *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	s = vmt_read_file(path, NULL);
	p = strstr(s, key);
	if (p)
		v = strtol(p + strlen(key), NULL, 10);
	free(s);
	return v;
}

static int open_files(pid_t pid)
{
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static bool sanitized(pid_t pid)
{
	char path[64], *maps;
	bool asan;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = vmt_read_file(path, NULL);
	asan = strstr(maps, "libasan") != NULL;
	free(maps);
	return asan;
}

#define GET_VERSION "GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n"
#define PUT_MACHINE                                                                             \
	"PUT /machine-config HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" \
	"Content-Length: 37\r\n\r\n{\"vcpu_count\": 2, \"mem_size_mib\": 64}"

static void pipelining(void)
{
	int fd = dial();
	char buf[8192];
	bool closed;

	send_str(fd, GET_VERSION PUT_MACHINE
		 "PUT /machine-config HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}" GET_VERSION);
	read_responses(fd, buf, sizeof(buf), 4, &closed);
	CHECK(count(buf, "HTTP/1.1 ") == 4, "pipelining: %d responses: %s", count(buf, "HTTP/1.1 "),
	      buf);
	{
		char *a = strstr(buf, "HTTP/1.1 200"), *b = strstr(buf, "HTTP/1.1 204"),
		     *c = strstr(buf, "HTTP/1.1 400"),
		     *d = a ? strstr(a + 1, "HTTP/1.1 200") : NULL;

		CHECK(a && b && c && d && a < b && b < c && c < d, "pipelining: order: %s", buf);
		CHECK(strstr(buf, "missing field `vcpu_count`") != NULL, "pipelining: fault: %s",
		      buf);
	}
	close(fd);
}

static void slow_client(void)
{
	const char *req = PUT_MACHINE;
	int slow = dial(), other;
	char buf[4096];
	bool closed;

	/* Half a request, byte by byte; meanwhile another client is served. */
	for (size_t i = 0; i < strlen(req) / 2; i++) {
		send_all(slow, req + i, 1);
		usleep(500);
	}
	other = dial();
	send_str(other, GET_VERSION);
	read_responses(other, buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "HTTP/1.1 200") != NULL, "a slow client blocks others: %s", buf);
	close(other);
	for (size_t i = strlen(req) / 2; i < strlen(req); i++) {
		send_all(slow, req + i, 1);
		usleep(500);
	}
	read_responses(slow, buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "HTTP/1.1 204") != NULL, "slow client: %s", buf);
	close(slow);
}

static void leave_mid_request(void)
{
	int fd = dial();
	char buf[4096];
	bool closed;

	send_str(fd, "PUT /machine-config HTTP/1.1\r\nContent-Length: 37\r\n\r\n{\"vcpu_");
	close(fd);
	fd = dial();
	send_str(fd, "GET /mach");
	close(fd);
	fd = dial();
	send_str(fd, GET_VERSION);
	read_responses(fd, buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "HTTP/1.1 200") != NULL, "after clients left mid-request: %s", buf);
	close(fd);
}

/* REQ must get a 400 whose body contains FAULT, then the server closes. */
static void malformed(const char *what, const char *req, const char *fault)
{
	int fd = dial();
	char buf[4096];
	bool closed;

	send_str(fd, req);
	read_responses(fd, buf, sizeof(buf), 1, &closed);
	printf("%s -> %.60s...\n", what, buf);
	CHECK(strncmp(buf, "HTTP/1.1 400", 12) == 0, "%s: %s", what, buf);
	CHECK(strstr(buf, fault) != NULL, "%s: no \"%s\": %s", what, fault, buf);
	CHECK(strstr(buf, "Connection: close") != NULL, "%s: not Connection: close", what);
	CHECK(closed || server_closes(fd), "%s: connection kept open", what);
	close(fd);
}

static void malformed_requests(void)
{
	char big[256];

	malformed("garbage", "GARBAGE\r\n\r\n", "Invalid HTTP request");
	malformed("bad version", "GET / HTTP/9.x\r\n\r\n", "Invalid HTTP request");
	malformed("bad header", "GET / HTTP/1.1\r\nNo colon here\r\n\r\n", "Invalid HTTP request");
	malformed("bad Content-Length", "PUT /actions HTTP/1.1\r\nContent-Length: x\r\n\r\n",
		  "Invalid HTTP request");
	snprintf(big, sizeof(big), "PUT /actions HTTP/1.1\r\nContent-Length: 51201\r\n\r\n");
	malformed("body over the cap", big,
		  "Request payload with size 51201 is larger than the limit of 51200 allowed by "
		  "server.");
	{
		static char chunked[70000];
		int n = snprintf(chunked, sizeof(chunked),
				 "PUT /actions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "10000\r\n");

		memset(chunked + n, 'a', 60000);
		malformed("chunked body over the cap", chunked,
			  "is larger than the limit of 51200");
	}
}

static void continue_chunked_close(void)
{
	int fd = dial();
	char buf[4096];
	bool closed;

	/* Expect: 100-continue (curl sends it for big bodies). */
	send_str(fd, "PUT /machine-config HTTP/1.1\r\nContent-Length: 37\r\n"
		     "Expect: 100-continue\r\n\r\n");
	read_responses(fd, buf, sizeof(buf), 0, &closed);
	usleep(100000);
	recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	CHECK(strstr(buf, "HTTP/1.1 100 Continue") != NULL, "no 100 Continue: %s", buf);
	send_str(fd, "{\"vcpu_count\": 1, \"mem_size_mib\": 64}");
	read_responses(fd, buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "HTTP/1.1 204") != NULL, "after 100-continue: %s", buf);
	/* A chunked body. */
	send_str(fd, "PUT /machine-config HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "14\r\n{\"vcpu_count\": 2, \"m\r\n11\r\nem_size_mib\": 64}\r\n0\r\n\r\n");
	read_responses(fd, buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "HTTP/1.1 204") != NULL, "chunked body: %s", buf);
	/* Connection: close is honoured. */
	send_str(fd, "GET /version HTTP/1.1\r\nConnection: close\r\n\r\n");
	read_responses(fd, buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "Connection: close") != NULL, "Connection: close not echoed: %s", buf);
	CHECK(closed || server_closes(fd), "Connection: close: kept open");
	close(fd);
	/* HTTP/1.0 without keep-alive closes too. */
	fd = dial();
	send_str(fd, "GET /version HTTP/1.0\r\n\r\n");
	read_responses(fd, buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "HTTP/1.1 200") && (closed || server_closes(fd)), "HTTP/1.0: %s", buf);
	close(fd);
}

/* 16 idle connections fill the table: a 17th client is served all the same, in the slot of
 * the one idle the longest (the first), which the server closes; the others stay open. */
static void connection_limit(void)
{
	int fds[16], fd;
	char buf[4096];
	bool closed;

	for (int i = 0; i < 16; i++) {
		fds[i] = dial();
		usleep(2000); /* distinct ages */
	}
	usleep(50000);
	fd = dial();
	send_str(fd, GET_VERSION);
	read_responses(fd, buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "HTTP/1.1 200") != NULL, "17th connection not served: %s", buf);
	close(fd);
	CHECK(server_closes(fds[0]), "the connection idle the longest was kept");
	send_str(fds[15], GET_VERSION);
	read_responses(fds[15], buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "HTTP/1.1 200") != NULL, "a younger idle connection was dropped: %s",
	      buf);
	for (int i = 0; i < 16; i++)
		close(fds[i]);
	usleep(50000);
	fd = dial();
	send_str(fd, GET_VERSION);
	read_responses(fd, buf, sizeof(buf), 1, &closed);
	CHECK(strstr(buf, "HTTP/1.1 200") != NULL, "after the idle connections closed: %s", buf);
	close(fd);
}

/* N requests on one connection (PUT and GET alternating, some bad), then N/10 connections. */
static void many(int n)
{
	int fd = dial(), bad = 0;
	char buf[8192];
	bool closed;

	for (int i = 0; i < n && fd >= 0; i++) {
		send_str(
			fd,
			i % 3 == 0 ? GET_VERSION
			: i % 3 == 1
				? PUT_MACHINE
				: "PUT /machine-config HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"x\":1}");
		read_responses(fd, buf, sizeof(buf), 1, &closed);
		bad += strncmp(buf, i % 3 == 2 ? "HTTP/1.1 400" : "HTTP/1.1 2", 10) != 0;
	}
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < n / 10; i++) {
		fd = dial();
		if (fd < 0) {
			bad++;
			continue;
		}
		send_str(fd, GET_VERSION);
		read_responses(fd, buf, sizeof(buf), 1, &closed);
		bad += strncmp(buf, "HTTP/1.1 200", 12) != 0;
		close(fd);
	}
	CHECK(bad == 0, "%d of %d requests got a wrong answer", bad, n + n / 10);
}

int main(void)
{
	const char *out = vmt_write_file("out", "%s", ""), *err = vmt_write_file("err", "%s", "");
	long rss0, rss1;
	int files0, files1, status;
	pid_t pid;

	vmt_begin("api_http");
	if (access(vmt_motevm(), X_OK) != 0) {
		printf("%s is missing: run make first\n", vmt_motevm());
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(sock_path, sizeof(sock_path), "%s.sock", out);
	{
		const char *args[] = { "--api-sock", sock_path, "--level", "Off", NULL };

		pid = vmt_spawn(args, out, err);
	}
	for (int i = 0; i < 500; i++) {
		int fd = dial();

		if (fd >= 0) {
			close(fd);
			break;
		}
		usleep(10000);
	}
	pipelining();
	slow_client();
	leave_mid_request();
	malformed_requests();
	continue_chunked_close();
	connection_limit();
	many(1000);	/* warm-up: the allocator's pools reach their size */
	usleep(200000); /* the last connection closed on both sides */
	rss0 = proc_value(pid, "VmRSS:");
	files0 = open_files(pid);
	many(10000);
	usleep(200000);
	rss1 = proc_value(pid, "VmRSS:");
	files1 = open_files(pid);
	printf("10000 + 1000 requests: RSS %ld -> %ld KiB, open files %d -> %d\n", rss0, rss1,
	       files0, files1);
	/* ASan's quarantine holds freed memory: RSS says nothing about leaks there (LSan does). */
	if (sanitized(pid))
		printf("motevm is built with ASan: RSS not compared\n");
	else
		CHECK(rss1 - rss0 <= 64, "RSS grew by %ld KiB over 11000 requests", rss1 - rss0);
	CHECK(files1 == files0, "open files %d -> %d", files0, files1);
	kill(pid, SIGTERM);
	status = vmt_wait(pid, 10);
	CHECK(status == 128 + SIGTERM, "exit status %d after SIGTERM", status);
	{
		char *e = vmt_read_file(err, NULL);

		printf("---- motevm stderr ----\n%s", e);
		free(e);
	}
	return vmt_end();
}
