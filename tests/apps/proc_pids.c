/* proc_pids.c: /proc/<pid> of another process: a child's stat, status, comm, cmdline,
 * environ, exe, cwd, fd/ and task/<tid>/ (its own name per thread), each with the child's
 * data; /proc lists both processes; /proc/self in parent and child; the child as a zombie
 * (state Z, no cmdline, no exe) and its entries gone once it is reaped; a pid there is not;
 * a process whose main thread has ended while another runs.
 * No pid is printed: every check prints what it established. */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static int go[2];  /* parent -> child: closed when the child is to end */
static int out[2]; /* child -> parent: what it saw, its second thread's tid */

static char buf[16384], buf2[16384];

/* The whole of a small file into b (NUL-terminated as well): its length, or -1 (errno). */
static ssize_t slurp_into(const char *path, char *b, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, b + total, size - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	if (n < 0)
		return -1;
	b[total] = 0;
	return total;
}

/* A path made from a format (in one of two buffers, used in turn). */
static const char *path_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *path_of(const char *fmt, ...)
{
	static char paths[2][96];
	static int turn;
	char *p = paths[turn++ % 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(paths[0]), fmt, ap);
	va_end(ap);
	return p;
}

static ssize_t slurp(const char *path, char *b)
{
	return slurp_into(path, b, sizeof(buf));
}

/* Field n (1-based, n >= 3) of a stat line: after the ")" that ends the name. */
static long stat_field(const char *stat, int n)
{
	const char *s = strrchr(stat, ')');

	if (!s)
		return -100;
	s += 2;
	for (int i = 3; i < n && s; i++) {
		s = strchr(s, ' ');
		s = s ? s + 1 : NULL;
	}
	return s ? strtol(s, NULL, 10) : -100;
}

static char stat_state(const char *stat)
{
	const char *s = strrchr(stat, ')');

	return s ? s[2] : '?';
}

/* The value of status's line "name:\t..." (a number), or -100. */
static long status_num(const char *status, const char *name)
{
	char key[64];
	const char *s;

	snprintf(key, sizeof(key), "\n%s:\t", name);
	s = strstr(status, key);
	return s ? strtol(s + strlen(key), NULL, 10) : -100;
}

/* Does status have the line "name:\tvalue"? */
static int status_has(const char *status, const char *name, const char *value)
{
	char line[128];

	snprintf(line, sizeof(line), "%s:\t%s\n", name, value);
	return strncmp(status, line, strlen(line)) == 0 || strstr(status, line) != NULL;
}

static int readlink_of(const char *path, char *b, size_t size)
{
	ssize_t n = readlink(path, b, size - 1);

	b[n > 0 ? n : 0] = 0;
	return n > 0 ? 0 : -1;
}

/* The numbered entries of a directory: how many, and whether a and b are among them. */
static int list_dir(const char *path, int a, int b, int *has_a, int *has_b)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	*has_a = *has_b = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char *end;
		long v = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name)
			continue;
		n++;
		*has_a |= v == a;
		*has_b |= v == b;
	}
	closedir(d);
	return n;
}

static void *kid_thread(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	prctl(PR_SET_NAME, "kid-thread");
	if (write(out[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(2);
	(void)!read(go[0], &c, 1); /* until the parent closes its end */
	return NULL;
}

/* The child: renamed, a group of its own, two threads asleep on a pipe. */
static void kid(void)
{
	char self[32], link[32];
	pthread_t t;
	char seen, c;

	close(go[1]);
	close(out[0]);
	prctl(PR_SET_NAME, "kid");
	setpgid(0, 0);
	snprintf(self, sizeof(self), "%d", getpid());
	seen = readlink_of("/proc/self", link, sizeof(link)) == 0 && !strcmp(link, self) ? 'y'
											 : 'n';
	if (write(out[1], &seen, 1) != 1 || pthread_create(&t, NULL, kid_thread, NULL))
		_exit(2);
	(void)!read(go[0], &c, 1);
	pthread_join(t, NULL);
	_exit(3);
}

/* Wait (5 s at most) until the thread's stat shows it asleep. */
static char wait_asleep(const char *path)
{
	for (int i = 0; i < 500; i++) {
		if (slurp_into(path, buf, sizeof(buf)) > 0 && stat_state(buf) == 'S')
			return 'S';
		usleep(10000);
	}
	return stat_state(buf);
}

static void live_child(pid_t pid, pid_t tid)
{
	char a[256], b[256];
	int has_a, has_b;
	ssize_t n;

	CHECK_EQ(wait_asleep(path_of("/proc/%d/task/%d/stat", pid, pid)), 'S',
		 "child's main thread: state S while it waits on a pipe");
	CHECK_EQ(wait_asleep(path_of("/proc/%d/task/%d/stat", pid, tid)), 'S',
		 "child's second thread: state S");

	CHECK(slurp(path_of("/proc/%d/stat", pid), buf) > 0, "read /proc/<child>/stat");
	CHECK_EQ(strtol(buf, NULL, 10), pid, "stat: the child's pid first");
	CHECK(strncmp(strchr(buf, ' ') ? strchr(buf, ' ') : "", " (kid) ", 7) == 0,
	      "stat: its name (kid), set by prctl(PR_SET_NAME)");
	CHECK_EQ(stat_state(buf), 'S', "stat: state S");
	CHECK_EQ(stat_field(buf, 4), getpid(), "stat: ppid is the parent");
	CHECK_EQ(stat_field(buf, 5), pid, "stat: pgrp is its own group (setpgid(0, 0))");
	CHECK_EQ(stat_field(buf, 6), getsid(0), "stat: session is the parent's");
	CHECK_EQ(stat_field(buf, 20), 2, "stat: 2 threads");

	CHECK(slurp(path_of("/proc/%d/status", pid), buf) > 0, "read /proc/<child>/status");
	CHECK(status_has(buf, "Name", "kid"), "status: Name kid");
	CHECK(status_has(buf, "State", "S (sleeping)"), "status: State S (sleeping)");
	CHECK_EQ(status_num(buf, "Tgid"), pid, "status: Tgid is the child's pid");
	CHECK_EQ(status_num(buf, "Pid"), pid, "status: Pid is the child's pid");
	CHECK_EQ(status_num(buf, "PPid"), getpid(), "status: PPid is the parent");
	CHECK_EQ(status_num(buf, "NSpgid"), pid, "status: NSpgid is its own group");
	CHECK_EQ(status_num(buf, "NSsid"), getsid(0), "status: NSsid is the parent's session");
	CHECK_EQ(status_num(buf, "Threads"), 2, "status: Threads 2");
	CHECK(status_num(buf, "VmRSS") > 0, "status: VmRSS of its memory");

	CHECK(slurp(path_of("/proc/%d/comm", pid), buf) > 0 && !strcmp(buf, "kid\n"), "comm: kid");
	snprintf(a, sizeof(a), "/proc/%d/task/%d/comm", pid, pid);
	CHECK(slurp_into(a, buf, sizeof(buf)) > 0 && !strcmp(buf, "kid\n"),
	      "task/<pid>/comm: kid (the main thread's)");
	snprintf(a, sizeof(a), "/proc/%d/task/%d/comm", pid, tid);
	CHECK(slurp_into(a, buf, sizeof(buf)) > 0 && !strcmp(buf, "kid-thread\n"),
	      "task/<tid>/comm: kid-thread (the second thread's own name)");
	snprintf(a, sizeof(a), "/proc/%d/task/%d/status", pid, tid);
	CHECK(slurp_into(a, buf, sizeof(buf)) > 0 && status_num(buf, "Pid") == tid &&
		      status_num(buf, "Tgid") == pid && status_num(buf, "PPid") == getpid(),
	      "task/<tid>/status: its Pid, the child's Tgid, the parent as PPid");
	snprintf(a, sizeof(a), "/proc/%d/task/%d/stat", pid, tid);
	CHECK(slurp_into(a, buf, sizeof(buf)) > 0 && strtol(buf, NULL, 10) == tid &&
		      stat_field(buf, 5) == pid,
	      "task/<tid>/stat: its tid first, the child's group");
	snprintf(a, sizeof(a), "/proc/%d/task", pid);
	CHECK(list_dir(a, pid, tid, &has_a, &has_b) == 2 && has_a && has_b,
	      "task/ lists the child's two threads");
	snprintf(a, sizeof(a), "/proc/%d/task/%d", pid, getpid());
	CHECK_ERR(access(a, F_OK), ENOENT, "task/<the parent's pid> of the child: ENOENT");
	/* /proc/<tid> of the second thread: found, not listed */
	snprintf(a, sizeof(a), "/proc/%d/status", tid);
	CHECK(slurp_into(a, buf, sizeof(buf)) > 0 && status_num(buf, "Pid") == tid &&
		      status_num(buf, "Tgid") == pid && status_num(buf, "Threads") == 2,
	      "/proc/<tid>/status: the thread's Pid, the child's Tgid, 2 threads");
	snprintf(a, sizeof(a), "/proc/%d/stat", tid);
	CHECK(slurp_into(a, buf, sizeof(buf)) > 0 && strtol(buf, NULL, 10) == tid,
	      "/proc/<tid>/stat: the thread's tid first");
	snprintf(a, sizeof(a), "/proc/%d/task", tid);
	CHECK(list_dir(a, pid, tid, &has_a, &has_b) == 2 && has_a && has_b,
	      "/proc/<tid>/task lists the child's two threads");
	CHECK(list_dir("/proc", pid, tid, &has_a, &has_b) > 0 && has_a && !has_b,
	      "/proc lists the child's pid, not the thread's tid");
	snprintf(a, sizeof(a), "/proc/%d", tid + 100000);
	CHECK_ERR(access(a, F_OK), ENOENT, "/proc/<no such tid>: ENOENT");

	n = slurp(path_of("/proc/%d/cmdline", pid), buf);
	CHECK(n > 0 && slurp(path_of("/proc/%d/cmdline", getpid()), buf2) == n &&
		      !memcmp(buf, buf2, n),
	      "cmdline: the child's arguments (the parent's, forked)");
	n = slurp(path_of("/proc/%d/environ", pid), buf);
	CHECK(n > 0 && slurp(path_of("/proc/%d/environ", getpid()), buf2) == n &&
		      !memcmp(buf, buf2, n),
	      "environ: the child's environment");
	CHECK(readlink_of(path_of("/proc/%d/exe", pid), a, sizeof(a)) == 0 &&
		      readlink_of("/proc/self/exe", b, sizeof(b)) == 0 && !strcmp(a, b),
	      "exe: the program");
	CHECK(readlink_of(path_of("/proc/%d/cwd", pid), a, sizeof(a)) == 0 &&
		      getcwd(b, sizeof(b)) && !strcmp(a, b),
	      "cwd: the working directory");
	CHECK(readlink_of(path_of("/proc/%d/fd/%d", pid, out[1]), a, sizeof(a)) == 0 &&
		      readlink_of(path_of("/proc/%d/fd/%d", getpid(), out[0]), b, sizeof(b)) == 0 &&
		      !strncmp(a, "pipe:[", 6) && !strcmp(a, b),
	      "fd/N: the child's end of the pipe the parent reads");
	snprintf(a, sizeof(a), "/proc/%d/fd/%d", pid, out[0]);
	CHECK_ERR(access(a, F_OK), ENOENT, "fd/N of a descriptor the child closed: ENOENT");
	snprintf(a, sizeof(a), "/proc/%d/comm", pid);
	{
		int fd = open(a, O_WRONLY);

		CHECK_ERR(write(fd, "x", 1), EINVAL, "writing another process's comm: EINVAL");
		close(fd);
	}

	CHECK(list_dir("/proc", getpid(), pid, &has_a, &has_b) >= 2 && has_a && has_b,
	      "/proc lists the parent and the child");
	snprintf(b, sizeof(b), "%d", getpid());
	CHECK(readlink_of("/proc/self", a, sizeof(a)) == 0 && !strcmp(a, b),
	      "/proc/self in the parent: the parent's pid");
	snprintf(b, sizeof(b), "%d/task/%d", getpid(), getpid());
	CHECK(readlink_of("/proc/thread-self", a, sizeof(a)) == 0 && !strcmp(a, b),
	      "/proc/thread-self in the parent: <pid>/task/<pid>");
}

static void zombie_child(pid_t pid)
{
	char path[64], link[64];
	siginfo_t si;
	int fd;

	close(go[1]); /* the child's threads see the end and it exits with 3 */
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == pid,
	      "waitid(WNOWAIT): the child has ended, not reaped");
	CHECK(slurp(path_of("/proc/%d/stat", pid), buf) > 0, "read the zombie's stat");
	CHECK_EQ(stat_state(buf), 'Z', "zombie: stat state Z");
	CHECK(strncmp(strchr(buf, ' ') ? strchr(buf, ' ') : "", " (kid) ", 7) == 0,
	      "zombie: stat still names it kid");
	CHECK_EQ(stat_field(buf, 4), getpid(), "zombie: ppid is the parent");
	CHECK_EQ(stat_field(buf, 5), pid, "zombie: pgrp is its group");
	CHECK_EQ(stat_field(buf, 52), 3 << 8, "zombie: exit_code (stat field 52) 3 << 8");
	CHECK(slurp(path_of("/proc/%d/status", pid), buf) > 0, "read the zombie's status");
	CHECK(status_has(buf, "State", "Z (zombie)"), "zombie: status State Z (zombie)");
	CHECK_EQ(status_num(buf, "PPid"), getpid(), "zombie: status PPid is the parent");
	CHECK_EQ(status_num(buf, "Threads"), 1, "zombie: status Threads 1");
	CHECK_EQ(status_num(buf, "VmRSS"), -100, "zombie: status has no VmRSS (no memory)");
	CHECK_EQ(slurp(path_of("/proc/%d/cmdline", pid), buf), 0, "zombie: cmdline is empty");
	CHECK_ERR(slurp(path_of("/proc/%d/environ", pid), buf), ESRCH, "zombie: environ is ESRCH");
	CHECK_ERR(slurp(path_of("/proc/%d/auxv", pid), buf), ESRCH, "zombie: auxv is ESRCH");
	CHECK_ERR(slurp(path_of("/proc/%d/mounts", pid), buf), EINVAL, "zombie: mounts is EINVAL");
	CHECK(slurp(path_of("/proc/%d/limits", pid), buf) > 0 && !strncmp(buf, "Limit ", 6),
	      "zombie: limits are still there");
	CHECK(slurp(path_of("/proc/%d/comm", pid), buf) > 0 && !strcmp(buf, "kid\n"),
	      "zombie: comm is still kid");
	CHECK(slurp(path_of("/proc/%d/statm", pid), buf) > 0 && !strcmp(buf, "0 0 0 0 0 0 0\n"),
	      "zombie: statm all 0");
	CHECK_EQ(slurp(path_of("/proc/%d/maps", pid), buf), 0, "zombie: maps is empty");
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	CHECK_ERR(readlink(path, link, sizeof(link)), ENOENT, "zombie: exe is ENOENT");
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	CHECK_ERR(readlink(path, link, sizeof(link)), ENOENT, "zombie: cwd is ENOENT");
	{
		int has_a, has_b;

		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		CHECK(list_dir(path, pid, 0, &has_a, &has_b) == 1 && has_a,
		      "zombie: task/ lists its main thread only");
		CHECK(list_dir("/proc", pid, 0, &has_a, &has_b) > 0 && has_a,
		      "zombie: /proc still lists it");
		CHECK_EQ(list_dir(path_of("/proc/%d/fd", pid), 0, 0, &has_a, &has_b), 0,
			 "zombie: fd/ is empty");
	}

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open the zombie's stat before it is reaped");
	CHECK(waitpid(pid, NULL, 0) == pid, "waitpid reaps it");
	CHECK_ERR(read(fd, buf, sizeof(buf)), ESRCH, "its stat opened before: read gives ESRCH");
	close(fd);
	CHECK_ERR(open(path, O_RDONLY), ENOENT, "reaped: /proc/<pid>/stat is ENOENT");
	snprintf(path, sizeof(path), "/proc/%d", pid);
	CHECK_ERR(access(path, F_OK), ENOENT, "reaped: /proc/<pid> is ENOENT");
	{
		int has_a, has_b;

		CHECK(list_dir("/proc", pid, getpid(), &has_a, &has_b) > 0 && !has_a && has_b,
		      "reaped: /proc lists the parent, not the child");
	}
	CHECK_ERR(access("/proc/0", F_OK), ENOENT, "/proc/0: ENOENT");
	CHECK_ERR(access("/proc/2147483647/stat", F_OK), ENOENT,
		  "/proc/<a pid no process has>/stat: ENOENT");
}

static void *leader_gone_thread(void *arg)
{
	char c;

	prctl(PR_SET_NAME, "still-here");
	(void)!read(go[0], &c, 1);
	_exit(4);
}

/* A process whose main thread has ended while another runs: its main thread is a zombie
 * (state Z, the name it had, no memory), counted among 2 threads until the other ends. */
static void leader_gone(void)
{
	pid_t pid;
	int status = 0;

	if (pipe(go)) {
		printf("FAIL pipe: %s\n", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		pthread_t t;

		close(go[1]);
		prctl(PR_SET_NAME, "leader");
		if (pthread_create(&t, NULL, leader_gone_thread, NULL))
			_exit(2);
		/* (not pthread_exit: a dynamic glibc's needs libgcc_s, not in Mote's image) */
		syscall(SYS_exit, 0);
	}
	close(go[0]);
	for (int i = 0; i < 500; i++) {
		if (slurp(path_of("/proc/%d/stat", pid), buf) > 0 && stat_state(buf) == 'Z')
			break;
		usleep(10000);
	}
	CHECK_EQ(stat_state(buf), 'Z', "main thread ended, another runs: stat state Z");
	CHECK(strncmp(strchr(buf, ' ') ? strchr(buf, ' ') : "", " (leader) ", 10) == 0,
	      "main thread ended: stat keeps its name");
	CHECK(slurp(path_of("/proc/%d/status", pid), buf) > 0 &&
		      status_has(buf, "State", "Z (zombie)") && status_num(buf, "Threads") == 2 &&
		      status_num(buf, "VmRSS") == -100,
	      "main thread ended: status Z (zombie), Threads 2, no memory");
	CHECK(slurp(path_of("/proc/%d/comm", pid), buf) > 0 && !strcmp(buf, "leader\n"),
	      "main thread ended: comm leader");
	close(go[1]);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 4,
	      "its other thread ends it with exit status 4");
}

int main(void)
{
	pid_t pid, tid = 0;
	char seen = 0;

	check_start();
	if (pipe(go) || pipe(out)) {
		printf("FAIL pipe: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid == 0)
		kid();
	close(go[0]);
	close(out[1]);
	CHECK(pid > 0, "fork a child");
	CHECK(read(out[0], &seen, 1) == 1 && seen == 'y',
	      "/proc/self in the child: the child's pid");
	CHECK(read(out[0], &tid, sizeof(tid)) == sizeof(tid) && tid > 0 && tid != pid,
	      "the child's second thread has a tid of its own");
	live_child(pid, tid);
	zombie_child(pid);
	leader_gone();
	return check_done();
}
