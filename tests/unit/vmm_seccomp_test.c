/* vmm_seccomp_test.c: motevm's seccomp filters (vmm/seccomp/), no KVM needed. For each thread
 * category a child installs the category's built-in filter through motevm's own module, makes
 * the calls that thread makes (it must live), then one call outside the list: it must exit
 * with 148 and its log line must name the call. Then seccompiler JSON files through the same
 * compiler: a good one (allowed call lives, another traps), and bad ones refused with a
 * message that says why. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/kvm.h>

#include "abi/mote_abi.h"
#include "check.h"
#include "log.h"
#include "seccomp/filter.h"
#include "seccomp/json.h"
#include "seccomp/rules.h"

static char dir[] = "/tmp/mote-seccomp-test-XXXXXX";
static char log_path[256];
/* The built-in rules allow tgkill to the compiling process only: each child compiles its own. */
static bool builtin;
static pid_t test_pid;

/* Descriptors the children make before their filter, as motevm's set-up does. */
static int epfd, efd, pipes[2], sockets[2], listener, file_fd;

static void kicked(int sig)
{
	(void)sig;
}

static void prepare_fds(void)
{
	struct epoll_event ev = { .events = EPOLLIN };

	signal(SIGRTMIN, kicked);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (pipe2(pipes, O_NONBLOCK) || socketpair(AF_UNIX, SOCK_STREAM, 0, sockets))
		_exit(90);
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	/* autobind: an abstract name nobody connects to */
	if (bind(listener, (struct sockaddr *)&(sa_family_t){ AF_UNIX }, sizeof(sa_family_t)) ||
	    listen(listener, 1) < 0)
		_exit(91);
	file_fd = open("/proc/self/exe", O_RDONLY);
	ev.data.fd = efd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev);
}

/* glibc's allocator, locks and condition variables, the clock, a log line. */
static void common_calls(void)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec t;
	char *big = malloc(8 << 20), *bigger, *small = malloc(100);

	if (!big || !small)
		_exit(88);
	memset(big, 1, 8 << 20);
	bigger = realloc(big, 16 << 20); /* mremap */
	free(bigger ? bigger : big);
	free(small);
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m);
	pthread_cond_timedwait(&c, &m, &t);
	pthread_mutex_unlock(&m);
	log_msg(LOG_INFO, __FILE__, __LINE__, "still alive");
}

/* What the devices do on the event loop and on vCPU threads. */
static void device_calls(void)
{
	char buf[64] = "x";
	struct iovec v = { buf, sizeof(buf) };
	struct pollfd p = { .fd = pipes[1], .events = POLLOUT };
	uint64_t one = 1;

	if (write(efd, &one, 8) != 8 || read(efd, &one, 8) != 8)
		_exit(92);
	if (writev(pipes[1], &v, 1) < 0 || readv(pipes[0], &v, 1) < 0)
		_exit(93);
	if (pread(file_fd, buf, 16, 0) != 16 || preadv(file_fd, &v, 1, 0) < 0)
		_exit(94);
	if (getrandom(buf, 16, 0) != 16 || poll(&p, 1, 0) != 1)
		_exit(95);
	if (send(sockets[0], "y", 1, MSG_NOSIGNAL) != 1 || recv(sockets[1], buf, 1, 0) != 1)
		_exit(96);
	ioctl(file_fd, KVM_IRQ_LINE, NULL); /* ENOTTY: the filter let it through */
	ioctl(file_fd, TUNSETOFFLOAD, 0UL);
	pthread_kill(pthread_self(), SIGRTMIN); /* the kick (vcpu_kick) */
}

static void vcpu_calls(void)
{
	common_calls();
	device_calls();
	/* On a file, ENOTTY; what matters is that the filter lets these requests through. */
	ioctl(file_fd, KVM_RUN, 0);
	ioctl(file_fd, KVM_KVMCLOCK_CTRL, 0);
	ioctl(file_fd, KVM_GET_REGS, NULL);
}

static void api_calls(void)
{
	struct epoll_event ev;
	char buf[8];
	uint64_t one = 1;

	common_calls();
	epoll_wait(epfd, &ev, 1, 0);
	if (accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC) >= 0 || errno != EAGAIN)
		_exit(97);
	if (send(sockets[0], "ab", 2, MSG_NOSIGNAL | MSG_DONTWAIT) != 2 ||
	    recv(sockets[1], buf, sizeof(buf), MSG_DONTWAIT) != 2)
		_exit(98);
	if (write(efd, &one, 8) != 8)
		_exit(99);
	close(sockets[0]);
}

static int helper(void *arg)
{
	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	getppid();
	close(0);
	_exit(0);
}

static void vmm_calls(void)
{
	struct epoll_event ev;
	struct winsize ws;
	struct stat st;
	void *stack = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	int fd, fl;

	common_calls();
	device_calls();
	epoll_wait(epfd, &ev, 1, 0);
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0 || timerfd_settime(fd, 0, &(struct itimerspec){ .it_value.tv_sec = 60 }, NULL))
		_exit(100);
	close(fd);
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC); /* PATCH /drives */
	if (fd < 0 || fstat(fd, &st) || lseek(fd, 0, SEEK_END) <= 0)
		_exit(101);
	close(fd);
	fd = fcntl(pipes[0], F_DUPFD_CLOEXEC, 3); /* PATCH /drives to "/dev/fd/N" (inherit.c) */
	if (fd < 0)
		_exit(104);
	close(fd);
	fl = fcntl(pipes[0], F_GETFL);
	if (fl < 0 || fcntl(pipes[0], F_SETFL, fl) < 0)
		_exit(102);
	ioctl(pipes[1], TIOCGWINSZ, &ws);
	ioctl(pipes[1], TCGETS, &ws);
	/* the teardown helper, which runs under this filter */
	if (stack == MAP_FAILED ||
	    clone(helper, (char *)stack + 65536, CLONE_VM | CLONE_UNTRACED, NULL) < 0)
		_exit(103);
	unlink("/nonexistent/motevm.socket");
}

static void bad_execve(void)
{
	char *argv[] = { "/bin/true", NULL };

	execve("/bin/true", argv, NULL);
}

static void bad_inet_socket(void)
{
	socket(AF_INET, SOCK_STREAM, 0);
}

static void bad_tty_ioctl(void)
{
	struct termios t;

	ioctl(file_fd, TCSETS, &t); /* not a vCPU's request */
}

static void bad_exec_mmap(void)
{
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void bad_shared_mmap(void)
{
	mmap(NULL, 4096, PROT_READ, MAP_SHARED, file_fd, 0);
}

static void bad_creat(void)
{
	open("/tmp/mote-seccomp-created", O_WRONLY | O_CREAT, 0600);
}

static void bad_open(void)
{
	open("/proc/self/exe", O_RDONLY);
}

/* A kick to another process (the test itself, which ignores it) rather than a vCPU. */
static void bad_tgkill_other(void)
{
	syscall(SYS_tgkill, test_pid, test_pid, SIGRTMIN);
}

static void bad_mprotect_exec(void)
{
	static char page[4096] __attribute__((aligned(4096)));

	mprotect(page, sizeof(page), PROT_READ | PROT_EXEC);
}

/* The child's log (its SIGSYS line among the rest). */
static const char *read_log(void)
{
	static char buf[8192];
	int fd = open(log_path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/*
 * Forks a child that applies category T's compiled program, makes GOOD's calls, then BAD's
 * (NULL: none, exit 0). Returns the child's exit status (-1 if killed, with the signal shown).
 */
static int run(enum seccomp_thread t, void (*good)(void), void (*bad)(void))
{
	pid_t pid;
	int st;

	unlink(log_path);
	pid = fork();
	if (pid == 0) {
		char err[512];

		prepare_fds();
		if (builtin && seccomp_rules_compile(err, sizeof(err)))
			_exit(87);
		if (log_open(log_path) || seccomp_apply(t))
			_exit(89);
		good();
		if (bad)
			bad();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -2;
	if (WIFSIGNALED(st)) {
		printf("  child killed by signal %d\n", WTERMSIG(st));
		return -1;
	}
	if (WEXITSTATUS(st) && !bad) /* what went wrong */
		printf("  status %d, log:\n%s", WEXITSTATUS(st), read_log());
	return WEXITSTATUS(st);
}

/* Category T: the thread's own calls live, BAD exits 148 naming NAME. */
static void expect_trap(enum seccomp_thread t, void (*good)(void), void (*bad)(void),
			const char *name)
{
	char want[64];
	int st = run(t, good, bad);

	snprintf(want, sizeof(want), ": %s)", name);
	printf("%s filter, bad call %s: status %d\n", seccomp_thread_name(t), name, st);
	CHECK(st == MOTE_STATUS_BAD_SYSCALL);
	CHECK(strstr(read_log(), "still alive") != NULL);
	CHECK(strstr(read_log(), "Shutting down VM after intercepting a bad syscall") != NULL);
	CHECK(strstr(read_log(), want) != NULL);
}

static void test_builtin(void)
{
	char err[512] = "";

	CHECK(seccomp_rules_compile(err, sizeof(err)) == 0);
	if (err[0])
		printf("  %s\n", err);
	CHECK(seccomp_ready());
	builtin = true;
	/* each category's own calls, and nothing else */
	CHECK(run(SECCOMP_VMM, vmm_calls, NULL) == 0);
	CHECK(run(SECCOMP_API, api_calls, NULL) == 0);
	CHECK(run(SECCOMP_VCPU, vcpu_calls, NULL) == 0);
	expect_trap(SECCOMP_VMM, vmm_calls, bad_execve, "execve");
	expect_trap(SECCOMP_VMM, vmm_calls, bad_creat, "openat");
	expect_trap(SECCOMP_VMM, vmm_calls, bad_inet_socket, "socket");
	expect_trap(SECCOMP_VMM, vmm_calls, bad_exec_mmap, "mmap");
	expect_trap(SECCOMP_VMM, vmm_calls, bad_shared_mmap, "mmap");
	expect_trap(SECCOMP_API, api_calls, bad_inet_socket, "socket");
	expect_trap(SECCOMP_API, api_calls, bad_open, "openat");
	expect_trap(SECCOMP_API, api_calls, bad_execve, "execve");
	expect_trap(SECCOMP_VCPU, vcpu_calls, bad_tty_ioctl, "ioctl");
	expect_trap(SECCOMP_VCPU, vcpu_calls, bad_open, "openat");
	expect_trap(SECCOMP_VCPU, vcpu_calls, bad_mprotect_exec, "mprotect");
	expect_trap(SECCOMP_VCPU, vcpu_calls, bad_execve, "execve");
	expect_trap(SECCOMP_VCPU, vcpu_calls, bad_tgkill_other, "tgkill");
	expect_trap(SECCOMP_VMM, vmm_calls, bad_tgkill_other, "tgkill");
	builtin = false;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A filter that lets a child do only what common_calls and getppid need. */
#define CATEGORY(extra)                                                                     \
	"{\"default_action\": \"trap\", \"filter_action\": \"allow\", \"filter\": ["        \
	"{\"syscall\": \"write\"}, {\"syscall\": \"futex\"}, {\"syscall\": \"brk\"},"       \
	"{\"syscall\": \"mmap\", \"args\": [{\"index\": 2, \"type\": \"dword\","            \
	" \"op\": {\"masked_eq\": 4}, \"val\": 0, \"comment\": \"no PROT_EXEC\"}]},"        \
	"{\"syscall\": \"munmap\"}, {\"syscall\": \"mremap\"}, {\"syscall\": \"madvise\"}," \
	"{\"syscall\": \"mprotect\"}, {\"syscall\": \"clock_gettime\"},"                    \
	"{\"syscall\": \"exit_group\"}, {\"syscall\": \"rt_sigreturn\"}" extra "]}"

static const char good_json[] = "{\"vmm\": " CATEGORY(
	", {\"syscall\": \"getppid\"}") ",\n"
					" \"api\": " CATEGORY(
						"") ",\n"
						    " \"vcpu\": " CATEGORY(
							    ", {\"syscall\": \"ioctl\", \"args\": [{\"index\": 1,"
							    " \"type\": \"dword\", \"op\": \"eq\", \"val\": 44672,"
							    " \"comment\": \"KVM_RUN\"}]}") "}\n";

static void json_getppid(void)
{
	getppid();
}

static void json_run(void)
{
	ioctl(file_fd, KVM_RUN, 0);
}

/* PATH's JSON must be refused with a message containing WANT. */
static void expect_refused(const char *name, const char *text, const char *want)
{
	char path[300], err[512] = "";

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, text);
	CHECK(seccomp_json_compile(path, err, sizeof(err)) == -1);
	printf("%s: %s\n", name, err);
	CHECK(strstr(err, path) != NULL);
	CHECK(strstr(err, want) != NULL);
}

static void test_json(void)
{
	char path[300], err[512] = "";

	snprintf(path, sizeof(path), "%s/good.json", dir);
	write_file(path, good_json);
	CHECK(seccomp_json_compile(path, err, sizeof(err)) == 0);
	if (err[0])
		printf("  %s\n", err);
	CHECK(run(SECCOMP_VMM, common_calls, json_getppid) == 0);
	CHECK(run(SECCOMP_VCPU, common_calls, json_run) == 0);
	expect_trap(SECCOMP_API, common_calls, json_getppid, "getppid");
	expect_trap(SECCOMP_VCPU, common_calls, bad_tty_ioctl, "ioctl");

	expect_refused("syntax.json", "{\"vmm\": {\"filter\": [}", "line 1");
	expect_refused(
		"unknown_call.json",
		"{\"vmm\": " CATEGORY(
			", {\"syscall\": \"no_such_call\"}") ","
							     " \"api\": " CATEGORY(
								     "") ", \"vcpu\": " CATEGORY("") "}",
		"vmm: unknown system call \"no_such_call\"");
	expect_refused("bad_op.json",
		       "{\"vmm\": " CATEGORY("") ", \"api\": " CATEGORY(
			       "") ","
				   " \"vcpu\": " CATEGORY(
					   ", {\"syscall\": \"ioctl\", \"args\": [{\"index\": 1,"
					   " \"type\": \"dword\", \"op\": \"between\","
					   " \"val\": 1}]}") "}",
		       "vcpu.filter[11].args[0].op: unknown comparison");
	expect_refused(
		"bad_index.json",
		"{\"vmm\": " CATEGORY(
			", {\"syscall\": \"ioctl\", \"args\": [{\"index\": 6,"
			" \"type\": \"qword\", \"op\": \"eq\", \"val\": 1}]}") ", \"api\": " CATEGORY("") ", \"vcpu\": " CATEGORY("") "}",
		"vmm.filter[11].args[0].index");
	expect_refused("bad_action.json",
		       "{\"vmm\": {\"default_action\": \"explode\", \"filter_action\": \"allow\","
		       " \"filter\": []}, \"api\": " CATEGORY("") ", \"vcpu\": " CATEGORY("") "}",
		       "vmm.default_action: unknown action");
	expect_refused("missing.json", "{\"vmm\": " CATEGORY("") ", \"api\": " CATEGORY("") "}",
		       "no filter for the \"vcpu\" threads");
	expect_refused("extra.json", "{\"vmm\": " CATEGORY("") ", \"gpu\": {}}",
		       "unknown thread category \"gpu\"");
	expect_refused(
		"dword.json",
		"{\"vmm\": " CATEGORY(
			", {\"syscall\": \"ioctl\", \"args\": [{\"index\": 1,"
			" \"type\": \"dword\", \"op\": \"eq\","
			" \"val\": 4294967296}]}") ", \"api\": " CATEGORY("") ", \"vcpu\": " CATEGORY("") "}",
		"val: a number that fits a dword");
	expect_refused("not_json.json", "vmm: [read, write]\n", "line 1");
	snprintf(path, sizeof(path), "%s/absent.json", dir);
	CHECK(seccomp_json_compile(path, err, sizeof(err)) == -1 && strstr(err, "absent.json"));
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		CHECK(0);
		return check_done();
	}
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	log_set_level(LOG_INFO);
	/* Should a filter let bad_tgkill_other's signal through, the check fails, not the test. */
	sigaction(SIGRTMIN, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
	test_pid = getpid();
	test_builtin();
	test_json();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return check_done();
}
