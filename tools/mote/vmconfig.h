/* vmconfig.h: motevm's configuration for a launch (its --config-file, Firecracker's JSON):
 * boot source, machine, network interface, drives. */
#ifndef MOTE_TOOLS_VMCONFIG_H
#define MOTE_TOOLS_VMCONFIG_H

#include "launch.h"

#include <stdbool.h>
#include <stddef.h>

/* -v's HOSTFILE part of L's volume I, in BUF. */
const char *vmconfig_volume_file(const struct launch *l, size_t i, char *buf, size_t size);

/* Whether L's guest memory is asked for in transparent huge pages (an even MiB count). */
bool vmconfig_huge_pages(const struct launch *l);

/* Writes the configuration (KERNEL, CMDLINE for the kernel; NET_FD >= 0: the user network's
 * socket) into a pipe; returns its read end (to pass as /dev/fd/N), or -1 after saying why. */
int vmconfig_pipe(const struct launch *l, const char *kernel, const char *cmdline, int net_fd);

#endif /* MOTE_TOOLS_VMCONFIG_H */
