// SPDX-License-Identifier: MIT
// The control API's endpoints and state rules (docs/api.md) against a fake
// machine: every endpoint's effect, every state in which a request is
// refused, and every malformed body.
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "api_config_file.h"
#include "api_fake.h"

static struct api_fake fake;
static struct vmm__api_ctl ctl;
static struct vmm__api_reply rep;

static void setup(void)
{
	static struct vmm_config base;

	memset(&fake, 0, sizeof(fake));
	vmm_config_init(&base);
	vmm__api_ctl_init(&ctl, &fake_ops, &fake, &base);
	memset(&rep, 0, sizeof(rep));
}

static void teardown(void)
{
	free(rep.body);
	vmm__api_ctl_destroy(&ctl);
}

TestSuite(api, .init = setup, .fini = teardown);

/* Sends one request; returns the status, the body stays in rep. */
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

#define GET(p) call(VMM__HTTP_GET, (p), NULL)
#define PUT(p, b) call(VMM__HTTP_PUT, (p), (b))
#define PATCH(p, b) call(VMM__HTTP_PATCH, (p), (b))

static void expect_fault(const char *needle)
{
	cr_assert_eq(rep.status, 400, "status %d", rep.status);
	cr_assert(rep.body && strstr(rep.body, "\"fault_message\""), "%s", rep.body);
	cr_assert(strstr(rep.body, needle), "want '%s' in %s", needle, rep.body);
}

static void boot_source(void)
{
	cr_assert_eq(PUT("/boot-source", "{\"kernel_image_path\":\"/k\"}"), 204, "%s", rep.body);
}

static void started(void)
{
	boot_source();
	cr_assert_eq(PUT("/actions", "{\"action_type\":\"InstanceStart\"}"), 204, "%s", rep.body);
}

static void paused(void)
{
	started();
	cr_assert_eq(PATCH("/vm", "{\"state\":\"Paused\"}"), 204, "%s", rep.body);
}

Test(api, info_before_start)
{
	cr_assert_eq(GET("/"), 200);
	cr_assert(strstr(rep.body, "\"state\":\"Not started\""), "%s", rep.body);
	cr_assert(strstr(rep.body, "\"id\":\"anonymous-instance\""), "%s", rep.body);
	cr_assert(strstr(rep.body, "\"vmm_version\":\""), "%s", rep.body);
}

Test(api, machine_config_put_then_get)
{
	cr_assert_eq(PUT("/machine-config", "{\"vcpu_count\":2,\"mem_size_mib\":512}"), 204);
	cr_assert_eq(GET("/machine-config"), 200);
	cr_assert(strstr(rep.body, "\"vcpu_count\":2"), "%s", rep.body);
	cr_assert(strstr(rep.body, "\"mem_size_mib\":512"), "%s", rep.body);
}

Test(api, machine_config_range_checks)
{
	PUT("/machine-config", "{\"vcpu_count\":0,\"mem_size_mib\":512}");
	expect_fault("vcpu_count=0");
	PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":8}");
	expect_fault("mem_size_mib=8");
	PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":-1}");
	expect_fault("non-negative integer");
}

Test(api, machine_config_strict_fields)
{
	PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":64,\"vcpus\":2}");
	expect_fault("unknown field 'vcpus'");
	PUT("/machine-config", "{\"vcpu_count\":\"1\",\"mem_size_mib\":64}");
	expect_fault("vcpu_count: must be a non-negative integer");
	PUT("/machine-config", "{\"mem_size_mib\":64}");
	expect_fault("vcpu_count: missing");
	PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":64,\"smt\":true}");
	expect_fault("smt=true");
	cr_assert_eq(PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":64,"
			 "\"smt\":false,\"track_dirty_pages\":false}"), 204, "%s", rep.body);
}

Test(api, machine_config_huge_pages)
{
	GET("/machine-config");
	cr_assert(strstr(rep.body, "\"huge_pages\":\"None\""), "default: %s", rep.body);
	cr_assert_eq(PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":512,"
			 "\"huge_pages\":\"2M\"}"), 204, "%s", rep.body);
	GET("/vm/config");
	cr_assert(strstr(rep.body, "\"huge_pages\":\"2M\""), "%s", rep.body);
	cr_assert_eq(PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":512,"
			 "\"huge_pages\":\"None\"}"), 204, "%s", rep.body);
	GET("/machine-config");
	cr_assert(strstr(rep.body, "\"huge_pages\":\"None\""), "%s", rep.body);
}

Test(api, machine_config_huge_pages_rejections)
{
	PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":512,\"huge_pages\":\"1G\"}");
	expect_fault("huge_pages=\\\"1G\\\": must be \\\"None\\\" or \\\"2M\\\"");
	PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":513,\"huge_pages\":\"2M\"}");
	expect_fault("mem_size_mib=513: not a whole number of 2 MiB huge pages");
	PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":512,\"huge_pages\":true}");
	expect_fault("huge_pages");
	GET("/machine-config");
	cr_assert(strstr(rep.body, "\"huge_pages\":\"None\""), "a refused PUT changes nothing: %s",
		  rep.body);
}

Test(api, failed_put_changes_nothing)
{
	PUT("/machine-config", "{\"vcpu_count\":3,\"mem_size_mib\":8}");
	GET("/machine-config");
	cr_assert(strstr(rep.body, "\"vcpu_count\":1"), "%s", rep.body);
}

Test(api, boot_source_defaults_and_replacement)
{
	cr_assert_eq(PUT("/boot-source", "{\"kernel_image_path\":\"/a\",\"initrd_path\":\"/i\","
			 "\"boot_args\":\"console=ttyS0 quiet\"}"), 204);
	cr_assert_eq(PUT("/boot-source", "{\"kernel_image_path\":\"/b\"}"), 204);
	GET("/vm/config");
	cr_assert(strstr(rep.body, "\"kernel_image_path\":\"/b\""), "%s", rep.body);
	cr_assert(!strstr(rep.body, "initrd_path"), "a new boot source drops the old initrd: %s",
		  rep.body);
	cr_assert(strstr(rep.body, "\"boot_args\":\"" VMM__DEFAULT_BOOT_ARGS "\""), "%s", rep.body);
}

Test(api, boot_source_rejections)
{
	PUT("/boot-source", "{\"initrd_path\":\"/i\"}");
	expect_fault("kernel_image_path: missing");
	PUT("/boot-source", "{\"kernel_image_path\":\"/k\",\"kernel\":\"x\"}");
	expect_fault("unknown field 'kernel'");
}

Test(api, drives_put_replace_and_list)
{
	cr_assert_eq(PUT("/drives/rootfs", "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r.img\","
			 "\"is_root_device\":true,\"is_read_only\":false}"), 204, "%s", rep.body);
	cr_assert_eq(PUT("/drives/data", "{\"drive_id\":\"data\",\"path_on_host\":\"/d.img\","
			 "\"is_root_device\":false}"), 204, "%s", rep.body);
	cr_assert_eq(PUT("/drives/data", "{\"drive_id\":\"data\",\"path_on_host\":\"/e.img\","
			 "\"is_root_device\":false,\"is_read_only\":true}"), 204);
	GET("/vm/config");
	cr_assert(strstr(rep.body, "\"path_on_host\":\"/e.img\""), "%s", rep.body);
	cr_assert(!strstr(rep.body, "/d.img"), "replaced, not added: %s", rep.body);
	cr_assert_eq(ctl.vmcfg.cfg.nblocks, 2);
}

Test(api, drive_id_rules)
{
	PUT("/drives/a", "{\"drive_id\":\"b\",\"path_on_host\":\"/x\",\"is_root_device\":false}");
	expect_fault("differs from the path");
	PUT("/drives/a-b", "{\"drive_id\":\"a-b\",\"path_on_host\":\"/x\",\"is_root_device\":false}");
	expect_fault("A-Z a-z 0-9 _");
	PUT("/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/x\"}");
	expect_fault("is_root_device: missing");
}

Test(api, at_most_eight_drives)
{
	char path[32], body[128];

	for (unsigned i = 0; i < VMM_MAX_BLOCKS; i++) {
		snprintf(path, sizeof(path), "/drives/d%u", i);
		snprintf(body, sizeof(body), "{\"drive_id\":\"d%u\",\"path_on_host\":\"/x\","
			 "\"is_root_device\":false}", i);
		cr_assert_eq(PUT(path, body), 204);
	}
	PUT("/drives/d9", "{\"drive_id\":\"d9\",\"path_on_host\":\"/x\",\"is_root_device\":false}");
	expect_fault("at most 8 drives");
}

Test(api, one_root_device)
{
	cr_assert_eq(PUT("/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/x\","
			 "\"is_root_device\":true}"), 204);
	PUT("/drives/b", "{\"drive_id\":\"b\",\"path_on_host\":\"/y\",\"is_root_device\":true}");
	expect_fault("drive a is already the root device");
	/* The root drive itself may be re-put as root. */
	cr_assert_eq(PUT("/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/z\","
			 "\"is_root_device\":true}"), 204);
}

Test(api, root_drive_boots_first_with_root_argument)
{
	PUT("/drives/data", "{\"drive_id\":\"data\",\"path_on_host\":\"/d\",\"is_root_device\":false}");
	PUT("/drives/root", "{\"drive_id\":\"root\",\"path_on_host\":\"/r\",\"is_root_device\":true,"
	    "\"is_read_only\":true}");
	started();
	cr_assert_str_eq(fake.started.blocks[0].path, "/r");
	cr_assert_str_eq(fake.started.blocks[1].path, "/d");
	cr_assert(strstr(fake.started.cmdline, "root=/dev/vda ro"), "%s", fake.started.cmdline);
}

Test(api, explicit_root_argument_is_kept)
{
	PUT("/boot-source", "{\"kernel_image_path\":\"/k\",\"boot_args\":\"root=/dev/vdb\"}");
	PUT("/drives/r", "{\"drive_id\":\"r\",\"path_on_host\":\"/r\",\"is_root_device\":true}");
	cr_assert_eq(PUT("/actions", "{\"action_type\":\"InstanceStart\"}"), 204);
	cr_assert_str_eq(fake.started.cmdline, "root=/dev/vdb");
}

Test(api, instance_start_needs_boot_source)
{
	PUT("/actions", "{\"action_type\":\"InstanceStart\"}");
	expect_fault("no boot source");
	cr_assert_eq(fake.starts, 0);
}

Test(api, instance_start_runs_once)
{
	started();
	cr_assert_eq(fake.starts, 1);
	GET("/");
	cr_assert(strstr(rep.body, "\"state\":\"Running\""), "%s", rep.body);
	PUT("/actions", "{\"action_type\":\"InstanceStart\"}");
	expect_fault("already started");
	cr_assert_eq(fake.starts, 1);
}

Test(api, failed_start_can_be_retried)
{
	boot_source();
	fake.fail = -ENOENT;
	PUT("/actions", "{\"action_type\":\"InstanceStart\"}");
	expect_fault("fake machine refused");
	GET("/");
	cr_assert(strstr(rep.body, "Not started"), "%s", rep.body);
	cr_assert_eq(PUT("/actions", "{\"action_type\":\"InstanceStart\"}"), 204);
}

Test(api, configuration_refused_after_start)
{
	started();
	PUT("/machine-config", "{\"vcpu_count\":2,\"mem_size_mib\":512}");
	expect_fault("before InstanceStart only");
	PUT("/boot-source", "{\"kernel_image_path\":\"/k2\"}");
	expect_fault("before InstanceStart only");
	PUT("/drives/x", "{\"drive_id\":\"x\",\"path_on_host\":\"/x\",\"is_root_device\":false}");
	expect_fault("before InstanceStart only");
}

Test(api, pause_and_resume)
{
	paused();
	cr_assert_eq(fake.pauses, 1);
	GET("/");
	cr_assert(strstr(rep.body, "\"state\":\"Paused\""), "%s", rep.body);
	cr_assert_eq(PATCH("/vm", "{\"state\":\"Resumed\"}"), 204);
	cr_assert_eq(fake.resumes, 1);
	GET("/");
	cr_assert(strstr(rep.body, "\"state\":\"Running\""), "%s", rep.body);
}

Test(api, pause_refused_before_start)
{
	PATCH("/vm", "{\"state\":\"Paused\"}");
	expect_fault("no VM to pause");
	cr_assert_eq(fake.pauses, 0);
}

Test(api, vm_state_value_checked)
{
	started();
	PATCH("/vm", "{\"state\":\"Stopped\"}");
	expect_fault("expected Paused or Resumed");
	PATCH("/vm", "{\"state\":\"Paused\",\"now\":true}");
	expect_fault("unknown field 'now'");
}

Test(api, failed_pause_keeps_state)
{
	started();
	fake.fail = -EIO;
	PATCH("/vm", "{\"state\":\"Paused\"}");
	expect_fault("fake machine refused");
	GET("/");
	cr_assert(strstr(rep.body, "Running"), "%s", rep.body);
}

Test(api, snapshot_needs_a_paused_vm)
{
	started();
	PUT("/snapshot/create", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}");
	expect_fault("pause it first");
	cr_assert_eq(fake.snapshots, 0);
}

Test(api, snapshot_create_passes_paths)
{
	paused();
	cr_assert_eq(PUT("/snapshot/create", "{\"snapshot_type\":\"Full\",\"snapshot_path\":\"/s\","
			 "\"mem_file_path\":\"/m\"}"), 204, "%s", rep.body);
	cr_assert_str_eq(fake.state_path, "/s");
	cr_assert_str_eq(fake.mem_path, "/m");
}

Test(api, snapshot_create_rejections)
{
	paused();
	PUT("/snapshot/create", "{\"snapshot_type\":\"Diff\",\"snapshot_path\":\"/s\","
	    "\"mem_file_path\":\"/m\"}");
	expect_fault("only Full");
	PUT("/snapshot/create", "{\"snapshot_path\":\"/s\"}");
	expect_fault("mem_file_path: missing");
	fake.fail = -ENOSPC;
	PUT("/snapshot/create", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}");
	expect_fault("No space left");
}

Test(api, snapshot_create_refuses_one_file_for_both)
{
	paused();
	PUT("/snapshot/create", "{\"snapshot_path\":\"/tmp/vm.snap\",\"mem_file_path\":"
	    "\"/tmp/vm.snap\"}");
	expect_fault("snapshot_path and mem_file_path name the same file");
	PUT("/snapshot/create", "{\"snapshot_path\":\"/tmp/./vm.snap\",\"mem_file_path\":"
	    "\"/tmp/vm.snap\"}");
	expect_fault("name the same file");
	cr_assert_eq(fake.snapshots, 0);
}

Test(api, snapshot_load_into_fresh_process)
{
	fake.restored.vcpus = 2;
	fake.restored.mem_mib = 128;
	fake.restored.nblocks = 1;
	strcpy(fake.restored.blocks[0].path, "/disk");
	cr_assert_eq(PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_backend\":"
			 "{\"backend_type\":\"File\",\"backend_path\":\"/m\"}}"), 204, "%s", rep.body);
	cr_assert_str_eq(fake.state_path, "/s");
	cr_assert_str_eq(fake.mem_path, "/m");
	cr_assert_eq(fake.resumes, 0);
	GET("/");
	cr_assert(strstr(rep.body, "\"state\":\"Paused\""), "%s", rep.body);
	GET("/vm/config");
	cr_assert(strstr(rep.body, "\"vcpu_count\":2"), "%s", rep.body);
	cr_assert(strstr(rep.body, "\"drive_id\":\"drive0\""), "%s", rep.body);
}

Test(api, snapshot_load_and_resume)
{
	cr_assert_eq(PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\","
			 "\"resume_vm\":true}"), 204, "%s", rep.body);
	cr_assert_eq(fake.resumes, 1);
	GET("/");
	cr_assert(strstr(rep.body, "Running"), "%s", rep.body);
}

static int resume_fails(void *ctx, char *err, size_t errlen)
{
	((struct api_fake *)ctx)->resumes++;
	snprintf(err, errlen, "resume: KVM_SET_CLOCK: Invalid argument");
	return -EINVAL;
}

Test(api, snapshot_load_whose_resume_fails_stays_paused)
{
	static struct vmm__api_ops ops;
	struct vmm_config base;

	ops = fake_ops;
	ops.resume = resume_fails;
	vmm_config_init(&base);
	vmm__api_ctl_init(&ctl, &ops, &fake, &base);
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\","
	    "\"resume_vm\":true}");
	expect_fault("the snapshot is loaded and the VM is Paused, but resume_vm failed: "
		     "resume: KVM_SET_CLOCK");
	GET("/");
	cr_assert(strstr(rep.body, "\"state\":\"Paused\""), "%s", rep.body);
	/* As the message says: the VM is loaded, a second load is refused. */
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}");
	expect_fault("the VM is Paused");
	cr_assert_eq(fake.loads, 1);
}

Test(api, snapshot_load_refused_after_configuration)
{
	boot_source();
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}");
	expect_fault("already configured");
	cr_assert_eq(fake.loads, 0);
}

Test(api, snapshot_load_refused_when_running)
{
	started();
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}");
	expect_fault("load into a new cvmm");
}

Test(api, snapshot_load_backend_rules)
{
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\"}");
	expect_fault("not both or neither");
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\",\"mem_backend\":"
	    "{\"backend_type\":\"File\",\"backend_path\":\"/m\"}}");
	expect_fault("not both or neither");
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_backend\":"
	    "{\"backend_type\":\"Uffd\",\"backend_path\":\"/u\"}}");
	expect_fault("only File");
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\","
	    "\"enable_diff_snapshots\":true}");
	expect_fault("enable_diff_snapshots=true");
	cr_assert_eq(fake.loads, 0);
}

Test(api, failed_load_leaves_process_fresh)
{
	fake.fail = -EINVAL;
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}");
	expect_fault("fake machine refused");
	GET("/");
	cr_assert(strstr(rep.body, "Not started"), "%s", rep.body);
	cr_assert_eq(PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}"),
		     204);
}

Test(api, ctrl_alt_del_needs_running_vm)
{
	PUT("/actions", "{\"action_type\":\"SendCtrlAltDel\"}");
	expect_fault("needs a running VM");
	paused();
	PUT("/actions", "{\"action_type\":\"SendCtrlAltDel\"}");
	expect_fault("needs a running VM");
	PATCH("/vm", "{\"state\":\"Resumed\"}");
	cr_assert_eq(PUT("/actions", "{\"action_type\":\"SendCtrlAltDel\"}"), 204);
	cr_assert_eq(fake.cads, 1);
}

Test(api, unknown_action)
{
	PUT("/actions", "{\"action_type\":\"Reboot\"}");
	expect_fault("expected InstanceStart, SendCtrlAltDel or FlushMetrics");
}

Test(api, metrics_file_and_flush)
{
	char path[] = "/tmp/vmm-test-api-metrics-XXXXXX", body[128], line[4096];
	int fd = mkstemp(path);
	ssize_t n;

	cr_assert_geq(fd, 0);
	PUT("/actions", "{\"action_type\":\"FlushMetrics\"}");
	expect_fault("PUT /metrics first");
	snprintf(body, sizeof(body), "{\"metrics_path\":\"%s\"}", path);
	cr_assert_eq(PUT("/metrics", body), 204, "%s", rep.body);
	PUT("/metrics", body);
	expect_fault("already configured");
	started();
	fake.m.serial_tx_bytes = 1234;
	fake.m.loop_batches = 77;
	fake.m.net_rx_dropped = 5;
	fake.m.net_tx_bytes = 4096;
	fake.m.virtio_notify_exits = 9;
	cr_assert_eq(PUT("/actions", "{\"action_type\":\"FlushMetrics\"}"), 204);
	n = read(fd, line, sizeof(line) - 1);
	cr_assert_gt(n, 0);
	line[n] = '\0';
	cr_assert_eq(strchr(line, '\n'), line + n - 1, "one line: %s", line);
	cr_assert(strstr(line, "\"tx_bytes\":1234"), "%s", line);
	cr_assert(strstr(line, "\"batches\":77"), "%s", line);
	cr_assert(strstr(line, "\"net\":{\"rx_bytes\":0,\"rx_dropped\":5,"), "%s", line);
	cr_assert(strstr(line, "\"tx_bytes\":4096"), "%s", line);
	cr_assert(strstr(line, "\"exits_queue_notify\":9"), "%s", line);
	cr_assert(strstr(line, "\"state\":\"Running\""), "%s", line);
	cr_assert(strstr(line, "\"utc_timestamp_ms\":"), "%s", line);
	close(fd);
	unlink(path);
}

Test(api, metrics_path_must_open)
{
	PUT("/metrics", "{\"metrics_path\":\"/nonexistent-dir/m.json\"}");
	expect_fault("No such file or directory");
}

Test(api, unknown_paths)
{
	GET("/nope");
	expect_fault("unknown path for GET");
	PUT("/vm", "{}");
	expect_fault("unknown path for PUT");
	PATCH("/machine-config", "{}");
	expect_fault("unknown path for PATCH");
}

Test(api, malformed_bodies)
{
	PUT("/machine-config", "{\"vcpu_count\":1");
	expect_fault("invalid JSON");
	PUT("/machine-config", "[1,2]");
	expect_fault("must be a JSON object");
	PUT("/machine-config", "{\"vcpu_count\":1,\"vcpu_count\":2,\"mem_size_mib\":64}");
	expect_fault("invalid JSON");
	PUT("/machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":64} x");
	expect_fault("invalid JSON");
	PUT("/machine-config", "");
	expect_fault("invalid JSON");
}

Test(api, fault_message_is_one_line)
{
	PUT("/drives/a", "{\"drive_id\":\"a\\nb\",\"path_on_host\":\"/x\",\"is_root_device\":false}");
	cr_assert_eq(rep.status, 400);
	cr_assert(!strstr(rep.body, "\\n"), "%s", rep.body);
}

/* Text that is not UTF-8 (docs/api.md "JSON"): every reply keeps a body
 * that is valid JSON, invalid bytes show as U+FFFD, and text cut to fit is
 * cut between characters. */
#define FFFD "\xef\xbf\xbd"

static json_t *parsed_body(void)
{
	json_error_t je;
	json_t *o;

	cr_assert(rep.body, "status %d without a body", rep.status);
	o = json_loads(rep.body, 0, &je);
	cr_assert(o, "not JSON (%s): %s", je.text, rep.body);
	return o;
}

Test(api, fault_message_survives_truncated_utf8)
{
	char body[160], want[80];
	json_t *o;

	/* The unknown key is printed with at most 64 bytes: 63 'a' and a
	 * two-byte character across the cut. */
	memset(want, 'a', 63);
	want[63] = '\0';
	snprintf(body, sizeof(body), "{\"%s\xc3\xa9\":1}", want);
	cr_assert_eq(PUT("/actions", body), 400);
	o = parsed_body();
	json_decref(o);
	/* The character is left out whole. */
	snprintf(body, sizeof(body), "unknown field '%s'", want);
	expect_fault(body);
}

Test(api, fault_message_with_a_latin1_path)
{
	json_t *o;

	free(rep.body);
	vmm__api_fault(&rep, 400, "memory file /srv/caf\xe9.mem: cannot open");
	o = parsed_body();
	cr_assert_str_eq(json_string_value(json_object_get(o, "fault_message")),
			 "memory file /srv/caf" FFFD ".mem: cannot open");
	json_decref(o);
}

/* The controller with base as its command-line configuration. */
static void with_base(void (*edit)(struct vmm_config *base))
{
	static struct vmm_config base;

	vmm_config_init(&base);
	strcpy(base.kernel_path, "/k");
	edit(&base);
	vmm__api_ctl_init(&ctl, &fake_ops, &fake, &base);
}

static void latin1_disk(struct vmm_config *base)
{
	base->nblocks = 1;
	strcpy(base->blocks[0].path, "/srv/images/caf\xe9.img");
}

Test(api, vm_config_with_latin1_drive_path)
{
	json_t *o, *d;

	with_base(latin1_disk);
	cr_assert_eq(GET("/vm/config"), 200, "%s", rep.body);
	o = parsed_body();
	d = json_array_get(json_object_get(o, "drives"), 0);
	cr_assert(d, "the drive is missing: %s", rep.body);
	cr_assert_str_eq(json_string_value(json_object_get(d, "path_on_host")),
			 "/srv/images/caf" FFFD ".img");
	cr_assert_str_eq(json_string_value(json_object_get(d, "drive_id")), "drive0");
	json_decref(o);
}

static void latin1_kernel(struct vmm_config *base)
{
	strcpy(base->kernel_path, "/boot/vmlinuz-\xe9t\xe9");
	strcpy(base->initramfs_path, "/boot/initrd-\xff");
	strcpy(base->cmdline, "console=ttyS0 x=\xc3");
}

Test(api, vm_config_with_latin1_kernel_path)
{
	json_t *o, *b;

	with_base(latin1_kernel);
	cr_assert_eq(GET("/vm/config"), 200, "%s", rep.body);
	o = parsed_body();
	b = json_object_get(o, "boot-source");
	cr_assert_str_eq(json_string_value(json_object_get(b, "kernel_image_path")),
			 "/boot/vmlinuz-" FFFD "t" FFFD);
	cr_assert_str_eq(json_string_value(json_object_get(b, "initrd_path")),
			 "/boot/initrd-" FFFD);
	cr_assert_str_eq(json_string_value(json_object_get(b, "boot_args")),
			 "console=ttyS0 x=" FFFD);
	json_decref(o);
}

static void latin1_net_and_vsock(struct vmm_config *base)
{
	base->nnets = 1;
	strcpy(base->nets[0].tap, "tap\xe9");
	base->vsock.enabled = true;
	base->vsock.guest_cid = 3;
	strcpy(base->vsock.uds_path, "/run/v\xe9.sock");
}

Test(api, vm_config_with_latin1_tap_and_vsock_path)
{
	json_t *o, *n;

	with_base(latin1_net_and_vsock);
	cr_assert_eq(GET("/vm/config"), 200, "%s", rep.body);
	o = parsed_body();
	n = json_array_get(json_object_get(o, "network-interfaces"), 0);
	cr_assert(n, "the interface is missing: %s", rep.body);
	cr_assert_str_eq(json_string_value(json_object_get(n, "host_dev_name")), "tap" FFFD);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "vsock"),
							   "uds_path")), "/run/v" FFFD ".sock");
	json_decref(o);
}

Test(api, utf8_rules)
{
	char out[16];

	/* Overlong, surrogate, past U+10FFFF, lone continuation, cut. */
	cr_assert(vmm__utf8_valid("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
	cr_assert(!vmm__utf8_valid("\xc0\xaf"));
	cr_assert(!vmm__utf8_valid("\xed\xa0\x80"));
	cr_assert(!vmm__utf8_valid("\xf4\x90\x80\x80"));
	cr_assert(!vmm__utf8_valid("\x80"));
	cr_assert(!vmm__utf8_valid("\xe2\x82"));
	cr_assert_eq(vmm__utf8_clip("ab\xe2\x82\xac", 3), 2);
	cr_assert_eq(vmm__utf8_clip("ab\xe2\x82\xac", 5), 5);
	cr_assert_eq(vmm__utf8_clip("ab", 64), 2);
	/* Whole characters only when out is short. */
	cr_assert_eq(vmm__utf8_repair("\xff\xff\xff\xff\xff", out, 8), 6);
	cr_assert_str_eq(out, FFFD FFFD);
}

/* network-interfaces, vsock and rate limiters (docs/api.md). */

/* A bucket is exactly {size, one_time_burst, refill_ms}. */
static void expect_bucket(const struct vmm_token_bucket *b, uint64_t size, uint64_t burst,
			  uint64_t refill_ms)
{
	cr_assert_eq(b->size, size, "size %llu", (unsigned long long)b->size);
	cr_assert_eq(b->one_time_burst, burst, "burst %llu",
		     (unsigned long long)b->one_time_burst);
	cr_assert_eq(b->refill_ms, refill_ms, "refill_ms %llu", (unsigned long long)b->refill_ms);
}

#define NET0 "{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\"}"

/* PUT /network-interfaces/{id} with id, tap and extra members. */
static int put_net(const char *id, const char *tap, const char *extra)
{
	char path[128], body[1024];

	snprintf(path, sizeof(path), "/network-interfaces/%s", id);
	snprintf(body, sizeof(body), "{\"iface_id\":\"%s\",\"host_dev_name\":\"%s\"%s%s}", id, tap,
		 extra[0] ? "," : "", extra);
	return PUT(path, body);
}

Test(api, net_put_maps_every_field)
{
	cr_assert_eq(put_net("eth0", "tap0", "\"guest_mac\":\"06:00:AC:10:00:02\","
			     "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":1000000,\"refill_time\":1000}},"
			     "\"tx_rate_limiter\":{\"bandwidth\":{\"size\":2000,\"refill_time\":1000,"
			     "\"one_time_burst\":0}}"), 204, "%s", rep.body);
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 1);
	cr_assert_str_eq(ctl.vmcfg.cfg.nets[0].tap, "tap0");
	cr_assert(ctl.vmcfg.cfg.nets[0].has_mac);
	cr_assert_eq(ctl.vmcfg.cfg.nets[0].mac[0], 0x06);
	cr_assert_eq(ctl.vmcfg.cfg.nets[0].mac[3], 0x10);
	cr_assert_eq(ctl.vmcfg.cfg.nets[0].mac[5], 0x02);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].rx_limit.bytes, 1000000, 0, 1000);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].tx_limit.bytes, 2000, 0, 1000);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].rx_limit.ops, 0, 0, 0);
	started();
	cr_assert_eq(fake.started.nnets, 1);
	cr_assert_str_eq(fake.started.nets[0].tap, "tap0");
	expect_bucket(&fake.started.nets[0].rx_limit.bytes, 1000000, 0, 1000);
}

Test(api, net_shown_in_vm_config)
{
	cr_assert_eq(put_net("eth0", "tap0", "\"guest_mac\":\"06:00:AC:10:00:02\","
			     "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":4096,\"refill_time\":1000}}"),
		     204, "%s", rep.body);
	cr_assert_eq(GET("/vm/config"), 200);
	cr_assert(strstr(rep.body, "\"network-interfaces\":[{\"iface_id\":\"eth0\","
			 "\"host_dev_name\":\"tap0\",\"guest_mac\":\"06:00:ac:10:00:02\","
			 "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":4096,\"one_time_burst\":0,"
			 "\"refill_time\":1000}}}]"), "%s", rep.body);
	cr_assert(!strstr(rep.body, "tx_rate_limiter"), "unlimited is left out: %s", rep.body);
}

Test(api, net_mac_is_optional)
{
	cr_assert_eq(PUT("/network-interfaces/eth0", NET0), 204, "%s", rep.body);
	cr_assert(!ctl.vmcfg.cfg.nets[0].has_mac);
	GET("/vm/config");
	cr_assert(!strstr(rep.body, "guest_mac"), "%s", rep.body);
}

Test(api, net_replaced_by_id)
{
	cr_assert_eq(put_net("eth0", "tap0", ""), 204);
	cr_assert_eq(put_net("eth1", "tap1", ""), 204);
	cr_assert_eq(put_net("eth0", "tapx", "\"guest_mac\":\"06:00:00:00:00:01\""), 204, "%s",
		     rep.body);
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 2);
	cr_assert_str_eq(ctl.vmcfg.cfg.nets[0].tap, "tapx");
	cr_assert(ctl.vmcfg.cfg.nets[0].has_mac);
	cr_assert_str_eq(ctl.vmcfg.cfg.nets[1].tap, "tap1");
}

Test(api, net_iface_id_must_match_path)
{
	PUT("/network-interfaces/eth0", "{\"iface_id\":\"eth1\",\"host_dev_name\":\"tap0\"}");
	expect_fault("iface_id 'eth1' differs from the path's 'eth0'");
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 0);
}

Test(api, net_iface_id_characters)
{
	put_net("eth-0", "tap0", "");
	expect_fault("A-Z a-z 0-9 _");
	PUT("/network-interfaces/", "{\"iface_id\":\"\",\"host_dev_name\":\"tap0\"}");
	expect_fault("A-Z a-z 0-9 _");
}

Test(api, net_tap_name_too_long)
{
	put_net("eth0", "tap456789abcdef0", "");
	expect_fault("longer than 15 bytes");
	cr_assert_eq(put_net("eth0", "tap456789abcdef", ""), 204, "15 bytes fit: %s", rep.body);
}

Test(api, net_tap_name_not_an_interface_name)
{
	put_net("eth0", "", "");
	expect_fault("not an interface name");
	put_net("eth0", "a/b", "");
	expect_fault("not an interface name");
	put_net("eth0", "a b", "");
	expect_fault("not an interface name");
	put_net("eth0", "..", "");
	expect_fault("not an interface name");
}

Test(api, net_bad_mac)
{
	static const char *const bad[] = { "06:00:AC:10:00", "06:00:AC:10:00:02:03",
		"06-00-AC-10-00-02", "g6:00:AC:10:00:02", "6:00:AC:10:00:02", "" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char extra[64];

		snprintf(extra, sizeof(extra), "\"guest_mac\":\"%s\"", bad[i]);
		put_net("eth0", "tap0", extra);
		expect_fault("expected six hex bytes");
	}
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 0);
}

Test(api, net_multicast_mac)
{
	put_net("eth0", "tap0", "\"guest_mac\":\"01:00:5e:00:00:01\"");
	expect_fault("multicast");
}

Test(api, net_at_most_eight)
{
	char id[16], tap[16];

	for (unsigned i = 0; i < VMM_MAX_NETS; i++) {
		snprintf(id, sizeof(id), "eth%u", i);
		snprintf(tap, sizeof(tap), "tap%u", i);
		cr_assert_eq(put_net(id, tap, ""), 204, "%s", rep.body);
	}
	put_net("eth8", "tap8", "");
	expect_fault("at most 8 network interfaces");
	/* Replacing one of the eight still works. */
	cr_assert_eq(put_net("eth7", "tap9", ""), 204, "%s", rep.body);
}

Test(api, net_shares_the_virtio_slots)
{
	PUT("/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/x\",\"is_root_device\":false}");
	for (unsigned i = 0; i < VMM_MAX_VIRTIO - 1; i++) {
		char id[16], tap[16];

		snprintf(id, sizeof(id), "eth%u", i);
		snprintf(tap, sizeof(tap), "tap%u", i);
		cr_assert_eq(put_net(id, tap, ""), 204, "%s", rep.body);
	}
	put_net("eth9", "tap9", "");
	expect_fault("virtio devices");
	PUT("/drives/b", "{\"drive_id\":\"b\",\"path_on_host\":\"/x\",\"is_root_device\":false}");
	expect_fault("virtio devices");
	PUT("/vsock", "{\"guest_cid\":3,\"uds_path\":\"/v\"}");
	expect_fault("virtio devices");
}

Test(api, net_same_tap_or_mac_twice)
{
	cr_assert_eq(put_net("eth0", "tap0", "\"guest_mac\":\"06:00:00:00:00:01\""), 204);
	put_net("eth1", "tap0", "");
	expect_fault("host_dev_name 'tap0' is already used by eth0");
	put_net("eth1", "tap1", "\"guest_mac\":\"06:00:00:00:00:01\"");
	expect_fault("guest_mac is already used by eth0");
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 1);
}

Test(api, net_unknown_fields_refused)
{
	put_net("eth0", "tap0", "\"mtu\":1500");
	expect_fault("unknown field 'mtu'");
	put_net("eth0", "tap0", "\"allow_mmds_requests\":false");
	expect_fault("unknown field 'allow_mmds_requests'");
	put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"bandwith\":{}}");
	expect_fault("rx_rate_limiter: unknown field 'bandwith'");
	put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":1,\"refill_time\":1000,"
		"\"burst\":1}}");
	expect_fault("rx_rate_limiter.bandwidth: unknown field 'burst'");
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 0);
}

Test(api, net_missing_and_mistyped_fields)
{
	PUT("/network-interfaces/eth0", "{\"iface_id\":\"eth0\"}");
	expect_fault("host_dev_name: missing");
	PUT("/network-interfaces/eth0", "{\"host_dev_name\":\"tap0\"}");
	expect_fault("iface_id: missing");
	put_net("eth0", "tap0", "\"guest_mac\":6");
	expect_fault("guest_mac: must be a string");
	put_net("eth0", "tap0", "\"tx_rate_limiter\":[]");
	expect_fault("tx_rate_limiter: must be an object");
	put_net("eth0", "tap0", "\"tx_rate_limiter\":{\"bandwidth\":{\"size\":1}}");
	expect_fault("tx_rate_limiter.bandwidth.refill_time: missing");
	put_net("eth0", "tap0", "\"tx_rate_limiter\":{\"bandwidth\":{\"size\":-1,\"refill_time\":1}}");
	expect_fault("size: must be a non-negative integer");
}

Test(api, net_duplicate_keys_refused)
{
	PUT("/network-interfaces/eth0", "{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\","
	    "\"host_dev_name\":\"tap1\"}");
	expect_fault("invalid JSON");
	put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":1,\"size\":2,"
		"\"refill_time\":1000}}");
	expect_fault("invalid JSON");
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 0);
}

Test(api, net_refused_once_started)
{
	started();
	PUT("/network-interfaces/eth0", NET0);
	expect_fault("PUT /network-interfaces: the VM is Running");
	PATCH("/vm", "{\"state\":\"Paused\"}");
	PUT("/network-interfaces/eth0", NET0);
	expect_fault("PUT /network-interfaces: the VM is Paused");
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 0);
}

Test(api, net_patch_not_offered)
{
	PATCH("/network-interfaces/eth0", "{\"iface_id\":\"eth0\"}");
	expect_fault("unknown path for PATCH");
}

Test(api, rate_limiter_any_refill_time_is_taken)
{
	cr_assert_eq(put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":100,"
			     "\"refill_time\":100}}"), 204, "%s", rep.body);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].rx_limit.bytes, 100, 0, 100);
	/* libratelimit's longest refill time, 2^32 ms. */
	cr_assert_eq(put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":1,"
			     "\"refill_time\":4294967296}}"), 204, "%s", rep.body);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].rx_limit.bytes, 1, 0, 4294967296ull);
}

Test(api, rate_limiter_one_time_burst_is_taken)
{
	cr_assert_eq(put_net("eth0", "tap0", "\"tx_rate_limiter\":{\"bandwidth\":{\"size\":100,"
			     "\"refill_time\":1000,\"one_time_burst\":5000}}"), 204, "%s", rep.body);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].tx_limit.bytes, 100, 5000, 1000);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].rx_limit.bytes, 0, 0, 0);
}

Test(api, rate_limiter_net_ops_are_taken)
{
	cr_assert_eq(put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"ops\":{\"size\":100,"
			     "\"refill_time\":1000}},\"tx_rate_limiter\":{\"bandwidth\":{\"size\":"
			     "65536,\"refill_time\":250},\"ops\":{\"size\":10,\"one_time_burst\":"
			     "20,\"refill_time\":50}}"), 204, "%s", rep.body);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].rx_limit.ops, 100, 0, 1000);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].rx_limit.bytes, 0, 0, 0);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].tx_limit.bytes, 65536, 0, 250);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].tx_limit.ops, 10, 20, 50);
	started();
	expect_bucket(&fake.started.nets[0].tx_limit.ops, 10, 20, 50);
}

Test(api, rate_limiter_zero_is_unlimited)
{
	/* Firecracker's rule and libratelimit's: size 0 or refill_time 0 is no
	 * limit, its burst included; such a bucket is kept as zeros. */
	cr_assert_eq(put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":0,"
			     "\"refill_time\":1000,\"one_time_burst\":9}},\"tx_rate_limiter\":{"
			     "\"bandwidth\":{\"size\":7,\"refill_time\":0},\"ops\":{\"size\":0,"
			     "\"refill_time\":1000}}"), 204, "%s", rep.body);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].rx_limit.bytes, 0, 0, 0);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].tx_limit.bytes, 0, 0, 0);
	expect_bucket(&ctl.vmcfg.cfg.nets[0].tx_limit.ops, 0, 0, 0);
	cr_assert_eq(put_net("eth1", "tap1", "\"rx_rate_limiter\":{}"), 204, "%s", rep.body);
	GET("/vm/config");
	cr_assert(!strstr(rep.body, "rate_limiter"), "no limit is left out: %s", rep.body);
}

Test(api, rate_limiter_size_capped)
{
	put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":281474976710657,"
		"\"refill_time\":1000}}");
	expect_fault("rx_rate_limiter.bandwidth.size=281474976710657: at most 281474976710656");
	cr_assert_eq(put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":"
			     "281474976710656,\"refill_time\":1000}}"), 204, "2^48 fits: %s", rep.body);
}

Test(api, rate_limiter_one_time_burst_capped)
{
	put_net("eth0", "tap0", "\"tx_rate_limiter\":{\"ops\":{\"size\":1,\"refill_time\":1000,"
		"\"one_time_burst\":281474976710657}}");
	expect_fault("tx_rate_limiter.ops.one_time_burst=281474976710657: at most 281474976710656");
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 0);
}

Test(api, rate_limiter_refill_time_capped)
{
	put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"ops\":{\"size\":1,"
		"\"refill_time\":4294967297}}");
	expect_fault("rx_rate_limiter.ops.refill_time=4294967297: at most 4294967296");
}

Test(api, rate_limiter_maxima_apply_to_a_bucket_that_does_not_limit)
{
	/* rlim_init refuses them whatever the size. */
	put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":0,"
		"\"refill_time\":1000,\"one_time_burst\":281474976710657}}");
	expect_fault("one_time_burst=281474976710657: at most");
}

Test(api, drive_rate_limiter_maps_bandwidth_and_ops)
{
	cr_assert_eq(PUT("/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/x\",\"is_root_device\":"
			 "false,\"rate_limiter\":{\"bandwidth\":{\"size\":1048576,\"refill_time\":1000},"
			 "\"ops\":{\"size\":200,\"refill_time\":1000}}}"), 204, "%s", rep.body);
	expect_bucket(&ctl.vmcfg.cfg.blocks[0].limit.bytes, 1048576, 0, 1000);
	expect_bucket(&ctl.vmcfg.cfg.blocks[0].limit.ops, 200, 0, 1000);
	GET("/vm/config");
	cr_assert(strstr(rep.body, "\"rate_limiter\":{\"bandwidth\":{\"size\":1048576,"
			 "\"one_time_burst\":0,\"refill_time\":1000},\"ops\":{\"size\":200,"
			 "\"one_time_burst\":0,\"refill_time\":1000}}"), "%s", rep.body);
	started();
	expect_bucket(&fake.started.blocks[0].limit.ops, 200, 0, 1000);
}

Test(api, drive_rate_limiter_full_buckets)
{
	cr_assert_eq(PUT("/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/x\",\"is_root_device\":"
			 "false,\"rate_limiter\":{\"ops\":{\"size\":10,\"refill_time\":10},"
			 "\"bandwidth\":{\"size\":10,\"refill_time\":1000,\"one_time_burst\":1}}}"),
		     204, "%s", rep.body);
	expect_bucket(&ctl.vmcfg.cfg.blocks[0].limit.ops, 10, 0, 10);
	expect_bucket(&ctl.vmcfg.cfg.blocks[0].limit.bytes, 10, 1, 1000);
	PUT("/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/x\",\"is_root_device\":false,"
	    "\"rate_limiter\":{\"ops\":{\"size\":281474976710657,\"refill_time\":10}}}");
	expect_fault("drive.rate_limiter.ops.size=281474976710657: at most 281474976710656");
	/* The refused PUT left the drive as it was. */
	expect_bucket(&ctl.vmcfg.cfg.blocks[0].limit.ops, 10, 0, 10);
}

Test(api, rate_limiters_shown_whole_in_vm_config)
{
	cr_assert_eq(PUT("/drives/a", "{\"drive_id\":\"a\",\"path_on_host\":\"/x\",\"is_root_device\":"
			 "false,\"rate_limiter\":{\"bandwidth\":{\"size\":4096,\"one_time_burst\":"
			 "65536,\"refill_time\":100}}}"), 204, "%s", rep.body);
	cr_assert_eq(put_net("eth0", "tap0", "\"rx_rate_limiter\":{\"ops\":{\"size\":3,"
			     "\"one_time_burst\":5,\"refill_time\":7}},\"tx_rate_limiter\":{"
			     "\"bandwidth\":{\"size\":100,\"refill_time\":1000},\"ops\":{\"size\":1,"
			     "\"refill_time\":2500}}"), 204, "%s", rep.body);
	cr_assert_eq(GET("/vm/config"), 200);
	cr_assert(strstr(rep.body, "\"rate_limiter\":{\"bandwidth\":{\"size\":4096,"
			 "\"one_time_burst\":65536,\"refill_time\":100}}"), "%s", rep.body);
	cr_assert(strstr(rep.body, "\"rx_rate_limiter\":{\"ops\":{\"size\":3,\"one_time_burst\":5,"
			 "\"refill_time\":7}},\"tx_rate_limiter\":{\"bandwidth\":{\"size\":100,"
			 "\"one_time_burst\":0,\"refill_time\":1000},\"ops\":{\"size\":1,"
			 "\"one_time_burst\":0,\"refill_time\":2500}}"), "%s", rep.body);
}

Test(api, vsock_put_and_get)
{
	cr_assert_eq(PUT("/vsock", "{\"guest_cid\":3,\"uds_path\":\"/tmp/v.sock\"}"), 204, "%s",
		     rep.body);
	cr_assert(ctl.vmcfg.cfg.vsock.enabled);
	cr_assert_eq(ctl.vmcfg.cfg.vsock.guest_cid, 3);
	cr_assert_str_eq(ctl.vmcfg.cfg.vsock.uds_path, "/tmp/v.sock");
	GET("/vm/config");
	cr_assert(strstr(rep.body, "\"vsock\":{\"guest_cid\":3,\"uds_path\":\"/tmp/v.sock\"}"), "%s",
		  rep.body);
	/* A second PUT replaces the one device. */
	cr_assert_eq(PUT("/vsock", "{\"guest_cid\":4294967294,\"uds_path\":\"/w\"}"), 204);
	cr_assert_eq(ctl.vmcfg.cfg.vsock.guest_cid, 4294967294u);
	started();
	cr_assert(fake.started.vsock.enabled);
	cr_assert_str_eq(fake.started.vsock.uds_path, "/w");
}

Test(api, vsock_absent_from_vm_config_until_put)
{
	GET("/vm/config");
	cr_assert(!strstr(rep.body, "vsock"), "%s", rep.body);
	cr_assert(strstr(rep.body, "\"network-interfaces\":[]"), "%s", rep.body);
}

Test(api, vsock_cid_below_three)
{
	for (unsigned cid = 0; cid < 3; cid++) {
		char body[64];

		snprintf(body, sizeof(body), "{\"guest_cid\":%u,\"uds_path\":\"/v\"}", cid);
		PUT("/vsock", body);
		expect_fault("must be 3..4294967294");
	}
	PUT("/vsock", "{\"guest_cid\":4294967295,\"uds_path\":\"/v\"}");
	expect_fault("guest_cid=4294967295");
	PUT("/vsock", "{\"guest_cid\":-3,\"uds_path\":\"/v\"}");
	expect_fault("guest_cid: must be a non-negative integer");
	cr_assert(!ctl.vmcfg.cfg.vsock.enabled);
}

Test(api, vsock_uds_path_length)
{
	char body[256], p[VMM_VSOCK_UDS_MAX + 2];

	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	p[sizeof(p) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"guest_cid\":3,\"uds_path\":\"%s\"}", p);
	PUT("/vsock", body);
	expect_fault("longer than 96 bytes");
	p[sizeof(p) - 2] = '\0';
	snprintf(body, sizeof(body), "{\"guest_cid\":3,\"uds_path\":\"%s\"}", p);
	cr_assert_eq(PUT("/vsock", body), 204, "96 bytes fit: %s", rep.body);
	PUT("/vsock", "{\"guest_cid\":3,\"uds_path\":\"\"}");
	expect_fault("uds_path: empty");
}

Test(api, vsock_id_accepted_and_not_kept)
{
	cr_assert_eq(PUT("/vsock", "{\"vsock_id\":\"vsock0\",\"guest_cid\":5,\"uds_path\":\"/v\"}"),
		     204, "%s", rep.body);
	GET("/vm/config");
	cr_assert(!strstr(rep.body, "vsock_id"), "%s", rep.body);
	PUT("/vsock", "{\"vsock_id\":1,\"guest_cid\":5,\"uds_path\":\"/v\"}");
	expect_fault("vsock_id: must be a string");
}

Test(api, vsock_strict_fields)
{
	PUT("/vsock", "{\"guest_cid\":3,\"uds_path\":\"/v\",\"cid\":3}");
	expect_fault("unknown field 'cid'");
	PUT("/vsock", "{\"uds_path\":\"/v\"}");
	expect_fault("guest_cid: missing");
	PUT("/vsock", "{\"guest_cid\":3}");
	expect_fault("uds_path: missing");
	PUT("/vsock", "{\"guest_cid\":3,\"guest_cid\":4,\"uds_path\":\"/v\"}");
	expect_fault("invalid JSON");
	cr_assert(!ctl.vmcfg.cfg.vsock.enabled);
}

Test(api, vsock_refused_once_started)
{
	started();
	PUT("/vsock", "{\"guest_cid\":3,\"uds_path\":\"/v\"}");
	expect_fault("PUT /vsock: the VM is Running");
	cr_assert(!ctl.vmcfg.cfg.vsock.enabled);
}

Test(api, command_line_devices_get_ids)
{
	static struct vmm_config base;

	vmm_config_init(&base);
	base.nnets = 1;
	strcpy(base.nets[0].tap, "clitap");
	base.nblocks = 1;
	strcpy(base.blocks[0].path, "/cli.img");
	vmm__api_ctl_destroy(&ctl);
	vmm__api_ctl_init(&ctl, &fake_ops, &fake, &base);
	GET("/vm/config");
	cr_assert(strstr(rep.body, "\"iface_id\":\"net0\",\"host_dev_name\":\"clitap\""), "%s",
		  rep.body);
	cr_assert(strstr(rep.body, "\"drive_id\":\"drive0\""), "%s", rep.body);
	/* The API can replace a command-line interface by that id. */
	cr_assert_eq(put_net("net0", "apitap", ""), 204, "%s", rep.body);
	cr_assert_eq(ctl.vmcfg.cfg.nnets, 1);
	cr_assert_str_eq(ctl.vmcfg.cfg.nets[0].tap, "apitap");
}

Test(api, snapshot_load_shows_net_and_vsock)
{
	fake.restored.vcpus = 1;
	fake.restored.mem_mib = 64;
	fake.restored.nnets = 1;
	strcpy(fake.restored.nets[0].tap, "tap7");
	fake.restored.nets[0].tx_limit.bytes.size = 99;
	fake.restored.nets[0].tx_limit.bytes.refill_ms = 1000;
	fake.restored.nets[0].tx_limit.ops =
		(struct vmm_token_bucket){ .size = 4, .one_time_burst = 8, .refill_ms = 16 };
	fake.restored.vsock.enabled = true;
	fake.restored.vsock.guest_cid = 9;
	strcpy(fake.restored.vsock.uds_path, "/v");
	cr_assert_eq(PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}"), 204,
		     "%s", rep.body);
	GET("/vm/config");
	cr_assert(strstr(rep.body, "{\"iface_id\":\"net0\",\"host_dev_name\":\"tap7\","
			 "\"tx_rate_limiter\":{\"bandwidth\":{\"size\":99,\"one_time_burst\":0,"
			 "\"refill_time\":1000},\"ops\":{\"size\":4,\"one_time_burst\":8,"
			 "\"refill_time\":16}}}"),
		  "%s", rep.body);
	cr_assert(strstr(rep.body, "\"vsock\":{\"guest_cid\":9,\"uds_path\":\"/v\"}"), "%s", rep.body);
}

Test(api, snapshot_load_refused_after_net_or_vsock)
{
	cr_assert_eq(PUT("/network-interfaces/eth0", NET0), 204);
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}");
	expect_fault("already configured");
	teardown();
	setup();
	cr_assert_eq(PUT("/vsock", "{\"guest_cid\":3,\"uds_path\":\"/v\"}"), 204);
	PUT("/snapshot/load", "{\"snapshot_path\":\"/s\",\"mem_file_path\":\"/m\"}");
	expect_fault("already configured");
	cr_assert_eq(fake.loads, 0);
}

Test(api, config_file_boot_keeps_the_file_ids)
{
	static const char doc[] = "{\"boot-source\":{\"kernel_image_path\":\"/k\"},"
		"\"drives\":[{\"drive_id\":\"data\",\"path_on_host\":\"/d\",\"is_root_device\":false},"
		"{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r\",\"is_root_device\":true}],"
		"\"network-interfaces\":[{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\"}]}";
	char err[VMM_ERR_MAX];

	/* What vmm_serve() does for --config-file. */
	cr_assert_eq(vmm__config_file_parse(doc, strlen(doc), &ctl.vmcfg, err, sizeof(err)), 0,
		     "%s", err);
	vmm__api_ctl_started(&ctl);
	GET("/");
	cr_assert(strstr(rep.body, "Running"), "%s", rep.body);
	GET("/vm/config");
	cr_assert(strstr(rep.body, "\"drive_id\":\"data\""), "%s", rep.body);
	cr_assert(strstr(rep.body, "\"drive_id\":\"rootfs\",\"path_on_host\":\"/r\","
			 "\"is_root_device\":true"), "%s", rep.body);
	cr_assert(strstr(rep.body, "\"iface_id\":\"eth0\""), "%s", rep.body);
	PUT("/network-interfaces/eth1", "{\"iface_id\":\"eth1\",\"host_dev_name\":\"tap1\"}");
	expect_fault("the VM is Running");
}
