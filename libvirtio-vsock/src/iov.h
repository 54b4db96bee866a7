/* SPDX-License-Identifier: MIT */
/*
 * Small helpers over iovec arrays whose entries are checked windows on
 * guest memory (built with vmmem_iovec_append): gather the packet header,
 * scatter it back, and cut out the payload part of a chain.
 */
#ifndef VSOCK_SRC_IOV_H
#define VSOCK_SRC_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Copies up to len bytes out of iov; returns the bytes copied. */
size_t vsock__iov_gather(void *dst, const struct iovec *iov, size_t n, size_t len);
/* Copies up to len bytes into iov; returns the bytes copied. */
size_t vsock__iov_scatter(const struct iovec *iov, size_t n, const void *src, size_t len);
/* dst[] = the bytes [skip, skip + limit) of iov[], at most cap entries;
 * returns the entries written. */
size_t vsock__iov_slice(const struct iovec *iov, size_t n, size_t skip, size_t limit,
			struct iovec *dst, size_t cap);

#endif
