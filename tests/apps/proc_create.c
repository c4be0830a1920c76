/* proc_create.c: creating processes: fork, vfork, a raw clone without CLONE_VM, posix_spawn.
 *
 * This is where the two worlds legitimately differ. Natively each call succeeds: the child exits
 * with status 7 at once and the parent reaps it. Inside Mote (one process, pid 1) process creation
 * is not supported in this phase and each call must fail cleanly with ENOSYS, leaving the program
 * running. Either outcome prints the same line ("fork: ok"); anything else is a failure. So the
 * output compares equal while each world is held to its own rule. */
#include "check.h"

#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

/* pid is what the creating call returned (-1 with errno set on failure) in the parent. */
static int created_or_enosys(pid_t pid, int err)
{
	int status = 0;

	if (pid < 0)
		return err == ENOSYS;
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7;
}

int main(int argc, char **argv)
{
	char *child_args[] = { argv[0], "child", NULL };
	pid_t pid;
	int err;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return 7; /* natively: the posix_spawn'ed child */
	check_start();
	fflush(stdout);

	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(7);
	err = errno;
	CHECK(created_or_enosys(pid, err), "fork: a child natively, ENOSYS in Mote");

	errno = 0;
	pid = vfork();
	if (pid == 0)
		_exit(7);
	err = errno;
	CHECK(created_or_enosys(pid, err), "vfork: a child natively, ENOSYS in Mote");

	errno = 0;
	pid = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0)
		syscall(SYS_exit_group, 7);
	err = errno;
	CHECK(created_or_enosys(pid, err), "clone(SIGCHLD): a child natively, ENOSYS in Mote");

	err = posix_spawn(&pid, argv[0], NULL, NULL, child_args, environ);
	CHECK(created_or_enosys(err ? -1 : pid, err),
	      "posix_spawn: a child natively, ENOSYS in Mote");

	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD, "no children are left over");
	CHECK(getpid() > 0, "and we are still running");
	return check_done();
}
