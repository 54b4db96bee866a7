// SPDX-License-Identifier: MIT
// --config-file (docs/api.md "Configuration file"): Firecracker's document
// applied onto the command line's configuration; each rejection names the
// file and the problem.
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmm/api.h>

#include "api_config_file.h"

static struct vmm__vmcfg v;
static char err[VMM_ERR_MAX];
static char path[] = "/tmp/vmm-test-config-file-XXXXXX";

static void setup(void)
{
	static struct vmm_config base;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	vmm_config_init(&base);
	base.serial.out = VMM_SERIAL_OUT_NONE;
	vmm__vmcfg_init(&v, &base);
	err[0] = '\0';
}

static void teardown(void)
{
	unlink(path);
}

TestSuite(config_file, .init = setup, .fini = teardown);

static int load(const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return vmm__config_file_load(path, &v, err, sizeof(err));
}

Test(config_file, firecracker_document)
{
	struct vmm_config out;

	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/vmlinux\","
			  "\"boot_args\":\"console=ttyS0\"},"
			  "\"drives\":[{\"drive_id\":\"rootfs\",\"path_on_host\":\"/root.img\","
			  "\"is_root_device\":true,\"is_read_only\":false}],"
			  "\"machine-config\":{\"vcpu_count\":2,\"mem_size_mib\":1024}}"), 0, "%s", err);
	cr_assert_eq(vmm__vmcfg_finalize(&v, &out, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(out.kernel_path, "/vmlinux");
	cr_assert_str_eq(out.cmdline, "console=ttyS0 root=/dev/vda rw");
	cr_assert_eq(out.vcpus, 2);
	cr_assert_eq(out.mem_mib, 1024);
	cr_assert_eq(out.nblocks, 1);
	cr_assert_str_eq(out.blocks[0].path, "/root.img");
	cr_assert_eq(out.serial.out, VMM_SERIAL_OUT_NONE, "the command line's settings stay");
}

Test(config_file, sections_firecracker_has_but_cvmm_does_not_are_refused)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},"
			  "\"balloon\":{}}"), -EINVAL);
	cr_assert(strstr(err, "unknown field 'balloon'"), "%s", err);
	cr_assert(strstr(err, path), "names the file: %s", err);
}

Test(config_file, boot_source_required)
{
	cr_assert_eq(load("{\"machine-config\":{\"vcpu_count\":1,\"mem_size_mib\":64}}"), -EINVAL);
	cr_assert(strstr(err, "boot-source: missing"), "%s", err);
}

Test(config_file, duplicate_drive_ids)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"drives\":["
			  "{\"drive_id\":\"a\",\"path_on_host\":\"/x\",\"is_root_device\":false},"
			  "{\"drive_id\":\"a\",\"path_on_host\":\"/y\",\"is_root_device\":false}]}"),
		     -EINVAL);
	cr_assert(strstr(err, "drives[1]: drive_id 'a' given twice"), "%s", err);
}

Test(config_file, drive_entry_must_be_object)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"drives\":[3]}"),
		     -EINVAL);
	cr_assert(strstr(err, "drives[0]: must be an object"), "%s", err);
}

Test(config_file, missing_file)
{
	cr_assert_eq(vmm__config_file_load("/nonexistent/vm.json", &v, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "--config-file /nonexistent/vm.json: No such file or directory");
}

Test(config_file, directory_refused)
{
	cr_assert_eq(vmm__config_file_load("/tmp", &v, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "--config-file /tmp: not a regular file");
}

Test(config_file, over_one_mib_refused)
{
	cr_assert_eq(truncate(path, VMM__CONFIG_FILE_MAX + 1), 0);
	cr_assert_eq(vmm__config_file_load(path, &v, err, sizeof(err)), -EFBIG);
	cr_assert(strstr(err, "larger than 1 MiB"), "%s", err);
}

Test(config_file, invalid_json_located)
{
	cr_assert_eq(load("{\"boot-source\":\n  {\"kernel_image_path\": }}"), -EINVAL);
	cr_assert(strstr(err, "line 2"), "%s", err);
}

Test(config_file, message_is_one_line)
{
	/* Regression (fuzz-vmm-config-file): an escaped newline in a field
	 * name reached the error message. */
	cr_assert_eq(load("{\"boot-source\":{\"ke\\nel_image_path\":\"wi\"}}"), -EINVAL);
	cr_assert(strstr(err, "unknown field 'ke?el_image_path'"), "%s", err);
}

Test(config_file, network_interfaces_and_vsock)
{
	struct vmm_config out;

	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},"
			  "\"network-interfaces\":[{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\","
			  "\"guest_mac\":\"06:00:ac:10:00:02\",\"tx_rate_limiter\":{\"bandwidth\":"
			  "{\"size\":5000,\"refill_time\":1000}}},"
			  "{\"iface_id\":\"eth1\",\"host_dev_name\":\"tap1\"}],"
			  "\"vsock\":{\"guest_cid\":42,\"uds_path\":\"/tmp/v.sock\"}}"), 0, "%s", err);
	cr_assert_eq(vmm__vmcfg_finalize(&v, &out, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(out.nnets, 2);
	cr_assert_str_eq(out.nets[0].tap, "tap0");
	cr_assert(out.nets[0].has_mac);
	cr_assert_eq(out.nets[0].tx_limit.bytes.size, 5000);
	cr_assert_eq(out.nets[0].tx_limit.bytes.refill_ms, 1000);
	cr_assert_str_eq(out.nets[1].tap, "tap1");
	cr_assert(out.vsock.enabled);
	cr_assert_eq(out.vsock.guest_cid, 42);
	cr_assert_str_eq(out.vsock.uds_path, "/tmp/v.sock");
}

Test(config_file, drive_rate_limiter)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"drives\":["
			  "{\"drive_id\":\"a\",\"path_on_host\":\"/x\",\"is_root_device\":false,"
			  "\"rate_limiter\":{\"ops\":{\"size\":100,\"refill_time\":1000}}}]}"), 0,
		     "%s", err);
	cr_assert_eq(v.cfg.blocks[0].limit.ops.size, 100);
	cr_assert_eq(v.cfg.blocks[0].limit.ops.refill_ms, 1000);
	cr_assert_eq(v.cfg.blocks[0].limit.bytes.size, 0);
}

Test(config_file, rate_limiters_take_every_bucket_field)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"drives\":["
			  "{\"drive_id\":\"a\",\"path_on_host\":\"/x\",\"is_root_device\":false,"
			  "\"rate_limiter\":{\"bandwidth\":{\"size\":1000,\"one_time_burst\":4000,"
			  "\"refill_time\":100}}}],\"network-interfaces\":[{\"iface_id\":\"eth0\","
			  "\"host_dev_name\":\"tap0\",\"rx_rate_limiter\":{\"ops\":{\"size\":50,"
			  "\"refill_time\":500}},\"tx_rate_limiter\":{\"ops\":{\"size\":2,"
			  "\"one_time_burst\":3,\"refill_time\":4}}}]}"), 0, "%s", err);
	cr_assert_eq(v.cfg.blocks[0].limit.bytes.size, 1000);
	cr_assert_eq(v.cfg.blocks[0].limit.bytes.one_time_burst, 4000);
	cr_assert_eq(v.cfg.blocks[0].limit.bytes.refill_ms, 100);
	cr_assert_eq(v.cfg.nets[0].rx_limit.ops.size, 50);
	cr_assert_eq(v.cfg.nets[0].rx_limit.ops.refill_ms, 500);
	cr_assert_eq(v.cfg.nets[0].tx_limit.ops.size, 2);
	cr_assert_eq(v.cfg.nets[0].tx_limit.ops.one_time_burst, 3);
	cr_assert_eq(v.cfg.nets[0].tx_limit.ops.refill_ms, 4);
}

Test(config_file, rate_limiter_beyond_libratelimit_refused)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"network-interfaces\":["
			  "{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\",\"tx_rate_limiter\":"
			  "{\"bandwidth\":{\"size\":1,\"refill_time\":4294967297}}}]}"), -EINVAL);
	cr_assert(strstr(err, "network-interface.tx_rate_limiter.bandwidth.refill_time=4294967297: "
			 "at most 4294967296"), "%s", err);
	cr_assert(strstr(err, path), "names the file: %s", err);
}

Test(config_file, duplicate_iface_ids)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"network-interfaces\":["
			  "{\"iface_id\":\"a\",\"host_dev_name\":\"t0\"},"
			  "{\"iface_id\":\"a\",\"host_dev_name\":\"t1\"}]}"), -EINVAL);
	cr_assert(strstr(err, "network-interfaces[1]: iface_id 'a' given twice"), "%s", err);
}

Test(config_file, network_interface_entry_must_be_object)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},"
			  "\"network-interfaces\":[\"tap0\"]}"), -EINVAL);
	cr_assert(strstr(err, "network-interfaces[0]: must be an object"), "%s", err);
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},"
			  "\"network-interfaces\":{}}"), -EINVAL);
	cr_assert(strstr(err, "network-interfaces: must be an array"), "%s", err);
}

Test(config_file, network_interface_rules_apply)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"network-interfaces\":["
			  "{\"iface_id\":\"a\",\"host_dev_name\":\"t0\",\"guest_mac\":\"xx\"}]}"),
		     -EINVAL);
	cr_assert(strstr(err, "guest_mac 'xx'"), "%s", err);
	cr_assert(strstr(err, path), "names the file: %s", err);
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"network-interfaces\":["
			  "{\"iface_id\":\"a\",\"host_dev_name\":\"t0\",\"mtu\":1500}]}"), -EINVAL);
	cr_assert(strstr(err, "unknown field 'mtu'"), "%s", err);
}

Test(config_file, vsock_rules_apply)
{
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},"
			  "\"vsock\":{\"guest_cid\":2,\"uds_path\":\"/v\"}}"), -EINVAL);
	cr_assert(strstr(err, "vsock.guest_cid=2"), "%s", err);
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},"
			  "\"vsock\":[]}"), -EINVAL);
	cr_assert(strstr(err, "vsock: must be an object"), "%s", err);
}

Test(config_file, vm_config_reads_back_as_a_config_file)
{
	static struct vmm__vmcfg again;
	static struct vmm_config base;
	json_t *doc;
	char *text, *text2;

	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\",\"initrd_path\":\"/i\"},"
			  "\"drives\":[{\"drive_id\":\"r\",\"path_on_host\":\"/x\",\"is_root_device\":true,"
			  "\"rate_limiter\":{\"bandwidth\":{\"size\":9,\"refill_time\":1000},"
			  "\"ops\":{\"size\":8,\"one_time_burst\":80,\"refill_time\":125}}}],"
			  "\"network-interfaces\":[{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\","
			  "\"guest_mac\":\"06:00:ac:10:00:02\",\"rx_rate_limiter\":{\"bandwidth\":"
			  "{\"size\":5000,\"refill_time\":1000}},\"tx_rate_limiter\":{\"bandwidth\":"
			  "{\"size\":100,\"one_time_burst\":1500,\"refill_time\":20},\"ops\":"
			  "{\"size\":1,\"refill_time\":3000}}}],"
			  "\"vsock\":{\"guest_cid\":42,\"uds_path\":\"/v\"}}"), 0, "%s", err);
	doc = vmm__vmcfg_full_json(&v);
	text = vmm__json_dump(doc);
	json_decref(doc);
	vmm_config_init(&base);
	vmm__vmcfg_init(&again, &base);
	cr_assert_eq(vmm__config_file_parse(text, strlen(text), &again, err, sizeof(err)), 0,
		     "%s: %s", err, text);
	doc = vmm__vmcfg_full_json(&again);
	text2 = vmm__json_dump(doc);
	json_decref(doc);
	cr_assert_str_eq(text, text2);
	/* Every limiter field survived the trip, not only the text. */
	cr_assert_eq(again.cfg.blocks[0].limit.ops.one_time_burst, 80);
	cr_assert_eq(again.cfg.nets[0].tx_limit.bytes.refill_ms, 20);
	cr_assert_eq(memcmp(&again.cfg.blocks[0].limit, &v.cfg.blocks[0].limit,
			    sizeof(struct vmm_rate_limit)), 0);
	cr_assert_eq(memcmp(&again.cfg.nets[0].rx_limit, &v.cfg.nets[0].rx_limit,
			    sizeof(struct vmm_rate_limit)), 0);
	cr_assert_eq(memcmp(&again.cfg.nets[0].tx_limit, &v.cfg.nets[0].tx_limit,
			    sizeof(struct vmm_rate_limit)), 0);
	free(text);
	free(text2);
}

/* The command line is the base: a file entry with the id of a --block or
 * --net device replaces it, as the PUT endpoints do. */
Test(config_file, file_drive_replaces_command_line_drive)
{
	static struct vmm_config base;
	struct vmm_config out;

	vmm_config_init(&base);
	base.nblocks = 1;
	strcpy(base.blocks[0].path, "/cli.img");
	base.nnets = 1;
	strcpy(base.nets[0].tap, "tapcli");
	vmm__vmcfg_init(&v, &base);
	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"drives\":["
			  "{\"drive_id\":\"drive0\",\"path_on_host\":\"/file.img\","
			  "\"is_root_device\":false}],\"network-interfaces\":[{\"iface_id\":"
			  "\"net0\",\"host_dev_name\":\"tapfile\"}]}"), 0, "%s", err);
	cr_assert_eq(vmm__vmcfg_finalize(&v, &out, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(out.nblocks, 1);
	cr_assert_str_eq(out.blocks[0].path, "/file.img");
	cr_assert_eq(out.nnets, 1);
	cr_assert_str_eq(out.nets[0].tap, "tapfile");
}

/* Errors found when the machine is built from the file name the file. */
Test(config_file, build_errors_name_the_file)
{
	struct vmm_config cfg;
	struct vmm_result res;
	char want[128];

	cr_assert_eq(load("{\"boot-source\":{\"kernel_image_path\":\"/nonexistent/vmlinux\"}}"),
		     0, "%s", err);
	vmm_config_init(&cfg);
	cfg.serial.out = VMM_SERIAL_OUT_NONE;
	cfg.process.seccomp = VMM_SECCOMP_OFF;
	strcpy(cfg.process.config_file, path);
	cr_assert_neq(vmm_serve(&cfg, &res, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "--config-file %s: kernel.path=/nonexistent/vmlinux: ", path);
	cr_assert(strstr(err, want) == err, "%s", err);
}
