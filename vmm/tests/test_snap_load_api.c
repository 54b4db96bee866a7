// SPDX-License-Identifier: MIT
// Every refusal of PUT /snapshot/load (docs/snapshot.md, "What is checked
// on load"), through the control API into the real vmm_restore(), without
// KVM.  The host configuration points kvm.path at a file that does not
// exist, so a load that gets past every check of the state and memory
// files fails at "kvm.path=...: cannot open"; each refusal below must name
// its own problem instead, which proves it is found before /dev/kvm is
// opened.  After each, the process must be as before: 400 with a
// fault_message, GET / still "Not started", the same open descriptors and
// threads, and a following good load gets as far as KVM.
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_fake.h"
#include "snap_le.h"
#include "snap_fill.h"

#define MEM_MIB 16u

static struct api_fake fake;
static struct vmm__api_ctl ctl;
static struct vmm__api_reply rep;
static struct vmm_config host;
static char dir[] = "/tmp/cvmm-snap-load-XXXXXX";
static char good_state[256], bad_state[256], mem_path[256], nokvm[256];
static uint8_t *good;
static size_t good_len;

/* The machine behind the API: the real restore, with a missing /dev/kvm. */
static int real_load(void *ctx, const char *state_path, const char *mem,
		     struct vmm_config *restored, char *err, size_t errlen)
{
	struct vmm *vm = NULL;
	int r = vmm_restore(&host, state_path, mem, err, errlen, &vm);

	(void)ctx;
	if (r == 0) {	/* not without KVM; keep the API's contract anyway */
		vmm_get_config(vm, restored);
		vmm_free(vm);
	}
	return r;
}

static struct vmm__api_ops ops;

static void base_config(struct vmm_config *cfg)
{
	vmm_config_init(cfg);
	cfg->mem_mib = MEM_MIB;
	cfg->vcpus = 1;
	snprintf(cfg->kernel_path, sizeof(cfg->kernel_path), "/nonexistent/kernel");
	cfg->nblocks = 1;
	snprintf(cfg->blocks[0].path, sizeof(cfg->blocks[0].path), "%s/disk.img", dir);
}

/* The sections of write_state() for the machine cfg, with 16 MiB of RAM in
 * the memory layout whatever cfg says. */
static void build_state(const struct vmm_config *cfg, uint8_t **buf, size_t *len)
{
	static struct kvmw_vcpu_state vcpu;
	static struct vblk_device_state blk;
	struct vmm__snap_host_cpu hc;
	struct vmm__snap_mem_layout layout = { 0 };
	struct superio_serial_state ser;
	struct superio_i8042_state kbd;
	struct superio_cmos_state cmos;
	struct kvm_irqchip chip;
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clk;
	struct vmm__snapw *w;

	cr_assert_eq(vmm__snapw_new(&w, "test"), 0);
	vmm__snap_put_config(w, cfg);
	fill_host_cpu(&hc);
	vmm__snap_put_host_cpu(w, &hc);
	layout.nregions = 1;
	layout.regions[0] = (struct vmm__snap_mem_region){ 0, MEM_MIB << 20, 0 };
	layout.file_size = MEM_MIB << 20;
	vmm__snap_put_mem_layout(w, &layout);
	fill_vcpu(&vcpu);
	vmm__snap_put_vcpu(w, 0, &vcpu);
	for (uint32_t i = 0; i < 3; i++) {
		fill_irqchip(&chip, i);
		vmm__snap_put_irqchip(w, &chip);
	}
	fill_pit(&pit);
	vmm__snap_put_pit(w, &pit);
	fill_clock(&clk);
	vmm__snap_put_clock(w, &clk);
	fill_serial(&ser);
	vmm__snap_put_serial(w, 0, &ser);
	fill_i8042(&kbd);
	vmm__snap_put_i8042(w, &kbd);
	fill_cmos(&cmos);
	vmm__snap_put_cmos(w, &cmos);
	fill_mmio(&blk.mmio, 1);
	vmm__snap_put_blk(w, 0, &blk);
	cr_assert_eq(vmm__snapw_finish(w, buf, len), 0);
	vmm__snapw_free(w);
}

/* One state file of a coherent 1-vCPU machine with one disk: a section of
 * every type that machine has. */
static void write_state(void)
{
	struct vmm_config cfg;

	base_config(&cfg);
	build_state(&cfg, &good, &good_len);
}

static void write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert(f, "%s", path);
	cr_assert_eq(fwrite(p, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
	int fd;

	cr_assert(mkdtemp(dir), "mkdtemp");
	snprintf(good_state, sizeof(good_state), "%s/vm.state", dir);
	snprintf(bad_state, sizeof(bad_state), "%s/bad.state", dir);
	snprintf(mem_path, sizeof(mem_path), "%s/vm.mem", dir);
	snprintf(nokvm, sizeof(nokvm), "%s/no-kvm", dir);
	write_state();
	write_file(good_state, good, good_len);
	fd = open(mem_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, (off_t)MEM_MIB << 20), 0);
	close(fd);
	vmm_config_init(&host);
	snprintf(host.kvm_path, sizeof(host.kvm_path), "%s", nokvm);
	host.log_level = VMM_LOG_ERROR;
	/* The state-dump thread a load starts would confine itself; under
	 * ASan its runtime's own calls (sigaltstack) would then be fatal. */
	host.process.seccomp = VMM_SECCOMP_OFF;
	ops = fake_ops;
	ops.load = real_load;
	memset(&fake, 0, sizeof(fake));
	vmm__api_ctl_init(&ctl, &ops, &fake, &host);
	memset(&rep, 0, sizeof(rep));
}

static void teardown(void)
{
	char cmd[512];

	free(rep.body);
	free(good);
	vmm__api_ctl_destroy(&ctl);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd)) {
	}
}

TestSuite(snapload, .init = setup, .fini = teardown);

static int call(enum vmm__http_method method, const char *path, const char *body)
{
	struct vmm__http_request req = { .method = method, .keep_alive = true };

	free(rep.body);
	memset(&rep, 0, sizeof(rep));
	snprintf(req.path, sizeof(req.path), "%s", path);
	req.body = (const uint8_t *)body;
	req.body_len = body ? strlen(body) : 0;
	vmm__api_handle(&ctl, &req, &rep);
	return rep.status;
}

static unsigned count_dir(const char *path)
{
	DIR *d = opendir(path);
	unsigned n = 0;

	cr_assert(d, "%s", path);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* PUT /snapshot/load of state and mem; returns the status, body in rep. */
static int load(const char *state, const char *mem)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "{\"snapshot_path\":\"%s\",\"mem_backend\":{\"backend_type\":\"File\","
		 "\"backend_path\":\"%s\"}}", state, mem);
	return call(VMM__HTTP_PUT, "/snapshot/load", body);
}

/*
 * A load that must be refused with `needle` in its fault_message, before
 * KVM (the message does not name kvm.path), leaving nothing behind; then
 * the good files still get as far as KVM.
 */
static void refused(const char *state, const char *mem, const char *needle)
{
	unsigned fds = count_dir("/proc/self/fd"), threads = count_dir("/proc/self/task");

	cr_assert_eq(load(state, mem), 400, "status %d: %s", rep.status, rep.body);
	cr_assert(rep.body && strstr(rep.body, "\"fault_message\""), "%s", rep.body);
	cr_assert(strstr(rep.body, needle), "want '%s' in %s", needle, rep.body);
	cr_assert(!strstr(rep.body, "kvm.path="), "found only at KVM: %s", rep.body);
	cr_assert_eq(count_dir("/proc/self/fd"), fds, "descriptors left open");
	cr_assert_eq(count_dir("/proc/self/task"), threads, "threads left running");
	cr_assert_eq(call(VMM__HTTP_GET, "/", NULL), 200);
	cr_assert(strstr(rep.body, "\"state\":\"Not started\""), "%s", rep.body);
	cr_assert_eq(load(good_state, mem_path), 400);
	cr_assert(strstr(rep.body, "kvm.path=") && strstr(rep.body, "cannot open"),
		  "the good files should fail only at KVM: %s", rep.body);
	cr_assert_eq(count_dir("/proc/self/fd"), fds, "descriptors left open by the good load");
}

/* The section table entry of (type, instance) in buf: its file offset. */
static size_t entry_of(const uint8_t *buf, uint32_t type, uint32_t inst)
{
	uint32_t n = vmm__le32_get(buf + 12);

	for (uint32_t i = 0; i < n; i++) {
		size_t e = VMM__SNAP_HEADER_SIZE + (size_t)i * VMM__SNAP_ENTRY_SIZE;

		if (vmm__le32_get(buf + e) == type && vmm__le32_get(buf + e + 4) == inst)
			return e;
	}
	cr_assert_fail("no section %u[%u]", type, inst);
	return 0;
}

static void fix_header_crc(uint8_t *buf)
{
	size_t table_end = VMM__SNAP_HEADER_SIZE +
			   (size_t)vmm__le32_get(buf + 12) * VMM__SNAP_ENTRY_SIZE;

	vmm__le32_put(buf + 60, vmm__snap_header_crc(buf, table_end));
}

static const struct {
	uint32_t type, inst;
	const char *name;
} sections[] = {
	{ VMM__SNAP_CONFIG, 0, "config[0]" },	  { VMM__SNAP_HOST_CPU, 0, "host-cpu[0]" },
	{ VMM__SNAP_MEM_LAYOUT, 0, "memory-layout[0]" }, { VMM__SNAP_VCPU, 0, "vcpu[0]" },
	{ VMM__SNAP_IRQCHIP, 0, "irqchip[0]" },	  { VMM__SNAP_IRQCHIP, 1, "irqchip[1]" },
	{ VMM__SNAP_IRQCHIP, 2, "irqchip[2]" },	  { VMM__SNAP_PIT, 0, "pit[0]" },
	{ VMM__SNAP_CLOCK, 0, "clock[0]" },	  { VMM__SNAP_SERIAL, 0, "serial[0]" },
	{ VMM__SNAP_I8042, 0, "i8042[0]" },	  { VMM__SNAP_CMOS, 0, "cmos[0]" },
	{ VMM__SNAP_BLK, 0, "blk[0]" },
};

Test(snapload, good_files_reach_kvm)
{
	/* The control: everything in the files passes, the missing KVM stops it. */
	cr_assert_eq(load(good_state, mem_path), 400);
	cr_assert(strstr(rep.body, "kvm.path=") && strstr(rep.body, nokvm), "%s", rep.body);
	cr_assert_eq(vmm__le32_get(good + 12), sizeof(sections) / sizeof(sections[0]),
		     "the table below must list every section of the file");
}

Test(snapload, crc_of_each_section)
{
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		uint8_t *buf = malloc(good_len);
		size_t e;
		char want[128];

		memcpy(buf, good, good_len);
		e = entry_of(buf, sections[s].type, sections[s].inst);
		/* One byte in the middle of the payload; the table is intact. */
		buf[vmm__le64_get(buf + e + 16) + vmm__le64_get(buf + e + 24) / 2] ^= 0x5a;
		write_file(bad_state, buf, good_len);
		snprintf(want, sizeof(want), "section %s CRC mismatch", sections[s].name);
		refused(bad_state, mem_path, want);
		free(buf);
	}
}

Test(snapload, version_of_each_section)
{
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		uint8_t *buf = malloc(good_len);
		size_t e;
		char want[128];
		uint32_t v;

		memcpy(buf, good, good_len);
		e = entry_of(buf, sections[s].type, sections[s].inst);
		/* One past the version written: newer than this cvmm reads
		 * (config, at 2, reads 1 too: "... version 2 (and older, down
		 * to 1)"). */
		v = vmm__le32_get(buf + e + 8) + 1;
		vmm__le32_put(buf + e + 8, v);
		fix_header_crc(buf);
		write_file(bad_state, buf, good_len);
		snprintf(want, sizeof(want), "section %s: version %u, this cvmm reads version %u",
			 sections[s].name, v, v - 1);
		refused(bad_state, mem_path, want);
		free(buf);
	}
}

Test(snapload, bad_magic)
{
	uint8_t *buf = malloc(good_len);

	memcpy(buf, good, good_len);
	buf[0] = 'X';
	write_file(bad_state, buf, good_len);
	refused(bad_state, mem_path, "not a cvmm state file (bad magic)");
	free(buf);
}

Test(snapload, format_version)
{
	uint8_t *buf = malloc(good_len);

	memcpy(buf, good, good_len);
	vmm__le32_put(buf + 8, 2);
	fix_header_crc(buf);
	write_file(bad_state, buf, good_len);
	refused(bad_state, mem_path, "format version 2, this cvmm reads format version 1");
	free(buf);
}

Test(snapload, truncated)
{
	char want[128];

	write_file(bad_state, good, 40);
	refused(bad_state, mem_path, "truncated: 40 bytes, the header alone is 64");
	write_file(bad_state, good, good_len - 100);
	snprintf(want, sizeof(want), "truncated or extended: %zu bytes, the header says %zu",
		 good_len - 100, good_len);
	refused(bad_state, mem_path, want);
}

Test(snapload, missing_state_file)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/nope.state", dir);
	refused(path, mem_path, "nope.state");
}

Test(snapload, missing_memory_file)
{
	char path[300], want[400];

	snprintf(path, sizeof(path), "%s/nope.mem", dir);
	snprintf(want, sizeof(want), "memory file %s: cannot open", path);
	refused(good_state, path, want);
}

Test(snapload, memory_file_wrong_size)
{
	char path[300], want[400];
	int fd;

	snprintf(path, sizeof(path), "%s/short.mem", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, ((off_t)MEM_MIB << 20) - 4096), 0);
	close(fd);
	snprintf(want, sizeof(want), "memory file %s: %u bytes, the snapshot's layout needs %u",
		 path, (MEM_MIB << 20) - 4096, MEM_MIB << 20);
	refused(good_state, path, want);
	/* A directory is no memory file either. */
	snprintf(want, sizeof(want), "memory file %s:", dir);
	refused(good_state, dir, want);
}

Test(snapload, zero_vcpus)
{
	/* A config claiming no vCPU, CRCs recomputed: refused, never indexed. */
	struct vmm__snapw *w;
	struct vmm_config cfg;
	uint8_t *buf;
	size_t len;

	cr_assert_eq(vmm__snapw_new(&w, "test"), 0);
	vmm_config_init(&cfg);
	cfg.vcpus = 0;
	cfg.mem_mib = MEM_MIB;
	vmm__snap_put_config(w, &cfg);
	cr_assert_eq(vmm__snapw_finish(w, &buf, &len), 0);
	vmm__snapw_free(w);
	write_file(bad_state, buf, len);
	free(buf);
	refused(bad_state, mem_path, "section config[0]: 0 vCPUs, must be 1..");
}

Test(snapload, missing_device_section)
{
	/* The file without its blk[0] section: the config has a disk. */
	uint8_t *buf = malloc(good_len);
	size_t e;

	memcpy(buf, good, good_len);
	e = entry_of(buf, VMM__SNAP_BLK, 0);
	vmm__le32_put(buf + e, 0x7fff);	/* an unknown type nobody asks for */
	fix_header_crc(buf);
	write_file(bad_state, buf, good_len);
	/* Found when the disk is built, after KVM: here it reaches KVM. */
	cr_assert_eq(load(bad_state, mem_path), 400);
	cr_assert(strstr(rep.body, "kvm.path="), "%s", rep.body);
	free(buf);
}

Test(snapload, refused_after_configuration)
{
	/* A snapshot is loaded into a fresh process only. */
	cr_assert_eq(call(VMM__HTTP_PUT, "/machine-config",
			  "{\"vcpu_count\":1,\"mem_size_mib\":64}"), 204, "%s", rep.body);
	cr_assert_eq(load(good_state, mem_path), 400);
	cr_assert(strstr(rep.body, "already configured"), "%s", rep.body);
}

/* A machine vmm_new() would refuse is refused by a load too, before KVM
 * (docs/snapshot.md "Restore"): bad_state holds cfg, CRCs intact. */
static void refused_config(const struct vmm_config *cfg, const char *needle)
{
	uint8_t *buf;
	size_t len;

	build_state(cfg, &buf, &len);
	write_file(bad_state, buf, len);
	free(buf);
	refused(bad_state, mem_path, needle);
}

Test(snapload, more_virtio_devices_than_slots)
{
	struct vmm_config cfg;

	/* 8 disks, vsock and 8 interfaces: each kind within its own cap,
	 * 17 on the 8 virtio slots (their GSIs) together. */
	base_config(&cfg);
	cfg.nblocks = 8;
	for (uint32_t i = 0; i < 8; i++)
		snprintf(cfg.blocks[i].path, sizeof(cfg.blocks[i].path), "%s/d%u", dir, i);
	cfg.vsock.enabled = true;
	cfg.vsock.guest_cid = 3;
	snprintf(cfg.vsock.uds_path, sizeof(cfg.vsock.uds_path), "%s/v", dir);
	cfg.nnets = 8;
	for (uint32_t i = 0; i < 8; i++)
		snprintf(cfg.nets[i].tap, sizeof(cfg.nets[i].tap), "tap%u", i);
	refused_config(&cfg, "section config[0]: virtio: 17 devices (block, vsock and net), "
		       "at most 8");
}

Test(snapload, multicast_mac)
{
	struct vmm_config cfg;

	base_config(&cfg);
	cfg.nnets = 1;
	snprintf(cfg.nets[0].tap, sizeof(cfg.nets[0].tap), "tap0");
	cfg.nets[0].has_mac = true;
	cfg.nets[0].mac[0] = 0x01;
	refused_config(&cfg, "section config[0]: net[0].mac=01:00:00:00:00:00: a multicast "
		       "address");
}

Test(snapload, reserved_vsock_cid)
{
	struct vmm_config cfg;

	base_config(&cfg);
	cfg.vsock.enabled = true;
	snprintf(cfg.vsock.uds_path, sizeof(cfg.vsock.uds_path), "%s/v", dir);
	cfg.vsock.guest_cid = 1;
	refused_config(&cfg, "section config[0]: vsock.cid=1: must be between 3 and");
	cfg.vsock.guest_cid = 2;
	refused_config(&cfg, "section config[0]: vsock.cid=2: must be between 3 and");
}

Test(snapload, memory_below_the_minimum)
{
	struct vmm_config cfg;

	base_config(&cfg);
	cfg.mem_mib = 8;
	refused_config(&cfg, "section config[0]: memory.size_mib=8: must be between 16 and");
}

Test(snapload, memory_size_differs_from_the_layout)
{
	struct vmm_config cfg;

	/* A valid size, but the layout holds 16 MiB. */
	base_config(&cfg);
	cfg.mem_mib = 32;
	refused_config(&cfg, "section memory-layout[0]: the layout (16777216 bytes) is not "
		       "the RAM of memory.size_mib=32");
}
