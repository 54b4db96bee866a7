// SPDX-License-Identifier: MIT
/* Built by tests/check-install.sh against the installed library with
 * nothing but pkg-config: a limiter refuses a second full-size request. */
#include <stdio.h>

#include <rlim/rlim.h>

int main(void)
{
	struct rlim_limiter l;
	struct rlim_config cfg = {
		.bytes = { 1000, 0, 1000 }, .clock = rlim_clock_monotonic,
	};

	if (rlim_init(&l, &cfg) || rlim_consume(&l, 1, 1000) != 0 ||
	    rlim_consume(&l, 1, 1000) == 0)
		return 1;
	printf("libratelimit %s\n", RLIM_VERSION_STRING);
	return 0;
}
