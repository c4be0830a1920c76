/* boot_timer.c: Firecracker's boot timer (the guest writes 123 to MMIO 0xc0000000) logs
 * "Guest-boot-time = N us" with --boot-timer only; with it the logger options (--level,
 * --log-path, --id, the config's logger section) and the metrics line are checked. */
#ifdef GUEST
#include "guest/guest.h"

int guest_main(int kind, uint64_t info)
{
	mmio_write8(MOTE_BOOT_TIMER_ADDR, 7); /* not the magic: ignored */
	mmio_write8(MOTE_BOOT_TIMER_ADDR, MOTE_BOOT_TIMER_MAGIC);
	gprintf("boot timer signalled\n");
	return 0;
}
#else
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/vmmtest.h"

static const char *cfg_plain, *cfg_logger;

static void run(const char *const *args, struct vm_result *r)
{
	vmt_run(r, args, NULL, 0, 30);
	CHECK_STATUS(r, 0);
	CHECK(vmt_contains(r->out, r->out_len, "boot timer signalled"), "guest did not run");
}

static long boot_us(const char *text)
{
	const char *p = strstr(text, "Guest-boot-time = ");

	return p ? strtol(p + 18, NULL, 10) : -1;
}

int main(void)
{
	struct vm_result r;
	char *log, *metrics;
	const char *log_path, *metrics_path;
	char *last;
	long us;

	vmt_begin("boot_timer");
	vmt_require_kvm();
	cfg_plain = vmt_config("boot_timer.elf", "", 1, 64);

	{ /* Without --boot-timer: no line, the write is harmless. */
		const char *a[] = { "--no-api", "--config-file", cfg_plain, NULL };

		run(a, &r);
		CHECK(!vmt_contains(r.err, r.err_len, "Guest-boot-time"), "boot time logged");
		vmt_result_free(&r);
	}
	{ /* With it: one line on stderr, N plausible. */
		const char *a[] = { "--no-api", "--boot-timer", "--config-file", cfg_plain, NULL };

		run(a, &r);
		us = boot_us(r.err);
		printf("Guest-boot-time: %ld us\n", us);
		CHECK(us > 0 && us < 5000000, "boot time %ld us", us);
		CHECK(vmt_contains(r.err, r.err_len, " us ") &&
			      vmt_contains(r.err, r.err_len, "CPU us"),
		      "line not in Firecracker's format");
		vmt_result_free(&r);
	}
	{ /* --level Warning hides it; --id, --log-path, --metrics-path. */
		const char *a[] = { "--no-api",	     "--boot-timer", "--level", "Warning",
				    "--config-file", cfg_plain,	     NULL };

		run(a, &r);
		CHECK(!vmt_contains(r.err, r.err_len, "Guest-boot-time"), "Info line at Warning");
		vmt_result_free(&r);
	}
	log_path = vmt_write_file("motevm.log", "%s", "");
	metrics_path = vmt_write_file("metrics.json", "%s", "");
	{
		const char *a[] = {
			"--no-api", "--boot-timer",  "--id",	"vm-42",	  "--log-path",
			log_path,   "--config-file", cfg_plain, "--metrics-path", metrics_path,
			NULL
		};

		run(a, &r);
		CHECK(r.err_len == 0, "stderr used despite --log-path");
		vmt_result_free(&r);
		log = vmt_read_file(log_path, NULL);
		CHECK(strstr(log, "[vm-42:vcpu0:INFO] Guest-boot-time = ") != NULL,
		      "log file lacks the boot time line with the id: %s", log);
		metrics = vmt_read_file(metrics_path, NULL);
		printf("metrics: %s", metrics);
		/* One line at the start, one at the exit: the counters are in the last. */
		last = strchr(metrics, '\n');
		CHECK(metrics[0] == '{' && last && last[1] == '{' && strstr(last, "}\n"),
		      "metrics not two JSON lines");
		last = last ? last + 1 : metrics;
		CHECK(strstr(last, "\"guest_boot_time_us\":") &&
			      !strstr(last, "\"guest_boot_time_us\":0,"),
		      "no boot time in the metrics");
		CHECK(strstr(last, "\"exit_mmio_write\":2") != NULL, "MMIO exits not counted");
		CHECK(strstr(last, "\"stop_reason\":\"guest-exit\"") != NULL, "stop reason");
		free(log);
		free(metrics);
	}
	/* The config file's logger section, and its level spelling. */
	log_path = vmt_write_file("motevm2.log", "%s", "");
	cfg_logger = vmt_write_file(
		"logger.json",
		"{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"machine-config\": "
		"{\"vcpu_count\": 1, \"mem_size_mib\": 64}, \"logger\": {\"log_path\": \"%s\", "
		"\"level\": \"Debug\", \"show_level\": true}}",
		vmt_file("boot_timer.elf"), log_path);
	{
		const char *a[] = { "--no-api", "--config-file", cfg_logger, NULL };

		run(a, &r);
		vmt_result_free(&r);
		log = vmt_read_file(log_path, NULL);
		CHECK(strstr(log, ":DEBUG] ") != NULL, "config logger level Debug not applied");
		free(log);
	}
	return vmt_end();
}
#endif
