/* run.h: starting the program named on the kernel command line. */
#ifndef MOTE_LINUX_RUN_H
#define MOTE_LINUX_RUN_H

/* Mount the file systems, then start cmdline.argv as pid 1 on a new thread; the calling
 * (boot) thread then only waits. Never returns: the program's exit ends the VM. */
void linux_run(void) __attribute__((noreturn));

#endif /* MOTE_LINUX_RUN_H */
