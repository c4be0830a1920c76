/* ops.c: one kind of operation N times, for bench/kernel_counts.sh, which runs it natively
 * and inside Mote with the kernel's --stats and divides the counts by N. Prints
 * "OP N ns_per_op". Operations: none (start-up only), getppid (glibc's wrapper), syscall
 * (glibc's syscall(), getppid), write (1 byte to /dev/null), touch (N MiB of a fresh
 * anonymous mapping, one write a page), touch4k (the same with MADV_NOHUGEPAGE), churn
 * (mmap 64 KiB, touch its 16 pages, munmap). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int touch(long mib, int advice)
{
	size_t len = (size_t)mib << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || (advice && madvise(p, len, advice)))
		return -1;
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
	return 0;
}

static int churn(long n)
{
	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p == MAP_FAILED)
			return -1;
		for (int k = 0; k < 16; k++)
			p[k * 4096] = 1;
		if (munmap(p, 65536))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "none";
	long n = argc > 2 ? atol(argv[2]) : 0;
	int fd = open("/dev/null", O_WRONLY), r = 0;
	double t0 = now_ns();

	if (!strcmp(op, "getppid"))
		for (long i = 0; i < n; i++)
			getppid();
	else if (!strcmp(op, "syscall"))
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	else if (!strcmp(op, "write"))
		for (long i = 0; i < n && !r; i++)
			r = write(fd, "x", 1) != 1;
	else if (!strcmp(op, "touch"))
		r = touch(n, 0);
	else if (!strcmp(op, "touch4k"))
		r = touch(n, MADV_NOHUGEPAGE);
	else if (!strcmp(op, "churn"))
		r = churn(n);
	else if (strcmp(op, "none"))
		r = 2;
	if (r) {
		fprintf(stderr, "ops: %s %ld failed\n", op, n);
		return 1;
	}
	printf("%s %ld %.1f\n", op, n, n ? (now_ns() - t0) / n : 0.0);
	return 0;
}
