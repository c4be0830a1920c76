/* trace.c: --trace's run of the program on the host under ptrace, recording the paths it uses. */
#include "trace.h"
#include "errmsg.h"

#include "fileset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What a system call does to its path, decided at its entry and recorded at its exit. */
enum kind {
	K_NONE,
	K_OPEN,	  /* open, openat, openat2, creat */
	K_EXEC,	  /* execve, execveat */
	K_STAT,	  /* stat, lstat, newfstatat, statx, access, faccessat(2) */
	K_LINK,	  /* readlink, readlinkat */
	K_DIR,	  /* getdents(64), chdir, fchdir */
	K_CREATE, /* mkdir, mknod, rename's and link's new name, symlink */
};

struct pending {
	enum kind kind;
	unsigned long flags; /* K_OPEN: the open flags */
	bool existed;	     /* K_OPEN with O_CREAT: the path was there before the call */
	char path[PATH_MAX];
};

/* One traced thread: its system call between entry and exit. */
struct thread {
	pid_t tid;
	bool fresh; /* attached by fork/clone: its first stop is the kernel's SIGSTOP */
	struct pending p;
};

struct tracer {
	struct thread *t;
	size_t n, cap;
	struct trace_paths *out;
	int oom;      /* -ENOMEM once recording failed */
	bool no_info; /* the kernel has no PTRACE_GET_SYSCALL_INFO (before Linux 5.3) */
	bool seccomp; /* a filter stops the program at the calls below only */
};

/* The calls on_entry decodes. With the seccomp filter, the only ones that stop the program:
 * the others (read, write, mmap, futex...) run at full speed instead of stopping twice each. */
static const unsigned traced_calls[] = {
	SYS_open,      SYS_creat,      SYS_openat,     SYS_openat2,  SYS_execve,
	SYS_execveat,  SYS_stat,       SYS_lstat,      SYS_access,   SYS_newfstatat,
	SYS_statx,     SYS_faccessat,  SYS_faccessat2, SYS_readlink, SYS_readlinkat,
	SYS_getdents,  SYS_getdents64, SYS_fchdir,     SYS_chdir,    SYS_mkdir,
	SYS_mknod,     SYS_mkdirat,    SYS_mknodat,    SYS_rename,   SYS_renameat,
	SYS_renameat2, SYS_link,       SYS_linkat,     SYS_symlink,  SYS_symlinkat,
};
#define N_TRACED (sizeof(traced_calls) / sizeof(traced_calls[0]))

static volatile sig_atomic_t timed_out;

/* The deadline. Re-armed each second: a SIGALRM landing just before waitpid() would otherwise
 * leave it blocked for good on a program that never stops. */
static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	alarm(1);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static struct thread *find(struct tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i].tid == tid)
			return &tr->t[i];
	return NULL;
}

static struct thread *add_thread(struct tracer *tr, pid_t tid, bool fresh)
{
	if (tr->n == tr->cap) {
		size_t cap = tr->cap ? tr->cap * 2 : 16;
		struct thread *v = realloc(tr->t, cap * sizeof(*v));

		if (!v)
			return NULL;
		tr->t = v;
		tr->cap = cap;
	}
	memset(&tr->t[tr->n], 0, sizeof(tr->t[0]));
	tr->t[tr->n].tid = tid;
	tr->t[tr->n].fresh = fresh;
	return &tr->t[tr->n++];
}

static void drop_thread(struct tracer *tr, pid_t tid)
{
	struct thread *t = find(tr, tid);

	if (t)
		*t = tr->t[--tr->n];
}

/* Reads a NUL-terminated string from the tracee, a page at a time (a path may end just before
 * an unmapped page); PTRACE_PEEKDATA where process_vm_readv is refused. */
static int read_str(pid_t tid, unsigned long addr, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		struct iovec l, r;
		ssize_t n;

		if (chunk > len - got)
			chunk = len - got;
		l = (struct iovec){ buf + got, chunk };
		r = (struct iovec){ (void *)(addr + got), chunk };
		n = process_vm_readv(tid, &l, 1, &r, 1, 0);
		if (n <= 0) {
			long word;

			errno = 0;
			word = ptrace(PTRACE_PEEKDATA, tid, (void *)(addr + got), NULL);
			if (errno)
				return -EFAULT;
			n = len - got < sizeof(word) ? (ssize_t)(len - got) : (ssize_t)sizeof(word);
			memcpy(buf + got, &word, (size_t)n);
		}
		if (memchr(buf + got, 0, (size_t)n))
			return 0;
		got += (size_t)n;
	}
	return -ENAMETOOLONG;
}

/* The target of /proc/TID/NAME (cwd, fd/N): where a relative path or an fd leads. */
static int proc_link(pid_t tid, const char *name, char *out, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/%s", (int)tid, name);
	n = readlink(link, out, len - 1);
	if (n < 0)
		return -errno;
	out[n] = 0;
	/* pipes, sockets and anonymous inodes ("pipe:[12]") name no file */
	return out[0] == '/' ? 0 : -ENOENT;
}

/* The absolute path a call with (dirfd, path) in tid names, into out; the fd's own file when
 * path is empty (AT_EMPTY_PATH). */
static int resolve(pid_t tid, long dirfd, const char *path, char *out, size_t len)
{
	char base[PATH_MAX], name[32];
	int ret;

	if (path[0] == '/') {
		snprintf(out, len, "%s", path);
		path_normalise(out);
		return 0;
	}
	if ((int)dirfd == AT_FDCWD) {
		ret = proc_link(tid, "cwd", base, sizeof(base));
	} else {
		snprintf(name, sizeof(name), "fd/%d", (int)dirfd);
		ret = proc_link(tid, name, base, sizeof(base));
	}
	if (ret < 0)
		return ret;
	if (snprintf(out, len, "%s/%s", base, path) >= (int)len)
		return -ENAMETOOLONG;
	path_normalise(out);
	return 0;
}

/* The path argument at addr, relative to dirfd, into p->path; -1 for one not worth recording
 * (unreadable, or empty: a call on an fd mote already saw opened). */
static int path_arg(pid_t tid, long dirfd, unsigned long addr, struct pending *p)
{
	char raw[PATH_MAX];

	if (read_str(tid, addr, raw, sizeof(raw)) < 0 || !raw[0])
		return -1;
	return resolve(tid, dirfd, raw, p->path, sizeof(p->path)) < 0 ? -1 : 0;
}

static int fd_arg(pid_t tid, long fd, struct pending *p)
{
	char name[32];

	snprintf(name, sizeof(name), "fd/%d", (int)fd);
	return proc_link(tid, name, p->path, sizeof(p->path)) < 0 ? -1 : 0;
}

/* Decodes a system call's entry into p (p->kind stays K_NONE for one of no interest). */
static void on_entry(pid_t tid, unsigned long nr, const uint64_t *a, struct pending *p)
{
	enum kind k = K_NONE;
	int ret = -1;

	p->kind = K_NONE;
	p->flags = 0;
	p->existed = false;
	switch (nr) {
	case SYS_open:
		p->flags = a[1];
		k = K_OPEN, ret = path_arg(tid, AT_FDCWD, a[0], p);
		break;
	case SYS_creat:
		p->flags = O_CREAT | O_WRONLY | O_TRUNC;
		k = K_OPEN, ret = path_arg(tid, AT_FDCWD, a[0], p);
		break;
	case SYS_openat:
		p->flags = a[2];
		k = K_OPEN, ret = path_arg(tid, (long)a[0], a[1], p);
		break;
	case SYS_openat2: {
		uint64_t how_flags; /* struct open_how's first member */
		struct iovec l = { &how_flags, 8 }, r = { (void *)a[2], 8 };

		if (process_vm_readv(tid, &l, 1, &r, 1, 0) != 8)
			return;
		p->flags = how_flags;
		k = K_OPEN, ret = path_arg(tid, (long)a[0], a[1], p);
		break;
	}
	case SYS_execve:
		k = K_EXEC, ret = path_arg(tid, AT_FDCWD, a[0], p);
		break;
	case SYS_execveat:
		k = K_EXEC, ret = path_arg(tid, (long)a[0], a[1], p);
		if (ret < 0 && (a[4] & AT_EMPTY_PATH))
			ret = fd_arg(tid, (long)a[0], p);
		break;
	case SYS_stat:
	case SYS_lstat:
	case SYS_access:
		k = K_STAT, ret = path_arg(tid, AT_FDCWD, a[0], p);
		break;
	case SYS_newfstatat:
	case SYS_statx:
	case SYS_faccessat:
	case SYS_faccessat2:
		k = K_STAT, ret = path_arg(tid, (long)a[0], a[1], p);
		break;
	case SYS_readlink:
		k = K_LINK, ret = path_arg(tid, AT_FDCWD, a[0], p);
		break;
	case SYS_readlinkat:
		k = K_LINK, ret = path_arg(tid, (long)a[0], a[1], p);
		break;
	case SYS_getdents:
	case SYS_getdents64:
	case SYS_fchdir:
		k = K_DIR, ret = fd_arg(tid, (long)a[0], p);
		break;
	case SYS_chdir:
		k = K_DIR, ret = path_arg(tid, AT_FDCWD, a[0], p);
		break;
	case SYS_mkdir:
	case SYS_mknod:
		k = K_CREATE, ret = path_arg(tid, AT_FDCWD, a[0], p);
		break;
	case SYS_mkdirat:
	case SYS_mknodat:
		k = K_CREATE, ret = path_arg(tid, (long)a[0], a[1], p);
		break;
	case SYS_rename:
	case SYS_link:
	case SYS_symlink:
		k = K_CREATE, ret = path_arg(tid, AT_FDCWD, a[1], p);
		break;
	case SYS_renameat:
	case SYS_renameat2:
	case SYS_linkat:
		k = K_CREATE, ret = path_arg(tid, (long)a[2], a[3], p);
		break;
	case SYS_symlinkat:
		k = K_CREATE, ret = path_arg(tid, (long)a[1], a[2], p);
		break;
	}
	if (ret < 0)
		return;
	/* a file the call may create: was it there before? (only then is it the host's) */
	if (k == K_OPEN && (p->flags & O_CREAT)) {
		struct stat st;

		p->existed = stat(p->path, &st) == 0;
	}
	p->kind = k;
}

bool trace_ignored(const char *path)
{
	static const char *const skip[] = { "/proc", "/sys", "/dev" };

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
		size_t n = strlen(skip[i]);

		if (!strncmp(path, skip[i], n) && (path[n] == '/' || !path[n]))
			return true;
	}
	return false;
}

/* The directory a created path is made in: the guest needs it to make the path again. */
static int mark_parent(struct trace_paths *out, const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	if (slash == dir)
		slash[1] = 0;
	else
		*slash = 0;
	return trace_paths_mark(out, dir, TRACE_DIR);
}

/* A call that succeeded: record what it did to its path. */
static void on_exit_ok(struct tracer *tr, const struct pending *p)
{
	static const unsigned flag[] = {
		[K_OPEN] = TRACE_OPENED, [K_EXEC] = TRACE_EXECED, [K_STAT] = TRACE_STATED,
		[K_LINK] = TRACE_LINK,	 [K_DIR] = TRACE_DIR,
	};
	bool created =
		p->kind == K_CREATE || (p->kind == K_OPEN && (p->flags & O_CREAT) && !p->existed);
	int ret;

	if (trace_ignored(p->path))
		return;
	if (created) {
		ret = trace_paths_mark(tr->out, p->path, TRACE_CREATED);
		if (ret == 0)
			ret = mark_parent(tr->out, p->path);
	} else {
		ret = trace_paths_mark(tr->out, p->path, flag[p->kind]);
	}
	if (ret < 0)
		tr->oom = ret;
}

/* A syscall or seccomp stop: the entry's path is decoded, the exit's result decides. */
static void on_syscall(struct tracer *tr, struct thread *t)
{
	struct __ptrace_syscall_info info;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) <= 0) {
		tr->no_info = errno == EIO; /* an unknown request */
		return;
	}
	if (info.arch != AUDIT_ARCH_X86_64)
		return; /* 32-bit calls (int $0x80) are not followed */
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		on_entry(t->tid, (unsigned long)info.entry.nr, info.entry.args, &t->p);
	} else if (info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
		on_entry(t->tid, (unsigned long)info.seccomp.nr, info.seccomp.args, &t->p);
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		if (t->p.kind != K_NONE && !info.exit.is_error)
			on_exit_ok(tr, &t->p);
		t->p.kind = K_NONE;
	}
}

/* A ptrace event stop: a new thread or process to follow, or an exec. */
static int on_event(struct tracer *tr, struct thread *t, int event)
{
	unsigned long msg = 0;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &msg) < 0)
		return 0;
	if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
	    event == PTRACE_EVENT_CLONE) {
		/* its first stop may have been seen already: then it is known, and not fresh */
		if (!find(tr, (pid_t)msg) && !add_thread(tr, (pid_t)msg, true))
			return -ENOMEM;
	} else if (event == PTRACE_EVENT_EXEC && (pid_t)msg != t->tid) {
		/* a thread other than the leader exec'd: it now has the leader's id, and its
		 * execve's exit is reported there */
		struct thread *old = find(tr, (pid_t)msg);

		if (old) {
			t->p = old->p;
			drop_thread(tr, (pid_t)msg);
		}
	}
	return 0;
}

/* How the child tells the tracer it could not start (it never stopped to be traced). */
#define CHILD_NO_PTRACE 126
#define CHILD_NO_CWD 125

/*
 * In the child: a seccomp filter that stops it (SECCOMP_RET_TRACE) at traced_calls only. Root
 * installs it as it is; others must set no_new_privs first, which costs nothing more: under
 * another user's ptrace a set-user-ID program gets no privileges anyway. False without one.
 */
static bool install_filter(void)
{
	struct sock_filter f[N_TRACED + 5];
	struct sock_fprog prog = { .len = N_TRACED + 5, .filter = f };
	size_t n = 0;

	/* 32-bit calls go through unstopped, as the tracer does not follow them */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0,
					      N_TRACED + 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < N_TRACED; i++)
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, traced_calls[i],
						      (unsigned char)(N_TRACED - i), 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0)
		return true;
	return errno == EACCES && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
	       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

/* The child: stdin from /dev/null, stdout and stderr too unless shown, the filter if it can
 * (its answer on mode_fd), then stop for the tracer to set its options before the exec. A
 * stop at a filtered call with no tracer asking for it would fail the call: hence the order. */
static void child(const struct trace_spec *s, int mode_fd)
{
	int null = open("/dev/null", O_RDWR);
	char mode;

	if (null < 0 || ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		_exit(CHILD_NO_PTRACE);
	dup2(null, 0);
	if (!s->show_output) {
		dup2(null, 1);
		dup2(null, 2);
	}
	if (null > 2)
		close(null);
	if (s->cwd && chdir(s->cwd) < 0)
		_exit(CHILD_NO_CWD);
	mode = install_filter() ? 's' : 'p';
	if (write(mode_fd, &mode, 1) != 1)
		_exit(127); /* a filter the tracer does not know of would fail the calls */
	raise(SIGSTOP);
	execve(s->program, s->argv, s->envp);
	_exit(127);
}

static void kill_all(const struct tracer *tr)
{
	for (size_t i = 0; i < tr->n; i++)
		kill(tr->t[i].tid, SIGKILL);
}

/* Follows every traced thread until none is left (waitpid(-1) reaps only them: mote starts
 * no other child before its image is made). */
static int trace_loop(struct tracer *tr, pid_t first, struct trace_outcome *res)
{
	bool killed = false;

	for (;;) {
		int status, sig, inject = 0;
		enum __ptrace_request req;
		struct thread *t;
		pid_t tid = waitpid(-1, &status, __WALL);

		if (tid < 0 && errno == ECHILD)
			return tr->oom;
		if (tr->no_info && !killed) {
			killed = true; /* nothing could be recorded: stop now */
			kill_all(tr);
		}
		if (timed_out && !killed) {
			res->timed_out = killed = true;
			kill_all(tr);
		}
		if (tid < 0)
			continue; /* EINTR: the deadline */
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (tid == first) {
				res->status = status;
				res->ended = !res->timed_out;
			}
			drop_thread(tr, tid);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		t = find(tr, tid);
		if (!t) /* a new child's first stop, before its parent's event */
			t = add_thread(tr, tid, true);
		if (!t) {
			kill(tid, SIGKILL);
			return -ENOMEM;
		}
		if (killed) {
			kill(tid, SIGKILL); /* started as the others were killed */
			continue;
		}
		sig = WSTOPSIG(status);
		if (sig == (SIGTRAP | 0x80) ||
		    (sig == SIGTRAP && status >> 16 == PTRACE_EVENT_SECCOMP)) {
			on_syscall(tr, t);
		} else if (sig == SIGTRAP && status >> 16) {
			if (on_event(tr, t, status >> 16) < 0)
				tr->oom = -ENOMEM;
			t = find(tr, tid); /* on_event may have moved the table */
		} else if (sig == SIGSTOP && t->fresh) {
			t->fresh = false;
		} else {
			siginfo_t si;

			/* a signal for the program: passed on; a group stop (no siginfo) is not
			 * kept, as a traced run has no job control to resume it */
			if (ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) == 0)
				inject = sig;
		}
		/* with the filter, a stop at the exit only after a traced call's entry */
		req = tr->seccomp && t && t->p.kind == K_NONE ? PTRACE_CONT : PTRACE_SYSCALL;
		if (ptrace(req, tid, NULL, (void *)(long)inject) < 0 && errno == ESRCH)
			drop_thread(tr, tid); /* killed meanwhile; its exit comes next */
	}
}

int trace_run(const struct trace_spec *s, struct trace_paths *out, struct trace_outcome *res,
	      char *err, size_t errlen)
{
	struct tracer tr = { .out = out };
	struct sigaction sa = { .sa_handler = on_alarm }, old_sa;
	double t0 = now_s();
	int status = 0, ret, mode_pipe[2];
	unsigned long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
				PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	char mode = 0;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(mode_pipe, O_CLOEXEC) < 0)
		return errmsg(err, errlen, -errno, "--trace: pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(mode_pipe[0]);
		close(mode_pipe[1]);
		return errmsg(err, errlen, ret, "--trace: fork: %s", strerror(-ret));
	}
	if (pid == 0)
		child(s, mode_pipe[1]);
	close(mode_pipe[1]);
	if (waitpid(pid, &status, __WALL) < 0 || !WIFSTOPPED(status)) {
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		close(mode_pipe[0]);
		if (code == CHILD_NO_PTRACE)
			return errmsg(err, errlen, -EPERM,
				      "--trace: ptrace is not allowed here (PTRACE_TRACEME failed: "
				      "see kernel.yama.ptrace_scope, or a container's seccomp)");
		if (code == CHILD_NO_CWD)
			return errmsg(err, errlen, -ENOENT, "--trace: cannot change into %s",
				      s->cwd);
		return errmsg(err, errlen, -ECHILD, "--trace: the traced child did not start");
	}
	/* the child wrote before it stopped */
	tr.seccomp = read(mode_pipe[0], &mode, 1) == 1 && mode == 's';
	close(mode_pipe[0]);
	if (tr.seccomp)
		options |= PTRACE_O_TRACESECCOMP;
	/* EXITKILL: were mote to die, the program dies with it rather than run untraced */
	ret = ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)options) < 0 ? -errno : 0;
	if (ret == 0 && !add_thread(&tr, pid, false))
		ret = -ENOMEM;
	if (ret < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		free(tr.t);
		return errmsg(err, errlen, ret, "--trace: ptrace: %s", strerror(-ret));
	}
	timed_out = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa); /* no SA_RESTART: waitpid() returns EINTR */
	alarm(s->timeout_s);
	ptrace(tr.seccomp ? PTRACE_CONT : PTRACE_SYSCALL, pid, NULL, NULL);
	ret = trace_loop(&tr, pid, res);
	alarm(0);
	sigaction(SIGALRM, &old_sa, NULL);
	res->secs = now_s() - t0;
	free(tr.t);
	if (tr.no_info)
		return errmsg(err, errlen, -ENOSYS,
			      "--trace needs Linux 5.3 or later (PTRACE_GET_SYSCALL_INFO)");
	if (ret < 0)
		return errmsg(err, errlen, ret, "--trace: out of memory");
	return 0;
}
