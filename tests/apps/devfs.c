/* devfs.c: the /dev a program may rely on: null, zero, full, random, urandom (behaviour and
 * device numbers), console and tty (present as character devices), /dev/fd and /dev/std*. */
#include "check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static int is_chr(const char *path, unsigned maj, unsigned min)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == maj &&
	       minor(st.st_rdev) == min;
}

static int all_zero(const char *p, long n)
{
	for (long i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void memory_devices(void)
{
	char buf[4096], *m;
	int fd;

	CHECK(is_chr("/dev/null", 1, 3), "/dev/null is char 1:3");
	CHECK(is_chr("/dev/zero", 1, 5), "/dev/zero is char 1:5");
	CHECK(is_chr("/dev/full", 1, 7), "/dev/full is char 1:7");
	CHECK(is_chr("/dev/random", 1, 8), "/dev/random is char 1:8");
	CHECK(is_chr("/dev/urandom", 1, 9), "/dev/urandom is char 1:9");
	CHECK(is_chr("/dev/tty", 5, 0), "/dev/tty is char 5:0");
	CHECK(is_chr("/dev/console", 5, 1), "/dev/console is char 5:1");

	fd = open("/dev/null", O_RDWR);
	CHECK(fd >= 0 && write(fd, buf, sizeof(buf)) == sizeof(buf), "/dev/null swallows a write");
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0, "/dev/null reads end of file");
	CHECK_EQ(lseek(fd, 100, SEEK_SET), 0, "lseek on /dev/null gives 0");
	close(fd);

	fd = open("/dev/zero", O_RDWR);
	memset(buf, 1, sizeof(buf));
	CHECK(read(fd, buf, sizeof(buf)) == sizeof(buf) && all_zero(buf, sizeof(buf)),
	      "/dev/zero reads zeros");
	CHECK_EQ(write(fd, buf, 10), 10, "/dev/zero swallows a write");
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && all_zero(m, 8192) && (m[100] = 1) == 1,
	      "a shared mapping of /dev/zero: zeros, writable");
	munmap(m, 8192);
	close(fd);

	fd = open("/dev/full", O_RDWR);
	CHECK_ERR(write(fd, "x", 1), ENOSPC, "/dev/full: a write gets ENOSPC");
	memset(buf, 1, 64);
	CHECK(read(fd, buf, 64) == 64 && all_zero(buf, 64), "/dev/full reads zeros");
	close(fd);

	for (int i = 0; i < 2; i++) {
		const char *dev = i ? "/dev/random" : "/dev/urandom";
		char a[64] = "", b[64] = "";

		fd = open(dev, O_RDONLY);
		CHECK(fd >= 0 && read(fd, a, 64) == 64 && read(fd, b, 64) == 64 &&
			      memcmp(a, b, 64) != 0 && !all_zero(a, 64),
		      "%s: two 64-byte reads differ", dev);
		close(fd);
	}
	fd = open("/dev/urandom", O_WRONLY);
	CHECK(fd >= 0 && write(fd, "entropy", 7) == 7, "/dev/urandom accepts a write");
	close(fd);
}

static void fd_links(void)
{
	char link[64] = "", c = 0;
	int p[2], fd;

	CHECK(readlink("/dev/fd", link, sizeof(link) - 1) > 0 && strcmp(link, "/proc/self/fd") == 0,
	      "/dev/fd -> /proc/self/fd");
	memset(link, 0, sizeof(link));
	CHECK(readlink("/dev/stdin", link, sizeof(link) - 1) > 0 &&
		      strcmp(link, "/proc/self/fd/0") == 0,
	      "/dev/stdin -> /proc/self/fd/0");
	memset(link, 0, sizeof(link));
	CHECK(readlink("/dev/stdout", link, sizeof(link) - 1) > 0 &&
		      strcmp(link, "/proc/self/fd/1") == 0,
	      "/dev/stdout -> /proc/self/fd/1");
	memset(link, 0, sizeof(link));
	CHECK(readlink("/dev/stderr", link, sizeof(link) - 1) > 0 &&
		      strcmp(link, "/proc/self/fd/2") == 0,
	      "/dev/stderr -> /proc/self/fd/2");
	pipe(p);
	write(p[1], "q", 1);
	snprintf(link, sizeof(link), "/dev/fd/%d", p[0]);
	fd = open(link, O_RDONLY);
	CHECK(fd >= 0 && fd != p[0] && read(fd, &c, 1) == 1 && c == 'q',
	      "opening /dev/fd/N of a pipe reads the pipe");
	close(fd);
	close(p[0]);
	close(p[1]);
	CHECK(access("/dev/stdout", W_OK) == 0 && access("/dev/stderr", W_OK) == 0,
	      "/dev/stdout and /dev/stderr are writable");
	CHECK_ERR(open("/dev/no-such-device", O_RDONLY), ENOENT, "a missing device: ENOENT");
}

int main(void)
{
	check_start();
	memory_devices();
	fd_links();
	return check_done();
}
