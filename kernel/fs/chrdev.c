/* chrdev.c: the character-device registry. */
#include "fs/chrdev.h"
#include "fs/pipe.h"
#include "fs/vfs.h"
#include "lib/errno.h"

#define CHRDEV_MAX 32

static struct {
	uint64_t rdev;	/* the first */
	uint32_t count; /* minors from rdev's on */
	const struct file_ops *ops;
} devs[CHRDEV_MAX];
static int ndevs;

int chrdev_register_range(uint64_t rdev, uint32_t count, const struct file_ops *ops)
{
	if (ndevs == CHRDEV_MAX)
		return -ENOSPC;
	devs[ndevs].rdev = rdev;
	devs[ndevs].count = count;
	devs[ndevs++].ops = ops;
	return 0;
}

int chrdev_register(uint64_t rdev, const struct file_ops *ops)
{
	return chrdev_register_range(rdev, 1, ops);
}

const struct file_ops *chrdev_fops(struct inode *ino)
{
	if (S_ISFIFO(ino->mode))
		return &fifo_fops;
	for (int i = 0; i < ndevs; i++)
		if (MAJOR(ino->rdev) == MAJOR(devs[i].rdev) &&
		    MINOR(ino->rdev) - MINOR(devs[i].rdev) < devs[i].count)
			return devs[i].ops;
	return NULL;
}
