/* config_devices.c: drives, network interfaces and entropy (see config_devices.h). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "config/config_devices.h"
#include "config/serde.h"
#include "inherit.h"

static const char *const cache_types[] = { "Unsafe", "Writeback", NULL };
static const char *const io_engines[] = { "Sync", "Async", NULL };

/* TokenBucketConfig {size, one_time_burst, refill_time} at KEY of BODY. */
static int read_bucket(json_t *body, const char *key, struct token_bucket *b,
		       struct config_error *err)
{
	static const char *const fields[] = { "size", "one_time_burst", "refill_time", NULL };
	json_t *v = serde_get(body, key);

	memset(b, 0, sizeof(*b));
	if (!v)
		return 0;
	if (serde_struct(v, "TokenBucketConfig", fields, err) ||
	    serde_uint(v, "size", SERDE_REQUIRED, "u64", UINT64_MAX, &b->size, NULL, err) ||
	    serde_uint(v, "one_time_burst", SERDE_NULLABLE, "u64", UINT64_MAX, &b->one_time_burst,
		       &b->has_burst, err) ||
	    serde_uint(v, "refill_time", SERDE_REQUIRED, "u64", UINT64_MAX, &b->refill_time, NULL,
		       err))
		return -1;
	b->present = true;
	return 0;
}

/* RateLimiterConfig {bandwidth, ops} at KEY of BODY (absent or null: none). */
static int read_limiter(json_t *body, const char *key, struct rate_limiter *rl,
			struct config_error *err)
{
	static const char *const fields[] = { "bandwidth", "ops", NULL };
	json_t *v = serde_get(body, key);

	memset(rl, 0, sizeof(*rl));
	if (!v)
		return 0;
	if (serde_struct(v, "RateLimiterConfig", fields, err) ||
	    read_bucket(v, "bandwidth", &rl->bandwidth, err) ||
	    read_bucket(v, "ops", &rl->ops, err))
		return -1;
	rl->present = true;
	return 0;
}

static json_t *bucket_json(const struct token_bucket *b)
{
	if (!b->present)
		return json_null();
	return json_pack("{sIsosI}", "size", (json_int_t)b->size, "one_time_burst",
			 b->has_burst ? json_integer((json_int_t)b->one_time_burst) : json_null(),
			 "refill_time", (json_int_t)b->refill_time);
}

static json_t *limiter_json(const struct rate_limiter *rl)
{
	if (!rl->present)
		return json_null();
	return json_pack("{soso}", "bandwidth", bucket_json(&rl->bandwidth), "ops",
			 bucket_json(&rl->ops));
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Firecracker's checked_id has run on PATH_ID; the body's id must be the same. */
static int same_id(const char *path_id, const char *body_id, bool with_ids,
		   struct config_error *err)
{
	if (!path_id || strcmp(path_id, body_id) == 0)
		return 0;
	if (with_ids)
		return serde_fail(err, CONFIG_ERR_REQUEST,
				  "The id from the path [%.64s] does not match the id from the "
				  "body [%.64s]!",
				  path_id, body_id);
	return serde_fail(err, CONFIG_ERR_REQUEST,
			  "The id from the path does not match the id from the body!");
}

static void drive_free(struct drive_config *d)
{
	free(d->drive_id);
	free(d->path_on_host);
	free(d->socket);
	free(d->partuuid);
	memset(d, 0, sizeof(*d));
}

static void net_free(struct net_config *n)
{
	free(n->iface_id);
	free(n->host_dev_name);
	free(n->host_socket);
	free(n->guest_mac);
	memset(n, 0, sizeof(*n));
}

void config_devices_free(struct vm_config *cfg)
{
	for (unsigned i = 0; i < cfg->nr_drives; i++)
		drive_free(&cfg->drives[i]);
	for (unsigned i = 0; i < cfg->nr_nets; i++)
		net_free(&cfg->nets[i]);
	cfg->nr_drives = cfg->nr_nets = 0;
	memset(&cfg->entropy, 0, sizeof(cfg->entropy));
}

/* Block::new's checks: one back end, and its file opens as the drive would use it. */
static int check_backend(const struct drive_config *d, struct config_error *err)
{
	static const char pfx[] = "Drive config error: Unable to create the virtio block device";
	int fd;

	if (!d->path_on_host == !d->socket)
		return serde_fail(err, CONFIG_ERR_VALUE, "%s: Invalid block config.", pfx);
	/* what motevm cannot build is refused now, not at InstanceStart */
	if (d->socket)
		return serde_fail(
			err, CONFIG_ERR_VALUE,
			"%s: vhost-user block devices (socket) are not supported by motevm", pfx);
	fd = inherit_open(d->path_on_host, (d->is_read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "%s: Virtio backend error: Error manipulating the backing file: "
				  "%s %s",
				  pfx, config_os_error(errno), d->path_on_host);
	close(fd);
	return 0;
}

static int find_drive(const struct vm_config *cfg, const char *id)
{
	for (unsigned i = 0; i < cfg->nr_drives; i++)
		if (strcmp(cfg->drives[i].drive_id, id) == 0)
			return (int)i;
	return -1;
}

int config_put_drive(struct vm_config *cfg, json_t *body, const char *path_id,
		     struct config_error *err)
{
	static const char *const fields[] = {
		"drive_id",	"partuuid",	"is_root_device", "cache_type", "is_read_only",
		"path_on_host", "rate_limiter", "io_engine",	  "socket",	NULL
	};
	struct drive_config d = { 0 };
	int cache = 0, engine = 0, pos;

	if (serde_struct(body, "BlockDeviceConfig", fields, err) ||
	    serde_string(body, "drive_id", SERDE_REQUIRED, &d.drive_id, err) ||
	    serde_string(body, "partuuid", SERDE_NULLABLE, &d.partuuid, err) ||
	    serde_bool(body, "is_root_device", SERDE_REQUIRED, &d.is_root_device, NULL, err) ||
	    serde_enum(body, "cache_type", 0, cache_types, &cache, NULL, err) ||
	    serde_bool(body, "is_read_only", SERDE_NULLABLE, &d.is_read_only, &d.has_read_only,
		       err) ||
	    serde_string(body, "path_on_host", SERDE_NULLABLE, &d.path_on_host, err) ||
	    read_limiter(body, "rate_limiter", &d.rate_limiter, err) ||
	    serde_enum(body, "io_engine", SERDE_NULLABLE, io_engines, &engine, &d.has_io_engine,
		       err) ||
	    serde_string(body, "socket", SERDE_NULLABLE, &d.socket, err) ||
	    same_id(path_id, d.drive_id, false, err))
		goto err_free;
	d.cache_type = (enum cache_type)cache;
	d.io_engine = (enum io_engine)engine;
	pos = find_drive(cfg, d.drive_id);
	/* One root device; replacing the root drive itself is an update. */
	if (d.is_root_device && cfg->nr_drives && cfg->drives[0].is_root_device && pos != 0) {
		serde_fail(err, CONFIG_ERR_VALUE,
			   "Drive config error: A root block device already exists!");
		goto err_free;
	}
	if (pos < 0 && cfg->nr_drives == CONFIG_DEVICES_MAX) {
		serde_fail(err, CONFIG_ERR_VALUE, "Drive config error: more than %d drives",
			   CONFIG_DEVICES_MAX);
		goto err_free;
	}
	if (check_backend(&d, err))
		goto err_free;
	if (pos >= 0) {
		drive_free(&cfg->drives[pos]);
		cfg->drives[pos] = d;
	} else {
		pos = (int)cfg->nr_drives++;
		cfg->drives[pos] = d;
	}
	/* The root device goes first, as Firecracker keeps it. */
	if (d.is_root_device && pos != 0) {
		struct drive_config t = cfg->drives[0];

		cfg->drives[0] = cfg->drives[pos];
		cfg->drives[pos] = t;
	}
	return 0;
err_free:
	drive_free(&d);
	return -1;
}

int config_parse_drive_update(json_t *body, const char *path_id, struct drive_update *u,
			      struct config_error *err)
{
	static const char *const fields[] = { "drive_id", "path_on_host", "rate_limiter", NULL };
	struct rate_limiter rl = { 0 };
	char *id = NULL;
	int r = -1;

	memset(u, 0, sizeof(*u));
	if (!serde_struct(body, "BlockDeviceUpdateConfig", fields, err) &&
	    !serde_string(body, "drive_id", SERDE_REQUIRED, &id, err) &&
	    !serde_string(body, "path_on_host", SERDE_NULLABLE, &u->path_on_host, err) &&
	    !read_limiter(body, "rate_limiter", &rl, err) && !same_id(path_id, id, false, err))
		r = 0;
	u->rate_limiter = rl.present;
	free(id);
	if (r)
		config_drive_update_free(u);
	return r;
}

void config_drive_update_free(struct drive_update *u)
{
	free(u->path_on_host);
	memset(u, 0, sizeof(*u));
}

/* MacAddr's format: six two-digit hex bytes separated by colons. */
static bool valid_mac(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			   (s[i] >= 'A' && s[i] <= 'F');

		if (i % 3 == 2 ? s[i] != ':' : !hex)
			return false;
	}
	return true;
}

static int find_net(const struct vm_config *cfg, const char *id)
{
	for (unsigned i = 0; i < cfg->nr_nets; i++)
		if (strcmp(cfg->nets[i].iface_id, id) == 0)
			return (int)i;
	return -1;
}

static int check_net(const struct vm_config *cfg, const struct net_config *n,
		     struct config_error *err)
{
	size_t len = n->host_dev_name ? strlen(n->host_dev_name) : 1;

	if (n->host_dev_name && n->host_socket)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Network config error: host_dev_name (a TAP) and host_socket "
				  "(user-mode networking) exclude each other");
	if (n->host_socket && !n->host_socket[0])
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Network config error: host_socket is empty");
	if (len == 0 || len >= IFNAMSIZ)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Network config error: Cannot open/create the tap device: "
				  "Invalid interface name: `%.64s` (1 to %d bytes)",
				  n->host_dev_name, IFNAMSIZ - 1);
	if (n->mtu && n->mtu < 68)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Network config error: Could not create the network device: "
				  "MTU %u is below 68",
				  n->mtu);
	for (unsigned i = 0; n->guest_mac && i < cfg->nr_nets; i++) {
		const struct net_config *o = &cfg->nets[i];

		if (o->guest_mac && strcasecmp(o->guest_mac, n->guest_mac) == 0 &&
		    strcmp(o->iface_id, n->iface_id) != 0)
			return serde_fail(err, CONFIG_ERR_VALUE,
					  "Network config error: The MAC address is already in "
					  "use: %s",
					  n->guest_mac);
	}
	return 0;
}

int config_put_net(struct vm_config *cfg, json_t *body, const char *path_id,
		   struct config_error *err)
{
	static const char *const fields[] = { "iface_id",	 "host_dev_name",
					      "guest_mac",	 "mtu",
					      "rx_rate_limiter", "tx_rate_limiter",
					      "host_socket",	 NULL };
	struct net_config n = { 0 };
	uint64_t mtu = 0;
	int pos;

	if (serde_struct(body, "NetworkInterfaceConfig", fields, err) ||
	    serde_string(body, "iface_id", SERDE_REQUIRED, &n.iface_id, err) ||
	    serde_string(body, "host_socket", SERDE_NULLABLE, &n.host_socket, err) ||
	    serde_string(body, "host_dev_name", n.host_socket ? SERDE_NULLABLE : SERDE_REQUIRED,
			 &n.host_dev_name, err) ||
	    serde_string(body, "guest_mac", SERDE_NULLABLE, &n.guest_mac, err) ||
	    serde_uint(body, "mtu", SERDE_NULLABLE, "u16", 65535, &mtu, NULL, err) ||
	    read_limiter(body, "rx_rate_limiter", &n.rx_rate_limiter, err) ||
	    read_limiter(body, "tx_rate_limiter", &n.tx_rate_limiter, err))
		goto err_free;
	if (n.guest_mac && !valid_mac(n.guest_mac)) {
		serde_fail(err, CONFIG_ERR_BODY, "invalid MAC address `%.64s`", n.guest_mac);
		goto err_free;
	}
	n.mtu = (unsigned)mtu;
	if (same_id(path_id, n.iface_id, true, err) || check_net(cfg, &n, err))
		goto err_free;
	pos = find_net(cfg, n.iface_id);
	if (pos < 0 && cfg->nr_nets == CONFIG_DEVICES_MAX) {
		serde_fail(err, CONFIG_ERR_VALUE,
			   "Network config error: more than %d network interfaces",
			   CONFIG_DEVICES_MAX);
		goto err_free;
	}
	if (pos >= 0)
		net_free(&cfg->nets[pos]);
	else
		pos = (int)cfg->nr_nets++;
	cfg->nets[pos] = n;
	return 0;
err_free:
	net_free(&n);
	return -1;
}

int config_check_net_update(json_t *body, const char *path_id, struct config_error *err)
{
	static const char *const fields[] = { "iface_id", "rx_rate_limiter", "tx_rate_limiter",
					      NULL };
	struct rate_limiter rl;
	char *id = NULL;
	int r = -1;

	if (!serde_struct(body, "NetworkInterfaceUpdateConfig", fields, err) &&
	    !serde_string(body, "iface_id", SERDE_REQUIRED, &id, err) &&
	    !read_limiter(body, "rx_rate_limiter", &rl, err) &&
	    !read_limiter(body, "tx_rate_limiter", &rl, err) && !same_id(path_id, id, true, err))
		r = 0;
	free(id);
	return r;
}

int config_put_entropy(struct vm_config *cfg, json_t *body, struct config_error *err)
{
	static const char *const fields[] = { "rate_limiter", NULL };
	struct entropy_config e = { .present = true };

	if (serde_struct(body, "EntropyDeviceConfig", fields, err) ||
	    read_limiter(body, "rate_limiter", &e.rate_limiter, err))
		return -1;
	cfg->entropy = e;
	return 0;
}

int config_devices_drives_to_json(const struct vm_config *cfg, json_t *root)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < cfg->nr_drives; i++) {
		const struct drive_config *d = &cfg->drives[i];

		json_array_append_new(
			a,
			json_pack("{sssosbsssososososo}", "drive_id", d->drive_id, "partuuid",
				  string_or_null(d->partuuid), "is_root_device", d->is_root_device,
				  "cache_type", cache_types[d->cache_type], "is_read_only",
				  d->has_read_only ? json_boolean(d->is_read_only) : json_null(),
				  "path_on_host", string_or_null(d->path_on_host), "rate_limiter",
				  limiter_json(&d->rate_limiter), "io_engine",
				  d->socket ? json_null() : json_string(io_engines[d->io_engine]),
				  "socket", string_or_null(d->socket)));
	}
	return a ? json_object_set_new(root, "drives", a) : -1;
}

int config_devices_nets_to_json(const struct vm_config *cfg, json_t *root)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < cfg->nr_nets; i++) {
		const struct net_config *n = &cfg->nets[i];

		json_t *o = json_pack("{sssososososo}", "iface_id", n->iface_id, "host_dev_name",
				      string_or_null(n->host_dev_name), "guest_mac",
				      string_or_null(n->guest_mac), "mtu",
				      n->mtu ? json_integer(n->mtu) : json_null(),
				      "rx_rate_limiter", limiter_json(&n->rx_rate_limiter),
				      "tx_rate_limiter", limiter_json(&n->tx_rate_limiter));

		if (o && n->host_socket) /* motevm's extension, only when used */
			json_object_set_new(o, "host_socket", json_string(n->host_socket));
		json_array_append_new(a, o);
	}
	return a ? json_object_set_new(root, "network-interfaces", a) : -1;
}

int config_devices_entropy_to_json(const struct vm_config *cfg, json_t *root)
{
	json_t *e = cfg->entropy.present ? json_pack("{so}", "rate_limiter",
						     limiter_json(&cfg->entropy.rate_limiter))
					 : json_null();

	return json_object_set_new(root, "entropy", e);
}
