/* memfd.c: memfd_create: a file in memory in no directory, its flags, mappings and seals. */
#include "check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

static void basics(void)
{
	char buf[16] = { 0 }, name[300];
	struct stat st;
	char *m;
	int fd = memfd_create("hi", MFD_CLOEXEC);

	CHECK(fd >= 0, "memfd_create MFD_CLOEXEC");
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "close-on-exec");
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR, "open for reading and writing");
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && st.st_nlink == 0,
	      "fstat: an empty regular file with no links");
	CHECK(write(fd, "memfd_create", 12) == 12 && lseek(fd, 0, SEEK_CUR) == 12,
	      "write 12 bytes, the offset follows");
	CHECK(pread(fd, buf, sizeof(buf), 0) == 12 && memcmp(buf, "memfd_create", 12) == 0,
	      "read back: memfd_create");
	CHECK(ftruncate(fd, 8192) == 0 && fstat(fd, &st) == 0 && st.st_size == 8192,
	      "ftruncate to 8 KiB");
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && memcmp(m, "memfd", 5) == 0, "a shared mapping sees the data");
	if (m != MAP_FAILED) {
		memcpy(m + 4096, "mapped", 6);
		CHECK(pread(fd, buf, 6, 4096) == 6 && memcmp(buf, "mapped", 6) == 0,
		      "a store through the mapping reads back through the file");
		munmap(m, 8192);
	}
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL, "without MFD_ALLOW_SEALING: F_SEAL_SEAL");
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM, "so F_ADD_SEALS: EPERM");
	close(fd);
	fd = memfd_create("", 0);
	CHECK(fd >= 0 && fcntl(fd, F_GETFD) == 0, "memfd_create without flags: inherited on exec");
	close(fd);
	CHECK_ERR(memfd_create("x", 0x100), EINVAL, "an unknown flag: EINVAL");
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	CHECK_ERR(memfd_create(name, 0), EINVAL, "a name of 299 bytes: EINVAL");
	CHECK_ERR(memfd_create((const char *)8, 0), EFAULT, "a bad name: EFAULT");
	fd = open("/", O_RDONLY);
	CHECK_ERR(fcntl(fd, F_GET_SEALS), EINVAL, "F_GET_SEALS on a directory: EINVAL");
}

static void seals(void)
{
	int fd = memfd_create("sealed", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	char *m;

	CHECK_EQ(fcntl(fd, F_GET_SEALS), 0, "MFD_ALLOW_SEALING: no seals yet");
	CHECK(write(fd, "0123456789", 10) == 10, "write 10 bytes");
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK), 0, "seal its size");
	CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_GROW | F_SEAL_SHRINK, "F_GET_SEALS says so");
	CHECK_ERR(ftruncate(fd, 100), EPERM, "ftruncate up: EPERM");
	CHECK_ERR(ftruncate(fd, 5), EPERM, "ftruncate down: EPERM");
	CHECK_ERR(pwrite(fd, "abc", 3, 9), EPERM, "a write past the end: EPERM");
	CHECK_EQ(pwrite(fd, "abc", 3, 2), 3, "a write inside it is fine");
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY,
		  "F_SEAL_WRITE while mapped shared and writable: EBUSY");
	munmap(m, 4096);
	CHECK_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL), 0,
		 "F_SEAL_WRITE | F_SEAL_SEAL once unmapped");
	CHECK_ERR(pwrite(fd, "x", 1, 0), EPERM, "then writes: EPERM");
	CHECK_ERR(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM,
		  "a writable shared mapping: EPERM");
	CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), EPERM, "and no more seals: EPERM");
	close(fd);
}

int main(void)
{
	check_start();
	basics();
	seals();
	return check_done();
}
