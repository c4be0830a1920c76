/* relay.h: copying what QEMU writes into (unlinked) files to mote's own stdout and stderr
 * while it runs: QEMU's virtio console ports write to files, as a full pipe would make it drop
 * output. */
#ifndef MOTE_TOOLS_RELAY_H
#define MOTE_TOOLS_RELAY_H

#include <sys/types.h>

#define RELAY_MAX 4

/*
 * Copies each of the N files FROM[i] (appended to by the child) to descriptor TO[i] until
 * CHILD has exited and all of them is out: each read at its own offset, and the copied part
 * punched out so that a file never holds more than what is in flight. Woken by inotify when
 * a file grows (else every 10 ms). When a TO end goes away (EPIPE), GONE is called once (it
 * ends the child) and that file's output is dropped from then on. Returns the child's wait
 * status, or -1.
 */
int relay_until_exit(pid_t child, const int *from, const int *to, int n, void (*gone)(void));

#endif /* MOTE_TOOLS_RELAY_H */
