/* pidfd.h: process file descriptors (pidfd_open, pidfd_send_signal): a descriptor that names a
 * process, readable (poll) once the process has ended. */
#ifndef MOTE_LINUX_PIDFD_H
#define MOTE_LINUX_PIDFD_H

/* A process has ended (it is a zombie, or gone): wake whoever polls a pidfd. Any context
 * where a spin lock may be taken. */
void pidfd_exited(void);

#endif /* MOTE_LINUX_PIDFD_H */
