/* initrd.h: the initrd (a cpio newc archive, or several back to back) becomes the root file
 * system. */
#ifndef MOTE_FS_INITRD_H
#define MOTE_FS_INITRD_H

#include "lib/types.h"

struct dentry;

/*
 * Add every entry of the archive buf[0, size) under root (a ramfs directory), keeping file
 * contents in place (buf must stay mapped and untouched for good). Entries under ".mote/"
 * are skipped. Returns the number of entries added, or -errno with a message in err.
 */
long initrd_unpack(struct dentry *root, const uint8_t *buf, size_t size, char *err, size_t errlen);

#endif /* MOTE_FS_INITRD_H */
