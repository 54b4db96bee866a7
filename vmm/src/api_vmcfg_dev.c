// SPDX-License-Identifier: MIT
// Firecracker's network-interfaces, vsock and RateLimiter objects onto a
// struct vmm_config (api_vmcfg.h, docs/api.md "Endpoints" and "Rate
// limiters").  A TokenBucket's size, one_time_burst and refill_time (ms)
// are a struct vmm_token_bucket's fields one for one, and libratelimit
// (through vmm/src/net.c and blk.c) runs them as Firecracker does, so only
// what libratelimit refuses (values above its maxima) is refused.
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rlim/ratelimit.h>
#include <vmm/args.h>

#include "api_vmcfg.h"

static const struct vmm__json_field net_fields[] = {
	{ "iface_id", VMM__JSON_STRING, true },
	{ "host_dev_name", VMM__JSON_STRING, true },
	{ "guest_mac", VMM__JSON_STRING, false },
	{ "rx_rate_limiter", VMM__JSON_OBJECT, false },
	{ "tx_rate_limiter", VMM__JSON_OBJECT, false },
	{ NULL, 0, false },
};

/* vsock_id is Firecracker's deprecated label: accepted and not kept. */
static const struct vmm__json_field vsock_fields[] = {
	{ "guest_cid", VMM__JSON_UINT, true },
	{ "uds_path", VMM__JSON_STRING, true },
	{ "vsock_id", VMM__JSON_STRING, false },
	{ NULL, 0, false },
};

static const struct vmm__json_field limiter_fields[] = {
	{ "bandwidth", VMM__JSON_OBJECT, false },
	{ "ops", VMM__JSON_OBJECT, false },
	{ NULL, 0, false },
};

static const struct vmm__json_field bucket_fields[] = {
	{ "size", VMM__JSON_UINT, true },
	{ "refill_time", VMM__JSON_UINT, true },
	{ "one_time_burst", VMM__JSON_UINT, false },
	{ NULL, 0, false },
};

/* One TokenBucket field checked against libratelimit's maximum (which
 * rlim_init applies to every bucket, limiting or not). */
static int bucket_field(const json_t *b, const char *field, const char *where,
			uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	*out = vmm__json_uint(b, field, 0);
	if (*out > max)
		return vmm__json_fail(err, errlen, -EINVAL, "%s.%s=%llu: at most %llu", where, field,
				      (unsigned long long)*out, (unsigned long long)max);
	return 0;
}

/* One TokenBucket, field for field.  Absent, size 0 or refill_time 0 is
 * no limit (Firecracker's rule and libratelimit's), kept as all zeros so
 * that GET /vm/config leaves it out. */
static int bucket(const json_t *rl, const char *name, const char *what,
		  struct vmm_token_bucket *out, char *err, size_t errlen)
{
	const json_t *b = json_object_get(rl, name);
	struct vmm_token_bucket t;
	char where[96];
	int r;

	memset(out, 0, sizeof(*out));
	if (!b)
		return 0;
	snprintf(where, sizeof(where), "%s.%s", what, name);
	if ((r = vmm__json_check(b, bucket_fields, where, err, errlen)) ||
	    (r = bucket_field(b, "size", where, RLIM_MAX_TOKENS, &t.size, err, errlen)) ||
	    (r = bucket_field(b, "one_time_burst", where, RLIM_MAX_TOKENS, &t.one_time_burst,
			      err, errlen)) ||
	    (r = bucket_field(b, "refill_time", where, RLIM_MAX_REFILL_MS, &t.refill_ms,
			      err, errlen)))
		return r;
	if (vmm_token_bucket_limits(&t))
		*out = t;
	return 0;
}

int vmm__vmcfg_rate_limiter(const json_t *rl, const char *what, struct vmm_rate_limit *out,
			    char *err, size_t errlen)
{
	struct vmm_rate_limit l;
	int r;

	memset(out, 0, sizeof(*out));
	if (!rl)
		return 0;
	if ((r = vmm__json_check(rl, limiter_fields, what, err, errlen)) ||
	    (r = bucket(rl, "bandwidth", what, &l.bytes, err, errlen)) ||
	    (r = bucket(rl, "ops", what, &l.ops, err, errlen)))
		return r;
	*out = l;
	return 0;
}

static json_t *bucket_json(const struct vmm_token_bucket *b)
{
	return json_pack("{s:I,s:I,s:I}", "size", (json_int_t)b->size, "one_time_burst",
			 (json_int_t)b->one_time_burst, "refill_time", (json_int_t)b->refill_ms);
}

json_t *vmm__vmcfg_rate_json(const struct vmm_rate_limit *l)
{
	json_t *o;

	if (!vmm_rate_limit_limits(l))
		return NULL;
	o = json_object();
	if (o && vmm_token_bucket_limits(&l->bytes))
		json_object_set_new(o, "bandwidth", bucket_json(&l->bytes));
	if (o && vmm_token_bucket_limits(&l->ops))
		json_object_set_new(o, "ops", bucket_json(&l->ops));
	return o;
}

/* Linux's dev_valid_name(): not "." or "..", no '/', ':' or white space. */
static bool tap_name_valid(const char *s)
{
	if (!s[0] || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || (*s >= '\t' && *s <= '\r'))
			return false;
	return true;
}

static int find_net(const struct vmm__vmcfg *v, const char *id)
{
	for (uint32_t i = 0; i < v->cfg.nnets; i++)
		if (strcmp(v->iface_ids[i], id) == 0)
			return (int)i;
	return -1;
}

/* Another interface (not slot self) that uses the same tap or MAC. */
static int net_clash(const struct vmm__vmcfg *v, int self, const struct vmm_net_config *n,
		     const char *id, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < v->cfg.nnets; i++) {
		const struct vmm_net_config *o = &v->cfg.nets[i];

		if ((int)i == self)
			continue;
		if (strcmp(o->tap, n->tap) == 0)
			return vmm__json_fail(err, errlen, -EINVAL, "network-interface %s: host_dev_name "
					      "'%s' is already used by %s", id, n->tap,
					      v->iface_ids[i]);
		if (n->has_mac && o->has_mac && memcmp(o->mac, n->mac, sizeof(n->mac)) == 0)
			return vmm__json_fail(err, errlen, -EINVAL, "network-interface %s: guest_mac is "
					      "already used by %s", id, v->iface_ids[i]);
	}
	return 0;
}

static int net_mac(const json_t *body, struct vmm_net_config *n, char *err, size_t errlen)
{
	const char *mac = vmm__json_str(body, "guest_mac", NULL);

	if (!mac)
		return 0;
	if (vmm_args_parse_mac(mac, n->mac))
		return vmm__json_fail(err, errlen, -EINVAL, "network-interface.guest_mac '%.*s': "
				      "expected six hex bytes like 06:00:ac:10:00:02",
				      vmm__utf8_clip(mac, 32), mac);
	if (n->mac[0] & 1)
		return vmm__json_fail(err, errlen, -EINVAL, "network-interface.guest_mac '%s': a "
				      "multicast address (the first byte must be even)", mac);
	n->has_mac = true;
	return 0;
}

/* The body as a net config; *slot: the interface it replaces, or -1. */
static int parse_net(const struct vmm__vmcfg *v, const char *path_id, const json_t *body,
		     struct vmm_net_config *n, int *slot, char *err, size_t errlen)
{
	const char *id, *tap;
	int r = vmm__json_check(body, net_fields, "network-interface", err, errlen);

	if (r)
		return r;
	id = vmm__json_str(body, "iface_id", "");
	if (strcmp(id, path_id) != 0)
		return vmm__json_fail(err, errlen, -EINVAL, "network-interface.iface_id '%.*s' differs "
				      "from the path's '%.*s'", vmm__utf8_clip(id, 64), id,
				      vmm__utf8_clip(path_id, 64), path_id);
	if (!vmm__vmcfg_id_valid(id))
		return vmm__json_fail(err, errlen, -EINVAL, "network-interface.iface_id '%.*s': use "
				      "1..64 of A-Z a-z 0-9 _", vmm__utf8_clip(id, 64), id);
	tap = vmm__json_str(body, "host_dev_name", "");
	if (strlen(tap) > VMM_TAP_NAME_MAX)
		return vmm__json_fail(err, errlen, -ENAMETOOLONG, "network-interface.host_dev_name "
				      "'%.*s': longer than %u bytes (an interface name)",
				      vmm__utf8_clip(tap, 40), tap, VMM_TAP_NAME_MAX);
	if (!tap_name_valid(tap))
		return vmm__json_fail(err, errlen, -EINVAL, "network-interface.host_dev_name '%s': not "
				      "an interface name (empty, '.', '..', or has '/', ':' or white "
				      "space)", tap);
	memset(n, 0, sizeof(*n));
	strcpy(n->tap, tap);
	if ((r = net_mac(body, n, err, errlen)) ||
	    (r = vmm__vmcfg_rate_limiter(json_object_get(body, "rx_rate_limiter"),
					 "network-interface.rx_rate_limiter", &n->rx_limit,
					 err, errlen)) ||
	    (r = vmm__vmcfg_rate_limiter(json_object_get(body, "tx_rate_limiter"),
					 "network-interface.tx_rate_limiter", &n->tx_limit,
					 err, errlen)))
		return r;
	*slot = find_net(v, id);
	if (*slot < 0 && v->cfg.nnets >= VMM_MAX_NETS)
		return vmm__json_fail(err, errlen, -ENOSPC, "network-interface %s: at most %u "
				      "network interfaces", id, VMM_MAX_NETS);
	if (*slot < 0 && (r = vmm__vmcfg_virtio_room(v, "network-interface", err, errlen)))
		return r;
	return net_clash(v, *slot, n, id, err, errlen);
}

int vmm__vmcfg_put_net(struct vmm__vmcfg *v, const char *path_id,
		       const json_t *body, char *err, size_t errlen)
{
	struct vmm_net_config n;
	int slot = -1, r;

	if ((r = parse_net(v, path_id, body, &n, &slot, err, errlen)))
		return r;
	if (slot < 0)
		slot = (int)v->cfg.nnets++;
	v->cfg.nets[slot] = n;
	strcpy(v->iface_ids[slot], path_id);
	v->touched = true;
	return 0;
}

int vmm__vmcfg_apply_nets(struct vmm__vmcfg *v, const json_t *nets, char *err,
			  size_t errlen)
{
	size_t i;
	json_t *d;

	json_array_foreach(nets, i, d) {
		const char *id = json_is_object(d) ? vmm__json_str(d, "iface_id", "") : "";
		int r;

		if (!json_is_object(d))
			return vmm__json_fail(err, errlen, -EINVAL,
					      "network-interfaces[%zu]: must be an object", i);
		/* Twice in the file; a command-line interface of that id is
		 * replaced, as PUT /network-interfaces/{id} does. */
		if (vmm__json_id_seen(nets, i, "iface_id", id))
			return vmm__json_fail(err, errlen, -EINVAL, "network-interfaces[%zu]: iface_id "
					      "'%.*s' given twice", i, vmm__utf8_clip(id, 64), id);
		if ((r = vmm__vmcfg_put_net(v, id, d, err, errlen)))
			return r;
	}
	return 0;
}

int vmm__vmcfg_put_vsock(struct vmm__vmcfg *v, const json_t *body,
			 char *err, size_t errlen)
{
	struct vmm_vsock_config vc = { .enabled = true };
	const char *uds;
	int r = vmm__json_check(body, vsock_fields, "vsock", err, errlen);

	if (r)
		return r;
	vc.guest_cid = vmm__json_uint(body, "guest_cid", 0);
	if (vc.guest_cid < 3 || vc.guest_cid > 0xfffffffeull)
		return vmm__json_fail(err, errlen, -EINVAL, "vsock.guest_cid=%llu: must be 3..4294967294 "
				      "(0-2 and 2^32-1 are reserved)",
				      (unsigned long long)vc.guest_cid);
	uds = vmm__json_str(body, "uds_path", "");
	if (!uds[0])
		return vmm__json_fail(err, errlen, -EINVAL, "vsock.uds_path: empty");
	if (strlen(uds) > VMM_VSOCK_UDS_MAX)
		return vmm__json_fail(err, errlen, -ENAMETOOLONG, "vsock.uds_path '%.*s...': longer "
				      "than %u bytes (the device appends _<port> to it)",
				      vmm__utf8_clip(uds, 40), uds, VMM_VSOCK_UDS_MAX);
	if (!v->cfg.vsock.enabled && (r = vmm__vmcfg_virtio_room(v, "vsock", err, errlen)))
		return r;
	strcpy(vc.uds_path, uds);
	v->cfg.vsock = vc;
	v->touched = true;
	return 0;
}

json_t *vmm__vmcfg_nets_json(const struct vmm__vmcfg *v)
{
	json_t *a = json_array();

	for (uint32_t i = 0; a && i < v->cfg.nnets; i++) {
		const struct vmm_net_config *n = &v->cfg.nets[i];
		json_t *o = json_pack("{s:o,s:o}", "iface_id", vmm__json_text(v->iface_ids[i]),
				      "host_dev_name", vmm__json_text(n->tap));
		json_t *rx = vmm__vmcfg_rate_json(&n->rx_limit);
		json_t *tx = vmm__vmcfg_rate_json(&n->tx_limit);
		char mac[18];

		if (o && n->has_mac) {
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0],
				 n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
			json_object_set_new(o, "guest_mac", json_string(mac));
		}
		if (o && rx)
			json_object_set_new(o, "rx_rate_limiter", rx);
		else
			json_decref(rx);
		if (o && tx)
			json_object_set_new(o, "tx_rate_limiter", tx);
		else
			json_decref(tx);
		/* NULL rather than a list that silently lacks an interface. */
		if (json_array_append_new(a, o)) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

json_t *vmm__vmcfg_vsock_json(const struct vmm_config *cfg)
{
	if (!cfg->vsock.enabled)
		return NULL;
	return json_pack("{s:I,s:o}", "guest_cid", (json_int_t)cfg->vsock.guest_cid,
			 "uds_path", vmm__json_text(cfg->vsock.uds_path));
}
