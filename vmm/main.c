/* main.c: motevm's command line, configuration and start-up. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/mote_abi.h"
#include "api/config.h"
#include "log.h"
#include "vmm.h"

#define MOTEVM_VERSION "0.1.0"

struct args {
	const char *config_file;
	const char *api_sock;
	bool no_api;
	const char *id;
	bool boot_timer;
	const char *level;
	enum log_level log_level; /* parsed --level */
	const char *log_path;
	const char *metrics_path;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: motevm --config-file FILE [options]\n"
		"\n"
		"Runs one microVM on /dev/kvm, configured by a Firecracker-style JSON file.\n"
		"\n"
		"Options (Firecracker's spelling):\n"
		"  --config-file FILE   VM configuration (boot-source, machine-config, logger,\n"
		"                       metrics); the VM boots at once. Required for now.\n"
		"  --no-api             do not serve the API socket (the only mode so far)\n"
		"  --api-sock PATH      accepted, but the REST API is NOT implemented yet: no socket\n"
		"                       is created, and --config-file is still required\n"
		"  --id ID              instance id shown in log lines (default anonymous-instance)\n"
		"  --boot-timer         log \"Guest-boot-time = N us\" when the guest writes 123 to\n"
		"                       MMIO 0xc0000000\n"
		"  --level LEVEL        log level: Error, Warning, Info (default), Debug, Trace, Off\n"
		"  --log-path PATH      append log lines to PATH instead of stderr\n"
		"  --metrics-path PATH  append one JSON metrics line to PATH when the VM stops\n"
		"  --version            print the version and exit\n"
		"  --help               print this help and exit\n"
		"\n"
		"Implemented: ELF kernels with the PVH note, ELF vmlinux and bzImage (Linux 64-bit\n"
		"boot protocol), initrd, 1-32 vCPUs (MP table), 8250 UART on COM1 (stdin/stdout),\n"
		"i8042 reset, boot timer, exit device (port 0x6d70) and isa-debug-exit (port 0xf4).\n"
		"Not yet: the REST API, virtio devices (drives, network-interfaces, vsock,\n"
		"entropy, balloon), snapshots, seccomp, the jailer, ACPI tables.\n"
		"\n"
		"Exit status: the guest's (exit devices), 0 after a guest reset, 1 motevm failed,\n"
		"152 bad configuration or image, 153 bad arguments, 160 guest triple fault,\n"
		"161 guest MMIO to nothing, 162 unhandled VM exit, 128+N stopped by signal N.\n");
}

enum {
	OPT_CONFIG = 256,
	OPT_API_SOCK,
	OPT_NO_API,
	OPT_ID,
	OPT_BOOT_TIMER,
	OPT_LEVEL,
	OPT_LOG_PATH,
	OPT_METRICS_PATH,
	OPT_VERSION,
	OPT_HELP,
};

static const struct option options[] = {
	{ "config-file", required_argument, NULL, OPT_CONFIG },
	{ "api-sock", required_argument, NULL, OPT_API_SOCK },
	{ "no-api", no_argument, NULL, OPT_NO_API },
	{ "id", required_argument, NULL, OPT_ID },
	{ "boot-timer", no_argument, NULL, OPT_BOOT_TIMER },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "log-path", required_argument, NULL, OPT_LOG_PATH },
	{ "metrics-path", required_argument, NULL, OPT_METRICS_PATH },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static bool valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(id[i] == '-' || (id[i] >= '0' && id[i] <= '9') ||
		      (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z')))
			return false;
	return true;
}

/* 0 to go on, or the exit status (0 for --help/--version). */
static int parse_args(int argc, char **argv, struct args *a, bool *done)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG:
			a->config_file = optarg;
			break;
		case OPT_API_SOCK:
			a->api_sock = optarg;
			break;
		case OPT_NO_API:
			a->no_api = true;
			break;
		case OPT_ID:
			a->id = optarg;
			break;
		case OPT_BOOT_TIMER:
			a->boot_timer = true;
			break;
		case OPT_LEVEL:
			a->level = optarg;
			break;
		case OPT_LOG_PATH:
			a->log_path = optarg;
			break;
		case OPT_METRICS_PATH:
			a->metrics_path = optarg;
			break;
		case OPT_VERSION:
			printf("motevm v%s (Mote ABI %d)\n", MOTEVM_VERSION, MOTE_ABI_VERSION);
			*done = true;
			return 0;
		case OPT_HELP:
			usage(stdout);
			*done = true;
			return 0;
		default:
			if (optopt)
				fprintf(stderr, "motevm: option --%s: missing or bad argument\n",
					optopt < OPT_CONFIG ? "?"
							    : options[optopt - OPT_CONFIG].name);
			else
				fprintf(stderr, "motevm: unknown option %s\n", argv[optind - 1]);
			fprintf(stderr, "Try `motevm --help`.\n");
			return MOTE_STATUS_BAD_ARGS;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "motevm: unexpected argument %s\nTry `motevm --help`.\n",
			argv[optind]);
		return MOTE_STATUS_BAD_ARGS;
	}
	if (!a->config_file) {
		fprintf(stderr, "motevm: --config-file is required (the REST API behind "
				"--api-sock is not implemented yet)\nTry `motevm --help`.\n");
		return MOTE_STATUS_BAD_ARGS;
	}
	if (a->level && log_level_parse(a->level, &a->log_level) < 0) {
		fprintf(stderr,
			"motevm: --level %s: use Error, Warning, Info, Debug, Trace or Off\n",
			a->level);
		return MOTE_STATUS_BAD_ARGS;
	}
	if (a->id && !valid_id(a->id)) {
		fprintf(stderr, "motevm: --id must be 1-64 letters, digits or hyphens\n");
		return MOTE_STATUS_BAD_ARGS;
	}
	return 0;
}

/* Logger from the command line, else the config's logger section. 0 or an exit status. */
static int setup_logging(const struct args *a, const struct vm_config *cfg)
{
	enum log_level level = cfg->logger.present ? cfg->logger.level : LOG_INFO;
	const char *path = a->log_path ? a->log_path : cfg->logger.log_path;

	if (a->level && log_level_parse(a->level, &level) < 0) {
		fprintf(stderr,
			"motevm: --level %s: use Error, Warning, Info, Debug, Trace or Off\n",
			a->level);
		return MOTE_STATUS_BAD_ARGS;
	}
	log_set_level(level);
	if (path) {
		int r = log_open(path);

		if (r < 0) {
			fprintf(stderr, "motevm: log file %s: %s\n", path, strerror(-r));
			return a->log_path ? MOTE_STATUS_BAD_ARGS : MOTE_STATUS_BAD_CONFIG;
		}
	}
	return 0;
}

/* Opens /dev/null on any of fds 0-2 that is closed, so no KVM or log fd lands there. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			exit(MOTE_STATUS_ERROR);
	}
}

int main(int argc, char **argv)
{
	struct vmm_options opts = { .start_us = vmm_now_us(), .start_cpu_us = vmm_cpu_us() };
	static struct vm_config cfg;
	static struct vmm vmm;
	struct config_error err = { { 0 } };
	struct args a = { 0 };
	bool done = false;
	int status;

	ensure_std_fds();
	/* A closed stdout or log pipe is an I/O error to count, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	status = parse_args(argc, argv, &a, &done);
	if (status || done)
		return status;
	if (a.id)
		log_set_id(a.id);
	config_init(&cfg);
	if (config_load_file(&cfg, a.config_file, &err)) {
		/* The logger is not configured yet: say it on stderr, as Firecracker does. */
		fprintf(stderr, "motevm: bad configuration: %s\n", err.msg);
		return MOTE_STATUS_BAD_CONFIG;
	}
	status = setup_logging(&a, &cfg);
	if (status)
		return status;
	if (a.api_sock && !a.no_api)
		log_warn("--api-sock %s: the REST API is not implemented yet; no socket is created",
			 a.api_sock);
	opts.boot_timer = a.boot_timer;
	/* Diagnostic knob (docs/motevm.md): tear the VM down before exiting, as bench/ shows. */
	opts.async_teardown = getenv("MOTEVM_SYNC_TEARDOWN") == NULL;
	opts.metrics_path = a.metrics_path ? a.metrics_path : cfg.metrics.metrics_path;

	status = vmm_create(&vmm, &cfg, &opts);
	if (status == 0)
		status = vmm_run(&vmm);
	vmm_destroy(&vmm);
	config_free(&cfg);
	log_debug("exiting with status %d", status);
	return status;
}
