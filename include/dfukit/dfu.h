/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB DFU 1.1 class: run-time mode (DETACH) and DFU mode (download, upload,
 * manifestation) with the full state machine of the specification's
 * appendix A. Storage is reached only through struct dfu_backend_ops, one
 * backend per alternate setting, so RAM, flash slots and others plug in
 * without the class knowing which.
 */
#ifndef DFUKIT_DFU_H
#define DFUKIT_DFU_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/usbd.h"

#define DFU_INTERFACE_CLASS      0xfeu
#define DFU_INTERFACE_SUBCLASS   0x01u
#define DFU_PROTOCOL_RUNTIME     0x01u
#define DFU_PROTOCOL_DFU         0x02u
#define DFU_FUNCTIONAL_DESC_TYPE 0x21u
#define DFU_FUNCTIONAL_DESC_LEN  9u

/* The DFU_GETSTATUS reply (DFU 1.1 6.1.2); bwPollTimeout is 24 bits, little-endian. */
#define DFU_STATUS_bStatus       0u
#define DFU_STATUS_bwPollTimeout 1u
#define DFU_STATUS_bState        4u
#define DFU_STATUS_iString       5u
#define DFU_STATUS_LEN           6u

/* bmAttributes of the functional descriptor */
#define DFU_ATTR_CAN_DNLOAD             0x01u
#define DFU_ATTR_CAN_UPLOAD             0x02u
#define DFU_ATTR_MANIFESTATION_TOLERANT 0x04u
#define DFU_ATTR_WILL_DETACH            0x08u

enum dfu_request {
	DFU_DETACH = 0,
	DFU_DNLOAD = 1,
	DFU_UPLOAD = 2,
	DFU_GETSTATUS = 3,
	DFU_CLRSTATUS = 4,
	DFU_GETSTATE = 5,
	DFU_ABORT = 6,
};

enum dfu_state {
	DFU_STATE_APP_IDLE = 0,
	DFU_STATE_APP_DETACH = 1,
	DFU_STATE_IDLE = 2,
	DFU_STATE_DNLOAD_SYNC = 3,
	DFU_STATE_DNBUSY = 4,
	DFU_STATE_DNLOAD_IDLE = 5,
	DFU_STATE_MANIFEST_SYNC = 6,
	DFU_STATE_MANIFEST = 7,
	DFU_STATE_MANIFEST_WAIT_RESET = 8,
	DFU_STATE_UPLOAD_IDLE = 9,
	DFU_STATE_ERROR = 10,
};

enum dfu_status {
	DFU_STATUS_OK = 0x00,
	DFU_STATUS_ERR_TARGET = 0x01,
	DFU_STATUS_ERR_FILE = 0x02,
	DFU_STATUS_ERR_WRITE = 0x03,
	DFU_STATUS_ERR_ERASE = 0x04,
	DFU_STATUS_ERR_CHECK_ERASED = 0x05,
	DFU_STATUS_ERR_PROG = 0x06,
	DFU_STATUS_ERR_VERIFY = 0x07,
	DFU_STATUS_ERR_ADDRESS = 0x08,
	DFU_STATUS_ERR_NOTDONE = 0x09,
	DFU_STATUS_ERR_FIRMWARE = 0x0a,
	DFU_STATUS_ERR_VENDOR = 0x0b,
	DFU_STATUS_ERR_USBR = 0x0c,
	DFU_STATUS_ERR_POR = 0x0d,
	DFU_STATUS_ERR_UNKNOWN = 0x0e,
	DFU_STATUS_ERR_STALLEDPKT = 0x0f,
};

/*
 * Storage behind one alternate setting. All hooks are optional except those
 * the alternate's capabilities need (write for download, read for upload).
 * Errors are negative errno values and become DFU status codes:
 *   -ENOSPC, -EFBIG, -ERANGE -> errADDRESS   -EIO       -> errWRITE
 *   -ENOTEMPTY               -> errCHECK_ERASED            -EFAULT -> errERASE
 *   -EILSEQ                  -> errVERIFY    -EBADMSG   -> errFILE
 *   -EPROTO                  -> errPROG      -ENODATA   -> errNOTDONE
 *   -EACCES                  -> errTARGET    -EPIPE     -> errSTALLEDPKT
 *   anything else            -> errUNKNOWN
 */
struct dfu_backend_ops {
	/* A download is starting at offset 0. */
	int (*dnload_begin)(void *ctx);
	/*
	 * Store one DNLOAD block of len (> 0) bytes at offset: the bytes the
	 * device counted before it in this download. block_num is the
	 * request's wBlockNum as the host sent it; it wraps after 65535 blocks,
	 * so a plain backend stores by offset only (DfuSe addresses by it).
	 * May start work that poll() reports on.
	 *
	 * data is the class's block buffer, and the backend may go on reading
	 * it after write returns (dfu_flash programs from it): the class puts
	 * nothing else there (the next DNLOAD or UPLOAD block) until poll() has
	 * returned 0 after this write, or abort() was called. A backend without
	 * poll() must be done with data when write returns.
	 */
	int (*write)(void *ctx, uint32_t offset, const uint8_t *data, uint16_t len,
		     uint16_t block_num);
	/*
	 * Progress of the last write or of manifestation: 0 when done,
	 * -EINPROGRESS with *poll_ms set to the time still needed, or the error
	 * the operation ended with.
	 */
	int (*poll)(void *ctx, uint32_t *poll_ms);
	/* All blocks received (total bytes); start manifestation. */
	int (*manifest)(void *ctx, uint32_t total);
	/*
	 * Fill data with up to len bytes of an UPLOAD block: at offset, the
	 * bytes sent before it in this upload (block_num as for write). Returns
	 * the bytes read; fewer than len (0 included) ends the upload.
	 */
	int (*read)(void *ctx, uint32_t offset, uint8_t *data, uint16_t len, uint16_t block_num);
	/* Drop an unfinished download or upload. */
	void (*abort)(void *ctx);
};

struct dfu_alt {
	const struct dfu_backend_ops *ops;
	void *ctx;
};

enum dfu_event {
	DFU_EVENT_DETACH, /* run-time mode: host asked to switch to DFU mode */
	DFU_EVENT_DNLOAD_STARTED,
	DFU_EVENT_DNLOAD_COMPLETED, /* manifestation finished successfully */
	DFU_EVENT_DNLOAD_FAILED,
	DFU_EVENT_UPLOAD_COMPLETED,
};

struct dfu_config {
	uint8_t attributes; /* DFU_ATTR_* */
	uint16_t detach_timeout_ms;
	uint16_t transfer_size; /* wTransferSize, 64..4096; the size of buffer */
	uint8_t *buffer;        /* one block; caller-owned, transfer_size bytes */
	const struct dfu_alt *alts;
	uint8_t num_alts;
	/* Notifications for the application, e.g. to reboot after DETACH. */
	void (*event)(void *app, enum dfu_event event, uint8_t alt);
	void *app;
};

struct dfu_class {
	struct usbd_class base;
	const struct dfu_config *cfg;
	enum dfu_state state;
	enum dfu_status status;
	uint8_t alt;
	uint32_t offset;  /* next byte of the download/upload, counted by the device */
	uint32_t poll_ms; /* bwPollTimeout of the last GETSTATUS */
	bool manifest_started;
	uint8_t reply[DFU_STATUS_LEN];
};

/*
 * Validate cfg and set the class up in DFU mode (protocol 2, one alternate
 * per backend) or in run-time mode (protocol 1: alts, num_alts and buffer
 * unused). &dfu->base is the class to name as the DFU interface's owner in
 * the configuration's owners table (struct usbd_config_desc).
 */
int dfu_init(struct dfu_class *dfu, const struct dfu_config *cfg);
int dfu_runtime_init(struct dfu_class *dfu, const struct dfu_config *cfg);

/*
 * The functional descriptor (DFU 1.1 table 4.2, bcdDFUVersion 1.1) that
 * follows each DFU interface descriptor: bytes for a static array, or
 * written at run time by dfu_functional_desc().
 */
#define DFU_FUNCTIONAL_DESC(attributes, detach_timeout_ms, transfer_size)                          \
	DFU_FUNCTIONAL_DESC_LEN, DFU_FUNCTIONAL_DESC_TYPE, (attributes),                           \
		USBD_LE16(detach_timeout_ms), USBD_LE16(transfer_size), USBD_LE16(0x0110u)

static inline void dfu_functional_desc(uint8_t out[DFU_FUNCTIONAL_DESC_LEN], uint8_t attributes,
				       uint16_t detach_timeout_ms, uint16_t transfer_size)
{
	const uint8_t desc[] = {DFU_FUNCTIONAL_DESC(attributes, detach_timeout_ms, transfer_size)};
	for (unsigned i = 0; i < DFU_FUNCTIONAL_DESC_LEN; i++) {
		out[i] = desc[i];
	}
}

/* Errno value to DFU status (see struct dfu_backend_ops). */
enum dfu_status dfu_status_from_errno(int err);

#endif /* DFUKIT_DFU_H */
