/* hash.h: the hashes of ext4's hashed (htree) directories (the kernel's
 * Documentation/filesystems/ext4/directory.rst): legacy, half_md4 and tea, each reading a
 * name's bytes as signed or unsigned chars. Pure code: no kernel state. */
#ifndef MOTE_FS_EXT4_HASH_H
#define MOTE_FS_EXT4_HASH_H

#include "lib/types.h"

/* Hash versions: dx_root's hash_version (0..2), plus 3 when the superblock's s_flags say
 * names hash as unsigned chars (EXT4_FLAGS_UNSIGNED_HASH). */
#define EXT4_HASH_LEGACY 0
#define EXT4_HASH_HALF_MD4 1
#define EXT4_HASH_TEA 2
#define EXT4_HASH_UNSIGNED 3 /* added to one of the three */
#define EXT4_HASH_MAX 5

/* s_flags */
#define EXT4_FLAGS_SIGNED_HASH 0x1
#define EXT4_FLAGS_UNSIGNED_HASH 0x2

/* The last hash value: no name hashes to it (it stands for "past the end" in readdir). */
#define EXT4_HASH_EOF 0xfffffffeu

/*
 * Hash name (len bytes) with hash version version (0..5) and seed (the superblock's
 * s_hash_seed; all zero means the algorithms' default seed): *major (its low bit always
 * clear: the index uses it to mark collisions, and never EXT4_HASH_EOF) and *minor (0 for
 * legacy). 0, or -EINVAL for an unknown version.
 */
int ext4_hash(unsigned version, const uint32_t seed[4], const char *name, size_t len,
	      uint32_t *major, uint32_t *minor) __must_check;

#endif /* MOTE_FS_EXT4_HASH_H */
