/* privdrop.h: motevm gives up, once set up, the privileges it no longer needs (issue 16). */
#ifndef MOTE_VMM_PRIVDROP_H
#define MOTE_VMM_PRIVDROP_H

/*
 * Empties the calling thread's capability sets: the bounding set (only when the thread holds
 * CAP_SETPCAP, which dropping it requires; an unprivileged motevm has nothing to drop), the
 * ambient set, then the inheritable, permitted and effective sets; sets no_new_privs (no exec
 * gains any back, seccomp or not). Capabilities, like no_new_privs, belong to a
 * thread: threads created afterwards inherit the empty sets, threads already running keep
 * theirs, so each long-lived thread calls this itself (the API thread at its start, the main
 * thread before it creates the vCPU threads). Also lowers, for the whole process, the
 * resource limits motevm never uses to 0 (RLIMIT_MSGQUEUE, RLIMIT_RTPRIO: soft and hard).
 * The uid stays: a motevm run as root still owns root's files (the jailer's --uid is the
 * real drop). Succeeds for a non-root caller too. 0 or -errno.
 */
int privdrop_thread(void) __attribute__((warn_unused_result));

#endif /* MOTE_VMM_PRIVDROP_H */
