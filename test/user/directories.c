/* Directories: mkdir, files made in it, opendir/readdir (getdents64) list
 * exactly those entries with their types, getcwd follows chdir, rmdir
 * refuses a directory that is not empty and removes an empty one, and the
 * *at calls work relative to a directory descriptor. */
#define TEST_NAME "directories"
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#define NFILES 40

int main(void)
{
	char top[PATH_MAX], cwd[PATH_MAX], name[64];
	CHECK(getcwd(top, sizeof top) != NULL, "getcwd");
	CHECK(top[0] == '/', "getcwd is not absolute: %s", top);

	CHECK_SYS(mkdir("d", 0755));
	CHECK(mkdir("d", 0755) == -1 && errno == EEXIST, "mkdir twice");
	CHECK_SYS(mkdir("d/sub", 0700));
	for (int i = 0; i < NFILES; i++) {
		snprintf(name, sizeof name, "d/file-with-a-longish-name-%02d", i);
		int fd = open(name, O_WRONLY | O_CREAT, 0644);
		CHECK_SYS(fd);
		CHECK_SYS(close(fd));
	}
	CHECK_SYS(symlink("sub", "d/link"));

	/* readdir: ".", "..", sub, link and NFILES files, each once. */
	unsigned char seen[NFILES] = {0};
	int dots = 0, sub = 0, link = 0, total = 0;
	DIR *dir = opendir("d");
	CHECK(dir != NULL, "opendir: %s", strerror(errno));
	struct dirent *e;
	errno = 0;
	while ((e = readdir(dir)) != NULL) {
		int i;
		total++;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			dots++;
		} else if (!strcmp(e->d_name, "sub")) {
			sub++;
			CHECK(e->d_type == DT_DIR || e->d_type == DT_UNKNOWN, "sub: d_type %d",
			      e->d_type);
		} else if (!strcmp(e->d_name, "link")) {
			link++;
			CHECK(e->d_type == DT_LNK || e->d_type == DT_UNKNOWN, "link: d_type %d",
			      e->d_type);
		} else if (sscanf(e->d_name, "file-with-a-longish-name-%d", &i) == 1 && i >= 0 &&
			   i < NFILES) {
			CHECK(!seen[i], "%s listed twice", e->d_name);
			seen[i] = 1;
			CHECK(e->d_type == DT_REG || e->d_type == DT_UNKNOWN, "%s: d_type %d",
			      e->d_name, e->d_type);
		} else {
			FAIL("unexpected entry %s", e->d_name);
		}
	}
	CHECK(errno == 0, "readdir: %s", strerror(errno));
	CHECK_SYS(closedir(dir));
	CHECK(dots == 2 && sub == 1 && link == 1 && total == NFILES + 4,
	      "entries: %d dots, %d sub, %d link, %d in all", dots, sub, link, total);
	for (int i = 0; i < NFILES; i++)
		CHECK(seen[i], "file %d not listed", i);

	/* chdir and getcwd; relative paths follow. */
	CHECK_SYS(chdir("d/sub"));
	CHECK(getcwd(cwd, sizeof cwd) != NULL, "getcwd in d/sub");
	snprintf(name, sizeof name, "/d/sub");
	CHECK(strlen(cwd) == strlen(top) + strlen(name) && !strncmp(cwd, top, strlen(top)) &&
		  !strcmp(cwd + strlen(top), name),
	      "getcwd %s, want %s%s", cwd, top, name);
	CHECK_SYS(access("../file-with-a-longish-name-07", F_OK));
	CHECK_SYS(chdir("../.."));
	CHECK(getcwd(cwd, sizeof cwd) != NULL && !strcmp(cwd, top), "back at %s, want %s", cwd,
	      top);

	/* The *at family relative to a directory descriptor. */
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	CHECK_SYS(dfd);
	int fd = openat(dfd, "sub/inner", O_WRONLY | O_CREAT, 0600);
	CHECK_SYS(fd);
	CHECK(write(fd, "xyz", 3) == 3, "write inner");
	CHECK_SYS(close(fd));
	struct stat st;
	CHECK_SYS(fstatat(dfd, "sub/inner", &st, 0));
	CHECK(st.st_size == 3, "fstatat size %lld", (long long)st.st_size);
	CHECK_SYS(fstatat(dfd, "link", &st, AT_SYMLINK_NOFOLLOW));
	CHECK(S_ISLNK(st.st_mode), "AT_SYMLINK_NOFOLLOW did not see the link");
	CHECK_SYS(fstatat(dfd, "link", &st, 0));
	CHECK(S_ISDIR(st.st_mode), "the link does not lead to the directory");
	char target[16];
	ssize_t n = readlinkat(dfd, "link", target, sizeof target);
	CHECK(n == 3 && !memcmp(target, "sub", 3), "readlinkat gave %zd bytes", n);
	CHECK_SYS(renameat(dfd, "sub/inner", dfd, "inner2"));
	CHECK_SYS(faccessat(dfd, "inner2", R_OK, 0));

	/* rmdir: not while it has entries, then yes. */
	CHECK(rmdir("d/sub") == 0, "rmdir of the emptied sub: %s", strerror(errno));
	CHECK(rmdir("d") == -1 && (errno == ENOTEMPTY || errno == EEXIST), "rmdir non-empty");
	CHECK_SYS(unlinkat(dfd, "inner2", 0));
	CHECK_SYS(unlinkat(dfd, "link", 0));
	for (int i = 0; i < NFILES; i++) {
		snprintf(name, sizeof name, "file-with-a-longish-name-%02d", i);
		CHECK_SYS(unlinkat(dfd, name, 0));
	}
	CHECK_SYS(close(dfd));
	CHECK_SYS(rmdir("d"));
	CHECK(access("d", F_OK) == -1 && errno == ENOENT, "d still there after rmdir");
	PASS();
	return 0;
}
