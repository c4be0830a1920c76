/* mounts.c: the boot-time file systems: the initrd unpacked into ramfs at /, devfs, procfs
 * and sysfs. */
#include "fs/mounts.h"
#include "fs/devfs.h"
#include "fs/initrd.h"
#include "fs/initrd_gzip.h"
#include "fs/procfs.h"
#include "fs/ramfs.h"
#include "fs/sysfs.h"
#include "fs/vfs.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/layout.h"
#include "core/panic.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/gzip.h"
#include "lib/printf.h"
#include "lib/string.h"

static const struct {
	const char *dev, *dir, *type, *opts;
} table[] = {
	{ "rootfs", "/", "ramfs", "rw" },
	{ "devfs", "/dev", "devtmpfs", "rw,nosuid" },
	{ "proc", "/proc", "proc", "rw,nosuid,nodev,noexec" },
	{ "sysfs", "/sys", "sysfs", "rw,nosuid,nodev,noexec" },
};

unsigned long mounts_format(char *buf, unsigned long n)
{
	unsigned long at = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(table); i++)
		at += (unsigned long)snprintf(buf + MIN(at, n), at < n ? n - at : 0,
					      "%s %s %s %s 0 0\n", table[i].dev, table[i].dir,
					      table[i].type, table[i].opts);
	return at;
}

static void mkdir_if_missing(const char *name)
{
	int err = 0;

	mutex_lock(&vfs_lock);
	if (!vfs_child(vfs_root, name, strlen(name)) &&
	    !ramfs_add_dir(vfs_root, name, strlen(name), 0755, vfs_now().sec, &err))
		panic("vfs: cannot create /%s (error %d)", name, err);
	mutex_unlock(&vfs_lock);
}

void vfs_init(void)
{
	uint64_t t0 = time_ns();
	const uint8_t *initrd = P2V(bootinfo.initrd_pa);
	size_t size = bootinfo.initrd_size;
	char err[160];
	long n = 0;

	if (vfs_mount("/", &ramfs_type, NULL))
		panic("vfs: cannot mount the root file system");
	/* a gzip initrd is decompressed first; an uncompressed one is used in place */
	if (size && gzip_is(initrd, size))
		n = initrd_gunzip(initrd, size, &initrd, &size, err, sizeof(err));
	if (size && n == 0)
		n = initrd_unpack(vfs_root, initrd, size, err, sizeof(err));
	if (n < 0) {
		printk(LOG_ERR, "mote: bad initrd: %s\n", err);
		kernel_exit(EXIT_BOOT_FAIL);
	}
	mkdir_if_missing("dev");
	mkdir_if_missing("proc");
	mkdir_if_missing("sys");
	mkdir_if_missing("tmp");
	devfs_init();
	procfs_init();
	sysfs_init();
	printk(LOG_INFO, "mote: root file system: %ld initrd entries (%lu KiB) in %lu us\n", n,
	       (unsigned long)size >> 10, (time_ns() - t0) / 1000);
}
