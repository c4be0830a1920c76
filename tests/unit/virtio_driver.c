/* virtio_driver.c: the test driver of virtio_driver.h, on the kernel's virtqueue.c. */
#include "virtio_driver.h"
#include "abi/virtio_mmio.h"
#include "core/mm/page.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/string.h"

#define VERSION_1 (1ull << 32)

unsigned long long vdrv_bad_desc_gpa, vdrv_force_features;
unsigned vdrv_bad_qsize;
static struct virtqueue vqs[VDRV_QUEUES];
static unsigned long brk = 0x100000; /* RAM below 1 MiB stays unused, as on a PC */

void *vdrv_alloc(unsigned long len)
{
	void *p;

	brk = ALIGN_UP(brk, 64);
	if (brk + len > vdrv_ram_size)
		return NULL;
	p = vdrv_ram + brk;
	brk += len;
	memset(p, 0, len);
	return p;
}

unsigned long vdrv_pa(const void *p)
{
	return (unsigned long)((const unsigned char *)p - vdrv_ram);
}

void *page_alloc_zeroed(unsigned order)
{
	brk = ALIGN_UP(brk, PAGE_SIZE);
	return vdrv_alloc(PAGE_SIZE << order);
}

void *page_alloc(unsigned order)
{
	return page_alloc_zeroed(order);
}

void page_free(void *p, unsigned order)
{
	(void)p;
	(void)order;
}

static void set_addr(unsigned lo, unsigned long long v)
{
	vdrv_reg_write(lo, (unsigned)v);
	vdrv_reg_write(lo + 4, (unsigned)(v >> 32));
}

unsigned long long vdrv_init(unsigned long long want, unsigned nqueues, unsigned qsize)
{
	unsigned long long have;

	vdrv_reg_write(VIRTIO_MMIO_STATUS, 0);
	vdrv_reg_write(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vdrv_reg_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	have = vdrv_reg_read(VIRTIO_MMIO_DEVICE_FEATURES);
	vdrv_reg_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	have |= (unsigned long long)vdrv_reg_read(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	/* a test may ask for what was not offered, to see FEATURES_OK refused */
	want = vdrv_force_features ? vdrv_force_features : (have & want) | VERSION_1;
	vdrv_reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdrv_reg_write(VIRTIO_MMIO_DRIVER_FEATURES, (unsigned)want);
	vdrv_reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vdrv_reg_write(VIRTIO_MMIO_DRIVER_FEATURES, (unsigned)(want >> 32));
	vdrv_reg_write(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						   VIRTIO_STATUS_FEATURES_OK);
	if (!(vdrv_reg_read(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return 0;
	for (unsigned i = 0; i < nqueues && i < VDRV_QUEUES; i++) {
		struct virtqueue *q = &vqs[i];

		if (vq_init(q, (uint16_t)qsize))
			return 0;
		vdrv_reg_write(VIRTIO_MMIO_QUEUE_SEL, i);
		vdrv_reg_write(VIRTIO_MMIO_QUEUE_NUM, vdrv_bad_qsize ? vdrv_bad_qsize : q->size);
		set_addr(VIRTIO_MMIO_QUEUE_DESC_LO,
			 vdrv_bad_desc_gpa ? vdrv_bad_desc_gpa : vq_desc_pa(q));
		set_addr(VIRTIO_MMIO_QUEUE_DRIVER_LO, vq_avail_pa(q));
		set_addr(VIRTIO_MMIO_QUEUE_DEVICE_LO, vq_used_pa(q));
		vdrv_reg_write(VIRTIO_MMIO_QUEUE_READY, 1);
	}
	vdrv_reg_write(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						   VIRTIO_STATUS_FEATURES_OK |
						   VIRTIO_STATUS_DRIVER_OK);
	return want;
}

int vdrv_add(unsigned q, const void *buf, unsigned len, int device_writes)
{
	return vq_add(&vqs[q], vdrv_pa(buf), len, device_writes);
}

/* The chain being made (vdrv_chain_begin .. vdrv_chain_end), offered by the kernel's
 * vq_add_chain. */
static struct {
	unsigned q;
	int n;
	struct vq_buf b[VQ_MAX_SIZE];
} chain;

int vdrv_chain_begin(unsigned q)
{
	chain.q = q;
	chain.n = 0;
	return 0;
}

void vdrv_chain(const void *buf, unsigned len, int device_writes)
{
	if (chain.n < VQ_MAX_SIZE)
		chain.b[chain.n++] = (struct vq_buf){ .pa = vdrv_pa(buf),
						      .len = len,
						      .device_writes = device_writes };
}

int vdrv_chain_end(void)
{
	return vq_add_chain(&vqs[chain.q], chain.b, chain.n);
}

int vdrv_get(unsigned q, unsigned *len)
{
	uint32_t l = 0;
	int r = vq_get(&vqs[q], &l); /* frees the whole chain */

	*len = l;
	return r;
}

void vdrv_notify(unsigned q)
{
	vdrv_reg_write(VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

void vdrv_set_used_event(unsigned q, unsigned short idx)
{
	vqs[q].avail[2 + vqs[q].size] = idx;
}

unsigned short vdrv_last_used(unsigned q)
{
	return vqs[q].last_used;
}

unsigned short vdrv_avail_event(unsigned q)
{
	const volatile uint8_t *p = vqs[q].used + 4 + 8 * vqs[q].size;

	return (unsigned short)(p[0] | p[1] << 8);
}

void vdrv_raw_desc(unsigned q, unsigned i, unsigned long long addr, unsigned len,
		   unsigned short flags, unsigned short next)
{
	vqs[q].desc[i] = (struct vq_desc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

void vdrv_raw_avail(unsigned q, unsigned short head, unsigned short step)
{
	uint16_t idx = vqs[q].avail[1];

	vqs[q].avail[2 + (idx & (vqs[q].size - 1))] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vqs[q].avail[1] = (uint16_t)(idx + step);
}
