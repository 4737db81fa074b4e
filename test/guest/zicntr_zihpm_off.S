# -cpu rv64,zicntr=off,zihpm=off: cycle, time and instret (Zicntr) and
# hpmcounter3..31, mhpmcounter3..31 and mhpmevent3..31 (Zihpm) raise
# illegal-instruction, reads and writes alike, with mtval = the
# instruction's bits; mcycle, minstret and mcountinhibit belong to the
# privileged architecture and stay.
# args: -cpu rv64,zicntr=off,zihpm=off
#include "guest.h"
#include "trap_helpers.h"

GUEST_START
	INSTALL_RECORDERS
	li a0, OFF_MARK
	CHECK_OFF(1, rdcycle a0)
	CHECK_OFF(2, rdtime a0)
	CHECK_OFF(3, rdinstret a0)
	CHECK_OFF(4, csrr a0, hpmcounter3)
	CHECK_OFF(5, csrr a0, hpmcounter31)
	CHECK_OFF(6, csrr a0, mhpmcounter3)
	CHECK_OFF(7, csrr a0, mhpmcounter31)
	CHECK_OFF(8, csrr a0, mhpmevent3)
	CHECK_OFF(9, csrr a0, mhpmevent31)
	CHECK_OFF(10, csrw mhpmcounter3, zero)
	CHECK_OFF(11, csrw mhpmevent3, zero)
	TRY(csrr a1, mcycle; csrr a2, minstret; csrw mcountinhibit, zero)
	CHECK_NO_TRAP(12)
	PASS
	TRAP_RECORDERS
GUEST_DATA
