/*
 * Host helper of test/qcow2_snapshot_crash.sh: one internal snapshot
 * operation of devices/disk_snapshot.h on a qcow2 image, as a process the
 * test can kill at any system call.
 *
 *   qcow2_snapshot_tool create IMG NAME   (with a 100 KiB VM state)
 *   qcow2_snapshot_tool goto IMG TAG
 *   qcow2_snapshot_tool delete IMG TAG
 *
 * Exit status 0, or 1 with the reason on stderr.
 */
#include "devices/block.h"
#include "devices/disk_snapshot.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: qcow2_snapshot_tool create|goto|delete IMG TAG\n");
		return 2;
	}
	char err[256];
	struct block_dev *d = disk_open(argv[2], "qcow2", false, false, true, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "%s: %s\n", argv[2], err);
		return 1;
	}
	int r = 0;
	if (!strcmp(argv[1], "create")) {
		static unsigned char vm[100 << 10];
		memset(vm, 0x5a, sizeof(vm));
		struct disk_snapshot sn = {.vm_state_size = sizeof(vm), .icount = UINT64_MAX};
		snprintf(sn.name, sizeof(sn.name), "%s", argv[3]);
		r = disk_vmstate_write(d, 0, vm, sizeof(vm));
		if (!r)
			r = disk_snapshot_create(d, &sn);
	} else if (!strcmp(argv[1], "goto")) {
		r = disk_snapshot_goto(d, argv[3]);
	} else if (!strcmp(argv[1], "delete")) {
		r = disk_snapshot_delete(d, argv[3]);
	} else {
		fprintf(stderr, "qcow2_snapshot_tool: unknown operation %s\n", argv[1]);
		r = 1;
	}
	if (r < 0)
		fprintf(stderr, "%s %s: %s\n", argv[1], argv[3], strerror(-r));
	block_close(d);
	return r ? 1 : 0;
}
