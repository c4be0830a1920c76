/* vdso.c: the vDSO named by AT_SYSINFO_EHDR: a well-formed x86-64 ELF whose dynamic symbols
 * include clock_gettime, gettimeofday, time and getcpu (and maybe clock_getres); each is called
 * directly and must agree with the system call it stands for. */
#include "check.h"

#include <elf.h>
#include <sched.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static struct {
	uintptr_t bias;
	const Elf64_Sym *sym;
	const char *str;
	uint32_t nsym;
} v;

/* Counts the symbols of a DT_GNU_HASH table: the highest chain end over all buckets. */
static uint32_t gnu_hash_count(const uint32_t *h)
{
	uint32_t nbuckets = h[0], symoff = h[1], bloom = h[2], max = 0;
	const uint32_t *buckets = h + 4 + bloom * 2, *chain = buckets + nbuckets;

	for (uint32_t b = 0; b < nbuckets; b++)
		if (buckets[b] > max)
			max = buckets[b];
	if (max < symoff)
		return symoff;
	while (!(chain[max - symoff] & 1))
		max++;
	return max + 1;
}

static int load(const Elf64_Ehdr *eh)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	int have_load = 0;

	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			v.bias = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
			have_load = 1;
		}
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)((const char *)eh + ph[i].p_offset);
	}
	if (!have_load || !dyn)
		return 0;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		const void *p = (const void *)(v.bias + dyn->d_un.d_ptr);

		if (dyn->d_tag == DT_SYMTAB)
			v.sym = p;
		else if (dyn->d_tag == DT_STRTAB)
			v.str = p;
		else if (dyn->d_tag == DT_HASH)
			v.nsym = ((const uint32_t *)p)[1];
		else if (dyn->d_tag == DT_GNU_HASH && !v.nsym)
			v.nsym = gnu_hash_count(p);
	}
	return v.sym && v.str && v.nsym;
}

static void *lookup(const char *name)
{
	for (uint32_t i = 0; i < v.nsym; i++) {
		const Elf64_Sym *s = &v.sym[i];

		if (s->st_shndx != SHN_UNDEF && ELF64_ST_TYPE(s->st_info) == STT_FUNC &&
		    strcmp(v.str + s->st_name, name) == 0)
			return (void *)(v.bias + s->st_value);
	}
	return NULL;
}

static long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000L + t->tv_nsec;
}

int main(void)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	int (*vgettime)(clockid_t, struct timespec *), (*vgetres)(clockid_t, struct timespec *);
	int (*vgtod)(struct timeval *, void *), (*vgetcpu)(unsigned *, unsigned *, void *);
	time_t (*vtime)(time_t *);
	struct timespec a, b, c;
	struct timeval tv;
	unsigned cpu = 99, node = 99, scpu = 98;
	cpu_set_t one;
	time_t t, st;

	check_start();
	CHECK(eh != NULL, "AT_SYSINFO_EHDR is present");
	if (!eh)
		return check_done();
	CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
		      eh->e_ident[EI_DATA] == ELFDATA2LSB,
	      "the vDSO is a 64-bit little-endian ELF");
	CHECK(eh->e_type == ET_DYN && eh->e_machine == EM_X86_64, "an x86-64 shared object");
	CHECK(load(eh), "it has a dynamic symbol table");
	vgettime = (int (*)(clockid_t, struct timespec *))lookup("__vdso_clock_gettime");
	vgtod = (int (*)(struct timeval *, void *))lookup("__vdso_gettimeofday");
	vtime = (time_t(*)(time_t *))lookup("__vdso_time");
	vgetcpu = (int (*)(unsigned *, unsigned *, void *))lookup("__vdso_getcpu");
	vgetres = (int (*)(clockid_t, struct timespec *))lookup("__vdso_clock_getres");
	CHECK(vgettime != NULL, "it exports __vdso_clock_gettime");
	CHECK(vgtod != NULL, "it exports __vdso_gettimeofday");
	CHECK(vtime != NULL, "it exports __vdso_time");
	CHECK(vgetcpu != NULL, "it exports __vdso_getcpu");
	CHECK(lookup("__vdso_no_such_thing") == NULL, "and nothing made up");

	if (vgettime) {
		for (int i = 0; i < 2; i++) {
			clockid_t id = i ? CLOCK_REALTIME : CLOCK_MONOTONIC;

			syscall(SYS_clock_gettime, id, &a);
			CHECK_EQ(vgettime(id, &b), 0, "vDSO clock_gettime %s",
				 i ? "REALTIME" : "MONOTONIC");
			syscall(SYS_clock_gettime, id, &c);
			CHECK(ns(&a) <= ns(&b) && ns(&b) <= ns(&c),
			      "it falls between two clock_gettime system calls");
		}
		CHECK(vgettime(CLOCK_BOOTTIME, &b) == 0 &&
			      vgettime(CLOCK_MONOTONIC_COARSE, &b) == 0 &&
			      vgettime(CLOCK_PROCESS_CPUTIME_ID, &b) == 0,
		      "vDSO clock_gettime on other clocks (falling back as needed)");
		CHECK(vgettime(12345, &b) == -EINVAL, "vDSO clock_gettime of a bad clock: -EINVAL");
	}
	if (vgtod) {
		syscall(SYS_clock_gettime, CLOCK_REALTIME, &a);
		CHECK(vgtod(&tv, NULL) == 0 &&
			      tv.tv_sec * 1000000000L + tv.tv_usec * 1000L >= ns(&a) - 1000,
		      "vDSO gettimeofday is not behind the system call's time");
	}
	if (vtime) {
		st = syscall(SYS_time, NULL);
		t = vtime(NULL);
		CHECK(t >= st && t - st <= 1, "vDSO time agrees with the time system call");
	}
	if (vgetcpu) {
		sched_getaffinity(0, sizeof(one), &one);
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &one)) {
				CPU_ZERO(&one);
				CPU_SET(i, &one);
				break;
			}
		sched_setaffinity(0, sizeof(one), &one);
		syscall(SYS_getcpu, &scpu, NULL, NULL);
		CHECK(vgetcpu(&cpu, &node, NULL) == 0 && cpu == scpu && node == 0,
		      "vDSO getcpu agrees with the system call, node 0");
	}
	syscall(SYS_clock_getres, CLOCK_MONOTONIC, &a);
	CHECK(!vgetres || (vgetres(CLOCK_MONOTONIC, &b) == 0 && ns(&a) == ns(&b)),
	      "vDSO clock_getres, if exported, agrees with the system call");
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0 && gettimeofday(&tv, NULL) == 0 &&
		      time(NULL) > 0 && sched_getcpu() >= 0,
	      "glibc's clock_gettime, gettimeofday, time, sched_getcpu work");
	return check_done();
}
