/* SPDX-License-Identifier: Apache-2.0 */
#include "dfukit/sample/log.h"

#include "dfukit/port/board_log.h"

void sample_log_dfu_event(void *ctx, enum dfu_event event, uint8_t alt)
{
	struct sample_log *log = ctx;
	switch (event) {
	case DFU_EVENT_DETACH:
		board_log("inf", "main", "USBD message: DFU detach");
		log->detach_requested = true;
		break;
	case DFU_EVENT_DNLOAD_STARTED:
		if (log->control_transfers != NULL) {
			log->transfers_at_start = *log->control_transfers;
		}
		board_log("inf", "main", "USBD message: DFU download started (alt %u, %s)", alt,
			  log->alt_names[alt]);
		break;
	case DFU_EVENT_DNLOAD_COMPLETED:
		board_log("inf", "main", "USBD message: DFU download completed");
		if (log->control_transfers != NULL) {
			/* From the first DNLOAD to the GETSTATUS that saw manifestation end. */
			board_log(
				"dbg", "main", "%u bytes, %u control transfers",
				(unsigned)log->dfu->offset,
				(unsigned)(*log->control_transfers - log->transfers_at_start + 1u));
		}
		break;
	case DFU_EVENT_DNLOAD_FAILED:
		board_log("wrn", "main", "USBD message: DFU download failed, status %u",
			  log->dfu->status);
		break;
	case DFU_EVENT_UPLOAD_COMPLETED:
		board_log("inf", "main", "USBD message: DFU upload completed");
		break;
	}
}
