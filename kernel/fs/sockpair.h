/* sockpair.h: socketpair(AF_UNIX, SOCK_STREAM): two connected ends, each reading one pipe and
 * writing the other (fs/pipe.c), so that data, end-of-data, EPIPE and poll behave as a pipe's
 * in each direction. */
#ifndef MOTE_FS_SOCKPAIR_H
#define MOTE_FS_SOCKPAIR_H

#include "lib/types.h"

struct file;
struct scm_chan;

/* The two ends (flags: O_NONBLOCK; O_CLOEXEC is the caller's). 0 or -ENOMEM. */
int sockpair_create(uint32_t flags, struct file **a, struct file **b) __must_check;
/* True if f is such an end. */
bool sockpair_is(const struct file *f);
/* The channel end f reads (out: writes), for passing files along it (scm.h). */
struct scm_chan *sockpair_chan(struct file *f, bool out);
/* shutdown: how 0 no more reading, 1 no more writing (the peer reads its end of data), 2
 * both. 0 or -EINVAL. */
int sockpair_shutdown(struct file *f, int how) __must_check;

#endif /* MOTE_FS_SOCKPAIR_H */
