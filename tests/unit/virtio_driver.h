/* virtio_driver.h: a virtio-mmio driver for host tests of motevm's devices, built around the
 * kernel's own split-virtqueue code (kernel/drivers/virtio/virtqueue.c). It is compiled with
 * the kernel's headers, so this interface uses plain C types only. The test provides guest
 * RAM (vdrv_ram, vdrv_ram_size) and the transport's register access. */
#ifndef MOTE_TEST_VIRTIO_DRIVER_H
#define MOTE_TEST_VIRTIO_DRIVER_H

#define VDRV_QUEUES 6 /* the console: two ports and the control pair */

/* provided by the test */
unsigned vdrv_reg_read(unsigned long off);
void vdrv_reg_write(unsigned long off, unsigned v);
extern unsigned char *vdrv_ram;
extern unsigned long vdrv_ram_size;

/* Guest RAM for buffers (a bump allocator above what the rings use); its guest address. */
void *vdrv_alloc(unsigned long len);
unsigned long vdrv_pa(const void *p);

/*
 * Runs the driver's initialisation (3.1.1): reset, ACKNOWLEDGE|DRIVER, features (the device's
 * masked by WANT, VERSION_1 always), FEATURES_OK, NQUEUES queues of QSIZE, DRIVER_OK.
 * Returns the features agreed, or 0 if the device refused (FEATURES_OK did not stick).
 */
unsigned long long vdrv_init(unsigned long long want, unsigned nqueues, unsigned qsize);
/* The kernel's vq_add / vq_get on queue Q, and a notification. */
int vdrv_add(unsigned q, const void *buf, unsigned len, int device_writes);
int vdrv_get(unsigned q, unsigned *len);
void vdrv_notify(unsigned q);
/* A chain of buffers, as a block request is: begin on queue Q, add each buffer (DEVICE_WRITES:
 * the device fills it), end to offer it (its head descriptor, or -1 if the ring is full).
 * vdrv_get frees the whole chain when the device gives it back. */
int vdrv_chain_begin(unsigned q);
void vdrv_chain(const void *buf, unsigned len, int device_writes);
int vdrv_chain_end(void);
/* EVENT_IDX's used_event: interrupt when the used index passes it. */
void vdrv_set_used_event(unsigned q, unsigned short idx);
/* How many used entries the driver has taken from queue Q so far. */
unsigned short vdrv_last_used(unsigned q);
/* The device's avail_event (what the kernel driver would read to decide on notifying). */
unsigned short vdrv_avail_event(unsigned q);

/* Raw ring access, for hostile drivers: descriptor I, and an avail entry HEAD published with
 * the index moved by STEP (1 for an honest driver). */
void vdrv_raw_desc(unsigned q, unsigned i, unsigned long long addr, unsigned len,
		   unsigned short flags, unsigned short next);
void vdrv_raw_avail(unsigned q, unsigned short head, unsigned short step);
/* Non-zero: what vdrv_init sets up instead of the honest values (features written, the
 * descriptor table's address, the queue size). */
extern unsigned long long vdrv_force_features, vdrv_bad_desc_gpa;
extern unsigned vdrv_bad_qsize;

#endif
