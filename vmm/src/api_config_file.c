// SPDX-License-Identifier: MIT
// --config-file: read, parse and apply (api_config_file.h).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_config_file.h"

/* Messages echo names and values from the file, which may hold escaped
 * control characters: keep them one printable line. */
static int one_line(char *err, int r)
{
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return r;
}

int vmm__config_file_parse(const void *buf, size_t len, struct vmm__vmcfg *v,
			   char *err, size_t errlen)
{
	json_t *doc;
	int r = vmm__json_parse_object(buf, len, &doc, err, errlen);

	if (r)
		return one_line(err, r);
	r = vmm__vmcfg_apply_file(v, doc, err, errlen);
	json_decref(doc);
	return r ? one_line(err, r) : 0;
}

/* Reads all of fd (a regular file no larger than the cap) into *out. */
static int read_small(int fd, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > VMM__CONFIG_FILE_MAX)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO;
		}
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	return 0;
}

int vmm__config_file_load(const char *path, struct vmm__vmcfg *v, char *err,
			  size_t errlen)
{
	char msg[VMM_ERR_MAX], *buf = NULL;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	r = fd < 0 ? -errno : read_small(fd, &buf, &len);
	if (fd >= 0)
		close(fd);
	if (r) {
		snprintf(err, errlen, "--config-file %s: %s", path,
			 r == -EFBIG ? "larger than 1 MiB" :
			 r == -EINVAL ? "not a regular file" : strerror(-r));
		return r;
	}
	r = vmm__config_file_parse(buf, len, v, msg, sizeof(msg));
	free(buf);
	if (r)
		snprintf(err, errlen, "--config-file %s: %s", path, msg);
	return r;
}
