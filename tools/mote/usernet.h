/* usernet.h: user-mode networking for motevm through passt (Debian's package), QEMU's user
 * network in another process. passt gets one end of a socketpair (its --fd) and motevm the
 * other as its interface's host_socket ("/dev/fd/N"), so the VM starts at once: its first
 * frames wait in the socket while passt (~35 ms) comes up. The addresses are QEMU's: the
 * program is 10.0.2.15/24, 10.0.2.2 is the gateway and the host's loopback, 10.0.2.3 the
 * resolver (passt forwards it to the host's). -p forwards become passt's -t/-u. */
#ifndef MOTE_TOOLS_USERNET_H
#define MOTE_TOOLS_USERNET_H

#include "launch.h"

/* The kernel options that go with it (the same as under QEMU's user network). */
#define USERNET_KERNEL_ARGS "--ip=eth0,10.0.2.15,255.255.255.0 --defaultgw=10.0.2.2 "
#define USERNET_DNS_ARG "--nameserver=10.0.2.3 "

/* Whether passt is there (the user network is motevm's default then, else none). */
bool usernet_available(void);
/* Starts passt for L's -p forwards. The socket's fd for motevm (inherited across exec), or -1
 * after printing why (passt missing: which package, and the other choices). */
int usernet_start(const struct launch *l);

#endif /* MOTE_TOOLS_USERNET_H */
