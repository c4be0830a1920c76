/* devpts.h: /dev/pts, the pseudo-terminal slaves' file system (Linux's devpts): ptmx (5:2,
 * mode 0000, as the mount's ptmxmode=000) and a node N (136:N, mode 0620, group 5) for each
 * pty whose master is open (fs/pty.h), generated on each lookup. */
#ifndef MOTE_FS_DEVPTS_H
#define MOTE_FS_DEVPTS_H

struct fs_type;

/* devpts, for mount(2): every instance shows the same ptys. */
extern const struct fs_type devpts_type;

/* Register the pty devices, make /dev/ptmx (5:2, 0666) and mount /dev/pts (after /dev). A
 * failure ends the VM. */
void devpts_init(void);

#endif /* MOTE_FS_DEVPTS_H */
