// SPDX-License-Identifier: MIT
// Restore from a snapshot (docs/snapshot.md, "Restore").  The whole state
// file is read, checked (CRCs, versions) and decoded first, and the host
// CPU compared with the one that wrote it; only then is the machine built:
// guest RAM mapped privately from the memory file (pages load on first
// touch and guest writes never reach the file), the devices created from
// the saved configuration (disks reopened by path) and given their saved
// state, and last the vCPUs.  Any failure frees everything built so far.
// The VM comes back paused; vmm_resume() continues it.  Every section of
// the state file is decoded, and the memory file's size checked, before
// /dev/kvm is opened (test_snap_load_api.c proves it without KVM).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "snap_hostcpu.h"
#include "snap_memory.h"
#include "vmm_internal.h"

#define MSR_IA32_TSC 0x10u

static const uint32_t irqchip_ids[] = { KVM_IRQCHIP_PIC_MASTER, KVM_IRQCHIP_PIC_SLAVE,
					KVM_IRQCHIP_IOAPIC };
#define NR_IRQCHIPS (sizeof(irqchip_ids) / sizeof(irqchip_ids[0]))

/* Everything decoded from the state file before KVM is touched. */
struct restore_plan {
	struct vmm__snapr *file;
	struct vmm_config cfg;
	struct vmm__snap_host_cpu host;
	struct vmm__snap_mem_layout layout;
	struct kvmw_vcpu_state *vcpus;	/* cfg.vcpus entries */
	struct kvm_irqchip chips[NR_IRQCHIPS];
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
};

static void plan_free(struct restore_plan *p)
{
	vmm__snapr_free(p->file);
	free(p->vcpus);
}

/* The machine comes from the file; where its console goes, how much it
 * logs, which /dev/kvm it uses and how its threads are confined
 * (--seccomp) belong to the restoring host. */
static void take_host_settings(struct vmm_config *cfg, const struct vmm_config *host)
{
	cfg->serial = host->serial;
	cfg->log_level = host->log_level;
	cfg->dump_signal = host->dump_signal;
	cfg->process.seccomp = host->process.seccomp;
	cfg->start_ns = host->start_ns;
	memcpy(cfg->kvm_path, host->kvm_path, sizeof(cfg->kvm_path));
}

union plan_device_state {
	struct superio_serial_state serial;
	struct superio_i8042_state i8042;
	struct superio_cmos_state cmos;
	struct vblk_device_state blk;
	struct vnet_device_state net;
	struct vsock_device_state vsock;
};

/* Decodes one section into s if it is a device's: 0, or the error. */
static int plan_decode_device(const struct vmm__snapr *f, uint32_t type, uint32_t inst,
			      union plan_device_state *s, char *err, size_t errlen)
{
	switch (type) {
	case VMM__SNAP_SERIAL:
		return vmm__snap_get_serial(f, inst, &s->serial, err, errlen);
	case VMM__SNAP_I8042:
		return vmm__snap_get_i8042(f, &s->i8042, err, errlen);
	case VMM__SNAP_CMOS:
		return vmm__snap_get_cmos(f, &s->cmos, err, errlen);
	case VMM__SNAP_BLK:
		return vmm__snap_get_blk(f, inst, &s->blk, err, errlen);
	case VMM__SNAP_NET:
		return vmm__snap_get_net(f, inst, &s->net, err, errlen);
	case VMM__SNAP_VSOCK:
		return vmm__snap_get_vsock(f, &s->vsock, err, errlen);
	default:
		return 0;
	}
}

/*
 * Decodes every device section the file holds, as the devices will when
 * they are built, so that a bad device section is refused before KVM is
 * opened (each library's restore validates the values again later).  The
 * scratch state is on the heap: it is large, and two VMs may restore at
 * once in a process that links libvmm.
 */
static int plan_check_devices(const struct vmm__snapr *f, char *err, size_t errlen)
{
	union plan_device_state *s = malloc(sizeof(*s));
	int r = 0;

	if (!s) {
		snprintf(err, errlen, "snapshot: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < vmm__snapr_count(f) && r == 0; i++) {
		uint32_t type, inst, version;

		if (vmm__snapr_section(f, i, &type, &inst, &version))
			break;
		r = plan_decode_device(f, type, inst, s, err, errlen);
	}
	free(s);
	return r;
}

/* The memory file exists and has the layout's size (checked again when it
 * is mapped); before KVM, so that a wrong path costs nothing. */
static int plan_check_memory(const char *mem_path, const struct vmm__snap_mem_layout *l,
			     char *err, size_t errlen)
{
	struct stat st;
	int fd = open(mem_path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "memory file %s: cannot open: %s", mem_path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "memory file %s: %s", mem_path, strerror(-r));
	} else if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != l->file_size) {
		snprintf(err, errlen, "memory file %s: %lld bytes, the snapshot's layout needs %llu",
			 mem_path, (long long)st.st_size, (unsigned long long)l->file_size);
		r = -EINVAL;
	}
	close(fd);
	return r;
}

/* The checks vmm_new() makes of a configuration, on the restored one (with
 * the host's settings in), and its memory size against the layout: RAM is
 * laid out from memory.size_mib as vmm__memory_map() does. */
static int plan_check_config(const char *state_path, const struct restore_plan *p,
			     char *err, size_t errlen)
{
	const struct vmm__snap_mem_layout *l = &p->layout;
	uint64_t total = p->cfg.mem_mib << 20;
	uint64_t low = total < LOADER_MMIO_HOLE_START ? total : LOADER_MMIO_HOLE_START;
	char why[VMM_ERR_MAX];
	int r = vmm__config_check_machine(&p->cfg, why, sizeof(why));

	if (r) {
		snprintf(err, errlen, "snapshot %s: section config[0]: %s", state_path, why);
		return r;
	}
	if (l->nregions != (total > low ? 2u : 1u) || l->regions[0].gpa != 0 ||
	    l->regions[0].size != low ||
	    (total > low && (l->regions[1].gpa != LOADER_HIGH_RAM_START ||
			     l->regions[1].size != total - low))) {
		snprintf(err, errlen, "snapshot %s: section memory-layout[0]: the layout (%llu "
			 "bytes) is not the RAM of memory.size_mib=%llu", state_path,
			 (unsigned long long)l->file_size, (unsigned long long)p->cfg.mem_mib);
		return -EBADMSG;
	}
	return 0;
}

static int plan_load(const char *state_path, const char *mem_path,
		     const struct vmm_config *host, struct restore_plan *p,
		     char *err, size_t errlen)
{
	int r = vmm__snapr_load_file(&p->file, state_path, err, errlen);

	if (r == 0)
		r = vmm__snap_get_config(p->file, &p->cfg, err, errlen);
	if (r == 0 && (p->cfg.vcpus < 1 || p->cfg.vcpus > VMM_VCPUS_MAX)) {
		/* Restore indexes vCPU 0's state: never allocate zero of them. */
		snprintf(err, errlen, "snapshot %s: section config[0]: %u vCPUs, must be 1..%u",
			 state_path, p->cfg.vcpus, VMM_VCPUS_MAX);
		r = -EBADMSG;
	}
	if (r == 0)
		r = vmm__snap_get_host_cpu(p->file, &p->host, err, errlen);
	if (r == 0)
		r = vmm__snap_get_mem_layout(p->file, &p->layout, err, errlen);
	if (r)
		return r;
	take_host_settings(&p->cfg, host);
	r = plan_check_config(state_path, p, err, errlen);
	if (r)
		return r;
	p->vcpus = calloc(p->cfg.vcpus, sizeof(*p->vcpus));
	if (!p->vcpus) {
		snprintf(err, errlen, "snapshot %s: out of memory for %u vCPUs", state_path,
			 p->cfg.vcpus);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < p->cfg.vcpus && r == 0; i++)
		r = vmm__snap_get_vcpu(p->file, i, &p->vcpus[i], err, errlen);
	for (size_t i = 0; i < NR_IRQCHIPS && r == 0; i++)
		r = vmm__snap_get_irqchip(p->file, irqchip_ids[i], &p->chips[i], err, errlen);
	if (r == 0)
		r = vmm__snap_get_pit(p->file, &p->pit, err, errlen);
	if (r == 0)
		r = vmm__snap_get_clock(p->file, &p->clock, err, errlen);
	if (r == 0)
		r = plan_check_devices(p->file, err, errlen);
	if (r == 0)
		r = plan_check_memory(mem_path, &p->layout, err, errlen);
	return r;
}

static int restore_vcpus(struct vmm *vm, const struct restore_plan *p)
{
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		const struct kvmw_vcpu_state *st = &p->vcpus[i];
		int r = kvmw_vcpu_restore_state(vm->vcpus[i].kvcpu, st);

		if (r)
			return vmm__fail(vm, "snapshot: vCPU %u state refused by KVM: %s", i,
					 strerror(-r));
		for (uint32_t m = 0; m < st->nmsrs; m++)
			if (st->msrs[m].index == MSR_IA32_TSC)
				vm->vcpus[i].paused_tsc = st->msrs[m].data;
	}
	return 0;
}

static int restore_vm_state(struct vmm *vm, const struct restore_plan *p)
{
	int r;

	for (size_t i = 0; i < NR_IRQCHIPS; i++) {
		r = kvmw_vm_set_irqchip(vm->kvm, &p->chips[i]);
		if (r)
			return vmm__fail(vm, "snapshot: irqchip %u refused by KVM: %s",
					 p->chips[i].chip_id, strerror(-r));
	}
	r = kvmw_vm_set_pit2(vm->kvm, &p->pit);
	if (r)
		return vmm__fail(vm, "snapshot: PIT state refused by KVM: %s", strerror(-r));
	/* Written at resume, with the TSCs (pause.c). */
	vm->paused_clock = p->clock;
	return 0;
}

/* tables[0]: KVM_GET_SUPPORTED_CPUID; tables[1]: vCPU 0's, as KVM reports it. */
static int read_offer(struct vmm *vm, struct kvmw_cpuid *tables, char *err, size_t errlen)
{
	int r = kvmw_system_supported_cpuid(vm->sys, &tables[0]);

	if (r) {
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(-r));
		return r;
	}
	r = kvmw_vcpu_get_cpuid(vm->vcpus[0].kvcpu, &tables[1]);
	if (r)
		snprintf(err, errlen, "KVM_GET_CPUID2 on vCPU 0: %s", strerror(-r));
	return r;
}

/*
 * Same CPU, and a KVM that can give the guest every feature it had: what
 * KVM lists as supported, and what it reports for vCPU 0 as this cvmm has
 * just configured it (kvm-pvm gives more than it lists; snap_hostcpu.h).
 * Runs on the vCPUs made for the restore, before their saved state goes in.
 */
static int check_host(struct vmm *vm, const struct restore_plan *p, char *err, size_t errlen)
{
	struct kvmw_cpuid *tables = malloc(2 * sizeof(*tables));	/* 10 KiB each */
	struct vmm__snap_host_cpu here;
	int r;

	if (!tables) {
		snprintf(err, errlen, "out of memory for the CPUID tables");
		return -ENOMEM;
	}
	r = read_offer(vm, tables, err, errlen);
	if (r == 0) {
		struct vmm__snap_host_offer offer = { &tables[0], &tables[1] };

		vmm__snap_host_cpu_read(&here, &tables[0]);
		r = vmm__snap_host_check_vcpus(&p->host, &here, p->vcpus, p->cfg.vcpus,
					       &offer, err, errlen);
	}
	free(tables);
	return r;
}

static int build(struct vmm *vm, const struct restore_plan *p, const char *mem_path,
		 char *err, size_t errlen)
{
	if (vmm__host_setup(vm))
		goto failed;
	atomic_store(&vm->phase, "memory-setup");
	if (vmm__snap_mem_restore(mem_path, &p->layout, 0, 0, &vm->mem, err, errlen))
		return -1;
	if (vmm__step(vm, "memory-slots", vmm__memory_register) ||
	    vmm__step(vm, "irqchip-setup", vmm__irqchip_setup) ||
	    vmm__step(vm, "devices-setup", vmm__devices_setup) ||
	    vmm__step(vm, "devices-attach", vmm__devices_attach) ||
	    vmm__devices_restore(vm, p->file) ||
	    restore_vm_state(vm, p) ||
	    vmm__step(vm, "vcpus-setup", vmm__vcpus_create))
		goto failed;
	if (check_host(vm, p, err, errlen))
		return -1;
	if (restore_vcpus(vm, p))
		goto failed;
	return 0;
failed:
	snprintf(err, errlen, "%s", vm->err);
	return -1;
}

int vmm_restore(const struct vmm_config *host, const char *state_path, const char *mem_path,
		char *err, size_t errlen, struct vmm **out)
{
	struct restore_plan plan = { 0 };
	struct vmm *vm = NULL;
	int r = plan_load(state_path, mem_path, host, &plan, err, errlen);

	if (r == 0) {
		vm = vmm__alloc(&plan.cfg, err, errlen);
		r = vm ? 0 : -ENOMEM;
	}
	if (r == 0) {
		vm->restored = true;
		vm->paused = true;
		if (build(vm, &plan, mem_path, err, errlen)) {
			vmm_free(vm);
			vm = NULL;
			r = -EINVAL;
		}
	}
	plan_free(&plan);
	if (r)
		return r;
	atomic_store(&vm->phase, "ready");
	vmm__log(vm, VMM_LOG_INFO, "restored from %s (memory %s), paused", state_path, mem_path);
	*out = vm;
	return 0;
}
