# expect-exit: 42
# A program ends the run through HTIF tohost with (code << 1) | 1; rvjit
# exits with that code.
#include "guest.h"
GUEST_START
	li a0, 42
	j guest_exit
GUEST_DATA
