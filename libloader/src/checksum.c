// SPDX-License-Identifier: MIT
// The byte checksum shared by ACPI tables (ACPI 6.4 §5.2.6), AML resource
// templates (§6.4.2.9) and the MP table (MP spec 1.4 §4.1): all bytes of
// the structure, the checksum included, sum to zero modulo 256.
#include <loader/acpi.h>

uint8_t loader_acpi_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}
