/* image.c: writing and opening Mote images (cpio newc with a JSON manifest first). */
#include "image.h"
#include "errmsg.h"

#include "cpio.h"
#include "fileset.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096u
#define ALIGN_MIN_SIZE (64u << 10) /* files of 64 KiB and more start on a page */

char *image_manifest_json(const struct image_manifest *m)
{
	json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:{s:i, s:i}}", "format", IMAGE_FORMAT,
			      "version", IMAGE_VERSION, "cmdline", m->cmdline, "program",
			      m->program, "created_by", m->created_by, "machine", "vcpu_count",
			      (int)m->vcpu_count, "mem_size_mib", (int)m->mem_size_mib);
	char *s;

	if (!o)
		return NULL;
	s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

static void write_blob(struct cpio_writer *w, const char *name, uint32_t mode, const void *data,
		       size_t len)
{
	struct cpio_meta meta = { .mode = mode };

	cpio_write_header(w, name, &meta, len);
	cpio_write_data(w, data, len);
	cpio_end_data(w, len);
}

static bool is_elf(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4);
	close(fd);
	return ok;
}

/* Inserts a padding entry so that the data of the entry `name` starts on a page. */
static void align_next(struct cpio_writer *w, const char *name)
{
	uint64_t d = cpio_data_offset(w, name);
	struct cpio_meta meta = { .mode = 0100000 };
	uint64_t pad_hdr, fill;
	static const char zeros[PAGE];
	char pad[32];

	if (d % PAGE == 0)
		return;
	/* unique names, so that `cpio -i` unpacks an image without complaint */
	snprintf(pad, sizeof(pad), "%s%u", IMAGE_PAD_DIR, w->next_ino);
	pad_hdr = cpio_data_offset(w, pad) - w->offset;
	fill = (PAGE - (d + pad_hdr) % PAGE) % PAGE;
	cpio_write_header(w, pad, &meta, fill);
	cpio_write_data(w, zeros, fill);
	cpio_end_data(w, fill);
}

static int copy_file(struct cpio_writer *w, const struct fs_entry *e, char *err, size_t errlen)
{
	char buf[65536];
	uint64_t left = e->size;
	int fd = open(e->source, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errmsg(err, errlen, -errno, "%s: %s", e->source, strerror(errno));
	while (left) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (n <= 0) {
			close(fd);
			return errmsg(err, errlen, n < 0 ? -errno : -EIO,
				      "%s: changed or unreadable while packing", e->source);
		}
		cpio_write_data(w, buf, n);
		left -= n;
	}
	close(fd);
	cpio_end_data(w, e->size);
	return 0;
}

static int write_entry(struct cpio_writer *w, const struct fs_entry *e, char *err, size_t errlen)
{
	struct cpio_meta meta = { .mtime = e->mtime > 0 ? (uint32_t)e->mtime : 0 };
	const char *name = e->path[1] ? e->path + 1 : "."; /* cpio names are relative */

	switch (e->type) {
	case FS_DIR:
		meta.mode = 0040000 | e->mode;
		cpio_write_header(w, name, &meta, 0);
		return 0;
	case FS_SYMLINK:
		meta.mode = 0120000 | 0777;
		write_blob(w, name, meta.mode, e->target, strlen(e->target));
		return 0;
	case FS_FILE:
		meta.mode = 0100000 | e->mode;
		if (!e->source) {
			write_blob(w, name, meta.mode, e->data, e->size);
			return 0;
		}
		/* on a page, the kernel maps the data in place: an ELF's segments, and a large
		 * file's pages (a JVM's lib/modules, a database) for read() and mmap without a
		 * copy; a small file is not worth the padding */
		if (e->size >= ALIGN_MIN_SIZE || is_elf(e->source))
			align_next(w, name);
		cpio_write_header(w, name, &meta, e->size);
		return copy_file(w, e, err, errlen);
	}
	return 0;
}

static int write_all(FILE *f, const struct fileset *fs, const struct image_manifest *m,
		     uint64_t hash[2], char *err, size_t errlen)
{
	struct cpio_writer w;
	struct progress p;
	char *json = image_manifest_json(m);
	uint64_t total = 0;
	int ret;

	if (!json)
		return errmsg(err, errlen, -ENOMEM, "out of memory");
	ret = cpio_writer_init(&w, f);
	if (ret < 0) {
		free(json);
		return errmsg(err, errlen, ret, "out of memory");
	}
	/* directories first, so that a Linux initramfs unpacker can create what follows */
	cpio_write_header(&w, ".mote", &(struct cpio_meta){ .mode = 0040755 }, 0);
	cpio_write_header(&w, ".mote/pad", &(struct cpio_meta){ .mode = 0040755 }, 0);
	write_blob(&w, IMAGE_MANIFEST, 0100644, json, strlen(json));
	free(json);
	for (size_t i = 0; i < fs->n; i++)
		total += fs->v[i].type == FS_FILE ? fs->v[i].size : 0;
	progress_start(&p, "building image", fs->n, total);
	for (size_t i = 0; i < fs->n && ret == 0; i++) {
		ret = write_entry(&w, &fs->v[i], err, errlen);
		progress_step(&p, fs->v[i].type == FS_FILE ? fs->v[i].size : 0);
	}
	progress_end(&p, ret == 0);
	if (ret < 0) {
		cpio_writer_abort(&w);
		return ret;
	}
	ret = cpio_writer_finish(&w, hash);
	if (ret == -EFBIG)
		return errmsg(err, errlen, ret, "a file is larger than the 4 GiB cpio newc allows");
	if (ret < 0)
		return errmsg(err, errlen, ret, "write: %s", strerror(-ret));
	return 0;
}

/* mkstemp makes 0600 files; an image gets the mode a plain creat() would give it. */
static int set_default_mode(const char *path)
{
	mode_t mask = umask(0);

	umask(mask);
	return chmod(path, 0666 & ~mask);
}

int image_write(const struct fileset *fs, const struct image_manifest *m, const char *path,
		bool durable, uint64_t hash[2], char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return errmsg(err, errlen, -ENAMETOOLONG, "%s: path too long", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return errmsg(err, errlen, -errno, "%s: cannot create: %s", path, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		ret = errmsg(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto err_unlink;
	}
	ret = write_all(f, fs, m, hash, err, errlen);
	if (ret == 0 && durable && fsync(fd) < 0)
		ret = errmsg(err, errlen, -errno, "%s: fsync: %s", tmp, strerror(errno));
	if (fclose(f) != 0 && ret == 0)
		ret = errmsg(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	if (ret == 0 && set_default_mode(tmp) < 0)
		ret = errmsg(err, errlen, -errno, "%s: chmod: %s", tmp, strerror(errno));
	if (ret == 0 && rename(tmp, path) < 0)
		ret = errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (ret == 0)
		return 0;
err_unlink:
	unlink(tmp);
	return ret;
}

void image_manifest_free(struct image_manifest *m)
{
	free(m->cmdline);
	free(m->program);
	free(m->created_by);
	memset(m, 0, sizeof(*m));
}

int image_manifest_parse(const char *text, size_t len, struct image_manifest *m, char *err,
			 size_t errlen)
{
	json_error_t jerr;
	json_t *o = json_loadb(text, len, 0, &jerr);
	const char *format = NULL, *cmdline = NULL, *program = NULL, *by = "";
	int vcpus = 1, mem = 128;

	if (!o)
		return errmsg(err, errlen, -EINVAL, "bad manifest: %s", jerr.text);
	if (json_unpack_ex(o, &jerr, 0, "{s:s, s:i, s:s, s:s, s?s, s?{s?i, s?i}}", "format",
			   &format, "version", &m->version, "cmdline", &cmdline, "program",
			   &program, "created_by", &by, "machine", "vcpu_count", &vcpus,
			   "mem_size_mib", &mem) < 0) {
		json_decref(o);
		return errmsg(err, errlen, -EINVAL, "bad manifest: %s", jerr.text);
	}
	if (strcmp(format, IMAGE_FORMAT) != 0 || m->version != IMAGE_VERSION) {
		json_decref(o);
		return errmsg(err, errlen, -EINVAL, "format %s version %d (this mote reads %s %d)",
			      format, m->version, IMAGE_FORMAT, IMAGE_VERSION);
	}
	m->cmdline = strdup(cmdline);
	m->program = strdup(program);
	m->created_by = strdup(by);
	m->vcpu_count = vcpus;
	m->mem_size_mib = mem;
	json_decref(o);
	if (!m->cmdline || !m->program || !m->created_by) {
		image_manifest_free(m);
		return errmsg(err, errlen, -ENOMEM, "out of memory");
	}
	return 0;
}

struct first_entry {
	const struct cpio_entry *seen;
	struct cpio_entry copy;
};

static int take_first(const struct cpio_entry *e, void *arg)
{
	struct first_entry *f = arg;

	if ((e->mode & 0170000) == 0040000 && !strncmp(e->name, ".mote", 5))
		return 0; /* the .mote directories that precede the manifest */
	f->copy = *e;
	f->seen = &f->copy;
	return 1; /* stop at the first file */
}

int image_open(const char *path, struct image *im, char *err, size_t errlen)
{
	struct first_entry first = { 0 };
	struct stat st;
	void *map;
	int fd, ret;

	memset(im, 0, sizeof(*im));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return errmsg(err, errlen, -EINVAL, "%s: not an image (not a non-empty file)",
			      path);
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return errmsg(err, errlen, -errno, "%s: mmap: %s", path, strerror(errno));
	im->data = map;
	im->size = st.st_size;
	ret = cpio_walk(im->data, im->size, take_first, &first);
	if (ret < 0 || !first.seen || strcmp(first.seen->name, IMAGE_MANIFEST) != 0) {
		image_close(im);
		return errmsg(err, errlen, -EINVAL, "%s: not a Mote image (no %s at its start)",
			      path, IMAGE_MANIFEST);
	}
	ret = image_manifest_parse((const char *)first.seen->data, first.seen->size, &im->manifest,
				   err, errlen);
	if (ret < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		image_close(im);
		return errmsg(err, errlen, ret, "%s: %s", path, why);
	}
	return 0;
}

void image_close(struct image *im)
{
	if (im->data)
		munmap((void *)im->data, im->size);
	image_manifest_free(&im->manifest);
	memset(im, 0, sizeof(*im));
}
