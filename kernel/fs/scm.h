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

/* A batch taken off a channel for one receive. */
struct scm_due {
	struct file *files[SCM_MAX_FDS];
	int n;		  /* 0: none ahead */
	uint64_t at, end; /* its bytes' positions in the stream */
	size_t offset;	  /* how far ahead of the read position its first byte is */
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
/* Before a receive of up to want bytes: how many it may take, and the first batch ahead (if
 * any) taken off the queue into d. After it: scm_received says whether the receive got its
 * files (it read their first byte); if not, they are queued again. */
size_t scm_before_read(struct scm_chan *c, size_t want, struct scm_due *d);
bool scm_received(struct scm_chan *c, struct scm_due *d, ssize_t got);

#endif /* MOTE_FS_SCM_H */
