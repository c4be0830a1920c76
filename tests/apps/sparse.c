/* sparse.c: files with holes: writes far past the end cost only the pages written, holes read
 * as zeros, truncation drops pages and a later extension reads zeros again (issue 17: a
 * write at 2 GiB used to fail with ENOSPC, the page list of a file being one array; a mapping
 * of a whole sparse file used to take memory for every page of its holes at mmap). */
#include "check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define GIB (1LL << 30)

/* fd: an empty file; far (> 100 GiB): the end of the last write */
static void holes(int fd, const char *what, long long far)
{
	const long long offs[] = { 2 * GIB, 100 * GIB, far - 16 };
	char buf[8];
	struct stat st;
	int zeros = 1;

	for (int i = 0; i < 3; i++)
		CHECK_EQ(pwrite(fd, "hello", 5, offs[i]), 5, "%s: 5 bytes at %lld GiB (+%lld)",
			 what, offs[i] / GIB, offs[i] % GIB);
	CHECK(fstat(fd, &st) == 0 && st.st_size == far - 11, "%s: the size is the last byte's",
	      what);
	memset(buf, 7, sizeof(buf));
	CHECK_EQ(pread(fd, buf, sizeof(buf), GIB), 8, "%s: a hole reads whole", what);
	for (int i = 0; i < 8; i++)
		zeros &= buf[i] == 0;
	CHECK(zeros, "%s: ... as zeros", what);
	CHECK(pread(fd, buf, 5, 100 * GIB) == 5 && memcmp(buf, "hello", 5) == 0,
	      "%s: the data between holes reads back", what);
	CHECK(pread(fd, buf, 8, 100 * GIB + 2) == 8 && memcmp(buf, "llo\0\0\0\0\0", 8) == 0,
	      "%s: ... followed by the hole's zeros", what);
	CHECK_EQ(ftruncate(fd, 4096), 0, "%s: truncate to 4 KiB", what);
	CHECK_EQ(pread(fd, buf, 5, 2 * GIB), 0, "%s: nothing past the end", what);
	CHECK_EQ(ftruncate(fd, 3 * GIB), 0, "%s: extend to 3 GiB again", what);
	memset(buf, 7, sizeof(buf));
	CHECK(pread(fd, buf, 5, 2 * GIB) == 5 && buf[0] == 0 && buf[4] == 0,
	      "%s: the old data are gone: zeros", what);
}

/* A shared mapping of a page far out, over a hole: it reads zeros, a store reads back. */
static void mapped(int fd)
{
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 50 * GIB);
	char buf[6];

	CHECK(m != MAP_FAILED, "mmap 8 KiB at 50 GiB of a 3 GiB memfd (past its end is SIGBUS)");
	if (m == MAP_FAILED)
		return;
	munmap(m, 8192);
	CHECK_EQ(ftruncate(fd, 51 * GIB), 0, "extend the memfd to 51 GiB");
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 50 * GIB);
	CHECK(m != MAP_FAILED && m[0] == 0 && m[8191] == 0, "a mapping of the hole reads zeros");
	if (m == MAP_FAILED)
		return;
	memcpy(m + 4096, "mapped", 6);
	CHECK(pread(fd, buf, 6, 50 * GIB + 4096) == 6 && !memcmp(buf, "mapped", 6),
	      "a store through it reads back through the file");
	munmap(m, 8192);
}

/* Mappings of a whole 4 GiB sparse file, more than the VM's memory (run_mote.sh gives it
 * mote's default): only the pages touched cost memory, each time (CPython's test_mmap maps
 * 2 GiB files so). */
static void mapped_whole(int fd)
{
	const size_t len = 4 * GIB;
	char buf[4];

	CHECK_EQ(ftruncate(fd, 0), 0, "whole: empty the file");
	CHECK_EQ(ftruncate(fd, len), 0, "whole: 4 GiB of hole");
	for (int round = 0; round < 3; round++) {
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		char *r = mmap(NULL, GIB, PROT_READ, MAP_PRIVATE, fd, 3 * GIB);

		CHECK(m != MAP_FAILED, "whole %d: mmap(MAP_SHARED) of all 4 GiB", round);
		CHECK(r != MAP_FAILED, "whole %d: mmap(MAP_PRIVATE) of its last GiB", round);
		if (m == MAP_FAILED || r == MAP_FAILED)
			return;
		CHECK(m[3 * GIB + 5] == (round ? 'x' : 0) && r[5] == m[3 * GIB + 5],
		      "whole %d: both see the same byte at 3 GiB", round);
		m[3 * GIB + 5] = 'x';
		memcpy(m + 2 * GIB - 2, "abcd", 4);
		CHECK(pread(fd, buf, 4, 2 * GIB - 2) == 4 && !memcmp(buf, "abcd", 4),
		      "whole %d: a store across 2 GiB reads back through the file", round);
		CHECK_EQ(munmap(m, len), 0, "whole %d: munmap", round);
		CHECK_EQ(munmap(r, GIB), 0, "whole %d: munmap the private one", round);
	}
}

int main(void)
{
	char path[4096];
	int fd;

	check_start();
	fd = memfd_create("sparse", 0);
	CHECK(fd >= 0, "memfd_create");
	holes(fd, "memfd", 1LL << 40);
	mapped(fd);
	mapped_whole(fd);
	close(fd);
	snprintf(path, sizeof(path), "%s/sparse", check_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "a file in the scratch directory");
	holes(fd, "file", 200 * GIB);
	close(fd);
	unlink(path);
	return check_done();
}
