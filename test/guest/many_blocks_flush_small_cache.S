# args: --jit-cache 1M --stats
# expect-output: engine=interp|flushes=[1-9]
# The blocks of test/guest/many_blocks.h need more than a 1 MiB code
# buffer, so the translator flushes it again and again while they run
# (the JIT's --stats line must report flushes; the interpreter has none
# to report). The count the blocks keep must still be exact.
#include "guest.h"
#include "many_blocks.h"
