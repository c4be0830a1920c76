/* stats_file.c: motevm's reader of KVM's binary statistics (vmm/kvm/stats.c) and its exit
 * report (vmm/exit_stats.c), without KVM: KVM_GET_STATS_FD is answered here with files laid
 * out as Linux lays them out (api.rst, "KVM_GET_STATS_FD"), and kernels without it, files
 * with a bad header and vCPUs that disagree are simulated. Runs on any host. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "exit_stats.h"
#include "host/vmmtest.h"
#include "kvm/stats.h"
#include "log.h"
#include "vmm.h"

#define NR_VCPUS 2
#define VCPU_FD0 1000 /* the vCPU "fds" handed to kvm_stats_open: only our ioctl sees them */
#define VM_FD 2000
#define NAME_SIZE 48 /* Linux's KVM_STATS_NAME_SIZE */

#define CUM (KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define INSTANT (KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define PEAK (KVM_STATS_TYPE_PEAK | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define LOG_HIST (KVM_STATS_TYPE_LOG_HIST | KVM_STATS_UNIT_SECONDS | KVM_STATS_BASE_POW10)
#define LONG_NAME "a_name_of_all_forty_eight_bytes_and_no_nul_here_"

struct fake_stat {
	const char *name;
	uint32_t flags;
	uint16_t size;
	bool misaligned; /* its offset is not a multiple of 8: the reader must skip it */
};

/* A vCPU's statistics: some listed counters (mmio_exits is missing), others around them. */
static const struct fake_stat vcpu_stats[] = {
	{ "halt_successful_poll", CUM, 1, false },
	{ "halt_poll_success_hist", LOG_HIST, 4, false },
	{ "blocking", INSTANT | KVM_STATS_UNIT_BOOLEAN, 1, false },
	{ "exits", CUM, 1, false },
	{ "io_exits", CUM, 1, false },
	{ "halt_exits", CUM, 1, false },
	{ "request_irq_exits", CUM, 1, false },
	{ "pf_fixed", CUM, 1, false },
	{ "hypercalls", CUM, 1, false },
	{ "max_stall", PEAK, 1, false },
	{ LONG_NAME "x", CUM, 1, false }, /* fills its name field: no NUL in the file */
	{ "misaligned", CUM, 1, true },
};
#define NR_VCPU_STATS (sizeof(vcpu_stats) / sizeof(vcpu_stats[0]))

static const struct fake_stat vm_stats[] = {
	{ "remote_tlb_flush", CUM, 1, false },
	{ "pages_4k", INSTANT, 1, false },
	{ "max_mmu_rmap_size", PEAK, 1, false },
};
#define NR_VM_STATS (sizeof(vm_stats) / sizeof(vm_stats[0]))

/* What the fake KVM does. */
static struct {
	int vcpu_errno, vm_errno; /* nonzero: KVM_GET_STATS_FD fails with it */
	int odd_vcpu;		  /* >= 0: this vCPU's file has another header */
	uint32_t name_size;	  /* in every header */
	int memfd[NR_VCPUS], vm_memfd;
} fake;

/* Bucket B of statistic S (an index in its table) of file F (a vCPU, NR_VCPUS: the VM) at
 * ROUND. */
static uint64_t val(unsigned f, unsigned s, unsigned b, unsigned round)
{
	return (uint64_t)(s + 1) * 100 + f * 7 + b + round * 1000;
}

/* The stats file of file F (vCPU F or the VM) at ROUND into a memfd; returns it. */
static int make_file(unsigned f, const struct fake_stat *st, unsigned n, int fd, unsigned round)
{
	static char buf[1 << 16];
	struct kvm_stats_header h = { .name_size = fake.name_size, .num_desc = n };
	size_t desc_size = sizeof(struct kvm_stats_desc) + fake.name_size, len;
	uint32_t off = 0;

	h.id_offset = sizeof(h);
	h.desc_offset = h.id_offset + fake.name_size;
	h.data_offset = h.desc_offset + n * desc_size;
	if (fake.odd_vcpu == (int)f)
		h.data_offset += 8;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	snprintf(buf + h.id_offset, fake.name_size, "kvm-%d/vcpu-%u", getpid(), f);
	for (unsigned i = 0; i < n; i++) {
		struct kvm_stats_desc d = { .flags = st[i].flags, .size = st[i].size };
		char *p = buf + h.desc_offset + i * desc_size;

		d.offset = off + (st[i].misaligned ? 4 : 0);
		memcpy(p, &d, sizeof(d));
		/* strncpy's padding is the point: names are NUL-padded, a full one unterminated. */
		strncpy(p + sizeof(d), st[i].name, fake.name_size); /* NOLINT */
		for (unsigned b = 0; b < st[i].size; b++) {
			uint64_t v = val(f, i, b, round);

			memcpy(buf + h.data_offset + off + b * 8, &v, 8);
		}
		off += st[i].size * 8;
	}
	len = h.data_offset + off;
	if (fd < 0)
		fd = memfd_create("kvm-stats", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, buf, len, 0) != (ssize_t)len) {
		printf("memfd: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

/* Writes every file anew at ROUND (the data changes as KVM's does). */
static void make_files(unsigned round)
{
	for (unsigned k = 0; k < NR_VCPUS; k++)
		fake.memfd[k] = make_file(k, vcpu_stats, NR_VCPU_STATS, fake.memfd[k], round);
	fake.vm_memfd = make_file(NR_VCPUS, vm_stats, NR_VM_STATS, fake.vm_memfd, round);
}

/* KVM, as far as stats.c asks it: KVM_GET_STATS_FD on a vCPU or the VM. */
int ioctl(int fd, unsigned long req, ...);
int ioctl(int fd, unsigned long req, ...)
{
	int e = fd == VM_FD ? fake.vm_errno : fake.vcpu_errno;

	if (req != KVM_GET_STATS_FD ||
	    (fd != VM_FD && (fd < VCPU_FD0 || fd >= VCPU_FD0 + NR_VCPUS)))
		e = ENOTTY;
	if (e) {
		errno = e;
		return -1;
	}
	/* Each call a new open file, as KVM's; pread ignores the offset they share. */
	return fcntl(fd == VM_FD ? fake.vm_memfd : fake.memfd[fd - VCPU_FD0], F_DUPFD_CLOEXEC, 0);
}

/* The exit report's clock: motevm started at 1000 us and the VM stopped 12.345 ms later. */
uint64_t vmm_now_us(void)
{
	return 13345;
}

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static const int vcpu_fds[NR_VCPUS] = { VCPU_FD0, VCPU_FD0 + 1 };

/* A sum over the vCPUs of vCPU statistic S (an index in vcpu_stats). */
static uint64_t vsum(unsigned s, unsigned round)
{
	uint64_t v = 0;

	for (unsigned k = 0; k < NR_VCPUS; k++)
		for (unsigned b = 0; b < vcpu_stats[s].size; b++)
			v += val(k, s, b, round);
	return v;
}

static void check_get(const struct kvm_stats *s, const char *name, int want_r, uint64_t want)
{
	uint64_t v = 0;
	int r = kvm_stats_get(s, name, &v);

	CHECK(r == want_r, "kvm_stats_get(%s) = %d, expected %d", name, r, want_r);
	if (r == 0 && want_r == 0)
		CHECK(v == want, "%s = %llu, expected %llu", name, (unsigned long long)v,
		      (unsigned long long)want);
}

/* Whether NAME fits the name field with its NUL (a longer one is cut). */
static bool fits(const char *name)
{
	return strlen(name) < fake.name_size;
}

static void test_normal(void)
{
	char cut[NAME_SIZE + 8];
	struct kvm_stats s = { 0 };
	struct kvm_stats_sample smp;
	unsigned fds;

	make_files(0);
	fds = open_fds();
	kvm_stats_open(&s, VM_FD, vcpu_fds, NR_VCPUS);
	CHECK(kvm_stats_available(&s), "statistics not opened");
	CHECK(open_fds() == fds + NR_VCPUS + 1, "%u fds opened, expected %u", open_fds() - fds,
	      NR_VCPUS + 1);
	for (unsigned round = 0; round < 2; round++) {
		if (round)
			make_files(round); /* the same layout, new data: read anew */
		kvm_stats_read(&s, &smp);
		CHECK(smp.nr_vcpus == NR_VCPUS, "nr_vcpus %u", smp.nr_vcpus);
		CHECK(smp.present[KVM_STAT_EXITS] && smp.value[KVM_STAT_EXITS] == vsum(3, round),
		      "exits %llu, expected %llu", (unsigned long long)smp.value[KVM_STAT_EXITS],
		      (unsigned long long)vsum(3, round));
		CHECK(smp.present[KVM_STAT_IO_EXITS] &&
			      smp.value[KVM_STAT_IO_EXITS] == vsum(4, round),
		      "io_exits");
		CHECK(smp.present[KVM_STAT_PF_FIXED] &&
			      smp.value[KVM_STAT_PF_FIXED] == vsum(7, round),
		      "pf_fixed");
		CHECK(smp.cumulative[KVM_STAT_EXITS], "exits not cumulative");
		CHECK(!smp.present[KVM_STAT_MMIO_EXITS], "mmio_exits present");
		CHECK(!smp.present[KVM_STAT_INSN_EMULATION], "insn_emulation present");
		CHECK(smp.present[KVM_STAT_REMOTE_TLB_FLUSH] &&
			      smp.value[KVM_STAT_REMOTE_TLB_FLUSH] == val(NR_VCPUS, 0, 0, round),
		      "the VM's remote_tlb_flush");
		CHECK(smp.present[KVM_STAT_PAGES_4K] && !smp.cumulative[KVM_STAT_PAGES_4K] &&
			      smp.value[KVM_STAT_PAGES_4K] == val(NR_VCPUS, 1, 0, round),
		      "the VM's pages_4k");
		check_get(&s, "exits", 0, vsum(3, round));
		if (fits("halt_poll_success_hist"))
			check_get(&s, "halt_poll_success_hist", 0, vsum(1, round)); /* buckets */
		check_get(&s, "blocking", 0, vsum(2, round));
		check_get(&s, "max_stall", 0, val(NR_VCPUS - 1, 9, 0, round)); /* the highest */
		/* A name without a NUL in its field is cut to the field's size - 1. */
		snprintf(cut, fake.name_size, "%s", LONG_NAME "x");
		check_get(&s, cut, 0, vsum(10, round));
		check_get(&s, LONG_NAME "x", -ENOENT, 0);
		check_get(&s, "misaligned", -ENOENT, 0);
		check_get(&s, "mmio_exits", -ENOENT, 0);
		check_get(&s, "max_mmu_rmap_size", 0, val(NR_VCPUS, 2, 0, round));
	}
	kvm_stats_close(&s);
	kvm_stats_close(&s); /* idempotent */
	CHECK(!kvm_stats_available(&s), "available after close");
	CHECK(open_fds() == fds, "fds leaked: %u", open_fds() - fds);
}

/* Opening fails as SETUP makes it: nothing available, nothing read, no fd left open. */
static void test_none(const char *what)
{
	struct kvm_stats s = { 0 };
	struct kvm_stats_sample smp;
	unsigned fds;
	uint64_t v;

	make_files(0);
	fds = open_fds();
	kvm_stats_open(&s, VM_FD, vcpu_fds, NR_VCPUS);
	kvm_stats_read(&s, &smp);
	printf("%s: available %d\n", what, kvm_stats_available(&s));
	CHECK(!kvm_stats_available(&s), "%s: available", what);
	CHECK(smp.nr_vcpus == 0 && !smp.present[KVM_STAT_EXITS], "%s: counters read", what);
	CHECK(kvm_stats_get(&s, "exits", &v) == -ENOENT, "%s: exits found", what);
	kvm_stats_close(&s);
	CHECK(open_fds() == fds, "%s: fds leaked: %u", what, open_fds() - fds);
}

static void test_no_vm_file(void)
{
	struct kvm_stats s = { 0 };
	struct kvm_stats_sample smp;

	fake.vm_errno = ENOTTY;
	make_files(0);
	kvm_stats_open(&s, VM_FD, vcpu_fds, NR_VCPUS);
	kvm_stats_read(&s, &smp);
	CHECK(kvm_stats_available(&s) && smp.present[KVM_STAT_EXITS], "vCPU statistics missing");
	CHECK(!smp.present[KVM_STAT_REMOTE_TLB_FLUSH], "VM statistics without a VM file");
	kvm_stats_close(&s);
	fake.vm_errno = 0;
}

/* Runs exit_stats_report on VMM with stderr (and so the log) captured; returns it. */
static char *report(const struct vmm *vmm)
{
	const char *path = vmt_write_file("stderr.txt", "%s", "");
	int saved = dup(STDERR_FILENO), fd = open(path, O_WRONLY | O_TRUNC);

	if (saved < 0 || fd < 0 || dup2(fd, STDERR_FILENO) < 0)
		exit(1);
	close(fd);
	exit_stats_report(vmm);
	dup2(saved, STDERR_FILENO);
	close(saved);
	return vmt_read_file(path, NULL);
}

static void test_report(void)
{
	static struct vmm vmm;
	char want[512], *out;

	vmm.built = true;
	vmm.nr_vcpus = NR_VCPUS;
	vmm.opts.exit_stats = true;
	vmm.opts.start_us = 1000;
	make_files(0);
	kvm_stats_open(&vmm.kvm_stats, VM_FD, vcpu_fds, NR_VCPUS);
	log_set_level(LOG_DEBUG);
	out = report(&vmm);
	log_set_level(LOG_INFO);
	printf("%s", out);
	snprintf(want, sizeof(want),
		 "motevm stats: exits %llu (io %llu, halt %llu, request_irq %llu), pf_fixed %llu, "
		 "hypercalls %llu, vcpus 2, wall 12.345 ms\n",
		 (unsigned long long)vsum(3, 0), (unsigned long long)vsum(4, 0),
		 (unsigned long long)vsum(5, 0), (unsigned long long)vsum(6, 0),
		 (unsigned long long)vsum(7, 0), (unsigned long long)vsum(8, 0));
	CHECK(strstr(out, want) != NULL, "--exit-stats line; expected %s", want);
	snprintf(want, sizeof(want),
		 "KVM statistics at exit, summed over 2 vCPUs: exits %llu, io_exits %llu, "
		 "halt_exits %llu, request_irq_exits %llu, pf_fixed %llu, hypercalls %llu\n",
		 (unsigned long long)vsum(3, 0), (unsigned long long)vsum(4, 0),
		 (unsigned long long)vsum(5, 0), (unsigned long long)vsum(6, 0),
		 (unsigned long long)vsum(7, 0), (unsigned long long)vsum(8, 0));
	CHECK(strstr(out, want) != NULL, "Debug line; expected %s", want);
	snprintf(want, sizeof(want),
		 "KVM statistics of the VM at exit: remote_tlb_flush %llu, "
		 "pages_4k %llu\n",
		 (unsigned long long)val(NR_VCPUS, 0, 0, 0),
		 (unsigned long long)val(NR_VCPUS, 1, 0, 0));
	CHECK(strstr(out, want) != NULL, "Debug line of the VM; expected %s", want);
	free(out);

	/* At Info: the line only. Without statistics: vcpus and wall only. */
	out = report(&vmm);
	CHECK(!strstr(out, "KVM statistics"), "Debug lines at Info");
	free(out);
	kvm_stats_close(&vmm.kvm_stats);
	out = report(&vmm);
	CHECK(strcmp(out, "motevm stats: vcpus 2, wall 12.345 ms\n") == 0,
	      "line without statistics: %s", out);
	free(out);
	vmm.opts.exit_stats = false;
	out = report(&vmm);
	CHECK(out[0] == '\0', "a line without --exit-stats: %s", out);
	free(out);
}

int main(void)
{
	struct vm_result r;
	const char *help[] = { "--help", NULL };

	vmt_begin("stats_file");
	fake.odd_vcpu = -1;
	fake.name_size = NAME_SIZE;
	for (unsigned k = 0; k < NR_VCPUS; k++)
		fake.memfd[k] = -1;
	fake.vm_memfd = -1;

	test_normal();
	fake.name_size = 20; /* another kernel's name size: the layout follows the header */
	test_normal();
	fake.name_size = NAME_SIZE;
	test_no_vm_file();

	fake.vcpu_errno = ENOTTY; /* Linux before 5.14 */
	test_none("no KVM_GET_STATS_FD");
	fake.vcpu_errno = 0;
	fake.odd_vcpu = 1;
	test_none("vCPUs disagree");
	fake.odd_vcpu = -1;
	fake.name_size = 0;
	test_none("bad header");
	fake.name_size = NAME_SIZE;

	test_report();

	if (access(vmt_motevm(), X_OK) == 0) {
		vmt_run(&r, help, NULL, 0, 10);
		CHECK(r.status == 0 && vmt_contains(r.out, r.out_len, "--exit-stats"),
		      "--help lacks --exit-stats");
		vmt_result_free(&r);
	}
	return vmt_end();
}
