/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DFU sample's console account of a DFU session, shared by its
 * host-native and Cortex-M firmware: the "USBD message: ..." lines (users and
 * the end-to-end tests read them) through board_log.h, and the DETACH request
 * that the firmware's main loop acts on. Pass sample_log_dfu_event as the
 * sample's event callback (sample_params.event) with the struct as its app.
 */
#ifndef DFUKIT_SAMPLE_LOG_H
#define DFUKIT_SAMPLE_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/dfu.h"

struct sample_log {
	const struct dfu_class *dfu;  /* the session: bytes so far, status */
	const char *const *alt_names; /* per alternate, as the log names it */
	/*
	 * Optional: the device's count of control transfers (the vudc's); when
	 * set, a completed download also logs how many transfers it took.
	 */
	const uint32_t *control_transfers;
	uint32_t transfers_at_start;
	bool detach_requested; /* set on DETACH; the firmware clears it once acted on */
};

void sample_log_dfu_event(void *log, enum dfu_event event, uint8_t alt);

#endif /* DFUKIT_SAMPLE_LOG_H */
