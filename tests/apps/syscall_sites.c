/* syscall_sites.c: what a system call site must keep when Mote rewrites it into jumps
 * (kernel/linux/syscall_patch.c; on under QEMU with --fast-syscalls=on, and by default on
 * kvm_pvm hosts): each site is called many times, so the first call (a trap) rewrites it and
 * the rest go the fast way. The red zone below %rsp is intact, RFLAGS survive, %rcx and %r11
 * are what the syscall instruction leaves, a jump straight to the syscall instruction still
 * makes the call in %rax, a blocking call restarts after a handler, threads race through a
 * site being rewritten, generated (JIT) code that changes keeps doing what it says, and a
 * parent and its child rewriting sites after fork each keep their own. */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#define ROUNDS 2000
#define THREADS 4

/* getpid through a site of the rewritable shape; also returns what %rcx and %r11 held after
 * it, and whether CF survived; red zone sentinels are written below %rsp and checked. */
long site_getpid(uint64_t *rcx_out, uint64_t *r11_out, long *cf_kept, long *redzone_ok);
extern char site_getpid_after[];
__asm__(".text\n"
	".globl site_getpid, site_getpid_after\n"
	"site_getpid:\n"
	"	pushq %rbx\n"
	"	movq %rdi, %r8\n" /* callee-saved copies of the out pointers */
	"	movq %rsi, %r9\n"
	"	movq %rdx, %r10\n"
	"	movq %rcx, %rbx\n"
	"	movq $0x1111111111111111, %rax\n" /* sentinels in the red zone */
	"	movq %rax, -8(%rsp)\n"
	"	movq %rax, -64(%rsp)\n"
	"	movq %rax, -128(%rsp)\n"
	"	stc\n"
	"	movl $39, %eax\n" /* getpid */
	"	syscall\n"
	"site_getpid_after:\n"
	"	setc %dl\n"
	"	movzbq %dl, %rdx\n"
	"	movq %rdx, (%r10)\n"
	"	movq %rcx, (%r8)\n"
	"	movq %r11, (%r9)\n"
	"	movq $0x1111111111111111, %rdx\n"
	"	xorl %ecx, %ecx\n"
	"	cmpq %rdx, -8(%rsp)\n"
	"	jne 1f\n"
	"	cmpq %rdx, -64(%rsp)\n"
	"	jne 1f\n"
	"	cmpq %rdx, -128(%rsp)\n"
	"	jne 1f\n"
	"	movl $1, %ecx\n"
	"1:	movq %rcx, (%rbx)\n"
	"	popq %rbx\n"
	"	ret\n");

/* A site for getpid, and a second way in that jumps straight to its syscall instruction with
 * another call number in %rax (getppid): the rewrite must leave that instruction working. */
long jump_site(long ppid_instead);
__asm__(".text\n"
	".globl jump_site\n"
	"jump_site:\n"
	"	testq %rdi, %rdi\n"
	"	jnz 2f\n"
	"	movl $39, %eax\n"
	"1:	syscall\n"
	"	ret\n"
	"2:	movq $110, %rax\n"
	"	jmp 1b\n");

/* read(fd, buf, 1) through a site of the rewritable shape (read is call 0). */
long site_read(long fd, void *buf);
__asm__(".text\n"
	".globl site_read\n"
	"site_read:\n"
	"	movq %rsi, %rsi\n"
	"	movl $1, %edx\n"
	"	movl $0, %eax\n"
	"	syscall\n"
	"	ret\n");

static void red_zone_and_registers(void)
{
	long pid = getpid(), bad_pid = 0, cf_lost = 0, rz_lost = 0, rcx_bad = 0, r11_bad = 0;

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t rcx, r11;
		long cf, rz;

		bad_pid += site_getpid(&rcx, &r11, &cf, &rz) != pid;
		cf_lost += !cf;
		rz_lost += !rz;
		rcx_bad += rcx != (uint64_t)site_getpid_after;
		r11_bad += !(r11 & 0x200) || !(r11 & 1); /* RFLAGS: IF and the CF set before */
	}
	CHECK_EQ(bad_pid, 0, "%d calls through one site return the pid", ROUNDS);
	CHECK_EQ(rz_lost, 0, "the red zone below %%rsp is intact after each call");
	CHECK_EQ(cf_lost, 0, "RFLAGS (CF) survive each call");
	CHECK_EQ(rcx_bad, 0, "%%rcx holds the address after the syscall instruction");
	CHECK_EQ(r11_bad, 0, "%%r11 holds RFLAGS");
}

static void jump_into_site(void)
{
	long pid = getpid(), ppid = getppid(), bad = 0;

	for (int i = 0; i < ROUNDS; i++)
		bad += jump_site(i & 1) != ((i & 1) ? ppid : pid);
	CHECK_EQ(bad, 0, "a jump straight to a rewritten site's syscall makes the call in %%rax");
}

static int pipe_fds[2];

static void on_alarm(int sig)
{
	(void)!write(pipe_fds[1], "x", 1);
}

static void restart_after_handler(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_value = { 0, 30000 } };
	char c;
	long got[2];

	CHECK_EQ(pipe(pipe_fds), 0, "pipe");
	sigaction(SIGALRM, &sa, NULL);
	for (int i = 0; i < 2; i++) { /* the first call rewrites the site, the second uses it */
		setitimer(ITIMER_REAL, &it, NULL);
		got[i] = site_read(pipe_fds[0], &c);
	}
	CHECK(got[0] == 1 && got[1] == 1 && c == 'x',
	      "a read blocked at a site restarts after the handler (SA_RESTART), twice");
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

static long pid_for_threads;
static long thread_bad[THREADS];

static void *racer(void *arg)
{
	long *bad = arg;

	for (int i = 0; i < 20 * ROUNDS; i++) {
		uint64_t rcx, r11;
		long cf, rz;

		*bad += site_getpid(&rcx, &r11, &cf, &rz) != pid_for_threads || !rz || !cf;
	}
	return NULL;
}

static void threads_race(void)
{
	pthread_t t[THREADS];
	long bad = 0;

	pid_for_threads = getpid();
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, racer, &thread_bad[i]);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		bad += thread_bad[i];
	}
	CHECK_EQ(bad, 0, "%d threads x %d calls through one site: all right", THREADS, 20 * ROUNDS);
}

/* Generated code in an anonymous executable page: "mov $nr, %eax; syscall; ret". */
static void jit_code(void)
{
	unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long (*fn)(void) = (long (*)(void))code;
	long pid = getpid(), ppid = getppid(), bad = 0;
	unsigned char insn[] = { 0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xc3 };

	CHECK(code != MAP_FAILED, "an anonymous RWX page for generated code");
	memcpy(code, insn, sizeof(insn));
	for (int i = 0; i < 100; i++)
		bad += fn() != pid;
	code[1] = 110; /* the code changes: now getppid */
	__builtin___clear_cache((char *)code, (char *)code + sizeof(insn));
	for (int i = 0; i < 100; i++)
		bad += fn() != ppid;
	CHECK_EQ(bad, 0, "generated code that changes its call number does what it now says");
	munmap(code, 4096);
}

/* getppid and gettid through two sites of the rewritable shape, not called before fork. */
long site_getppid(void);
long site_gettid(void);
__asm__(".text\n"
	".globl site_getppid, site_gettid\n"
	"site_getppid:\n"
	"	movl $110, %eax\n"
	"	syscall\n"
	"	ret\n"
	"site_gettid:\n"
	"	movl $186, %eax\n"
	"	syscall\n"
	"	ret\n");

/* After fork, the child rewrites one site and then the parent another (each its next stub
 * slot, the same slot number on both sides, in a stub page they shared at the fork): each
 * site keeps making its own call. The stubs were written into the shared page, so the
 * parent's gettid stub replaced the child's getppid one (bash's close(4) after a fork ran
 * setpgid, and an interactive bash hung). */
static void sites_after_fork(void)
{
	int c2p[2], p2c[2], status = -1;
	long parent = getpid(), bad = 0;
	char b = 0;
	pid_t pid;

	CHECK(pipe(c2p) == 0 && pipe(p2c) == 0, "pipes");
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++) /* the second call rewrites the site */
			bad += site_getppid() != parent;
		if (write(c2p[1], "r", 1) != 1 || read(p2c[0], &b, 1) != 1)
			_exit(3);
		for (int i = 0; i < 3; i++)
			bad += site_getppid() != parent;
		_exit(bad ? 1 : 0);
	}
	CHECK(pid > 0 && read(c2p[0], &b, 1) == 1, "the child rewrote its site");
	for (int i = 0; i < 3; i++)
		bad += site_gettid() != parent;
	CHECK(write(p2c[1], "p", 1) == 1, "the parent rewrote its own");
	CHECK_EQ(bad, 0, "the parent's gettid site after fork");
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK_EQ(status, 0, "the child's getppid site still getppid once the parent rewrote one");
	close(c2p[0]), close(c2p[1]), close(p2c[0]), close(p2c[1]);
}

static void libc_calls(void)
{
	long ppid = getppid(), bad = 0;
	char path[] = "/tmp/syscall_sites.XXXXXX", buf[8192];
	int fd = mkstemp(path);

	for (int i = 0; i < 10 * ROUNDS; i++)
		bad += getppid() != ppid;
	CHECK_EQ(bad, 0, "%d getppid() through glibc's own site", 10 * ROUNDS);
	bad = 0;
	for (int i = 0; i < 10 * ROUNDS; i++)
		bad += syscall(SYS_getppid) != ppid;
	CHECK_EQ(bad, 0, "%d syscall(SYS_getppid) through glibc's syscall()", 10 * ROUNDS);
	/* the sixth argument (an mmap offset) arrives through syscall()'s rewritten site */
	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)(i / 4096 + 'a');
	CHECK(fd >= 0 && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf), "a 2-page file");
	bad = 0;
	for (int i = 0; i < ROUNDS; i++) {
		char *m = (char *)syscall(SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);

		bad += m == MAP_FAILED || m[0] != 'b';
		if (m != MAP_FAILED)
			munmap(m, 4096);
	}
	CHECK_EQ(bad, 0, "%d syscall(SYS_mmap, ..., offset 4096) map the second page", ROUNDS);
	close(fd);
	unlink(path);
}

int main(void)
{
	check_start();
	red_zone_and_registers();
	jump_into_site();
	restart_after_handler();
	threads_race();
	jit_code();
	libc_calls();
	sites_after_fork();
	return check_done();
}
