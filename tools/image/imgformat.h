/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Byte offsets of the MCUboot image fields that dfukit-image writes (sign)
 * and reads back raw (dumpinfo). All fields are little endian; read and write
 * them with dfukit/wire.h. src/image decodes the same header for the target.
 */
#ifndef DFUKIT_TOOLS_IMGFORMAT_H
#define DFUKIT_TOOLS_IMGFORMAT_H

/* struct image_header, DFUKIT_IMAGE_HEADER_SIZE bytes at the start of the image. */
enum imgformat_header_off {
	IMG_HDR_OFF_MAGIC = 0,             /* u32 DFUKIT_IMAGE_MAGIC */
	IMG_HDR_OFF_LOAD_ADDR = 4,         /* u32, with DFUKIT_IMAGE_F_RAM_LOAD */
	IMG_HDR_OFF_HDR_SIZE = 8,          /* u16, header area including padding */
	IMG_HDR_OFF_PROTECT_TLV_SIZE = 10, /* u16, protected TLV area, 0 if none */
	IMG_HDR_OFF_IMG_SIZE = 12,         /* u32, payload after the header area */
	IMG_HDR_OFF_FLAGS = 16,            /* u32, DFUKIT_IMAGE_F_* */
	IMG_HDR_OFF_VER_MAJOR = 20,        /* u8 */
	IMG_HDR_OFF_VER_MINOR = 21,        /* u8 */
	IMG_HDR_OFF_VER_REVISION = 22,     /* u16 */
	IMG_HDR_OFF_VER_BUILD = 24,        /* u32 */
	IMG_HDR_OFF_PAD = 28,              /* u32, zero */
};

/* TLV info header (DFUKIT_IMAGE_TLV_INFO_SIZE bytes) in front of each TLV area. */
enum imgformat_tlv_info_off {
	IMG_TLV_INFO_OFF_MAGIC = 0, /* u16 DFUKIT_IMAGE_TLV_INFO_MAGIC or _PROT_INFO_MAGIC */
	IMG_TLV_INFO_OFF_TOTAL = 2, /* u16, the area's size including this header */
};

/* TLV entry header (DFUKIT_IMAGE_TLV_HDR_SIZE bytes), the value follows. */
enum imgformat_tlv_off {
	IMG_TLV_OFF_TYPE = 0, /* u16 DFUKIT_IMAGE_TLV_* */
	IMG_TLV_OFF_LEN = 2,  /* u16, length of the value */
};

#endif
