/* vmm_privdrop_test.c: motevm's privilege drop (vmm/privdrop.c), no KVM needed. As root, a
 * child drops and must have nothing left: every capability set of /proc empty, and by
 * behaviour no device node, no other user's file, no raised real-time limit. Capabilities
 * belong to a thread: one created after the drop has none, one created before keeps its own
 * (why motevm drops in the main thread before the vCPU threads and in the API thread). A
 * child that is not root drops too, without failing. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "privdrop.h"

#define OTHER_UID 12345

static char dir[] = "/tmp/mote-privdrop-test-XXXXXX";
static char secret[256];

/* Field NAME ("CapEff"..., hexadecimal) of PATH (a /proc status file); ~0 if absent. */
static unsigned long long cap_set(const char *path, const char *name)
{
	unsigned long long v = ~0ULL;
	char line[256];
	size_t n = strlen(name);
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, n) == 0 && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	}
	if (f)
		fclose(f);
	return v;
}

/* A thread that reports its tid, then on each word from the main thread opens the secret. */
struct worker {
	pthread_t thread;
	int ready[2], go[2];
	pid_t tid;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	int cmd, result;

	w->tid = gettid();
	if (write(w->ready[1], &w->tid, sizeof(w->tid)) != sizeof(w->tid))
		return NULL;
	while (read(w->go[0], &cmd, sizeof(cmd)) == sizeof(cmd) && cmd) {
		int fd = open(secret, O_RDONLY);

		result = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		if (write(w->ready[1], &result, sizeof(result)) != sizeof(result))
			break;
	}
	return NULL;
}

static int worker_start(struct worker *w)
{
	pid_t tid;

	if (pipe(w->ready) || pipe(w->go) || pthread_create(&w->thread, NULL, work, w))
		return -1;
	return read(w->ready[0], &tid, sizeof(tid)) == sizeof(tid) ? 0 : -1;
}

/* The worker's open of the secret: 0 or its errno. */
static int worker_open(struct worker *w)
{
	int cmd = 1, result = -1;

	if (write(w->go[1], &cmd, sizeof(cmd)) != sizeof(cmd) ||
	    read(w->ready[0], &result, sizeof(result)) != sizeof(result))
		return -1;
	return result;
}

static void worker_stop(struct worker *w)
{
	int cmd = 0;

	if (write(w->go[1], &cmd, sizeof(cmd)) == sizeof(cmd))
		pthread_join(w->thread, NULL);
}

static unsigned long long task_cap(pid_t tid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	return cap_set(path, name);
}

/* In the child, as root: the drop, then what it left. Exits with the number of failures. */
static void root_child(void)
{
	static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	struct worker before, after;
	struct rlimit rl;
	char node[300];
	int r;

	CHECK(worker_start(&before) == 0);
	CHECK(task_cap(before.tid, "CapEff") != 0);
	r = privdrop_thread();
	printf("privdrop_thread as root: %d (%s)\n", r, r ? strerror(-r) : "ok");
	CHECK(r == 0);
	CHECK(worker_start(&after) == 0);
	for (unsigned i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		unsigned long long v = cap_set("/proc/thread-self/status", sets[i]);

		printf("  %s %016llx\n", sets[i], v);
		CHECK(v == 0);
	}
	CHECK(cap_set("/proc/thread-self/status", "NoNewPrivs") == 1);
	snprintf(node, sizeof(node), "%s/null", dir);
	CHECK(mknod(node, S_IFCHR | 0600, makedev(1, 3)) < 0 && errno == EPERM);
	CHECK(open(secret, O_RDONLY) < 0 && errno == EACCES);
	CHECK(getrlimit(RLIMIT_RTPRIO, &rl) == 0 && rl.rlim_cur == 0 && rl.rlim_max == 0);
	CHECK(setrlimit(RLIMIT_RTPRIO, &(struct rlimit){ 1, 1 }) < 0 && errno == EPERM);
	CHECK(getrlimit(RLIMIT_MSGQUEUE, &rl) == 0 && rl.rlim_cur == 0 && rl.rlim_max == 0);
	/* inherited by a thread created afterwards; not taken from one that was running */
	printf("  thread created after: CapEff %016llx, open: %s\n", task_cap(after.tid, "CapEff"),
	       strerror(worker_open(&after)));
	CHECK(task_cap(after.tid, "CapEff") == 0);
	CHECK(worker_open(&after) == EACCES);
	printf("  thread created before: CapEff %016llx, open: %s\n",
	       task_cap(before.tid, "CapEff"), strerror(worker_open(&before)));
	CHECK(task_cap(before.tid, "CapEff") != 0);
	CHECK(task_cap(before.tid, "CapBnd") != 0);
	CHECK(worker_open(&before) == 0);
	/* a second drop (nothing left, no CAP_SETPCAP for the bounding set) still succeeds */
	CHECK(privdrop_thread() == 0);
	worker_stop(&before);
	worker_stop(&after);
	printf("  child: %d/%d checks passed\n", check_total - check_fails, check_total);
	fflush(stdout);
	_exit(check_fails);
}

/* In the child, as another user: nothing to drop but the sets, and no failure. */
static void user_child(void)
{
	int r;

	CHECK(setresgid(OTHER_UID, OTHER_UID, OTHER_UID) == 0);
	CHECK(setresuid(OTHER_UID, OTHER_UID, OTHER_UID) == 0);
	r = privdrop_thread();
	printf("privdrop_thread as uid %d: %d (%s)\n", OTHER_UID, r, r ? strerror(-r) : "ok");
	CHECK(r == 0);
	CHECK(cap_set("/proc/thread-self/status", "CapEff") == 0);
	CHECK(cap_set("/proc/thread-self/status", "CapPrm") == 0);
	CHECK(cap_set("/proc/thread-self/status", "CapAmb") == 0);
	CHECK(cap_set("/proc/thread-self/status", "NoNewPrivs") == 1);
	printf("  child: %d/%d checks passed\n", check_total - check_fails, check_total);
	fflush(stdout);
	_exit(check_fails);
}

/* CHILD in a forked process; its exit status (its failures), or -1. */
static int in_child(void (*child)(void))
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		check_total = check_fails = 0; /* the child's own count */
		child();
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(void)
{
	char cmd[300];
	int fd;

	if (geteuid() != 0) {
		printf("SKIP: not root (the drop is checked against root's capabilities)\n");
		return 77;
	}
	if (!mkdtemp(dir)) {
		CHECK(0);
		return check_done();
	}
	/* a file root reads only through CAP_DAC_OVERRIDE */
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	fd = open(secret, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1);
	if (fd >= 0)
		close(fd);
	CHECK(chown(secret, OTHER_UID, OTHER_UID) == 0);
	CHECK(in_child(root_child) == 0);
	CHECK(in_child(user_child) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return check_done();
}
