/* bomb.c: a fork bomb, bounded, for tests/e2e/processes.sh to run in a small VM: fork until
 * fork fails (each child dirties 1 MiB and waits), say how fork failed, kill and reap every
 * child; then a child that maps memory until there is none, and one more fork. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 100000
#define MIB (1 << 20)

static pid_t pids[MAX_CHILDREN];

int main(void)
{
	int n, err = 0, bad = 0, st;
	pid_t hog, last;

	for (n = 0; n < MAX_CHILDREN; n++) {
		pid_t p = fork();

		if (p < 0) {
			err = errno;
			break;
		}
		if (p == 0) {
			char *m = malloc(MIB);

			if (m)
				memset(m, 1, MIB);
			pause();
			_exit(0);
		}
		pids[n] = p;
	}
	printf("fork failed after %d: %s\n", n,
	       err == EAGAIN   ? "EAGAIN"
	       : err == ENOMEM ? "ENOMEM"
			       : strerror(err));
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		bad += waitpid(pids[i], &st, 0) != pids[i];
	printf("reaped all: %d bad\n", bad);
	fflush(stdout);

	hog = fork();
	if (hog == 0) {
		for (;;) {
			char *m = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (m == MAP_FAILED)
				_exit(3);
			memset(m, 1, MIB);
		}
	}
	if (hog < 0 || waitpid(hog, &st, 0) != hog)
		return 1;
	if (WIFSIGNALED(st))
		printf("hog: killed by %d\n", WTERMSIG(st));
	else
		printf("hog: exit %d\n", WEXITSTATUS(st));
	fflush(stdout);
	last = fork();
	if (last == 0)
		_exit(5);
	if (last < 0 || waitpid(last, &st, 0) != last)
		return 1;
	printf("after: fork works, status %d\n", WEXITSTATUS(st));
	return 0;
}
