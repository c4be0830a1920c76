/* config.c: Firecracker's configuration JSON <-> struct vm_config (see config.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/config.h"

static int fail(struct config_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct config_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* BODY must be an object whose keys are all in KEYS (NULL-terminated). */
static int check_object(json_t *body, const char *what, const char *const *keys,
			struct config_error *err)
{
	const char *key;
	json_t *val;

	if (!json_is_object(body))
		return fail(err, "%s: expected a JSON object", what);
	json_object_foreach(body, key, val)
	{
		const char *const *k;

		for (k = keys; *k; k++)
			if (strcmp(*k, key) == 0)
				break;
		if (!*k)
			return fail(err, "%s: unknown field `%s`", what, key);
	}
	return 0;
}

/* *OUT = a copy of string field KEY, or NULL if absent (an error if REQUIRED) or null. */
static int get_string(json_t *body, const char *what, const char *key, bool required, char **out,
		      struct config_error *err)
{
	json_t *v = json_object_get(body, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return fail(err, "%s: missing field `%s`", what, key);
		return 0;
	}
	if (!json_is_string(v))
		return fail(err, "%s: `%s` must be a string", what, key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fail(err, "%s: `%s` contains a NUL character", what, key);
	*out = strdup(json_string_value(v));
	if (!*out)
		return fail(err, "%s: out of memory", what);
	return 0;
}

/* *OUT = integer field KEY in [MIN, MAX]; left unchanged if absent and not REQUIRED. */
static int get_uint(json_t *body, const char *what, const char *key, bool required, unsigned min,
		    unsigned max, unsigned *out, struct config_error *err)
{
	json_t *v = json_object_get(body, key);
	json_int_t n;

	if (!v) {
		if (required)
			return fail(err, "%s: missing field `%s`", what, key);
		return 0;
	}
	if (!json_is_integer(v))
		return fail(err, "%s: `%s` must be an integer", what, key);
	n = json_integer_value(v);
	if (n < (json_int_t)min || n > (json_int_t)max)
		return fail(err, "%s: `%s` is %lld, must be between %u and %u", what, key,
			    (long long)n, min, max);
	*out = (unsigned)n;
	return 0;
}

static int get_bool(json_t *body, const char *what, const char *key, bool *out,
		    struct config_error *err)
{
	json_t *v = json_object_get(body, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(err, "%s: `%s` must be true or false", what, key);
	*out = json_is_true(v);
	return 0;
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

void config_free(struct vm_config *cfg)
{
	boot_source_free(&cfg->boot_source);
	logger_free(&cfg->logger);
	free(cfg->metrics.metrics_path);
	config_init(cfg);
}

int config_put_boot_source(struct vm_config *cfg, json_t *body, struct config_error *err)
{
	static const char *const keys[] = { "kernel_image_path", "initrd_path", "boot_args", NULL };
	static const char what[] = "boot-source";
	struct boot_source_config b = { 0 };

	if (check_object(body, what, keys, err) ||
	    get_string(body, what, "kernel_image_path", true, &b.kernel_image_path, err) ||
	    get_string(body, what, "initrd_path", false, &b.initrd_path, err) ||
	    get_string(body, what, "boot_args", false, &b.boot_args, err))
		goto err_free;
	if (!b.kernel_image_path[0]) {
		fail(err, "%s: `kernel_image_path` is empty", what);
		goto err_free;
	}
	if (b.boot_args && strlen(b.boot_args) >= 65536) {
		fail(err, "%s: `boot_args` is %zu bytes long", what, strlen(b.boot_args));
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

int config_put_machine(struct vm_config *cfg, json_t *body, struct config_error *err)
{
	static const char *const keys[] = { "vcpu_count", "mem_size_mib",
					    "smt",	  "track_dirty_pages",
					    "huge_pages", "cpu_template",
					    NULL };
	static const char what[] = "machine-config";
	struct machine_config m = {
		.vcpu_count = CONFIG_DEFAULT_VCPUS,
		.mem_size_mib = CONFIG_DEFAULT_MEM_MIB,
	};
	json_t *v;

	/* Firecracker requires both sizes in a PUT; the config file follows the same rule. */
	if (check_object(body, what, keys, err) ||
	    get_uint(body, what, "vcpu_count", true, 1, CONFIG_VCPU_MAX, &m.vcpu_count, err) ||
	    get_uint(body, what, "mem_size_mib", true, CONFIG_MEM_MIB_MIN, CONFIG_MEM_MIB_MAX,
		     &m.mem_size_mib, err) ||
	    get_bool(body, what, "smt", &m.smt, err) ||
	    get_bool(body, what, "track_dirty_pages", &m.track_dirty_pages, err))
		return -1;
	if (m.smt && m.vcpu_count > 1 && m.vcpu_count % 2)
		return fail(err, "%s: with `smt` the vCPU count must be 1 or even, not %u", what,
			    m.vcpu_count);
	v = json_object_get(body, "huge_pages");
	if (v && !json_is_null(v)) {
		const char *s = json_string_value(v);

		if (s && strcmp(s, "None") == 0)
			m.huge_pages = HUGE_PAGES_NONE;
		else if (s && strcmp(s, "2M") == 0)
			m.huge_pages = HUGE_PAGES_2M;
		else if (s && strcmp(s, "Transparent") == 0)
			m.huge_pages = HUGE_PAGES_TRANSPARENT;
		else
			return fail(err,
				    "%s: `huge_pages` must be \"None\", \"2M\" or \"Transparent\"",
				    what);
	}
	v = json_object_get(body, "cpu_template");
	if (v && !json_is_null(v) &&
	    !(json_is_string(v) && strcmp(json_string_value(v), "None") == 0))
		return fail(err, "%s: CPU templates are not supported (only \"None\")", what);
	cfg->machine = m;
	return 0;
}

int config_put_logger(struct vm_config *cfg, json_t *body, struct config_error *err)
{
	static const char *const keys[] = { "log_path",	       "level",	 "show_level",
					    "show_log_origin", "module", NULL };
	static const char what[] = "logger";
	struct logger_config l = { .present = true, .level = LOG_INFO };
	char *level = NULL;

	if (check_object(body, what, keys, err) ||
	    get_string(body, what, "log_path", false, &l.log_path, err) ||
	    get_string(body, what, "level", false, &level, err) ||
	    get_bool(body, what, "show_level", &l.show_level, err) ||
	    get_bool(body, what, "show_log_origin", &l.show_log_origin, err) ||
	    get_string(body, what, "module", false, &l.module, err))
		goto err_free;
	if (level && log_level_parse(level, &l.level) < 0) {
		fail(err, "%s: unknown `level` \"%s\" (Error, Warning, Info, Debug, Trace, Off)",
		     what, level);
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
	static const char *const keys[] = { "metrics_path", "emit_id", "properties", NULL };
	static const char what[] = "metrics";
	char *path;

	if (check_object(body, what, keys, err) ||
	    get_string(body, what, "metrics_path", true, &path, err))
		return -1;
	free(cfg->metrics.metrics_path);
	cfg->metrics.metrics_path = path;
	return 0;
}

int config_put_unsupported(const char *resource, struct config_error *err)
{
	return fail(err, "%s: not yet supported by motevm (virtio devices arrive in part 2)",
		    resource);
}

/* An array section (drives, network-interfaces, pmem): empty is fine, entries are not yet. */
static int array_section(json_t *v, const char *what, struct config_error *err)
{
	if (!json_is_array(v))
		return fail(err, "%s: expected a JSON array", what);
	if (json_array_size(v) > 0)
		return config_put_unsupported(what, err);
	return 0;
}

int config_from_json(struct vm_config *cfg, json_t *root, struct config_error *err)
{
	static const char *const arrays[] = { "drives", "network-interfaces", "pmem", NULL };
	static const char *const objects[] = { "entropy",     "vsock",	    "balloon",
					       "mmds-config", "cpu-config", "memory-hotplug",
					       NULL };
	const char *key;
	json_t *v;

	if (!json_is_object(root))
		return fail(err, "the configuration must be a JSON object");
	json_object_foreach(root, key, v)
	{
		int r = 0;
		bool known = true;

		if (strcmp(key, "boot-source") == 0)
			r = config_put_boot_source(cfg, v, err);
		else if (strcmp(key, "machine-config") == 0)
			r = config_put_machine(cfg, v, err);
		else if (strcmp(key, "logger") == 0)
			r = json_is_null(v) ? 0 : config_put_logger(cfg, v, err);
		else if (strcmp(key, "metrics") == 0)
			r = json_is_null(v) ? 0 : config_put_metrics(cfg, v, err);
		else
			known = false;
		for (const char *const *a = arrays; !known && *a; a++)
			if (strcmp(key, *a) == 0) {
				known = true;
				r = array_section(v, key, err);
			}
		for (const char *const *o = objects; !known && *o; o++)
			if (strcmp(key, *o) == 0) {
				known = true;
				r = json_is_null(v) ? 0 : config_put_unsupported(key, err);
			}
		if (!known)
			return fail(err, "unknown configuration section `%s`", key);
		if (r)
			return r;
	}
	return config_validate_boot(cfg, err);
}

int config_load_file(struct vm_config *cfg, const char *path, struct config_error *err)
{
	json_error_t jerr;
	json_t *root;
	int r;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line < 0)
			return fail(err, "%s: %s", path, jerr.text);
		return fail(err, "%s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column,
			    jerr.text);
	}
	r = config_from_json(cfg, root, err);
	json_decref(root);
	if (r) {
		struct config_error e = *err;

		fail(err, "%s: %s", path, e.msg);
	}
	return r;
}

int config_validate_boot(const struct vm_config *cfg, struct config_error *err)
{
	if (!cfg->boot_source_set)
		return fail(err, "missing `boot-source` (kernel_image_path is required)");
	return 0;
}

static int set_string(json_t *obj, const char *key, const char *s)
{
	return s ? json_object_set_new(obj, key, json_string(s)) : 0;
}

json_t *config_to_json(const struct vm_config *cfg)
{
	static const char *const hp[] = { "None", "2M", "Transparent" };
	json_t *root = json_object(), *boot = json_object(), *mc = json_object();
	int r = 0;

	if (!root || !boot || !mc)
		goto err;
	if (cfg->boot_source_set) {
		r |= set_string(boot, "kernel_image_path", cfg->boot_source.kernel_image_path);
		r |= set_string(boot, "initrd_path", cfg->boot_source.initrd_path);
		r |= set_string(boot, "boot_args", cfg->boot_source.boot_args);
	}
	r |= json_object_set_new(mc, "vcpu_count", json_integer(cfg->machine.vcpu_count));
	r |= json_object_set_new(mc, "mem_size_mib", json_integer(cfg->machine.mem_size_mib));
	r |= json_object_set_new(mc, "smt", json_boolean(cfg->machine.smt));
	r |= json_object_set_new(mc, "track_dirty_pages",
				 json_boolean(cfg->machine.track_dirty_pages));
	r |= json_object_set_new(mc, "huge_pages", json_string(hp[cfg->machine.huge_pages]));
	r |= json_object_set_new(root, "boot-source", boot);
	r |= json_object_set_new(root, "machine-config", mc);
	r |= json_object_set_new(root, "drives", json_array());
	r |= json_object_set_new(root, "network-interfaces", json_array());
	if (r) {
		json_decref(root);
		return NULL;
	}
	return root;
err:
	json_decref(root);
	json_decref(boot);
	json_decref(mc);
	return NULL;
}
