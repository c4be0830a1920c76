/* vdso.c: the vDSO in programs: its code (vdso/, linked into the kernel image by
 * vdso_image.S) maps read+execute straight from the kernel image's pages, its data page
 * ([vvar], struct vdso_data) read-only right below it. */
#include "linux/vdso.h"
#include "linux/vdso/vdso_data.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "core/time.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "linux/mm.h"
#include "linux/time.h"

extern const char vdso_image[], vdso_image_end[];

uint64_t vdso_base;

/* Linker symbols bounding one blob: compared as integers (C cannot tell they are one). */
static uint64_t vdso_size(void)
{
	return (uint64_t)vdso_image_end - (uint64_t)vdso_image;
}
static union {
	struct vdso_data d;
	char page[PAGE_SIZE];
} vvar __aligned(PAGE_SIZE);
static struct file *vdso_file, *vvar_file;

static int vdso_get_page(struct file *f, uint64_t off, unsigned how, uint64_t *pa)
{
	if ((how & GET_PAGE_WRITE) || off >= vdso_size())
		return -EACCES;
	*pa = KV2P(vdso_image + off);
	return 0;
}

static int vvar_get_page(struct file *f, uint64_t off, unsigned how, uint64_t *pa)
{
	if ((how & GET_PAGE_WRITE) || off)
		return -EACCES;
	*pa = KV2P(&vvar);
	return 0;
}

static const struct file_ops vdso_fops = { .get_page = vdso_get_page };
static const struct file_ops vvar_fops = { .get_page = vvar_get_page };

static struct file *special(const struct file_ops *ops, uint64_t size)
{
	struct inode *ino = vfs_anon_inode(S_IFREG | 0444, ops);
	struct file *f;

	if (!ino)
		return NULL;
	ino->size = size;
	f = file_alloc(ino, NULL, ops, O_RDONLY);
	vfs_inode_put(ino);
	return f;
}

static void vdso_init(void)
{
	bool pv;

	time_vdso_params(&pv, &vvar.d.base_ns, &vvar.d.base_tsc, &vvar.d.ns_mult);
	vvar.d.mode = pv ? VDSO_CLOCK_PVCLOCK : VDSO_CLOCK_TSC;
	vvar.d.pvclock = (const volatile struct vdso_pvclock *)cpus[0]->pvclock;
	vvar.d.cpu_id_offset = PERCPU_CPU_OFFSET + offsetof(struct cpu, id);
	vvar.d.realtime_offset = time_realtime_offset();
	vdso_file = special(&vdso_fops, vdso_size());
	vvar_file = special(&vvar_fops, PAGE_SIZE);
}

void vdso_realtime_changed(void)
{
	__atomic_store_n(&vvar.d.realtime_offset, time_realtime_offset(), __ATOMIC_RELEASE);
}

void vdso_map(void)
{
	uint64_t size = vdso_size();
	long at;

	vdso_base = 0;
	if (!vdso_file)
		vdso_init();
	if (!vdso_file || !vvar_file)
		return;
	at = mm_mmap(0, PAGE_SIZE + size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, NULL);
	if (at < 0 ||
	    mm_mmap((uint64_t)at, PAGE_SIZE, PROT_READ, MAP_SHARED | MAP_FIXED, vvar_file, 0,
		    "[vvar]") < 0 ||
	    mm_mmap((uint64_t)at + PAGE_SIZE, size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED,
		    vdso_file, 0, "[vdso]") < 0) {
		printk(LOG_WARN, "mote: cannot map the vDSO: programs use the system calls\n");
		return;
	}
	vdso_base = (uint64_t)at + PAGE_SIZE;
}
