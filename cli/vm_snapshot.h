/*
 * QEMU's savevm, loadvm, delvm and `info snapshots` over a running board
 * (cli/vm_snapshot.c): the machine state goes into the VM state area of the
 * first drive that can hold snapshots, and every such drive gets a disk
 * snapshot of the same name (devices/disk_snapshot.h). The monitor's
 * commands and -loadvm call these. Errors are QEMU 7.2's messages, written
 * into err without its "Error: " prefix; -1 then.
 */
#ifndef RVJIT_VM_SNAPSHOT_H
#define RVJIT_VM_SNAPSHOT_H

#include <stddef.h>

struct virt_board;

/* savevm [name]: NULL or "" names it vm-YYYYMMDDHHMMSS; a snapshot of that
 * name is replaced. The harts stay stopped while it is written. */
int vm_snapshot_save(struct virt_board *b, const char *name, char *err, size_t errlen);

/* loadvm name (also -loadvm): the disks and the machine go back to the
 * snapshot. A VM state rvjit cannot read (QEMU's, another version's,
 * another machine's) is refused before anything changes. */
int vm_snapshot_load(struct virt_board *b, const char *name, char *err, size_t errlen);

/* delvm name: from every drive that has it (QEMU says nothing when none
 * does). */
int vm_snapshot_delete(struct virt_board *b, const char *name, char *err, size_t errlen);

/* info snapshots, as QEMU prints it: malloc'd text. */
char *vm_snapshot_info(struct virt_board *b);

#endif
