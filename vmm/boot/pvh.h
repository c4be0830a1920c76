/* pvh.h: the PVH boot ABI's hvm_start_info (Xen's arch-x86/hvm/start_info.h, version 1). */
#ifndef MOTE_VMM_BOOT_PVH_H
#define MOTE_VMM_BOOT_PVH_H

struct guest_mem;
struct boot_blobs;

/*
 * Writes hvm_start_info at PVH_INFO_ADDR: the command line, the initrd as module 0 (if any)
 * at PVH_MODLIST_ADDR and the e820 memory map at PVH_MEMMAP_ADDR. 0 or -EFAULT.
 */
int pvh_write_start_info(const struct guest_mem *mem, const struct boot_blobs *blobs);

#endif /* MOTE_VMM_BOOT_PVH_H */
