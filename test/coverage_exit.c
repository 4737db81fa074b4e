/*
 * Coverage builds only (-DRVJIT_COVERAGE=ON): the programs are linked with
 * -Wl,--wrap=_exit, so their calls to _exit come here first. gcov writes
 * its counts at exit(), which _exit skips: rvjit-user leaves that way
 * (user_exit), and so does the translator fuzzer's child that runs the
 * translated program. Without the dump their counts would be lost and
 * test/coverage_report.py would report what they ran as never reached.
 */
#include <gcov.h>

_Noreturn void __real__exit(int status);
_Noreturn void __wrap__exit(int status);

_Noreturn void __wrap__exit(int status)
{
	__gcov_dump();
	__real__exit(status);
}
