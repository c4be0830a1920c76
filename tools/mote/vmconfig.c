/* vmconfig.c: motevm's configuration for a launch, in Firecracker's JSON (vmconfig.h). */
#include "vmconfig.h"
#include "options.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The network interface motevm gets: a TAP, or the user network's socket (NET_FD). */
static json_t *net_interface(const struct launch *l, int net_fd)
{
	char sock[32];

	if (l->net == NET_TAP)
		return json_pack("[{s:s, s:s}]", "iface_id", "eth0", "host_dev_name", l->tap);
	snprintf(sock, sizeof(sock), "/dev/fd/%d", net_fd);
	return json_pack("[{s:s, s:s}]", "iface_id", "eth0", "host_socket", sock);
}

/* -v's HOSTFILE part of volume I, in BUF. */
const char *vmconfig_volume_file(const struct launch *l, size_t i, char *buf, size_t size)
{
	const char *v = l->volumes[i];

	snprintf(buf, size, "%.*s", (int)(strchr(v, ':') - v), v);
	return buf;
}

/* -v's volumes as motevm drives (read-only with :ro), vol0 first (vda), after the root drive if any. */
static json_t *volume_drives(const struct launch *l)
{
	json_t *a = json_array();

	if (a && l->root)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:b}", "drive_id", "root",
						   "path_on_host", l->root, "is_root_device", 1,
						   "is_read_only", 0));

	for (size_t i = 0; a && i < l->n_volumes; i++) {
		char id[32], file[4096];

		snprintf(id, sizeof(id), "vol%zu", i);
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:b}", "drive_id", id,
						   "path_on_host",
						   vmconfig_volume_file(l, i, file, sizeof(file)),
						   "is_root_device", 0, "is_read_only",
						   opts_volume_ro(l->volumes[i])));
	}
	return a;
}

/* Guest memory in transparent huge pages where the size allows (motevm wants an even MiB
 * count): the kernel's 2 MiB mappings then cost the host's MMU one fault, not 512 (one VM exit
 * each: ~24 us on some kvm_pvm hosts), for a little more of the host's memory (docs/mote.md). */
bool vmconfig_huge_pages(const struct launch *l)
{
	return l->mem_mib % 2 == 0;
}

/* Writes the motevm config (CMDLINE for the kernel; NET_FD >= 0: the user network's socket)
 * into a pipe; returns its read end (to pass as /dev/fd/N). */
int vmconfig_pipe(const struct launch *l, const char *kernel, const char *cmdline, int net_fd)
{
	json_t *cfg = json_pack("{s:{s:s, s:s}, s:{s:i, s:i, s:s}}", "boot-source",
				"kernel_image_path", kernel, "boot_args", cmdline, "machine-config",
				"vcpu_count", (int)l->cpus, "mem_size_mib", (int)l->mem_mib,
				"huge_pages", vmconfig_huge_pages(l) ? "Transparent" : "None");
	char *text;

	/* an initrd, or the root drive (below) */
	if (cfg && l->image &&
	    json_object_set_new(json_object_get(cfg, "boot-source"), "initrd_path",
				json_string(l->image)) < 0) {
		json_decref(cfg);
		cfg = NULL;
	}

	if (cfg && (l->net == NET_TAP || net_fd >= 0) &&
	    json_object_set_new(cfg, "network-interfaces", net_interface(l, net_fd)) < 0) {
		json_decref(cfg);
		cfg = NULL;
	}
	if (cfg && (l->n_volumes || l->root) &&
	    json_object_set_new(cfg, "drives", volume_drives(l)) < 0) {
		json_decref(cfg);
		cfg = NULL;
	}
	text = cfg ? json_dumps(cfg, JSON_COMPACT) : NULL;
	int fds[2], ret = -1;
	size_t len;

	json_decref(cfg);
	if (!text || pipe(fds) < 0) {
		fprintf(stderr, "mote: cannot prepare the VM configuration: %s\n", strerror(errno));
		free(text);
		return -1;
	}
	len = strlen(text);
	if (len < 65536 && write(fds[1], text, len) == (ssize_t)len)
		ret = fds[0];
	else
		close(fds[0]);
	close(fds[1]);
	free(text);
	return ret;
}
