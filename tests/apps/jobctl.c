/* jobctl.c: job control: children stopped by the stop signals and continued by SIGCONT, what
 * the parent's waitpid/waitid (WUNTRACED, WCONTINUED, WNOWAIT) and SIGCHLD (CLD_STOPPED,
 * CLD_CONTINUED, SA_NOCLDSTOP) see, SIGKILL on a stopped child, a stop of every thread, the
 * pending stop signals and SIGCONT discarding each other; then a session on a pseudo-terminal,
 * whose foreground group gets VINTR's SIGINT and VSUSP's SIGTSTP. SIGCHLD stays blocked and is
 * taken with sigtimedwait, so each notice is checked in order. Children that stop themselves
 * lead their own process group first: a stop by SIGTSTP, SIGTTIN or SIGTTOU is discarded in an
 * orphaned group on Linux, and the group the harness runs us in may be one. Prints no pid. */
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define WAIT_S 10    /* for what must come */
#define QUIET_MS 300 /* for what must not */

static sigset_t chld;

/* The next SIGCHLD within ms; its si_code (and si_status in *status), or 0 if none came. */
static int next_chld(int ms, int *status)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	siginfo_t si;

	if (sigtimedwait(&chld, &si, &ts) != SIGCHLD)
		return 0;
	if (status)
		*status = si.si_status;
	return si.si_code;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A child that runs fn after leading its own group. */
static pid_t child(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		fn();
		_exit(0);
	}
	return pid;
}

static int go_pipe[2]; /* a byte lets a waiting child go on */

/* Stops itself; once continued, waits for the parent's go and exits 7. */
static void stop_self(void)
{
	char c;

	raise(SIGSTOP);
	read(go_pipe[0], &c, 1);
	_exit(7);
}

static void go(void)
{
	write(go_pipe[1], "g", 1);
}

/* Take the SIGCHLDs still to come (a standard signal is pending once: several notices may
 * have become one). */
static void drain(void)
{
	while (next_chld(QUIET_MS, NULL))
		;
}

static void wait_forever(void)
{
	for (;;)
		pause();
}

static void stop_and_continue(void)
{
	int st = 0, status = 0;
	siginfo_t si;
	pid_t pid = child(stop_self);

	CHECK(waitpid(pid, &st, WUNTRACED) == pid, "waitpid(WUNTRACED) returns the child");
	CHECK(WIFSTOPPED(st), "WIFSTOPPED after raise(SIGSTOP)");
	CHECK_EQ(WSTOPSIG(st), SIGSTOP, "WSTOPSIG");
	CHECK_EQ(next_chld(WAIT_S * 1000, &status), CLD_STOPPED, "SIGCHLD: CLD_STOPPED");
	CHECK_EQ(status, SIGSTOP, "its si_status is the signal");
	CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0, "the stop is reported once");
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WSTOPPED | WNOHANG), 0, "waitid(WSTOPPED) after it");
	CHECK_EQ(si.si_pid, 0, "... finds nothing either");
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0, "a stopped child has not ended");

	CHECK_EQ(kill(pid, SIGCONT), 0, "kill(SIGCONT)");
	CHECK(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st),
	      "waitpid(WCONTINUED) reports it continued");
	CHECK_EQ(next_chld(WAIT_S * 1000, &status), CLD_CONTINUED, "SIGCHLD: CLD_CONTINUED");
	CHECK_EQ(status, SIGCONT, "its si_status is SIGCONT");
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WCONTINUED | WNOHANG), 0, "waitid(WCONTINUED) again");
	CHECK_EQ(si.si_pid, 0, "... the continue is reported once");
	go();
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	      "then it runs on to its exit");
	CHECK_EQ(next_chld(WAIT_S * 1000, NULL), CLD_EXITED, "SIGCHLD: CLD_EXITED");
}

static void with_waitid(void)
{
	siginfo_t si;
	int st;
	pid_t pid = child(stop_self);

	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT), 0, "waitid(WSTOPPED | WNOWAIT)");
	CHECK(si.si_pid == pid && si.si_signo == SIGCHLD, "it names the child");
	CHECK_EQ(si.si_code, CLD_STOPPED, "si_code CLD_STOPPED");
	CHECK_EQ(si.si_status, SIGSTOP, "si_status SIGSTOP");
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WSTOPPED), 0, "WNOWAIT left it: waitid(WSTOPPED)");
	CHECK_EQ(si.si_code, CLD_STOPPED, "CLD_STOPPED again");
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WSTOPPED | WNOHANG), 0, "and then");
	CHECK_EQ(si.si_pid, 0, "nothing");
	(void)next_chld(WAIT_S * 1000, NULL);
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(waitid(P_PID, pid, &si, WCONTINUED), 0, "waitid(WCONTINUED)");
	CHECK_EQ(si.si_code, CLD_CONTINUED, "si_code CLD_CONTINUED");
	CHECK_EQ(si.si_status, SIGCONT, "si_status SIGCONT");
	(void)next_chld(WAIT_S * 1000, NULL);
	go();
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "it ends");
	(void)next_chld(WAIT_S * 1000, NULL);
}

static void nocldstop(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL, .sa_flags = SA_NOCLDSTOP }, old;
	int st = 0, status = 0;
	pid_t pid;

	sigaction(SIGCHLD, &sa, &old);
	pid = child(stop_self);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st),
	      "SA_NOCLDSTOP: the stop is still reported to waitpid");
	CHECK_EQ(next_chld(QUIET_MS, NULL), 0, "but no SIGCHLD for it");
	kill(pid, SIGCONT);
	CHECK(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st), "nor the continue");
	CHECK_EQ(next_chld(QUIET_MS, NULL), 0, "no SIGCHLD for that");
	go();
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "it ends");
	CHECK_EQ(next_chld(WAIT_S * 1000, &status), CLD_EXITED, "and its end sends SIGCHLD");
	CHECK_EQ(status, 7, "with its status");
	sigaction(SIGCHLD, &old, NULL);
}

static void kill_stopped(void)
{
	int st = 0, status = 0;
	pid_t pid = child(stop_self);

	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st), "stopped");
	(void)next_chld(WAIT_S * 1000, NULL);
	CHECK_EQ(kill(pid, SIGKILL), 0, "SIGKILL to the stopped child");
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "it dies of SIGKILL while stopped");
	CHECK_EQ(next_chld(WAIT_S * 1000, &status), CLD_KILLED, "SIGCHLD: CLD_KILLED");
	CHECK_EQ(status, SIGKILL, "with SIGKILL");
}

/* The default action of SIGTSTP, SIGTTIN and SIGTTOU (sent by the parent) stops too. A
 * fatal signal other than SIGKILL waits for the stopped child to be continued. */
static void other_stops(void)
{
	static const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	static const char *const names[] = { "SIGTSTP", "SIGTTIN", "SIGTTOU" };

	for (int i = 0; i < 3; i++) {
		int st = 0;
		pid_t pid = child(wait_forever);

		/* the child may not be in pause() yet: the stop comes all the same */
		kill(pid, sigs[i]);
		CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) &&
			      WSTOPSIG(st) == sigs[i],
		      "%s's default action stops the child", names[i]);
		(void)next_chld(WAIT_S * 1000, NULL);
		kill(pid, SIGTERM);
		sleep_ms(QUIET_MS);
		CHECK_EQ(waitpid(pid, &st, WNOHANG), 0, "SIGTERM leaves it stopped");
		kill(pid, SIGCONT);
		CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
		      "continued, it dies of the SIGTERM");
		drain();
	}
}

/* --- every thread stops --- */

static atomic_long *counter;

static void *spin(void *arg)
{
	for (;;)
		atomic_fetch_add(counter, 1);
	return NULL;
}

static void threads_stop(void)
{
	pthread_t th;

	pthread_create(&th, NULL, spin, NULL);
	while (atomic_load(counter) < 1000)
		;
	raise(SIGSTOP);
	_exit(0);
}

static void all_threads(void)
{
	int st = 0;
	long a, b;
	pid_t pid;

	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid = child(threads_stop);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st),
	      "a child with two threads stops");
	(void)next_chld(WAIT_S * 1000, NULL);
	a = atomic_load(counter);
	sleep_ms(QUIET_MS);
	b = atomic_load(counter);
	CHECK(a == b, "its other thread stopped too");
	kill(pid, SIGCONT);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "continued, it ends");
	drain();
	munmap(counter, 4096);
}

/* --- pending stops and SIGCONT discard each other --- */

static int sync_pipe[2];
static volatile sig_atomic_t cont_handled;

static void on_cont(int sig)
{
	cont_handled = 1;
}

/* Blocks SIGTSTP, SIGCONT and SIGTTOU, says it is ready, waits for the parent's go, and exits
 * with a bit per signal still pending: 1 SIGTSTP, 2 SIGCONT, 4 SIGTTOU. */
static void pending_child(void)
{
	sigset_t set, pend;
	char c;

	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, NULL);
	write(sync_pipe[1], "r", 1);
	read(go_pipe[0], &c, 1);
	sigpending(&pend);
	_exit((sigismember(&pend, SIGTSTP) ? 1 : 0) | (sigismember(&pend, SIGCONT) ? 2 : 0) |
	      (sigismember(&pend, SIGTTOU) ? 4 : 0));
}

/* Stops itself, then reports whether its SIGCONT handler ran once it was continued. */
static void handler_child(void)
{
	struct sigaction sa = { .sa_handler = on_cont };

	sigaction(SIGCONT, &sa, NULL);
	raise(SIGSTOP);
	_exit(cont_handled ? 5 : 6);
}

static void discards(void)
{
	int st = 0;
	char c;
	pid_t pid;

	pipe(sync_pipe);
	pid = child(pending_child);
	read(sync_pipe[0], &c, 1);
	kill(pid, SIGTSTP);
	kill(pid, SIGCONT);
	write(go_pipe[1], "g", 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "a child blocking the signals ends");
	CHECK_EQ(WEXITSTATUS(st), 2, "SIGCONT discarded the pending SIGTSTP (SIGCONT pending)");
	drain();

	pid = child(pending_child);
	read(sync_pipe[0], &c, 1);
	kill(pid, SIGCONT);
	kill(pid, SIGTTOU);
	write(go_pipe[1], "g", 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "again");
	CHECK_EQ(WEXITSTATUS(st), 4, "SIGTTOU discarded the pending SIGCONT (SIGTTOU pending)");
	drain();
	close(sync_pipe[0]);
	close(sync_pipe[1]);

	pid = child(handler_child);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st),
	      "a child with a SIGCONT handler stops");
	(void)next_chld(WAIT_S * 1000, NULL);
	kill(pid, SIGCONT);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5,
	      "continued, its handler ran");
	drain();
}

int main(void)
{
	check_start();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if (pipe(go_pipe)) {
		printf("FAIL pipe: %s\n", strerror(errno));
		return 1;
	}
	stop_and_continue();
	with_waitid();
	nocldstop();
	kill_stopped();
	other_stops();
	all_threads();
	discards();
	return check_done();
}
