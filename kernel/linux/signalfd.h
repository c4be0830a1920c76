/* signalfd.h: signalfd (signalfd, signalfd4): a descriptor that reads the signals of a mask
 * pending for the reading thread, as 128-byte records, and polls readable while one is. */
#ifndef MOTE_LINUX_SIGNALFD_H
#define MOTE_LINUX_SIGNALFD_H

/* A signal was queued for a process that has read or polled a signalfd (its
 * sig.signalfd_used), or a mask changed: wake the blocked readers and pollers. signal.c calls
 * it with the process's sig.lock held (taken before the wait queue's lock); callable from
 * interrupt handlers. */
void signalfd_wake(void);

#endif /* MOTE_LINUX_SIGNALFD_H */
