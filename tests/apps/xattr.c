/* xattr.c: extended attributes on files in /tmp (ramfs in Mote, the host's /tmp natively): the
 * get, set, list and remove calls by path, by path without following a symlink and by
 * descriptor, and the errors xattr(7) and getxattr(2) give. */
#include "check.h"

#include <fcntl.h>
#include <sys/xattr.h>

/* An address no program can use (through a volatile: the compiler must not see it). */
static volatile unsigned long bad_addr = 1;
#define BAD ((void *)bad_addr)

static char path_f[256], path_d[256], path_l[256], path_p[256];

/* The names listxattr gives for path, sorted (file systems list them in different orders),
 * joined by spaces. */
static const char *names(const char *path, int follow)
{
	static char out[1024];
	char buf[1024], *v[64];
	ssize_t n = follow ? listxattr(path, buf, sizeof(buf)) : llistxattr(path, buf, sizeof(buf));
	int k = 0;

	if (n < 0)
		return strerrorname_np(errno);
	for (char *p = buf; p < buf + n && k < 64; p += strlen(p) + 1)
		v[k++] = p;
	for (int i = 1; i < k; i++)
		for (int j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	out[0] = 0;
	for (int i = 0; i < k; i++) {
		strcat(out, i ? " " : "");
		strcat(out, v[i]);
	}
	return out;
}

static const char *value(const char *path, const char *name)
{
	static char buf[2048];
	ssize_t n = getxattr(path, name, buf, sizeof(buf) - 1);

	if (n < 0)
		return strerrorname_np(errno);
	buf[n] = 0;
	return buf;
}

static void basics(void)
{
	char buf[64];

	CHECK_EQ(setxattr(path_f, "user.a", "hello", 5, 0), 0, "setxattr user.a");
	CHECK_EQ(getxattr(path_f, "user.a", NULL, 0), 5, "getxattr with size 0 gives the length");
	CHECK_STR(value(path_f, "user.a"), "hello", "getxattr reads the value back");
	CHECK_ERR(getxattr(path_f, "user.a", buf, 2), ERANGE, "getxattr into a small buffer");
	CHECK_ERR(getxattr(path_f, "user.none", buf, sizeof(buf)), ENODATA,
		  "getxattr of a missing name");
	CHECK_ERR(setxattr(path_f, "user.a", "x", 1, XATTR_CREATE), EEXIST,
		  "XATTR_CREATE on an existing name");
	CHECK_ERR(setxattr(path_f, "user.b", "x", 1, XATTR_REPLACE), ENODATA,
		  "XATTR_REPLACE on a missing name");
	CHECK_EQ(setxattr(path_f, "user.a", "world!", 6, XATTR_REPLACE), 0,
		 "XATTR_REPLACE on an existing name");
	CHECK_STR(value(path_f, "user.a"), "world!", "the replaced value");
	CHECK_EQ(setxattr(path_f, "user.b", "second", 6, XATTR_CREATE), 0,
		 "XATTR_CREATE on a new name");
	CHECK_ERR(setxattr(path_f, "user.c", "x", 1, 4), EINVAL, "setxattr with unknown flags");
	CHECK_EQ(setxattr(path_f, "user.empty", "", 0, 0), 0, "setxattr of an empty value");
	CHECK_EQ(getxattr(path_f, "user.empty", buf, sizeof(buf)), 0,
		 "an empty value reads as 0 bytes");
	CHECK_STR(names(path_f, 1), "user.a user.b user.empty", "listxattr names them all");
	CHECK_EQ(listxattr(path_f, NULL, 0), 25, "listxattr with size 0 gives the length");
	CHECK_ERR(listxattr(path_f, buf, 5), ERANGE, "listxattr into a small buffer");
	CHECK_EQ(removexattr(path_f, "user.b"), 0, "removexattr user.b");
	CHECK_ERR(getxattr(path_f, "user.b", buf, sizeof(buf)), ENODATA, "a removed name is gone");
	CHECK_ERR(removexattr(path_f, "user.b"), ENODATA, "removexattr of a missing name");
	CHECK_STR(names(path_f, 1), "user.a user.empty", "listxattr after the removal");
}

static void limits(void)
{
	char name[300], *big = calloc(1, 70000), buf[1100];

	strcpy(name, "user.");
	memset(name + 5, 'n', 250);
	name[255] = 0;
	CHECK_EQ(setxattr(path_f, name, "v", 1, 0), 0, "a name of 255 bytes");
	CHECK_EQ(getxattr(path_f, name, buf, sizeof(buf)), 1, "a name of 255 bytes reads back");
	CHECK_EQ(removexattr(path_f, name), 0, "a name of 255 bytes is removed");
	name[255] = 'n';
	name[256] = 0;
	CHECK_ERR(setxattr(path_f, name, "v", 1, 0), ERANGE, "setxattr: a name of 256 bytes");
	CHECK_ERR(getxattr(path_f, name, buf, sizeof(buf)), ERANGE,
		  "getxattr: a name of 256 bytes");
	CHECK_ERR(removexattr(path_f, name), ERANGE, "removexattr: a name of 256 bytes");
	CHECK_ERR(setxattr(path_f, "", "v", 1, 0), ERANGE, "setxattr: an empty name");
	CHECK_ERR(getxattr(path_f, "", buf, sizeof(buf)), ERANGE, "getxattr: an empty name");
	CHECK_ERR(setxattr(path_f, "user.big", big, 65537, 0), E2BIG, "a value over 64 KiB");
	memset(big, 'v', 1000);
	CHECK_EQ(setxattr(path_f, "user.k", big, 1000, 0), 0, "a value of 1000 bytes");
	CHECK(getxattr(path_f, "user.k", buf, sizeof(buf)) == 1000 && !memcmp(buf, big, 1000),
	      "the 1000 bytes read back");
	CHECK_EQ(removexattr(path_f, "user.k"), 0, "the 1000 bytes removed");
	free(big);
}

static void namespaces(void)
{
	char buf[16];
	int r;

	CHECK_ERR(setxattr(path_f, "foo.bar", "v", 1, 0), EOPNOTSUPP,
		  "setxattr: an unknown namespace");
	CHECK_ERR(getxattr(path_f, "foo.bar", buf, sizeof(buf)), EOPNOTSUPP,
		  "getxattr: an unknown namespace");
	CHECK_ERR(removexattr(path_f, "foo.bar"), EOPNOTSUPP, "removexattr: an unknown namespace");
	CHECK_ERR(setxattr(path_f, "nodot", "v", 1, 0), EOPNOTSUPP,
		  "setxattr: a name without a namespace");
	CHECK_ERR(setxattr(path_f, "user.", "v", 1, 0), EINVAL, "setxattr: user. alone");
	CHECK_ERR(getxattr(path_f, "user.", buf, sizeof(buf)), EINVAL, "getxattr: user. alone");
	/* trusted.* needs privilege: round trip as root, EPERM without */
	r = setxattr(path_f, "trusted.t", "tv", 2, 0);
	CHECK((r == 0 && !strcmp(value(path_f, "trusted.t"), "tv") &&
	       removexattr(path_f, "trusted.t") == 0) ||
		      (r < 0 && errno == EPERM),
	      "trusted.t: a round trip (or EPERM unprivileged)");
}

static void file_types(void)
{
	char buf[16];

	CHECK_EQ(setxattr(path_d, "user.d", "dir", 3, 0), 0, "setxattr user.* on a directory");
	CHECK_STR(value(path_d, "user.d"), "dir", "getxattr on a directory");
	CHECK_STR(names(path_d, 1), "user.d", "listxattr on a directory");
	CHECK_ERR(lsetxattr(path_l, "user.x", "v", 1, 0), EPERM, "lsetxattr user.* on a symlink");
	CHECK_ERR(lgetxattr(path_l, "user.x", buf, sizeof(buf)), ENODATA,
		  "lgetxattr user.* on a symlink");
	CHECK_ERR(lremovexattr(path_l, "user.x"), EPERM, "lremovexattr user.* on a symlink");
	CHECK_STR(names(path_l, 0), "", "llistxattr on a symlink: nothing");
	CHECK_EQ(setxattr(path_l, "user.via", "link", 4, 0), 0, "setxattr through a symlink");
	CHECK_STR(value(path_f, "user.via"), "link", "reaches the file it names");
	CHECK_EQ(lgetxattr(path_l, "user.via", buf, sizeof(buf)) < 0 && errno == ENODATA, 1,
		 "lgetxattr does not follow the symlink");
	CHECK_STR(names(path_l, 1), "user.a user.empty user.via", "listxattr follows the symlink");
	CHECK_ERR(setxattr(path_p, "user.x", "v", 1, 0), EPERM, "setxattr user.* on a fifo");
	CHECK_ERR(getxattr(path_p, "user.x", buf, sizeof(buf)), ENODATA,
		  "getxattr user.* on a fifo");
	CHECK_ERR(setxattr("/dev/null", "user.x", "v", 1, 0), EPERM,
		  "setxattr user.* on /dev/null");
	CHECK_ERR(getxattr("/dev/null", "user.x", buf, sizeof(buf)), ENODATA,
		  "getxattr user.* on /dev/null");
	CHECK_ERR(setxattr("/proc/self/status", "user.x", "v", 1, 0), EOPNOTSUPP,
		  "setxattr on procfs");
	CHECK_ERR(getxattr("/proc/self/status", "user.x", buf, sizeof(buf)), EOPNOTSUPP,
		  "getxattr on procfs");
	CHECK_EQ(listxattr("/proc/self/status", buf, sizeof(buf)), 0, "listxattr on procfs: empty");
}

static void descriptors(void)
{
	char buf[64];
	int fd = open(path_f, O_RDONLY);

	CHECK(fd >= 0, "open the file");
	CHECK_EQ(fsetxattr(fd, "user.fd", "byfd", 4, 0), 0, "fsetxattr");
	CHECK_EQ(fgetxattr(fd, "user.fd", buf, sizeof(buf)), 4, "fgetxattr");
	CHECK_STR(value(path_f, "user.fd"), "byfd", "fsetxattr's value by path");
	CHECK_EQ(flistxattr(fd, buf, sizeof(buf)), 35, "flistxattr's length");
	CHECK_EQ(fremovexattr(fd, "user.fd"), 0, "fremovexattr");
	CHECK_ERR(fgetxattr(fd, "user.fd", buf, sizeof(buf)), ENODATA, "fgetxattr after it");
	CHECK_ERR(fremovexattr(fd, "user.fd"), ENODATA, "fremovexattr of a missing name");
	close(fd);
	CHECK_ERR(fgetxattr(fd, "user.a", buf, sizeof(buf)), EBADF, "fgetxattr on a closed fd");
	CHECK_ERR(fsetxattr(fd, "user.a", "v", 1, 0), EBADF, "fsetxattr on a closed fd");
	CHECK_ERR(flistxattr(fd, buf, sizeof(buf)), EBADF, "flistxattr on a closed fd");
	CHECK_ERR(fremovexattr(fd, "user.a"), EBADF, "fremovexattr on a closed fd");
}

static void bad_arguments(void)
{
	char buf[64];

	CHECK_ERR(getxattr("/nonexistent/x", "user.a", buf, sizeof(buf)), ENOENT,
		  "getxattr: no such file");
	CHECK_ERR(setxattr("/nonexistent/x", "user.a", "v", 1, 0), ENOENT,
		  "setxattr: no such file");
	CHECK_ERR(getxattr(BAD, "user.a", buf, sizeof(buf)), EFAULT, "getxattr: a bad path");
	CHECK_ERR(getxattr(path_f, BAD, buf, sizeof(buf)), EFAULT, "getxattr: a bad name");
	CHECK_ERR(getxattr(path_f, "user.a", BAD, sizeof(buf)), EFAULT, "getxattr: a bad buffer");
	CHECK_ERR(setxattr(path_f, BAD, "v", 1, 0), EFAULT, "setxattr: a bad name");
	CHECK_ERR(setxattr(path_f, "user.a", BAD, 8, 0), EFAULT, "setxattr: a bad value");
	CHECK_ERR(listxattr(path_f, BAD, sizeof(buf)), EFAULT, "listxattr: a bad buffer");
	CHECK_ERR(removexattr(path_f, BAD), EFAULT, "removexattr: a bad name");
	CHECK_STR(value(path_f, "user.a"), "world!", "the value is untouched");
}

int main(void)
{
	const char *tmp;
	int fd;

	check_start();
	tmp = check_tmpdir();
	snprintf(path_f, sizeof(path_f), "%s/file", tmp);
	snprintf(path_d, sizeof(path_d), "%s/dir", tmp);
	snprintf(path_l, sizeof(path_l), "%s/link", tmp);
	snprintf(path_p, sizeof(path_p), "%s/fifo", tmp);
	fd = open(path_f, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && write(fd, "data", 4) == 4 && close(fd) == 0, "create the file");
	CHECK_EQ(mkdir(path_d, 0755), 0, "create the directory");
	CHECK_EQ(symlink(path_f, path_l), 0, "create the symlink");
	CHECK_EQ(mkfifo(path_p, 0644), 0, "create the fifo");
	if (setxattr(path_f, "user.probe", "", 0, 0) < 0 && errno == EOPNOTSUPP) {
		printf("user.* attributes are not supported in /tmp here: nothing more to check\n");
	} else {
		CHECK_EQ(removexattr(path_f, "user.probe"), 0, "user.* attributes in /tmp");
		basics();
		limits();
		namespaces();
		file_types();
		descriptors();
		bad_arguments();
	}
	CHECK_EQ(check_rmtree(tmp), 0, "remove the scratch directory");
	return check_done();
}
