# Thousands of distinct blocks (test/guest/many_blocks.h), run several
# times: with the default code buffer they are all translated once and
# chained; the count they keep must be exact.
#include "guest.h"
#include "many_blocks.h"
