/* config.h: the microVM configuration: Firecracker's JSON documents <-> C structs, validated. */
#ifndef MOTE_VMM_API_CONFIG_H
#define MOTE_VMM_API_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"

/*
 * One struct per Firecracker resource, each filled from the same JSON body whether it comes
 * from a section of --config-file or (later) from the REST API's PUT on that resource, and
 * checked by the same parser. Strings are heap copies owned by the struct.
 */

#define CONFIG_VCPU_MAX 32
#define CONFIG_MEM_MIB_MIN 2
#define CONFIG_MEM_MIB_MAX (1022u * 1024u) /* Firecracker's x86 cap: 1022 GiB */
#define CONFIG_DEFAULT_VCPUS 1
#define CONFIG_DEFAULT_MEM_MIB 128
/* Firecracker's default kernel command line (vmm_config/boot_source.rs). */
#define CONFIG_DEFAULT_BOOT_ARGS                                                           \
	"reboot=k panic=1 nomodule 8250.nr_uarts=0 i8042.noaux i8042.nomux i8042.dumbkbd " \
	"swiotlb=noforce"

/* A parse or validation failure: the text Firecracker would put in "fault_message". */
struct config_error {
	char msg[512];
};

/* PUT /boot-source, "boot-source". */
struct boot_source_config {
	char *kernel_image_path; /* required */
	char *initrd_path;	 /* NULL: no initrd */
	char *boot_args;	 /* NULL: CONFIG_DEFAULT_BOOT_ARGS */
};

enum huge_pages { HUGE_PAGES_NONE, HUGE_PAGES_2M, HUGE_PAGES_TRANSPARENT };

/* PUT /machine-config, "machine-config". */
struct machine_config {
	unsigned vcpu_count;	/* 1..CONFIG_VCPU_MAX; with smt 1 or even */
	unsigned mem_size_mib;	/* CONFIG_MEM_MIB_MIN..CONFIG_MEM_MIB_MAX */
	bool smt;		/* two threads per core in the CPU topology */
	bool track_dirty_pages; /* accepted; no effect until snapshots exist */
	enum huge_pages huge_pages;
};

/* PUT /logger, "logger". */
struct logger_config {
	bool present;
	char *log_path;
	enum log_level level;
	bool show_level;
	bool show_log_origin;
	char *module;
};

/* PUT /metrics, "metrics". */
struct metrics_config {
	char *metrics_path; /* NULL: no metrics */
};

/* The whole VM: what --config-file holds and what GET /vm/config returns. */
struct vm_config {
	struct boot_source_config boot_source;
	bool boot_source_set;
	struct machine_config machine;
	struct logger_config logger;
	struct metrics_config metrics;
};

/* Sets every field to its default (Firecracker's: 1 vCPU, 128 MiB, no SMT, no huge pages). */
void config_init(struct vm_config *cfg);
/* Frees the strings CFG owns and re-initialises it. */
void config_free(struct vm_config *cfg);

/*
 * Per-resource parsers: BODY is the JSON text of one resource (an API request body or a
 * section of the config file). Unknown keys, wrong types and out-of-range values are
 * rejected. On success the resource is replaced and 0 returned; on failure the resource is
 * unchanged, ERR names the problem and -1 is returned.
 */
struct json_t;
int config_put_boot_source(struct vm_config *cfg, struct json_t *body, struct config_error *err);
int config_put_machine(struct vm_config *cfg, struct json_t *body, struct config_error *err);
int config_put_logger(struct vm_config *cfg, struct json_t *body, struct config_error *err);
int config_put_metrics(struct vm_config *cfg, struct json_t *body, struct config_error *err);
/* Devices of part 2 (drives, network-interfaces, entropy...): a clear "not yet supported". */
int config_put_unsupported(const char *resource, struct config_error *err);

/* Parses a whole --config-file document into CFG. 0, or -1 with ERR set. */
int config_from_json(struct vm_config *cfg, struct json_t *root, struct config_error *err);
/* Reads and parses PATH (ERR names the file on failure). 0 or -1. */
int config_load_file(struct vm_config *cfg, const char *path, struct config_error *err);
/* Checks what a boot needs (a kernel); 0 or -1 with ERR set. */
int config_validate_boot(const struct vm_config *cfg, struct config_error *err);
/* CFG as Firecracker's FullVmConfiguration JSON (new reference), or NULL on allocation failure. */
struct json_t *config_to_json(const struct vm_config *cfg);

#endif /* MOTE_VMM_API_CONFIG_H */
