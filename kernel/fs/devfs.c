/* devfs.c: /dev is a ramfs instance holding device nodes; opening a node reaches its driver
 * through the character-device registry (chrdev.c). The memory devices live here; the
 * console is fs/tty.c. The disks are block nodes, for mount(2) to name (not opened). */
#include "fs/devfs.h"
#include "fs/chrdev.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "fs/tty.h"
#include "fs/vfs.h"
#include "fs/open.h"
#include "drivers/virtio/blk.h"
#include "core/panic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/random.h"
#include "core/uaccess.h"

static ssize_t null_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	return 0;
}

static ssize_t null_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	return (ssize_t)n;
}

static ssize_t zero_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	if (clear_user(ubuf, n))
		return -EFAULT;
	return (ssize_t)n;
}

static ssize_t full_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	return -ENOSPC;
}

static ssize_t random_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	uint8_t buf[256];
	size_t done = 0;

	while (done < n) {
		size_t k = MIN(n - done, sizeof(buf));

		random_fill(buf, k);
		if (copy_to_user((char *)ubuf + done, buf, k))
			return done ? (ssize_t)done : -EFAULT;
		done += k;
	}
	return (ssize_t)n;
}

static uint32_t always_ready(struct file *f, struct pollq **pq)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = null_write, .poll = always_ready, .seek_zero = true
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = null_write, .poll = always_ready, .seek_zero = true
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .poll = always_ready, .seek_zero = true
};
static const struct file_ops random_fops = {
	.read = random_read, .write = null_write, .poll = always_ready, .seek_zero = true
};

static const struct {
	const char *name;
	uint32_t mode;
	uint32_t major, minor;
	const struct file_ops *ops;
} nodes[] = {
	{ "null", 0666, 1, 3, &null_fops },	 { "zero", 0666, 1, 5, &zero_fops },
	{ "full", 0666, 1, 7, &full_fops },	 { "random", 0666, 1, 8, &random_fops },
	{ "urandom", 0666, 1, 9, &random_fops }, { "tty", 0666, 5, 0, &tty_fops },
	{ "console", 0600, 5, 1, &tty_fops },
};

static const struct {
	const char *name, *target;
} links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

#define BLK_MAJOR 254
#define BLK_MINORS 16 /* minors a disk (its partitions') */

uint64_t devfs_blk_rdev(int index)
{
	uint64_t minor = (uint64_t)index * BLK_MINORS;

	return (uint64_t)BLK_MAJOR << 8 | (minor & 0xff) | (minor & ~0xffull) << 12;
}

struct blk_dev *devfs_blk_dev(uint64_t rdev)
{
	for (int i = 0; i < blk_count(); i++)
		if (devfs_blk_rdev(i) == rdev)
			return blk_get(i);
	return NULL;
}

void devfs_init(void)
{
	static const struct vfs_mount_args args = { .source = "devfs",
						    .type_name = "devtmpfs",
						    .flags = MOUNT_NOSUID };
	static const struct vfs_mount_args shm = { .source = "tmpfs",
						   .type_name = "tmpfs",
						   .flags = MOUNT_NOSUID | MOUNT_NODEV,
						   .data = (void *)&ramfs_tmpfs_mode };
	char path[32];
	int r;

	if (vfs_mount("/dev", &ramfs_type, &args))
		panic("devfs: cannot mount /dev");
	for (unsigned i = 0; i < ARRAY_SIZE(nodes); i++) {
		uint64_t rdev = MKDEV(nodes[i].major, nodes[i].minor);

		snprintf(path, sizeof(path), "/dev/%s", nodes[i].name);
		r = chrdev_register(rdev, nodes[i].ops);
		if (!r)
			r = vfs_create(vfs_root, path, S_IFCHR | nodes[i].mode, rdev, NULL, NULL);
		if (r)
			panic("devfs: cannot create %s (error %d)", path, r);
	}
	for (int i = 0; i < blk_count(); i++) {
		snprintf(path, sizeof(path), "/dev/%s", blk_get(i)->name);
		r = vfs_create(vfs_root, path, S_IFBLK | 0660, devfs_blk_rdev(i), NULL, NULL);
		if (r)
			panic("devfs: cannot create %s (error %d)", path, r);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(links); i++) {
		snprintf(path, sizeof(path), "/dev/%s", links[i].name);
		r = vfs_create(vfs_root, path, S_IFLNK | 0777, 0, links[i].target, NULL);
		if (r)
			panic("devfs: cannot create %s (error %d)", path, r);
	}
	/* POSIX shared memory and semaphores (shm_open, sem_open) are files in /dev/shm, a
	 * tmpfs open to all as Linux mounts it */
	r = vfs_create(vfs_root, "/dev/shm", S_IFDIR | 01777, 0, NULL, NULL);
	if (!r)
		r = vfs_mount("/dev/shm", &ramfs_type, &shm);
	if (r)
		panic("devfs: cannot mount /dev/shm (error %d)", r);
}
