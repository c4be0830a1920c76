/* stats.h: the kernel's own event counts (system calls, page faults, interrupts, IPIs,
 * switches, halts), summed over the CPUs and printed at exit with --stats. On hosts where
 * each trap to the hypervisor is a VM exit, they say where the exits come from. */
#ifndef MOTE_CORE_STATS_H
#define MOTE_CORE_STATS_H

#include "arch/x86_64/percpu.h"

/* The counts of every CPU added up into out. */
void stats_sum(struct cpu_stats *out);

/* Print one line, "mote stats: syscalls N, page faults N, ...", on the program's stderr. */
void stats_print(void);

#endif /* MOTE_CORE_STATS_H */
