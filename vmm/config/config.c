/* config.c: Firecracker's configuration JSON <-> struct vm_config (see config.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "config/config_devices.h"
#include "config/serde.h"
#include "inherit.h"

#define BOOT_ARGS_MAX 65535 /* a bzImage may take more than an ELF's 2047 bytes */

static const char *const huge_pages_names[] = { "None", "2M", "Transparent", NULL };
static const char *const cpu_templates[] = {
	"C3", "T2", "T2S", "T2CL", "T2A", "V1N1", "None", NULL
};

const char *config_os_error(int e)
{
	static __thread char buf[128];

	snprintf(buf, sizeof(buf), "%s (os error %d)", strerror(e), e);
	return buf;
}

void config_init(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->machine.vcpu_count = CONFIG_DEFAULT_VCPUS;
	cfg->machine.mem_size_mib = CONFIG_DEFAULT_MEM_MIB;
	cfg->machine.huge_pages = HUGE_PAGES_NONE;
	cfg->logger.level = LOG_INFO;
}

static void boot_source_free(struct boot_source_config *b)
{
	free(b->kernel_image_path);
	free(b->initrd_path);
	free(b->boot_args);
	memset(b, 0, sizeof(*b));
}

static void logger_free(struct logger_config *l)
{
	free(l->log_path);
	free(l->module);
	memset(l, 0, sizeof(*l));
	l->level = LOG_INFO;
}

static void metrics_free(struct metrics_config *m)
{
	free(m->metrics_path);
	json_decref(m->properties);
	memset(m, 0, sizeof(*m));
}

void config_free(struct vm_config *cfg)
{
	boot_source_free(&cfg->boot_source);
	logger_free(&cfg->logger);
	metrics_free(&cfg->metrics);
	config_devices_free(cfg);
	config_init(cfg);
}

/* Whether PATH opens for reading, as Firecracker checks the kernel and initrd at PUT time. */
static int check_readable(const char *path)
{
	int fd = inherit_open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

int config_put_boot_source(struct vm_config *cfg, json_t *body, struct config_error *err)
{
	static const char *const fields[] = { "kernel_image_path", "initrd_path", "boot_args",
					      NULL };
	struct boot_source_config b = { 0 };
	int e;

	if (serde_struct(body, "BootSourceConfig", fields, err) ||
	    serde_string(body, "kernel_image_path", SERDE_REQUIRED, &b.kernel_image_path, err) ||
	    serde_string(body, "initrd_path", SERDE_NULLABLE, &b.initrd_path, err) ||
	    serde_string(body, "boot_args", SERDE_NULLABLE, &b.boot_args, err))
		goto err_free;
	if ((e = check_readable(b.kernel_image_path))) {
		serde_fail(err, CONFIG_ERR_VALUE,
			   "Boot source error: The kernel file cannot be opened: %s %s",
			   config_os_error(e), b.kernel_image_path);
		goto err_free;
	}
	if (b.initrd_path && (e = check_readable(b.initrd_path))) {
		serde_fail(err, CONFIG_ERR_VALUE,
			   "Boot source error: The initrd file cannot be opened due to invalid "
			   "path or invalid permissions. %s %s",
			   config_os_error(e), b.initrd_path);
		goto err_free;
	}
	if (b.boot_args && strlen(b.boot_args) > BOOT_ARGS_MAX) {
		serde_fail(err, CONFIG_ERR_VALUE,
			   "Boot source error: The kernel command line is invalid: %zu bytes, "
			   "more than motevm's %d",
			   strlen(b.boot_args), BOOT_ARGS_MAX);
		goto err_free;
	}
	boot_source_free(&cfg->boot_source);
	cfg->boot_source = b;
	cfg->boot_source_set = true;
	return 0;
err_free:
	boot_source_free(&b);
	return -1;
}

/* Firecracker's MachineConfig::update checks, then motevm's own limits. */
static int check_machine(const struct machine_config *m, struct config_error *err)
{
	if (m->vcpu_count == 0 || m->vcpu_count > CONFIG_VCPU_MAX ||
	    (m->smt && m->vcpu_count > 1 && m->vcpu_count % 2))
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Machine config error: The number of vCPUs must be greater than "
				  "0, less than %d and must be 1 or an even number if SMT is "
				  "enabled.",
				  CONFIG_VCPU_MAX);
	if (m->mem_size_mib == 0 || (m->huge_pages != HUGE_PAGES_NONE && m->mem_size_mib % 2))
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Machine config error: The memory size (MiB) is either 0, or not "
				  "a multiple of the configured page size.");
	if (m->mem_size_mib < CONFIG_MEM_MIB_MIN || m->mem_size_mib > CONFIG_MEM_MIB_MAX)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Machine config error: The memory size (MiB) %u is outside "
				  "motevm's range, %u to %u.",
				  m->mem_size_mib, CONFIG_MEM_MIB_MIN, CONFIG_MEM_MIB_MAX);
	return 0;
}

/* The fields of a PUT (REQUIRED set) or a PATCH (all optional) into M; *ANY: some was given. */
static int read_machine(json_t *body, int required, struct machine_config *m, bool *any,
			struct config_error *err)
{
	static const char *const fields[] = {
		"vcpu_count",	     "mem_size_mib", "smt", "cpu_template",
		"track_dirty_pages", "huge_pages",   NULL
	};
	/* A PATCH's fields are all Options; a PUT's defaulted fields are not. */
	int opt = required ? 0 : SERDE_NULLABLE;
	bool p[6] = { false };
	uint64_t vcpus = m->vcpu_count, mem = m->mem_size_mib;
	int hp = (int)m->huge_pages, tmpl = 6;

	if (serde_struct(body, required ? "MachineConfig" : "MachineConfigUpdate", fields, err) ||
	    serde_uint(body, "vcpu_count", required | opt, "u8", 255, &vcpus, &p[0], err) ||
	    serde_uint(body, "mem_size_mib", required | opt, "usize", UINT32_MAX, &mem, &p[1],
		       err) ||
	    serde_bool(body, "smt", opt, &m->smt, &p[2], err) ||
	    serde_enum(body, "cpu_template", SERDE_NULLABLE, cpu_templates, &tmpl, &p[3], err) ||
	    serde_bool(body, "track_dirty_pages", opt, &m->track_dirty_pages, &p[4], err) ||
	    serde_enum(body, "huge_pages", opt, huge_pages_names, &hp, &p[5], err))
		return -1;
	m->vcpu_count = (unsigned)vcpus;
	m->mem_size_mib = (unsigned)mem;
	m->huge_pages = (enum huge_pages)hp;
	*any = p[0] || p[1] || p[2] || p[3] || p[4] || p[5];
	if (p[3] && strcmp(cpu_templates[tmpl], "None") != 0)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Machine config error: CPU templates are not supported by motevm "
				  "(only \"None\")");
	return 0;
}

int config_put_machine(struct vm_config *cfg, json_t *body, struct config_error *err)
{
	struct machine_config m = {
		.vcpu_count = CONFIG_DEFAULT_VCPUS,
		.mem_size_mib = CONFIG_DEFAULT_MEM_MIB,
	};
	bool any;

	if (read_machine(body, SERDE_REQUIRED, &m, &any, err) || check_machine(&m, err))
		return -1;
	cfg->machine = m;
	return 0;
}

int config_patch_machine(struct vm_config *cfg, json_t *body, struct config_error *err)
{
	struct machine_config m = cfg->machine;
	bool any;

	if (read_machine(body, 0, &m, &any, err))
		return -1;
	if (!any)
		return serde_fail(err, CONFIG_ERR_REQUEST, "Empty PATCH request.");
	if (check_machine(&m, err))
		return -1;
	cfg->machine = m;
	return 0;
}

int config_put_logger(struct vm_config *cfg, json_t *body, struct config_error *err)
{
	static const char *const fields[] = { "log_path",	 "level",  "show_level",
					      "show_log_origin", "module", NULL };
	struct logger_config l = { .present = true, .level = LOG_INFO };
	char *level = NULL;

	if (serde_struct(body, "LoggerConfig", fields, err) ||
	    serde_string(body, "log_path", SERDE_NULLABLE, &l.log_path, err) ||
	    serde_string(body, "level", SERDE_NULLABLE, &level, err) ||
	    serde_bool(body, "show_level", SERDE_NULLABLE, &l.show_level, &l.has_show_level, err) ||
	    serde_bool(body, "show_log_origin", SERDE_NULLABLE, &l.show_log_origin,
		       &l.has_show_log_origin, err) ||
	    serde_string(body, "module", SERDE_NULLABLE, &l.module, err))
		goto err_free;
	if (level && log_level_parse(level, &l.level) < 0) {
		serde_fail(err, CONFIG_ERR_BODY, "Invalid LevelFilter");
		goto err_free;
	}
	free(level);
	logger_free(&cfg->logger);
	cfg->logger = l;
	return 0;
err_free:
	free(level);
	logger_free(&l);
	return -1;
}

int config_put_metrics(struct vm_config *cfg, json_t *body, struct config_error *err)
{
	static const char *const fields[] = { "metrics_path", "emit_id", "properties", NULL };
	struct metrics_config m = { 0 };
	json_t *props;
	const char *key;
	json_t *v;

	if (serde_struct(body, "MetricsConfig", fields, err) ||
	    serde_string(body, "metrics_path", SERDE_REQUIRED, &m.metrics_path, err) ||
	    serde_bool(body, "emit_id", 0, &m.emit_id, NULL, err))
		goto err_free;
	props = serde_get(body, "properties");
	if (props) {
		if (!json_is_object(props)) {
			serde_invalid_type(props, "a map", err);
			goto err_free;
		}
		json_object_foreach(props, key, v)
		{
			if (!json_is_string(v)) {
				serde_invalid_type(v, "a string", err);
				goto err_free;
			}
		}
		m.properties = json_incref(props);
	}
	metrics_free(&cfg->metrics);
	cfg->metrics = m;
	return 0;
err_free:
	metrics_free(&m);
	return -1;
}

int config_put_unsupported(const char *resource, struct config_error *err)
{
	return serde_fail(err, CONFIG_ERR_VALUE,
			  "The requested operation is not supported: %s (not implemented by "
			  "motevm)",
			  resource);
}

/* One --config-file section; *KNOWN false if KEY is no section Firecracker knows. */
static int section(struct vm_config *cfg, const char *key, json_t *v, bool *known,
		   struct config_error *err)
{
	static const char *const unsupported[] = { "vsock",	 "balloon", "mmds-config",
						   "cpu-config", "pmem",    "memory-hotplug",
						   NULL };

	*known = true;
	if (strcmp(key, "boot-source") == 0)
		return config_put_boot_source(cfg, v, err);
	if (strcmp(key, "machine-config") == 0)
		return json_is_null(v) ? 0 : config_put_machine(cfg, v, err);
	if (strcmp(key, "logger") == 0)
		return json_is_null(v) ? 0 : config_put_logger(cfg, v, err);
	if (strcmp(key, "metrics") == 0)
		return json_is_null(v) ? 0 : config_put_metrics(cfg, v, err);
	if (strcmp(key, "entropy") == 0)
		return json_is_null(v) ? 0 : config_put_entropy(cfg, v, err);
	if (strcmp(key, "drives") == 0 || strcmp(key, "network-interfaces") == 0) {
		size_t i;
		json_t *e;

		if (!json_is_array(v))
			return serde_fail(err, CONFIG_ERR_BODY, "expected a JSON array");
		json_array_foreach(v, i, e)
		{
			int r = key[0] == 'd' ? config_put_drive(cfg, e, NULL, err)
					      : config_put_net(cfg, e, NULL, err);

			if (r)
				return r;
		}
		return 0;
	}
	for (const char *const *u = unsupported; *u; u++)
		if (strcmp(key, *u) == 0) {
			/* Empty is fine: nothing to build. */
			if (json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0))
				return 0;
			return config_put_unsupported(key, err);
		}
	*known = false;
	return 0;
}

int config_from_json(struct vm_config *cfg, json_t *root, struct config_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(root))
		return serde_fail(err, CONFIG_ERR_BODY, "the configuration must be a JSON object");
	json_object_foreach(root, key, v)
	{
		struct config_error e;
		bool known;

		if (section(cfg, key, v, &known, &e)) {
			serde_fail(err, e.kind, "%s: %s", key, e.msg);
			return -1;
		}
		if (!known)
			return serde_fail(err, CONFIG_ERR_BODY,
					  "unknown configuration section `%.64s`", key);
	}
	if (!cfg->boot_source_set)
		return serde_fail(err, CONFIG_ERR_BODY,
				  "missing `boot-source` (kernel_image_path is required)");
	return 0;
}

int config_load_file(struct vm_config *cfg, const char *path, struct config_error *err)
{
	int fd = inherit_open(path, O_RDONLY | O_CLOEXEC);
	json_error_t jerr;
	json_t *root;
	int r;

	if (fd < 0)
		return serde_fail(err, CONFIG_ERR_BODY, "%s: %s", path, strerror(errno));
	root = json_loadfd(fd, JSON_REJECT_DUPLICATES, &jerr);
	close(fd);
	if (!root) {
		if (jerr.line < 0)
			return serde_fail(err, CONFIG_ERR_BODY, "%s: %s", path, jerr.text);
		return serde_fail(err, CONFIG_ERR_BODY, "%s:%d:%d: invalid JSON: %s", path,
				  jerr.line, jerr.column, jerr.text);
	}
	r = config_from_json(cfg, root, err);
	json_decref(root);
	if (r) {
		struct config_error e = *err;

		serde_fail(err, e.kind, "%s: %s", path, e.msg);
	}
	return r;
}

int config_validate_boot(const struct vm_config *cfg, struct config_error *err)
{
	if (!cfg->boot_source_set)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Start microvm error: Cannot start microvm without kernel "
				  "configuration.");
	return 0;
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *config_machine_to_json(const struct machine_config *mc)
{
	return json_pack("{sIsIsbsbss}", "vcpu_count", (json_int_t)mc->vcpu_count, "mem_size_mib",
			 (json_int_t)mc->mem_size_mib, "smt", mc->smt, "track_dirty_pages",
			 mc->track_dirty_pages, "huge_pages", huge_pages_names[mc->huge_pages]);
}

json_t *config_to_json(const struct vm_config *cfg)
{
	json_t *root = json_object(), *boot = json_object();
	const struct boot_source_config *bs = &cfg->boot_source;
	int r = 0;

	if (!root || !boot)
		goto err;
	/* Firecracker's VmmConfig serialisation: every section, null where nothing is set. */
	r |= json_object_set_new(root, "balloon", json_null());
	r |= config_devices_drives_to_json(cfg, root);
	r |= json_object_set_new(boot, "kernel_image_path",
				 json_string(bs->kernel_image_path ? bs->kernel_image_path : ""));
	r |= json_object_set_new(boot, "initrd_path", string_or_null(bs->initrd_path));
	r |= json_object_set_new(boot, "boot_args", string_or_null(bs->boot_args));
	r |= json_object_set_new(root, "boot-source", boot);
	boot = NULL;
	r |= json_object_set_new(root, "cpu-config", json_null());
	r |= json_object_set_new(root, "logger", json_null());
	r |= json_object_set_new(root, "machine-config", config_machine_to_json(&cfg->machine));
	r |= json_object_set_new(root, "metrics", json_null());
	r |= json_object_set_new(root, "mmds-config", json_null());
	r |= config_devices_nets_to_json(cfg, root);
	r |= json_object_set_new(root, "vsock", json_null());
	r |= config_devices_entropy_to_json(cfg, root);
	r |= json_object_set_new(root, "pmem", json_array());
	r |= json_object_set_new(root, "memory-hotplug", json_null());
	if (r)
		goto err;
	return root;
err:
	json_decref(root);
	json_decref(boot);
	return NULL;
}
