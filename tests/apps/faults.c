/* faults.c: synchronous faults delivered to SA_SIGINFO handlers: SIGSEGV (NULL write, unmapped
 * read, read-only write), SIGFPE (divide by zero), SIGILL (ud2), SIGBUS (past the end of a file),
 * with siginfo and ucontext checked; the handler edits the context and sigreturn resumes there with
 * the red zone intact; a thread's stack overflow is caught on its alternate signal stack. */
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

#define PG 4096L
#define RESUMED 0x5eedL

/* Where the faulting instruction is and where the handler sends execution after it. */
static volatile uintptr_t fault_ip, resume_ip;

static struct {
	int signo, code, count;
	uintptr_t addr, rip, trapno, err, cr2;
} f;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;

	f.signo = si->si_signo;
	f.code = si->si_code;
	f.addr = (uintptr_t)si->si_addr;
	f.rip = (uintptr_t)g[REG_RIP];
	f.trapno = (uintptr_t)g[REG_TRAPNO];
	f.err = (uintptr_t)g[REG_ERR];
	f.cr2 = (uintptr_t)g[REG_CR2];
	f.count++;
	g[REG_RIP] = (greg_t)resume_ip;
	g[REG_RAX] = RESUMED;
}

/*
 * Each fault runs in asm that records the two addresses, fills 16 quadwords of the red zone below
 * a moved %rsp, faults with %rax = 0, and after the resume adds the red zone up into %rdx: the
 * kernel must build the signal frame below the red zone. Returns %rax (RESUMED if resumed).
 */
#define FAULT_ASM(prep, insn, ...)                                                             \
	__asm__ volatile("lea 1f(%%rip), %%rax\n\t"                                            \
			 "mov %%rax, %[fip]\n\t"                                               \
			 "lea 2f(%%rip), %%rax\n\t"                                            \
			 "mov %%rax, %[rip]\n\t"                                               \
			 "sub $256, %%rsp\n\t"                                                 \
			 ".irp off,8,16,24,32,40,48,56,64,72,80,88,96,104,112,120,128\n\t"     \
			 "movq $\\off, -\\off(%%rsp)\n\t"                                      \
			 ".endr\n\t" prep "\n\t"                                               \
			 "xor %%eax, %%eax\n"                                                  \
			 "1: " insn "\n"                                                       \
			 "2: xor %%edx, %%edx\n\t"                                             \
			 ".irp off,8,16,24,32,40,48,56,64,72,80,88,96,104,112,120,128\n\t"     \
			 "add -\\off(%%rsp), %%rdx\n\t"                                        \
			 ".endr\n\t"                                                           \
			 "add $256, %%rsp"                                                     \
			 : "=&a"(rax), "=&d"(red), [fip] "=m"(fault_ip), [rip] "=m"(resume_ip) \
			 : __VA_ARGS__                                                         \
			 : "memory", "cc")

#define EXPECT(what, rax, red, sig, code, addr, trapno) \
	expect(what, rax, red, sig, #sig, code, #code, addr, trapno)

#define RED_SUM 1088 /* 8 + 16 + ... + 128 */

static long write_to(volatile void *p, long *red_out)
{
	long rax, red;

	FAULT_ASM("", "movl $1, (%[p])", [p] "r"(p));
	*red_out = red;
	return rax;
}

static long read_from(volatile void *p, long *red_out)
{
	long rax, red;

	FAULT_ASM("", "movl (%[p]), %%eax", [p] "r"(p));
	*red_out = red;
	return rax;
}

static long divide_by_zero(long *red_out)
{
	long rax, red;

	FAULT_ASM("xor %%edx, %%edx", "divl %%ecx", "c"(0));
	*red_out = red;
	return rax;
}

static long undefined_insn(long *red_out)
{
	long rax, red;

	FAULT_ASM("", "ud2", "i"(0));
	*red_out = red;
	return rax;
}

static void expect(const char *what, long rax, long red, int signo, const char *signame, int code,
		   const char *codename, uintptr_t addr, uintptr_t trapno)
{
	CHECK(f.count == 1 && f.signo == signo, "%s: the handler got %s", what, signame);
	CHECK_EQ(f.code, code, "%s: si_code %s", what, codename);
	CHECK(f.addr == addr, "%s: si_addr is the %s", what,
	      signo == SIGSEGV || signo == SIGBUS ? "faulting address" : "faulting instruction");
	CHECK(f.rip == fault_ip, "%s: the context's RIP is the faulting instruction", what);
	CHECK_EQ(f.trapno, trapno, "%s: REG_TRAPNO %lu", what, (unsigned long)trapno);
	CHECK(rax == RESUMED, "%s: sigreturn resumed where the handler said, with its RAX", what);
	CHECK_EQ(red, RED_SUM, "%s: the red zone survived", what);
	memset(&f, 0, sizeof(f));
}

static void segv(void)
{
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long rax, red;

	rax = write_to(NULL, &red);
	EXPECT("NULL write", rax, red, SIGSEGV, SEGV_MAPERR, 0, 14);
	rax = write_to(NULL, &red); /* again: the handler stays installed */
	CHECK(rax == RESUMED && f.cr2 == 0 && (f.err & 6) == 6,
	      "NULL write again: REG_CR2 0, REG_ERR says user write");
	memset(&f, 0, sizeof(f));
	munmap(p + PG, PG);
	rax = read_from(p + PG + 8, &red);
	CHECK((f.err & 2) == 0 && f.cr2 == (uintptr_t)(p + PG + 8), "unmapped read: a read, CR2");
	EXPECT("unmapped read", rax, red, SIGSEGV, SEGV_MAPERR, (uintptr_t)(p + PG + 8), 14);
	p[16] = 1; /* present, then read-only */
	mprotect(p, PG, PROT_READ);
	rax = write_to(p + 16, &red);
	CHECK((f.err & 3) == 3, "read-only write: REG_ERR says present page, write");
	EXPECT("read-only write", rax, red, SIGSEGV, SEGV_ACCERR, (uintptr_t)(p + 16), 14);
	munmap(p, PG);
}

static void fpe_ill_bus(int dir)
{
	long rax, red;
	char *m;
	int fd;

	rax = divide_by_zero(&red);
	EXPECT("divide by zero", rax, red, SIGFPE, FPE_INTDIV, fault_ip, 0);
	rax = undefined_insn(&red);
	EXPECT("ud2", rax, red, SIGILL, ILL_ILLOPN, fault_ip, 6);

	fd = openat(dir, "short", O_CREAT | O_RDWR, 0644);
	ftruncate(fd, 2 * PG);
	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && ftruncate(fd, PG) == 0, "map 2 pages of a file, truncate it to 1");
	CHECK(read_from(m + 8, &red) == 0 && f.count == 0, "the first page still reads");
	rax = read_from(m + PG + 4, &red);
	EXPECT("read past EOF", rax, red, SIGBUS, BUS_ADRERR, (uintptr_t)(m + PG + 4), 14);
	rax = write_to(m + PG, &red);
	CHECK(rax == RESUMED && f.signo == SIGBUS && f.addr == (uintptr_t)(m + PG),
	      "write past EOF: SIGBUS too");
	memset(&f, 0, sizeof(f));
	munmap(m, 2 * PG);
	close(fd);
}

/* Stack overflow in a thread: the fault can only be handled on an alternate stack. */
static sigjmp_buf overflow_jmp;
static char *alt;
static volatile int overflow_on_alt;

static void overflow_handler(int sig, siginfo_t *si, void *uc)
{
	char here;

	overflow_on_alt = &here >= alt && &here < alt + (64 << 10) && si->si_signo == SIGSEGV;
	siglongjmp(overflow_jmp, 1);
}

static int recurse(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	if (n > (1 << 20)) /* far more than 256 KiB of frames: never reached */
		return 0;
	return recurse(n + 1) + pad[0];
}

static void *overflow_thread(void *arg)
{
	stack_t ss = { .ss_sp = alt = malloc(64 << 10), .ss_size = 64 << 10 };
	struct sigaction sa = { .sa_sigaction = overflow_handler,
				.sa_flags = SA_SIGINFO | SA_ONSTACK };

	sigaltstack(&ss, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(overflow_jmp, 1) == 0)
		recurse(0);
	return (void *)(uintptr_t)overflow_on_alt;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	pthread_attr_t attr;
	const char *tmp;
	pthread_t t;
	void *ret;
	int dir;

	check_start();
	tmp = check_tmpdir();
	dir = open(tmp, O_RDONLY | O_DIRECTORY);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	segv();
	fpe_ill_bus(dir);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	CHECK(pthread_create(&t, &attr, overflow_thread, NULL) == 0 && pthread_join(t, &ret) == 0 &&
		      ret == (void *)1,
	      "a thread's stack overflow: SIGSEGV handled on its alternate stack");
	close(dir);
	CHECK_EQ(check_rmtree(tmp), 0, "remove the scratch directory");
	return check_done();
}
