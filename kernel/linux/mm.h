/* mm.h: a process's address space (the lower half of its page table; the kernel half is
 * shared by all): VMAs, mmap/munmap/mprotect/mremap/brk, page faults, fork's copy on write.
 *
 * Mapping policy (page faults are ~10 us host traps on kvm_pvm): file mappings and anonymous
 * mappings up to MM_EAGER_MAX are populated at once; larger anonymous ones fault in
 * MM_FAULT_AROUND pages at a time. Read-only private file pages map the file's own page (the
 * initrd's bytes, in place); written private pages are copied (on the write fault, or at
 * once for a writable private mapping).
 */
#ifndef MOTE_LINUX_MM_H
#define MOTE_LINUX_MM_H

#include "lib/types.h"
#include "lib/list.h"
#include "core/sched/sync.h"

struct file;
struct inode;

#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_HUGETLB 0x40000
#define MAP_FIXED_NOREPLACE 0x100000

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

/* The application's layout (Linux's, without randomisation). */
#define MM_TASK_SIZE 0x00007ffffffff000UL
#define MM_STACK_TOP MM_TASK_SIZE
#define MM_STACK_SIZE (8UL << 20)
#define MM_MMAP_BASE 0x00007ffff7fff000UL
#define MM_PIE_BASE 0x0000555555554000UL
#define MM_MIN_ADDR 0x10000UL /* vm.mmap_min_addr */
#define MM_EAGER_MAX (1UL << 20)
#define MM_FAULT_AROUND 16
#define HUGE_ORDER 9	/* a 2 MiB page: 2^9 4 KiB frames */
#define MM_STUB_PAGES 8 /* at most 8 x 128 rewritten system-call sites */
#define MM_IDS 65536	/* at most MM_IDS - 1 address spaces at once (futex keys) */

struct vma {
	struct list node; /* in mm->vmas, sorted by address */
	uint64_t start, end;
	uint32_t prot;
	uint32_t flags;	   /* MAP_* */
	struct file *file; /* a reference, or NULL (anonymous) */
	uint64_t off;	   /* file offset of start */
	const char *name;  /* "[heap]", "[stack]", "[vdso]" or NULL (procfs maps) */
	bool nohuge;	   /* madvise(MADV_NOHUGEPAGE): 4 KiB pages only */
};

struct mm {
	struct mutex lock;
	struct list vmas;
	uint64_t *pgd;		 /* the page-table root (direct-map address) */
	int users;		 /* processes using it (a vfork child shares its parent's), and
				  * procfs readers of another process's (process_mm) */
	uint32_t id;		 /* 1..MM_IDS - 1, unique among live address spaces */
	struct list all;	 /* in the list of every address space */
	uint64_t brk_start, brk; /* the heap: [brk_start, brk) */
	uint64_t stack_start;	 /* lowest address of the main stack VMA */
	uint64_t pages;		 /* resident pages owned (statistics) */
	/* pages of stubs for rewritten system calls (syscall_patch.c), with the slots used */
	uint64_t stub_page[MM_STUB_PAGES];
	uint32_t stub_used[MM_STUB_PAGES];
	uint32_t nstubs;
};

/* The calling thread's address space (its process's); NULL on a kernel thread. The calls
 * below all work on it. */
struct mm *mm_current(void);
/* A new, empty address space; first: the first process's, on the kernel's own root (no
 * page-table switch while it is the only one). NULL when out of memory. */
struct mm *mm_create(bool first);
/* fork: a copy of src, private memory shared copy-on-write. NULL when out of memory. */
struct mm *mm_fork(struct mm *src);
/* One more / one fewer user; the last mm_put frees everything (no thread may run on it). */
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/*
 * mmap: returns the address or -errno. f (a reference is taken) is NULL for anonymous
 * memory. name labels the VMA for /proc/self/maps.
 */
long mm_mmap(uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags, struct file *f,
	     uint64_t off, const char *name);
int mm_munmap(uint64_t addr, uint64_t len) __must_check;
int mm_mprotect(uint64_t addr, uint64_t len, uint32_t prot) __must_check;
long mm_mremap(uint64_t old, uint64_t olen, uint64_t nlen, uint32_t flags, uint64_t naddr);
/* Set up the heap after exec (empty, at start) / move its end (brk semantics). */
void mm_set_brk(uint64_t start);
uint64_t mm_brk(uint64_t end);
/* Remove every mapping (execve). */
void mm_clear(void);
/*
 * A page fault at addr (write: a write access) in the application's half. Returns 0 if
 * resolved, -EFAULT if addr is not mapped (SEGV_MAPERR), -EACCES if the access is not
 * allowed (SEGV_ACCERR), -EIO past the end of a mapped file (SIGBUS), -ENOMEM.
 */
int mm_fault(uint64_t addr, bool write) __must_check;
/* madvise(MADV_DONTNEED): drop the pages of [addr, addr+len); they fault in again (zeros for
 * anonymous memory, the file's contents for file mappings). 0 or -ENOMEM (not mapped). */
int mm_dontneed(uint64_t addr, uint64_t len) __must_check;
/* madvise(MADV_HUGEPAGE / MADV_NOHUGEPAGE): allow (the default for anonymous memory) or
 * refuse 2 MiB pages for [addr, addr+len) from now on (pages mapped stay as they are).
 * 0, or -ENOMEM (not mapped, or out of memory splitting a VMA). */
int mm_set_huge(uint64_t addr, uint64_t len, bool allow) __must_check;
/* msync: the files of the shared mappings in [addr, addr+len) synced (file_ops.fsync: a disk
 * file system writes the mapped pages back). 0 or the first error. */
int mm_sync(uint64_t addr, uint64_t len);
/*
 * Replace n bytes of the program's code at va, which must read old, with new: in a private,
 * read-only, executable file mapping (never a writable or shared one: a JIT's code is left
 * alone), all n bytes in one page. The page becomes a private copy, swapped in whole.
 * Returns 0, -EPERM (not such a mapping), -EAGAIN (the bytes are not old), -EINVAL, -ENOMEM.
 */
int mm_patch_text(uint64_t va, const void *old, const void *new, size_t n) __must_check;
/* Would mm_patch_text consider the code at va (the kind of mapping only)? */
bool mm_text_patchable(uint64_t va);
/* Write n bytes at va, in a page of mm_map_near's (read-only to the program) that no code
 * jumps to yet: in place if this address space alone owns the frame, else into a copy of it
 * (after fork, parent and child share their stub pages until one writes). 0, -EPERM (not
 * such a page), -EINVAL, -ENOMEM. */
int mm_patch_stub(uint64_t va, const void *bytes, size_t n) __must_check;
/* Map len bytes of anonymous memory (prot, name for procfs) within reach bytes of near, on
 * either side: its address, or -ENOMEM when there is no room there. */
long mm_map_near(uint64_t near, uint64_t reach, uint64_t len, uint32_t prot, const char *name);
/* Is [addr, addr+len) fully mapped (mincore, msync)? */
bool mm_range_mapped(uint64_t addr, uint64_t len);
/* A file shrank to size: drop the mappings of its pages past the new end (they fault again:
 * SIGBUS past end of file, as in Linux). */
void mm_truncated(const struct inode *ino, uint64_t size);
/* The first VMA of mm that ends above addr, copied into *out with a reference to its file
 * (the caller file_put()s it): procfs walks the VMAs with it without holding the mm lock
 * while it formats them. false if there is none. */
bool mm_vma_next(struct mm *mm, uint64_t addr, struct vma *out);
/* mm's resident pages (for /proc, getrusage); 0 for NULL. */
uint64_t mm_resident_pages(const struct mm *mm);
/*
 * Copy n bytes at addr of mm (any process's; the caller holds a reference) into buf, through
 * mm's own page tables under its lock: what /proc/<pid>/cmdline and environ read. Pages are
 * not faulted in: the copy stops at the first one not there. Returns the bytes copied.
 */
size_t mm_read(struct mm *mm, uint64_t addr, void *buf, size_t n);

#endif /* MOTE_LINUX_MM_H */
