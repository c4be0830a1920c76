/* brk.c: the program break (raw brk: grow, shrink, refuse, zero-fill) and glibc malloc on top of it
 * (the main arena's brk heap, mmap'd large blocks, realloc, calloc, trim). */
#include "check.h"

#include <malloc.h>
#include <stdint.h>
#include <sys/syscall.h>

#define PG 4096UL

extern char end[]; /* the linker's end of .bss */

static uintptr_t sys_brk(uintptr_t to)
{
	return (uintptr_t)syscall(SYS_brk, to);
}

struct brk_facts {
	int above_bss, grew, zero, writable, shrank, regrew, rezeroed, refused, restored;
};

/*
 * Runs before anything prints or allocates: glibc's malloc keeps its own idea of the break, so
 * the break is moved only while nothing else can, and put back where it was.
 */
static void move_break(struct brk_facts *f)
{
	uintptr_t b0 = sys_brk(0), base = (b0 + PG - 1) & ~(PG - 1);
	volatile char *p = (volatile char *)base;

	f->above_bss = b0 >= (uintptr_t)end;
	f->grew = sys_brk(base + (1 << 20)) == base + (1 << 20);
	if (!f->grew)
		return;
	f->zero = 1;
	for (unsigned long i = 0; i < (1 << 20); i += 512)
		f->zero &= p[i] == 0;
	for (unsigned long i = 0; i < (1 << 20); i += PG)
		p[i] = 'x';
	f->writable = p[2 * PG] == 'x';
	f->shrank = sys_brk(base + PG) == base + PG;
	f->regrew = sys_brk(base + (1 << 20)) == base + (1 << 20);
	f->rezeroed = p[2 * PG] == 0 && p[(1 << 20) - PG] == 0 && p[0] == 'x';
	f->refused = sys_brk(PG) == base + (1 << 20);
	f->restored = sys_brk(b0) == b0 && sys_brk(0) == b0;
}

static void malloc_heap(void)
{
	uintptr_t before = (uintptr_t)sbrk(0), peak;
	enum { N = 20000 };
	static unsigned char *blocks[N];
	unsigned char *big, *grown, *z;
	int good = 1;

	for (int i = 0; i < N; i++) {
		blocks[i] = malloc(16 + i % 200);
		if (blocks[i])
			memset(blocks[i], i & 0xff, 16 + i % 200);
	}
	for (int i = 0; i < N; i++)
		good &= blocks[i] && blocks[i][0] == (i & 0xff) &&
			blocks[i][15 + i % 200] == (i & 0xff);
	CHECK(good, "20000 small blocks keep their contents");
	peak = (uintptr_t)sbrk(0);
	CHECK(peak > before, "malloc's main arena grew the break");
	for (int i = 0; i < N; i += 2)
		free(blocks[i]);
	for (int i = 1; i < N; i += 2)
		good &= blocks[i][0] == (i & 0xff);
	CHECK(good, "freeing half leaves the other half intact");
	for (int i = 1; i < N; i += 2)
		free(blocks[i]);

	big = malloc(8 << 20);
	CHECK(big != NULL, "malloc 8 MiB (an mmap'd block)");
	memset(big, 0x5a, 8 << 20);
	grown = realloc(big, 16 << 20);
	CHECK(grown && grown[(8 << 20) - 1] == 0x5a && grown[0] == 0x5a,
	      "realloc to 16 MiB keeps the data");
	free(grown ? grown : big);
	z = calloc(1 << 20, 4);
	good = z != NULL;
	for (long i = 0; z && i < (4 << 20); i += 1000)
		good &= z[i] == 0;
	CHECK(good, "calloc 4 MiB is zeroed");
	free(z);
	malloc_trim(0);
	CHECK((uintptr_t)sbrk(0) < peak, "freed and trimmed, the heap gave the break back");
}

int main(void)
{
	struct brk_facts f = { 0 };

	move_break(&f);
	check_start();
	CHECK(f.above_bss, "the initial break is above the end of .bss");
	CHECK(f.grew, "brk grows the break by 1 MiB");
	CHECK(f.zero, "new break memory reads zero");
	CHECK(f.writable, "and is writable");
	CHECK(f.shrank, "brk shrinks it to one page");
	CHECK(f.regrew, "brk grows it again");
	CHECK(f.rezeroed,
	      "pages given back and taken again read zero; the kept page keeps its data");
	CHECK(f.refused, "brk below the start of the heap is refused: the break stays");
	CHECK(f.restored, "brk puts the break back");
	malloc_heap();
	return check_done();
}
