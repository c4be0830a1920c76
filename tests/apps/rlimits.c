/* rlimits.c: resource limits: getrlimit/setrlimit/prlimit64 on every resource, the soft <= hard
 * rule, RLIMIT_NOFILE enforced by open, dup2 and fcntl, sysconf agreeing, and argument errors. */
#include "check.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static void every_resource(void)
{
	struct rlimit rl, pl;
	int ok = 1, same = 1;

	for (int r = 0; r < RLIM_NLIMITS; r++) {
		ok &= getrlimit(r, &rl) == 0 && rl.rlim_cur <= rl.rlim_max;
		same &= prlimit(0, r, NULL, &pl) == 0 && pl.rlim_cur == rl.rlim_cur &&
			pl.rlim_max == rl.rlim_max;
	}
	CHECK(ok, "getrlimit on all %d resources: soft <= hard", RLIM_NLIMITS);
	CHECK(same, "prlimit64 reads the same limits");
	CHECK(syscall(SYS_prlimit64, getpid(), RLIMIT_STACK, NULL, &pl) == 0 &&
		      getrlimit(RLIMIT_STACK, &rl) == 0 && pl.rlim_cur == rl.rlim_cur,
	      "prlimit64 by our own pid");
	CHECK_ERR(getrlimit(RLIM_NLIMITS + 5, &rl), EINVAL,
		  "getrlimit of an unknown resource: EINVAL");
	CHECK_ERR(prlimit(0x7ffffff0, RLIMIT_NOFILE, NULL, &rl), ESRCH,
		  "prlimit64 of a stranger: ESRCH");
}

static void setting(void)
{
	struct rlimit rl, old, now;

	getrlimit(RLIMIT_CORE, &old);
	rl = (struct rlimit){ 0, old.rlim_max };
	CHECK(setrlimit(RLIMIT_CORE, &rl) == 0 && getrlimit(RLIMIT_CORE, &now) == 0 &&
		      now.rlim_cur == 0 && now.rlim_max == old.rlim_max,
	      "setrlimit RLIMIT_CORE soft to 0");
	rl = (struct rlimit){ 4096, 1024 };
	CHECK_ERR(setrlimit(RLIMIT_CORE, &rl), EINVAL, "soft above hard: EINVAL");
	rl = (struct rlimit){ 0, 0 };
	CHECK(setrlimit(RLIMIT_CORE, &rl) == 0 && getrlimit(RLIMIT_CORE, &now) == 0 &&
		      now.rlim_max == 0,
	      "lowering the hard limit");
	rl = (struct rlimit){ 1, 0 };
	CHECK_ERR(setrlimit(RLIMIT_CORE, &rl), EINVAL, "then a soft limit above it: EINVAL");
	getrlimit(RLIMIT_NOFILE, &old);
	rl = (struct rlimit){ 100, old.rlim_max };
	CHECK(prlimit(0, RLIMIT_NOFILE, &rl, &now) == 0 && now.rlim_cur == old.rlim_cur &&
		      getrlimit(RLIMIT_NOFILE, &now) == 0 && now.rlim_cur == 100,
	      "prlimit64 sets a new limit and returns the old one");
	CHECK_EQ(sysconf(_SC_OPEN_MAX), 100, "sysconf(_SC_OPEN_MAX) follows RLIMIT_NOFILE");
	setrlimit(RLIMIT_NOFILE, &old);
}

static void nofile_enforced(void)
{
	struct rlimit old, rl;
	int fd, last = -1, highest = -1;

	getrlimit(RLIMIT_NOFILE, &old);
	rl = (struct rlimit){ 32, old.rlim_max };
	setrlimit(RLIMIT_NOFILE, &rl);
	while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		last = fd;
		if (fd > highest)
			highest = fd;
	}
	CHECK(errno == EMFILE && last >= 0, "with RLIMIT_NOFILE 32, open fails with EMFILE");
	CHECK_EQ(highest, 31, "and the highest descriptor handed out was 31");
	CHECK_ERR(dup(0), EMFILE, "dup: EMFILE too");
	close(last);
	CHECK_ERR(dup2(0, 32), EBADF, "dup2 to 32: EBADF");
	CHECK_ERR(fcntl(0, F_DUPFD, 32), EINVAL, "F_DUPFD from 32: EINVAL");
	CHECK(dup2(0, 31) == 31, "dup2 to 31 is fine");
	for (fd = 3; fd < 32; fd++)
		close(fd);
	setrlimit(RLIMIT_NOFILE, &old);
	CHECK((fd = open("/dev/null", O_RDONLY)) >= 0 && fcntl(fd, F_DUPFD, 32) >= 32,
	      "with the old limit back, descriptors above 32 work");
}

/* Servers raise the soft limit towards the hard one (redis asks 10032): past 1024 at least. */
static void nofile_raised(void)
{
	struct rlimit old, rl;
	int fd;

	getrlimit(RLIMIT_NOFILE, &old);
	CHECK(old.rlim_max >= 4096, "RLIMIT_NOFILE's hard limit is 4096 or more");
	rl = (struct rlimit){ 4096, old.rlim_max };
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "raised to 4096");
	fd = fcntl(0, F_DUPFD, 4000);
	CHECK(fd == 4000, "a descriptor at 4000");
	close(fd);
	setrlimit(RLIMIT_NOFILE, &old);
}

int main(void)
{
	check_start();
	every_resource();
	setting();
	nofile_enforced();
	nofile_raised();
	return check_done();
}
