/* SPDX-License-Identifier: MIT */
/* i8042 controller commands (IBM PS/2 technical reference) and shared helpers. */
#ifndef SUPERIO_I8042_INTERNAL_H
#define SUPERIO_I8042_INTERNAL_H

#include <superio/i8042.h>

#define CMD_READ_RAM	0x20u	/* ..0x3f */
#define CMD_WRITE_RAM	0x60u	/* ..0x7f */
#define CMD_PASSWD_TEST	0xa4u
#define CMD_AUX_DISABLE	0xa7u
#define CMD_AUX_ENABLE	0xa8u
#define CMD_AUX_TEST	0xa9u
#define CMD_SELF_TEST	0xaau
#define CMD_KBD_TEST	0xabu
#define CMD_KBD_DISABLE	0xadu
#define CMD_KBD_ENABLE	0xaeu
#define CMD_READ_INPUT	0xc0u
#define CMD_READ_OUTPUT	0xd0u
#define CMD_WRITE_OUTPUT 0xd1u
#define CMD_WRITE_KBD_OBUF 0xd2u
#define CMD_WRITE_AUX_OBUF 0xd3u
#define CMD_WRITE_AUX	0xd4u
#define CMD_READ_TEST	0xe0u
#define CMD_PULSE	0xf0u	/* ..0xff: low nibble = lines to pulse low */

#define SELF_TEST_OK	0x55u
#define IFACE_TEST_OK	0x00u
#define NO_PASSWORD	0xf1u
#define DEVICE_NAK	0xfeu	/* what the controller returns for an absent device */
#define INPUT_PORT	0x80u	/* keyboard not inhibited */
#define OUTPORT_RESET	0x01u	/* active low CPU reset line */
#define OUTPORT_A20	0x02u
#define OUTPORT_POWER_ON (OUTPORT_RESET | OUTPORT_A20)
#define CTR_POWER_ON	(SUPERIO_I8042_CTR_KBDINT | SUPERIO_I8042_CTR_SYS | \
			 SUPERIO_I8042_CTR_AUXDIS | SUPERIO_I8042_CTR_XLATE)
/* Status bits carried per queued byte. */
#define QFLAGS (SUPERIO_I8042_STR_AUXDATA | SUPERIO_I8042_STR_TIMEOUT)

/* True for commands whose parameter is the next data-port write. */
bool superio__i8042_takes_data(uint8_t cmd);
void superio__i8042_update_irq(struct superio_i8042 *k);

#endif
