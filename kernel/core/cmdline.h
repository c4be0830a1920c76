/* cmdline.h: the kernel command line, in OSv's form: [--option[=value] ...] [program [args...]].
 * Words Linux's VMMs add are understood too: virtio_mmio.device= (anywhere), root=DEV with an
 * optional ro/rw right after it (anywhere: Firecracker appends them after boot_args), and
 * before the program, Linux's rw/ro and the console=, reboot=, panic=, pci= ... words of
 * Firecracker's default boot_args, which mean nothing here and are skipped. */
#ifndef MOTE_CORE_CMDLINE_H
#define MOTE_CORE_CMDLINE_H

#include "lib/types.h"

#define CMDLINE_MAX_ARGS 256
#define CMDLINE_MAX_ENV 64
#define CMDLINE_MAX_NS 3 /* nameservers, as glibc reads at most 3 */
#define CMDLINE_MAX_VIRTIO 32
#define CMDLINE_MAX_MOUNTS 8

/* A virtio-mmio device as Linux's command line names it (Firecracker and QEMU microvm add
 * them): virtio_mmio.device=SIZE[K|M]@BASE:IRQ[:ID]. */
struct cmdline_virtio {
	uint64_t base, size;
	uint32_t irq;
};

/* --mount=DEV:DIR[:ro]: a disk file system to mount at boot (read-write unless ro or the
 * device is read-only). */
struct cmdline_mount {
	const char *dev; /* "/dev/vdb" */
	const char *dir; /* "/data": absolute */
	bool ro;	 /* ":ro" */
};

enum cmdline_switch { CMDLINE_AUTO, CMDLINE_ON, CMDLINE_OFF };

struct cmdline {
	bool verbose;			   /* --verbose */
	bool selftest;			   /* --selftest[=NAME[,NAME]] */
	const char *selftest_names;	   /* NULL: the default set */
	bool strace;			   /* --strace: print every system call */
	bool stats;			   /* --stats: print the kernel's event counts at exit */
	enum cmdline_switch fast_syscalls; /* --fast-syscalls=auto|on|off: rewrite sites */
	bool test_fault_ap; /* --test-fault=ap: an AP faults before it has a thread stack */
	const char *cwd;    /* --cwd=DIR: the program's working directory */
	/* --console-ttys=MASK[,ROWSxCOLS]: which of stdin, stdout, stderr (MOTE_TTY_*) are
	 * terminals at the host's end, and its window, where the VMM cannot say (QEMU) */
	bool console_ttys_set;
	uint32_t console_ttys;
	uint16_t console_rows, console_cols;
	/* --console-termios=IFLAG,OFLAG,LFLAG,CC (hex; CC: c_cc's 19 bytes as 38 hex digits):
	 * the host terminal's settings, which the console starts with as a real terminal */
	bool console_termios_set;
	uint32_t console_iflag, console_oflag, console_lflag;
	uint8_t console_cc[19];
	int nenv; /* --env=NAME=VALUE, kept for the program */
	const char *env[CMDLINE_MAX_ENV];
	uint32_t ip, netmask,
		gateway; /* --ip=eth0,ADDR,MASK --defaultgw=GW (host order; 0: DHCP) */
	int nns;	 /* --nameserver=ADDR (host order, repeatable): /etc/resolv.conf at boot */
	uint32_t nameserver[CMDLINE_MAX_NS];
	const char
		*root; /* root=/dev/vdX: the root file system is that disk's ext4 (NULL: initrd) */
	bool root_ro;  /* ro (after root=, or before the program): mount it read-only */
	int nmounts;   /* --mount=DEV:DIR[:ro] (repeatable), in order */
	struct cmdline_mount mounts[CMDLINE_MAX_MOUNTS];
	int nvirtio; /* virtio_mmio.device= words, wherever they stand (QEMU appends them) */
	struct cmdline_virtio virtio[CMDLINE_MAX_VIRTIO];
	int argc; /* the program and its arguments */
	const char *argv[CMDLINE_MAX_ARGS + 1];
};

extern struct cmdline cmdline;

/*
 * Split buf in place into options and the program's argv (words split as a POSIX shell
 * splits them: blanks, 'single' and "double" quotes, backslash escapes). Returns 0, or -EINVAL with a message naming the bad option or
 * value in err. Pure: also built into the host unit tests.
 */
int cmdline_parse(char *buf, struct cmdline *out, char *err, size_t errlen) __must_check;

/* Parse bootinfo.cmdline into cmdline; on error print the message and exit with status 2. */
void cmdline_init(void);

#endif /* MOTE_CORE_CMDLINE_H */
