/* dirs.c: directories and names: mkdirat, getdents64, linkat, symlinkat/readlinkat, renameat2,
 * unlinkat, faccessat2, getcwd/chdir/fchdir and path resolution corner cases. */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/syscall.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the directory open at fd with getdents64 through a small buffer (many calls), sorted,
 * as "name/type ..." into out; returns the number of entries or -1. */
static int list_dir(int fd, char *out, size_t len)
{
	static const char types[] = { [DT_REG] = 'f', [DT_DIR] = 'd', [DT_LNK] = 'l' };
	char buf[80] __attribute__((aligned(8))), *names[32];
	int n = 0;
	long got;

	while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got && n < 32;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			char t = d->d_type < sizeof(types) && types[d->d_type] ? types[d->d_type]
									       : '?';

			if (asprintf(&names[n], "%s/%c", d->d_name, t) > 0)
				n++;
			off += d->d_reclen;
		}
	}
	if (got < 0)
		return -1;
	qsort(names, n, sizeof(names[0]), cmp_str);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", names[i]);
		free(names[i]);
	}
	return n;
}

static void make_and_list(int dir)
{
	char buf[512];
	struct stat st;
	int d, f;

	CHECK_EQ(mkdirat(dir, "d", 0755), 0, "mkdirat d");
	CHECK_ERR(mkdirat(dir, "d", 0755), EEXIST, "mkdirat d again: EEXIST");
	umask(027);
	CHECK(mkdirat(dir, "d/sub", 0777) == 0 && fstatat(dir, "d/sub", &st, 0) == 0 &&
		      S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750,
	      "mkdirat d/sub: 0777 under umask 027 gives 0750");
	umask(022);
	f = openat(dir, "d/f1", O_CREAT | O_WRONLY, 0644);
	CHECK(f >= 0 && write(f, "one", 3) == 3, "create d/f1");
	close(f);
	close(openat(dir, "d/f2", O_CREAT | O_WRONLY, 0644));
	CHECK_EQ(symlinkat("f1", dir, "d/l"), 0, "symlinkat d/l -> f1");
	d = openat(dir, "d", O_RDONLY | O_DIRECTORY);
	CHECK_EQ(list_dir(d, buf, sizeof(buf)), 6,
		 "getdents64 through an 80-byte buffer: 6 entries");
	CHECK_STR(buf, "../d ./d f1/f f2/f l/l sub/d", "getdents64 names and types");
	CHECK(lseek(d, 0, SEEK_SET) == 0 && list_dir(d, buf, sizeof(buf)) == 6,
	      "rewinding the directory lists it again");
	lseek(d, 0, SEEK_SET);
	CHECK_ERR(syscall(SYS_getdents64, d, buf, 1), EINVAL,
		  "getdents64 with a 1-byte buffer: EINVAL");
	close(d);
	f = openat(dir, "d/f1", O_RDONLY);
	CHECK_ERR(syscall(SYS_getdents64, f, buf, sizeof(buf)), ENOTDIR,
		  "getdents64 on a file: ENOTDIR");
	CHECK_ERR(read(openat(dir, "d", O_RDONLY), buf, 1), EISDIR, "read on a directory: EISDIR");
	close(f);
}

static void links(int dir)
{
	struct stat a, b;
	char buf[64] = "";
	int fd;

	CHECK_EQ(linkat(dir, "d/f1", dir, "d/hard", 0), 0, "linkat d/hard to d/f1");
	CHECK(fstatat(dir, "d/f1", &a, 0) == 0 && fstatat(dir, "d/hard", &b, 0) == 0 &&
		      a.st_ino == b.st_ino && a.st_nlink == 2 && b.st_nlink == 2,
	      "both names: one inode, two links");
	CHECK_ERR(linkat(dir, "d/f1", dir, "d/f2", 0), EEXIST,
		  "linkat onto an existing name: EEXIST");
	CHECK_ERR(linkat(dir, "d/sub", dir, "d/sub2", 0), EPERM, "linkat of a directory: EPERM");
	CHECK(readlinkat(dir, "d/l", buf, sizeof(buf)) == 2 && memcmp(buf, "f1", 2) == 0,
	      "readlinkat d/l: f1");
	CHECK_EQ(readlinkat(dir, "d/l", buf, 1), 1, "readlinkat truncates to the buffer");
	CHECK_ERR(readlinkat(dir, "d/f1", buf, sizeof(buf)), EINVAL,
		  "readlinkat of a file: EINVAL");
	CHECK(fstatat(dir, "d/l", &a, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(a.st_mode) &&
		      a.st_size == 2,
	      "lstat of the link: a symlink of size 2");
	CHECK(fstatat(dir, "d/l", &a, 0) == 0 && S_ISREG(a.st_mode) && a.st_ino == b.st_ino,
	      "stat through the link: the file");
	fd = openat(dir, "d/l", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 3 && memcmp(buf, "one", 3) == 0,
	      "open through the link reads: one");
	close(fd);
	CHECK_ERR(openat(dir, "d/l", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a link: ELOOP");
	symlinkat("loop2", dir, "d/loop1");
	symlinkat("loop1", dir, "d/loop2");
	CHECK_ERR(openat(dir, "d/loop1", O_RDONLY), ELOOP, "a symlink loop: ELOOP");
	symlinkat("made", dir, "d/dangling");
	CHECK_ERR(openat(dir, "d/dangling", O_RDONLY), ENOENT, "a dangling link: ENOENT");
	fd = openat(dir, "d/dangling", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && fstatat(dir, "d/made", &a, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(a.st_mode),
	      "O_CREAT through a dangling link creates its target");
	close(fd);
	CHECK_EQ(unlinkat(dir, "d/hard", 0), 0, "unlinkat d/hard");
	CHECK(fstatat(dir, "d/f1", &a, 0) == 0 && a.st_nlink == 1, "d/f1 is back to one link");
}

static void renames(int dir)
{
	char buf[16] = "";
	int fd;

	CHECK_EQ(renameat2(dir, "d/f2", dir, "d/f3", 0), 0, "renameat2 d/f2 to d/f3");
	CHECK(faccessat(dir, "d/f2", F_OK, 0) < 0 && errno == ENOENT &&
		      faccessat(dir, "d/f3", F_OK, 0) == 0,
	      "the old name is gone, the new one exists");
	CHECK_ERR(renameat2(dir, "d/f3", dir, "d/f1", RENAME_NOREPLACE), EEXIST,
		  "RENAME_NOREPLACE onto an existing name: EEXIST");
	CHECK_EQ(renameat2(dir, "d/f1", dir, "d/f3", RENAME_EXCHANGE), 0, "RENAME_EXCHANGE f1 f3");
	fd = openat(dir, "d/f3", O_RDONLY);
	CHECK(read(fd, buf, sizeof(buf)) == 3 && memcmp(buf, "one", 3) == 0,
	      "after the exchange d/f3 reads: one");
	close(fd);
	CHECK_EQ(renameat2(dir, "d/f3", dir, "d/f1", 0), 0, "renameat2 replaces an existing file");
	CHECK_ERR(renameat2(dir, "d/f1", dir, "d/sub", 0), EISDIR,
		  "a file over a directory: EISDIR");
	CHECK_ERR(renameat2(dir, "d", dir, "d/sub/x", 0), EINVAL,
		  "a directory into itself: EINVAL");
	mkdirat(dir, "e", 0755);
	close(openat(dir, "e/x", O_CREAT | O_WRONLY, 0644));
	errno = 0;
	CHECK(renameat2(dir, "d/sub", dir, "e", 0) < 0 && (errno == ENOTEMPTY || errno == EEXIST),
	      "a directory over a non-empty one: ENOTEMPTY");
	CHECK_ERR(renameat2(dir, "missing", dir, "x", 0), ENOENT,
		  "renaming a missing name: ENOENT");
	CHECK_ERR(unlinkat(dir, "e", 0), EISDIR, "unlinkat of a directory: EISDIR");
	CHECK_ERR(unlinkat(dir, "e", AT_REMOVEDIR), ENOTEMPTY,
		  "AT_REMOVEDIR of a full one: ENOTEMPTY");
	CHECK_ERR(unlinkat(dir, "e/x", AT_REMOVEDIR), ENOTDIR, "AT_REMOVEDIR of a file: ENOTDIR");
	fd = openat(dir, "e/x", O_RDWR);
	CHECK(unlinkat(dir, "e/x", 0) == 0 && unlinkat(dir, "e", AT_REMOVEDIR) == 0,
	      "unlinkat e/x then AT_REMOVEDIR e");
	struct stat st;
	CHECK(write(fd, "kept", 4) == 4 && pread(fd, buf, 4, 0) == 4 && fstat(fd, &st) == 0 &&
		      st.st_nlink == 0,
	      "an unlinked open file still works, with 0 links");
	close(fd);
}

static void access_and_paths(int dir)
{
	char name[300];
	struct stat st;

	CHECK_EQ(syscall(SYS_faccessat2, dir, "d/f1", R_OK | W_OK, AT_EACCESS), 0,
		 "faccessat2 R_OK|W_OK on our 0644 file");
	CHECK_ERR(syscall(SYS_faccessat2, dir, "d/f1", X_OK, 0), EACCES,
		  "faccessat2 X_OK on a 0644 file: EACCES");
	CHECK_ERR(syscall(SYS_faccessat2, dir, "d/none", F_OK, 0), ENOENT,
		  "faccessat2 F_OK on a missing name: ENOENT");
	CHECK_EQ(syscall(SYS_faccessat2, dir, "d/loop1", F_OK, AT_SYMLINK_NOFOLLOW), 0,
		 "faccessat2 AT_SYMLINK_NOFOLLOW checks the link itself");
	CHECK_EQ(faccessat(dir, "d", R_OK | X_OK, 0), 0, "faccessat on the directory");
	CHECK(fstatat(dir, "d//f1", &st, 0) == 0 && fstatat(dir, "d/./f1", &st, 0) == 0 &&
		      fstatat(dir, "d/sub/../f1", &st, 0) == 0,
	      "d//f1, d/./f1 and d/sub/../f1 resolve");
	CHECK_ERR(fstatat(dir, "d/f1/", &st, 0), ENOTDIR, "a trailing slash on a file: ENOTDIR");
	CHECK_ERR(fstatat(dir, "", &st, 0), ENOENT, "an empty path: ENOENT");
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK_ERR(openat(dir, name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG,
		  "a 299-byte name: ENAMETOOLONG");
}

static void cwd(int dir, const char *tmp)
{
	char buf[PATH_MAX], real[PATH_MAX];

	CHECK(realpath(tmp, real) != NULL, "realpath of the scratch directory");
	CHECK(chdir(tmp) == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf, real) == 0,
	      "chdir then getcwd gives the directory");
	CHECK(chdir("d/sub") == 0 && getcwd(buf, sizeof(buf)) &&
		      strcmp(buf + strlen(real), "/d/sub") == 0,
	      "chdir d/sub: getcwd ends in /d/sub");
	CHECK(chdir("..") == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf + strlen(real), "/d") == 0,
	      "chdir ..: getcwd ends in /d");
	CHECK(fchdir(dir) == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf, real) == 0,
	      "fchdir back to the directory");
	CHECK(faccessat(AT_FDCWD, "d/f1", F_OK, 0) == 0, "AT_FDCWD names follow the cwd");
	CHECK_ERR(syscall(SYS_getcwd, buf, 1), ERANGE, "getcwd into a 1-byte buffer: ERANGE");
	CHECK_ERR(chdir("d/f1"), ENOTDIR, "chdir to a file: ENOTDIR");
	CHECK_ERR(chdir("nowhere"), ENOENT, "chdir to a missing name: ENOENT");
	CHECK(mkdir("gone", 0755) == 0 && chdir("gone") == 0 && rmdir("../gone") == 0,
	      "remove the cwd from under us");
	CHECK_ERR(syscall(SYS_getcwd, buf, sizeof(buf)), ENOENT, "getcwd of a removed cwd: ENOENT");
	CHECK_ERR(openat(AT_FDCWD, "new", O_CREAT | O_WRONLY, 0644), ENOENT,
		  "creating in a removed cwd: ENOENT");
	CHECK_EQ(fchdir(dir), 0, "fchdir back");
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
	make_and_list(dir);
	links(dir);
	renames(dir);
	access_and_paths(dir);
	cwd(dir, tmp);
	CHECK_EQ(chdir("/"), 0, "chdir /");
	CHECK_EQ(check_rmtree(tmp), 0, "remove the scratch directory");
	return check_done();
}
