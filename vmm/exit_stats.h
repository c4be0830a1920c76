/* exit_stats.h: KVM's counters when the VM ends: --exit-stats' line and the Debug report. */
#ifndef MOTE_VMM_EXIT_STATS_H
#define MOTE_VMM_EXIT_STATS_H

struct vmm;

/*
 * Once the vCPU threads have stopped (after vmm_run) and before vmm_destroy: reads KVM's
 * statistics of VMM's VM (summed over its vCPUs) and
 * - at Debug, logs them in two lines (the vCPUs' sums, the VM's own), by KVM's names;
 * - with --exit-stats, writes one line on stderr (docs/motevm.md, "Exit statistics"):
 *   motevm stats: exits N (io N, mmio N, halt N, ...), pf_fixed N, ..., vcpus N, wall T ms
 *   where each counter appears only if this host's KVM has it and T is milliseconds (three
 *   decimals) from motevm's start. Without KVM statistics only "vcpus" and "wall" remain.
 * Nothing when the VM was never built.
 */
void exit_stats_report(const struct vmm *vmm);

#endif /* MOTE_VMM_EXIT_STATS_H */
