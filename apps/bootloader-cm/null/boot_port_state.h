/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DFUKIT_BOOT_PORT_STATE_H
#define DFUKIT_BOOT_PORT_STATE_H
#include "dfukit/flash.h"
struct boot_port {
	struct flash_dev flash;
};
#endif
