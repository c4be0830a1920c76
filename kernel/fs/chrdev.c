/* chrdev.c: the character-device registry. */
#include "fs/chrdev.h"
#include "fs/pipe.h"
#include "fs/vfs.h"
#include "lib/errno.h"

#define CHRDEV_MAX 32

static struct {
	uint64_t rdev;
	const struct file_ops *ops;
} devs[CHRDEV_MAX];
static int ndevs;

int chrdev_register(uint64_t rdev, const struct file_ops *ops)
{
	if (ndevs == CHRDEV_MAX)
		return -ENOSPC;
	devs[ndevs].rdev = rdev;
	devs[ndevs++].ops = ops;
	return 0;
}

const struct file_ops *chrdev_fops(struct inode *ino)
{
	if (S_ISFIFO(ino->mode))
		return &fifo_fops;
	for (int i = 0; i < ndevs; i++)
		if (devs[i].rdev == ino->rdev)
			return devs[i].ops;
	return NULL;
}
