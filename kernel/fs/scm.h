/* scm.h: files passed along a byte stream (SCM_RIGHTS on AF_UNIX stream sockets). A channel is
 * one direction of a socketpair: it counts the bytes written into it and read out of it, and
 * queues batches of files, each attached to the bytes of the write it was sent with. As on
 * Linux, a receive reads no further than the end of the first such write it reaches, and takes
 * its files if it reads its first byte; bytes read past a batch by a plain read drop it (its
 * files are closed). */
#ifndef MOTE_FS_SCM_H
#define MOTE_FS_SCM_H

#include "lib/types.h"

#define SCM_MAX_FDS 253 /* Linux's SCM_MAX_FD */

struct file;
struct scm_chan;

/* Files sent together: attached to the bytes of the write they went with. */
struct scm_batch {
	struct scm_batch *next;
	uint64_t at, end; /* the stream positions of that write's first byte, and after it */
	uint64_t from;	  /* while a receive holds it: where that receive started reading */
	int n;
	struct file *files[SCM_MAX_FDS];
};

/* A new channel with two references (one per end), or NULL. */
struct scm_chan *scm_chan_new(void);
/* Drop a reference; the last closes the files still queued. */
void scm_chan_put(struct scm_chan *c);
/* n bytes were written into c / read out of c. */
void scm_wrote(struct scm_chan *c, size_t n);
void scm_read(struct scm_chan *c, size_t n);
/* Queue files (the references are taken over) with the write about to be made; then
 * scm_sent with what that write sent (0: nothing, and the files are closed). */
void scm_attach(struct scm_chan *c, struct file **files, int n);
void scm_sent(struct scm_chan *c, size_t sent);
/* Before a receive: *want cut so that it reads no further than the end of the first batch
 * ahead, which is taken off the queue for it (NULL: none ahead). After the receive of got
 * bytes, scm_after_read: true if it read the batch's first byte (its files are then the
 * caller's to install or put, and b is kfree'd by the caller); false: b is queued again. */
struct scm_batch *scm_before_read(struct scm_chan *c, size_t *want);
bool scm_after_read(struct scm_chan *c, struct scm_batch *b, ssize_t got);

#endif /* MOTE_FS_SCM_H */
