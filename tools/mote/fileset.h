/* fileset.h: the set of files, directories and symlinks that go into an image. */
#ifndef MOTE_TOOLS_FILESET_H
#define MOTE_TOOLS_FILESET_H

#include "pathindex.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum fs_type { FS_DIR, FS_FILE, FS_SYMLINK };

struct fs_entry {
	char *path; /* absolute guest path, normalised, no trailing slash ("/" for the root) */
	enum fs_type type;
	char *source;  /* FS_FILE: host file to copy, or NULL for data */
	char *data;    /* FS_FILE without a source: the contents (size bytes) */
	char *target;  /* FS_SYMLINK: link text */
	mode_t mode;   /* permission bits */
	uint64_t size; /* FS_FILE: bytes */
	int64_t mtime;
	/* identity of the host source, for the cache key */
	uint64_t dev, ino;
	int64_t mtime_ns, ctime_ns;
};

struct fileset {
	struct fs_entry *v;
	size_t n, cap;
	struct pathindex index; /* each entry by its path */
	char err[512];		/* the reason of the last failure */
};

void fileset_init(struct fileset *fs);
void fileset_free(struct fileset *fs);

/*
 * Adds host path `path` at the same path in the guest, reproducing every symlink met on the way
 * (so /lib64/ld-linux-x86-64.so.2 brings the /lib64 link, the link file and its target).
 * Directories are added with their whole contents when recursive is set, else empty.
 * Returns 0 or -errno with the reason in fs->err.
 */
int fileset_add_mirror(struct fileset *fs, const char *path, int recursive)
	__attribute__((warn_unused_result));

/*
 * Adds host path `host` (a file, or a directory with its contents) at guest path `guest`;
 * missing guest parent directories are created. Returns 0 or -errno (reason in fs->err).
 */
int fileset_add_as(struct fileset *fs, const char *host, const char *guest)
	__attribute__((warn_unused_result));

/* Adds a file whose contents come from host file `source` (not a mirror of its path). */
int fileset_add_file(struct fileset *fs, const char *guest, const char *source)
	__attribute__((warn_unused_result));

/* Adds a file with the given contents (copied) and permission bits. */
int fileset_add_data(struct fileset *fs, const char *guest, const void *data, size_t len,
		     mode_t mode) __attribute__((warn_unused_result));

const struct fs_entry *fileset_find(const struct fileset *fs, const char *guest);

/* Sorts the entries by path, so that every directory comes before what it holds. */
void fileset_sort(struct fileset *fs);

/* Normalises an absolute path in place: collapses "//", "/./" and "/../", drops a trailing "/". */
void path_normalise(char *p);

#endif /* MOTE_TOOLS_FILESET_H */
