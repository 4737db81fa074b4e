/* File I/O through glibc as a guest program uses it: open, write, read,
 * lseek (SEEK_SET/CUR/END and a hole), pread/pwrite at offsets, ftruncate,
 * fstat and stat (glibc's stat is statx or newfstatat on riscv64: the
 * structure must come back converted), O_APPEND, rename and unlink. Runs in
 * the current directory (the runner gives it a fresh one). */
#define TEST_NAME "file_io"
#include "check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void check_stat_size(const char *path, off_t size)
{
	struct stat st;
	CHECK_SYS(stat(path, &st));
	CHECK(st.st_size == size, "stat(%s).st_size = %lld, want %lld", path, (long long)st.st_size,
	      (long long)size);
	CHECK(S_ISREG(st.st_mode), "stat(%s) is not a regular file (mode %o)", path,
	      (unsigned)st.st_mode);
}

int main(void)
{
	char buf[256];
	const char text[] = "hello, riscv64 user mode\n";
	const size_t len = sizeof text - 1;

	int fd = open("a.txt", O_RDWR | O_CREAT | O_EXCL, 0640);
	CHECK_SYS(fd);
	CHECK(write(fd, text, len) == (ssize_t)len, "short write");
	CHECK(lseek(fd, 0, SEEK_CUR) == (off_t)len, "file offset after write");
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek SEEK_SET");
	CHECK(read(fd, buf, sizeof buf) == (ssize_t)len, "read back the whole file");
	CHECK(memcmp(buf, text, len) == 0, "read back different bytes");
	CHECK(read(fd, buf, sizeof buf) == 0, "read at end of file is not 0");

	/* A hole: write 1 byte at 1 MiB; the bytes between read as zeros. */
	CHECK(lseek(fd, 1 << 20, SEEK_SET) == 1 << 20, "lseek past the end");
	CHECK(write(fd, "Z", 1) == 1, "write after the hole");
	CHECK(lseek(fd, 0, SEEK_END) == (1 << 20) + 1, "SEEK_END after the hole");
	CHECK(lseek(fd, -2, SEEK_END) == (1 << 20) - 1, "negative SEEK_END");
	CHECK(read(fd, buf, 2) == 2 && buf[0] == 0 && buf[1] == 'Z', "hole then Z");

	/* pread/pwrite at offsets leave the file offset alone. */
	off_t before = lseek(fd, 100, SEEK_SET);
	CHECK(before == 100, "lseek to 100");
	CHECK(pwrite(fd, "ABCDEFGH", 8, 4096) == 8, "pwrite at 4096");
	CHECK(pread(fd, buf, 8, 4096) == 8 && memcmp(buf, "ABCDEFGH", 8) == 0, "pread at 4096");
	CHECK(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0, "pread at 0");
	CHECK(lseek(fd, 0, SEEK_CUR) == 100, "pread/pwrite moved the file offset");

	/* fstat agrees with what was written; ftruncate shrinks and grows. */
	struct stat st;
	CHECK_SYS(fstat(fd, &st));
	CHECK(st.st_size == (1 << 20) + 1, "fstat size %lld", (long long)st.st_size);
	CHECK((st.st_mode & 07777) == 0640, "mode %o, want 640", (unsigned)(st.st_mode & 07777));
	CHECK(st.st_nlink == 1, "st_nlink %lu", (unsigned long)st.st_nlink);
	CHECK(st.st_uid == getuid() && st.st_gid == getgid(), "owner %u:%u", (unsigned)st.st_uid,
	      (unsigned)st.st_gid);
	CHECK(st.st_blksize > 0, "st_blksize %ld", (long)st.st_blksize);
	CHECK(st.st_mtime > 1600000000, "st_mtime %lld is not a recent time",
	      (long long)st.st_mtime);
	CHECK_SYS(ftruncate(fd, 10));
	check_stat_size("a.txt", 10);
	CHECK_SYS(ftruncate(fd, 20000));
	check_stat_size("a.txt", 20000);
	CHECK(pread(fd, buf, 20, 5) == 20, "pread across the truncated end");
	CHECK(memcmp(buf, ", ri", 4) == 0 && buf[5] == 0 && buf[19] == 0,
	      "ftruncate kept 10 bytes then zeros");
	CHECK_SYS(close(fd));

	/* stat of the inode and of the same path agree (st_ino, st_dev). */
	struct stat st2;
	CHECK_SYS(stat("a.txt", &st));
	CHECK_SYS(lstat("a.txt", &st2));
	CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev, "stat and lstat disagree");

	/* O_APPEND writes at the end whatever the offset. */
	fd = open("a.txt", O_WRONLY | O_APPEND);
	CHECK_SYS(fd);
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek on O_APPEND");
	CHECK(write(fd, "END", 3) == 3, "append");
	CHECK_SYS(close(fd));
	check_stat_size("a.txt", 20003);

	/* rename moves the inode; the old name is gone. */
	CHECK_SYS(rename("a.txt", "b.txt"));
	CHECK(access("a.txt", F_OK) == -1 && errno == ENOENT, "a.txt still there after rename");
	CHECK_SYS(stat("b.txt", &st2));
	CHECK(st2.st_ino == st.st_ino, "rename changed the inode");
	fd = open("b.txt", O_RDONLY);
	CHECK_SYS(fd);
	CHECK(pread(fd, buf, 3, 20000) == 3 && memcmp(buf, "END", 3) == 0, "appended bytes");
	CHECK_SYS(close(fd));

	/* Errors come back as -1 with errno set. */
	CHECK(open("b.txt", O_RDWR | O_CREAT | O_EXCL, 0600) == -1 && errno == EEXIST,
	      "O_EXCL on an existing file");
	CHECK(open("no/such/file", O_RDONLY) == -1 && errno == ENOENT, "ENOENT");
	CHECK(read(1000, buf, 1) == -1 && errno == EBADF, "EBADF");
	CHECK_SYS(unlink("b.txt"));
	CHECK(stat("b.txt", &st) == -1 && errno == ENOENT, "b.txt still there after unlink");

	/* stdio on top of it all. */
	FILE *f = fopen("c.txt", "w+");
	CHECK(f != NULL, "fopen");
	for (int i = 0; i < 1000; i++)
		fprintf(f, "line %d\n", i);
	rewind(f);
	int n = 0;
	while (fgets(buf, sizeof buf, f)) {
		int v;
		CHECK(sscanf(buf, "line %d", &v) == 1 && v == n, "line %d reads back as %s", n,
		      buf);
		n++;
	}
	CHECK(n == 1000, "read %d lines", n);
	CHECK(fclose(f) == 0, "fclose");
	CHECK_SYS(unlink("c.txt"));
	PASS();
	return 0;
}
