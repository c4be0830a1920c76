/* mounts.c: the boot-time file systems: the initrd unpacked into ramfs at / (or, with
 * root=/dev/vdX, that disk's ext4 at /), devfs, procfs and sysfs, then the disks the command
 * line's --mount options name. */
#include "fs/mounts.h"
#include "fs/devfs.h"
#include "fs/devpts.h"
#include "fs/ext4/ext4.h"
#include "fs/open.h"
#include "fs/path.h"
#include "fs/initrd.h"
#include "fs/initrd_gzip.h"
#include "fs/procfs.h"
#include "fs/ramfs.h"
#include "fs/sysfs.h"
#include "fs/vfs.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/layout.h"
#include "drivers/virtio/blk.h"
#include "core/cmdline.h"
#include "core/panic.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/gzip.h"
#include "lib/printf.h"
#include "lib/string.h"

/* mkdir -p dir in the root file system. */
static int make_dirs(const char *dir)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		int r;

		if (path[i] != '/' && path[i])
			continue;
		path[i] = 0;
		r = vfs_create(vfs_root, path, S_IFDIR | 0755, 0, NULL, NULL);
		path[i] = dir[i];
		if (r && r != -EEXIST)
			return r;
	}
	return 0;
}

static struct blk_dev *find_disk(const char *dev)
{
	if (strncmp(dev, "/dev/", 5))
		return NULL;
	for (int i = 0; i < blk_count(); i++)
		if (!strcmp(blk_get(i)->name, dev + 5))
			return blk_get(i);
	return NULL;
}

static const char *why(int err)
{
	switch (err) {
	case -EINVAL:
		return "not an ext4 file system";
	case -EOPNOTSUPP:
		return "unsupported ext4 feature";
	case -EBADMSG:
		return "corrupt file system (bad checksum)";
	case -ENOTDIR:
		return "not a directory";
	case -EIO:
		return "I/O error";
	case -EROFS:
		return "read-only device";
	case -EBUSY:
		return "mounted already";
	default:
		return "error";
	}
}

/* --mount=DEV:DIR[:ro]: a failure is reported and the boot goes on without that mount. */
static void mount_disks(void)
{
	for (int i = 0; i < cmdline.nmounts; i++) {
		const struct cmdline_mount *m = &cmdline.mounts[i];
		struct blk_dev *b = find_disk(m->dev);
		struct ext4_mount_opts opts;
		struct vfs_mount_args args;
		struct dentry *at;
		int r;

		if (!b) {
			printk(LOG_ERR, "mote: cannot mount %s on %s: no such device\n", m->dev,
			       m->dir);
			continue;
		}
		opts = (struct ext4_mount_opts){ b, m->ro };
		args = (struct vfs_mount_args){
			.source = m->dev, .flags = MOUNT_RELATIME, .bdev = b, .data = &opts
		};
		r = make_dirs(m->dir);
		if (!r)
			r = vfs_mount(m->dir, &ext4_type, &args);
		if (!r)
			r = path_lookup_at(vfs_root, m->dir, LOOKUP_FOLLOW, &at);
		if (r) {
			printk(LOG_ERR, "mote: cannot mount %s on %s: %s (%d)\n", m->dev, m->dir,
			       why(r), r);
			continue;
		}
		printk(LOG_INFO, "mote: %s mounted on %s (ext4, %s)\n", m->dev, m->dir,
		       at->inode->sb->rdonly ? "read-only" : "read-write");
		vfs_dentry_put(at);
	}
}

int mounts_sync(bool last)
{
	struct list *pos;
	int r = 0;

	mutex_lock(&vfs_mounts_lock);
	list_for_each (pos, &vfs_mounts) {
		int e = vfs_sync(list_entry(pos, struct super, mnt_node), last);

		r = r ?: e;
	}
	mutex_unlock(&vfs_mounts_lock);
	return r;
}

/* A mount point in the root file system; a disk root that lacks it and is read-only ends
 * the boot with a line that says so. */
static void mkdir_if_missing(const char *name, uint32_t mode)
{
	int r = 0;

	if (cmdline.root) {
		r = vfs_create(vfs_root, name, S_IFDIR | mode, 0, NULL, NULL);
	} else {
		/* in the initrd's ramfs without touching /'s times (the image's, as a chroot of
		 * it shows them) */
		mutex_lock(&vfs_lock);
		if (!vfs_child(vfs_root, name + 1, strlen(name + 1)) &&
		    !ramfs_add_dir(vfs_root, name + 1, strlen(name + 1), mode, vfs_now().sec, &r))
			r = r ? r : -ENOMEM;
		mutex_unlock(&vfs_lock);
	}
	if (r && r != -EEXIST) {
		printk(LOG_ERR, "mote: the root file system has no %s and it cannot be made (%s)\n",
		       name, r == -EROFS ? "read-only" : why(r));
		kernel_exit(EXIT_BOOT_FAIL);
	}
}

/* root=/dev/vdX: that disk's ext4 at /, instead of the initrd's ramfs. */
static void mount_root_disk(size_t initrd_size)
{
	struct blk_dev *b = find_disk(cmdline.root);
	struct ext4_mount_opts opts = { b, cmdline.root_ro };
	struct vfs_mount_args args = {
		.source = cmdline.root, .flags = MOUNT_RELATIME, .bdev = b, .data = &opts
	};
	int r = b ? vfs_mount("/", &ext4_type, &args) : -ENODEV;

	if (r) {
		printk(LOG_ERR, "mote: cannot mount the root file system %s: %s (%d)\n",
		       cmdline.root, r == -ENODEV ? "no such device" : why(r), r);
		kernel_exit(EXIT_BOOT_FAIL);
	}
	printk(LOG_INFO, "mote: root file system: %s (ext4, %s)%s\n", cmdline.root,
	       vfs_root->inode->sb->rdonly ? "read-only" : "read-write",
	       initrd_size ? "; the initrd is not used" : "");
}

static const struct vfs_mount_args rootfs = { .source = "rootfs" };

void vfs_init(void)
{
	uint64_t t0 = time_ns();
	const uint8_t *initrd = P2V(bootinfo.initrd_pa);
	size_t size = bootinfo.initrd_size;
	char err[160];
	long n = 0;

	if (cmdline.root) {
		mount_root_disk(size);
		size = 0;
	} else if (vfs_mount("/", &ramfs_type, &rootfs)) {
		panic("vfs: cannot mount the root file system");
	}
	/* a gzip initrd is decompressed first; an uncompressed one is used in place */
	if (size && gzip_is(initrd, size))
		n = initrd_gunzip(initrd, size, &initrd, &size, err, sizeof(err));
	if (size && n == 0)
		n = initrd_unpack(vfs_root, initrd, size, err, sizeof(err));
	if (n < 0) {
		printk(LOG_ERR, "mote: bad initrd: %s\n", err);
		kernel_exit(EXIT_BOOT_FAIL);
	}
	mkdir_if_missing("/dev", 0755);
	mkdir_if_missing("/proc", 0555);
	mkdir_if_missing("/sys", 0555);
	mkdir_if_missing("/tmp", 01777); /* open to all, as Linux systems make it */
	devfs_init();
	devpts_init();
	procfs_init();
	sysfs_init();
	mount_disks();
	if (!cmdline.root)
		printk(LOG_INFO, "mote: root file system: %ld initrd entries (%lu KiB) in %lu us\n",
		       n, (unsigned long)size >> 10, (time_ns() - t0) / 1000);
}
