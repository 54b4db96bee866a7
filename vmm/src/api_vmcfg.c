// SPDX-License-Identifier: MIT
// Firecracker's boot-source, machine-config and drives objects onto a
// struct vmm_config (api_vmcfg.h, docs/api.md "Endpoints"); network
// interfaces, vsock and rate limiters are in api_vmcfg_dev.c.
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api_vmcfg.h"

static const struct vmm__json_field boot_fields[] = {
	{ "kernel_image_path", VMM__JSON_STRING, true },
	{ "initrd_path", VMM__JSON_STRING, false },
	{ "boot_args", VMM__JSON_STRING, false },
	{ NULL, 0, false },
};

/* smt and track_dirty_pages are Firecracker fields that tools send with
 * their defaults; only false is accepted (no SMT topology, no dirty
 * tracking: snapshots are always Full).  huge_pages is Firecracker's
 * "None" or "2M" (cvmm's memory.hugepages). */
static const struct vmm__json_field machine_fields[] = {
	{ "vcpu_count", VMM__JSON_UINT, true },
	{ "mem_size_mib", VMM__JSON_UINT, true },
	{ "smt", VMM__JSON_BOOL, false },
	{ "track_dirty_pages", VMM__JSON_BOOL, false },
	{ "huge_pages", VMM__JSON_STRING, false },
	{ NULL, 0, false },
};

static const struct vmm__json_field drive_fields[] = {
	{ "drive_id", VMM__JSON_STRING, true },
	{ "path_on_host", VMM__JSON_STRING, true },
	{ "is_root_device", VMM__JSON_BOOL, true },
	{ "is_read_only", VMM__JSON_BOOL, false },
	{ "rate_limiter", VMM__JSON_OBJECT, false },
	{ NULL, 0, false },
};

static const struct vmm__json_field file_fields[] = {
	{ "boot-source", VMM__JSON_OBJECT, true },
	{ "machine-config", VMM__JSON_OBJECT, false },
	{ "drives", VMM__JSON_ARRAY, false },
	{ "network-interfaces", VMM__JSON_ARRAY, false },
	{ "vsock", VMM__JSON_OBJECT, false },
	{ NULL, 0, false },
};

void vmm__vmcfg_init(struct vmm__vmcfg *v, const struct vmm_config *base)
{
	memset(v, 0, sizeof(*v));
	v->cfg = *base;
	for (uint32_t i = 0; i < v->cfg.nblocks && i < VMM_MAX_BLOCKS; i++)
		snprintf(v->drive_ids[i], sizeof(v->drive_ids[i]), "drive%u", i);
	for (uint32_t i = 0; i < v->cfg.nnets && i < VMM_MAX_NETS; i++)
		snprintf(v->iface_ids[i], sizeof(v->iface_ids[i]), "net%u", i);
}

int vmm__vmcfg_put_boot_source(struct vmm__vmcfg *v, const json_t *body,
			       char *err, size_t errlen)
{
	static struct vmm_config next;	/* API requests are handled one at a time */
	int r;

	r = vmm__json_check(body, boot_fields, "boot-source", err, errlen);
	if (r)
		return r;
	next = v->cfg;
	next.initramfs_path[0] = '\0';
	strcpy(next.cmdline, VMM__DEFAULT_BOOT_ARGS);
	if ((r = vmm__json_copy_str(body, "kernel_image_path", next.kernel_path,
				    sizeof(next.kernel_path), "boot-source", err, errlen)))
		return r;
	if (json_object_get(body, "initrd_path") &&
	    (r = vmm__json_copy_str(body, "initrd_path", next.initramfs_path,
				    sizeof(next.initramfs_path), "boot-source", err, errlen)))
		return r;
	if (json_object_get(body, "boot_args") &&
	    (r = vmm__json_copy_str(body, "boot_args", next.cmdline,
				    sizeof(next.cmdline), "boot-source", err, errlen)))
		return r;
	v->cfg = next;
	v->boot_source_set = true;
	v->touched = true;
	return 0;
}

int vmm__vmcfg_put_machine(struct vmm__vmcfg *v, const json_t *body,
			   char *err, size_t errlen)
{
	uint64_t vcpus, mib;
	const char *huge;
	int r = vmm__json_check(body, machine_fields, "machine-config", err, errlen);

	if (r)
		return r;
	vcpus = vmm__json_uint(body, "vcpu_count", 0);
	mib = vmm__json_uint(body, "mem_size_mib", 0);
	huge = vmm__json_str(body, "huge_pages", "None");
	if (strcmp(huge, "None") != 0 && strcmp(huge, "2M") != 0)
		return vmm__json_fail(err, errlen, -EINVAL,
				      "machine-config.huge_pages=\"%.*s\": must be \"None\" or \"2M\"",
				      vmm__utf8_clip(huge, 16), huge);
	if (strcmp(huge, "2M") == 0 && mib % 2)
		return vmm__json_fail(err, errlen, -EINVAL, "machine-config.mem_size_mib=%llu: not a "
				      "whole number of 2 MiB huge pages (huge_pages \"2M\")",
				      (unsigned long long)mib);
	if (vcpus < 1 || vcpus > VMM_VCPUS_MAX)
		return vmm__json_fail(err, errlen, -EINVAL, "machine-config.vcpu_count=%llu: must be 1..%u",
				(unsigned long long)vcpus, VMM_VCPUS_MAX);
	if (mib < VMM_MEM_MIN_MIB || mib > VMM_MEM_MAX_MIB)
		return vmm__json_fail(err, errlen, -EINVAL, "machine-config.mem_size_mib=%llu: must be %u..%u",
				(unsigned long long)mib, VMM_MEM_MIN_MIB, VMM_MEM_MAX_MIB);
	if (vmm__json_bool(body, "smt", false))
		return vmm__json_fail(err, errlen, -EINVAL, "machine-config.smt=true: SMT is not offered");
	if (vmm__json_bool(body, "track_dirty_pages", false))
		return vmm__json_fail(err, errlen, -EINVAL, "machine-config.track_dirty_pages=true: only Full "
				"snapshots are offered");
	v->cfg.vcpus = (uint32_t)vcpus;
	v->cfg.mem_mib = mib;
	v->cfg.mem_hugepages = strcmp(huge, "2M") == 0;
	v->touched = true;
	return 0;
}

bool vmm__vmcfg_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > VMM__DRIVE_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z')))
			return false;
	}
	return true;
}

int vmm__vmcfg_virtio_room(const struct vmm__vmcfg *v, const char *what,
			   char *err, size_t errlen)
{
	uint32_t n = v->cfg.nblocks + v->cfg.nnets + (v->cfg.vsock.enabled ? 1u : 0u);

	if (n >= VMM_MAX_VIRTIO)
		return vmm__json_fail(err, errlen, -ENOSPC, "%s: the VM has %u virtio devices (drives, "
				      "network interfaces and vsock share %u)", what, n,
				      VMM_MAX_VIRTIO);
	return 0;
}

static int find_drive(const struct vmm__vmcfg *v, const char *id)
{
	for (uint32_t i = 0; i < v->cfg.nblocks; i++)
		if (strcmp(v->drive_ids[i], id) == 0)
			return (int)i;
	return -1;
}

static int other_root(const struct vmm__vmcfg *v, int self)
{
	for (uint32_t i = 0; i < v->cfg.nblocks; i++)
		if (v->drive_root[i] && (int)i != self)
			return (int)i;
	return -1;
}

static int check_drive(const struct vmm__vmcfg *v, const char *path_id,
		       const json_t *body, int *slot, char *err, size_t errlen)
{
	const char *id;
	int r = vmm__json_check(body, drive_fields, "drive", err, errlen);

	if (r)
		return r;
	id = vmm__json_str(body, "drive_id", "");
	if (strcmp(id, path_id) != 0)
		return vmm__json_fail(err, errlen, -EINVAL, "drive.drive_id '%.*s' differs from the path's "
				"'%.*s'", vmm__utf8_clip(id, 64), id,
				vmm__utf8_clip(path_id, 64), path_id);
	if (!vmm__vmcfg_id_valid(id))
		return vmm__json_fail(err, errlen, -EINVAL, "drive.drive_id '%.*s': use 1..64 of "
				"A-Z a-z 0-9 _", vmm__utf8_clip(id, 64), id);
	*slot = find_drive(v, id);
	if (*slot < 0 && v->cfg.nblocks >= VMM_MAX_BLOCKS)
		return vmm__json_fail(err, errlen, -ENOSPC, "drive %s: at most %u drives", id,
				VMM_MAX_BLOCKS);
	if (*slot < 0 && (r = vmm__vmcfg_virtio_room(v, "drive", err, errlen)))
		return r;
	if (vmm__json_bool(body, "is_root_device", false) && other_root(v, *slot) >= 0)
		return vmm__json_fail(err, errlen, -EINVAL, "drive %s: drive %s is already the root device",
				id, v->drive_ids[other_root(v, *slot)]);
	return 0;
}

int vmm__vmcfg_put_drive(struct vmm__vmcfg *v, const char *path_id,
			 const json_t *body, char *err, size_t errlen)
{
	struct vmm_block_config b = { 0 };
	int slot = -1, r;

	if ((r = check_drive(v, path_id, body, &slot, err, errlen)))
		return r;
	if ((r = vmm__json_copy_str(body, "path_on_host", b.path, sizeof(b.path),
				    "drive", err, errlen)))
		return r;
	b.read_only = vmm__json_bool(body, "is_read_only", false);
	if ((r = vmm__vmcfg_rate_limiter(json_object_get(body, "rate_limiter"),
					 "drive.rate_limiter", &b.limit, err, errlen)))
		return r;
	if (slot < 0)
		slot = (int)v->cfg.nblocks++;
	v->cfg.blocks[slot] = b;
	strcpy(v->drive_ids[slot], path_id);
	v->drive_root[slot] = vmm__json_bool(body, "is_root_device", false);
	v->touched = true;
	return 0;
}

static int apply_drives(struct vmm__vmcfg *v, const json_t *drives, char *err,
			size_t errlen)
{
	size_t i;
	json_t *d;

	json_array_foreach(drives, i, d) {
		const char *id = json_is_object(d) ? vmm__json_str(d, "drive_id", "") : "";
		int r;

		if (!json_is_object(d))
			return vmm__json_fail(err, errlen, -EINVAL, "drives[%zu]: must be an object", i);
		/* Twice in the file; a command-line drive of that id is
		 * replaced, as PUT /drives/{id} does. */
		if (vmm__json_id_seen(drives, i, "drive_id", id))
			return vmm__json_fail(err, errlen, -EINVAL, "drives[%zu]: drive_id '%.*s' given twice",
					i, vmm__utf8_clip(id, 64), id);
		if ((r = vmm__vmcfg_put_drive(v, id, d, err, errlen)))
			return r;
	}
	return 0;
}

int vmm__vmcfg_apply_file(struct vmm__vmcfg *v, const json_t *doc,
			  char *err, size_t errlen)
{
	const json_t *machine = json_object_get(doc, "machine-config");
	const json_t *drives = json_object_get(doc, "drives");
	const json_t *nets = json_object_get(doc, "network-interfaces");
	const json_t *vsock = json_object_get(doc, "vsock");
	int r = vmm__json_check(doc, file_fields, "config file", err, errlen);

	if (r)
		return r;
	if ((r = vmm__vmcfg_put_boot_source(v, json_object_get(doc, "boot-source"), err, errlen)))
		return r;
	if (machine && (r = vmm__vmcfg_put_machine(v, machine, err, errlen)))
		return r;
	if (drives && (r = apply_drives(v, drives, err, errlen)))
		return r;
	if (nets && (r = vmm__vmcfg_apply_nets(v, nets, err, errlen)))
		return r;
	return vsock ? vmm__vmcfg_put_vsock(v, vsock, err, errlen) : 0;
}

static void root_first(struct vmm_config *out, int root)
{
	struct vmm_block_config b = out->blocks[root];

	memmove(&out->blocks[1], &out->blocks[0], (size_t)root * sizeof(b));
	out->blocks[0] = b;
}

int vmm__vmcfg_finalize(const struct vmm__vmcfg *v, struct vmm_config *out,
			char *err, size_t errlen)
{
	int root = other_root(v, -1);
	size_t len;

	if (!v->boot_source_set)
		return vmm__json_fail(err, errlen, -EINVAL, "no boot source: PUT /boot-source first");
	*out = v->cfg;
	if (root < 0)
		return 0;
	root_first(out, root);
	if (strstr(out->cmdline, "root="))
		return 0;
	len = strlen(out->cmdline);
	if (len + sizeof(" root=/dev/vda ro") > sizeof(out->cmdline))
		return vmm__json_fail(err, errlen, -ENAMETOOLONG,
				      "boot-source.boot_args: no room to add root=/dev/vda");
	snprintf(out->cmdline + len, sizeof(out->cmdline) - len, "%sroot=/dev/vda %s",
		 len ? " " : "", out->blocks[0].read_only ? "ro" : "rw");
	return 0;
}

json_t *vmm__vmcfg_machine_json(const struct vmm_config *cfg)
{
	return json_pack("{s:I,s:I,s:b,s:b,s:s}", "vcpu_count", (json_int_t)cfg->vcpus,
			 "mem_size_mib", (json_int_t)cfg->mem_mib, "smt", 0,
			 "track_dirty_pages", 0, "huge_pages", cfg->mem_hugepages ? "2M" : "None");
}

/* Host paths and the command line go through vmm__json_text(): they need
 * not be UTF-8 (docs/api.md "JSON"). */
static json_t *boot_json(const struct vmm_config *cfg)
{
	json_t *o = json_pack("{s:o,s:o}", "kernel_image_path", vmm__json_text(cfg->kernel_path),
			      "boot_args", vmm__json_text(cfg->cmdline));

	if (o && cfg->initramfs_path[0] &&
	    json_object_set_new(o, "initrd_path", vmm__json_text(cfg->initramfs_path))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* NULL when any drive cannot be shown (out of memory): never a list that
 * silently lacks one. */
static json_t *drives_json(const struct vmm__vmcfg *v)
{
	json_t *a = json_array();

	for (uint32_t i = 0; a && i < v->cfg.nblocks; i++) {
		const struct vmm_block_config *b = &v->cfg.blocks[i];
		json_t *o = json_pack("{s:o,s:o,s:b,s:b}", "drive_id",
				      vmm__json_text(v->drive_ids[i]), "path_on_host",
				      vmm__json_text(b->path), "is_root_device", v->drive_root[i],
				      "is_read_only", b->read_only);
		json_t *rl = vmm__vmcfg_rate_json(&b->limit);

		if (o && rl)
			json_object_set_new(o, "rate_limiter", rl);
		else
			json_decref(rl);
		if (json_array_append_new(a, o)) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

json_t *vmm__vmcfg_full_json(const struct vmm__vmcfg *v)
{
	json_t *o = json_pack("{s:o,s:o,s:o,s:o}", "boot-source", boot_json(&v->cfg),
			      "machine-config", vmm__vmcfg_machine_json(&v->cfg),
			      "drives", drives_json(v),
			      "network-interfaces", vmm__vmcfg_nets_json(v));
	json_t *vsock = vmm__vmcfg_vsock_json(&v->cfg);

	if (o && vsock)
		json_object_set_new(o, "vsock", vsock);
	else
		json_decref(vsock);
	if (o && v->cfg.vsock.enabled && !vsock) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void vmm__vmcfg_from_config(struct vmm__vmcfg *v, const struct vmm_config *cfg)
{
	vmm__vmcfg_init(v, cfg);
	v->boot_source_set = true;
	v->touched = true;
}
