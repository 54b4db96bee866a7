# SPDX-License-Identifier: MIT
# Sourced by the scripts that take packages from bookworm-backports
# (fetch-debian-kernel.sh, tests/nested/fetch-l0-qemu.sh) without changing
# /etc/apt or the system's package lists: a private apt configuration under
# ${CVMM_CACHE:-$HOME/.cache/cvmm}/apt/bookworm-backports/ with its own
# sources file, lists and caches, and the system's keyring.
# The sourcing script defines die MESSAGE and lock (an exclusive flock on
# its cache's lock, held until it exits).

# Options given to every apt-get and apt-cache call: none for bookworm (the
# system's own apt configuration), the private ones of use_backports_apt for
# bookworm-backports.
apt_opts=()
apt_dir=

# Points apt_opts at a private configuration that sees bookworm-backports
# only.  The system's preferences are left out too: a pin there could hide
# the backports candidate.
use_backports_apt() {
	local mirror=${CVMM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg line tmp
	[ -f "$keyring" ] || die "$keyring missing; install Debian package debian-archive-keyring"
	apt_dir=${CVMM_CACHE:-$HOME/.cache/cvmm}/apt/bookworm-backports
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache"
	line="deb [signed-by=$keyring] $mirror bookworm-backports main"
	# Written by rename, so a concurrent reader never sees half a file.
	if [ "$(cat "$apt_dir/sources.list" 2>/dev/null)" != "$line" ]; then
		tmp=$(mktemp "$apt_dir/.sources.XXXXXX")
		{ echo "$line" >"$tmp" && chmod 644 "$tmp" && mv -f "$tmp" "$apt_dir/sources.list"; } ||
			{ rm -f "$tmp"; die "cannot write $apt_dir/sources.list"; }
	fi
	apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
		-o APT::Update::Error-Mode=any)
}

# Backports moves to newer packages every few weeks and the mirror then drops
# the old ones, so the private lists are refreshed once they are a day old.
# A failed refresh keeps the old lists: packages already cached for them
# still work offline.
refresh_backports_lists() {
	local stamp=$apt_dir/lists/.updated
	[ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ] && return 0
	lock
	[ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ] && return 0
	if apt-get "${apt_opts[@]}" update -qq >/dev/null 2>"$apt_dir/update.log"; then
		touch "$stamp"
	fi
}
