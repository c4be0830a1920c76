/* libdata.c: the host files some shared libraries read at run time (libdata.h). */
#include "libdata.h"
#include "errmsg.h"
#include "fileset.h"
#include "lines.h"

#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Debian's paths. OpenSSL reads its configuration and, to verify a peer, the CA bundle
 * (OPENSSLDIR's cert.pem) or the hashed directory (certs, a link to /etc/ssl/certs: only
 * the bundle goes in, not the 150 certificates it gathers); GnuTLS reads the bundle. */
static const struct {
	const char *const *libs; /* file name patterns */
	const char *what;
	const char *const *files;
} table[] = {
	{ LIST("libssl.so.*", "libcrypto.so.*"), "OpenSSL's configuration and CA certificates",
	  LIST("/usr/lib/ssl/openssl.cnf", "/usr/lib/ssl/cert.pem", "/usr/lib/ssl/certs") },
	{ LIST("libgnutls.so.*"), "GnuTLS's CA certificates",
	  LIST("/etc/ssl/certs/ca-certificates.crt") },
};

static bool holds(const struct fileset *fs, const char *const *libs)
{
	for (size_t i = 0; i < fs->n; i++) {
		const char *base = strrchr(fs->v[i].path, '/') + 1;

		for (const char *const *p = libs; *p; p++)
			if (fs->v[i].type == FS_FILE && !fnmatch(*p, base, 0))
				return true;
	}
	return false;
}

int libdata_add(struct fileset *fs, struct lines *notes, char *err, size_t errlen)
{
	struct stat st;

	for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
		int count = 0;

		if (!holds(fs, table[t].libs))
			continue;
		for (const char *const *f = table[t].files; *f; f++) {
			int ret;

			if (stat(*f, &st) < 0)
				continue;
			ret = fileset_add_mirror(fs, *f, 0);
			if (ret < 0)
				return errmsg(err, errlen, ret, "%s", fs->err);
			count++;
		}
		if (count && lines_add(notes, "%s: %d file%s", table[t].what, count,
				       count == 1 ? "" : "s") < 0)
			return errmsg(err, errlen, -ENOMEM, "out of memory");
	}
	return 0;
}
