/* initrd_gzip.c: decompress a gzip initrd at boot. The output size comes from the trailer's
 * ISIZE when it is plausible (one member, no padding after it: what gzip writes); otherwise,
 * or if the output turns out larger, the buffer is guessed and doubled until it fits. The
 * buffer is one run of pages (file contents point into it, executables map from it in place,
 * so it must be page-aligned and contiguous), its unused tail is freed. */
#include "fs/initrd_gzip.h"
#include "arch/x86_64/layout.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/gzip.h"
#include "lib/inflate.h"
#include "lib/printf.h"

#define MAX_RATIO 1032 /* DEFLATE's best: a 258-byte match from 2 bits, about 1032:1 */
#define GUESS_RATIO 4  /* when the trailer gives no usable size: typical for binaries */

/* The first buffer size to try: ISIZE if plausible (at least half the input: even stored
 * data is not much smaller; at most limit), else a typical ratio's worth. */
static uint64_t first_guess(const uint8_t *in, size_t inlen, uint64_t limit)
{
	uint64_t hint = gzip_size_hint(in, inlen);

	if (hint >= inlen / 2 && hint <= limit)
		return hint;
	return MIN((uint64_t)inlen * GUESS_RATIO, limit);
}

int initrd_gunzip(const uint8_t *in, size_t inlen, const uint8_t **out, size_t *outlen, char *err,
		  size_t errlen)
{
	uint64_t t0 = time_ns(), most = (uint64_t)inlen * MAX_RATIO + PAGE_SIZE;
	uint64_t free, limit, cap = 0, pages, used, ns;
	struct inflate *s = kmalloc(sizeof(*s));
	const char *why = NULL;
	uint8_t *buf;
	size_t n = 0;
	int r;

	if (!s) {
		snprintf(err, errlen, "gzip: out of memory for the decoder");
		return -ENOMEM;
	}
	for (;;) {
		/* the largest buffer there is room for, now (other CPUs allocate too) */
		free = page_max_pages() * PAGE_SIZE;
		limit = MIN(most, free);
		cap = cap ? MIN(cap, limit) : first_guess(in, inlen, limit);
		pages = MAX(1, ALIGN_UP(cap, PAGE_SIZE) / PAGE_SIZE);
		buf = page_alloc_pages(pages);
		if (!buf) {
			snprintf(err, errlen, "gzip: no run of %lu MiB of free memory for it",
				 (unsigned long)(cap >> 20) + 1);
			r = -ENOMEM;
			goto err_free_state;
		}
		r = gzip_decompress(s, in, inlen, buf, pages * PAGE_SIZE, &n, &why);
		if (!r)
			break;
		page_free_pages(buf, pages);
		if (r != -ENOSPC) {
			snprintf(err, errlen, "gzip: %s", why);
			goto err_free_state;
		}
		if (cap >= limit) {
			if (limit < most)
				snprintf(err, errlen,
					 "gzip: larger than the %lu MiB of free memory once "
					 "decompressed (give the VM more memory, or use an "
					 "uncompressed initrd)",
					 (unsigned long)(free >> 20));
			else
				snprintf(err, errlen,
					 "gzip: decompresses to more than DEFLATE can");
			r = -ENOMEM;
			goto err_free_state;
		}
		cap *= 2;
	}
	kfree(s);
	/* the tail the output did not need, and the compressed initrd, are free memory now */
	used = ALIGN_UP(n, PAGE_SIZE) / PAGE_SIZE;
	if (used < pages)
		page_free_pages(buf + used * PAGE_SIZE, pages - used);
	page_release_initrd();
	ns = time_ns() - t0;
	printk(LOG_INFO, "mote: gzip initrd: %lu KiB -> %lu KiB in %lu us (%lu MB/s)\n",
	       (unsigned long)inlen >> 10, (unsigned long)n >> 10, ns / 1000,
	       ns ? (unsigned long)(n * 1000 / ns) : 0UL);
	*out = buf;
	*outlen = n;
	return 0;

err_free_state:
	kfree(s);
	return r;
}
