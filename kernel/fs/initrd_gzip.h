/* initrd_gzip.h: a gzip-compressed initrd, decompressed at boot into memory of its own. */
#ifndef MOTE_FS_INITRD_GZIP_H
#define MOTE_FS_INITRD_GZIP_H

#include "lib/types.h"

/*
 * Decompress the gzip initrd in[0, inlen) (see lib/gzip.h: members, padding) into newly
 * allocated page-aligned memory that stays for good, and give the compressed initrd's pages
 * back to the allocator (in is the boot initrd). Returns 0 with the archive in *out, *outlen,
 * or -errno with a message in err naming the problem ("gzip: bad CRC-32 ...").
 */
int initrd_gunzip(const uint8_t *in, size_t inlen, const uint8_t **out, size_t *outlen, char *err,
		  size_t errlen) __must_check;

#endif /* MOTE_FS_INITRD_GZIP_H */
