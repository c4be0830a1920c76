/* bad_config.c: bad command lines (exit 153) and bad configuration files (exit 152) are
 * refused with a message that names the problem; --help and --version work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/vmmtest.h"

static void args(const char *what, const char *const *argv, int want, const char *text)
{
	struct vm_result r;

	vmt_run(&r, argv, NULL, 0, 30);
	printf("%-32s -> %d\n", what, r.status);
	CHECK_STATUS(&r, want);
	CHECK(vmt_contains(r.out, r.out_len, text) || vmt_contains(r.err, r.err_len, text),
	      "%s: output lacks \"%s\"", what, text);
	vmt_result_free(&r);
}

static void config(const char *what, const char *json, int want, const char *text)
{
	const char *cfg = vmt_write_file("c.json", "%s", json);
	const char *argv[] = { "--no-api", "--config-file", cfg, NULL };
	struct vm_result r;

	vmt_run(&r, argv, NULL, 0, 30);
	printf("%-32s -> %d  %s", what, r.status, r.err);
	CHECK_STATUS(&r, want);
	if (text)
		CHECK(vmt_contains(r.err, r.err_len, text), "%s: stderr lacks \"%s\"", what, text);
	if (want == MOTE_STATUS_BAD_CONFIG)
		CHECK(vmt_contains(r.err, r.err_len, cfg), "%s: the error does not name the file",
		      what);
	vmt_result_free(&r);
}

/* A valid configuration with SECTION added. */
static char *with(const char *machine, const char *extra)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"boot-source\": {\"kernel_image_path\": \"%s\", \"boot_args\": \"how=long\"},\n"
		 " \"machine-config\": %s%s%s}\n",
		 vmt_file("exit.elf"), machine, extra[0] ? ",\n " : "", extra);
	return buf;
}

static unsigned long huge_free(void)
{
	char *mi = vmt_read_file("/proc/meminfo", NULL), *p = strstr(mi, "HugePages_Free:");
	unsigned long n = p ? strtoul(p + 15, NULL, 10) : 0;

	free(mi);
	return n;
}

int main(void)
{
	const char *ok = "{\"vcpu_count\": 1, \"mem_size_mib\": 64}";

	vmt_begin("bad_config");
	vmt_require_kvm();
	{
		const char *a[] = { "--help", NULL };
		const char *v[] = { "--version", NULL };
		const char *none[] = { "--no-api", NULL };
		const char *unknown[] = { "--frobnicate", NULL };
		const char *noarg[] = { "--config-file", NULL };
		const char *level[] = { "--level", "Loud", "--config-file", "x", NULL };
		const char *id[] = { "--id", "no spaces!", "--config-file", "x", NULL };
		const char *extra[] = { "--config-file", "x", "stray", NULL };

		args("--help", a, 0, "--api-sock PATH");
		args("--version", v, 0, "motevm v");
		args("--no-api alone", none, MOTE_STATUS_BAD_ARGS, "--no-api needs --config-file");
		args("unknown option", unknown, MOTE_STATUS_BAD_ARGS,
		     "unknown option --frobnicate");
		args("option without argument", noarg, MOTE_STATUS_BAD_ARGS, "--config-file");
		args("bad --level", level, MOTE_STATUS_BAD_ARGS, "--level Loud");
		args("bad --id", id, MOTE_STATUS_BAD_ARGS, "--id must be");
		args("stray argument", extra, MOTE_STATUS_BAD_ARGS, "unexpected argument stray");
	}
	{
		const char *a[] = { "--no-api", "--config-file", "/nonexistent.json", NULL };

		args("missing config file", a, MOTE_STATUS_BAD_CONFIG, "/nonexistent.json");
	}
	config("invalid JSON", "{\"boot-source\": {", MOTE_STATUS_BAD_CONFIG, "invalid JSON");
	config("not an object", "[1, 2]", MOTE_STATUS_BAD_CONFIG, "must be a JSON object");
	config("no boot-source", "{\"machine-config\": {\"vcpu_count\": 1, \"mem_size_mib\": 64}}",
	       MOTE_STATUS_BAD_CONFIG, "missing `boot-source`");
	config("no kernel_image_path", "{\"boot-source\": {\"boot_args\": \"x\"}}",
	       MOTE_STATUS_BAD_CONFIG, "missing field `kernel_image_path`");
	config("duplicate key",
	       "{\"boot-source\": {\"kernel_image_path\": \"a\", \"kernel_image_path\": \"b\"}}",
	       MOTE_STATUS_BAD_CONFIG, "duplicate");
	config("unknown section", with(ok, "\"frobs\": {}"), MOTE_STATUS_BAD_CONFIG,
	       "unknown configuration section `frobs`");
	config("unknown field", with("{\"vcpu_count\": 1, \"mem_size_mib\": 64, \"x\": 1}", ""),
	       MOTE_STATUS_BAD_CONFIG, "unknown field `x`");
	config("vcpu_count 0", with("{\"vcpu_count\": 0, \"mem_size_mib\": 64}", ""),
	       MOTE_STATUS_BAD_CONFIG, "The number of vCPUs must be greater than 0, less than 32");
	config("vcpu_count 33", with("{\"vcpu_count\": 33, \"mem_size_mib\": 64}", ""),
	       MOTE_STATUS_BAD_CONFIG, "The number of vCPUs must be greater than 0");
	config("vcpu_count as string", with("{\"vcpu_count\": \"2\", \"mem_size_mib\": 64}", ""),
	       MOTE_STATUS_BAD_CONFIG, "invalid type: string \"2\", expected u8");
	config("mem_size_mib missing", with("{\"vcpu_count\": 1}", ""), MOTE_STATUS_BAD_CONFIG,
	       "missing field `mem_size_mib`");
	config("mem_size_mib 0", with("{\"vcpu_count\": 1, \"mem_size_mib\": 0}", ""),
	       MOTE_STATUS_BAD_CONFIG, "The memory size (MiB) is either 0");
	config("smt with 3 vCPUs",
	       with("{\"vcpu_count\": 3, \"mem_size_mib\": 64, \"smt\": true}", ""),
	       MOTE_STATUS_BAD_CONFIG, "must be 1 or an even number if SMT is enabled");
	config("huge_pages 1G",
	       with("{\"vcpu_count\": 1, \"mem_size_mib\": 64, \"huge_pages\": \"1G\"}", ""),
	       MOTE_STATUS_BAD_CONFIG,
	       "unknown variant `1G`, expected one of `None`, `2M`, `Transparent`");
	/* Devices are validated and stored as through the API; the boot then names them. */
	config("a drive without is_root_device",
	       with(ok, "\"drives\": [{\"drive_id\": \"rootfs\"}]"), MOTE_STATUS_BAD_CONFIG,
	       "drives: missing field `is_root_device`");
	config("a drive with a missing file",
	       with(ok, "\"drives\": [{\"drive_id\": \"rootfs\", \"is_root_device\": true, "
			"\"path_on_host\": \"/nonexistent.ext4\"}]"),
	       MOTE_STATUS_BAD_CONFIG,
	       "Error manipulating the backing file: No such file or directory (os error 2) "
	       "/nonexistent.ext4");
	config("a vhost-user drive",
	       with(ok, "\"drives\": [{\"drive_id\": \"rootfs\", \"is_root_device\": true, "
			"\"socket\": \"/dev/null\"}]"),
	       MOTE_STATUS_BAD_CONFIG, "vhost-user block devices (socket) are not supported");
	config("a drive boots",
	       with(ok, "\"drives\": [{\"drive_id\": \"rootfs\", "
			"\"is_root_device\": true, \"path_on_host\": \"/dev/null\"}]"),
	       0, NULL);
	config("an interface on a TAP that cannot be opened",
	       with(ok, "\"network-interfaces\": [{\"iface_id\": \"eth0\", "
			"\"host_dev_name\": \"no/such\"}]"),
	       MOTE_STATUS_BAD_CONFIG, "network-interfaces eth0: Open tap device failed: no/such");
	config("entropy boots", with(ok, "\"entropy\": {}"), 0, NULL);
	config("vsock", with(ok, "\"vsock\": {\"guest_cid\": 3, \"uds_path\": \"/tmp/v\"}"),
	       MOTE_STATUS_BAD_CONFIG, "vsock (not implemented by motevm)");
	config("bad logger level", with(ok, "\"logger\": {\"level\": \"Loud\"}"),
	       MOTE_STATUS_BAD_CONFIG, "Invalid LevelFilter");
	config("empty drives are fine", with(ok, "\"drives\": [], \"network-interfaces\": []"), 0,
	       NULL);
	/* 2 MiB huge pages: a clear host error when none are free, a boot when some are. */
	{
		const char *hp = with("{\"vcpu_count\": 1, \"mem_size_mib\": 64, \"huge_pages\": "
				      "\"2M\"}",
				      "");

		if (huge_free() >= 32)
			config("huge pages (free)", hp, 0, NULL);
		else
			config("huge pages (none free)", hp, MOTE_STATUS_ERROR, "HugePages_Free");
	}
	return vmt_end();
}
