#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cvmm-jailer end to end, as root (jailer/README.md): one CASE per run.
# The static jail-probe stands in for cvmm and reports what it sees inside
# the jail; this script asserts each fact, and that the jail and the cgroup
# are gone afterwards.
# Usage: jail-test.sh CASE JAILER PROBE [STATIC_CVMM]
# Exit 0 pass, 1 fail, 77 skip (with the reason on stdout).
set -uo pipefail
case_=$1 jailer=$2 probe=$3 cvmm=${4:-}
ID=t-$$
JUID=1234 JGID=2345
fail=0
bad() { echo "FAIL: $*"; fail=1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, pivot_root, mknod, cgroups)"
T=$(mktemp -d "${TMPDIR:-/tmp}/cvmm-jail-test.XXXXXX")
chmod 755 "$T"
BASE=$T/base
JAIL=$BASE/jail-probe/$ID/root
dpid=
trap cleanup EXIT
cp "$probe" "$T/jail-probe"

# gone PID: PID has exited (a zombie too: a daemon's new parent may not reap).
gone() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}
wait_gone() { # PID, for up to 10 s
	for _ in $(seq 100); do gone "$1" && return 0; sleep 0.1; done
	return 1
}
# A daemon a failed case left running: stopped before its jail is deleted.
cleanup() {
	if [[ $dpid =~ ^[1-9][0-9]*$ ]] && ! gone "$dpid"; then
		kill -TERM "$dpid"
		wait_gone "$dpid" || { pkill -KILL -P "$dpid"; wait_gone "$dpid"; }
	fi
	rm -rf "$T"
}
# run_jail OUT ERR [jailer options...] -- [probe actions]: exit code in $rc
run_jail() {
	local out=$1 err=$2
	shift 2
	timeout -k 5 60 "$jailer" --id "$ID" --exec-file "$T/jail-probe" --uid $JUID --gid $JGID \
		--chroot-base-dir "$BASE" "$@" >"$out" 2>"$err"
	rc=$?
}
expect_line() { # FILE LINE
	grep -qxF -- "$2" "$1" || bad "expected '$2' in: $(tr '\n' ' ' <"$1")"
}
expect_gone() {
	[ ! -e "$BASE" ] || bad "left behind: $(find "$BASE" | head -5 | tr '\n' ' ')"
}
# A failure: exit CODE, exactly one stderr line matching PATTERN, nothing
# on stdout, nothing made, and no jailer process (nor daemon) left.
expect_fail() {
	local code=$1 pattern=$2
	shift 2
	run_jail "$T/out" "$T/err" "$@"
	[ "$rc" -eq "$code" ] || bad "exit $rc, expected $code"
	[ "$(wc -l <"$T/err")" -eq 1 ] || bad "expected one error line, got: $(cat "$T/err")"
	grep -q -- "$pattern" "$T/err" || bad "error line lacks '$pattern': $(cat "$T/err")"
	[ -s "$T/out" ] && bad "stdout not empty: $(cat "$T/out")"
	pgrep -f -- "--id $ID --exec-file" >/dev/null && bad "a jailer process is left"
	expect_gone
	echo "failed as expected: $(cat "$T/err")"
}
expect_reject() { expect_fail 125 "$@"; }
# start_daemon [jailer options...] -- ACTIONS: runs the jailer with
# --daemonize the way a script would, dpid=$(cvmm-jailer ...); the
# foreground's exit code in $rc, its run time in $ms (milliseconds).
start_daemon() {
	local t0
	t0=$(date +%s%N)
	dpid=$(timeout -k 5 30 "$jailer" --daemonize --id "$ID" --exec-file "$T/jail-probe" \
		--uid $JUID --gid $JGID --chroot-base-dir "$BASE" "$@" 2>"$T/err")
	rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$rc" -eq 0 ] || bad "foreground exit $rc: $(cat "$T/err")"
	[ "$ms" -lt 10000 ] || bad "foreground took $ms ms"
	[ -s "$T/err" ] && bad "foreground stderr: $(cat "$T/err")"
	[[ $dpid =~ ^[1-9][0-9]*$ ]] || { bad "stdout is not one pid: '$dpid'"; dpid=; }
}
# session_of PID: field 6 of /proc/PID/stat (the comm field has no blanks here)
session_of() { awk '{ print $6 }' "/proc/$1/stat" 2>/dev/null; }
# on_devnull PID: fds 0, 1 and 2 are /dev/null
on_devnull() {
	for fd in 0 1 2; do
		[ "$(readlink "/proc/$1/fd/$fd")" = /dev/null ] ||
			bad "pid $1: fd $fd is $(readlink "/proc/$1/fd/$fd")"
	done
}
# The daemon's probe (its grandchild: the daemon's child is the jail's init).
probe_of() {
	local init
	init=$(pgrep -P "$1" | head -1)
	[ -n "$init" ] && pgrep -P "$init" | head -1
}
# start_held [jailer options...] -- ACTIONS... hold: runs the jailer in the
# background with stdin on a fifo (fd 8 holds it open) and waits for the
# probe's "ready"; $jpid is the jailer. finish_held closes stdin and waits;
# the exit code is in $rc.
start_held() {
	mkfifo "$T/in"
	"$jailer" --id "$ID" --exec-file "$T/jail-probe" --uid $JUID --gid $JGID \
		--chroot-base-dir "$BASE" "$@" <"$T/in" >"$T/out" 2>"$T/err" &
	jpid=$!
	exec 8>"$T/in"
	for _ in $(seq 100); do grep -q ready "$T/out" && break; sleep 0.1; done
	grep -q ready "$T/out" || bad "probe not ready: $(cat "$T/err")"
}
finish_held() {
	exec 8>&-
	wait $jpid
	rc=$?
}
have_cgroup2() { # prints the mount point when cpu, memory and pids are there
	local mnt
	mnt=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -1)
	[ -n "$mnt" ] || { echo "no cgroup2 mount in /proc/self/mountinfo"; return 1; }
	for c in cpu memory pids; do
		grep -qw "$c" "$mnt/cgroup.controllers" ||
			{ echo "cgroup2 at $mnt lacks '$c' (has: $(cat "$mnt/cgroup.controllers"))"; return 1; }
	done
	echo "$mnt"
}

case $case_ in
reject-missing-file)
	expect_reject "$T/nope" --file "$T/nope" -- report ;;
reject-exec-not-executable)
	echo data >"$T/notexec"
	chmod 644 "$T/notexec"
	run_jail "$T/out" "$T/err" -- report
	[ "$rc" -eq 0 ] || bad "control run failed: $rc $(cat "$T/err")"
	jailer_exec() { "$jailer" --id "$ID" --exec-file "$1" --uid $JUID --gid $JGID \
		--chroot-base-dir "$BASE" >"$T/out" 2>"$T/err"; rc=$?; }
	jailer_exec "$T/notexec"
	[ "$rc" -eq 125 ] && grep -q 'not a regular executable' "$T/err" || bad "non-executable: $rc $(cat "$T/err")"
	jailer_exec "$T"
	[ "$rc" -eq 125 ] && grep -q 'not a regular executable' "$T/err" || bad "directory: $rc $(cat "$T/err")"
	jailer_exec "$(type -P true)"
	[ "$rc" -eq 125 ] && grep -q 'dynamically linked' "$T/err" || bad "dynamic binary: $rc $(cat "$T/err")"
	expect_gone ;;
reject-uid0)
	"$jailer" --id "$ID" --exec-file "$T/jail-probe" --uid 0 --gid $JGID \
		--chroot-base-dir "$BASE" >"$T/out" 2>"$T/err"
	[ $? -eq 125 ] && grep -q -- '--allow-root' "$T/err" || bad "uid 0 not refused: $(cat "$T/err")"
	expect_gone ;;
reject-bad-id)
	ID=../x expect_reject '--id' -- report ;;
reject-bad-cgroup-key)
	expect_reject 'unknown key' --cgroup cpuset.cpus=0 -- report ;;
reject-foreign-root)
	mkdir -p "$JAIL"
	echo precious >"$JAIL/mine"
	before=$(cd "$BASE" && find . -printf '%p %m %u %s\n' | sort)
	run_jail "$T/out" "$T/err" -- report
	[ "$rc" -eq 125 ] || bad "exit $rc"
	grep -q 'foreign contents' "$T/err" || bad "error: $(cat "$T/err")"
	after=$(cd "$BASE" && find . -printf '%p %m %u %s\n' | sort)
	[ "$before" = "$after" ] || bad "the foreign jail changed: $before / $after"
	[ "$(cat "$JAIL/mine")" = precious ] || bad "foreign file changed" ;;
fail-half-way)
	# Fails after the jail directory is populated: on a cgroup2 without
	# the pids controller when it enables it, elsewhere when the kernel
	# refuses the value. Either way nothing may remain.
	run_jail "$T/out" "$T/err" --file "$T/jail-probe:extra" --cgroup pids.max=bogus -- report
	[ "$rc" -eq 125 ] || bad "exit $rc: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -eq 1 ] || bad "expected one error line: $(cat "$T/err")"
	echo "failed as expected: $(cat "$T/err")"
	expect_gone
	if mnt=$(have_cgroup2); then
		[ ! -e "$mnt/cvmm-jailer/$ID" ] || bad "cgroup $mnt/cvmm-jailer/$ID left"
	fi ;;
isolation)
	echo "host marker" >"$T/marker"
	echo disk >"$T/disk.img"
	chmod 644 "$T/disk.img"
	exec 7<"$T/marker"
	export CVMM_JAIL_SECRET=leak
	run_jail "$T/out" "$T/err" --new-netns --resource-limit nofile=64 --resource-limit fsize=1048576 \
		--file "$T/disk.img:disk" -- report "see=$T/marker" see=/etc/hostname see=/proc/self \
		"see=$T" rw=/disk dev=/dev/kvm dev=/dev/net/tun
	exec 7<&-
	cat "$T/out" "$T/err"
	[ "$rc" -eq 0 ] || bad "exit $rc"
	expect_line "$T/out" "uid=$JUID,$JUID,$JUID"
	expect_line "$T/out" "gid=$JGID,$JGID,$JGID"
	expect_line "$T/out" "groups=0"
	expect_line "$T/out" "pid=2"           # PID namespace, init is 1
	expect_line "$T/out" "ppid=1"
	expect_line "$T/out" "cap_eff=0000000000000000"
	expect_line "$T/out" "cap_prm=0000000000000000"
	expect_line "$T/out" "cap_inh=0000000000000000"
	expect_line "$T/out" "cap_bnd_count=0"
	expect_line "$T/out" "cap_amb_count=0"
	expect_line "$T/out" "no_new_privs=1"
	expect_line "$T/out" "rlimit_nofile=64,64"
	expect_line "$T/out" "rlimit_fsize=1048576,1048576"
	expect_line "$T/out" "fds=0,1,2"       # fd 7 of the caller is gone
	expect_line "$T/out" "root=dev,disk,jail-probe,run"
	expect_line "$T/out" "hostname=$ID"    # UTS namespace
	expect_line "$T/out" "netifs=lo"       # a new network namespace
	expect_line "$T/out" "see:$T/marker=0"
	expect_line "$T/out" "see:/etc/hostname=0"
	expect_line "$T/out" "see:/proc/self=0"
	expect_line "$T/out" "see:$T=0"
	expect_line "$T/out" "rw:/disk=0"
	expect_line "$T/out" "dev:/dev/kvm=10:232:0660:$JUID:$JGID"
	expect_line "$T/out" "dev:/dev/net/tun=absent"
	[ -s "$T/err" ] && bad "stderr: $(cat "$T/err")"
	[ "$(stat -c %u:%g "$T/disk.img")" = 0:0 ] || bad "linked disk's owner not restored"
	expect_gone ;;
environment)
	# The probe has no env dump; a shell-less check: the jail gets an empty
	# environment, seen from the host while the probe holds.
	CVMM_JAIL_SECRET=leak start_held -- hold
	ppid=$(pgrep -f -x "/jail-probe hold" | head -1)
	[ -n "$ppid" ] || bad "probe process not found"
	[ -n "$ppid" ] && { [ -s "/proc/$ppid/environ" ] && bad "environment: $(tr '\0' ' ' <"/proc/$ppid/environ")"; }
	[ -n "$ppid" ] && grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$ppid/status" || bad "host view: no_new_privs"
	[ -n "$ppid" ] && grep -q '^CapBnd:[[:space:]]*0000000000000000' "/proc/$ppid/status" || bad "host view: CapBnd"
	[ -n "$ppid" ] && grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$ppid/status" || bad "host view: CapEff"
	finish_held
	[ "$rc" -eq 0 ] || bad "exit $rc"
	expect_gone ;;
namespaces)
	# Seen from the host: the probe's mount, PID, IPC and UTS namespaces are
	# new ones, and its network namespace is the one --netns named.
	touch "$T/netns"
	unshare --net="$T/netns" true || skip "cannot make a persistent network namespace"
	start_held --netns "$T/netns" -- hold
	ppid=$(pgrep -f -x "/jail-probe hold" | head -1)
	for ns in mnt pid ipc uts; do
		[ -n "$ppid" ] && [ "$(readlink "/proc/$ppid/ns/$ns")" != "$(readlink "/proc/$$/ns/$ns")" ] ||
			bad "$ns namespace is the host's"
	done
	want="net:[$(stat -c %i "$T/netns")]"
	[ -n "$ppid" ] && [ "$(readlink "/proc/$ppid/ns/net")" = "$want" ] ||
		bad "net namespace $(readlink "/proc/$ppid/ns/net"), expected $want"
	finish_held
	umount "$T/netns"
	[ "$rc" -eq 0 ] || bad "exit $rc"
	expect_gone ;;
reject-netns-not-ns)
	echo x >"$T/notns"
	expect_reject 'not a namespace file' --netns "$T/notns" -- report ;;
tun)
	run_jail "$T/out" "$T/err" -- --net dev=/dev/net/tun
	[ "$rc" -eq 0 ] || bad "exit $rc $(cat "$T/err")"
	expect_line "$T/out" "dev:/dev/net/tun=10:200:0660:$JUID:$JGID"
	expect_gone ;;
copy-other-fs)
	shm=$(mktemp /dev/shm/cvmm-jail-disk.XXXXXX)
	echo disk >"$shm"
	chmod 644 "$shm"
	[ "$(stat -c %d "$shm")" != "$(stat -c %d "$T")" ] || { rm -f "$shm"; skip "/dev/shm is on the same file system"; }
	run_jail "$T/out" "$T/err" --file "$shm:disk" -- rw=/disk
	[ "$rc" -eq 0 ] || bad "exit $rc $(cat "$T/err")"
	expect_line "$T/out" "rw:/disk=0"
	[ "$(stat -c %u:%g "$shm")" = 0:0 ] || bad "the source was chowned"
	rm -f "$shm"
	expect_gone ;;
exit-code)
	run_jail "$T/out" "$T/err" -- exit=7
	[ "$rc" -eq 7 ] || bad "exit $rc, expected 7"
	expect_gone ;;
sigkill)
	run_jail "$T/out" "$T/err" -- kill
	[ "$rc" -eq 137 ] || bad "exit $rc, expected 137 (128+SIGKILL)"
	grep -q still-alive "$T/out" && bad "SIGKILL did not kill the probe"
	expect_gone ;;
sigsegv)
	run_jail "$T/out" "$T/err" -- segv
	[ "$rc" -eq 139 ] || bad "exit $rc, expected 139 (128+SIGSEGV)"
	expect_gone ;;
sigterm-forwarded)
	start_held -- hold
	kill -TERM $jpid
	# Bounded: if the signal is lost, closing stdin ends the probe (exit 0).
	for _ in $(seq 100); do kill -0 $jpid 2>/dev/null || break; sleep 0.1; done
	finish_held
	[ "$rc" -eq 143 ] || bad "exit $rc, expected 143 (the probe died of the forwarded SIGTERM)"
	expect_gone ;;
cgroup)
	mnt=$(have_cgroup2) || skip "$mnt"
	start_held --cgroup pids.max=4 --cgroup memory.max=67108864 \
		--cgroup "cpu.max=50000 100000" -- forks hold
	cat "$T/out" "$T/err"
	cg=$mnt/cvmm-jailer/$ID
	[ "$(cat "$cg/pids.max" 2>&1)" = 4 ] || bad "pids.max: $(cat "$cg/pids.max" 2>&1)"
	[ "$(cat "$cg/memory.max" 2>&1)" = 67108864 ] || bad "memory.max: $(cat "$cg/memory.max" 2>&1)"
	[ "$(cat "$cg/cpu.max" 2>&1)" = "50000 100000" ] || bad "cpu.max: $(cat "$cg/cpu.max" 2>&1)"
	procs=$(cat "$cg/cgroup.procs" 2>/dev/null | wc -l)
	[ "$procs" -eq 2 ] || bad "cgroup.procs has $procs processes, expected init and the probe"
	for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do
		grep -qx "0::/cvmm-jailer/$ID" "/proc/$p/cgroup" || bad "pid $p: $(cat "/proc/$p/cgroup")"
	done
	# init + probe are 2 of 4: two more forks, then EAGAIN
	expect_line "$T/out" "forks=2,EAGAIN"
	finish_held
	[ "$rc" -eq 0 ] || bad "exit $rc"
	[ ! -e "$cg" ] || bad "cgroup $cg left behind"
	expect_gone ;;
daemonize)
	# The foreground returns the daemon's pid while the probe runs; the
	# daemon is a session leader on /dev/null without the caller's fds,
	# and removes the jail and the cgroup when the probe exits.
	cg=()
	if mnt=$(have_cgroup2); then cg=(--cgroup pids.max=8); else echo "no cgroup part: $mnt"; mnt=; fi
	echo marker >"$T/marker"
	exec 7<"$T/marker"
	start_daemon "${cg[@]}" -- pause
	exec 7<&-
	[ -n "$dpid" ] || exit 1
	echo "daemon $dpid: $(tr '\0' ' ' <"/proc/$dpid/cmdline")"
	gone "$dpid" && bad "the daemon is not running"
	[ "$(session_of "$dpid")" = "$dpid" ] || bad "not a session leader: session $(session_of "$dpid")"
	on_devnull "$dpid"
	[ "$(readlink "/proc/$dpid/cwd")" = / ] || bad "cwd $(readlink "/proc/$dpid/cwd")"
	for f in /proc/"$dpid"/fd/*; do
		[ "$(readlink "$f")" = "$T/marker" ] && bad "the daemon kept the caller's fd ${f##*/}"
	done
	probe=$(probe_of "$dpid")
	if [ -n "$probe" ]; then
		[ "$(tr '\0' ' ' <"/proc/$probe/cmdline")" = "/jail-probe pause " ] ||
			bad "the daemon's grandchild is $(tr '\0' ' ' <"/proc/$probe/cmdline")"
		on_devnull "$probe"
		[ "$(session_of "$probe")" = "$dpid" ] || bad "probe in session $(session_of "$probe")"
	else
		bad "no probe under the daemon"
	fi
	[ -d "$JAIL" ] || bad "no jail while the probe runs"
	[ -z "$mnt" ] || [ -d "$mnt/cvmm-jailer/$ID" ] || bad "no cgroup while the probe runs"
	[ -n "$probe" ] && kill -USR1 "$probe"     # the probe exits 0
	wait_gone "$dpid" || bad "the daemon still runs after the probe exited"
	[ -n "$probe" ] && ! gone "$probe" && bad "the probe still runs"
	[ -z "$mnt" ] || [ ! -e "$mnt/cvmm-jailer/$ID" ] || bad "cgroup $mnt/cvmm-jailer/$ID left behind"
	expect_gone ;;
daemonize-sigterm)
	start_daemon -- pause
	[ -n "$dpid" ] || exit 1
	probe=$(probe_of "$dpid")
	[ -n "$probe" ] || bad "no probe under the daemon"
	kill -TERM "$dpid"
	# Forwarded, the probe dies; were the daemon killed instead, the jail
	# would stay, and were the signal lost, the daemon would.
	wait_gone "$dpid" || bad "the daemon still runs after SIGTERM"
	[ -n "$probe" ] && ! gone "$probe" && bad "the probe survived SIGTERM"
	expect_gone ;;
daemonize-crash)
	# The probe dies of SIGSEGV right after its exec, maybe before the
	# foreground has returned: still a pid and exit 0, then the clean-up.
	start_daemon -- segv
	[ -n "$dpid" ] || exit 1
	wait_gone "$dpid" || bad "the daemon still runs after the probe crashed"
	expect_gone ;;
daemonize-reject)
	# Checked before the fork: the foreground's own line.
	expect_reject "$T/nope" --daemonize --file "$T/nope" -- pause
	# Failed inside the jail's init (above fs.nr_open, even root gets
	# EPERM): the daemon's line, relayed by the foreground after the
	# daemon removed the jail. The same without --daemonize.
	expect_reject 'nofile=99999999999' --daemonize --resource-limit nofile=99999999999 -- pause
	expect_reject 'nofile=99999999999' --resource-limit nofile=99999999999 -- pause ;;
daemonize-exec-fail)
	# An ELF file the validation accepts but the kernel cannot run: the
	# machine field (offset 18) says SPARC (EM_SPARC, 2).
	printf '\x02' | dd of="$T/jail-probe" bs=1 seek=18 conv=notrunc status=none
	expect_fail 126 'exec /jail-probe in the jail' -- pause
	expect_fail 126 'exec /jail-probe in the jail' --daemonize -- pause ;;
static-cvmm)
	[ -n "$cvmm" ] || skip "no static cvmm in this build"
	cp "$cvmm" "$T/cvmm"
	"$jailer" --id "$ID" --exec-file "$T/cvmm" --uid $JUID --gid $JGID --chroot-base-dir "$BASE" \
		-- --version >"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/out" "$T/err"
	[ "$rc" -eq 0 ] || bad "exit $rc"
	grep -q '^libvmm ' "$T/out" && grep -q '^libloader ' "$T/out" || bad "no version lines"
	[ ! -e "$BASE/cvmm/$ID" ] || bad "jail left"
	expect_gone ;;
*)
	echo "unknown case $case_"
	exit 2 ;;
esac
[ $fail -eq 0 ] && echo "PASS $case_"
exit $fail
