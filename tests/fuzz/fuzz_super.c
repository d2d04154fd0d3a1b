/* libFuzzer: any 4096 bytes (a wrong key decrypts to random ones) against the superblock checks. */
#include <stdint.h>
#include <string.h>

#include "super.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t block[ZC_SUPER_SIZE] = { 0 };
	struct zc_super sb;
	memcpy(block, data, size < sizeof(block) ? size : sizeof(block));
	if (zc_super_decode(block, &sb) == ZC_SUPER_OK) {
		/* What decodes must encode back to the same bytes. */
		uint8_t again[ZC_SUPER_SIZE];
		zc_super_encode(&sb, again);
		if (memcmp(again, block, sizeof(block)))
			__builtin_trap();
	}
	return 0;
}
