/*
 * What devices/disk_qcow2.c (the image, reads and writes) shares with
 * devices/qcow2_snapshot.c (internal snapshots): the in-memory image and
 * the helpers both need. See disk_qcow2.c's opening comment for the format
 * and the rules every write follows.
 */
#ifndef RVJIT_QCOW2_INTERNAL_H
#define RVJIT_QCOW2_INTERNAL_H

#include "disk_internal.h"
#include <stdint.h>

#define QCOW2_MAGIC	    0x514649fbu /* "QFI\xfb" */
#define QCOW2_V2_HEADER_LEN 72u
#define QCOW2_V3_HEADER_LEN 104u
/* QEMU's implementation limits, which no image it makes exceeds. */
#define QCOW2_MAX_L1_BYTES     (32u << 20)
#define QCOW2_MAX_RT_BYTES     (8u << 20)
#define QCOW2_MAX_SNAPSHOTS    65536u
#define QCOW2_MAX_BACKING_NAME 1023u

/* Header incompatible_features bits. */
#define INCOMPAT_DIRTY	     (1ull << 0)
#define INCOMPAT_CORRUPT     (1ull << 1)
#define INCOMPAT_DATA_FILE   (1ull << 2)
#define INCOMPAT_COMPRESSION (1ull << 3)
#define INCOMPAT_EXTL2	     (1ull << 4)

/* Header extension types. */
#define EXT_END		   0u
#define EXT_BACKING_FORMAT 0xe2792acau
#define EXT_FEATURE_NAMES  0x6803f857u

/* Table entries. */
#define OFLAG_COPIED	  (1ull << 63)
#define OFLAG_COMPRESSED  (1ull << 62)
#define OFLAG_ZERO	  (1ull << 0)		/* v3 standard cluster: reads as zeros */
#define ENTRY_OFFSET_MASK 0x00fffffffffffe00ull /* bits 9-55 */
#define L1E_RESERVED	  0x7f000000000001ffull
#define L2E_RESERVED	  0x3f000000000001feull
#define RTE_RESERVED	  0x1ffull

/* Header field offsets that we rewrite. */
#define HDR_REFCOUNT_TABLE_OFFSET 48 /* 8 bytes, then refcount_table_clusters (4) */
#define HDR_AUTOCLEAR		  88

/* A few recently used L2 tables or refcount blocks, by host offset. */
#define TCACHE_SLOTS 16
struct tcache {
	struct {
		uint64_t off; /* 0: empty */
		uint64_t used;
		uint8_t *data; /* one cluster, as in the file (big-endian) */
	} slot[TCACHE_SLOTS];
	uint64_t tick;
};

enum cluster_kind { C_UNALLOCATED, C_ZERO, C_NORMAL, C_COMPRESSED };

struct qcow2 {
	struct block_dev dev; /* first: the ops receive &dev */
	int fd;
	char *path;		   /* for the corruption message */
	struct block_dev *backing; /* read-only, or NULL */
	unsigned cluster_bits;
	uint64_t cluster_size;
	unsigned l2_bits;	 /* log2 of entries per L2 table */
	unsigned refcount_order; /* refcount width is 1 << refcount_order bits */
	unsigned rb_bits;	 /* log2 of entries per refcount block */
	uint64_t l1_offset;
	uint32_t l1_size; /* entries */
	uint64_t *l1;	  /* host byte order */
	uint64_t rt_offset;
	uint32_t rt_clusters;
	uint64_t rt_entries;
	uint64_t *rt;		   /* host byte order */
	uint64_t file_end;	   /* past the file and every counted cluster: new ones go here */
	uint64_t autoclear;	   /* bits to clear in the header before the first write */
	bool rt_in_memory;	   /* growing the refcount table: new entries not written yet */
	bool broken;		   /* corruption found: no more writes */
	bool flush_failed;	   /* see disk_fdatasync */
	uint32_t nb_snapshots;	   /* the snapshot table (devices/qcow2_snapshot.c) */
	uint64_t snapshots_offset; /* 0 when there is none */
	struct tcache l2_cache, rb_cache;
	uint64_t z_entry; /* the L2 entry whose cluster zbuf holds inflated, or 0 */
	uint8_t *zbuf;	  /* one cluster */
	uint8_t *cbuf;	  /* one cluster: a data cluster being assembled */
	uint8_t *tbuf;	  /* one cluster: a new L2 table or refcount block */
};

static inline uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* devices/disk_qcow2.c */
int qcow2_corrupt(struct qcow2 *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int qcow2_tcache_get(struct qcow2 *q, struct tcache *c, uint64_t off, uint8_t **data);
/* Forget every cached table (their offsets changed: a snapshot switch). */
void qcow2_tcache_drop(struct qcow2 *q);
int qcow2_refcount_get(struct qcow2 *q, uint64_t cluster, uint64_t *value);
/* Entry i of the refcount block rb, and the store into it. */
uint64_t qcow2_refcount_decode(const struct qcow2 *q, const uint8_t *rb, uint64_t i);
void qcow2_refcount_store(const struct qcow2 *q, uint8_t *rb, uint64_t i, uint64_t value,
			  size_t *at, size_t *len);
int qcow2_classify(struct qcow2 *q, uint64_t entry, enum cluster_kind *kind, uint64_t *host);
void qcow2_compressed_extent(const struct qcow2 *q, uint64_t entry, uint64_t *off, uint64_t *len);
/* Guest bytes [goff, goff+n) of one cluster as mapped by the L1 table l1
 * (l1_size entries): the active one, or a snapshot's; past the table is
 * unallocated. */
int qcow2_read_in_cluster(struct qcow2 *q, const uint64_t *l1, uint32_t l1_size, uint64_t goff,
			  uint8_t *buf, size_t n);
/* Guest bytes [goff, goff+n) of one cluster := buf, through the active
 * tables; goff must lie in the L1 table's range (which may go past the
 * disk's size: the VM state area). */
int qcow2_write_in_cluster(struct qcow2 *q, uint64_t goff, const uint8_t *buf, size_t n);
/* Before the first change to the image: clear the autoclear feature bits
 * we do not know, which our writes would make stale (bitmaps), as the
 * spec says. 0 or a negative errno. */
int qcow2_clear_autoclear(struct qcow2 *q);
/* Is dev a qcow2 image (not a raw file, not an overlay)? */
struct qcow2 *qcow2_of(struct block_dev *dev);

#endif
