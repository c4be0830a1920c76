/* vmctl.h: talking to a detached VM's VMM through its control socket. */
#ifndef MOTE_TOOLS_VMCTL_H
#define MOTE_TOOLS_VMCTL_H

#include <stddef.h>

struct vmstate;

/* Type Ctrl-Alt-Del on the VM's keyboard: motevm's API (PUT /actions SendCtrlAltDel, as
 * Firecracker's), QEMU's QMP (send-key ctrl-alt-delete). 0, or -errno with the reason. */
int vmctl_ctrl_alt_del(const struct vmstate *s, char *err, size_t errlen);

#endif /* MOTE_TOOLS_VMCTL_H */
