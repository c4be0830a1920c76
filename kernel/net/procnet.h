/* procnet.h: /proc/net's socket tables from the network stack (procnet.c). */
#ifndef MOTE_NET_PROCNET_H
#define MOTE_NET_PROCNET_H

/* Give procfs the tables' lines (at boot; they are empty until lwIP starts). */
void procnet_init(void);

#endif /* MOTE_NET_PROCNET_H */
