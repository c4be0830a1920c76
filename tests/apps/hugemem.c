/* hugemem.c: large anonymous mappings, which Mote backs with 2 MiB pages where it can: contents
 * kept and zero-filled across touch, munmap of part of a 2 MiB block, mprotect of whole and
 * partial blocks, MADV_DONTNEED, MADV_NOHUGEPAGE, mremap, MAP_POPULATE, and a new mapping in the
 * place of a freed one reading zeros. */
#include "check.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

#define PG 4096UL
#define MB (1UL << 20)
#define HUGE (2 * MB)

static sigjmp_buf env;

static void on_segv(int sig)
{
	siglongjmp(env, sig);
}

/* Does a write of one byte at p fault (SIGSEGV)? */
static int write_faults(volatile char *p)
{
	if (sigsetjmp(env, 1))
		return 1;
	*p = 1;
	return 0;
}

static char *map(unsigned long len, int flags)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

/* A byte that differs for every page (and not zero). */
static char mark(unsigned long page)
{
	return (char)(page * 7 % 251 + 1);
}

static void fill(char *p, unsigned long len)
{
	for (unsigned long i = 0; i < len; i += PG)
		p[i] = p[i + PG - 1] = mark(i / PG);
}

/* Pages of [p, p+len) whose marks are wrong (first is the page index of p). */
static unsigned long bad_marks(const char *p, unsigned long len, unsigned long first)
{
	unsigned long bad = 0;

	for (unsigned long i = 0; i < len; i += PG)
		bad += p[i] != mark(first + i / PG) || p[i + PG - 1] != mark(first + i / PG);
	return bad;
}

static unsigned long nonzero(const char *p, unsigned long len)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < len; i += 64)
		n += *(const uint64_t *)(p + i) != 0;
	return n;
}

int main(void)
{
	unsigned long len = 32 * MB;
	char *p = map(len, 0), *b, *q;
	unsigned char vec[1];
	struct sigaction sa = { .sa_handler = on_segv };

	check_start();
	sigaction(SIGSEGV, &sa, NULL);
	CHECK(p != MAP_FAILED, "mmap 32 MiB anonymous");
	CHECK_EQ(nonzero(p, len), 0, "32 MiB read back as zeros before any write");
	fill(p, len);
	CHECK_EQ(bad_marks(p, len, 0), 0, "every page of 32 MiB keeps its own mark");

	/* b: a 2 MiB-aligned block well inside p */
	b = (char *)(((uintptr_t)p + 4 * MB) & ~(HUGE - 1));
	CHECK_EQ(munmap(b + 512 * 1024, MB), 0, "munmap 1 MiB out of the middle of a 2 MiB block");
	CHECK(mincore(b + MB, PG, vec) == -1 && errno == ENOMEM, "the hole is unmapped");
	CHECK_EQ(bad_marks(b, 512 * 1024, (uintptr_t)(b - p) / PG), 0,
		 "the 512 KiB before the hole keep their marks");
	CHECK_EQ(bad_marks(b + 1536 * 1024, 512 * 1024, (uintptr_t)(b - p) / PG + 384), 0,
		 "the 512 KiB after the hole keep their marks");
	q = mmap(b + 512 * 1024, MB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == b + 512 * 1024, "a new mapping in the hole");
	CHECK_EQ(nonzero(q, MB), 0, "the new mapping reads zeros, not the old contents");

	b += 4 * MB; /* the next aligned blocks are whole */
	CHECK_EQ(mprotect(b, HUGE, PROT_READ), 0, "mprotect a whole 2 MiB block read-only");
	CHECK_EQ(bad_marks(b, HUGE, (uintptr_t)(b - p) / PG), 0, "it still reads its marks");
	CHECK(write_faults(b + 12345), "a write to it faults (SIGSEGV)");
	CHECK(!write_faults(b + HUGE), "the next block stays writable");
	b[HUGE] = mark((uintptr_t)(b + HUGE - p) / PG);
	CHECK_EQ(mprotect(b, HUGE, PROT_READ | PROT_WRITE), 0, "mprotect it writable again");
	CHECK(!write_faults(b + 12345), "a write to it works again");
	b[12345] = 0;
	CHECK_EQ(mprotect(b + HUGE, PG, PROT_NONE), 0,
		 "mprotect the first page of a block PROT_NONE");
	CHECK(write_faults(b + HUGE + 100), "that page faults");
	CHECK(!write_faults(b + HUGE + PG), "the rest of its block does not");
	CHECK_EQ(mprotect(b + HUGE, PG, PROT_READ | PROT_WRITE), 0, "and back");
	b[HUGE + 100] = 0;
	b[HUGE + PG] = mark((uintptr_t)(b + HUGE + PG - p) / PG);
	CHECK_EQ(bad_marks(b, 2 * HUGE, (uintptr_t)(b - p) / PG), 0,
		 "both blocks keep their marks through mprotect");

	CHECK_EQ(madvise(b, HUGE, MADV_DONTNEED), 0, "MADV_DONTNEED a whole 2 MiB block");
	CHECK_EQ(nonzero(b, HUGE), 0, "it reads zeros");
	CHECK_EQ(madvise(b + HUGE + 64 * 1024, 64 * 1024, MADV_DONTNEED), 0,
		 "MADV_DONTNEED 64 KiB inside the next block");
	CHECK_EQ(nonzero(b + HUGE + 64 * 1024, 64 * 1024), 0, "those 64 KiB read zeros");
	CHECK_EQ(bad_marks(b + HUGE, 64 * 1024, (uintptr_t)(b + HUGE - p) / PG), 0,
		 "the 64 KiB before keep their marks");
	CHECK_EQ(bad_marks(b + HUGE + 128 * 1024, HUGE - 128 * 1024,
			   (uintptr_t)(b + HUGE + 128 * 1024 - p) / PG),
		 0, "the rest of the block keeps its marks");

	q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED, "mremap 32 MiB to 64 MiB (one mapping again: its pieces merged)");
	if (q == MAP_FAILED)
		return check_done();
	CHECK_EQ(bad_marks(q, 2 * MB, 0), 0, "the first 2 MiB keep their marks after mremap");
	CHECK_EQ(bad_marks(q + 24 * MB, 8 * MB, 24 * MB / PG), 0,
		 "the last 8 MiB of the old size keep theirs");
	CHECK_EQ(nonzero(q + len, len), 0, "the grown part reads zeros");
	CHECK_EQ(munmap(q, 2 * len), 0, "munmap all of it");

	q = map(len, 0);
	CHECK(q != MAP_FAILED, "mmap 32 MiB again");
	CHECK_EQ(nonzero(q, len), 0, "it reads zeros (nothing of the freed memory)");
	CHECK_EQ(madvise(q, len, MADV_NOHUGEPAGE), 0, "MADV_NOHUGEPAGE");
	fill(q, 8 * MB);
	CHECK_EQ(bad_marks(q, 8 * MB, 0), 0, "small pages keep their marks too");
	CHECK_EQ(madvise(q, len, MADV_HUGEPAGE), 0, "MADV_HUGEPAGE");
	CHECK_EQ(munmap(q, len), 0, "munmap");

	q = map(16 * MB, MAP_POPULATE);
	CHECK(q != MAP_FAILED, "mmap 16 MiB with MAP_POPULATE");
	CHECK_EQ(nonzero(q, 16 * MB), 0, "it reads zeros");
	fill(q, 16 * MB);
	CHECK_EQ(bad_marks(q, 16 * MB, 0), 0, "and keeps marks");
	CHECK_EQ(munmap(q, 16 * MB), 0, "munmap");
	return check_done();
}
