/* lwipopts.h: lwIP's configuration for the Mote kernel. NO_SYS: lwIP has no threads or locks
 * of its own; every call into it holds net_lock (net/netif.c); IPv4 with DHCP, ARP, ICMP, UDP
 * and TCP, and the loop interface, for now. Memory: lwIP's own pools and heap in the image. */
#ifndef MOTE_NET_LWIP_LWIPOPTS_H
#define MOTE_NET_LWIP_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_TIMERS 1
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define SYS_LIGHTWEIGHT_PROT 0

#define LWIP_IPV4 1
#define LWIP_IPV6 1 /* dual stack: AF_INET6 sockets take IPv4 too (IP_ANY_TYPE) */
#define LWIP_IPV6_SCOPES 0
#define LWIP_IPV6_DHCP6 0
#define IPV6_FRAG_COPYHEADER 1 /* pointers are wider than the fragment header's 8 bytes */
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define SO_REUSE 1 /* SO_REUSEADDR: SOF_REUSEADDR on pcbs */
#define LWIP_DHCP 1
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define LWIP_NETIF_STATUS_CALLBACK 1
/* 127.0.0.1 inside the VM: the loop interface, polled by whoever holds net_lock (no thread) */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0

#define MEM_ALIGNMENT 8
#define MEM_SIZE (256 * 1024)
#define MEMP_NUM_PBUF 64
#define PBUF_POOL_SIZE 64
#define PBUF_POOL_BUFSIZE 1536
#define MEMP_NUM_TCP_PCB 32
#define MEMP_NUM_TCP_PCB_LISTEN 8
#define MEMP_NUM_UDP_PCB 8
#define TCP_MSS 1460
#define LWIP_TCP_KEEPALIVE 1 /* per-connection TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT */
#define LWIP_WND_SCALE 1     /* read peers' scaled windows (passt, Linux: 64 KiB is not enough) */
#define TCP_RCV_SCALE 0
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define MEMP_NUM_TCP_SEG 64 /* TCP_SND_QUEUELEN: 4 x 16 segments */

/* DHCP's DNS servers (option 6), which lwIP keeps only with its own resolver (off: glibc's
 * resolver in the program asks them): net/netif.c records them */
#define LWIP_DHCP_REQUEST_DNS_SERVERS 1 /* tools/lwip-patches/dhcp-request-dns.patch */
struct pbuf;
void net_dhcp_option(unsigned char msg_type, unsigned char option, unsigned len, struct pbuf *p,
		     unsigned offset);
#define LWIP_HOOK_DHCP_PARSE_OPTION(netif, dhcp, state, msg, msg_type, option, len, p, off) \
	net_dhcp_option(msg_type, option, len, p, off)

#define LWIP_STATS 0
#define LWIP_CHECKSUM_ON_COPY 0
#define LWIP_DEBUG 0

#endif /* MOTE_NET_LWIP_LWIPOPTS_H */
