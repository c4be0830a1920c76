/* nlmsg.c: building netlink messages and the datagrams of a reply (nlmsg.h). */
#include "linux/nlmsg.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"

/* struct nlattr */
struct nlattr_k {
	uint16_t len, type;
};

/* Room for n more bytes padded, else false (the message is then cut: only a bug here). */
static bool room(const struct nl_msg *m, size_t n)
{
	return m->len + NLMSG_ALIGN(n) <= sizeof(m->buf);
}

void nl_msg_start(struct nl_msg *m, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
		  const void *fixed, size_t len)
{
	struct nlmsghdr_k h = { .type = type, .flags = flags, .seq = seq, .pid = pid };

	memset(m->buf, 0, NLMSG_HDRLEN + NLMSG_ALIGN(len));
	memcpy(m->buf, &h, sizeof(h));
	memcpy(m->buf + NLMSG_HDRLEN, fixed, len);
	m->len = NLMSG_HDRLEN + NLMSG_ALIGN(len);
}

void nl_attr(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr_k a = { .len = (uint16_t)(sizeof(a) + len), .type = type };

	if (!room(m, sizeof(a) + len))
		return;
	memset(m->buf + m->len, 0, NLMSG_ALIGN(sizeof(a) + len));
	memcpy(m->buf + m->len, &a, sizeof(a));
	memcpy(m->buf + m->len + sizeof(a), data, len);
	m->len += NLMSG_ALIGN(sizeof(a) + len);
}

void nl_attr_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	nl_attr(m, type, &v, sizeof(v));
}

void nl_attr_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_attr(m, type, &v, sizeof(v));
}

void nl_attr_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_attr(m, type, s, strlen(s) + 1);
}

void nl_out_msg(struct nl_out *o, struct nl_msg *m)
{
	struct nl_dgram *d = o->tail;

	((struct nlmsghdr_k *)m->buf)->len = (uint32_t)m->len;
	if (o->err)
		return;
	if (!d || o->fresh || d->len + m->len > NL_DGRAM_MAX) {
		d = kmalloc(sizeof(*d) + NL_DGRAM_MAX);
		if (!d) {
			o->err = -ENOMEM;
			return;
		}
		d->next = NULL;
		d->from = 0;
		d->len = 0;
		if (o->tail)
			o->tail->next = d;
		else
			o->head = d;
		o->tail = d;
		o->fresh = false;
	}
	memcpy(d->data + d->len, m->buf, m->len);
	d->len += m->len;
}

void nl_out_close(struct nl_out *o)
{
	o->fresh = true;
}

void nl_dgrams_free(struct nl_dgram *d)
{
	while (d) {
		struct nl_dgram *next = d->next;

		kfree(d);
		d = next;
	}
}

const void *nl_attr_find(const uint8_t *p, size_t n, uint16_t type, size_t *len)
{
	struct nlattr_k a;

	for (size_t off = 0; off + sizeof(a) <= n; off += NLMSG_ALIGN(a.len)) {
		memcpy(&a, p + off, sizeof(a));
		if (a.len < sizeof(a) || a.len > n - off)
			return NULL;
		if ((a.type & 0x3fff) == type) { /* without NLA_F_NESTED, NLA_F_NET_BYTEORDER */
			*len = a.len - sizeof(a);
			return p + off + sizeof(a);
		}
	}
	return NULL;
}
