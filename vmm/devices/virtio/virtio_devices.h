/* virtio_devices.h: the virtio devices the configuration asks for, as one entry of the device
 * table: its network interfaces (virtio-net), then entropy (virtio-rng), each in the next
 * virtio-mmio slot (MMIO 0xd0000000 + 4 KiB x slot, GSI 5 + slot). */
#ifndef MOTE_VMM_DEVICES_VIRTIO_VIRTIO_DEVICES_H
#define MOTE_VMM_DEVICES_VIRTIO_VIRTIO_DEVICES_H

#include <stddef.h>

#include "devices/devices.h"

extern const struct device_ops virtio_devices;
/* Appends their " virtio_mmio.device=4K@ADDR:GSI" words to the kernel command line in BUF.
 * 0, or -ENOSPC. */
int virtio_devices_cmdline(const struct devices *devs, char *buf, size_t size);

#endif /* MOTE_VMM_DEVICES_VIRTIO_VIRTIO_DEVICES_H */
