/* klog.h: the VM's own lines — the Mote kernel's console (COM1) and motevm's log — kept out of
 * the program's stdout and stderr while it runs (issue 17), in an unlinked temporary file,
 * then shown after the VM ended, each line marked as mote's ("mote: vm: ..."). --verbose,
 * --stats and the kernel's output options (--strace...) ask for them: then they come live
 * on stderr, as they did. */
#ifndef MOTE_TOOLS_KLOG_H
#define MOTE_TOOLS_KLOG_H

#include <stdbool.h>

#define KLOG_MAX_LINES 20 /* shown at the end; the rest counted */

/* A new unlinked file for the VM's lines: its descriptor (not close-on-exec: the VMM writes
 * it), or -1 after saying why. */
int klog_open(void);

/* The lines FD holds from its start, on stderr after "mote: vm: " (at most KLOG_MAX_LINES,
 * then how many more). */
void klog_report(int fd);

#endif /* MOTE_TOOLS_KLOG_H */
