/* sigdefault.c: a default action that ends the program: after its checks it writes through NULL
 * with SIGSEGV at SIG_DFL and must die of it. Its expected exit status is therefore 139 (128 + 11,
 * as a shell reports a death by SIGSEGV), not 0; the harnesses know (tests/apps/apps.sh). */
#include "check.h"

#include <signal.h>
#include <sys/prctl.h>

int main(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL }, old;
	int *volatile null = NULL; /* volatile: the compiler must not see the NULL */
	sigset_t unblock;

	check_start();
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, &old) == 0 && old.sa_handler == SIG_DFL,
	      "SIGSEGV starts at SIG_DFL");
	sigemptyset(&unblock);
	sigaddset(&unblock, SIGSEGV);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &unblock, NULL), 0, "SIGSEGV unblocked");
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), 0, "PR_SET_DUMPABLE 0: no core file");
	if (check_done() != 0)
		return 1;
	puts("writing through NULL: the default action must end the program");
	fflush(stdout);
	*(volatile int *)null = 1;
	puts("FAIL still running after the fault");
	return 1;
}
