/* launch.c: starting motevm or qemu-system-x86_64 on an image, and reporting its status. */
#include "launch.h"
#include "jail.h"
#include "klog.h"
#include "options.h"
#include "relay.h"
#include "terminal.h"
#include "usernet.h"
#include "vmconfig.h"
#include "abi/mote_abi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 104 /* QEMU: its own ~56, and 4 for each of 8 volumes and the root */
/* QEMU microvm with one IOAPIC: 8 virtio-mmio transports of 512 bytes, GSI 16 on */
#define QEMU_VIRTIO_BASE 0xfeb00000u
#define QEMU_VIRTIO_GSI 16
#define QEMU_VIRTIO_SLOTS 8
/* QEMU's user network has fixed addresses: the guest's, and the gateway (the host) */
#define QEMU_NET_ARGS "--ip=eth0,10.0.2.15,255.255.255.0 --defaultgw=10.0.2.2 "
#define QEMU_DNS_ARG "--nameserver=10.0.2.3 " /* QEMU's resolver, which asks the host's */

double launch_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Directory holding the running mote binary (build/ in a source tree). */
static int self_dir(char *out, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", out, len - 1);
	char *slash;

	if (n < 0)
		return -errno;
	out[n] = '\0';
	slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
	return 0;
}

int launch_locate(const char *env, const char *rel, const char *what, char *out, size_t len)
{
	const char *v = getenv(env);
	char dir[PATH_MAX];

	if (v && *v) {
		snprintf(out, len, "%s", v);
	} else {
		if (self_dir(dir, sizeof(dir)) < 0) {
			fprintf(stderr, "mote: cannot find my own directory: %s\n",
				strerror(errno));
			return -1;
		}
		if (snprintf(out, len, "%s/%s", dir, rel) >= (int)len) {
			fprintf(stderr, "mote: %s: path too long\n", dir);
			return -1;
		}
	}
	if (access(out, F_OK) < 0) {
		fprintf(stderr, "mote: %s not found at %s (set %s)\n", what, out, env);
		return -1;
	}
	return 0;
}

/*
 * The KVM device motevm needs: $MOTE_KVM_DEVICE (tests name a missing file there to force the
 * QEMU fallback), else /dev/kvm.
 */
static const char *kvm_device(void)
{
	const char *dev = getenv("MOTE_KVM_DEVICE");

	return dev && *dev ? dev : "/dev/kvm";
}

/* 0 if the KVM device opens read-write, as motevm and QEMU's KVM accelerator do; else -errno. */
static int kvm_usable(void)
{
	int fd = open(kvm_device(), O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static char *qemu_cpu(void)
{
	char *cpu = getenv("MOTE_QEMU_CPU");

	return cpu && *cpu ? cpu : "max";
}

static const char *qemu_path(void)
{
	const char *qemu = getenv("MOTE_QEMU");

	return qemu && *qemu ? qemu : "/usr/bin/qemu-system-x86_64";
}

static int exit_status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

static pid_t child;
static struct jail *jail;		  /* mote run --jail: the jailer's child is motevm */
static volatile sig_atomic_t stop_signal; /* the last SIGINT, SIGTERM or SIGHUP mote got */

/* SIGINT: the terminal sent Ctrl-C to the VMM too (one process group); just note it. */
static void note(int sig)
{
	stop_signal = sig;
}

static void forward(int sig)
{
	stop_signal = sig;
	if (child > 0)
		kill(child, sig);
}

/* relay_until_exit's: the VM's stdout or stderr went away */
static void output_gone(void)
{
	stop_signal = SIGPIPE;
	kill(child, SIGTERM);
}

/* PID's wait status, through EINTR; -1 on another error. */
static int wait_for(pid_t pid)
{
	int wstatus;

	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return -1;
	return wstatus;
}

/* Runs argv as a child, console attached; returns its wait status, or -1. With NRELAY > 0,
 * the VM's output comes through the files FROM while it runs (relay_until_exit to TO);
 * l->started hears the child's pid. */
static int run_child(const struct launch *l, char **argv, const int *from, const int *to,
		     int nrelay)
{
	struct sigaction fwd = { .sa_handler = forward }, nt = { .sa_handler = note }, old[4];
	struct sigaction ign = { .sa_handler = SIG_IGN };
	int wstatus;

	child = fork();
	if (child < 0) {
		fprintf(stderr, "mote: fork: %s\n", strerror(errno));
		return -1;
	}
	if (child == 0) {
		/* the VMM does not outlive mote (which used to exec it) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], argv);
		fprintf(stderr, "mote: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (l->started && !jail)
		l->started(child, l->started_arg);
	/* Ctrl-C reaches the VMM through the terminal: it stops the VM cleanly, we report. */
	sigaction(SIGINT, &nt, &old[0]);
	sigaction(SIGTERM, &fwd, &old[1]);
	sigaction(SIGHUP, &fwd, &old[2]);
	sigaction(SIGPIPE, &ign, &old[3]); /* a write to a closed stdout: EPIPE, handled */
	wstatus = nrelay > 0 ? relay_until_exit(child, from, to, nrelay, output_gone)
			     : wait_for(child);
	/* the jailer forked motevm into its PID namespace and ended: motevm is ours now
	 * (PR_SET_CHILD_SUBREAPER), to wait for */
	if (jail && wstatus == 0 && (child = jail_vmm_pid(jail)) > 0) {
		if (l->started)
			l->started(child, l->started_arg);
		if (stop_signal) /* a signal that came while the jailer ran */
			kill(child, SIGTERM);
		wstatus = wait_for(child);
	} else if (jail) { /* motevm never ran: the jailer said why */
		if (wstatus == 0)
			fprintf(stderr, "mote: --jail: mote-jailer wrote no motevm pid\n");
		wstatus = -1;
	}
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	sigaction(SIGHUP, &old[2], NULL);
	sigaction(SIGPIPE, &old[3], NULL);
	return wstatus;
}

/* --jail: l's files given as descriptors (*CL: the launch naming them), the API socket
 * through the jail's, mote the subreaper that waits for motevm. 0, or -1 said. */
static int jail_begin(struct jail *j, const struct launch *l, const struct launch **cl)
{
	char sock[sizeof(j->dir) + 32];

	if (l->control) { /* mote run -d: Firecracker clients and mote stop reach it here */
		jail_host_path(j, "/run/api.sock", sock, sizeof(sock));
		unlink(l->control);
		if (symlink(sock, l->control) < 0) {
			fprintf(stderr, "mote: %s: %s\n", l->control, strerror(errno));
			return -1;
		}
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		fprintf(stderr, "mote: --jail: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
		return -1;
	}
	jail = j;
	*cl = &j->l;
	return 0;
}

/* motevm on KERNEL; USERNET: with the user network (passt). */
static int launch_motevm(const struct launch *l, const char *kernel, bool usernet)
{
	char vmm[PATH_MAX], cfg_path[32], cmdline[8192], term_arg[160], log_path[32];
	char *argv[MAX_ARGS];
	int n = 0, fd, wstatus, status, net_fd = -1, log_fd = -1;
	const struct launch *cl = l; /* the files the configuration names */
	static struct jail j;

	if (launch_locate("MOTE_VMM", "motevm", "motevm", vmm, sizeof(vmm)) < 0)
		return -1;
	if (l->jail) {
		if (jail_open(&j, l, vmm, kernel) < 0)
			return -1;
		kernel = j.kernel;
		if (jail_begin(&j, l, &cl) < 0) {
			jail_remove(&j);
			return -1;
		}
	}
	if (usernet) {
		net_fd = usernet_start(l);
		if (net_fd < 0)
			goto fail;
		if (jail)
			jail_keep(jail, net_fd);
	}
	/* the host terminal's settings for the console (motevm tells which ends are ttys) */
	terminal_termios_arg(term_arg, sizeof(term_arg));
	snprintf(cmdline, sizeof(cmdline), "%s%s%s%s", term_arg, usernet ? USERNET_KERNEL_ARGS : "",
		 !usernet || strstr(l->cmdline, "--nameserver=") ? "" : USERNET_DNS_ARG,
		 l->cmdline);
	fd = vmconfig_pipe(cl, kernel, cmdline, net_fd);
	if (fd < 0)
		goto fail;
	snprintf(cfg_path, sizeof(cfg_path), "/dev/fd/%d", fd);
	/* the kernel's lines (COM1) and motevm's own into a file, shown after the end */
	if (!l->vm_lines_live && !l->detached && (log_fd = klog_open()) < 0) {
		close(fd);
		goto fail;
	}
	if (jail) { /* the jailer adds motevm's argv[0] and its --id */
		jail_keep(jail, fd);
		if (log_fd >= 0)
			jail_keep(jail, log_fd);
		n = jail_argv(jail, argv, MAX_ARGS / 2);
		if (n < 0) {
			close(fd);
			goto fail;
		}
	} else {
		argv[n++] = vmm;
	}
	if (l->control) { /* mote run -d: the API for Firecracker clients and mote stop */
		argv[n++] = "--api-sock";
		argv[n++] = jail ? "/run/api.sock" : (char *)l->control;
	} else {
		argv[n++] = "--no-api";
	}
	argv[n++] = "--config-file";
	argv[n++] = cfg_path;
	/* motevm's informational lines would mix with the program's stderr: only warnings */
	argv[n++] = "--level";
	argv[n++] = l->verbose ? "Info" : "Warning";
	if (log_fd >= 0) {
		snprintf(log_path, sizeof(log_path), "/dev/fd/%d", log_fd);
		argv[n++] = "--log-path";
		argv[n++] = log_path;
	}
	if (l->verbose)
		argv[n++] = "--boot-timer";
	if (l->stats)
		argv[n++] = "--exit-stats";
	/* stdin, stdout and stderr through a virtio console: a buffer a notification */
	argv[n++] = "--virtio-console";
	argv[n] = NULL;
	if (!l->verbose && !l->detached && !jail && log_fd < 0) {
		execv(vmm, argv);
		fprintf(stderr, "mote: %s: %s\n", vmm, strerror(errno));
		return -1;
	}
	if (l->verbose)
		fprintf(stderr, "mote: %8.3f ms  starting motevm (%u vCPU, %u MiB%s)%s%s\n",
			launch_now_ms() - l->t0_ms, l->cpus, l->mem_mib,
			vmconfig_huge_pages(l) ? " in transparent huge pages" : "",
			jail ? " jailed in " : "", jail ? jail->dir : "");
	wstatus = run_child(l, argv, NULL, NULL, 0);
	if (log_fd >= 0)
		klog_report(log_fd);
	if (jail) { /* its descriptors with it */
		jail_remove(jail);
		jail = NULL;
	} else {
		close(fd);
		if (log_fd >= 0)
			close(log_fd);
		if (net_fd >= 0)
			close(net_fd); /* passt ends with motevm's end, not ours */
	}
	if (wstatus < 0)
		return -1;
	status = exit_status_of(wstatus);
	if (l->verbose)
		fprintf(stderr, "mote: %8.3f ms  VM ended, status %d\n", launch_now_ms() - l->t0_ms,
			status);
	return status;
fail:
	if (net_fd >= 0 && !jail)
		close(net_fd);
	if (jail) {
		jail_remove(jail);
		jail = NULL;
	}
	return -1;
}

/* The status the guest wrote to the debugcon file (mote_abi.h), or -1. */
static int status_file_read(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The kernel command line, after prefix (options), with a root drive's words (as motevm and
 * Firecracker append them) and microvm's 8 virtio-mmio transports named (QEMU describes them
 * in ACPI only, which the kernel does not read): a new string, or NULL when out of memory. */
static char *qemu_cmdline(const char *prefix, const char *cmdline, bool root)
{
	size_t cap = strlen(prefix) + strlen(cmdline) + QEMU_VIRTIO_SLOTS * 48 + 32, len;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	len = (size_t)snprintf(s, cap, "%s%s%s", prefix, cmdline, root ? " root=/dev/vda rw" : "");
	for (int i = 0; i < QEMU_VIRTIO_SLOTS; i++)
		len += (size_t)snprintf(s + len, cap - len, " virtio_mmio.device=512@%#x:%d",
					QEMU_VIRTIO_BASE + 512 * i, QEMU_VIRTIO_GSI + i);
	return s;
}

/* -netdev for passt's end of the socketpair (usernet.c) NET_FD: QEMU's stream netdev on it.
 * A new string, or NULL. */
static char *passt_netdev(int net_fd)
{
	char *s = malloc(96);

	if (s)
		snprintf(s, 96, "stream,id=mote-net,server=off,addr.type=fd,addr.str=%d", net_fd);
	return s;
}

/* -netdev for QEMU's user network with l's -p forwards: a new string, or NULL. Docker's
 * HOSTIP:HOSTPORT:GUESTPORT[/PROTO] becomes hostfwd=PROTO:HOSTIP:HOSTPORT-:GUESTPORT (all
 * addresses when HOSTIP is left out, as Docker binds; tcp unless /udp). */
static char *publish_netdev(const struct launch *l)
{
	size_t cap = 64, len;
	char *s;

	for (size_t i = 0; i < l->n_publish; i++)
		cap += strlen(l->publish[i]) + 32;
	s = malloc(cap);
	if (!s)
		return NULL;
	len = (size_t)snprintf(s, cap, "user,id=mote-net");
	for (size_t i = 0; i < l->n_publish; i++) {
		const char *p = l->publish[i], *slash = strchr(p, '/');
		const char *proto = slash && !strcmp(slash, "/udp") ? "udp" : "tcp";
		const char *first = strchr(p, ':'), *last = first ? strchr(first + 1, ':') : NULL;

		if (!last) /* HOSTPORT:GUESTPORT */
			len += (size_t)snprintf(s + len, cap - len, ",hostfwd=%s::%d-:%d", proto,
						atoi(p), atoi(first + 1));
		else /* HOSTIP:HOSTPORT:GUESTPORT */
			len += (size_t)snprintf(s + len, cap - len, ",hostfwd=%s:%.*s:%d-:%d",
						proto, (int)(first - p), p, atoi(first + 1),
						atoi(last + 1));
	}
	return s;
}

/* -netdev for the host's TAP device name (no scripts: it is set up already): a new string. */
static char *tap_netdev(const char *name)
{
	size_t len = strlen(name) + 64;
	char *s = malloc(len);

	if (s)
		snprintf(s, len, "tap,id=mote-net,ifname=%s,script=no,downscript=no", name);
	return s;
}

/* A new file $TMPDIR/mote-NAME.XXXXXX (its path in path): the descriptor, or -1 (said). */
static int temp_file(const char *name, char *path, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/mote-%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	fd = mkstemp(path);
	if (fd < 0)
		fprintf(stderr, "mote: cannot create %s: %s\n", path, strerror(errno));
	return fd;
}

/* Three unlinked files QEMU appends to: stdout's port, stderr's, COM1's. 0 or -1. */
static int console_files(int fds[3])
{
	static const char *const names[] = { "out", "err", "com1" };
	char path[PATH_MAX];

	for (int i = 0; i < 3; i++) {
		fds[i] = temp_file(names[i], path, sizeof(path));
		if (fds[i] < 0)
			return -1;
		unlink(path);
	}
	return 0;
}

static int launch_qemu(const struct launch *l, const char *kernel)
{
	char mem[32], smp[32], debugcon[64], status_dev[PATH_MAX + 32], qmp[PATH_MAX + 32];
	char status_path[PATH_MAX];
	char *argv[MAX_ARGS], out_dev[96], err_dev[96], com1_dev[96], *cmdline = NULL;
	char *netdev = NULL, ttys_arg[64], term_arg[160], prefix[512], ws_dev[48];
	static char drives[MAX_VOLUMES][4200], blkdevs[MAX_VOLUMES][48], rootdrive[4200];
	int n = 0, wstatus, rc = -1, fd, full, net_fd = -1, files[3] = { -1, -1, -1 }, ws_fd = -1;
	/* stdout's port, stderr's, COM1 (the kernel's own lines: never into the program's
	 * stdout, a stream of data) */
	const int to[3] = { STDOUT_FILENO, STDERR_FILENO, STDERR_FILENO };
	bool tty_in = isatty(STDIN_FILENO), interactive = tty_in && terminal_interactive();
	const char *accel = getenv("MOTE_QEMU_ACCEL"); /* "tcg" forces TCG where KVM exists */
	int kvm = kvm_usable() == 0 && !(accel && !strcmp(accel, "tcg"));

	snprintf(mem, sizeof(mem), "%u", l->mem_mib);
	snprintf(smp, sizeof(smp), "%u", l->cpus);
	argv[n++] = (char *)qemu_path();
	argv[n++] = "-M";
	argv[n++] = "microvm,ioapic2=off"; /* one IOAPIC, as the kernel uses: GSIs 16-23 */
	argv[n++] = "-accel";
	argv[n++] = kvm ? "kvm" : "tcg";
	argv[n++] = "-cpu";
	/* kvm_pvm hosts refuse QEMU's write of IA32_ARCH_CAPABILITIES (MSR 0x10a); under TCG,
	 * $MOTE_QEMU_CPU names another model (tests: a CPU unlike this host's) */
	argv[n++] = kvm ? "host,-arch-capabilities" : qemu_cpu();
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-smp";
	argv[n++] = smp;
	argv[n++] = "-nodefaults";
	argv[n++] = "-no-user-config";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n++] = "-device";
	argv[n++] = "isa-debug-exit,iobase=0xf4,iosize=4";
	argv[n++] = "-device";
	argv[n++] = "i8042"; /* Ctrl-Alt-Del: mote stop's (QMP send-key) */
	if (l->control) {
		snprintf(qmp, sizeof(qmp), "unix:%s,server=on,wait=off", l->control);
		argv[n++] = "-qmp";
		argv[n++] = qmp;
	}
	/* the whole exit status: isa-debug-exit's exit code has room for 7 bits only */
	fd = temp_file("status", status_path, sizeof(status_path));
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(status_dev, sizeof(status_dev), "file,id=mote-status,path=%s", status_path);
	snprintf(debugcon, sizeof(debugcon), "isa-debugcon,iobase=%#x,chardev=mote-status",
		 MOTE_QEMU_STATUS_PORT);
	argv[n++] = "-chardev";
	argv[n++] = status_dev;
	argv[n++] = "-device";
	argv[n++] = debugcon;
	/* the program's stdout and stderr through virtio console ports (a write a
	 * notification, not the UART's byte at a time), and stdin too where it is not a
	 * terminal (one keeps COM1, whose line of bytes it wants); output into unlinked files
	 * mote copies out (as QEMU's ports drop what a full pipe cannot take) */
	if (console_files(files) < 0)
		goto done;
	snprintf(out_dev, sizeof(out_dev), "file,id=mote-out,path=/proc/self/fd/%d,append=on",
		 files[0]);
	snprintf(err_dev, sizeof(err_dev), "file,id=mote-err,path=/proc/self/fd/%d,append=on",
		 files[1]);
	snprintf(com1_dev, sizeof(com1_dev), "file,id=mote-com1,path=/proc/self/fd/%d,append=on",
		 files[2]);
	argv[n++] = "-global";
	argv[n++] = "virtio-mmio.force-legacy=false";
	argv[n++] = "-device";
	argv[n++] = "virtio-serial-device";
	argv[n++] = "-chardev";
	argv[n++] = out_dev;
	argv[n++] = "-device";
	argv[n++] = "virtconsole,chardev=mote-out,nr=0";
	argv[n++] = "-chardev";
	argv[n++] = err_dev;
	argv[n++] = "-device";
	argv[n++] = "virtserialport,chardev=mote-err,name=mote.stderr,nr=1";
	if (interactive) {
		/* the guest is the terminal: every key reaches it, ^C included */
		argv[n++] = "-chardev";
		argv[n++] = "stdio,id=mote-tty,signal=off";
		argv[n++] = "-serial";
		argv[n++] = "chardev:mote-tty";
		/* the window's size when it changes (the kernel sends SIGWINCH) */
		ws_fd = terminal_winsize_start();
		if (ws_fd >= 0) {
			snprintf(ws_dev, sizeof(ws_dev), "socket,id=mote-ws,fd=%d", ws_fd);
			argv[n++] = "-chardev";
			argv[n++] = ws_dev;
			argv[n++] = "-device";
			argv[n++] = "virtserialport,chardev=mote-ws,name=mote.winsize,nr=3";
		}
	} else {
		/* stdin's end is the chardev's: the port closes, which the kernel reads as EOF; a
		 * terminal's Ctrl-C stops QEMU (signal=on), and COM1, the kernel's lines, goes to its
		 * file, never to stdout */
		argv[n++] = "-chardev";
		argv[n++] = com1_dev;
		argv[n++] = "-serial";
		argv[n++] = "chardev:mote-com1";
		argv[n++] = "-chardev";
		argv[n++] = tty_in ? "stdio,id=mote-in,signal=on" : "stdio,id=mote-in,signal=off";
		argv[n++] = "-device";
		argv[n++] = "virtserialport,chardev=mote-in,name=mote.stdin,nr=2";
	}
	/* QEMU's user network (its fixed addresses, so no DHCP) with -p's ports forwarded, or
	 * the host's TAP device (addresses by DHCP or --kernel-arg=--ip) */
	if (l->net == NET_PASST) {
		net_fd = usernet_start(l);
		if (net_fd < 0)
			goto done;
		netdev = passt_netdev(net_fd);
	} else if (l->net != NET_NONE) {
		netdev = l->net == NET_TAP ? tap_netdev(l->tap) : publish_netdev(l);
	}
	if (l->net != NET_NONE) {
		if (!netdev) {
			fprintf(stderr, "mote: out of memory\n");
			goto done;
		}
		argv[n++] = "-netdev";
		argv[n++] = netdev;
		argv[n++] = "-device";
		argv[n++] = "virtio-net-device,netdev=mote-net";
	}
	/* -v: QEMU puts each -device on the last free transport, and the kernel names disks in
	 * transport order: the last volume first, so that vol0 is vda */
	for (size_t i = l->n_volumes; i-- > 0 && n + 4 < MAX_ARGS;) {
		char file[4096];

		snprintf(drives[i], sizeof(drives[i]), "file=%s,if=none,format=raw,id=vol%zu%s",
			 vmconfig_volume_file(l, i, file, sizeof(file)), i,
			 opts_volume_ro(l->volumes[i]) ? ",readonly=on" : "");
		snprintf(blkdevs[i], sizeof(blkdevs[i]), "virtio-blk-device,drive=vol%zu", i);
		argv[n++] = "-drive";
		argv[n++] = drives[i];
		argv[n++] = "-device";
		argv[n++] = blkdevs[i];
	}
	if (l->root) { /* after the volumes: the last transport filled, so vda */
		snprintf(rootdrive, sizeof(rootdrive), "file=%s,if=none,format=raw,id=root",
			 l->root);
		argv[n++] = "-drive";
		argv[n++] = rootdrive;
		argv[n++] = "-device";
		argv[n++] = "virtio-blk-device,drive=root";
	}
	argv[n++] = "-kernel";
	argv[n++] = (char *)kernel;
	if (l->image) {
		argv[n++] = "-initrd";
		argv[n++] = (char *)l->image;
	}
	argv[n++] = "-append";
	/* which of mote's ends are terminals (QEMU cannot tell the kernel, motevm's CPUID leaf
	 * does), the user network's addresses, and its resolver unless --kernel-arg names one */
	terminal_ttys_arg(ttys_arg, sizeof(ttys_arg));
	terminal_termios_arg(term_arg, sizeof(term_arg));
	snprintf(prefix, sizeof(prefix), "%s%s%s", ttys_arg, term_arg,
		 l->net == NET_NONE || l->net == NET_TAP ? ""
		 : strstr(l->cmdline, "--nameserver=")	 ? QEMU_NET_ARGS
							 : QEMU_NET_ARGS QEMU_DNS_ARG);
	cmdline = qemu_cmdline(prefix, l->cmdline, l->root);
	argv[n++] = cmdline ? cmdline : (char *)l->cmdline;
	argv[n] = NULL;
	if (access(argv[0], X_OK) < 0) {
		fprintf(stderr, "mote: --qemu needs %s (Debian package qemu-system-x86)\n",
			argv[0]);
		goto done;
	}
	if (l->verbose)
		fprintf(stderr, "mote: %8.3f ms  starting QEMU microvm (%s, %u vCPU, %u MiB)\n",
			launch_now_ms() - l->t0_ms, kvm ? "KVM" : "TCG", l->cpus, l->mem_mib);
	terminal_begin();
	/* at an interactive terminal COM1 is the terminal itself; else its file goes to
	 * stderr as it grows, or after the end (klog.h) */
	wstatus = run_child(l, argv, files, to, interactive ? 2 : l->vm_lines_live ? 3 : 2);
	terminal_restore();
	if (!interactive && !l->vm_lines_live)
		klog_report(files[2]);
	if (wstatus < 0)
		goto done;
	full = status_file_read(status_path);
	rc = exit_status_of(wstatus);
	/* isa-debug-exit: QEMU exits with (status << 1) | 1; 0 means the guest reset, or QEMU
	 * stopped on a signal (Ctrl-C): report that as motevm does, 128 + N */
	if (WIFEXITED(wstatus) && (rc & 1))
		rc = full >= 0 && (full & 0x7f) == rc >> 1 ? full & 0xff : rc >> 1;
	else if (WIFEXITED(wstatus) && rc == 0 && stop_signal)
		rc = 128 + stop_signal;
	if (l->verbose)
		fprintf(stderr, "mote: %8.3f ms  VM ended, status %d\n", launch_now_ms() - l->t0_ms,
			rc);
done:
	unlink(status_path);
	for (int i = 0; i < 3; i++)
		if (files[i] >= 0)
			close(files[i]);
	if (net_fd >= 0)
		close(net_fd); /* passt ends with QEMU's end */
	if (ws_fd >= 0)
		close(ws_fd);
	terminal_winsize_stop();
	free(cmdline);
	free(netdev);
	return rc;
}

bool launch_uses_qemu(const struct launch *l)
{
	return l->qemu || kvm_usable() != 0;
}

int launch_vm(const struct launch *l)
{
	char kernel[PATH_MAX];
	int err;

	if (l->kernel) {
		snprintf(kernel, sizeof(kernel), "%s", l->kernel);
		if (access(kernel, R_OK) < 0) {
			fprintf(stderr, "mote: --kernel %s: %s\n", kernel, strerror(errno));
			return -1;
		}
	} else if (launch_locate("MOTE_KERNEL", "kernel/mote.elf", "the Mote kernel", kernel,
				 sizeof(kernel)) < 0) {
		return -1;
	}
	if (l->qemu)
		return launch_qemu(l, kernel);
	err = kvm_usable();
	if (err && l->jail) {
		fprintf(stderr,
			"mote: --jail: %s is not usable (%s): the jail is motevm's, and "
			"motevm needs it (QEMU is not jailed)\n",
			kvm_device(), strerror(-err));
		return -1;
	}
	if (err == 0) /* the user network by default where passt is there to give it */
		return launch_motevm(l, kernel,
				     l->n_publish || l->net == NET_USER || l->net == NET_PASST ||
					     (l->net == NET_DEFAULT && usernet_available()));
	/* QEMU's TCG emulates the CPU: the same kernel and image boot, only much slower */
	if (l->no_fallback) {
		fprintf(stderr,
			"mote: %s is not usable (%s): motevm needs it (--no-fallback: "
			"QEMU TCG not tried)\n",
			kvm_device(), strerror(-err));
		return -1;
	}
	if (access(qemu_path(), X_OK) < 0) {
		fprintf(stderr,
			"mote: cannot boot the VM: %s is not usable (%s), which motevm needs, "
			"and %s, the fallback, is missing (%s; Debian package "
			"qemu-system-x86, or set MOTE_QEMU)\n",
			kvm_device(), strerror(-err), qemu_path(), strerror(errno));
		return -1;
	}
	fprintf(stderr,
		"mote: %s is not usable (%s); running under QEMU TCG instead (much slower)\n",
		kvm_device(), strerror(-err));
	return launch_qemu(l, kernel);
}
