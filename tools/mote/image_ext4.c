/* image_ext4.c: writing Mote images as ext4 root file systems and reading their manifests. */
#include "image_ext4.h"
#include "errmsg.h"
#include "fileset.h"
#include "hosttool.h"
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXT4_MAGIC_OFFSET 1080 /* the superblock at 1024, its s_magic at 0x38 */
#define ROOM (24ull << 20)     /* journal and free space beyond the files */
#define MANIFEST_MAX (64 << 10)

static int copy_to(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, ret = 0;
	struct stat st;

	if (in < 0 || fstat(in, &st) < 0)
		ret = -errno;
	if (!ret && (out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
		ret = -errno;
	for (off_t off = 0; !ret && off < st.st_size;) {
		ssize_t n = sendfile(out, in, &off, (size_t)(st.st_size - off));

		if (n <= 0)
			ret = n < 0 ? -errno : -EIO;
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !ret)
		ret = -errno;
	return ret;
}

static int write_data(const char *dst, const void *data, size_t len, mode_t mode)
{
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		ret = -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

/* Entry e under the staging directory stage; directories made writable for now (their
 * modes are set once everything is in). Adds the bytes it will take to *bytes. */
static int stage_entry(const char *stage, const struct fs_entry *e, uint64_t *bytes)
{
	char dst[PATH_MAX];
	struct timespec times[2];
	int ret = 0;

	if (snprintf(dst, sizeof(dst), "%s%s", stage, e->path) >= (int)sizeof(dst))
		return -ENAMETOOLONG;
	*bytes += 4096;
	switch (e->type) {
	case FS_DIR:
		if (strcmp(e->path, "/") && mkdir(dst, 0700) < 0 && errno != EEXIST)
			ret = -errno;
		return ret;
	case FS_SYMLINK:
		return symlink(e->target, dst) < 0 ? -errno : 0;
	case FS_FILE:
		ret = e->source ? copy_to(e->source, dst, e->mode & 07777)
				: write_data(dst, e->data, e->size, e->mode & 07777);
		*bytes += (e->size + 4095) & ~4095ull;
		break;
	}
	if (!ret && chmod(dst, e->mode & 07777) < 0)
		ret = -errno;
	times[0].tv_sec = times[1].tv_sec = e->mtime;
	times[0].tv_nsec = times[1].tv_nsec = 0;
	if (!ret && utimensat(AT_FDCWD, dst, times, AT_SYMLINK_NOFOLLOW) < 0)
		ret = -errno;
	return ret;
}

static int make_writable(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D && (st->st_mode & 0700) != 0700)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The staging tree, whatever modes its directories were given (a 0555 one included). */
static void remove_tree(const char *dir)
{
	nftw(dir, make_writable, 32, FTW_PHYS);
	nftw(dir, remove_one, 32, FTW_DEPTH | FTW_PHYS);
}

/* stage + rel into buf (PATH_MAX bytes); false when too long. */
static bool at(char *buf, const char *stage, const char *rel)
{
	return snprintf(buf, PATH_MAX, "%s%s", stage, rel) < PATH_MAX;
}

/* Fill stage with fs, the manifest and the mount points; *bytes what the files take. */
static int stage_all(const char *stage, const struct fileset *fs, const struct image_manifest *m,
		     uint64_t *bytes, char *err, size_t errlen)
{
	static const char *const mountpoints[] = { "/dev", "/proc", "/sys", "/tmp" };
	char path[PATH_MAX], *json;
	int ret;

	for (size_t i = 0; i < fs->n; i++) {
		ret = stage_entry(stage, &fs->v[i], bytes);
		if (ret < 0)
			return errmsg(err, errlen, ret, "%s: %s", fs->v[i].path, strerror(-ret));
	}
	for (size_t i = 0; i < sizeof(mountpoints) / sizeof(mountpoints[0]); i++) {
		if (!at(path, stage, mountpoints[i]))
			return errmsg(err, errlen, -ENAMETOOLONG, "%s: path too long", stage);
		if (!fileset_find(fs, mountpoints[i]) && mkdir(path, 0755) < 0 && errno != EEXIST)
			return errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
	}
	if (!fileset_find(fs, "/tmp") && at(path, stage, "/tmp"))
		chmod(path, 01777);
	if (!at(path, stage, "/.mote") || (mkdir(path, 0755) < 0 && errno != EEXIST))
		return errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
	json = image_manifest_json(m);
	if (!json)
		return errmsg(err, errlen, -ENOMEM, "out of memory");
	ret = at(path, stage, "/" IMAGE_MANIFEST) ? write_data(path, json, strlen(json), 0644)
						  : -ENAMETOOLONG;
	free(json);
	if (ret < 0)
		return errmsg(err, errlen, ret, "%s: %s", path, strerror(-ret));
	/* the directories' own modes last, deepest first, so that a read-only one was filled */
	for (size_t i = fs->n; i-- > 0;) {
		if (fs->v[i].type != FS_DIR)
			continue;
		if (!at(path, stage, fs->v[i].path) || chmod(path, fs->v[i].mode & 07777) < 0)
			return errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
	}
	return 0;
}

/* mkfs.ext4 -d stage into a new file tmp of size bytes. */
static int make_fs(const char *stage, const char *tmp, uint64_t size, char *err, size_t errlen)
{
	char mkfs[PATH_MAX], sizebuf[32];
	char *argv[] = {
		mkfs, "-q",	   "-F", "-b",		"4096",	     "-E",    "root_owner=0:0",
		"-L", "mote-root", "-d", (char *)stage, (char *)tmp, sizebuf, NULL
	};
	int fd;

	if (!hosttool_find("mkfs.ext4", mkfs, sizeof(mkfs)))
		return errmsg(err, errlen, -ENOENT,
			      "mkfs.ext4 not found (Debian package e2fsprogs)");
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return errmsg(err, errlen, -e, "%s: %s", tmp, strerror(e));
	}
	close(fd);
	snprintf(sizebuf, sizeof(sizebuf), "%lluk", (unsigned long long)(size >> 10));
	if (hosttool_run(argv) != 0)
		return errmsg(err, errlen, -EIO, "mkfs.ext4 -d failed for %s", tmp);
	return 0;
}

int image_ext4_write(const struct fileset *fs, const struct image_manifest *m, const char *path,
		     char *err, size_t errlen)
{
	char stage[PATH_MAX], tmp[PATH_MAX], dir[PATH_MAX];
	uint64_t bytes = 0, size;
	int ret;

	snprintf(dir, sizeof(dir), "%s", path);
	if (snprintf(stage, sizeof(stage), "%s/.mote-stage-XXXXXX", dirname(dir)) >=
		    (int)sizeof(stage) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return errmsg(err, errlen, -ENAMETOOLONG, "%s: path too long", path);
	if (!mkdtemp(stage))
		return errmsg(err, errlen, -errno, "%s: cannot stage: %s", stage, strerror(errno));
	ret = stage_all(stage, fs, m, &bytes, err, errlen);
	size = ((bytes + bytes / 4 + ROOM) + (1 << 20) - 1) & ~((1ull << 20) - 1);
	if (!ret)
		ret = make_fs(stage, tmp, size, err, errlen);
	remove_tree(stage);
	if (!ret && rename(tmp, path) < 0)
		ret = errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
	return ret;
}

bool image_ext4_is(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t magic[2];
	bool is;

	if (fd < 0)
		return false;
	is = pread(fd, magic, 2, EXT4_MAGIC_OFFSET) == 2 && magic[0] == 0x53 && magic[1] == 0xef;
	close(fd);
	return is;
}

int image_ext4_manifest(const char *path, struct image_manifest *m, char *err, size_t errlen)
{
	char debugfs[PATH_MAX], *text;
	char *argv[] = { debugfs, "-R", "cat /" IMAGE_MANIFEST, (char *)path, NULL };
	long n;
	int ret;

	memset(m, 0, sizeof(*m));
	if (!hosttool_find("debugfs", debugfs, sizeof(debugfs)))
		return errmsg(err, errlen, -ENOENT, "debugfs not found (Debian package e2fsprogs)");
	text = malloc(MANIFEST_MAX);
	if (!text)
		return errmsg(err, errlen, -ENOMEM, "out of memory");
	n = hosttool_output(argv, text, MANIFEST_MAX);
	if (n <= 0) {
		free(text);
		return errmsg(err, errlen, -EINVAL,
			      "%s: an ext4 file system, but not a Mote image (no /%s)", path,
			      IMAGE_MANIFEST);
	}
	ret = image_manifest_parse(text, (size_t)n, m, err, errlen);
	free(text);
	return ret;
}
