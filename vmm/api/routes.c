/* routes.c: one handler per endpoint (see routes.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/config.h"
#include "config/config_devices.h"
#include "api/controller.h"
#include "api/http.h"
#include "api/routes.h"
#include "config/serde.h"
#include "log.h"
#include "metrics.h"
#include "vmm.h"

#define MAX_TOKENS 4

static const char post_boot[] =
	"The requested operation is not supported after starting the microVM.";
static const char pre_boot[] = "The requested operation is not supported before starting "
			       "the microVM.";

/* One request as the handlers see it. */
struct route_req {
	const char *method;
	const char *path;
	const char *tokens[MAX_TOKENS]; /* the path split at '/', as Firecracker splits it */
	unsigned nr_tokens;
	json_t *body; /* parsed, or NULL without a body */
	bool failed;  /* the answer is an error: count it in the endpoint's *_fails */
};

typedef void handler_fn(struct controller *ctl, struct route_req *r, struct http_response *resp);

/* Used for bodies parsed only to report their errors after boot; never applied. */
static struct vm_config scratch;

static void answer_json(struct http_response *resp, int status, json_t *j)
{
	resp->status = status;
	resp->body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!resp->body) {
		resp->status = 500;
		resp->body = http_fault_json("out of memory");
		return;
	}
	log_info("The request was executed successfully. Status code: 200 OK.");
}

static void fail(struct route_req *r, struct http_response *resp, const char *msg)
{
	r->failed = true;
	resp->status = 400;
	resp->body = http_fault_json(msg);
	log_err("Received Error. Status code: 400 Bad Request. Message: %s", msg);
}

/* An error from config_*(): serde's are wrapped as Firecracker wraps them. */
static void fail_config(struct route_req *r, struct http_response *resp,
			const struct config_error *err)
{
	char msg[700];

	if (err->kind == CONFIG_ERR_BODY) {
		snprintf(msg, sizeof(msg),
			 "An error occurred when deserializing the json body of a request: %s.",
			 err->msg);
		fail(r, resp, msg);
	} else {
		fail(r, resp, err->msg);
	}
}

static void ok(struct http_response *resp)
{
	resp->status = 204;
	log_info("The request was executed successfully. Status code: 204 No Content.");
}

/* Firecracker's checked_id on the path's resource id. */
static const char *checked_id(struct route_req *r, struct http_response *resp)
{
	const char *id = r->nr_tokens > 1 ? r->tokens[1] : NULL;

	if (!id || !id[0]) {
		fail(r, resp, "The ID cannot be empty.");
		return NULL;
	}
	for (const char *p = id; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_')) {
			fail(r, resp,
			     "API Resource IDs can only contain alphanumeric characters and "
			     "underscores.");
			return NULL;
		}
	return id;
}

typedef int put_fn(struct vm_config *cfg, json_t *body, struct config_error *err);

/*
 * A pre-boot-only configuration request: applied before the start; afterwards the body is
 * still parsed (its errors come first, as in Firecracker) and then refused.
 */
static bool put_preboot(struct controller *ctl, struct route_req *r, struct http_response *resp,
			put_fn *fn)
{
	struct config_error err;

	if (controller_started(ctl)) {
		int bad = fn(&scratch, r->body, &err);

		config_free(&scratch);
		if (bad && err.kind != CONFIG_ERR_VALUE)
			fail_config(r, resp, &err);
		else
			fail(r, resp, post_boot);
		return false;
	}
	if (fn(ctl->cfg, r->body, &err)) {
		fail_config(r, resp, &err);
		return false;
	}
	return true;
}

static void get_instance_info(struct controller *ctl, struct route_req *r,
			      struct http_response *resp)
{
	answer_json(resp, 200,
		    json_pack("{ssssssss}", "id", log_get_id(), "state", controller_state(ctl),
			      "vmm_version", ctl->version, "app_name", "motevm"));
}

static void get_version(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	answer_json(resp, 200, json_pack("{ss}", "firecracker_version", ctl->version));
}

static void get_vm_config(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	answer_json(resp, 200, config_to_json(ctl->cfg));
}

static void get_machine(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	answer_json(resp, 200, config_machine_to_json(&ctl->cfg->machine));
}

static void put_actions(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	static const char *const fields[] = { "action_type", NULL };
	static const char *const actions[] = { "FlushMetrics", "InstanceStart", "SendCtrlAltDel",
					       NULL };
	struct config_error err;
	int action = 0, status, bad;

	if (serde_struct(r->body, "ActionBody", fields, &err) ||
	    serde_enum(r->body, "action_type", SERDE_REQUIRED, actions, &action, NULL, &err)) {
		fail_config(r, resp, &err);
		return;
	}
	if (action == 1) {
		if (controller_started(ctl)) {
			fail(r, resp, post_boot);
			return;
		}
		bad = controller_start(ctl, &err, &status);
	} else if (!controller_started(ctl)) {
		fail(r, resp, pre_boot);
		return;
	} else {
		bad = action == 0 ? controller_flush_metrics(ctl, &err)
				  : controller_ctrl_alt_del(ctl, &err);
	}
	if (bad)
		fail_config(r, resp, &err);
	else
		ok(resp);
}

static void put_boot_source(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	if (put_preboot(ctl, r, resp, config_put_boot_source))
		ok(resp);
}

/* Firecracker flags the deprecated cpu_template field with a Deprecation header. */
static void check_deprecated(struct route_req *r, struct http_response *resp)
{
	if (!resp->body && serde_get(r->body, "cpu_template")) {
		resp->deprecation = true;
		metrics_inc(METRIC_DEPRECATED_CALLS);
		log_warn("%s /machine-config: cpu_template field is deprecated.", r->method);
	}
}

static void put_machine(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	if (put_preboot(ctl, r, resp, config_put_machine))
		ok(resp);
	check_deprecated(r, resp);
}

static void patch_machine(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	if (put_preboot(ctl, r, resp, config_patch_machine))
		ok(resp);
	check_deprecated(r, resp);
}

static void put_logger(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	struct config_error err;

	if (!put_preboot(ctl, r, resp, config_put_logger))
		return;
	if (controller_apply_logger(&ctl->cfg->logger, &err))
		fail_config(r, resp, &err);
	else
		ok(resp);
}

static void put_metrics(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	struct config_error err;

	if (!put_preboot(ctl, r, resp, config_put_metrics))
		return;
	if (controller_apply_metrics(&ctl->cfg->metrics, &err))
		fail_config(r, resp, &err);
	else
		ok(resp);
}

static void put_entropy(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	if (put_preboot(ctl, r, resp, config_put_entropy))
		ok(resp);
}

typedef int put_id_fn(struct vm_config *cfg, json_t *body, const char *id,
		      struct config_error *err);

/* PUT /drives/{id}, /network-interfaces/{id}: stored before the start; afterwards a hotplug,
 * which needs PCI (motevm has none). */
static void put_device(struct controller *ctl, struct route_req *r, struct http_response *resp,
		       put_id_fn *fn)
{
	struct vm_config *cfg = controller_started(ctl) ? &scratch : ctl->cfg;
	const char *id = checked_id(r, resp);
	struct config_error err;
	int bad;

	if (!id)
		return;
	bad = fn(cfg, r->body, id, &err);
	if (cfg == &scratch) {
		config_free(&scratch);
		if (!bad || err.kind == CONFIG_ERR_VALUE) {
			fail(r, resp, "PCI is not enabled");
			return;
		}
	}
	if (bad)
		fail_config(r, resp, &err);
	else
		ok(resp);
}

/* Before boot, the device's own check on the body parsed into a scratch configuration (what
 * the host must give it: a TAP, io_uring...), so that what PUT accepts works at InstanceStart;
 * then the PUT itself. */
static void put_checked(struct controller *ctl, struct route_req *r, struct http_response *resp,
			put_id_fn *put,
			int (*check)(const struct vm_config *one, struct config_error *err))
{
	const char *id = r->nr_tokens > 1 ? r->tokens[1] : NULL;
	struct config_error err;
	struct vm_config one;
	int bad = 0;

	if (!controller_started(ctl) && id) {
		config_init(&one);
		if (put(&one, r->body, id, &err) == 0)
			bad = check(&one, &err);
		config_free(&one);
	}
	if (bad)
		fail_config(r, resp, &err);
	else
		put_device(ctl, r, resp, put);
}

static int check_drive(const struct vm_config *one, struct config_error *err)
{
	return controller_check_drive(&one->drives[0], err);
}

static int check_net(const struct vm_config *one, struct config_error *err)
{
	return controller_check_net(&one->nets[0], err);
}

/* A drive this host cannot give (Async without io_uring) is refused at PUT. */
static void put_drive(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	put_checked(ctl, r, resp, config_put_drive, check_drive);
}

/* An interface whose back end cannot be had (a TAP, passt's socket) is refused at PUT. */
static void put_net(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	put_checked(ctl, r, resp, config_put_net, check_net);
}

/* PATCH /drives/{id}, /network-interfaces/{id}: post-boot updates of devices motevm does not
 * build yet, so there is never one to update. */
static void patch_device(struct controller *ctl, struct route_req *r, struct http_response *resp,
			 int (*check)(json_t *, const char *, struct config_error *),
			 const char *not_found)
{
	const char *id = checked_id(r, resp);
	struct config_error err;

	if (!id)
		return;
	if (check(r->body, id, &err))
		fail_config(r, resp, &err);
	else
		fail(r, resp, controller_started(ctl) ? not_found : pre_boot);
}

/* PATCH /drives/{id} after boot: a new path_on_host for the drive (Firecracker's update);
 * a rate limiter is refused out loud (none are enforced yet). */
static void patch_drive(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	const char *id = checked_id(r, resp);
	struct config_error err;
	struct drive_update u;

	if (!id)
		return;
	if (config_parse_drive_update(r->body, id, &u, &err)) {
		fail_config(r, resp, &err);
		return;
	}
	if (!controller_started(ctl))
		fail(r, resp, pre_boot);
	else if (u.rate_limiter)
		fail(r, resp,
		     "Drive config error: Unable to patch the block device: rate limiters are not "
		     "supported by motevm yet");
	else if (controller_patch_drive(ctl, id, u.path_on_host, &err))
		fail_config(r, resp, &err);
	else
		ok(resp);
	config_drive_update_free(&u);
}

/* PATCH /network-interfaces/{id} after boot: an interface motevm built gets its rate limiters
 * refused out loud (none are enforced yet), never silently ignored. */
static void patch_net(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	const char *id = r->nr_tokens > 1 ? r->tokens[1] : NULL;
	bool built = false;

	for (unsigned i = 0; id && controller_started(ctl) && i < ctl->cfg->nr_nets; i++)
		built |= strcmp(ctl->cfg->nets[i].iface_id, id) == 0;
	patch_device(ctl, r, resp, config_check_net_update,
		     built ? "Network config error: Unable to update the net device: rate "
			     "limiters are not supported by motevm yet"
			   : "Network config error: Unable to update the net device: Failed "
			     "perform action on device: Device not found");
}

static void delete_device(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	if (checked_id(r, resp))
		fail(r, resp, controller_started(ctl) ? "PCI is not enabled" : pre_boot);
}

static void patch_vm(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	static const char *const fields[] = { "state", NULL };
	static const char *const states[] = { "Paused", "Resumed", NULL };
	struct config_error err;
	uint64_t t0 = vmm_now_us(), us;
	int state = 0;

	if (serde_struct(r->body, "Vm", fields, &err) ||
	    serde_enum(r->body, "state", SERDE_REQUIRED, states, &state, NULL, &err)) {
		fail_config(r, resp, &err);
		return;
	}
	if (!controller_started(ctl)) {
		fail(r, resp, pre_boot);
		return;
	}
	if (state == 0 ? controller_pause(ctl, &err) : controller_resume(ctl, &err)) {
		fail_config(r, resp, &err);
		return;
	}
	us = vmm_now_us() - t0;
	metrics_set(state == 0 ? METRIC_LAT_PAUSE : METRIC_LAT_RESUME, us);
	log_info("'%s vm' API request took %llu us.", state == 0 ? "pause" : "resume",
		 (unsigned long long)us);
	ok(resp);
}

/* Paths Firecracker has and motevm does not implement (vsock, balloon, mmds...). */
static void unsupported(struct controller *ctl, struct route_req *r, struct http_response *resp)
{
	struct config_error err;

	config_put_unsupported(r->tokens[0], &err);
	fail(r, resp, err.msg);
}

/*
 * Firecracker's routing table (parsed_request.rs), in its order. BODY: 1 the route needs a
 * body, 0 it must have none, -1 either. SUB: the second path token the route needs, or NULL.
 */
static const struct route {
	const char *method;
	const char *path;
	const char *sub;
	int body;
	handler_fn *fn;
	int count, fails; /* metrics, -1: none */
} routes[] = {
	{ "GET", "", NULL, 0, get_instance_info, METRIC_GET_INSTANCE_INFO, -1 },
	{ "GET", "balloon", NULL, 0, unsupported, -1, -1 },
	{ "GET", "version", NULL, 0, get_version, METRIC_GET_VMM_VERSION, -1 },
	{ "GET", "vm", "config", 0, get_vm_config, METRIC_GET_VM_CONFIG, -1 },
	{ "GET", "machine-config", NULL, 0, get_machine, METRIC_GET_MACHINE_CFG, -1 },
	{ "GET", "mmds", NULL, 0, unsupported, METRIC_GET_MMDS, -1 },
	{ "GET", "hotplug", "memory", 0, unsupported, METRIC_GET_HOTPLUG_MEMORY, -1 },
	{ "PUT", "actions", NULL, 1, put_actions, METRIC_PUT_ACTIONS, METRIC_PUT_ACTIONS_FAILS },
	{ "PUT", "balloon", NULL, 1, unsupported, -1, -1 },
	{ "PUT", "boot-source", NULL, 1, put_boot_source, METRIC_PUT_BOOT_SOURCE,
	  METRIC_PUT_BOOT_SOURCE_FAILS },
	{ "PUT", "cpu-config", NULL, 1, unsupported, METRIC_PUT_CPU_CFG, METRIC_PUT_CPU_CFG_FAILS },
	{ "PUT", "drives", NULL, 1, put_drive, METRIC_PUT_DRIVE, METRIC_PUT_DRIVE_FAILS },
	{ "PUT", "pmem", NULL, 1, unsupported, METRIC_PUT_PMEM, METRIC_PUT_PMEM_FAILS },
	{ "PUT", "logger", NULL, 1, put_logger, METRIC_PUT_LOGGER, METRIC_PUT_LOGGER_FAILS },
	{ "PUT", "serial", NULL, 1, unsupported, METRIC_PUT_SERIAL, METRIC_PUT_SERIAL_FAILS },
	{ "PUT", "machine-config", NULL, 1, put_machine, METRIC_PUT_MACHINE_CFG,
	  METRIC_PUT_MACHINE_CFG_FAILS },
	{ "PUT", "metrics", NULL, 1, put_metrics, METRIC_PUT_METRICS, METRIC_PUT_METRICS_FAILS },
	{ "PUT", "mmds", NULL, 1, unsupported, METRIC_PUT_MMDS, METRIC_PUT_MMDS_FAILS },
	{ "PUT", "network-interfaces", NULL, 1, put_net, METRIC_PUT_NETWORK,
	  METRIC_PUT_NETWORK_FAILS },
	{ "PUT", "snapshot", NULL, 1, unsupported, -1, -1 },
	{ "PUT", "vsock", NULL, 1, unsupported, METRIC_PUT_VSOCK, METRIC_PUT_VSOCK_FAILS },
	{ "PUT", "entropy", NULL, 1, put_entropy, METRIC_PUT_ENTROPY, METRIC_PUT_ENTROPY_FAILS },
	{ "PUT", "hotplug", "memory", 1, unsupported, METRIC_PUT_HOTPLUG_MEMORY,
	  METRIC_PUT_HOTPLUG_MEMORY_FAILS },
	{ "PATCH", "balloon", NULL, -1, unsupported, -1, -1 },
	{ "PATCH", "drives", NULL, 1, patch_drive, METRIC_PATCH_DRIVE, METRIC_PATCH_DRIVE_FAILS },
	{ "PATCH", "machine-config", NULL, 1, patch_machine, METRIC_PATCH_MACHINE_CFG,
	  METRIC_PATCH_MACHINE_CFG_FAILS },
	{ "PATCH", "mmds", NULL, 1, unsupported, METRIC_PATCH_MMDS, METRIC_PATCH_MMDS_FAILS },
	{ "PATCH", "network-interfaces", NULL, 1, patch_net, METRIC_PATCH_NETWORK,
	  METRIC_PATCH_NETWORK_FAILS },
	{ "PATCH", "pmem", NULL, 1, unsupported, METRIC_PATCH_PMEM, METRIC_PATCH_PMEM_FAILS },
	{ "PATCH", "vm", NULL, 1, patch_vm, METRIC_PATCH_VM_STATE, METRIC_PATCH_VM_STATE_FAILS },
	{ "PATCH", "hotplug", "memory", 1, unsupported, METRIC_PATCH_HOTPLUG_MEMORY,
	  METRIC_PATCH_HOTPLUG_MEMORY_FAILS },
	{ "DELETE", "drives", NULL, 0, delete_device, -1, -1 },
	{ "DELETE", "pmem", NULL, 0, delete_device, -1, -1 },
	{ "DELETE", "network-interfaces", NULL, 0, delete_device, -1, -1 },
};

/* Rust's Debug name of the method ("Put"), as Firecracker's request log line shows it. */
static void method_name(const char *m, char *buf, size_t size)
{
	size_t i;

	for (i = 0; m[i] && i + 1 < size; i++)
		buf[i] = (char)(i ? tolower((unsigned char)m[i]) : m[i]);
	buf[i] = 0;
}

static void log_request(const struct http_request *req)
{
	char m[16], body[512];
	size_t n = 0;

	if (!log_enabled(LOG_INFO))
		return;
	method_name(req->method, m, sizeof(m));
	if (!req->body) {
		log_info("The API server received a %s request on \"%s\".", m, req->path);
		return;
	}
	/* The body as Rust's {:?} shows a string: quotes and backslashes escaped. */
	for (size_t i = 0; i < req->body_len && n + 5 < sizeof(body); i++) {
		char ch = req->body[i];

		if (ch == '"' || ch == '\\')
			body[n++] = '\\';
		if (ch == '\n') {
			body[n++] = '\\';
			ch = 'n';
		}
		body[n++] = ch >= 32 || ch < 0 ? ch : ' ';
	}
	body[n] = 0;
	log_info("The API server received a %s request on \"%s\" with body \"%s\".", m, req->path,
		 body);
}

/* Splits PATH like Rust's trim_start_matches('/').split_terminator('/') into R->tokens. */
static void split(char *path, struct route_req *r)
{
	char *p = path;
	size_t len;

	while (*p == '/')
		p++;
	len = strlen(p);
	if (len && p[len - 1] == '/')
		p[len - 1] = 0;
	r->nr_tokens = 0;
	r->tokens[r->nr_tokens++] = p;
	while (r->nr_tokens < MAX_TOKENS && (p = strchr(p, '/'))) {
		*p++ = 0;
		r->tokens[r->nr_tokens++] = p;
	}
}

static const struct route *find(const struct route_req *r, bool has_body)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];

		if (strcmp(rt->method, r->method) || strcmp(rt->path, r->tokens[0]))
			continue;
		if (rt->sub && (r->nr_tokens < 2 || strcmp(rt->sub, r->tokens[1])))
			continue;
		if (rt->body >= 0 && rt->body != has_body)
			continue;
		return rt;
	}
	return NULL;
}

/* Firecracker's method_to_error, or its invalid path message. */
static void no_route(struct route_req *r, struct http_response *resp, bool has_body)
{
	char msg[HTTP_URL_MAX + 64];

	metrics_inc(METRIC_API_INVALID);
	if (strcmp(r->method, "GET") == 0 && has_body)
		fail(r, resp, "GET request cannot have a body.");
	else if (strcmp(r->method, "PUT") == 0 && !has_body)
		fail(r, resp, "Empty PUT request.");
	else if (strcmp(r->method, "PATCH") == 0 && !has_body)
		fail(r, resp, "Empty PATCH request.");
	else if (strcmp(r->method, "DELETE") == 0 && has_body)
		fail(r, resp, "Empty Delete request.");
	else {
		snprintf(msg, sizeof(msg), "Invalid request method and/or path: %s %s.", r->method,
			 r->tokens[0]);
		fail(r, resp, msg);
	}
}

void routes_handle(void *ctx, const struct http_request *req, struct http_response *resp)
{
	struct controller *ctl = ctx;
	struct route_req r = { .method = req->method, .path = req->path };
	char path[HTTP_URL_MAX + 1];
	const struct route *rt;
	bool has_body = req->body != NULL;

	log_request(req);
	snprintf(path, sizeof(path), "%s", req->path);
	split(path, &r);
	rt = find(&r, has_body);
	if (!rt) {
		no_route(&r, resp, has_body);
		return;
	}
	if (rt->count >= 0)
		metrics_inc((enum metric)rt->count);
	if (has_body) {
		json_error_t jerr;
		char msg[320];

		r.body = json_loadb(req->body, req->body_len,
				    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
		if (!r.body) {
			snprintf(msg, sizeof(msg),
				 "An error occurred when deserializing the json body of a "
				 "request: %s at line %d column %d.",
				 jerr.text, jerr.line, jerr.column);
			fail(&r, resp, msg);
		}
	}
	if (!has_body || r.body)
		rt->fn(ctl, &r, resp);
	json_decref(r.body);
	if (r.failed && rt->fails >= 0)
		metrics_inc((enum metric)rt->fails);
}
