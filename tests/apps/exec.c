/* exec.c: the start-up contract and execve. Stage 1 checks argv/envp/auxv as the kernel laid them
 * out, the errors of execve, then execs itself with arguments; stage 2 checks what survives an exec
 * (pid, plain fds, ignored signals, the mask) and what does not (CLOEXEC fds, handlers, mappings),
 * then execs a "#!" script whose interpreter is this program; stage 3 checks the script's argv. */
#include "check.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>

extern char **environ;
extern char _start[];
static int fresh = 1; /* stage 1 changes it; the new image must have it back */

static void on_usr2(int sig)
{
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void startup(int argc, char **argv)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	const char *execfn = (const char *)getauxval(AT_EXECFN), *plat;
	const char *vdso = (const char *)getauxval(AT_SYSINFO_EHDR);
	char **p = argv + argc + 1;
	const uint64_t *av;
	int interp = 0, text = 0, found = 0, good = 1;

	CHECK(argc >= 1 && argv[argc] == NULL, "argv is NULL-terminated");
	CHECK(environ == argv + argc + 1, "envp follows argv on the stack");
	for (char **e = environ; *e; e++)
		good &= strchr(*e, '=') != NULL;
	CHECK(good, "every environment entry has NAME=value");
	while (*p)
		p++;
	av = (const uint64_t *)(p + 1);
	for (int i = 0; av[2 * i] != AT_NULL && i < 64; i++)
		found += av[2 * i] == AT_PAGESZ && av[2 * i + 1] == 4096;
	CHECK_EQ(found, 1, "auxv follows envp, with AT_PAGESZ 4096");
	CHECK_EQ(getauxval(AT_PAGESZ), 4096, "getauxval(AT_PAGESZ) = 4096");
	CHECK(rnd && memcmp(rnd, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) != 0,
	      "AT_RANDOM points at 16 random bytes");
	CHECK(ph && getauxval(AT_PHENT) == sizeof(Elf64_Phdr) && getauxval(AT_PHNUM) > 0,
	      "AT_PHDR, AT_PHENT, AT_PHNUM describe program headers");
	for (unsigned long i = 0; ph && i < getauxval(AT_PHNUM); i++) {
		interp |= ph[i].p_type == PT_INTERP;
		text |= ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X);
	}
	CHECK(text, "they include an executable PT_LOAD");
	CHECK(interp ? getauxval(AT_BASE) != 0 : getauxval(AT_BASE) == 0,
	      "AT_BASE is the interpreter's base (0 without one)");
	CHECK(getauxval(AT_ENTRY) == (uintptr_t)_start, "AT_ENTRY is _start");
	CHECK(execfn && strcmp(base(execfn), base(argv[0])) == 0, "AT_EXECFN names the program");
	CHECK(vdso && memcmp(vdso, ELFMAG, SELFMAG) == 0,
	      "AT_SYSINFO_EHDR points at the vDSO's ELF");
	CHECK(getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid() &&
		      getauxval(AT_GID) == getgid() && getauxval(AT_EGID) == getegid(),
	      "AT_UID, AT_EUID, AT_GID, AT_EGID");
	CHECK_EQ(getauxval(AT_SECURE), 0, "AT_SECURE = 0");
	CHECK_EQ(getauxval(AT_CLKTCK), 100, "AT_CLKTCK = 100");
	plat = (const char *)getauxval(AT_PLATFORM);
	CHECK(plat && strcmp(plat, "x86_64") == 0, "AT_PLATFORM = x86_64");
	CHECK(getauxval(AT_HWCAP) != 0, "AT_HWCAP set");
}

/* Execs path with args and our environment (less MOTE_EXEC_*) plus the "K=V" strings in extra,
 * handing over the number of checks made so far; returns only on failure. */
static void exec_with(const char *path, char *const *args, char *const *extra)
{
	char *env[256], checks[32];
	int n = 0;

	for (char **e = environ; *e && n < 200; e++)
		if (strncmp(*e, "MOTE_EXEC_", 10) != 0)
			env[n++] = *e;
	while (*extra)
		env[n++] = *extra++;
	snprintf(checks, sizeof(checks), "MOTE_EXEC_CHECKS=%d", check_counts()->total);
	env[n++] = checks;
	env[n] = NULL;
	fflush(stdout);
	execve(path, args, env);
}

static void stage1(int argc, char **argv)
{
	char self[PATH_MAX], junk[PATH_MAX], tmp_env[64], keep[32], gone[32], map[40], pid[32];
	char *args[] = { argv[0], "second", "two words", "", NULL };
	struct sigaction sa = { .sa_handler = on_usr2 };
	const char *tmp = check_tmpdir();
	int fd, fd2;
	sigset_t s;
	char *m;

	startup(argc, argv);
	CHECK(realpath(argv[0], self) != NULL, "argv[0] is a path to the program");
	snprintf(junk, sizeof(junk), "%s/plain", tmp);
	fd = open(junk, O_CREAT | O_WRONLY, 0644);
	write(fd, "\x01\x02garbage", 9);
	close(fd);
	CHECK_ERR(execve(junk, args, environ), EACCES, "execve of a file without x: EACCES");
	chmod(junk, 0755);
	CHECK_ERR(execve(junk, args, environ), ENOEXEC, "execve of an executable non-ELF: ENOEXEC");
	CHECK_ERR(execve(tmp, args, environ), EACCES, "execve of a directory: EACCES");
	strcat(junk, "-missing");
	CHECK_ERR(execve(junk, args, environ), ENOENT, "execve of a missing file: ENOENT");

	fresh = 2;
	fd = open(self, O_RDONLY);		/* survives the exec */
	fd2 = open(self, O_RDONLY | O_CLOEXEC); /* does not */
	signal(SIGUSR1, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(m, "old image", 10);
	snprintf(tmp_env, sizeof(tmp_env), "MOTE_EXEC_TMP=%s", tmp);
	snprintf(keep, sizeof(keep), "MOTE_EXEC_KEEP=%d", fd);
	snprintf(gone, sizeof(gone), "MOTE_EXEC_GONE=%d", fd2);
	snprintf(map, sizeof(map), "MOTE_EXEC_MAP=%lx", (unsigned long)m);
	snprintf(pid, sizeof(pid), "MOTE_EXEC_PID=%d", getpid());
	if (check_counts()->failed)
		exit(check_done());
	printf("stage 1: execve of ourselves with 3 more arguments\n");
	exec_with(self, args,
		  (char *[]){ "MOTE_EXEC_STAGE=2", tmp_env, keep, gone, map, pid, NULL });
	CHECK(0, "execve of ourselves");
	exit(check_done());
}

static void stage2(int argc, char **argv)
{
	const char *tmp = getenv("MOTE_EXEC_TMP"), *mapped = getenv("MOTE_EXEC_MAP");
	char self[PATH_MAX], script[PATH_MAX], line[PATH_MAX + 64], tmp_env[64], buf[8];
	int keep = atoi(getenv("MOTE_EXEC_KEEP")), gone = atoi(getenv("MOTE_EXEC_GONE")), fd;
	char *old = (char *)strtoul(mapped ? mapped : "0", NULL, 16);
	struct sigaction sa;
	unsigned char vec;
	sigset_t s;

	printf("stage 2: the second incarnation speaks\n");
	CHECK(argc == 4 && strcmp(argv[1], "second") == 0 && strcmp(argv[2], "two words") == 0 &&
		      argv[3][0] == '\0',
	      "argv arrived intact: second, \"two words\", \"\"");
	CHECK_EQ(getpid(), atoi(getenv("MOTE_EXEC_PID")), "the pid is the same after execve");
	CHECK_EQ(fresh, 1, "a fresh image: static data is back to its initial value");
	CHECK(mincore(old, 4096, &vec) < 0 || memcmp(old, "old image", 10) != 0,
	      "the old image's mappings are gone");
	CHECK(fcntl(keep, F_GETFD) == 0 && read(keep, buf, 4) == 4 && memcmp(buf, ELFMAG, 4) == 0,
	      "a plain descriptor survives");
	CHECK_ERR(fcntl(gone, F_GETFD), EBADF, "an O_CLOEXEC descriptor was closed");
	CHECK(sigaction(SIGUSR1, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN,
	      "an ignored signal stays ignored");
	CHECK(sigaction(SIGUSR2, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL,
	      "a handled signal is back to SIG_DFL");
	CHECK(sigprocmask(SIG_BLOCK, NULL, &s) == 0 && sigismember(&s, SIGTERM),
	      "the signal mask survives");
	close(keep);

	/* a script whose interpreter is this very program, with one interpreter argument */
	CHECK(realpath(argv[0], self) != NULL, "argv[0] is a path to the program");
	snprintf(script, sizeof(script), "%s/s.sh", tmp);
	snprintf(line, sizeof(line), "#!%s script-arg\nnot read by anyone\n", self);
	fd = open(script, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	CHECK(fd >= 0 && write(fd, line, strlen(line)) == (long)strlen(line), "write a #! script");
	close(fd);
	snprintf(tmp_env, sizeof(tmp_env), "MOTE_EXEC_TMP=%s", tmp);
	if (check_counts()->failed)
		exit(check_done());
	printf("stage 2: execve of a #! script run by ourselves\n");
	exec_with(script, (char *[]){ script, "x", NULL },
		  (char *[]){ "MOTE_EXEC_STAGE=3", tmp_env, NULL });
	CHECK(0, "execve of the script");
	exit(check_done());
}

static void stage3(int argc, char **argv)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);

	printf("stage 3: started by the kernel for the script\n");
	CHECK(argc == 4 && strcmp(argv[1], "script-arg") == 0 &&
		      strcmp(base(argv[2]), "s.sh") == 0 && strcmp(argv[3], "x") == 0,
	      "argv: interpreter, its argument, the script, the script's argument");
	CHECK(execfn && strcmp(base(execfn), "s.sh") == 0, "AT_EXECFN names the script");
	CHECK_EQ(check_rmtree(getenv("MOTE_EXEC_TMP")), 0, "remove the scratch directory");
}

int main(int argc, char **argv)
{
	const char *stage = getenv("MOTE_EXEC_STAGE"), *checks = getenv("MOTE_EXEC_CHECKS");

	check_start();
	check_counts()->total = checks ? atoi(checks) : 0;
	if (!stage)
		stage1(argc, argv);
	else if (strcmp(stage, "2") == 0)
		stage2(argc, argv);
	else
		stage3(argc, argv);
	return check_done();
}
