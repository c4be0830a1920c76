/* nlmsg.h: netlink messages as Linux lays them out (uapi linux/netlink.h): building one
 * message with its attributes, and the datagrams a reply is made of. The netlink socket
 * (nlsock.c) queues the datagrams; rtnetlink (rtnl.c) fills them. */
#ifndef MOTE_LINUX_NLMSG_H
#define MOTE_LINUX_NLMSG_H

#include "lib/types.h"

#define NLMSG_HDRLEN 16
#define NLMSG_ALIGN(n) (((n) + 3u) & ~3u)
#define NLMSG_NOOP 1
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define NLMSG_MIN_TYPE 0x10
#define NLM_F_REQUEST 0x1
#define NLM_F_MULTI 0x2
#define NLM_F_ACK 0x4
#define NLM_F_DUMP 0x300
#define NLM_F_CAPPED 0x100

#define NL_MSG_MAX 1024	  /* the largest message built here (a link's, with its stats) */
#define NL_DGRAM_MAX 3776 /* Linux's NLMSG_GOODSIZE on 4 KiB pages: a dump's datagram */

struct nlmsghdr_k {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
};

/* One message being built: header, fixed part, then attributes. */
struct nl_msg {
	uint8_t buf[NL_MSG_MAX];
	size_t len;
};

/* A datagram of messages, as one recvmsg returns it. */
struct nl_dgram {
	struct nl_dgram *next;
	uint32_t from; /* the sender's port id: 0, the kernel */
	size_t len;
	uint8_t data[];
};

/* The datagrams of a reply, in order. err: -ENOMEM when one could not be made (the rest of
 * the reply is then dropped, as Linux drops what does not fit the receive buffer). */
struct nl_out {
	struct nl_dgram *head, *tail;
	bool fresh; /* the next message starts a new datagram */
	int err;
};

/* Start m: a header (type, flags, seq, pid), then fixed (len bytes, padded to 4). */
void nl_msg_start(struct nl_msg *m, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
		  const void *fixed, size_t len);
/* Append an attribute of type with len bytes of data (padded to 4). */
void nl_attr(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_attr_u8(struct nl_msg *m, uint16_t type, uint8_t v);
void nl_attr_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_attr_str(struct nl_msg *m, uint16_t type, const char *s);
/* Append m, its length set, to o: in the last datagram if it fits (and none was closed with
 * nl_out_close), else in a new one. */
void nl_out_msg(struct nl_out *o, struct nl_msg *m);
/* The next message goes into a new datagram (Linux sends a dump's NLMSG_DONE apart). */
void nl_out_close(struct nl_out *o);
/* Free a list of datagrams. */
void nl_dgrams_free(struct nl_dgram *d);

/* Find attribute type among the attributes in [p, p + n): its data and length, or NULL. */
const void *nl_attr_find(const uint8_t *p, size_t n, uint16_t type, size_t *len);

#endif /* MOTE_LINUX_NLMSG_H */
