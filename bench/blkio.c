/* blkio.c: file I/O for bench/storage.sh, the same static binary on the host and in Mote.
 *   blkio seqwrite FILE MIB [direct]        MIB MiB in 1 MiB writes, then fsync: MB/s
 *   blkio seqread FILE [direct]             the whole file in 1 MiB reads: MB/s
 *   blkio randread FILE OPS THREADS [direct]   OPS 4 KiB preads at random aligned offsets,
 *                                               THREADS at once (the queue depth): IOPS
 *   blkio randwrite FILE OPS THREADS [direct]  the same with pwrite, then fdatasync: IOPS
 * "direct" opens with O_DIRECT (the host side, so that the host's page cache is not measured).
 * Prints one number. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BIG (1 << 20)
#define SMALL 4096

static int fd;
static uint64_t blocks, ops_each;
static int writing;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void *xalloc(size_t n)
{
	void *p;

	if (posix_memalign(&p, 4096, n)) {
		perror("posix_memalign");
		exit(1);
	}
	memset(p, 0x5a, n);
	return p;
}

static void *random_io(void *arg)
{
	uint64_t seed = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	char *buf = xalloc(SMALL);

	for (uint64_t i = 0; i < ops_each; i++) {
		off_t off;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		off = (off_t)(seed % blocks) * SMALL;
		if ((writing ? pwrite(fd, buf, SMALL, off) : pread(fd, buf, SMALL, off)) != SMALL) {
			perror(writing ? "pwrite" : "pread");
			exit(1);
		}
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	int direct = !strcmp(argv[argc - 1], "direct") ? O_DIRECT : 0;
	double t0, t;
	struct stat st;

	if (!strcmp(mode, "seqwrite") && argc >= 4) {
		uint64_t mib = strtoull(argv[3], NULL, 10);
		char *buf = xalloc(BIG);

		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | direct, 0644);
		if (fd < 0)
			return perror(argv[2]), 1;
		t0 = now();
		for (uint64_t i = 0; i < mib; i++)
			if (write(fd, buf, BIG) != BIG)
				return perror("write"), 1;
		if (fsync(fd))
			return perror("fsync"), 1;
		t = now() - t0;
		printf("%.1f\n", mib * (double)BIG / 1e6 / t);
		return 0;
	}
	if (!strcmp(mode, "seqread")) {
		char *buf = xalloc(BIG);
		uint64_t total = 0;
		ssize_t n;

		fd = open(argv[2], O_RDONLY | direct);
		if (fd < 0)
			return perror(argv[2]), 1;
		t0 = now();
		while ((n = read(fd, buf, BIG)) > 0)
			total += (uint64_t)n;
		if (n < 0)
			return perror("read"), 1;
		t = now() - t0;
		printf("%.1f\n", total / 1e6 / t);
		return 0;
	}
	if ((!strcmp(mode, "randread") || !strcmp(mode, "randwrite")) && argc >= 5) {
		uint64_t ops = strtoull(argv[3], NULL, 10);
		int threads = atoi(argv[4]);
		pthread_t tid[256];

		writing = mode[4] == 'w';
		if (threads < 1 || threads > 256)
			return fprintf(stderr, "blkio: 1..256 threads\n"), 2;
		fd = open(argv[2], (writing ? O_RDWR : O_RDONLY) | direct);
		if (fd < 0 || fstat(fd, &st))
			return perror(argv[2]), 1;
		blocks = (uint64_t)st.st_size / SMALL;
		ops_each = ops / (uint64_t)threads;
		if (!blocks)
			return fprintf(stderr, "blkio: %s is empty\n", argv[2]), 1;
		t0 = now();
		for (int i = 0; i < threads; i++)
			pthread_create(&tid[i], NULL, random_io, (void *)(uintptr_t)(i + 1));
		for (int i = 0; i < threads; i++)
			pthread_join(tid[i], NULL);
		if (writing && fdatasync(fd))
			return perror("fdatasync"), 1;
		t = now() - t0;
		printf("%.0f\n", ops_each * threads / t);
		return 0;
	}
	fprintf(stderr, "usage: blkio seqwrite FILE MIB | seqread FILE | randread|randwrite FILE "
			"OPS THREADS  [direct]\n");
	return 2;
}
