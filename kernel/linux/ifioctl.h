/* ifioctl.h: the interface ioctls of netdevice(7) on any socket, read-only: SIOCGIFCONF,
 * SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFDSTADDR, SIOCGIFBRDADDR, SIOCGIFNETMASK, SIOCGIFMETRIC,
 * SIOCGIFMTU, SIOCGIFHWADDR, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFTXQLEN, SIOCGIFMAP, from the
 * interfaces' real state (net/ifinfo.h). */
#ifndef MOTE_LINUX_IFIOCTL_H
#define MOTE_LINUX_IFIOCTL_H

#include "lib/types.h"

/* Answer cmd with its struct ifreq (or ifconf) at arg: 0, -ENODEV (no such interface),
 * -EADDRNOTAVAIL (no IPv4 address), -EFAULT, -EOPNOTSUPP (a SIOCSIF* change), or -ENOTTY
 * when cmd is not an interface ioctl. */
long ifioctl(unsigned cmd, uint64_t arg);

#endif /* MOTE_LINUX_IFIOCTL_H */
