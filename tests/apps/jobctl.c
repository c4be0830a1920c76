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
#include <stdbool.h>
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

/* A child that runs fn leading its own group (made so on both sides, so that it is before
 * either goes on). */
static pid_t child(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		static const int dfl[] = { SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU };
		sigset_t none;

		/* what we may have inherited (a harness in the background ignores SIGINT) */
		for (unsigned i = 0; i < sizeof(dfl) / sizeof(dfl[0]); i++)
			signal(dfl[i], SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		fn();
		_exit(0);
	}
	setpgid(pid, pid);
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

/* The state letter of /proc/PID/stat (after "(comm) "), or '?'. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
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
	CHECK_EQ(proc_state(pid), 'T', "/proc/PID/stat: state T (stopped)");

	CHECK_EQ(kill(pid, SIGCONT), 0, "kill(SIGCONT)");
	CHECK(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st),
	      "waitpid(WCONTINUED) reports it continued");
	CHECK(proc_state(pid) != 'T', "/proc/PID/stat: no longer T");
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

/* In a new session the child's group is orphaned (its parent is in another session): the
 * job-control stops do nothing there, as nobody could continue it; SIGSTOP still stops. */
static void orphan_tstp(void)
{
	setsid();
	raise(SIGTSTP);
	raise(SIGTTIN);
	raise(SIGTTOU);
	_exit(9);
}

static void orphan_stop(void)
{
	setsid();
	raise(SIGSTOP);
	_exit(10);
}

static void orphaned(void)
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0)
		orphan_tstp();
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9,
	      "an orphaned group ignores SIGTSTP, SIGTTIN and SIGTTOU");
	drain();
	pid = fork();
	if (pid == 0)
		orphan_stop();
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	      "but SIGSTOP stops it");
	kill(pid, SIGCONT);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 10,
	      "continued, it ends");
	drain();
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

/* --- a session on a pseudo-terminal ---
 *
 * A child leads a new session with the slave as its controlling terminal and runs the checks
 * (printing them itself; it exits with the number that failed), asking the parent, which
 * holds the master, to type a character or resize the window through a pipe of requests. Its
 * children are each in a group of their own. It ignores SIGTTOU, as a shell does, so that it
 * can give the terminal to a group from the background. */

static int req_pipe[2];	  /* the session leader's requests: 'c' ^C, 'z' ^Z, 'w' a new size */
static int ready_pipe[2]; /* a foreground child is set up */
static int tty_fd;	  /* the leader's and its children's terminal */

static void wait_ready(void)
{
	char r;

	read(ready_pipe[0], &r, 1);
}

/* Once the foreground child is ready, ask the parent for c. */
static void ask(char c)
{
	wait_ready();
	write(req_pipe[1], &c, 1);
}

static void fg_wait(void)
{
	write(ready_pipe[1], "r", 1);
	wait_forever();
}

static void on_winch(int sig)
{
	_exit(3);
}

static void fg_winch(void)
{
	signal(SIGWINCH, on_winch);
	fg_wait();
}

static void bg_read(void)
{
	char c;

	_exit(read(tty_fd, &c, 1) < 0 && errno == EIO ? 4 : 5);
}

static void bg_read_ignoring(void)
{
	signal(SIGTTIN, SIG_IGN);
	bg_read();
}

static void bg_write(void)
{
	_exit(write(tty_fd, "x", 1) == 1 ? 6 : 7);
}

static void bg_write_ignoring(void)
{
	signal(SIGTTOU, SIG_IGN);
	bg_write();
}

static void bg_tcsetattr(void)
{
	struct termios t;

	tcgetattr(tty_fd, &t);
	_exit(tcsetattr(tty_fd, TCSANOW, &t) == 0 ? 8 : 9);
}

/* A child of the leader running fn, made the foreground group if fg. */
static pid_t job(void (*fn)(void), bool fg)
{
	pid_t pid = child(fn);

	if (fg && tcsetpgrp(tty_fd, pid))
		printf("FAIL tcsetpgrp: %s\n", strerror(errno));
	return pid;
}

/* Wait for pid (WUNTRACED) and say how it changed: "signal N", "stopped N", "exit N". */
static const char *waited(pid_t pid)
{
	static char buf[32];
	int st = 0;

	if (waitpid(pid, &st, WUNTRACED) != pid)
		snprintf(buf, sizeof(buf), "waitpid: %s", strerror(errno));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "signal %d", WTERMSIG(st));
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof(buf), "stopped %d", WSTOPSIG(st));
	else
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
	if (WIFSTOPPED(st)) { /* done with it */
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	return buf;
}

static char want[32];

static const char *sig_is(const char *how, int sig)
{
	snprintf(want, sizeof(want), "%s %d", how, sig);
	return want;
}

static void session_leader(const char *name)
{
	int base = check_counts()->failed;
	struct termios t;
	pid_t pid;
	char c;

	CHECK(setsid() == getpid(), "the child leads a new session");
	if (pipe(ready_pipe))
		printf("FAIL pipe: %s\n", strerror(errno));
	signal(SIGTTOU, SIG_IGN);
	tty_fd = open(name, O_RDWR | O_NOCTTY);
	CHECK(tty_fd >= 0, "it opens the slave");
	CHECK_EQ(ioctl(tty_fd, TIOCSCTTY, 0), 0, "TIOCSCTTY makes it the session's terminal");
	CHECK(tcgetpgrp(tty_fd) == getpgrp(), "its group is in the foreground");
	CHECK(tcgetsid(tty_fd) == getsid(0), "tcgetsid is its session");

	pid = job(fg_wait, true);
	CHECK(tcgetpgrp(tty_fd) == pid, "tcsetpgrp gives the terminal to a child's group");
	ask('c');
	CHECK_STR(waited(pid), sig_is("signal", SIGINT),
		  "^C typed: the foreground child dies of SIGINT");

	pid = job(fg_wait, true);
	ask('z');
	CHECK_STR(waited(pid), sig_is("stopped", SIGTSTP), "^Z typed: it stops (SIGTSTP)");

	pid = job(fg_winch, true);
	ask('w');
	CHECK_STR(waited(pid), "exit 3", "a new window size: SIGWINCH to the foreground group");

	CHECK_EQ(tcsetpgrp(tty_fd, getpgrp()), 0, "the leader takes the terminal back");
	CHECK_STR(waited(job(bg_read, false)), sig_is("stopped", SIGTTIN),
		  "a background group's read stops it (SIGTTIN)");
	CHECK_STR(waited(job(bg_read_ignoring, false)), "exit 4",
		  "... or fails with EIO when it ignores SIGTTIN");
	CHECK_STR(waited(job(bg_write, false)), "exit 6", "without TOSTOP it writes");
	CHECK_STR(waited(job(bg_tcsetattr, false)), sig_is("stopped", SIGTTOU),
		  "its tcsetattr stops it (SIGTTOU)");
	tcgetattr(tty_fd, &t);
	t.c_lflag |= TOSTOP;
	CHECK_EQ(tcsetattr(tty_fd, TCSANOW, &t), 0, "TOSTOP set");
	CHECK_STR(waited(job(bg_write, false)), sig_is("stopped", SIGTTOU),
		  "with TOSTOP a background write stops it (SIGTTOU)");
	CHECK_STR(waited(job(bg_write_ignoring, false)), "exit 6", "... unless it ignores SIGTTOU");

	pid = job(fg_wait, true);
	wait_ready();
	errno = 0;
	CHECK(read(tty_fd, &c, 1) < 0 && errno == EIO,
	      "the leader's own read from the background: EIO (an orphaned group)");
	CHECK_EQ(ioctl(tty_fd, TIOCNOTTY), 0, "TIOCNOTTY by the leader");
	CHECK_STR(waited(pid), sig_is("signal", SIGHUP), "its foreground group got SIGHUP");
	CHECK_ERR(tcgetpgrp(tty_fd), ENOTTY, "no longer its terminal");
	_exit(check_counts()->failed - base);
}

static void pty_session(void)
{
	struct winsize ws = { .ws_row = 30, .ws_col = 100 };
	int m = posix_openpt(O_RDWR | O_NOCTTY), st = 0;
	char name[64], c;
	pid_t pid;

	if (m < 0 || grantpt(m) || unlockpt(m) || !ptsname(m) || pipe(req_pipe)) {
		printf("FAIL a pty: %s\n", strerror(errno));
		return;
	}
	snprintf(name, sizeof(name), "%s", ptsname(m));
	pid = fork();
	if (pid == 0) {
		close(m);
		close(req_pipe[0]);
		session_leader(name);
	}
	close(req_pipe[1]);
	while (read(req_pipe[0], &c, 1) == 1) {
		if (c == 'c')
			write(m, "\003", 1);
		else if (c == 'z')
			write(m, "\032", 1);
		else if (c == 'w')
			ioctl(m, TIOCSWINSZ, &ws);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "the session leader ends");
	CHECK_EQ(WEXITSTATUS(st), 0, "its checks passed");
	drain();
	close(req_pipe[0]);
	close(m);
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
	orphaned();
	all_threads();
	discards();
	pty_session();
	return check_done();
}
