/* hosttree.h: host directory trees for an image: their size, bounded; added with parts left
 * out; the files their symlinks point to outside them. */
#ifndef MOTE_TOOLS_HOSTTREE_H
#define MOTE_TOOLS_HOSTTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fileset;
struct lines;

struct hosttree_size {
	uint64_t bytes; /* the regular files' sizes */
	size_t entries; /* files, directories and symlinks */
};

/*
 * Measures the tree at path (path itself followed if it is a symlink, nothing below it),
 * without the paths in out (NULL: none) and what is under them, into *sz. Stops once over
 * max_bytes or max_entries: returns true when the tree is within both.
 */
bool hosttree_measure(const char *path, const struct lines *out, uint64_t max_bytes,
		      size_t max_entries, struct hosttree_size *sz);

/*
 * Adds host path (a file, or a directory with everything below it) at the same guest path, as
 * fileset_add_mirror does, but without the paths in out and what is under them. Returns 0, or
 * -errno with the reason in fs->err.
 */
int hosttree_add(struct fileset *fs, const char *path, const struct lines *out)
	__attribute__((warn_unused_result));

/*
 * For each symlink among fs's entries from `first` on (and those this adds in turn) that points
 * at a path the image lacks: adds that path from the host (a directory with its contents, less
 * out), unless the host lacks it too, it is left out, or it is "/" or a pseudo file system's
 * (hosttree_pseudo). A tree that links to its configuration elsewhere (Debian's JAVA_HOME/conf
 * into /etc/java-17-openjdk) gets it so. Returns the count of paths added, or -errno with the
 * reason in fs->err.
 */
long hosttree_follow_links(struct fileset *fs, size_t first, const struct lines *out)
	__attribute__((warn_unused_result));

/* Is path dir itself or below it, by the names ("/usr/lib" is under "/usr" and "/")? */
bool hosttree_under(const char *path, const char *dir);

/* Is path in /proc, /sys, /dev or /run, whose files the guest kernel makes its own of? */
bool hosttree_pseudo(const char *path);

#endif /* MOTE_TOOLS_HOSTTREE_H */
