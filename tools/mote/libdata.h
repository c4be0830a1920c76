/* libdata.h: the host files some shared libraries read at run time (a TLS library's CA
 * certificates), added to an image that holds the library. */
#ifndef MOTE_TOOLS_LIBDATA_H
#define MOTE_TOOLS_LIBDATA_H

#include <stddef.h>

struct fileset;
struct lines;

/* For every library of the table (libdata.c) that fs holds, adds the host files it reads, as
 * far as the host has them, with a line in notes for each kind ("OpenSSL's configuration and
 * CA certificates: 3 files", for -v). Returns 0, or -errno with the reason in err. */
int libdata_add(struct fileset *fs, struct lines *notes, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif /* MOTE_TOOLS_LIBDATA_H */
