/* metrics.h: the metrics line motevm writes when it stops (--metrics-path). */
#ifndef MOTE_VMM_METRICS_H
#define MOTE_VMM_METRICS_H

struct vmm;

/*
 * Appends one JSON object line to PATH (created if missing) with what motevm counted:
 * vCPU exits by reason, UART and i8042 traffic, the guest boot time and how the VM ended
 * (docs/motevm.md lists the fields). Logs and returns -errno on failure, else 0.
 */
int metrics_write(struct vmm *vmm, const char *path);

#endif /* MOTE_VMM_METRICS_H */
