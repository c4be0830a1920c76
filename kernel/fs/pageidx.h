/* pageidx.h: a sparse map from a file's page numbers to its pages (ramfs's data, memfds): a
 * radix tree of page-sized nodes of 512 slots, as deep as the highest page needs (three
 * levels hold 512 GiB). A hole costs nothing, and a large file needs no physically contiguous
 * memory beyond single pages. The caller serialises (the inode's lock). */
#ifndef MOTE_FS_PAGEIDX_H
#define MOTE_FS_PAGEIDX_H

#include "lib/types.h"

struct pageidx {
	void **root;	 /* a node, or NULL when empty */
	unsigned levels; /* 0: empty; n: the root covers 512^n pages */
};

/* The slot of page i (NULL or the page), made with the nodes on its way if alloc. NULL when
 * there is no such slot (not alloc) or no memory for a node. */
void **pageidx_slot(struct pageidx *px, uint64_t i, bool alloc);
/* Call fn on every slot holding a page, i >= from, in order. */
void pageidx_each(struct pageidx *px, uint64_t from, void (*fn)(void **slot, uint64_t i, void *arg),
		  void *arg);
/* Free the nodes (the pages in the slots are the caller's: free them first). */
void pageidx_free(struct pageidx *px);

#endif /* MOTE_FS_PAGEIDX_H */
