/* mmap.c: memory mappings: anonymous and file-backed, shared and private, MAP_FIXED, munmap
 * holes, mprotect, madvise, mremap, mincore, msync, large reservations and argument errors. */
#include "check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#define PG 4096L

static int all_bytes(const char *p, long len, char c)
{
	for (long i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void anonymous(void)
{
	unsigned char vec[4];
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
	     *q;
	long sum = 0;

	CHECK(p != MAP_FAILED, "mmap 4 anonymous pages");
	CHECK(all_bytes(p, 4 * PG, 0), "anonymous memory starts zeroed");
	memset(p, 'a', 4 * PG);
	CHECK(mincore(p, 4 * PG, vec) == 0 && (vec[0] & vec[1] & vec[2] & vec[3] & 1),
	      "mincore: touched pages are resident");
	CHECK_EQ(munmap(p + PG, PG), 0, "munmap the second page");
	CHECK_ERR(mincore(p + PG, PG, vec), ENOMEM, "mincore of the hole: ENOMEM");
	CHECK_ERR(mincore(p + 1, PG, vec), EINVAL, "mincore of an unaligned address: EINVAL");
	CHECK(all_bytes(p, PG, 'a') && all_bytes(p + 2 * PG, 2 * PG, 'a'),
	      "the pages around the hole keep their data");
	CHECK_EQ(madvise(p, PG, MADV_DONTNEED), 0, "madvise MADV_DONTNEED");
	CHECK(all_bytes(p, PG, 0), "a private anonymous page reads zero after MADV_DONTNEED");
	CHECK(madvise(p + 2 * PG, 2 * PG, MADV_WILLNEED) == 0 &&
		      madvise(p + 2 * PG, 2 * PG, MADV_SEQUENTIAL) == 0 &&
		      madvise(p + 2 * PG, 2 * PG, MADV_RANDOM) == 0 &&
		      madvise(p + 2 * PG, 2 * PG, MADV_NORMAL) == 0,
	      "madvise WILLNEED, SEQUENTIAL, RANDOM, NORMAL");
	CHECK_EQ(madvise(p + 2 * PG, 2 * PG, MADV_FREE), 0, "madvise MADV_FREE");
	CHECK_ERR(madvise(p, PG, 12345), EINVAL, "madvise with an unknown advice: EINVAL");
	CHECK(mprotect(p + 2 * PG, PG, PROT_READ) == 0 && p[2 * PG] == 'a',
	      "mprotect PROT_READ: still readable");
	CHECK(mprotect(p + 2 * PG, PG, PROT_READ | PROT_WRITE) == 0 && (p[2 * PG] = 'b') == 'b',
	      "mprotect back to read-write: writable");
	CHECK_ERR(mprotect(p + PG, PG, PROT_READ), ENOMEM, "mprotect of the hole: ENOMEM");
	CHECK_ERR(mprotect(p + 1, PG, PROT_READ), EINVAL,
		  "mprotect of an unaligned address: EINVAL");
	munmap(p, 4 * PG);

	/* 32 MiB touched page by page */
	q = mmap(NULL, 32 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(q != MAP_FAILED, "mmap 32 MiB");
	for (long i = 0; i < (32 << 20); i += PG)
		q[i] = (char)(i / PG);
	for (long i = 0; i < (32 << 20); i += PG)
		sum += q[i] == (char)(i / PG);
	CHECK_EQ(sum, (32 << 20) / PG, "every page of 32 MiB holds its own byte");
	CHECK_EQ(munmap(q, 32 << 20), 0, "munmap 32 MiB");

	/* an allocator-style reservation: 1 GiB PROT_NONE, one page made usable in the middle */
	q = mmap(NULL, 1L << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(q != MAP_FAILED, "reserve 1 GiB PROT_NONE");
	CHECK(mprotect(q + (512L << 20), PG, PROT_READ | PROT_WRITE) == 0 &&
		      (q[512L << 20] = 7) == 7,
	      "one page in its middle made read-write");
	CHECK_EQ(munmap(q, 1L << 30), 0, "munmap the reservation");
}

static void fixed(void)
{
	char *r = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;

	p = mmap(r + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0);
	CHECK(p == r + PG, "MAP_FIXED maps exactly at the address asked");
	memset(p, 'x', PG);
	p = mmap(r + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0);
	CHECK(p == r + PG && all_bytes(p, PG, 0), "MAP_FIXED over a mapping replaces it");
	CHECK_ERR(mmap(r + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
		       0),
		  EEXIST, "MAP_FIXED_NOREPLACE over a mapping: EEXIST");
	CHECK_ERR(mmap(r + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  EINVAL, "MAP_FIXED at an unaligned address: EINVAL");
	/* r+PG is mapped, r+2PG too (PROT_NONE): growing r+PG in place must fail */
	CHECK_ERR(mremap(p, PG, 2 * PG, 0), ENOMEM, "mremap growing into a neighbour: ENOMEM");
	memset(p, 'm', PG);
	p = mremap(p, PG, 3 * PG, MREMAP_MAYMOVE);
	CHECK(p != MAP_FAILED && all_bytes(p, PG, 'm') && all_bytes(p + PG, 2 * PG, 0),
	      "mremap MREMAP_MAYMOVE grows, keeping the data");
	p = mremap(p, 3 * PG, PG, 0);
	CHECK(p != MAP_FAILED && all_bytes(p, PG, 'm'), "mremap shrinks in place");
	p = mremap(p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, r + 3 * PG);
	CHECK(p == r + 3 * PG && all_bytes(p, PG, 'm'), "mremap MREMAP_FIXED moves to the address");
	munmap(r, 4 * PG);
}

static void files(int dir)
{
	char page[PG], *s, *p;
	int fd = openat(dir, "m", O_CREAT | O_RDWR | O_TRUNC, 0644), wo, ro;

	memset(page, 'A', PG);
	write(fd, page, PG);
	memset(page, 'B', PG);
	write(fd, page, 904); /* 5000 bytes: a partial second page */
	s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED, "mmap a file MAP_SHARED");
	CHECK(all_bytes(s, PG, 'A') && all_bytes(s + PG, 904, 'B'), "the mapping shows the file");
	CHECK(all_bytes(s + 5000, 2 * PG - 5000, 0), "past EOF in the last page reads zeros");
	memcpy(s + 10, "mapped", 6);
	CHECK(pread(fd, page, 6, 10) == 6 && memcmp(page, "mapped", 6) == 0,
	      "a store through the mapping is seen by read");
	CHECK(pwrite(fd, "written", 7, 100) == 7 && memcmp(s + 100, "written", 7) == 0,
	      "a write to the file is seen through the mapping");
	CHECK_EQ(msync(s, 2 * PG, MS_SYNC), 0, "msync MS_SYNC");
	CHECK_EQ(msync(s, PG, MS_ASYNC | MS_INVALIDATE), 0, "msync MS_ASYNC|MS_INVALIDATE");
	CHECK_ERR(msync(s + 1, PG, MS_SYNC), EINVAL, "msync of an unaligned address: EINVAL");
	CHECK(madvise(s, PG, MADV_DONTNEED) == 0 && memcmp(s + 10, "mapped", 6) == 0,
	      "MADV_DONTNEED on a shared file mapping keeps the file's data");

	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PG);
	CHECK(p != MAP_FAILED && all_bytes(p, 904, 'B'), "MAP_PRIVATE at offset 4096 shows page 2");
	memset(p, 'P', 16);
	CHECK(pread(fd, page, 16, PG) == 16 && all_bytes(page, 16, 'B'),
	      "a private mapping's stores never reach the file");
	CHECK(mprotect(p, PG, PROT_READ) == 0 && all_bytes(p, 16, 'P'), "and stay in the copy");
	munmap(p, PG);
	p = mremap(s, 2 * PG, 3 * PG, MREMAP_MAYMOVE);
	CHECK(p != MAP_FAILED && memcmp(p + 10, "mapped", 6) == 0, "mremap of a file mapping");
	munmap(p, 3 * PG);

	wo = openat(dir, "m", O_WRONLY);
	ro = openat(dir, "m", O_RDONLY);
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0), EACCES,
		  "mmap of a write-only descriptor: EACCES");
	CHECK_ERR(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES,
		  "a writable shared mapping of a read-only descriptor: EACCES");
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK(p != MAP_FAILED && (p[0] = 'w') == 'w', "a writable private one is fine");
	munmap(p, PG);
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, ro, 0), EINVAL, "mmap of length 0: EINVAL");
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 100), EINVAL,
		  "mmap at an unaligned offset: EINVAL");
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 9999, 0), EBADF,
		  "mmap of a bad fd: EBADF");
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL,
		  "mmap without MAP_PRIVATE or MAP_SHARED: EINVAL");
	close(wo);
	close(ro);
	close(fd);

	fd = open("/dev/zero", O_RDWR);
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	CHECK(p != MAP_FAILED && all_bytes(p, 2 * PG, 0) && (p[PG] = 1) == 1,
	      "a private MAP_POPULATE mapping of /dev/zero: zeros, writable");
	munmap(p, 2 * PG);
	close(fd);
}

int main(void)
{
	const char *tmp;
	int dir;

	check_start();
	tmp = check_tmpdir();
	dir = open(tmp, O_RDONLY | O_DIRECTORY);
	anonymous();
	fixed();
	files(dir);
	close(dir);
	CHECK_EQ(check_rmtree(tmp), 0, "remove the scratch directory");
	return check_done();
}
