/*
 * Raw images (a flat binary copied to one address, like QEMU's -bios or
 * -kernel with a non-ELF file) and reading whole files into memory.
 */
#include "loader/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int load_raw_image(struct machine *m, const uint8_t *data, size_t size, uint64_t addr,
		   struct load_info *info, char *err, size_t errlen)
{
	if (size == 0) {
		set_err(err, errlen, "empty image");
		return -1;
	}
	/* machine_is_ram() compares sizes, never sums, so a huge addr or size
	 * cannot wrap into RAM. */
	if (!machine_is_ram(m, addr, size)) {
		set_err(err, errlen,
			"image (%zu bytes at 0x%llx) does not fit in RAM (0x%llx-0x%llx)", size,
			(unsigned long long)addr, (unsigned long long)m->ram_base,
			(unsigned long long)(m->ram_base + m->ram_size));
		return -1;
	}
	memcpy(m->ram + (addr - m->ram_base), data, size);
	if (info) {
		info->entry = addr;
		info->low = addr;
		info->high = addr + size;
		info->tohost = 0;
		info->fromhost = 0;
	}
	return 0;
}

/*
 * Read until end of file rather than trusting st_size: the file may be a
 * pipe or /proc entry (size 0), or change while we read it.
 */
uint8_t *load_file(const char *path, size_t *size, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t cap, len = 0;
	int fd;

	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		set_err(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "is a directory");
		goto fail;
	}
	/* Devices such as /dev/zero never end; pipes (process substitution)
	 * and regular files do. */
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		set_err(err, errlen, "not a regular file");
		goto fail;
	}
	/* One spare byte lets a regular file hit EOF without a regrow. */
	cap = S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size < SIZE_MAX - 1
		  ? (size_t)st.st_size + 1
		  : 65536;
	buf = malloc(cap);
	if (!buf) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			uint8_t *nbuf;

			if (cap > SIZE_MAX / 2) {
				set_err(err, errlen, "file too large");
				goto fail;
			}
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				set_err(err, errlen, "out of memory");
				goto fail;
			}
			buf = nbuf;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			set_err(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	*size = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}
