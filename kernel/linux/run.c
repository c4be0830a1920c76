/* run.c: the program from the command line: its environment, working directory, standard
 * descriptors (the console), the executable found (a bare name is looked up in $PATH), and
 * a clear message and status when it cannot be loaded. */
#include "linux/run.h"
#include "arch/x86_64/traps.h"
#include "core/cmdline.h"
#include "core/mm/heap.h"
#include "core/panic.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "drivers/i8042.h"
#include "fs/file.h"
#include "fs/mounts.h"
#include "fs/open.h"
#include "fs/path.h"
#include "fs/tty.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "linux/exec.h"
#include "linux/process.h"
#include "linux/procfs_root.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/syscall_patch.h"
#include "linux/task.h"
#include "linux/tty_proc.h"
#include "linux/task_fs.h"
#include "net/netif.h"

void arch_user_return(const struct trapframe *tf) __noreturn;

static void __noreturn __printf(1, 2) fail(const char *fmt, ...)
{
	char buf[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk(LOG_ERR, "%s", buf);
	(void)mounts_sync(true); /* a disk the boot changed (a mount point made) left clean */
	kernel_exit(EXIT_NO_PROGRAM);
}

static const char *env_get(const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < cmdline.nenv; i++)
		if (!strncmp(cmdline.env[i], name, n) && cmdline.env[i][n] == '=')
			return cmdline.env[i] + n + 1;
	return NULL;
}

/* A bare program name: the first $PATH directory holding it (as execvp). */
static const char *search_path(const char *name, char *buf, size_t n)
{
	const char *path = env_get("PATH");
	struct dentry *d;

	if (strchr(name, '/'))
		return name;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *e = strchr(path, ':');
		size_t len = e ? (size_t)(e - path) : strlen(path);

		snprintf(buf, n, "%.*s/%s", (int)len, path, name);
		if (!path_lookup_at(vfs_root, buf, LOOKUP_FOLLOW, &d)) {
			bool reg = S_ISREG(d->inode->mode);

			vfs_dentry_put(d);
			if (reg)
				return buf;
		}
		path += len + (e ? 1 : 0);
	}
	return name;
}

/*
 * stdin, stdout and stderr: three opens of the console, each knowing which end of motevm's
 * console it is (its stderr goes to motevm's stderr; each is a terminal only if motevm's is).
 */
static void open_console(void)
{
	static void *const ends[3] = { TTY_STDIN, TTY_STDOUT, TTY_STDERR };

	for (int fd = 0; fd < 3; fd++) {
		struct file *f;

		if (vfs_open(vfs_root, "/dev/console", O_RDWR, 0, &f))
			fail("mote: cannot open /dev/console\n");
		f->priv = ends[fd];
		if (fd_install(f, fd, false) != fd)
			fail("mote: cannot set up the standard descriptors\n");
	}
}

/* /etc/resolv.conf names SERVERS (host order; written over the image's), as a DHCP client
 * would. A failure is reported and the program still runs. */
static void write_resolv_conf(const uint32_t *servers, int n, const char *from)
{
	char text[CMDLINE_MAX_NS * 32];
	struct file *f;
	size_t len = 0;
	ssize_t r;

	for (int i = 0; i < n && i < CMDLINE_MAX_NS; i++) {
		uint32_t a = servers[i];

		len += (size_t)snprintf(text + len, sizeof(text) - len, "nameserver %u.%u.%u.%u\n",
					a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	}
	r = vfs_open(vfs_root, "/etc/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC, 0644, &f);
	if (!r) {
		r = kernel_write(f, text, len, 0);
		file_put(f);
	}
	if (r < 0)
		printk(LOG_WARN, "mote: %s: cannot write /etc/resolv.conf (%ld)\n", from, (long)r);
}

/* DHCP's DNS servers, when the command line named none (the net thread calls it). */
static void dns_from_dhcp(const uint32_t *servers, int n)
{
	write_resolv_conf(servers, n, "DHCP");
}

/* /etc/resolv.conf: --nameserver's servers, else DHCP's once it has bound (maybe already). */
static void set_up_resolver(void)
{
	uint32_t learnt[NET_DNS_MAX];
	int n;

	if (cmdline.nns) {
		write_resolv_conf(cmdline.nameserver, cmdline.nns, "--nameserver");
		return;
	}
	net_dns_learnt = dns_from_dhcp;
	n = net_dns_servers(learnt);
	if (n)
		write_resolv_conf(learnt, n, "DHCP");
}

/* Ctrl-Alt-Del from the host (SendCtrlAltDel, `mote stop`): SIGTERM to the program, as
 * `docker stop` sends it; one that ignores it is the host's to kill after its timeout. */
static void ctrl_alt_del(void)
{
	struct process *p = process_get(1);

	if (!p)
		return;
	(void)signal_send_process(p, NULL, SIGTERM, NULL);
	process_put(p);
}

static void init_main(void *unused)
{
	struct exec_args args;
	struct trapframe tf;
	char *buf = kmalloc(PATH_MAX), why[256];
	const char *prog;
	int r;

	if (!buf || task_init_process() || exec_args_init(&args))
		fail("mote: out of memory starting %s\n", cmdline.argv[0]);
	if (cmdline.cwd) {
		struct dentry *d;

		if (path_lookup_at(vfs_root, cmdline.cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &d))
			fail("mote: --cwd=%s: no such directory\n", cmdline.cwd);
		vfs_dentry_put(init_process->cwd);
		init_process->cwd = d;
	}
	open_console();
	tty_proc_init(); /* terminals' groups and sessions; the console pid 1's terminal */
	i8042_start(ctrl_alt_del);
	set_up_resolver();
	for (int i = 0; i < cmdline.argc; i++)
		if (exec_args_push(&args, false, cmdline.argv[i]))
			fail("mote: %s: arguments too long\n", cmdline.argv[0]);
	for (int i = 0; i < cmdline.nenv; i++)
		if (exec_args_push(&args, true, cmdline.env[i]))
			fail("mote: %s: environment too long\n", cmdline.argv[0]);
	prog = search_path(cmdline.argv[0], buf, PATH_MAX);
	syscall_trace = cmdline.strace;
	syscall_patch_init();
	r = exec_program(prog, &args, &tf, why, sizeof(why));
	if (r)
		fail("mote: cannot run %s: %s\n", cmdline.argv[0], why[0] ? why : "exec failed");
	exec_args_free(&args);
	kfree(buf);
	arch_user_return(&tf);
}

void linux_run(void)
{
	static struct spinlock lock = SPINLOCK_INIT;
	static struct waitq forever = WAITQ_INIT(forever);
	uint64_t f;

	waitq_set_interrupted(signal_pending); /* fs/'s blocking calls end on a signal */
	procfs_root_init();		       /* /proc as Linux shows it */
	task_fs_init();			       /* fs/'s view of the process (fs/fsctx.h) */
	vfs_init();
	if (!thread_create("init", init_main, NULL, THREAD_ANY_CPU))
		fail("mote: out of memory starting %s\n", cmdline.argv[0]);
	f = spin_lock(&lock);
	for (;;)
		(void)waitq_sleep(&forever, &lock, 0);
	spin_unlock(&lock, f);
	__builtin_unreachable();
}
