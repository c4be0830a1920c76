/* syscall_patch.c: rewriting system-call sites into jumps (syscall_patch.h). */
#include "linux/syscall_patch.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pvm.h"
#include "arch/x86_64/traps.h"
#include "core/cmdline.h"
#include "core/mm/vm.h"
#include "core/sched/sync.h"
#include "lib/string.h"
#include "linux/mm.h"
#include "core/uaccess.h"

#define STUB_SLOT 32 /* bytes a stub takes (25 used) */
#define STUB_SLOTS (PAGE_SIZE / STUB_SLOT)
#define JUMP_REACH (1UL << 31) /* a rel32 jump's, less a page for safety */
#define OP_MOV_EAX 0xb8	       /* mov $imm32, %eax */
#define OP_JMP 0xe9	       /* jmp rel32 */

#define SEEN_SLOTS 512 /* sites seen trapping once, by address hash */

extern char syscall_fast[];
bool syscall_patch_on;
/* A site is rewritten when it traps a second time: rewriting costs a page copy and a TLB
 * flush (a trap of its own on kvm_pvm), a loss for the many sites a program runs once at
 * start-up. A lost or stale entry only delays a rewrite. */
static uint64_t seen[SEEN_SLOTS];
static struct mutex patch_lock = MUTEX_INIT(patch_lock);

void syscall_patch_init(void)
{
	syscall_patch_on = cmdline.fast_syscalls == CMDLINE_ON ||
			   (cmdline.fast_syscalls == CMDLINE_AUTO && pvm_active);
}

/* A byte that, before the mov's opcode, would make it another instruction (a REX prefix
 * turns it into a mov to r8d-r15d or rax; operand- and address-size, lock, rep and segment
 * prefixes). Seeing one, the site is left alone: the byte may belong to the instruction
 * before, but a wrong rewrite would break the program, a missed one only costs a trap. */
static bool prefix_byte(uint8_t b)
{
	return (b >= 0x40 && b <= 0x4f) || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 ||
	       b == 0xf3 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
	       b == 0x65;
}

static bool within(uint64_t a, uint64_t b, uint64_t reach)
{
	return (a > b ? a - b : b - a) < reach;
}

/* The stub page with a free slot within a rel32 jump of site (a new one near it if need
 * be): its index in mm's list, or -1. Under patch_lock. */
static int stub_page(struct mm *mm, uint64_t site)
{
	long at;

	for (uint32_t i = 0; i < mm->nstubs; i++)
		if (mm->stub_used[i] < STUB_SLOTS &&
		    within(mm->stub_page[i], site, JUMP_REACH - 2 * PAGE_SIZE))
			return (int)i;
	if (mm->nstubs == MM_STUB_PAGES)
		return -1;
	at = mm_map_near(site, JUMP_REACH - 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_EXEC,
			 "[syscalls]");
	if (at < 0)
		return -1;
	mm->stub_page[mm->nstubs] = (uint64_t)at;
	mm->stub_used[mm->nstubs] = 0;
	return (int)mm->nstubs++;
}

/* glibc's syscall(): "mov 0x8(%rsp), %r9" (the sixth argument) right before the syscall. */
static const uint8_t mov_r9_arg6[5] = { 0x4c, 0x8b, 0x4c, 0x24, 0x08 };

/*
 * Is insn (the 5 bytes before the syscall instruction) one instruction the stub can run again
 * in its place, as the registers at the trap confirm? "mov $nr, %eax" (nr the call being
 * made), or glibc syscall()'s "mov 0x8(%rsp), %r9" (%r9 equal to what that slot holds).
 */
static bool replayable(const uint8_t insn[5], const struct trapframe *tf)
{
	uint32_t imm;
	uint64_t arg6;

	if (insn[0] == OP_MOV_EAX) {
		memcpy(&imm, insn + 1, 4);
		return imm == tf->rax;
	}
	if (!memcmp(insn, mov_r9_arg6, sizeof(mov_r9_arg6)))
		return !get_user(arg6, (const uint64_t *)(tf->rsp + 8)) && arg6 == tf->r9;
	return false;
}

/* Writes the stub at slot for the site whose replayed instruction is insn and whose syscall
 * instruction ends at ret: insn; lea ret(%rip), %rcx; movabs $syscall_fast, %r11;
 * jmp *%r11, int3 to the end of the slot. No site jumps to it yet. 0 or -errno. */
static int write_stub(uint64_t slot, const uint8_t insn[5], uint64_t ret)
{
	uint8_t s[STUB_SLOT];
	int32_t rel = (int32_t)(int64_t)(ret - (slot + 12));
	uint64_t entry = (uint64_t)syscall_fast;

	memset(s, 0xcc, STUB_SLOT);
	memcpy(s, insn, 5);
	s[5] = 0x48; /* lea rel32(%rip), %rcx */
	s[6] = 0x8d;
	s[7] = 0x0d;
	memcpy(s + 8, &rel, 4);
	s[12] = 0x49; /* movabs $imm64, %r11 */
	s[13] = 0xbb;
	memcpy(s + 14, &entry, 8);
	s[22] = 0x41; /* jmp *%r11 */
	s[23] = 0xff;
	s[24] = 0xe3;
	return mm_patch_stub(slot, s, sizeof(s));
}

void syscall_patch_site(const struct trapframe *tf)
{
	uint64_t sc = tf->rip - 2, mov = sc - 5, slot;
	struct mm *mm = mm_current();
	uint8_t b[8], jmp[5];
	int32_t rel;
	int page;

	/* b: the byte before the instruction, the instruction (5), the syscall (2) */
	if (tf->rip < 8 || copy_from_user(b, (const void *)(mov - 1), sizeof(b)))
		return;
	if (b[6] != 0x0f || b[7] != 0x05 || prefix_byte(b[0]) || !replayable(b + 1, tf) ||
	    ALIGN_DOWN(mov, PAGE_SIZE) != ALIGN_DOWN(sc - 1, PAGE_SIZE))
		return;
	slot = (mov * 0x9e3779b97f4a7c15ull) >> 55; /* 9 bits: SEEN_SLOTS */
	if (__atomic_exchange_n(&seen[slot], mov, __ATOMIC_RELAXED) != mov)
		return; /* the first trap here */
	if (!mm_text_patchable(mov))
		return;
	mutex_lock(&patch_lock);
	page = stub_page(mm, mov);
	if (page >= 0) {
		slot = mm->stub_page[page] + STUB_SLOT * mm->stub_used[page];
		rel = (int32_t)(int64_t)(slot - sc);
		jmp[0] = OP_JMP;
		memcpy(jmp + 1, &rel, 4);
		/* the instruction becomes the jump; the syscall instruction after it stays */
		if (!write_stub(slot, b + 1, tf->rip) &&
		    !mm_patch_text(mov, b + 1, jmp, sizeof(jmp))) {
			mm->stub_used[page]++;
			CPU_STAT_INC(sites_rewritten);
		}
	}
	mutex_unlock(&patch_lock);
}
