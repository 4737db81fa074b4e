/* libFuzzer front end of one input harness (HARNESS, set by CMake). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return HARNESS(data, size);
}
