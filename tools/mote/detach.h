/* detach.h: `mote run -d`: the VM in the background. */
#ifndef MOTE_TOOLS_DETACH_H
#define MOTE_TOOLS_DETACH_H

struct launch;

/*
 * Start l's VM in the background under a supervising mote (a new session, stdin from
 * /dev/null, stdout and stderr into the VM's log) that records its state (vmstate.h) and,
 * when the VM ends, its exit status. name: --name or NULL; program: for mote ps. Prints the
 * VM's id on stdout once its state is written; returns 0, or -1 after saying why.
 */
int detach_launch(struct launch *l, const char *name, const char *program);

#endif /* MOTE_TOOLS_DETACH_H */
