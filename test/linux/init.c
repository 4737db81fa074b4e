/* rvjit's Linux test init: the first and only user program of the test
 * initramfs (see linux_boot.py). Static, glibc, riscv64-linux-gnu-gcc.
 *
 * It prints "rvjit-init: hello", reports the harts and the ISA from
 * /proc/cpuinfo, reads 32 bytes from /dev/hwrng ("rvjit-init: hwrng 32 bytes", or
 * "hwrng none" without a virtio-rng), mounts /dev/vda (ext2) on /mnt, prints /mnt/from-host.txt,
 * writes /mnt/from-guest.txt, unmounts, prints "rvjit-init: done" and powers
 * off (with rvjit-init.nodisk on the kernel command line it skips the disk). With
 * rvjit-init.net it first sets eth0 to 10.0.2.15/24 (slirp's guest address), listens on TCP
 * port 7, prints "rvjit-init: net listening", takes one connection (the host's, through
 * hostfwd), prints the line it reads as "rvjit-init: net from host: LINE" and answers
 * "guest got: LINE". With rvjit-init.fetch=PORT it fetches a file through a guestfwd
 * (net_fetch), with rvjit-init.tput=PORT,MB it measures TCP both ways (net_throughput).
 * On a hart with
 * Sscofpmf it also samples its own instructions with perf_event_open, which needs the
 * counter-overflow interrupt, and prints "rvjit-init: perf ...".
 * With rvjit-init.powerbutton it opens every /dev/input/event*, prints "rvjit-init: power button
 * waiting" and powers off at the first KEY_POWER press, as systemd-logind does. Any failure prints
 * "rvjit-init: FAIL ..." and powers off too, so the test sees the failure at once instead of a
 * kernel panic or a hang. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <linux/perf_event.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GUEST_LINE "written by rvjit-init on Linux\n"

/*
 * Take eth0 down, when it exists and is up, before powering off, as a
 * distribution's shutdown does. Linux before commit 0d0eff39ceb3
 * ("virtio_ring: fix infinite loop in virtnet_poll_cleantx when device is
 * broken", mainline 2026-08; Debian's 6.1.192 lacks it) can hang at power-off
 * on any machine, QEMU's too: virtio_dev_shutdown marks the queues broken
 * while NAPI on another CPU is freeing transmit buffers, and with one
 * completion not yet collected virtnet_poll_cleantx spins for ever, so RCU
 * stalls and the power-off never comes. The host's flood in
 * linux_net_fetch.py makes that likely. A closed interface has no NAPI.
 */
static void eth0_down(void)
{
	const int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "eth0");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags &= ~IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
			printf("rvjit-init: eth0 down: %s\n", strerror(errno));
	}
	close(s);
}

static void power_off(void)
{
	eth0_down();
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	printf("rvjit-init: FAIL reboot: %s\n", strerror(errno));
	fflush(stdout);
	for (;;)
		pause();
}

static void fail(const char *fmt, ...)
{
	va_list ap;
	printf("rvjit-init: FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (errno %d: %s)\n", errno, strerror(errno));
	power_off();
}

/* The whole of a small file, NUL-terminated, in a static buffer. */
static char *slurp(const char *path)
{
	static char buf[16384];
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		fail("open %s", path);
	while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	return buf;
}

/* Sampling (Sscofpmf): count this process's user-mode instructions with
 * an overflow every PERF_PERIOD of them. Each overflow is a counter-overflow
 * interrupt that the kernel turns into a sample in the ring buffer, so
 * samples there mean the interrupt, the OF bit and the mode filtering
 * (exclude_kernel) worked through the SBI PMU. */
#define PERF_PERIOD 100000
static void perf_sample(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.type = PERF_TYPE_HARDWARE;
	a.size = sizeof a;
	a.config = PERF_COUNT_HW_INSTRUCTIONS;
	a.sample_period = PERF_PERIOD;
	a.sample_type = PERF_SAMPLE_IP;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	const int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0)
		fail("perf_event_open (sampling instructions)");
	const long page = sysconf(_SC_PAGESIZE);
	struct perf_event_mmap_page *meta =
	    mmap(NULL, (size_t)page * 9, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (meta == MAP_FAILED)
		fail("mmap of the perf ring buffer");
	ioctl(fd, PERF_EVENT_IOC_RESET, 0);
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	volatile uint64_t sink = 0;
	for (uint64_t i = 0; i < 2000000; i++)
		sink += i;
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	uint64_t count = 0;
	if (read(fd, &count, sizeof count) != (ssize_t)sizeof count)
		fail("read of the perf counter");
	/* Walk the ring buffer (8 pages after the meta page): samples, and
	 * the other records (throttling, lost samples) counted apart. */
	const uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	const unsigned char *data = (const unsigned char *)meta + page;
	const uint64_t size = (uint64_t)page * 8;
	uint64_t samples = 0, other = 0;
	for (uint64_t at = head > size ? head - size : 0; at < head;) {
		struct perf_event_header hdr;
		memcpy(&hdr, data + at % size, sizeof hdr); /* 8-byte aligned: never wraps */
		if (hdr.size == 0)
			break;
		if (hdr.type == PERF_RECORD_SAMPLE)
			samples++;
		else
			other++;
		at += hdr.size;
	}
	printf("rvjit-init: perf instructions %llu samples %llu other %llu\n",
	       (unsigned long long)count, (unsigned long long)samples, (unsigned long long)other);
	munmap(meta, (size_t)page * 9);
	close(fd);
}

/* A few bytes from the hardware RNG (virtio-rng) when there is one: the
 * hw_random core gives /dev/hwrng whatever the devices, and a read finds
 * ENODEV without one. */
static void hwrng(void)
{
	unsigned char buf[32];
	const int fd = open("/dev/hwrng", O_RDONLY);
	if (fd < 0 && errno == ENOENT) {
		printf("rvjit-init: hwrng none\n");
		return;
	}
	if (fd < 0)
		fail("open /dev/hwrng");
	size_t got = 0;
	while (got < sizeof buf) {
		const ssize_t n = read(fd, buf + got, sizeof buf - got);
		if (n < 0 && errno == ENODEV && got == 0) {
			printf("rvjit-init: hwrng none\n");
			close(fd);
			return;
		}
		if (n <= 0)
			fail("read /dev/hwrng");
		got += (size_t)n;
	}
	close(fd);
	int zeros = 0;
	for (size_t i = 0; i < sizeof buf; i++)
		zeros += buf[i] == 0;
	if (zeros == (int)sizeof buf) {
		errno = 0;
		fail("/dev/hwrng gave only zeros");
	}
	printf("rvjit-init: hwrng %zu bytes\n", got);
}

/* An IPv4 address or netmask of interface `ifname` (SIOCSIFADDR...). */
static void set_if_addr(int s, const char *ifname, unsigned long req, const char *ip)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin->sin_addr);
	if (ioctl(s, req, &ifr) != 0)
		fail("ioctl 0x%lx %s on %s", req, ip, ifname);
}

/* eth0 up as 10.0.2.15/24 (slirp's guest address). */
static void eth0_up(void)
{
	const int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		fail("socket for eth0");
	set_if_addr(s, "eth0", SIOCSIFADDR, "10.0.2.15");
	set_if_addr(s, "eth0", SIOCSIFNETMASK, "255.255.255.0");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "eth0");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		fail("SIOCGIFFLAGS eth0");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		fail("SIOCSIFFLAGS eth0 up");
	close(s);
}

/* One TCP exchange with the host through hostfwd (slirp restrict=on lets
 * only forwarded connections in). */
static void net_check(void)
{
	eth0_up();
	const int l = socket(AF_INET, SOCK_STREAM, 0);
	const int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7)};
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 1) != 0)
		fail("listen on TCP port 7");
	printf("rvjit-init: net listening\n");
	fflush(stdout);
	const int c = accept(l, NULL, NULL);
	if (c < 0)
		fail("accept on TCP port 7");
	char line[256];
	size_t len = 0;
	while (len < sizeof line - 1) {
		const ssize_t n = read(c, line + len, 1);
		if (n <= 0 || line[len] == '\n')
			break;
		len++;
	}
	line[len] = 0;
	printf("rvjit-init: net from host: %s\n", line);
	char reply[300];
	const int rl = snprintf(reply, sizeof reply, "guest got: %s\n", line);
	if (write(c, reply, (size_t)rl) != rl)
		fail("write the reply to the host");
	close(c);
	close(l);
}

/* A TCP connection to ip:port, or -1 when none is made within wait_ms. */
static int connect_within(const char *ip, int port, int wait_ms)
{
	const int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, ip, &a.sin_addr);
	fcntl(c, F_SETFL, O_NONBLOCK);
	if (connect(c, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS)
		return close(c), -1;
	struct pollfd p = {.fd = c, .events = POLLOUT};
	int err = 0;
	socklen_t len = sizeof err;
	if (poll(&p, 1, wait_ms) != 1 || getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		return close(c), -1;
	fcntl(c, F_SETFL, 0);
	return c;
}

/* rvjit-init.fetch=PORT (linux_net_fetch.py): with restrict=on the host's
 * 10.0.2.2:PORT must stay unreachable; the file comes through the guestfwd
 * at 10.0.2.100:80 instead: "GET\n", then "LEN\n" and LEN bytes, whose
 * FNV-1a 64 is printed for the test to compare. */
static void net_fetch(int host_port)
{
	eth0_up();
	const int direct = connect_within("10.0.2.2", host_port, 1500);
	printf("rvjit-init: fetch 10.0.2.2:%d %s\n", host_port,
	       direct >= 0 ? "reachable" : "unreachable");
	const int c = connect_within("10.0.2.100", 80, 10000);
	if (c < 0 || write(c, "GET\n", 4) != 4)
		fail("connect to the guestfwd 10.0.2.100:80");
	static char buf[65536];
	uint64_t want = 0, got = 0, hash = 14695981039346656037ULL;
	for (char ch; read(c, &ch, 1) == 1 && ch != '\n';)
		want = want * 10 + (uint64_t)(ch - '0');
	for (ssize_t n; got < want && (n = read(c, buf, sizeof buf)) > 0; got += (uint64_t)n)
		for (ssize_t i = 0; i < n; i++)
			hash = (hash ^ (uint8_t)buf[i]) * 1099511628211ULL;
	printf("rvjit-init: fetched %llu of %llu bytes, fnv1a64 %016llx\n", (unsigned long long)got,
	       (unsigned long long)want, (unsigned long long)hash);
	close(c);
}

/* rvjit-init.tput=PORT,MB (bench/network.py): host to guest, whatever
 * arrives on TCP port 9 until EOF (answered "got N\n"); then guest to
 * host, MB MiB sent to 10.0.2.2:PORT. */
static void net_throughput(int host_port, int mib)
{
	eth0_up();
	static char buf[65536];
	const int l = socket(AF_INET, SOCK_STREAM, 0);
	const int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 1) != 0)
		fail("listen on TCP port 9");
	printf("rvjit-init: tput listening\n");
	fflush(stdout);
	const int c = accept(l, NULL, NULL);
	unsigned long long got = 0;
	for (ssize_t n; c >= 0 && (n = read(c, buf, sizeof buf)) > 0;)
		got += (unsigned long long)n;
	const int rl = snprintf(buf, sizeof buf, "got %llu\n", got);
	if (c < 0 || write(c, buf, (size_t)rl) != rl)
		fail("host-to-guest transfer");
	close(c);
	close(l);
	const int s = connect_within("10.0.2.2", host_port, 10000);
	if (s < 0)
		fail("connect to 10.0.2.2:%d", host_port);
	memset(buf, 'r', sizeof buf);
	for (unsigned long long left = (unsigned long long)mib << 20; left;) {
		const ssize_t n = write(s, buf, left < sizeof buf ? left : sizeof buf);
		if (n <= 0)
			fail("guest-to-host transfer");
		left -= (unsigned long long)n;
	}
	/* Powering off with bytes still queued would lose them: wait for the
	 * host's EOF, which comes once it has read everything. */
	shutdown(s, SHUT_WR);
	while (read(s, buf, sizeof buf) > 0)
		;
	close(s);
	printf("rvjit-init: tput sent %d MiB\n", mib);
}

/* rvjit-init.powerbutton: wait on every input device for a KEY_POWER
 * press (the monitor's system_powerdown), then power off. */
static void power_button_wait(void)
{
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY)
		fail("mount devtmpfs on /dev");
	struct pollfd fds[8];
	nfds_t n = 0;
	for (int i = 0; i < 8; i++) {
		char path[32], name[128] = "";
		snprintf(path, sizeof path, "/dev/input/event%d", i);
		const int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (ioctl(fd, EVIOCGNAME(sizeof name - 1), name) < 0)
			fail("EVIOCGNAME %s", path);
		printf("rvjit-init: input %s: %s\n", path, name);
		fds[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
	}
	if (n == 0)
		fail("no /dev/input/event*");
	printf("rvjit-init: power button waiting\n");
	fflush(stdout);
	for (;;) {
		if (poll(fds, n, -1) < 0)
			fail("poll /dev/input");
		for (nfds_t i = 0; i < n; i++) {
			struct input_event ev;
			if (!(fds[i].revents & POLLIN))
				continue;
			if (read(fds[i].fd, &ev, sizeof ev) != (ssize_t)sizeof ev)
				fail("read an input event");
			if (ev.type == EV_KEY && ev.code == KEY_POWER && ev.value == 1) {
				printf("rvjit-init: power button pressed\n");
				power_off();
			}
		}
	}
}

int main(void)
{
	printf("rvjit-init: hello\n");
	fflush(stdout);

	mkdir("/proc", 0755);
	if (mount("proc", "/proc", "proc", 0, NULL) != 0 && errno != EBUSY)
		fail("mount /proc");

	/* Harts and ISA. */
	char *cpuinfo = slurp("/proc/cpuinfo");
	int harts = 0;
	char isa[256] = "";
	for (char *line = strtok(cpuinfo, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "processor", 9))
			harts++;
		else if (!strncmp(line, "isa", 3) && !isa[0]) {
			char *v = strchr(line, ':');
			if (v)
				snprintf(isa, sizeof isa, "%s", v + 1 + (v[1] == ' '));
		}
	}
	printf("rvjit-init: harts %d\n", harts);
	printf("rvjit-init: isa %s\n", isa);
	if (!strstr(isa, "rv64imafdc")) {
		errno = 0;
		fail("isa '%s' lacks rv64imafdc", isa);
	}

	if (strstr(isa, "sscofpmf"))
		perf_sample();

	/* A little user-mode floating point. */
	volatile double x = 1.0;
	for (int i = 0; i < 10; i++)
		x = x * 1.5 + 0.25;
	printf("rvjit-init: fp %.6f\n", x);

	if (strstr(slurp("/proc/cmdline"), "rvjit-init.net"))
		net_check();
	const char *mode = strstr(slurp("/proc/cmdline"), "rvjit-init.fetch=");
	if (mode)
		net_fetch(atoi(mode + strlen("rvjit-init.fetch=")));
	int tput_port, tput_mib;
	mode = strstr(slurp("/proc/cmdline"), "rvjit-init.tput=");
	if (mode && sscanf(mode, "rvjit-init.tput=%d,%d", &tput_port, &tput_mib) == 2)
		net_throughput(tput_port, tput_mib);
	if (strstr(slurp("/proc/cmdline"), "rvjit-init.powerbutton"))
		power_button_wait();

	/* A kernel without the virtio drivers built in (Debian's, which has
	 * them as modules) is booted with this, and the test stops here. */
	if (strstr(slurp("/proc/cmdline"), "rvjit-init.nodisk")) {
		printf("rvjit-init: done\n");
		power_off();
	}

	/* /dev: the kernel mounts devtmpfs (DEVTMPFS_MOUNT) only on a disk
	 * root, not on an initramfs, so mount it here. */
	mkdir("/dev", 0755);
	if (access("/dev/vda", F_OK) != 0 && mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 &&
	    errno != EBUSY)
		fail("mount devtmpfs on /dev");

	hwrng();

	mkdir("/mnt", 0755);
	if (mount("/dev/vda", "/mnt", "ext2", 0, NULL) != 0)
		fail("mount /dev/vda on /mnt");
	printf("rvjit-init: from-host: %s", slurp("/mnt/from-host.txt"));

	int fd = open("/mnt/from-guest.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail("create /mnt/from-guest.txt");
	if (write(fd, GUEST_LINE, strlen(GUEST_LINE)) != (ssize_t)strlen(GUEST_LINE))
		fail("write /mnt/from-guest.txt");
	if (fsync(fd) != 0 || close(fd) != 0)
		fail("fsync /mnt/from-guest.txt");
	sync();
	if (umount("/mnt") != 0)
		fail("umount /mnt");

	printf("rvjit-init: done\n");
	power_off();
	return 0;
}
