/* SPDX-License-Identifier: MIT */
/*
 * iovec helpers of <iov.h>.  The iovecs point into guest memory through
 * windows libvmmem checked when the chain was collected, so plain memcpy
 * within their lengths is in bounds.
 */
#include <string.h>

#include "iov.h"

size_t vsock__iov_gather(void *dst, const struct iovec *iov, size_t n, size_t len)
{
	size_t done = 0;

	for (size_t i = 0; i < n && done < len; i++) {
		size_t k = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;

		memcpy((char *)dst + done, iov[i].iov_base, k);
		done += k;
	}
	return done;
}

size_t vsock__iov_scatter(const struct iovec *iov, size_t n, const void *src, size_t len)
{
	size_t done = 0;

	for (size_t i = 0; i < n && done < len; i++) {
		size_t k = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;

		memcpy(iov[i].iov_base, (const char *)src + done, k);
		done += k;
	}
	return done;
}

size_t vsock__iov_slice(const struct iovec *iov, size_t n, size_t skip, size_t limit,
			struct iovec *dst, size_t cap)
{
	size_t out = 0;

	for (size_t i = 0; i < n && limit && out < cap; i++) {
		size_t len = iov[i].iov_len;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		len -= skip;
		if (len > limit)
			len = limit;
		dst[out].iov_base = (char *)iov[i].iov_base + skip;
		dst[out++].iov_len = len;
		limit -= len;
		skip = 0;
	}
	return out;
}
