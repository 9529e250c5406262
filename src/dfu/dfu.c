/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB DFU 1.1 class. The state machine follows the specification's
 * appendix A: a request that is not valid in the current state STALLs and
 * (in DFU mode) enters dfuERROR with errSTALLEDPKT; CLRSTATUS leaves it.
 *
 * Time-driven transitions (dfuDNBUSY -> dfuDNLOAD-SYNC after bwPollTimeout,
 * dfuMANIFEST -> next state) are taken lazily: when the next request
 * arrives the backend is polled, and the state advances if the operation it
 * was waiting for has finished.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dfukit/dfu.h"
#include "dfukit/wire.h"

#define DFU_MIN_TRANSFER 64u
#define DFU_MAX_TRANSFER 4096u /* Linux usbfs caps control transfers here */

static struct dfu_class *to_dfu(struct usbd_class *cls)
{
	return (struct dfu_class *)(void *)cls;
}

enum dfu_status dfu_status_from_errno(int err)
{
	/* errno -> status pairs (see struct dfu_backend_ops); a table is smaller than a switch. */
	static const uint8_t map[][2] = {
		{0, DFU_STATUS_OK},
		{ENOSPC, DFU_STATUS_ERR_ADDRESS},
		{EFBIG, DFU_STATUS_ERR_ADDRESS},
		{ERANGE, DFU_STATUS_ERR_ADDRESS},
		{EIO, DFU_STATUS_ERR_WRITE},
		{EFAULT, DFU_STATUS_ERR_ERASE},
		{ENOTEMPTY, DFU_STATUS_ERR_CHECK_ERASED},
		{EILSEQ, DFU_STATUS_ERR_VERIFY},
		{EBADMSG, DFU_STATUS_ERR_FILE},
		{EPROTO, DFU_STATUS_ERR_PROG},
		{ENODATA, DFU_STATUS_ERR_NOTDONE},
		{EACCES, DFU_STATUS_ERR_TARGET},
		{EPIPE, DFU_STATUS_ERR_STALLEDPKT},
	};
	_Static_assert(ENOSPC < 256 && EFBIG < 256 && ERANGE < 256 && EIO < 256 && EFAULT < 256 &&
			       ENOTEMPTY < 256 && EILSEQ < 256 && EBADMSG < 256 && EPROTO < 256 &&
			       ENODATA < 256 && EACCES < 256 && EPIPE < 256,
		       "errno values fit the table's bytes");

	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (err == -(int)map[i][0]) {
			return (enum dfu_status)map[i][1];
		}
	}
	return DFU_STATUS_ERR_UNKNOWN;
}

static const struct dfu_alt *cur_alt(const struct dfu_class *dfu)
{
	return &dfu->cfg->alts[dfu->alt];
}

static void notify(struct dfu_class *dfu, enum dfu_event event)
{
	if (dfu->cfg->event != NULL) {
		dfu->cfg->event(dfu->cfg->app, event, dfu->alt);
	}
}

static void backend_abort(struct dfu_class *dfu)
{
	const struct dfu_alt *alt = cur_alt(dfu);
	if (alt->ops->abort != NULL) {
		alt->ops->abort(alt->ctx);
	}
}

#define STATE_BIT(s) (1u << (s))
#define DOWNLOAD_STATES                                                                            \
	(STATE_BIT(DFU_STATE_DNLOAD_SYNC) | STATE_BIT(DFU_STATE_DNBUSY) |                          \
	 STATE_BIT(DFU_STATE_DNLOAD_IDLE) | STATE_BIT(DFU_STATE_MANIFEST_SYNC) |                   \
	 STATE_BIT(DFU_STATE_MANIFEST))

static bool state_in(enum dfu_state s, uint32_t set)
{
	return ((set >> (unsigned)s) & 1u) != 0;
}

static bool transfer_in_progress(enum dfu_state s)
{
	return state_in(s, DOWNLOAD_STATES | STATE_BIT(DFU_STATE_UPLOAD_IDLE));
}

static void enter_error(struct dfu_class *dfu, enum dfu_status status)
{
	if (transfer_in_progress(dfu->state)) {
		backend_abort(dfu);
	}
	bool was_download = state_in(dfu->state, DOWNLOAD_STATES);
	dfu->state = DFU_STATE_ERROR;
	dfu->status = status;
	dfu->poll_ms = 0;
	if (was_download) {
		notify(dfu, DFU_EVENT_DNLOAD_FAILED);
	}
}

/* A backend error: dfuERROR with the status the errno maps to. */
static void backend_failed(struct dfu_class *dfu, int err)
{
	enter_error(dfu, dfu_status_from_errno(err));
}

/* A request not valid in this state: STALL, and record it where the spec says so. */
static int refuse(struct dfu_class *dfu)
{
	if (dfu->state != DFU_STATE_ERROR && dfu->state != DFU_STATE_MANIFEST_WAIT_RESET) {
		enter_error(dfu, DFU_STATUS_ERR_STALLEDPKT);
	}
	return -EPROTO;
}

/*
 * The transitions of a state that waits for the backend (a block being
 * written, manifestation), taken when a request arrives. GETSTATUS drives
 * them (dfuDNLOAD-SYNC -> dfuDNBUSY or dfuDNLOAD-IDLE, dfuMANIFEST-SYNC ->
 * dfuMANIFEST or on) and learns bwPollTimeout; any other request only sees
 * a finished dfuDNBUSY / dfuMANIFEST end, as time would have ended it.
 */
static void take_time(struct dfu_class *dfu, bool getstatus)
{
	enum dfu_state st = dfu->state;
	bool busy = st == DFU_STATE_DNBUSY || st == DFU_STATE_MANIFEST;
	bool dnload = st == DFU_STATE_DNBUSY || st == DFU_STATE_DNLOAD_SYNC;
	bool tolerant = (dfu->cfg->attributes & DFU_ATTR_MANIFESTATION_TOLERANT) != 0;
	const struct dfu_alt *alt = cur_alt(dfu);
	uint32_t poll_ms = 0;
	int rc = 0;

	dfu->poll_ms = 0;
	if (!busy && !(getstatus && (dnload || st == DFU_STATE_MANIFEST_SYNC))) {
		return;
	}
	if (st == DFU_STATE_MANIFEST_SYNC && !dfu->manifest_started) {
		dfu->manifest_started = true;
		if (alt->ops->manifest != NULL) {
			rc = alt->ops->manifest(alt->ctx, dfu->offset);
		}
	}
	if (rc == 0 && alt->ops->poll != NULL) {
		rc = alt->ops->poll(alt->ctx, &poll_ms);
	}
	if (rc == -EINPROGRESS) {
		if (getstatus) {
			dfu->state = dnload ? DFU_STATE_DNBUSY : DFU_STATE_MANIFEST;
			dfu->poll_ms = poll_ms > 0xffffffu ? 0xffffffu : poll_ms;
		}
	} else if (rc != 0) {
		backend_failed(dfu, rc);
	} else if (dnload) {
		dfu->state = getstatus ? DFU_STATE_DNLOAD_IDLE : DFU_STATE_DNLOAD_SYNC;
	} else if (tolerant ? getstatus : busy) {
		/* Manifestation is over: a tolerant device is ready for more. */
		dfu->state = tolerant ? DFU_STATE_IDLE : DFU_STATE_MANIFEST_WAIT_RESET;
		notify(dfu, DFU_EVENT_DNLOAD_COMPLETED);
	} else {
		/* Tolerant: back to dfuMANIFEST-SYNC; otherwise report dfuMANIFEST once. */
		dfu->state = tolerant ? DFU_STATE_MANIFEST_SYNC : DFU_STATE_MANIFEST;
	}
}

/* The GETSTATUS reply from the current status, bwPollTimeout and state. */
static int reply_status(struct dfu_class *dfu, struct usbd_ctrl_reply *r)
{
	dfu->reply[DFU_STATUS_bStatus] = (uint8_t)dfu->status;
	wire_put_le24(dfu->reply + DFU_STATUS_bwPollTimeout, dfu->poll_ms);
	dfu->reply[DFU_STATUS_bState] = (uint8_t)dfu->state;
	dfu->reply[DFU_STATUS_iString] = 0;
	r->in_data = dfu->reply;
	r->in_len = DFU_STATUS_LEN;
	return 0;
}

static int reply_state(struct dfu_class *dfu, struct usbd_ctrl_reply *r)
{
	dfu->reply[0] = (uint8_t)dfu->state;
	r->in_data = dfu->reply;
	r->in_len = 1;
	return 0;
}

/*
 * Requests must carry the direction the spec gives them. Per request: the
 * direction (WF_IN / WF_OUT), wLength == 0 (WF_L0), wValue == 0 (WF_V0),
 * wLength <= wTransferSize (WF_XFER) and the smallest wLength (bits 5-7).
 */
#define WF_OUT        0x01u
#define WF_IN         0x02u
#define WF_L0         0x04u
#define WF_V0         0x08u
#define WF_XFER       0x10u
#define WF_MIN_LEN(n) ((n) << 5)

static bool well_formed(const struct dfu_class *dfu, const struct usbd_setup *s)
{
	static const uint8_t rules[] = {
		[DFU_DETACH] = WF_OUT | WF_L0,
		[DFU_DNLOAD] = WF_OUT | WF_XFER,
		[DFU_UPLOAD] = WF_IN | WF_XFER | WF_MIN_LEN(1u),
		[DFU_GETSTATUS] = WF_IN | WF_V0 | WF_MIN_LEN(6u),
		[DFU_CLRSTATUS] = WF_OUT | WF_L0,
		[DFU_GETSTATE] = WF_IN | WF_V0 | WF_MIN_LEN(1u),
		[DFU_ABORT] = WF_OUT | WF_L0,
	};
	if (s->bRequest >= sizeof(rules)) {
		return false;
	}
	unsigned f = rules[s->bRequest];
	unsigned dir = (s->bmRequestType & USB_REQTYPE_DIR_IN) ? WF_IN : WF_OUT;
	return (f & dir) != 0 && !((f & WF_L0) && s->wLength != 0) &&
	       !((f & WF_V0) && s->wValue != 0) && s->wLength >= (f >> 5) &&
	       !((f & WF_XFER) && s->wLength > dfu->cfg->transfer_size);
}

/*
 * The states each (well-formed) request is valid in, from the spec's state
 * tables (DFU 1.1 appendix A). dfuMANIFEST-WAIT-RESET answers nothing;
 * dfuDNBUSY and dfuMANIFEST only GETSTATUS: the spec STALLs it there too
 * (the host did not wait bwPollTimeout), but a host whose clock runs a
 * little fast would lose its download, so it is answered with the time
 * still needed.
 */
static bool valid_in_state(const struct dfu_class *dfu, uint8_t request)
{
#define ALL_BUT_WAIT_RESET (0x7ffu & ~STATE_BIT(DFU_STATE_MANIFEST_WAIT_RESET))
	static const uint16_t states[] = {
		[DFU_DETACH] = 0, /* a run-time request */
		[DFU_DNLOAD] = STATE_BIT(DFU_STATE_IDLE) | STATE_BIT(DFU_STATE_DNLOAD_IDLE),
		[DFU_UPLOAD] = STATE_BIT(DFU_STATE_IDLE) | STATE_BIT(DFU_STATE_UPLOAD_IDLE),
		[DFU_GETSTATUS] = ALL_BUT_WAIT_RESET,
		[DFU_CLRSTATUS] = STATE_BIT(DFU_STATE_ERROR),
		[DFU_GETSTATE] = ALL_BUT_WAIT_RESET &
				 ~(STATE_BIT(DFU_STATE_DNBUSY) | STATE_BIT(DFU_STATE_MANIFEST)),
		[DFU_ABORT] = STATE_BIT(DFU_STATE_IDLE) | STATE_BIT(DFU_STATE_DNLOAD_IDLE) |
			      STATE_BIT(DFU_STATE_UPLOAD_IDLE),
	};
#undef ALL_BUT_WAIT_RESET
	return state_in(dfu->state, states[request]);
}

static int dnload_request(struct dfu_class *dfu, const struct usbd_setup *s,
			  struct usbd_ctrl_reply *r)
{
	if (!(dfu->cfg->attributes & DFU_ATTR_CAN_DNLOAD)) {
		return refuse(dfu);
	}
	if (s->wLength == 0) {
		/* End of download; a zero-length first block means nothing to do. */
		if (dfu->state != DFU_STATE_DNLOAD_IDLE) {
			return refuse(dfu);
		}
		dfu->state = DFU_STATE_MANIFEST_SYNC;
		dfu->manifest_started = false;
		return 0;
	}
	r->out_buf = dfu->cfg->buffer;
	return 0;
}

static int upload_request(struct dfu_class *dfu, const struct usbd_setup *s,
			  struct usbd_ctrl_reply *r)
{
	const struct dfu_alt *alt = cur_alt(dfu);

	if (!(dfu->cfg->attributes & DFU_ATTR_CAN_UPLOAD) || alt->ops->read == NULL) {
		return refuse(dfu);
	}
	if (dfu->state == DFU_STATE_IDLE) {
		dfu->offset = 0;
	}
	int n = alt->ops->read(alt->ctx, dfu->offset, dfu->cfg->buffer, s->wLength, s->wValue);
	if (n < 0 || n > s->wLength) {
		enter_error(dfu, dfu_status_from_errno(n < 0 ? n : -EIO));
		return -EIO;
	}
	dfu->offset += (uint32_t)n;
	/* A short reply, zero-length included, tells the host the upload is over. */
	if (n < s->wLength) {
		dfu->state = DFU_STATE_IDLE;
		notify(dfu, DFU_EVENT_UPLOAD_COMPLETED);
	} else {
		dfu->state = DFU_STATE_UPLOAD_IDLE;
	}
	r->in_data = dfu->cfg->buffer;
	r->in_len = (uint16_t)n;
	return 0;
}

static int dfu_mode_request(struct dfu_class *dfu, const struct usbd_setup *s,
			    struct usbd_ctrl_reply *r)
{
	take_time(dfu, s->bRequest == DFU_GETSTATUS);
	if (!valid_in_state(dfu, s->bRequest)) {
		return refuse(dfu);
	}
	switch (s->bRequest) {
	case DFU_GETSTATUS: return reply_status(dfu, r);
	case DFU_GETSTATE: return reply_state(dfu, r);
	case DFU_CLRSTATUS:
		dfu->state = DFU_STATE_IDLE;
		dfu->status = DFU_STATUS_OK;
		return 0;
	case DFU_ABORT:
		if (dfu->state != DFU_STATE_IDLE) {
			backend_abort(dfu);
		}
		dfu->state = DFU_STATE_IDLE;
		return 0;
	case DFU_DNLOAD: return dnload_request(dfu, s, r);
	default: /* UPLOAD: DETACH is valid in run-time mode only */
		return upload_request(dfu, s, r);
	}
}

static bool is_class_iface(const struct usbd_setup *s)
{
	return (s->bmRequestType & (USB_REQTYPE_TYPE_MASK | USB_REQTYPE_RECIPIENT_MASK)) ==
	       (USB_REQTYPE_CLASS | USB_REQTYPE_INTERFACE);
}

static int dfu_control(struct usbd_class *cls, const struct usbd_setup *s,
		       struct usbd_ctrl_reply *r)
{
	struct dfu_class *dfu = to_dfu(cls);

	if (!is_class_iface(s)) {
		return -ENOTSUP;
	}
	return well_formed(dfu, s) ? dfu_mode_request(dfu, s, r) : refuse(dfu);
}

static int dfu_control_out_done(struct usbd_class *cls, const struct usbd_setup *s, uint16_t len)
{
	struct dfu_class *dfu = to_dfu(cls);
	const struct dfu_alt *alt = cur_alt(dfu);
	int rc = 0;

	if (s->bRequest != DFU_DNLOAD || len == 0) {
		return -EPROTO;
	}
	if (dfu->state == DFU_STATE_IDLE) {
		dfu->offset = 0;
		if (alt->ops->dnload_begin != NULL) {
			rc = alt->ops->dnload_begin(alt->ctx);
		}
		notify(dfu, DFU_EVENT_DNLOAD_STARTED);
	}
	/*
	 * The block lands at the offset the device counted, never at one derived
	 * from wBlockNum, which wraps after 65535 blocks. (wBlockNum goes along
	 * for DfuSe, where it is an address by definition.)
	 */
	if (rc == 0 && dfu->offset > UINT32_MAX - len) {
		rc = -EFBIG;
	}
	if (rc == 0) {
		const uint8_t *data = dfu->cfg->buffer;
		rc = alt->ops->write != NULL
			     ? alt->ops->write(alt->ctx, dfu->offset, data, len, s->wValue)
			     : -ENOTSUP;
	}
	/* Errors surface in the next GETSTATUS, as the spec's dfuDNLOAD-SYNC says. */
	dfu->state = DFU_STATE_DNLOAD_SYNC;
	if (rc < 0) {
		backend_failed(dfu, rc);
		return 0;
	}
	dfu->offset += len;
	return 0;
}

static int dfu_set_alt(struct usbd_class *cls, uint8_t iface, uint8_t alt)
{
	struct dfu_class *dfu = to_dfu(cls);
	(void)iface;

	if (alt >= dfu->cfg->num_alts) {
		return -EINVAL;
	}
	/* Selecting an alternate ends any transfer on the previous one. */
	if (transfer_in_progress(dfu->state)) {
		backend_abort(dfu);
		dfu->state = DFU_STATE_IDLE;
	}
	dfu->alt = alt;
	dfu->offset = 0;
	return 0;
}

static void dfu_reset(struct usbd_class *cls)
{
	struct dfu_class *dfu = to_dfu(cls);

	if (transfer_in_progress(dfu->state)) {
		backend_abort(dfu);
	}
	dfu->state = DFU_STATE_IDLE;
	dfu->status = DFU_STATUS_OK;
}

static const struct usbd_class_ops dfu_class_ops = {
	.control = dfu_control,
	.control_out_done = dfu_control_out_done,
	.set_alt = dfu_set_alt,
	.reset = dfu_reset,
};

/*
 * Run-time mode (DFU 1.1 appendix A.1): appIDLE and appDETACH only. A class
 * of its own, so a firmware that never enters one of the modes links none of
 * that mode's code.
 */
static int runtime_control(struct usbd_class *cls, const struct usbd_setup *s,
			   struct usbd_ctrl_reply *r)
{
	struct dfu_class *dfu = to_dfu(cls);

	if (!is_class_iface(s)) {
		return -ENOTSUP;
	}
	if (well_formed(dfu, s)) {
		switch (s->bRequest) {
		case DFU_GETSTATUS: return reply_status(dfu, r);
		case DFU_GETSTATE: return reply_state(dfu, r);
		case DFU_DETACH:
			if (dfu->state == DFU_STATE_APP_IDLE) {
				dfu->state = DFU_STATE_APP_DETACH;
				return 0;
			}
			break;
		default: break;
		}
	}
	/* Refused: appDETACH falls back to appIDLE, appIDLE stays. */
	dfu->state = DFU_STATE_APP_IDLE;
	return -EPROTO;
}

static void runtime_control_done(struct usbd_class *cls, const struct usbd_setup *s)
{
	struct dfu_class *dfu = to_dfu(cls);

	if (s->bRequest == DFU_DETACH && dfu->state == DFU_STATE_APP_DETACH) {
		notify(dfu, DFU_EVENT_DETACH);
	}
}

static int runtime_set_alt(struct usbd_class *cls, uint8_t iface, uint8_t alt)
{
	(void)iface;
	to_dfu(cls)->state = DFU_STATE_APP_IDLE;
	return alt == 0 ? 0 : -EINVAL;
}

static void runtime_reset(struct usbd_class *cls)
{
	to_dfu(cls)->state = DFU_STATE_APP_IDLE;
}

static const struct usbd_class_ops dfu_runtime_ops = {
	.control = runtime_control,
	.control_done = runtime_control_done,
	.set_alt = runtime_set_alt,
	.reset = runtime_reset,
};

static int check_transfer_size(const struct dfu_config *cfg)
{
	return cfg->transfer_size < DFU_MIN_TRANSFER || cfg->transfer_size > DFU_MAX_TRANSFER
		       ? -EINVAL
		       : 0;
}

static void setup(struct dfu_class *dfu, const struct dfu_config *cfg,
		  const struct usbd_class_ops *ops, enum dfu_state state)
{
	memset(dfu, 0, sizeof(*dfu));
	dfu->base.ops = ops;
	dfu->cfg = cfg;
	dfu->state = state;
}

int dfu_init(struct dfu_class *dfu, const struct dfu_config *cfg)
{
	if (check_transfer_size(cfg) < 0 || cfg->buffer == NULL || cfg->num_alts == 0 ||
	    cfg->alts == NULL) {
		return -EINVAL;
	}
	for (uint8_t i = 0; i < cfg->num_alts; i++) {
		if (cfg->alts[i].ops == NULL) {
			return -EINVAL;
		}
	}
	setup(dfu, cfg, &dfu_class_ops, DFU_STATE_IDLE);
	return 0;
}

int dfu_runtime_init(struct dfu_class *dfu, const struct dfu_config *cfg)
{
	if (check_transfer_size(cfg) < 0) {
		return -EINVAL;
	}
	setup(dfu, cfg, &dfu_runtime_ops, DFU_STATE_APP_IDLE);
	return 0;
}
