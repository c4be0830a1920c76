/* vmm_api_runner.c: the API benchmark's measurements (bench/vmm_api.sh prints them).
 *   vmm_api_runner socket MOTEVM RUNS    process start -> API socket accepting: wall ms
 *       (median p10 p90) and the CPU time motevm had used then (median, from its
 *       api_server.process_startup_time_cpu_us metric), over RUNS processes
 *   vmm_api_runner put MOTEVM N          N PUT /machine-config round trips on one
 *       connection: median p99 max us; and N GET / the same
 *   vmm_api_runner start MOTEVM GUEST RUNS   InstanceStart round trip (us, client side) and
 *       InstanceStart received -> the guest's first instruction (its isa-debug-exit write
 *       handled, from motevm's Debug timeline), medians and p90s over RUNS VMs. */
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

static char sock[108], metrics[128], errlog[128];

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, int p)
{
	int i = (int)((long)n * p / 100);

	return v[i < n ? i : n - 1];
}

static int dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, sock, sizeof(sa.sun_path) - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR),
		    err = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(null, 0);
		dup2(null, 1);
		dup2(err, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* One request, its whole response read; the status code. */
static int request(int fd, const char *req)
{
	char buf[4096];
	size_t len = 0, want = 0;
	char *end;

	if (write(fd, req, strlen(req)) < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = 0;
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		if (!want) {
			char *cl = strstr(buf, "Content-Length: ");

			want = (size_t)(end + 4 - buf) +
			       (cl && cl < end ? strtoul(cl + 16, NULL, 10) : 0);
		}
		if (len >= want)
			return atoi(buf + 9);
	}
}

static char *put(const char *path, const char *body)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "PUT %s HTTP/1.1\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\n\r\n%s",
		 path, strlen(body), body);
	return buf;
}

static pid_t start_server(const char *motevm, const char *level)
{
	char *argv[] = { (char *)motevm, "--api-sock",	   sock,    "--level",
			 (char *)level,	 "--metrics-path", metrics, NULL };
	pid_t pid;

	unlink(sock);
	unlink(metrics);
	pid = spawn(argv);
	return pid;
}

static int wait_socket(void)
{
	for (int i = 0; i < 200000; i++) {
		int fd = dial();

		if (fd >= 0)
			return fd;
		usleep(20);
	}
	return -1;
}

static double metric(const char *key)
{
	char line[65536];
	FILE *f = fopen(metrics, "r");
	double v = -1;

	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, key);

		if (p)
			v = strtod(p + strlen(key) + 2, NULL);
	}
	if (f)
		fclose(f);
	return v;
}

static int bench_socket(const char *motevm, int runs)
{
	double *wall = calloc(runs, sizeof(double)), *cpu = calloc(runs, sizeof(double));

	for (int i = 0; i < runs; i++) {
		double t0 = now_us();
		pid_t pid = start_server(motevm, "Warning");
		int fd = wait_socket();

		wall[i] = now_us() - t0;
		if (fd >= 0)
			close(fd);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		cpu[i] = metric("\"process_startup_time_cpu_us\"");
	}
	qsort(wall, runs, sizeof(double), cmp);
	qsort(cpu, runs, sizeof(double), cmp);
	printf("%.3f %.3f %.3f %.3f\n", pct(wall, runs, 50) / 1000, pct(wall, runs, 10) / 1000,
	       pct(wall, runs, 90) / 1000, pct(cpu, runs, 50) / 1000);
	return 0;
}

static void rounds(int fd, const char *req, int want, int n)
{
	double *t = calloc(n, sizeof(double));
	int bad = 0;

	for (int i = 0; i < n; i++) {
		double t0 = now_us();

		bad += request(fd, req) != want;
		t[i] = now_us() - t0;
	}
	qsort(t, n, sizeof(double), cmp);
	printf("%.1f %.1f %.1f %d ", pct(t, n, 50), pct(t, n, 99), t[n - 1], bad);
	free(t);
}

static int bench_put(const char *motevm, int n)
{
	pid_t pid = start_server(motevm, "Info");
	int fd = wait_socket();
	char req[1024];

	snprintf(req, sizeof(req), "%s",
		 put("/machine-config", "{\"vcpu_count\": 2, \"mem_size_mib\": 256}"));
	for (int i = 0; i < 200; i++) /* warm-up */
		request(fd, req);
	rounds(fd, req, 204, n);
	rounds(fd, "GET / HTTP/1.1\r\n\r\n", 200, n);
	printf("\n");
	close(fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return 0;
}

/* "timeline: WHAT at N us" from motevm's Debug log. */
static double timeline(const char *what)
{
	char line[1024], key[128];
	FILE *f = fopen(errlog, "r");
	double v = -1;

	snprintf(key, sizeof(key), "timeline: %s at ", what);
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, key);

		if (p)
			v = strtod(p + strlen(key), NULL);
	}
	if (f)
		fclose(f);
	return v;
}

static int bench_start(const char *motevm, const char *guest, int runs)
{
	double *rt = calloc(runs, sizeof(double)), *first = calloc(runs, sizeof(double));
	char boot[512];

	snprintf(boot, sizeof(boot), "{\"kernel_image_path\": \"%s\"}", guest);
	for (int i = 0; i < runs; i++) {
		pid_t pid = start_server(motevm, "Debug");
		int fd = wait_socket(), status;
		double t0;

		request(fd, put("/boot-source", boot));
		request(fd, put("/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 128}"));
		t0 = now_us();
		request(fd, put("/actions", "{\"action_type\": \"InstanceStart\"}"));
		rt[i] = now_us() - t0;
		close(fd);
		waitpid(pid, &status, 0);
		first[i] = timeline("VM stop requested") - timeline("InstanceStart");
	}
	qsort(rt, runs, sizeof(double), cmp);
	qsort(first, runs, sizeof(double), cmp);
	printf("%.0f %.0f %.0f %.0f\n", pct(rt, runs, 50), pct(rt, runs, 90), pct(first, runs, 50),
	       pct(first, runs, 90));
	return 0;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(sock, sizeof(sock), "%s/motevm-bench-%d.sock", tmp, getpid());
	snprintf(metrics, sizeof(metrics), "%s/motevm-bench-%d.metrics", tmp, getpid());
	snprintf(errlog, sizeof(errlog), "%s/motevm-bench-%d.log", tmp, getpid());
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && strcmp(argv[1], "socket") == 0)
		return bench_socket(argv[2], atoi(argv[3]));
	if (argc == 4 && strcmp(argv[1], "put") == 0)
		return bench_put(argv[2], atoi(argv[3]));
	if (argc == 5 && strcmp(argv[1], "start") == 0)
		return bench_start(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: vmm_api_runner socket|put MOTEVM N | start MOTEVM GUEST N\n");
	return 2;
}
