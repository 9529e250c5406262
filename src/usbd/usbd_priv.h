/* SPDX-License-Identifier: Apache-2.0 */
/* The usbd sources' shared reading of a configuration descriptor. */
#ifndef DFUKIT_USBD_PRIV_H
#define DFUKIT_USBD_PRIV_H

#include "dfukit/usbd.h"
#include "dfukit/wire.h"

static inline unsigned num_interfaces(const uint8_t *cfg)
{
	return cfg[USB_CFG_bNumInterfaces];
}

/* One past the configuration's last byte (wTotalLength). */
static inline const uint8_t *config_end(const uint8_t *cfg)
{
	return cfg + wire_get_le16(cfg + USB_CFG_wTotalLength);
}

#endif /* DFUKIT_USBD_PRIV_H */
