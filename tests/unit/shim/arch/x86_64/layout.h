/* layout.h (host-test shim): guest-physical addresses of the test's guest RAM, for the
 * kernel's virtqueue.c built on the host (tests/unit/virtio_driver.c). */
#ifndef MOTE_TEST_SHIM_LAYOUT_H
#define MOTE_TEST_SHIM_LAYOUT_H

#include "lib/types.h"

extern uint8_t *vdrv_ram;
#define V2P(v) ((uint64_t)((uint8_t *)(v)-vdrv_ram))
#define V2P_ANY(v) V2P(v)
#define P2V(p) ((void *)(vdrv_ram + (uint64_t)(p)))

#endif
