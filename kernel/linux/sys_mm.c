/* sys_mm.c: memory system calls: mmap, munmap, mprotect, brk, mremap, madvise, mincore,
 * msync, mlock. */
#include "fs/chrdev.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "arch/x86_64/layout.h"
#include "lib/errno.h"
#include "linux/mm.h"
#include "linux/syscall.h"
#include "core/uaccess.h"

#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15

SYSCALL_DEFINE6(mmap, uint64_t, addr, uint64_t, len, uint32_t, prot, uint32_t, flags, int, fd,
		uint64_t, off)
{
	struct file *f = NULL;
	uint32_t type = flags & MAP_TYPE;
	long r;

	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE)
		flags = (flags & ~(uint32_t)MAP_TYPE) | MAP_SHARED;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		if (S_ISCHR(f->inode->mode) && f->inode->rdev == MKDEV(1, 5)) { /* /dev/zero */
			file_put(f);
			f = NULL;
			flags |= MAP_ANONYMOUS;
		} else if (!f->ops || !f->ops->get_page) {
			file_put(f);
			return -ENODEV;
		} else if ((f->flags & O_ACCMODE) == O_WRONLY ||
			   ((flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE) &&
			    (f->flags & O_ACCMODE) != O_RDWR)) {
			file_put(f);
			return -EACCES;
		} else if ((flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE) &&
			   ramfs_get_seals(f->inode) > 0 &&
			   (ramfs_get_seals(f->inode) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
			file_put(f);
			return -EPERM; /* a memfd sealed against writes */
		}
	}
	r = mm_mmap(addr, len, prot, flags, f, f ? off : 0, NULL);
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(munmap, uint64_t, addr, uint64_t, len)
{
	return mm_munmap(addr, len);
}

SYSCALL_DEFINE3(mprotect, uint64_t, addr, uint64_t, len, uint32_t, prot)
{
	return mm_mprotect(addr, len, prot);
}

SYSCALL_DEFINE1(brk, uint64_t, end)
{
	return (long)mm_brk(end);
}

SYSCALL_DEFINE5(mremap, uint64_t, old, uint64_t, olen, uint64_t, nlen, uint32_t, flags, uint64_t,
		naddr)
{
	return mm_mremap(old, olen, nlen, flags, naddr);
}

SYSCALL_DEFINE3(madvise, uint64_t, addr, uint64_t, len, int, advice)
{
	if ((addr & (PAGE_SIZE - 1)) || advice < 0 || (advice > 4 && advice < 8) ||
	    (advice > 25 && advice != 100 && advice != 101))
		return -EINVAL;
	/* Anonymous private memory must read as zeros after DONTNEED: drop and re-map it. */
	if (advice == MADV_DONTNEED && len)
		return mm_dontneed(addr, len);
	if ((advice == MADV_HUGEPAGE || advice == MADV_NOHUGEPAGE) && len)
		return mm_set_huge(addr, len, advice == MADV_HUGEPAGE);
	return 0;
}

SYSCALL_DEFINE3(mincore, uint64_t, addr, uint64_t, len, uint8_t *, vec)
{
	uint64_t n = ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!mm_range_mapped(addr, len))
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++)
		if (put_user((uint8_t)1, vec + i))
			return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(msync, uint64_t, addr, uint64_t, len, int, flags)
{
	if ((addr & (PAGE_SIZE - 1)) || (flags & ~7))
		return -EINVAL;
	if (!mm_range_mapped(addr, len))
		return -ENOMEM;
	return mm_sync(addr, len);
}

SYSCALL_DEFINE2(mlock, uint64_t, addr, uint64_t, len)
{
	return 0;
}

SYSCALL_DEFINE2(munlock, uint64_t, addr, uint64_t, len)
{
	return 0;
}

SYSCALL_DEFINE1(mlockall, int, flags)
{
	return 0;
}

SYSCALL_DEFINE0(munlockall)
{
	return 0;
}

SYSCALL_DEFINE4(fadvise64, int, fd, int64_t, off, int64_t, len, int, advice)
{
	struct file *f = fd_get(fd);
	bool pipe;

	if (!f)
		return -EBADF;
	pipe = S_ISFIFO(f->inode->mode);
	file_put(f);
	if (pipe)
		return -ESPIPE;
	return advice < 0 || advice > 5 || len < 0 ? -EINVAL : 0;
}
