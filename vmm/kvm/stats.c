/* stats.c: KVM's binary statistics files (see stats.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kvm/stats.h"
#include "log.h"

/*
 * The file KVM_GET_STATS_FD returns (Linux's api.rst, "KVM_GET_STATS_FD"): a header, the id
 * string, hdr.num_desc descriptors of sizeof(struct kvm_stats_desc) + hdr.name_size bytes
 * each (the name NUL-padded), then the data block: each statistic's desc.size u64 values at
 * hdr.data_offset + desc.offset. Header and descriptors never change for an fd; the data is
 * current at every read (pread at any offset). What a header may announce before motevm
 * trusts it (Linux: 48-byte names, some 60 statistics, a few KiB of data):
 */
#define NAME_SIZE_MAX 256
#define NUM_DESC_MAX 4096
#define DATA_SIZE_MAX (1u << 20)

enum whose { VCPU, VM };

static const struct {
	const char *name;
	enum whose whose;
} listed[] = {
#define KVM_STATS_ROW(id, n, w) [KVM_STAT_##id] = { n, w },
	KVM_STATS_LIST(KVM_STATS_ROW)
#undef KVM_STATS_ROW
};

/* Where one statistic sits in the data block. */
struct stat_loc {
	uint32_t offset; /* bytes from the data block's start, a multiple of 8 */
	uint32_t flags;	 /* KVM_STATS_TYPE_* | KVM_STATS_UNIT_* | KVM_STATS_BASE_* */
	uint16_t size;	 /* u64 values (buckets for a histogram) */
	bool present;
};

struct kvm_stats_layout {
	struct kvm_stats_header hdr;
	char *descs; /* hdr.num_desc descriptors of desc_size bytes, names NUL-terminated */
	size_t desc_size;
	size_t data_size; /* bytes of the data block holding every usable statistic */
	uint64_t *buf;	  /* data_size bytes: one file's data block */
	struct stat_loc loc[KVM_STAT_NR]; /* the listed counters of this file's kind */
};

const char *kvm_stats_name(enum kvm_stat id)
{
	return listed[id].name;
}

bool kvm_stats_per_vcpu(enum kvm_stat id)
{
	return listed[id].whose == VCPU;
}

/* LEN bytes at OFF of FD. 0 or -errno (-EIO for a file that ends early). */
static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Descriptor I: its fixed part (copied: a name size not a multiple of 4 misaligns it). */
static const char *desc_get(const struct kvm_stats_layout *l, unsigned i, struct kvm_stats_desc *d)
{
	const char *p = l->descs + (size_t)i * l->desc_size;

	memcpy(d, p, sizeof(*d));
	return p + sizeof(*d);
}

/* Whether descriptor D can be read: u64-aligned, inside the bound on the data block. */
static bool desc_usable(const struct kvm_stats_desc *d)
{
	return d->size > 0 && d->offset % 8 == 0 &&
	       (uint64_t)d->offset + (uint64_t)d->size * 8 <= DATA_SIZE_MAX;
}

/* The statistic called NAME in L. 0 or -ENOENT. */
static int find(const struct kvm_stats_layout *l, const char *name, struct stat_loc *loc)
{
	struct kvm_stats_desc d;

	for (unsigned i = 0; i < l->hdr.num_desc; i++) {
		const char *n = desc_get(l, i, &d);

		if (desc_usable(&d) && strcmp(n, name) == 0) {
			*loc = (struct stat_loc){ .offset = d.offset,
						  .flags = d.flags,
						  .size = d.size,
						  .present = true };
			return 0;
		}
	}
	return -ENOENT;
}

static void layout_free(struct kvm_stats_layout *l)
{
	if (!l)
		return;
	free(l->descs);
	free(l->buf);
	free(l);
}

/* Reads FD's header and descriptors (a file of kind WHOSE). NULL, after a Debug line, if
 * they cannot be used. */
static struct kvm_stats_layout *layout_read(int fd, enum whose whose)
{
	struct kvm_stats_layout *l = calloc(1, sizeof(*l));
	struct kvm_stats_header *h;
	struct kvm_stats_desc d;
	const char *why = "out of memory";
	int r;

	if (!l)
		goto fail;
	h = &l->hdr;
	r = pread_full(fd, h, sizeof(*h), 0);
	if (r) {
		why = strerror(-r);
		goto fail;
	}
	if (h->name_size == 0 || h->name_size > NAME_SIZE_MAX || h->num_desc == 0 ||
	    h->num_desc > NUM_DESC_MAX) {
		why = "unexpected header";
		goto fail;
	}
	l->desc_size = sizeof(struct kvm_stats_desc) + h->name_size;
	l->descs = malloc(h->num_desc * l->desc_size);
	if (!l->descs)
		goto fail;
	r = pread_full(fd, l->descs, h->num_desc * l->desc_size, h->desc_offset);
	if (r) {
		why = strerror(-r);
		goto fail;
	}
	for (unsigned i = 0; i < h->num_desc; i++) {
		desc_get(l, i, &d);
		/* Names are NUL-padded; a full one would run into the next descriptor. */
		l->descs[(size_t)i * l->desc_size + l->desc_size - 1] = '\0';
		if (desc_usable(&d) && d.offset + (size_t)d.size * 8 > l->data_size)
			l->data_size = d.offset + (size_t)d.size * 8;
	}
	if (l->data_size == 0) {
		why = "no readable statistic";
		goto fail;
	}
	l->buf = malloc(l->data_size);
	if (!l->buf)
		goto fail;
	/* A listed counter this KVM lacks keeps its zeroed place: not present. */
	for (unsigned i = 0; i < KVM_STAT_NR; i++)
		if (listed[i].whose == whose)
			(void)find(l, listed[i].name, &l->loc[i]);
	return l;
fail:
	log_debug("KVM statistics of the %s: %s; not reported", whose == VCPU ? "vCPUs" : "VM",
		  why);
	layout_free(l);
	return NULL;
}

/* Whether FD's header is L's (every vCPU's file has the same layout). */
static bool same_header(int fd, const struct kvm_stats_layout *l)
{
	struct kvm_stats_header h;

	return pread_full(fd, &h, sizeof(h), 0) == 0 && memcmp(&h, &l->hdr, sizeof(h)) == 0;
}

/* One line naming the listed counters this host's KVM lacks (they are left out). */
static void log_absent(const struct kvm_stats *s)
{
	char names[512];
	size_t n = 0;

	names[0] = '\0';
	for (unsigned i = 0; i < KVM_STAT_NR; i++) {
		const struct kvm_stats_layout *l = listed[i].whose == VCPU ? s->vcpu : s->vm;
		int r;

		if (l && l->loc[i].present)
			continue;
		r = snprintf(names + n, sizeof(names) - n, " %s", listed[i].name);
		if (r < 0 || (size_t)r >= sizeof(names) - n)
			break;
		n += (size_t)r;
	}
	log_debug("KVM statistics: %u per vCPU, %u of the VM; absent here:%s",
		  s->vcpu->hdr.num_desc, s->vm ? s->vm->hdr.num_desc : 0, n ? names : " none");
}

void kvm_stats_open(struct kvm_stats *s, int vm_fd, const int *vcpu_fds, unsigned n)
{
	int fd;

	kvm_stats_close(s);
	if (n == 0)
		return;
	s->vcpu_fds = malloc(n * sizeof(*s->vcpu_fds));
	if (!s->vcpu_fds)
		return;
	for (unsigned i = 0; i < n; i++)
		s->vcpu_fds[i] = -1;
	s->nr_vcpus = n;
	for (unsigned i = 0; i < n; i++) {
		fd = ioctl(vcpu_fds[i], KVM_GET_STATS_FD, 0);
		if (fd < 0) {
			/* Linux before 5.14 has no binary statistics: nothing to report. */
			log_debug("KVM_GET_STATS_FD on vCPU %u: %s; KVM statistics not reported", i,
				  strerror(errno));
			goto fail;
		}
		s->vcpu_fds[i] = fd;
		if (i == 0 && !(s->vcpu = layout_read(fd, VCPU)))
			goto fail;
		if (i > 0 && !same_header(fd, s->vcpu)) {
			log_debug("KVM statistics of vCPU %u differ from vCPU 0's; not reported",
				  i);
			goto fail;
		}
	}
	fd = ioctl(vm_fd, KVM_GET_STATS_FD, 0);
	if (fd < 0)
		log_debug("KVM_GET_STATS_FD on the VM: %s", strerror(errno));
	else if ((s->vm = layout_read(fd, VM)))
		s->vm_fd = fd;
	else
		close(fd);
	if (log_enabled(LOG_DEBUG))
		log_absent(s);
	return;
fail:
	kvm_stats_close(s);
}

bool kvm_stats_available(const struct kvm_stats *s)
{
	return s->vcpu != NULL;
}

/* Statistic LOC's value in DATA (a data block): a histogram's buckets added. */
static uint64_t value_of(const uint64_t *data, const struct stat_loc *loc)
{
	uint32_t type = loc->flags & KVM_STATS_TYPE_MASK;
	uint64_t v = 0;

	if (type != KVM_STATS_TYPE_LINEAR_HIST && type != KVM_STATS_TYPE_LOG_HIST)
		return data[loc->offset / 8];
	for (unsigned k = 0; k < loc->size; k++)
		v += data[loc->offset / 8 + k];
	return v;
}

/* Two vCPUs' values of one statistic as one: the higher peak, else the sum. */
static uint64_t combine(uint64_t a, uint64_t b, uint32_t flags)
{
	if ((flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_PEAK)
		return a > b ? a : b;
	return a + b;
}

/* Adds L's listed counters, read from its N files FDS, to OUT. False (nothing added) if a
 * file cannot be read. */
static bool read_files(const struct kvm_stats_layout *l, const int *fds, unsigned n,
		       struct kvm_stats_sample *out)
{
	uint64_t v[KVM_STAT_NR] = { 0 };
	int r;

	for (unsigned f = 0; f < n; f++) {
		r = pread_full(fds[f], l->buf, l->data_size, l->hdr.data_offset);
		if (r) {
			log_debug("reading KVM statistics: %s", strerror(-r));
			return false;
		}
		for (unsigned i = 0; i < KVM_STAT_NR; i++)
			if (l->loc[i].present)
				v[i] = combine(v[i], value_of(l->buf, &l->loc[i]), l->loc[i].flags);
	}
	for (unsigned i = 0; i < KVM_STAT_NR; i++) {
		if (!l->loc[i].present)
			continue;
		out->value[i] = v[i];
		out->present[i] = true;
		out->cumulative[i] =
			(l->loc[i].flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE;
	}
	return true;
}

void kvm_stats_read(const struct kvm_stats *s, struct kvm_stats_sample *out)
{
	memset(out, 0, sizeof(*out));
	if (s->vcpu && read_files(s->vcpu, s->vcpu_fds, s->nr_vcpus, out))
		out->nr_vcpus = s->nr_vcpus;
	if (s->vm)
		read_files(s->vm, &s->vm_fd, 1, out);
}

/* Statistic LOC of L, combined over its N files FDS, into VALUE. 0 or -errno. */
static int read_one(const struct kvm_stats_layout *l, const int *fds, unsigned n,
		    const struct stat_loc *loc, uint64_t *value)
{
	uint64_t v = 0;
	int r;

	for (unsigned f = 0; f < n; f++) {
		/* Into its own place in the buffer, so value_of finds it there. */
		r = pread_full(fds[f], (char *)l->buf + loc->offset, (size_t)loc->size * 8,
			       (off_t)l->hdr.data_offset + loc->offset);
		if (r)
			return r;
		v = combine(v, value_of(l->buf, loc), loc->flags);
	}
	*value = v;
	return 0;
}

int kvm_stats_get(const struct kvm_stats *s, const char *name, uint64_t *value)
{
	struct stat_loc loc;

	if (s->vcpu && find(s->vcpu, name, &loc) == 0)
		return read_one(s->vcpu, s->vcpu_fds, s->nr_vcpus, &loc, value);
	if (s->vm && find(s->vm, name, &loc) == 0)
		return read_one(s->vm, &s->vm_fd, 1, &loc, value);
	return -ENOENT;
}

void kvm_stats_close(struct kvm_stats *s)
{
	for (unsigned i = 0; s->vcpu_fds && i < s->nr_vcpus; i++)
		if (s->vcpu_fds[i] >= 0)
			close(s->vcpu_fds[i]);
	free(s->vcpu_fds);
	if (s->vm)
		close(s->vm_fd);
	layout_free(s->vcpu);
	layout_free(s->vm);
	memset(s, 0, sizeof(*s));
}
