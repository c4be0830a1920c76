/* vdso_data.h: the data page the kernel shares with the vDSO ([vvar], mapped read-only
 * just below the vDSO's code). Included by the kernel and by the vDSO (vdso.c). */
#ifndef MOTE_LINUX_VDSO_VDSO_DATA_H
#define MOTE_LINUX_VDSO_VDSO_DATA_H

#define VDSO_CLOCK_TSC 1     /* ns = (rdtsc - base_tsc) * ns_mult >> 32 */
#define VDSO_CLOCK_PVCLOCK 2 /* ns = kvmclock(pvclock page of CPU 0) - base_ns */

/* The kvmclock page (struct pvclock_vcpu_time_info). */
struct vdso_pvclock {
	unsigned int version, pad0;
	unsigned long tsc_timestamp, system_time;
	unsigned int mul;
	signed char shift;
	unsigned char flags, pad[2];
};

struct vdso_data {
	unsigned int mode;	    /* VDSO_CLOCK_*, or 0: use the system calls */
	unsigned int cpu_id_offset; /* %gs-relative address of the running CPU's number */
	unsigned long base_ns, base_tsc, ns_mult;
	unsigned long realtime_offset;		     /* CLOCK_REALTIME = CLOCK_MONOTONIC + this */
	const volatile struct vdso_pvclock *pvclock; /* CPU 0's (a kernel address) */
};

#endif /* MOTE_LINUX_VDSO_VDSO_DATA_H */
