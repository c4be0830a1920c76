/* linux_syscall.c: system-call and page-fault round trips, the same binary natively and inside
 * Mote: getppid (the cheapest call), write of 1 byte to /dev/null, clock_gettime through the
 * vDSO, and first touches of an anonymous mapping. Prints "NAME ns_per_op" lines. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000, pages = 8192;
	int fd = open("/dev/null", O_WRONLY);
	struct timespec ts;
	double t0, t;
	char *p;

	t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("getppid %.0f\n", (now_ns() - t0) / n);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (write(fd, "x", 1) != 1)
			return 1;
	printf("write_devnull %.0f\n", (now_ns() - t0) / n);
	t0 = now_ns();
	for (long i = 0; i < n * 10; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("clock_gettime_vdso %.0f\n", (now_ns() - t0) / (n * 10));
	p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	t0 = now_ns();
	for (long i = 0; i < pages; i++)
		p[i * 4096] = 1;
	t = now_ns() - t0;
	printf("anon_first_touch_per_page %.0f\n", t / pages);
	return 0;
}
