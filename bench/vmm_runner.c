/* vmm_runner.c: runs a command N times (stdio on /dev/null) and prints, as one line of
 * numbers, the wall time from fork to reaped exit (median, p10, p90 in ms), the peak RSS of
 * the process (median and max, KiB, from wait4's rusage) and how many runs exited with the
 * expected status: "median p10 p90 rss_median rss_max ok". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 10000

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static double ms[MAX_RUNS];
	static long rss[MAX_RUNS];
	int n, want, ok = 0;

	if (argc < 4 || (n = atoi(argv[1])) <= 0 || n > MAX_RUNS) {
		fprintf(stderr, "usage: vmm_runner RUNS EXPECTED_STATUS COMMAND [ARGS...]\n");
		return 2;
	}
	want = atoi(argv[2]);
	for (int i = 0; i < n; i++) {
		struct rusage ru;
		double t0 = now_ms();
		int ws;
		pid_t pid = fork();

		if (pid == 0) {
			int fd = open("/dev/null", O_RDWR);

			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			execv(argv[3], argv + 3);
			_exit(127);
		}
		if (pid < 0 || wait4(pid, &ws, 0, &ru) != pid) {
			perror("vmm_runner");
			return 1;
		}
		ms[i] = now_ms() - t0;
		rss[i] = ru.ru_maxrss;
		ok += WIFEXITED(ws) && WEXITSTATUS(ws) == want;
	}
	qsort(ms, n, sizeof(ms[0]), cmp_double);
	qsort(rss, n, sizeof(rss[0]), cmp_long);
	printf("%.3f %.3f %.3f %ld %ld %d\n", ms[n / 2], ms[n / 10], ms[n * 9 / 10], rss[n / 2],
	       rss[n - 1], ok);
	return 0;
}
