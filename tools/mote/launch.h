/* launch.h: booting an image under motevm (the default) or QEMU. */
#ifndef MOTE_TOOLS_LAUNCH_H
#define MOTE_TOOLS_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>

#define MAX_VOLUMES 8 /* the kernel's --mount options */

struct launch {
	const char *image;   /* the initrd: a Mote image (NULL with root) */
	const char *root;    /* an ext4 Mote image: the root drive (vda, read-write), no initrd */
	const char *cmdline; /* kernel command line */
	unsigned cpus;
	unsigned mem_mib;
	const char *kernel; /* NULL: $MOTE_KERNEL, else kernel/mote.elf beside mote */
	bool qemu;	    /* QEMU microvm instead of motevm */
	bool no_fallback;   /* no usable KVM device: fail rather than boot under QEMU TCG */
	bool verbose;	    /* timeline on stderr; motevm's boot timer on */
	bool stats;	    /* motevm's --exit-stats (the kernel's --stats is in cmdline) */
	bool jail;	    /* motevm through mote-jailer (jail.h) */
	/* the kernel's and motevm's own lines live on stderr (--verbose, --stats, --strace...),
	 * not collected and shown after the end (klog.h) */
	bool vm_lines_live;
	unsigned jail_uid, jail_gid; /* its user; 0: nobody's */
	const char *const *publish;  /* -p [HOSTIP:]HOSTPORT:GUESTPORT (checked), n_publish */
	/* -v HOSTFILE:GUESTDIR[:ro] (checked), n_volumes: drives vda, vdb... in this order (vdb,
	 * vdc... after a root drive) */
	const char *const *volumes;
	size_t n_volumes;
	size_t n_publish;
	/* --net: the default is user (under motevm where passt is installed, else none); user
	 * is QEMU's own under QEMU, passt under motevm; passt is passt under both */
	enum { NET_DEFAULT, NET_USER, NET_PASST, NET_NONE, NET_TAP } net;
	const char *tap; /* NET_TAP: the TAP device's name */
	double t0_ms;	 /* when mote started, for the timeline */
	/* mote run -d (tools/mote/detach.c): the VMM's control socket (motevm's API, QEMU's
	 * QMP) at this path; supervised (motevm is never exec'ed in mote's place), started
	 * told the VMM's pid */
	const char *control;
	bool detached;
	void (*started)(int pid, void *arg);
	void *started_arg;
};

/*
 * Boots the VM with the console attached and returns the guest's exit status (for mote to
 * exit with), or -1 after printing why it could not start. Only when the VM's own lines go
 * live to stderr (l->vm_lines_live) and mote has nothing to do after (no --verbose, -d,
 * --jail, --qemu) does mote exec motevm in its place, and this not return on success.
 * motevm needs the KVM device ($MOTE_KVM_DEVICE, else /dev/kvm) to open read-write; when it
 * does not, the VM boots under QEMU TCG instead, after one notice line on stderr. With
 * l->no_fallback that is an error instead, as it is when QEMU is missing too (naming both).
 */
int launch_vm(const struct launch *l);

/* Whether launch_vm would boot l under QEMU (asked for, or no usable KVM device). */
bool launch_uses_qemu(const struct launch *l);

/* $ENV if set, else REL beside mote (build/ in a source tree), in OUT; checks that it
 * exists (WHAT names it in the message). 0, or -1 said. */
int launch_locate(const char *env, const char *rel, const char *what, char *out, size_t len);

/* Milliseconds on the monotonic clock. */
double launch_now_ms(void);

#endif /* MOTE_TOOLS_LAUNCH_H */
