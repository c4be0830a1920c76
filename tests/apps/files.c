/* files.c: file I/O in a scratch directory: open, read/write, positional and vector I/O, seek,
 * stat/statx, truncate, sync, modes, owners, times, umask, statfs, sendfile, copy_file_range. */
#include "check.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <time.h>

/* Reads all of the file at dir/name into buf (NUL-terminated); returns the length or -1. */
static long slurp(int dir, const char *name, char *buf, size_t len)
{
	int fd = openat(dir, name, O_RDONLY);
	long n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void open_read_write(int dir)
{
	char buf[64] = "";
	int fd, fd2;

	fd = openat(dir, "a", O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
	CHECK(fd >= 0, "openat O_CREAT|O_EXCL creates a file");
	CHECK_ERR(openat(dir, "a", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST,
		  "openat O_EXCL on an existing file: EEXIST");
	CHECK_ERR(openat(dir, "missing", O_RDONLY), ENOENT, "openat a missing file: ENOENT");
	CHECK_ERR(openat(dir, "a/x", O_RDONLY), ENOTDIR, "a file used as a directory: ENOTDIR");
	CHECK_ERR(openat(dir, "a", O_RDONLY | O_DIRECTORY), ENOTDIR,
		  "O_DIRECTORY on a file: ENOTDIR");
	CHECK_ERR(openat(dir, ".", O_WRONLY), EISDIR, "a directory opened for writing: EISDIR");
	CHECK_EQ(write(fd, "hello world", 11), 11, "write 11 bytes");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11, "the offset follows the write");
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0, "lseek SEEK_SET 0");
	CHECK(read(fd, buf, sizeof(buf)) == 11 && memcmp(buf, "hello world", 11) == 0,
	      "read back 11 bytes: hello world");
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0, "read at end of file returns 0");
	CHECK(pread(fd, buf, 5, 6) == 5 && memcmp(buf, "world", 5) == 0, "pread at 6: world");
	CHECK_EQ(pwrite(fd, "WORLD", 5, 6), 5, "pwrite 5 bytes at 6");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11, "pread and pwrite leave the offset alone");
	CHECK(slurp(dir, "a", buf, sizeof(buf)) == 11 && strcmp(buf, "hello WORLD") == 0,
	      "the file now reads: hello WORLD");
	CHECK_EQ(lseek(fd, -5, SEEK_END), 6, "lseek SEEK_END -5");
	CHECK_EQ(lseek(fd, 2, SEEK_CUR), 8, "lseek SEEK_CUR +2");
	CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to a negative offset: EINVAL");

	fd2 = openat(dir, "a", O_WRONLY | O_APPEND);
	CHECK(fd2 >= 0 && lseek(fd2, 0, SEEK_SET) == 0 && write(fd2, "!", 1) == 1,
	      "write with O_APPEND after lseek 0");
	CHECK(slurp(dir, "a", buf, sizeof(buf)) == 12 && strcmp(buf, "hello WORLD!") == 0,
	      "O_APPEND wrote at the end: hello WORLD!");
	CHECK_ERR(read(fd2, buf, 1), EBADF, "read on a write-only descriptor: EBADF");
	close(fd2);
	fd2 = openat(dir, "a", O_RDONLY);
	CHECK_ERR(write(fd2, "x", 1), EBADF, "write on a read-only descriptor: EBADF");
	CHECK_ERR(ftruncate(fd2, 0), EINVAL, "ftruncate on a read-only descriptor: EINVAL");
	close(fd2);
	fd2 = openat(dir, "a", O_RDWR | O_TRUNC);
	CHECK(fd2 >= 0 && lseek(fd2, 0, SEEK_END) == 0, "O_TRUNC empties the file");
	CHECK_EQ(close(fd2), 0, "close");
	CHECK_ERR(close(fd2), EBADF, "close twice: EBADF");
	CHECK_ERR(read(fd2, buf, 1), EBADF, "read on a closed descriptor: EBADF");
	close(fd);
}

static void vectors_holes_big(int dir)
{
	struct iovec w[3] = { { "ab", 2 }, { "cde", 3 }, { "f", 1 } };
	char x[3] = "", y[4] = "", buf[4096];
	struct iovec r[2] = { { x, 3 }, { y, 3 } };
	int fd = openat(dir, "v", O_CREAT | O_RDWR, 0644), same = 1;
	long total = 0, n;

	CHECK_EQ(writev(fd, w, 3), 6, "writev of 3 buffers writes 6 bytes");
	CHECK(preadv(fd, r, 2, 0) == 6 && memcmp(x, "abc", 3) == 0 && strcmp(y, "def") == 0,
	      "preadv into 2 buffers: abc def");
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0, "rewind");
	memset(x, 0, 3);
	CHECK(readv(fd, r, 2) == 6 && memcmp(x, "abc", 3) == 0, "readv reads the same");
	CHECK(lseek(fd, 1 << 20, SEEK_SET) == 1 << 20 && write(fd, "z", 1) == 1,
	      "write 1 byte at 1 MiB leaves a hole");
	CHECK(pread(fd, buf, sizeof(buf), 4096) == sizeof(buf) && buf[0] == 0 &&
		      memcmp(buf, buf + 1, sizeof(buf) - 1) == 0,
	      "the hole reads as zeros");
	close(fd);

	/* 4 MiB of a pattern, written and read back in odd-sized pieces */
	fd = openat(dir, "big", O_CREAT | O_RDWR | O_TRUNC, 0644);
	for (int i = 0; i < 1024; i++) {
		for (int j = 0; j < 4096; j++)
			buf[j] = (char)(i * 7 + j);
		total += write(fd, buf, sizeof(buf));
	}
	CHECK_EQ(total, 4 << 20, "wrote 4 MiB");
	lseek(fd, 0, SEEK_SET);
	total = 0;
	while ((n = read(fd, buf, 3000)) > 0) {
		for (long j = 0; j < n; j++, total++)
			if (buf[j] != (char)((total >> 12) * 7 + (total & 4095)))
				same = 0;
	}
	CHECK(total == 4 << 20 && same, "read back 4 MiB in 3000-byte pieces, all bytes right");
	close(fd);
}

static void stat_truncate_sync(int dir)
{
	struct stat st, st2;
	struct statx sx;
	char buf[128];
	int fd = openat(dir, "s", O_CREAT | O_RDWR, 0644), zeros = 1;

	CHECK_EQ(write(fd, "0123456789", 10), 10, "write 10 bytes");
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode), "fstat: a regular file");
	CHECK_EQ(st.st_size, 10, "fstat: st_size");
	CHECK_EQ(st.st_mode & 07777, 0644, "fstat: mode 0644 under umask 022");
	CHECK_EQ(st.st_nlink, 1, "fstat: st_nlink");
	CHECK(st.st_uid == geteuid() && st.st_gid == getegid(), "fstat: owned by our uid and gid");
	CHECK(st.st_blksize > 0, "fstat: st_blksize > 0");
	CHECK(fstatat(dir, "s", &st2, AT_SYMLINK_NOFOLLOW) == 0 && st2.st_ino == st.st_ino &&
		      st2.st_dev == st.st_dev && st2.st_size == 10,
	      "newfstatat names the same file");
	CHECK(fstatat(fd, "", &st2, AT_EMPTY_PATH) == 0 && st2.st_ino == st.st_ino,
	      "newfstatat AT_EMPTY_PATH on the descriptor");
	CHECK_ERR(fstatat(dir, "nope", &st2, 0), ENOENT, "newfstatat of a missing name: ENOENT");
	CHECK(statx(dir, "s", 0, STATX_BASIC_STATS, &sx) == 0, "statx");
	CHECK_EQ(sx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS, "statx: all basic fields");
	CHECK(sx.stx_size == 10 && sx.stx_ino == st.st_ino && (sx.stx_mode & 07777) == 0644 &&
		      S_ISREG(sx.stx_mode) && sx.stx_nlink == 1,
	      "statx agrees with fstat");

	CHECK_EQ(ftruncate(fd, 100), 0, "ftruncate grows to 100");
	CHECK(pread(fd, buf, sizeof(buf), 0) == 100, "100 bytes to read");
	for (int i = 10; i < 100; i++)
		zeros &= buf[i] == 0;
	CHECK(zeros && memcmp(buf, "0123456789", 10) == 0, "old bytes kept, new bytes zero");
	CHECK(ftruncate(fd, 4) == 0 && fstat(fd, &st) == 0 && st.st_size == 4,
	      "ftruncate shrinks to 4");
	CHECK(truncate("s", 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3,
	      "truncate by a relative path to 3");
	CHECK_ERR(ftruncate(fd, -1), EINVAL, "ftruncate to a negative length: EINVAL");
	CHECK_EQ(fsync(fd), 0, "fsync");
	CHECK_EQ(fdatasync(fd), 0, "fdatasync");
	CHECK_EQ(syncfs(fd), 0, "syncfs");

	CHECK(fchmod(fd, 0600) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600,
	      "fchmod 0600");
	CHECK(fchmodat(dir, "s", 0640, 0) == 0 && fstat(fd, &st) == 0 &&
		      (st.st_mode & 07777) == 0640,
	      "fchmodat 0640");
	CHECK_EQ(fchown(fd, geteuid(), getegid()), 0, "fchown to our own uid and gid");
	CHECK_EQ(fchownat(dir, "s", (uid_t)-1, (gid_t)-1, AT_SYMLINK_NOFOLLOW), 0,
		 "fchownat with -1 -1 changes nothing");
	close(fd);
}

static void times_umask_statfs(int dir, const char *path)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1500000000, 987654321 } };
	struct statfs sf, sf2;
	struct stat st;
	time_t now;
	int fd;

	CHECK_EQ(utimensat(dir, "s", ts, 0), 0, "utimensat to fixed times");
	CHECK(fstatat(dir, "s", &st, 0) == 0 && st.st_atim.tv_sec == 1000000000 &&
		      st.st_atim.tv_nsec == 123456789 && st.st_mtim.tv_sec == 1500000000 &&
		      st.st_mtim.tv_nsec == 987654321,
	      "stat shows both times to the nanosecond");
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	now = time(NULL);
	CHECK(utimensat(dir, "s", ts, 0) == 0 && fstatat(dir, "s", &st, 0) == 0 &&
		      st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec >= now - 1 &&
		      st.st_mtim.tv_sec <= now + 5,
	      "UTIME_OMIT keeps atime, UTIME_NOW sets mtime to now");
	fd = openat(dir, "s", O_WRONLY);
	ts[0] = ts[1] = (struct timespec){ 1000, 0 };
	CHECK(futimens(fd, ts) == 0 && write(fd, "x", 1) == 1 && fstat(fd, &st) == 0 &&
		      st.st_mtim.tv_sec >= now - 1,
	      "a write moves mtime forward");
	close(fd);

	CHECK_EQ(umask(077), 022, "umask returns the previous mask");
	fd = openat(dir, "u", O_CREAT | O_WRONLY, 0666);
	CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600, "umask 077 turns 0666 into 0600");
	close(fd);
	umask(022);

	CHECK(statfs(path, &sf) == 0 && sf.f_bsize > 0 && sf.f_namelen >= 255 &&
		      sf.f_blocks >= sf.f_bfree && sf.f_bfree >= sf.f_bavail,
	      "statfs: block size, name length 255, free <= total");
	fd = openat(dir, "u", O_RDONLY);
	CHECK(fstatfs(fd, &sf2) == 0 && sf2.f_type == sf.f_type && sf2.f_bsize == sf.f_bsize,
	      "fstatfs agrees with statfs");
	close(fd);
}

static void copies(int dir)
{
	char buf[32] = "";
	off_t off = 2, oin = 1, oout = 0;
	int in = openat(dir, "src", O_CREAT | O_RDWR, 0644), out, p[2];

	write(in, "0123456789", 10);
	out = openat(dir, "dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK_EQ(sendfile(out, in, &off, 5), 5, "sendfile file to file, 5 bytes from offset 2");
	CHECK(off == 7 && lseek(in, 0, SEEK_CUR) == 10,
	      "sendfile moves its offset, not the file's");
	CHECK(slurp(dir, "dst", buf, sizeof(buf)) == 5 && strcmp(buf, "23456") == 0,
	      "the copy reads: 23456");
	lseek(in, 8, SEEK_SET);
	CHECK(sendfile(out, in, NULL, 100) == 2 && lseek(in, 0, SEEK_CUR) == 10,
	      "sendfile without an offset stops at EOF and moves the file offset");
	pipe(p);
	CHECK(sendfile(p[1], in, &oin, 4) == 4 && read(p[0], buf, 4) == 4 &&
		      memcmp(buf, "1234", 4) == 0,
	      "sendfile into a pipe: 1234");
	ftruncate(out, 0);
	oin = 3;
	CHECK_EQ(copy_file_range(in, &oin, out, &oout, 4, 0), 4, "copy_file_range 4 bytes");
	CHECK(oin == 7 && oout == 4 && slurp(dir, "dst", buf, sizeof(buf)) == 4 &&
		      strcmp(buf, "3456") == 0,
	      "copy_file_range moved both offsets and copied 3456");
	oin = 0;
	oout = 2;
	CHECK_ERR(copy_file_range(in, &oin, in, &oout, 4, 0), EINVAL,
		  "copy_file_range onto an overlapping range: EINVAL");
	off = -1;
	CHECK_ERR(sendfile(out, in, &off, 4), EINVAL, "sendfile from offset -1: EINVAL");
	oin = 1;
	CHECK(splice(in, &oin, p[1], NULL, 3, 0) == 3 && oin == 4 && read(p[0], buf, 3) == 3 &&
		      memcmp(buf, "123", 3) == 0,
	      "splice from the file at offset 1 into a pipe: 123");
	CHECK(write(p[1], "xyz", 3) == 3 && splice(p[0], NULL, out, NULL, 10, 0) == 3,
	      "splice from the pipe to the file: what the pipe held");
	CHECK_ERR(splice(in, NULL, out, NULL, 3, 0), EINVAL, "splice with no pipe: EINVAL");
	CHECK_ERR(splice(p[0], &oin, out, NULL, 3, 0), ESPIPE, "an offset for a pipe: ESPIPE");
	{
		struct iovec v = { buf, 4 };

		CHECK(preadv2(in, &v, 1, 6, RWF_HIPRI) == 4 && memcmp(buf, "6789", 4) == 0,
		      "preadv2 RWF_HIPRI at offset 6: 6789");
		CHECK_ERR(preadv2(in, &v, 1, 0, 0x40000), EOPNOTSUPP,
			  "preadv2 with an unknown flag: EOPNOTSUPP");
	}
	oin = -5;
	CHECK_ERR(copy_file_range(in, &oin, out, NULL, 4, 0), EINVAL,
		  "copy_file_range from offset -5: EINVAL");
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
}

/* tee duplicates what one pipe holds into another without taking it; vmsplice is writev into
 * a pipe (readv out of one). */
static void tee_vmsplice(int dir)
{
	char buf[16] = "";
	char a[] = "vm", b[] = "splice";
	struct iovec v[2] = { { a, 2 }, { b, 6 } }, r = { buf, sizeof(buf) };
	int p[2], q[2], file = openat(dir, "src", O_RDONLY);

	pipe(p);
	pipe(q);
	write(p[1], "tee me", 6);
	CHECK_EQ(tee(p[0], q[1], 100, 0), 6, "tee: the 6 bytes the pipe holds");
	CHECK(read(q[0], buf, sizeof(buf)) == 6 && memcmp(buf, "tee me", 6) == 0,
	      "... reach the other pipe");
	CHECK(read(p[0], buf, sizeof(buf)) == 6 && memcmp(buf, "tee me", 6) == 0,
	      "... and stay in the first");
	CHECK_ERR(tee(p[0], q[1], 10, SPLICE_F_NONBLOCK), EAGAIN, "tee of an empty pipe, nonblock");
	CHECK_ERR(tee(p[0], p[1], 10, 0), EINVAL, "tee of a pipe into itself: EINVAL");
	CHECK_ERR(tee(file, q[1], 10, 0), EINVAL, "tee from a file: EINVAL");
	CHECK_EQ(tee(p[0], q[1], 0, 0), 0, "tee of 0 bytes: 0");
	CHECK_EQ(vmsplice(p[1], v, 2, 0), 8, "vmsplice two buffers into a pipe: 8 bytes");
	CHECK(read(p[0], buf, sizeof(buf)) == 8 && memcmp(buf, "vmsplice", 8) == 0,
	      "... read back: vmsplice");
	write(p[1], "out", 3);
	memset(buf, 0, sizeof(buf));
	CHECK(vmsplice(p[0], &r, 1, 0) == 3 && memcmp(buf, "out", 3) == 0,
	      "vmsplice out of a pipe's read end: out");
	CHECK_ERR(vmsplice(file, v, 2, 0), EBADF, "vmsplice on a file: EBADF");
	close(p[1]);
	CHECK_EQ(tee(p[0], q[1], 10, 0), 0, "tee of an empty pipe with no writer: 0");
	close(p[0]);
	close(q[0]);
	close(q[1]);
	close(file);
}

int main(void)
{
	const char *tmp;
	int dir;

	check_start();
	umask(022);
	tmp = check_tmpdir();
	dir = open(tmp, O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0, "open the scratch directory");
	CHECK_EQ(chdir(tmp), 0, "chdir into it");
	open_read_write(dir);
	vectors_holes_big(dir);
	stat_truncate_sync(dir);
	times_umask_statfs(dir, tmp);
	copies(dir);
	tee_vmsplice(dir);
	CHECK_EQ(chdir("/"), 0, "chdir /");
	CHECK_EQ(check_rmtree(tmp), 0, "remove the scratch directory");
	return check_done();
}
