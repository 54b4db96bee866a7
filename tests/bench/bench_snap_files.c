// SPDX-License-Identifier: MIT
// The VMM's own share of snapshot and restore, without KVM (docs/
// benchmarks.md "Snapshot and restore"): for a 256 MiB and a 2 GiB guest
// RAM of which 64 MiB are dirty (the rest never touched, as in the
// bench-snap guest),
//   snap-mem-write-*     vmm__snap_mem_write(): the memory file, zero pages
//                        skipped (holes), through a temporary file, fsync
//                        and rename: O(RAM) scan, O(dirty) writes;
//   snap-restore-prekvm-* vmm_restore() up to opening KVM (kvm.path points
//                        at nothing): read, CRC-check and decode the state
//                        file, check the memory file; O(1) in RAM size;
//   snap-mem-map-*       vmm__snap_mem_restore(): the memory file mapped
//                        MAP_PRIVATE, then unmapped; O(regions);
//   snap-mem-fault-dirty-* the deferred cost: first touch of every page of
//                        the 64 MiB that hold data (page faults that read the
//                        file), after the map.
// Usage: bench-snap-files [DIR] (default: a temporary folder in /tmp).
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmm/vmm.h>

#include "cvmm_bench.h"
#include "snap_codec.h"
#include "snap_hostcpu.h"
#include "snap_memory.h"

#define DIRTY_MIB 64u
#define REPS 7u

struct ctx {
	struct vmmem_map *ram;
	struct vmm__snap_mem_layout layout;
	char mem[512], state[512];
	struct vmm_config host;
	uint64_t sink;
};

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench-snap-files: %s: %s\n", what, err);
	exit(1);
}

static void mem_write(void *p, uint64_t ops)
{
	struct ctx *c = p;
	char err[512];

	for (uint64_t i = 0; i < ops; i++)
		if (vmm__snap_mem_write(c->ram, c->mem, &c->layout, err, sizeof(err)))
			die("memory file", err);
}

static void restore_prekvm(void *p, uint64_t ops)
{
	struct ctx *c = p;
	char err[512];

	for (uint64_t i = 0; i < ops; i++) {
		struct vmm *vm = NULL;

		/* Must fail, and only at KVM: everything before it was done. */
		if (vmm_restore(&c->host, c->state, c->mem, err, sizeof(err), &vm) == 0 ||
		    !strstr(err, "kvm.path="))
			die("restore up to KVM", err);
	}
}

static void mem_map(void *p, uint64_t ops)
{
	struct ctx *c = p;
	char err[512];

	for (uint64_t i = 0; i < ops; i++) {
		struct vmmem_map *m = NULL;

		if (vmm__snap_mem_restore(c->mem, &c->layout, 0, 0, &m, err, sizeof(err)))
			die("map", err);
		vmmem_map_free(m);
	}
}

static void mem_fault(void *p, uint64_t ops)
{
	struct ctx *c = p;
	char err[512];

	for (uint64_t i = 0; i < ops; i++) {
		struct vmmem_map *m = NULL;
		void *hva;

		if (vmm__snap_mem_restore(c->mem, &c->layout, 0, 0, &m, err, sizeof(err)) ||
		    vmmem_translate(m, 32ull << 20, (uint64_t)DIRTY_MIB << 20, &hva))
			die("map", err);
		for (uint64_t off = 0; off < (uint64_t)DIRTY_MIB << 20; off += 4096)
			c->sink += ((volatile uint8_t *)hva)[off];
		vmmem_map_free(m);
	}
}

static void write_state(struct ctx *c, uint64_t mib)
{
	static struct kvmw_vcpu_state vcpu;
	struct vmm_config cfg;
	struct vmm__snap_host_cpu hc = { .family = 0x19, .model = 1 };
	struct kvm_irqchip chip;
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clk;
	struct superio_serial_state ser;
	struct superio_i8042_state kbd;
	struct superio_cmos_state cmos;
	struct vmm__snapw *w;
	char err[512];

	if (vmm__snapw_new(&w, "bench"))
		die("state", "out of memory");
	vmm_config_init(&cfg);
	cfg.mem_mib = mib;
	snprintf(hc.vendor, sizeof(hc.vendor), "AuthenticAMD");
	vmm__snap_put_config(w, &cfg);
	vmm__snap_put_host_cpu(w, &hc);
	vmm__snap_put_mem_layout(w, &c->layout);
	/* A vCPU of realistic size: 40 CPUID leaves, 40 MSRs, 4.6 KiB xsave. */
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.cpuid.nent = 40;
	vcpu.nmsrs = 40;
	vcpu.xsave_len = 4096 + 576;
	vcpu.xcrs.nr_xcrs = 1;
	vmm__snap_put_vcpu(w, 0, &vcpu);
	for (uint32_t i = 0; i < 3; i++) {
		memset(&chip, 0, sizeof(chip));
		chip.chip_id = i;
		vmm__snap_put_irqchip(w, &chip);
	}
	memset(&pit, 0, sizeof(pit));
	vmm__snap_put_pit(w, &pit);
	memset(&clk, 0, sizeof(clk));
	vmm__snap_put_clock(w, &clk);
	memset(&ser, 0, sizeof(ser));
	vmm__snap_put_serial(w, 0, &ser);
	memset(&kbd, 0, sizeof(kbd));
	vmm__snap_put_i8042(w, &kbd);
	memset(&cmos, 0, sizeof(cmos));
	vmm__snap_put_cmos(w, &cmos);
	if (vmm__snapw_write_file(w, c->state, err, sizeof(err)))
		die("state", err);
	vmm__snapw_free(w);
}

static void one_size(struct ctx *c, const char *dir, uint64_t mib, const char *tag)
{
	struct vmmem_region_desc d = { .gpa = 0, .size = mib << 20,
				       .backing = VMMEM_BACKING_ANON };
	char name[64], err[512];
	void *hva;

	if (vmmem_map_new(&c->ram) || vmmem_map_add_region(c->ram, &d) ||
	    vmmem_translate(c->ram, 32ull << 20, (uint64_t)DIRTY_MIB << 20, &hva))
		die("guest RAM", "cannot map");
	for (uint64_t off = 0; off < (uint64_t)DIRTY_MIB << 20; off += 8)
		*(uint64_t *)((uint8_t *)hva + off) = 0x534e415000000000ull | off;
	snprintf(c->mem, sizeof(c->mem), "%s/vm.mem", dir);
	snprintf(c->state, sizeof(c->state), "%s/vm.state", dir);
	snprintf(name, sizeof(name), "snap-mem-write-%s", tag);
	cvmm_bench_run(name, mem_write, c, 1, REPS);
	write_state(c, mib);
	snprintf(name, sizeof(name), "snap-restore-prekvm-%s", tag);
	cvmm_bench_run(name, restore_prekvm, c, 1, REPS);
	snprintf(name, sizeof(name), "snap-mem-map-%s", tag);
	cvmm_bench_run(name, mem_map, c, 1, REPS);
	snprintf(name, sizeof(name), "snap-mem-fault-dirty-%s", tag);
	cvmm_bench_run(name, mem_fault, c, 1, REPS);
	vmmem_map_free(c->ram);
	unlink(c->mem);
	unlink(c->state);
	(void)err;
}

int main(int argc, char **argv)
{
	static struct ctx c;
	char tmp[] = "/tmp/cvmm-bench-snap-XXXXXX";
	const char *dir = argc > 1 ? argv[1] : mkdtemp(tmp);

	if (!dir)
		die("mkdtemp", "failed");
	vmm_config_init(&c.host);
	snprintf(c.host.kvm_path, sizeof(c.host.kvm_path), "%s/no-kvm", dir);
	c.host.log_level = VMM_LOG_ERROR;
	one_size(&c, dir, 256, "256m");
	one_size(&c, dir, 2048, "2g");
	if (argc <= 1)
		rmdir(dir);
	return c.sink == 1 ? 2 : 0;	/* keep the touches */
}
