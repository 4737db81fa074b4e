/*
 * qcow2 images, versions 2 and 3, as QEMU's docs/interop/qcow2.txt
 * describes them. All numbers in the file are big-endian.
 *
 * Guest offset -> host offset goes through two tables: the L1 table (read
 * whole at open and kept in memory) points at L2 tables of one cluster
 * each, whose entries point at data clusters. Every host cluster has a
 * reference count, also in two levels: the refcount table (in memory) and
 * refcount blocks of one cluster each. Bit 63 (COPIED) of an L1 or L2 entry
 * says the cluster it points to has refcount exactly 1 and may be written in
 * place; without it (internal snapshots share the cluster) a write copies
 * the cluster first (copy-on-write) and drops one reference to the old one.
 *
 * Allocation only ever appends past the end of the file and past every
 * cluster the refcounts count (freed clusters are not reused), so a new
 * cluster can never alias anything still in use, even in a truncated file.
 * Each allocating write happens in this order, so that a crash at any point
 * leaves at worst a leaked cluster (refcount 1, referenced by no table):
 *   1. the refcount of the new cluster (allocating a refcount block, or
 *      growing the refcount table, first if needed),
 *   2. the new cluster's contents (a whole cluster),
 *   3. the L2 entry (and, for a new L2 table, the L1 entry) pointing at it,
 *   4. the dropped reference to the cluster it replaced, if any.
 * That order holds for the file's page cache (a killed process); flush
 * (fdatasync) is what makes it durable, as with QEMU's cache=writeback.
 * Internal snapshots (devices/qcow2_snapshot.c) change refcounts and
 * COPIED bits of many tables at once: they write new tables to fresh
 * clusters and switch to them with one header write, so a crash leaves the
 * image before or after, never between.
 *
 * Nothing is written at open. Every offset read from the file is checked
 * (alignment, inside the file, not on the header, L1 or refcount table)
 * before use: at open for the header and both top-level tables, on first
 * use for L2 tables, refcount blocks and data clusters. A bad one found at
 * run time fails that guest request with EIO, reports the image corrupt on
 * stderr once, and no further write touches the file.
 *
 * A truncated file reads as QEMU reads it: past its end is zeros, so a
 * data cluster the refcounts count may lie there (a copy cut short); the
 * metadata (header fields, the L1 and refcount tables, the L2 tables and
 * refcount blocks they point to) must lie inside the file.
 *
 * The file is locked before its header is read, as QEMU locks it
 * (devices/disk_lock.c), and so is every backing file.
 */
#define _GNU_SOURCE
#include "disk_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef RVJIT_HAVE_ZLIB
#include <zlib.h>
#endif

#include "qcow2_internal.h"

static struct qcow2 *to_qcow2(struct block_dev *dev)
{
	return (struct qcow2 *)dev;
}

/* Corruption found at run time: say so once, and write nothing more. */
int qcow2_corrupt(struct qcow2 *q, const char *fmt, ...)
{
	if (!q->broken) {
		char why[200];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		fprintf(stderr, "rvjit: qcow2 image %s is corrupt: %s; run qemu-img check\n",
			q->path, why);
		q->broken = true;
	}
	return -EIO;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Does [off, off+len) touch the header cluster, the L1 table or the
 * refcount table? No L2 table, refcount block or data cluster may. */
static bool hits_fixed_metadata(const struct qcow2 *q, uint64_t off, uint64_t len)
{
	return ranges_overlap(off, len, 0, q->cluster_size) ||
	       ranges_overlap(off, len, q->l1_offset, (uint64_t)q->l1_size * 8) ||
	       ranges_overlap(off, len, q->rt_offset, (uint64_t)q->rt_clusters << q->cluster_bits);
}

/* A host cluster an L2 table, refcount block or data may live in. */
static bool cluster_ok(const struct qcow2 *q, uint64_t off)
{
	return off && !(off & (q->cluster_size - 1)) && off < q->file_end &&
	       !hits_fixed_metadata(q, off, q->cluster_size);
}

/* Is the cluster at off, about to be used as an L2 table (l2) or a
 * refcount block, already the other kind? Checked when a table is loaded,
 * so that one is never written as the other. */
static bool is_other_table(const struct qcow2 *q, bool l2, uint64_t off)
{
	if (l2) {
		for (uint64_t i = 0; i < q->rt_entries; i++)
			if (q->rt[i] == off)
				return true;
	} else {
		for (uint32_t i = 0; i < q->l1_size; i++)
			if ((q->l1[i] & ENTRY_OFFSET_MASK) == off)
				return true;
	}
	return false;
}

/* ---- table cache ---- */

/* The cluster at off (an L2 table or refcount block), from the cache. The
 * pointer is good until the next tcache_get on the same cache. */
int qcow2_tcache_get(struct qcow2 *q, struct tcache *c, uint64_t off, uint8_t **data)
{
	int victim = 0;
	for (int i = 0; i < TCACHE_SLOTS; i++) {
		if (c->slot[i].off == off && c->slot[i].data) {
			c->slot[i].used = ++c->tick;
			*data = c->slot[i].data;
			return 0;
		}
		if (c->slot[i].used < c->slot[victim].used)
			victim = i;
	}
	const bool l2 = c == &q->l2_cache;
	if (!cluster_ok(q, off) || is_other_table(q, l2, off))
		return qcow2_corrupt(q, "%s at %#llx is outside the file or on other metadata",
				     l2 ? "L2 table" : "refcount block", (unsigned long long)off);
	if (!c->slot[victim].data && !(c->slot[victim].data = malloc(q->cluster_size)))
		return -ENOMEM;
	c->slot[victim].off = 0;
	const int r = disk_pread_zero(q->fd, c->slot[victim].data, q->cluster_size, off);
	if (r)
		return r;
	c->slot[victim].off = off;
	c->slot[victim].used = ++c->tick;
	*data = c->slot[victim].data;
	return 0;
}

/* Write bytes [at, at+len) of the cached table at off through to the file.
 * If that fails the table is dropped from the cache, which the caller has
 * already changed: kept, it would go on mapping a guest cluster the file
 * does not map, and later writes there, acknowledged, would be lost with
 * the process. Every other byte of it is in the file already. */
static int tcache_write_through(struct qcow2 *q, struct tcache *c, uint64_t off, size_t at,
				size_t len)
{
	uint8_t *data;
	int r = qcow2_tcache_get(q, c, off, &data);
	if (!r)
		r = disk_pwrite_full(q->fd, data + at, len, off + at);
	for (int i = 0; r && i < TCACHE_SLOTS; i++)
		if (c->slot[i].off == off)
			c->slot[i].off = 0;
	return r;
}

void qcow2_tcache_drop(struct qcow2 *q)
{
	for (int i = 0; i < TCACHE_SLOTS; i++)
		q->l2_cache.slot[i].off = q->rb_cache.slot[i].off = 0;
}

/* ---- reference counts ---- */

uint64_t qcow2_refcount_decode(const struct qcow2 *q, const uint8_t *rb, uint64_t i)
{
	const unsigned bits = 1u << q->refcount_order;
	uint64_t value = 0;
	if (bits < 8)
		return (rb[i * bits / 8] >> (i * bits % 8)) & ((1u << bits) - 1);
	for (unsigned b = 0; b < bits / 8; b++)
		value = value << 8 | rb[i * (bits / 8) + b];
	return value;
}

int qcow2_refcount_get(struct qcow2 *q, uint64_t cluster, uint64_t *value)
{
	const uint64_t ri = cluster >> q->rb_bits;
	*value = 0;
	if (ri >= q->rt_entries || !q->rt[ri])
		return 0;
	uint8_t *rb;
	const int r = qcow2_tcache_get(q, &q->rb_cache, q->rt[ri], &rb);
	if (!r)
		*value = qcow2_refcount_decode(q, rb, cluster & ((1ull << q->rb_bits) - 1));
	return r;
}

/* Store value in entry i of the refcount block at rb; returns the byte
 * range changed, to write through. */
void qcow2_refcount_store(const struct qcow2 *q, uint8_t *rb, uint64_t i, uint64_t value,
			  size_t *at, size_t *len)
{
	const unsigned bits = 1u << q->refcount_order;
	if (bits < 8) {
		/* Sub-byte widths count from the least significant bit. */
		const unsigned shift = (unsigned)(i * bits % 8);
		const unsigned mask = ((1u << bits) - 1) << shift;
		uint8_t *p = &rb[i * bits / 8];
		*p = (uint8_t)((*p & ~mask) | ((value << shift) & mask));
		*at = (size_t)(i * bits / 8);
		*len = 1;
	} else {
		const unsigned n = bits / 8;
		for (unsigned b = 0; b < n; b++)
			rb[i * n + b] = (uint8_t)(value >> (8 * (n - 1 - b)));
		*at = (size_t)(i * n);
		*len = n;
	}
}

static int refcount_set(struct qcow2 *q, uint64_t cluster, uint64_t value);

/* Make the refcount table long enough for index ri: a bigger table at the
 * end of the file, which must also count its own clusters and the refcount
 * blocks those need. It is built in memory, written whole, and only then
 * does the header point at it; the old table is then freed. */
static int refcount_table_grow(struct qcow2 *q, uint64_t ri)
{
	const uint64_t per_cluster = q->cluster_size / 8;
	uint64_t entries = q->rt_entries * 2 > ri + 1 ? q->rt_entries * 2 : ri + 1;
	entries = (entries + per_cluster - 1) / per_cluster * per_cluster;
	for (;;) {
		/* The table and its refcount blocks (at most one per table
		 * cluster, plus two) must fall inside what it describes. */
		const uint64_t clusters = entries / per_cluster;
		const uint64_t end = q->file_end + ((2 * clusters + 2) << q->cluster_bits);
		if (((end >> q->cluster_bits) >> q->rb_bits) < entries)
			break;
		entries *= 2;
	}
	if (entries * 8 > QCOW2_MAX_RT_BYTES)
		return -ENOSPC;
	const uint64_t clusters = entries / per_cluster;
	uint64_t *rt = calloc(entries, sizeof(*rt));
	uint8_t *buf = calloc(clusters, q->cluster_size);
	if (!rt || !buf) {
		free(rt);
		free(buf);
		return -ENOMEM;
	}
	memcpy(rt, q->rt, q->rt_entries * sizeof(*rt));
	uint64_t *const old_rt = q->rt;
	const uint64_t old_off = q->rt_offset, old_clusters = q->rt_clusters;
	q->rt = rt;
	q->rt_entries = entries;
	q->rt_in_memory = true;
	const uint64_t off = q->file_end;
	q->file_end += clusters << q->cluster_bits;
	int r = 0;
	for (uint64_t c = 0; c < clusters && !r; c++)
		r = refcount_set(q, (off >> q->cluster_bits) + c, 1);
	q->rt_in_memory = false;
	free(old_rt);
	if (!r) {
		for (uint64_t i = 0; i < entries; i++)
			put_be64(buf + 8 * i, rt[i]);
		r = disk_pwrite_full(q->fd, buf, clusters << q->cluster_bits, off);
	}
	if (!r) {
		uint8_t hdr[12];
		put_be64(hdr, off);
		put_be32(hdr + 8, (uint32_t)clusters);
		r = disk_pwrite_full(q->fd, hdr, sizeof(hdr), HDR_REFCOUNT_TABLE_OFFSET);
	}
	free(buf);
	if (r) {
		/* The header may still name the old table, which we dropped. */
		q->broken = true;
		return r;
	}
	q->rt_offset = off;
	q->rt_clusters = (uint32_t)clusters;
	for (uint64_t c = 0; c < old_clusters && !r; c++)
		r = refcount_set(q, (old_off >> q->cluster_bits) + c, 0);
	return r;
}

/* Point refcount table entry ri at a new refcount block at the end of the
 * file. If the block falls in its own range it counts itself; otherwise
 * its own refcount is set (elsewhere) before anything points at it. */
static int refcount_block_new(struct qcow2 *q, uint64_t ri)
{
	const uint64_t off = q->file_end;
	const uint64_t self = off >> q->cluster_bits;
	q->file_end += q->cluster_size;
	memset(q->tbuf, 0, q->cluster_size);
	int r = 0;
	if (self >> q->rb_bits == ri) {
		size_t at, len;
		qcow2_refcount_store(q, q->tbuf, self & ((1ull << q->rb_bits) - 1), 1, &at, &len);
	} else {
		r = refcount_set(q, self, 1);
		if (r)
			return r;
		memset(q->tbuf, 0, q->cluster_size); /* refcount_set may have used it */
	}
	r = disk_pwrite_full(q->fd, q->tbuf, q->cluster_size, off);
	if (r)
		return r;
	/* Only once the file's table points at the block: refcounts stored
	 * in a block the file does not know would leave the clusters they
	 * count free on disk, for QEMU to hand out again. */
	if (!q->rt_in_memory) {
		uint8_t e[8];
		put_be64(e, off);
		if ((r = disk_pwrite_full(q->fd, e, sizeof(e), q->rt_offset + ri * 8)))
			return r;
	}
	q->rt[ri] = off;
	return 0;
}

static int refcount_set(struct qcow2 *q, uint64_t cluster, uint64_t value)
{
	const uint64_t ri = cluster >> q->rb_bits;
	int r;
	if (ri >= q->rt_entries) {
		if (!value)
			return 0;
		if ((r = refcount_table_grow(q, ri)))
			return r;
	}
	if (!q->rt[ri]) {
		if (!value)
			return 0;
		if ((r = refcount_block_new(q, ri)))
			return r;
	}
	const uint64_t rb_off = q->rt[ri];
	uint8_t *rb;
	if ((r = qcow2_tcache_get(q, &q->rb_cache, rb_off, &rb)))
		return r;
	size_t at, len;
	qcow2_refcount_store(q, rb, cluster & ((1ull << q->rb_bits) - 1), value, &at, &len);
	return tcache_write_through(q, &q->rb_cache, rb_off, at, len);
}

/* Drop one reference to a cluster (it is free at zero). */
static int refcount_drop(struct qcow2 *q, uint64_t cluster)
{
	uint64_t v;
	const int r = qcow2_refcount_get(q, cluster, &v);
	if (r)
		return r;
	if (!v)
		return qcow2_corrupt(q, "cluster %#llx is in use but has refcount 0",
				     (unsigned long long)(cluster << q->cluster_bits));
	return refcount_set(q, cluster, v - 1);
}

/* n contiguous new clusters at the end of the file, refcount 1 each. */
static int alloc_clusters(struct qcow2 *q, uint64_t n, uint64_t *off)
{
	*off = q->file_end;
	if (*off + (n << q->cluster_bits) > ENTRY_OFFSET_MASK)
		return -ENOSPC; /* past what an L2 entry can address */
	q->file_end += n << q->cluster_bits;
	for (uint64_t i = 0; i < n; i++) {
		const int r = refcount_set(q, (*off >> q->cluster_bits) + i, 1);
		if (r)
			return r;
	}
	return 0;
}

/* ---- mapping ---- */

/* What the L2 entry describes; *host is its host offset (0 if none). */
int qcow2_classify(struct qcow2 *q, uint64_t entry, enum cluster_kind *kind, uint64_t *host)
{
	*host = 0;
	if (entry & OFLAG_COMPRESSED) {
		*kind = C_COMPRESSED;
		return 0;
	}
	if (entry & L2E_RESERVED)
		return qcow2_corrupt(q, "L2 entry %#llx has reserved bits set",
				     (unsigned long long)entry);
	*host = entry & ENTRY_OFFSET_MASK;
	if (*host && !cluster_ok(q, *host))
		return qcow2_corrupt(q, "data cluster %#llx is outside the file or on metadata",
				     (unsigned long long)*host);
	if (entry & OFLAG_ZERO)
		*kind = C_ZERO;
	else if (*host)
		*kind = C_NORMAL;
	else if (entry & OFLAG_COPIED)
		return qcow2_corrupt(q, "L2 entry %#llx has offset 0", (unsigned long long)entry);
	else
		*kind = C_UNALLOCATED;
	return 0;
}

/* The L2 entry of guest cluster gc under the L1 table l1 (0 when its L2
 * table is unallocated). */
static int l2_entry_get(struct qcow2 *q, const uint64_t *l1, uint32_t l1_size, uint64_t gc,
			uint64_t *entry)
{
	const uint64_t l1i = gc >> q->l2_bits;
	const uint64_t l2_off = l1i < l1_size ? l1[l1i] & ENTRY_OFFSET_MASK : 0;
	*entry = 0;
	if (!l2_off)
		return 0;
	uint8_t *t;
	const int r = qcow2_tcache_get(q, &q->l2_cache, l2_off, &t);
	if (!r)
		*entry = get_be64(t + 8 * (gc & ((1ull << q->l2_bits) - 1)));
	return r;
}

/* Where a compressed cluster's deflate stream lies, in whole host bytes. */
void qcow2_compressed_extent(const struct qcow2 *q, uint64_t entry, uint64_t *off, uint64_t *len)
{
	const unsigned x = 62 - (q->cluster_bits - 8);
	*off = entry & ((1ull << x) - 1);
	const uint64_t sectors = ((entry >> x) & ((1ull << (q->cluster_bits - 8)) - 1)) + 1;
	*len = sectors * 512 - (*off & 511);
}

/* The guest cluster a compressed entry describes, inflated into q->zbuf. */
static int inflate_cluster(struct qcow2 *q, uint64_t entry)
{
	if (q->z_entry == entry)
		return 0;
	uint64_t off, len;
	qcow2_compressed_extent(q, entry, &off, &len);
	if (off < q->cluster_size || off >= ENTRY_OFFSET_MASK || off + len > q->file_end ||
	    hits_fixed_metadata(q, off, len))
		return qcow2_corrupt(
		    q, "compressed cluster at %#llx is outside the file or on metadata",
		    (unsigned long long)off);
#ifdef RVJIT_HAVE_ZLIB
	uint8_t *in = malloc(len);
	if (!in)
		return -ENOMEM;
	int r = disk_pread_zero(q->fd, in, len, off);
	if (r) {
		free(in);
		return r;
	}
	z_stream s = {0};
	/* Raw deflate with a 4 KiB window, as QEMU writes it. */
	if (inflateInit2(&s, -12) != Z_OK) {
		free(in);
		return -ENOMEM;
	}
	s.next_in = in;
	s.avail_in = (uInt)len;
	s.next_out = q->zbuf;
	s.avail_out = (uInt)q->cluster_size;
	const int z = inflate(&s, Z_FINISH);
	const bool whole = (z == Z_STREAM_END || z == Z_BUF_ERROR) && s.avail_out == 0;
	inflateEnd(&s);
	free(in);
	q->z_entry = 0;
	if (!whole)
		return qcow2_corrupt(q, "compressed cluster at %#llx does not inflate",
				     (unsigned long long)off);
	q->z_entry = entry;
	return 0;
#else
	fprintf(stderr,
		"rvjit: qcow2 image %s: compressed clusters need zlib (rvjit was built "
		"without it); convert with qemu-img convert -O qcow2\n",
		q->path);
	return -ENOTSUP;
#endif
}

/* Bytes [goff, goff+n) of the backing image; zeros past its end. */
static int read_backing(struct qcow2 *q, uint64_t goff, uint8_t *buf, size_t n)
{
	size_t have = 0;
	if (q->backing && goff < q->backing->size) {
		have = q->backing->size - goff < n ? (size_t)(q->backing->size - goff) : n;
		const int r = block_read(q->backing, goff, buf, have);
		if (r)
			return r;
	}
	memset(buf + have, 0, n - have);
	return 0;
}

int qcow2_read_in_cluster(struct qcow2 *q, const uint64_t *l1, uint32_t l1_size, uint64_t goff,
			  uint8_t *buf, size_t n)
{
	const uint64_t gc = goff >> q->cluster_bits, in = goff & (q->cluster_size - 1);
	uint64_t entry, host;
	enum cluster_kind kind;
	int r = l2_entry_get(q, l1, l1_size, gc, &entry);
	if (!r)
		r = qcow2_classify(q, entry, &kind, &host);
	if (r)
		return r;
	switch (kind) {
	case C_UNALLOCATED:
		return read_backing(q, goff, buf, n);
	case C_ZERO:
		memset(buf, 0, n);
		return 0;
	case C_NORMAL:
		return disk_pread_zero(q->fd, buf, n, host + in);
	case C_COMPRESSED:
		if ((r = inflate_cluster(q, entry)))
			return r;
		memcpy(buf, q->zbuf + in, n);
		return 0;
	}
	return -EIO;
}

/* The L2 table for L1 index l1i, ready to be written: allocated if there is
 * none, copied if it is shared with a snapshot (COPIED clear). */
static int l2_table_for_write(struct qcow2 *q, uint64_t l1i, uint64_t *l2_off)
{
	const uint64_t e = q->l1[l1i], old = e & ENTRY_OFFSET_MASK;
	if (old && (e & OFLAG_COPIED)) {
		*l2_off = old;
		return 0;
	}
	int r;
	if (old) {
		uint8_t *t;
		if ((r = qcow2_tcache_get(q, &q->l2_cache, old, &t)))
			return r;
		memcpy(q->tbuf, t, q->cluster_size);
	}
	uint64_t off;
	if ((r = alloc_clusters(q, 1, &off)))
		return r;
	/* alloc_clusters may have used tbuf for a refcount block. */
	if (old) {
		uint8_t *t;
		if ((r = qcow2_tcache_get(q, &q->l2_cache, old, &t)))
			return r;
		memcpy(q->tbuf, t, q->cluster_size);
	} else {
		memset(q->tbuf, 0, q->cluster_size);
	}
	if ((r = disk_pwrite_full(q->fd, q->tbuf, q->cluster_size, off)))
		return r;
	uint8_t be[8];
	put_be64(be, off | OFLAG_COPIED);
	if ((r = disk_pwrite_full(q->fd, be, sizeof(be), q->l1_offset + l1i * 8)))
		return r;
	q->l1[l1i] = off | OFLAG_COPIED;
	*l2_off = off;
	return old ? refcount_drop(q, old >> q->cluster_bits) : 0;
}

/* Drop the references an L2 entry held, once nothing points at it. */
static int release_entry(struct qcow2 *q, uint64_t entry, enum cluster_kind kind, uint64_t host)
{
	if (kind == C_COMPRESSED) {
		uint64_t off, len;
		qcow2_compressed_extent(q, entry, &off, &len);
		const uint64_t first = off >> q->cluster_bits;
		const uint64_t last = (off + len - 1) >> q->cluster_bits;
		for (uint64_t c = first; c <= last; c++) {
			const int r = refcount_drop(q, c);
			if (r)
				return r;
		}
		return 0;
	}
	return host ? refcount_drop(q, host >> q->cluster_bits) : 0;
}

int qcow2_write_in_cluster(struct qcow2 *q, uint64_t goff, const uint8_t *buf, size_t n)
{
	const uint64_t gc = goff >> q->cluster_bits, in = goff & (q->cluster_size - 1);
	const uint64_t l2i = gc & ((1ull << q->l2_bits) - 1);
	uint64_t l2_off, entry, host;
	enum cluster_kind kind;
	uint8_t *t;
	int r = l2_table_for_write(q, gc >> q->l2_bits, &l2_off);
	if (!r)
		r = qcow2_tcache_get(q, &q->l2_cache, l2_off, &t);
	if (r)
		return r;
	entry = get_be64(t + 8 * l2i);
	if ((r = qcow2_classify(q, entry, &kind, &host)))
		return r;
	if (kind == C_NORMAL && (entry & OFLAG_COPIED))
		return disk_pwrite_full(q->fd, buf, n, host + in);

	/* A new whole cluster: what the guest reads there now, patched. */
	if (n < q->cluster_size) {
		switch (kind) {
		case C_UNALLOCATED:
			r = read_backing(q, goff - in, q->cbuf, q->cluster_size);
			break;
		case C_ZERO:
			memset(q->cbuf, 0, q->cluster_size);
			break;
		case C_NORMAL:
			r = disk_pread_zero(q->fd, q->cbuf, q->cluster_size, host);
			break;
		case C_COMPRESSED:
			r = inflate_cluster(q, entry);
			if (!r)
				memcpy(q->cbuf, q->zbuf, q->cluster_size);
			break;
		}
		if (r)
			return r;
	}
	memcpy(q->cbuf + in, buf, n);
	/* A preallocated zero cluster of our own is written in place. */
	const bool in_place = kind == C_ZERO && host && (entry & OFLAG_COPIED);
	uint64_t target = host;
	if (!in_place && (r = alloc_clusters(q, 1, &target)))
		return r;
	if ((r = disk_pwrite_full(q->fd, q->cbuf, q->cluster_size, target)))
		return r;
	if ((r = qcow2_tcache_get(q, &q->l2_cache, l2_off, &t)))
		return r;
	put_be64(t + 8 * l2i, target | OFLAG_COPIED);
	if ((r = tcache_write_through(q, &q->l2_cache, l2_off, (size_t)(8 * l2i), 8)))
		return r;
	if (kind == C_COMPRESSED && q->z_entry == entry)
		q->z_entry = 0;
	return in_place ? 0 : release_entry(q, entry, kind, host);
}

/* ---- block_ops ---- */

/* Split a request at cluster boundaries: each piece lies in one cluster. */
typedef int (*piece_fn)(struct qcow2 *q, uint64_t offset, uint8_t *buf, size_t len);

static int by_cluster(struct qcow2 *q, uint64_t offset, uint8_t *p, size_t len, piece_fn piece)
{
	while (len) {
		const uint64_t in = offset & (q->cluster_size - 1);
		const size_t n = q->cluster_size - in < len ? (size_t)(q->cluster_size - in) : len;
		const int r = piece(q, offset, p, n);
		if (r)
			return r;
		p += n;
		offset += n;
		len -= n;
	}
	return 0;
}

static int read_piece(struct qcow2 *q, uint64_t offset, uint8_t *buf, size_t len)
{
	return qcow2_read_in_cluster(q, q->l1, q->l1_size, offset, buf, len);
}

static int write_piece(struct qcow2 *q, uint64_t offset, uint8_t *buf, size_t len)
{
	return qcow2_write_in_cluster(q, offset, buf, len);
}

static int qcow2_read(struct block_dev *dev, uint64_t offset, void *buf, size_t len)
{
	struct qcow2 *q = to_qcow2(dev);
	if (!block_range_ok(dev, offset, len))
		return -EINVAL;
	return by_cluster(q, offset, buf, len, read_piece);
}

static int qcow2_write(struct block_dev *dev, uint64_t offset, const void *buf, size_t len)
{
	struct qcow2 *q = to_qcow2(dev);
	if (dev->readonly)
		return -EROFS;
	if (!block_range_ok(dev, offset, len))
		return -EINVAL;
	if (q->broken)
		return -EIO;
	const int r = qcow2_clear_autoclear(q);
	if (r)
		return r;
	return by_cluster(q, offset, (void *)buf, len, write_piece);
}

int qcow2_clear_autoclear(struct qcow2 *q)
{
	if (!q->autoclear)
		return 0;
	const uint8_t zero[8] = {0};
	const int r = disk_pwrite_full(q->fd, zero, sizeof(zero), HDR_AUTOCLEAR);
	if (r)
		return r;
	q->autoclear = 0;
	return 0;
}

static int qcow2_flush(struct block_dev *dev)
{
	return dev->readonly ? 0 : disk_fdatasync(to_qcow2(dev)->fd, &to_qcow2(dev)->flush_failed);
}

static void qcow2_close(struct block_dev *dev)
{
	struct qcow2 *q = to_qcow2(dev);
	block_close(q->backing);
	for (int i = 0; i < TCACHE_SLOTS; i++) {
		free(q->l2_cache.slot[i].data);
		free(q->rb_cache.slot[i].data);
	}
	free(q->l1);
	free(q->rt);
	free(q->zbuf);
	free(q->cbuf);
	free(q->tbuf);
	free(q->path);
	if (q->fd >= 0)
		close(q->fd);
	free(q);
}

static const struct block_ops qcow2_ops = {
    .read = qcow2_read,
    .write = qcow2_write,
    .flush = qcow2_flush,
    .close = qcow2_close,
};

struct qcow2 *qcow2_of(struct block_dev *dev)
{
	return dev && dev->ops == &qcow2_ops ? to_qcow2(dev) : NULL;
}

/* ---- open ---- */

/* What the header says, before it is believed. */
struct qcow2_header {
	uint32_t version;
	uint64_t backing_file_offset;
	uint32_t backing_file_size;
	uint32_t cluster_bits;
	uint64_t size;
	uint32_t crypt_method;
	uint32_t l1_size;
	uint64_t l1_table_offset;
	uint64_t refcount_table_offset;
	uint32_t refcount_table_clusters;
	uint32_t nb_snapshots;
	uint64_t snapshots_offset;
	uint64_t incompatible, compatible, autoclear;
	uint32_t refcount_order;
	uint32_t header_length;
	uint8_t compression_type;
};

static void parse_header(const uint8_t *b, struct qcow2_header *h)
{
	memset(h, 0, sizeof(*h));
	h->version = get_be32(b + 4);
	h->backing_file_offset = get_be64(b + 8);
	h->backing_file_size = get_be32(b + 16);
	h->cluster_bits = get_be32(b + 20);
	h->size = get_be64(b + 24);
	h->crypt_method = get_be32(b + 32);
	h->l1_size = get_be32(b + 36);
	h->l1_table_offset = get_be64(b + 40);
	h->refcount_table_offset = get_be64(b + 48);
	h->refcount_table_clusters = get_be32(b + 56);
	h->nb_snapshots = get_be32(b + 60);
	h->snapshots_offset = get_be64(b + 64);
	h->refcount_order = 4;
	h->header_length = QCOW2_V2_HEADER_LEN;
	if (h->version >= 3) {
		h->incompatible = get_be64(b + 72);
		h->compatible = get_be64(b + 80);
		h->autoclear = get_be64(b + 88);
		h->refcount_order = get_be32(b + 96);
		h->header_length = get_be32(b + 100);
	}
}

/* The name the feature name table gives incompatible bit `bit`, if any. */
static void feature_name(const uint8_t *names, size_t len, unsigned bit, char *out, size_t outlen)
{
	snprintf(out, outlen, "bit %u", bit);
	for (size_t i = 0; names && i + 48 <= len; i += 48) {
		if (names[i] != 0 || names[i + 1] != bit)
			continue;
		char name[47] = {0};
		memcpy(name, names + i + 2, 46);
		for (char *c = name; *c; c++)
			if (*c < ' ' || *c > '~')
				*c = '?';
		snprintf(out, outlen, "bit %u, '%s'", bit, name);
	}
}

/* One open while the image is being checked: what the later stages need
 * from the earlier ones, freed in one place (qcow2_load). */
struct qcow2_load {
	struct qcow2_header h;
	uint8_t *cl0;	      /* the first cluster: header, extensions, backing name */
	const uint8_t *names; /* the feature name table extension (in cl0), or NULL */
	size_t names_len;
	char backing_format[16]; /* from its header extension, or "" */
	char *backing;		 /* the backing file's path, or NULL */
	char *err;		 /* where the reason for a failure goes */
	size_t errlen;
	uint64_t file_size; /* bytes */
};

/* Does [off, off+len) lie wholly inside the file? The tables must: a
 * truncated file may lose data (QEMU reads zeros there) but not metadata,
 * which would turn written clusters into holes. */
static bool in_file(const struct qcow2_load *ld, uint64_t off, uint64_t len)
{
	return off <= ld->file_size && len <= ld->file_size - off;
}

/* Give the reason for refusing the image; always -1. */
static int load_fail(struct qcow2_load *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int load_fail(struct qcow2_load *ld, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ld->err, ld->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The fixed header: magic, version, cluster size, v3's header length and
 * refcount width. */
static int load_header(struct qcow2 *q, struct qcow2_load *ld, uint64_t file_size)
{
	uint8_t b[QCOW2_V3_HEADER_LEN + 8] = {0};
	/* Past the end of the file reads as zeros, as in QEMU: a header cut
	 * short is refused only for the fields that come out invalid. */
	const int r = disk_pread_zero(q->fd, b, sizeof(b), 0);
	if (r)
		return load_fail(ld, "%s", strerror(-r));
	if (get_be32(b) != QCOW2_MAGIC)
		return load_fail(ld, "not a qcow2 image (bad magic)");
	struct qcow2_header *h = &ld->h;
	parse_header(b, h);
	if (h->version != 2 && h->version != 3)
		return load_fail(ld, "unsupported qcow2 version %u (supported: 2, 3)", h->version);
	if (h->cluster_bits < 9 || h->cluster_bits > 21)
		return load_fail(ld, "qcow2 cluster_bits %u outside 9..21", h->cluster_bits);
	const uint64_t cs = 1ull << h->cluster_bits;
	if (h->version >= 3 && h->header_length < QCOW2_V3_HEADER_LEN)
		return load_fail(ld, "qcow2 header too short (header_length %u)", h->header_length);
	if (h->version >= 3 && (h->header_length % 8 || h->header_length > cs))
		return load_fail(ld, "qcow2 header_length %u is invalid", h->header_length);
	if (h->refcount_order > 6)
		return load_fail(ld, "qcow2 refcount_order %u exceeds 6", h->refcount_order);
	if (h->header_length > QCOW2_V3_HEADER_LEN)
		h->compression_type = b[QCOW2_V3_HEADER_LEN];
	q->cluster_bits = h->cluster_bits;
	q->cluster_size = cs;
	q->l2_bits = h->cluster_bits - 3;
	q->refcount_order = h->refcount_order;
	q->rb_bits = h->cluster_bits + 3 - h->refcount_order;
	q->file_end = (file_size + cs - 1) & ~(cs - 1);
	return 0;
}

/* Header extensions: from the header's end to the backing file name (or
 * the end of the first cluster). Reads the first cluster into ld->cl0. */
static int load_extensions(struct qcow2 *q, struct qcow2_load *ld)
{
	const struct qcow2_header *h = &ld->h;
	const uint64_t cs = q->cluster_size;
	const uint64_t ext_end = h->backing_file_offset ? h->backing_file_offset : cs;
	if (h->backing_file_offset &&
	    (h->backing_file_offset > cs || h->backing_file_offset < h->header_length))
		return load_fail(ld, "qcow2 backing file name offset %#llx is invalid",
				 (unsigned long long)h->backing_file_offset);
	ld->cl0 = malloc(cs);
	if (!ld->cl0)
		return load_fail(ld, "%s", strerror(ENOMEM));
	const int r = disk_pread_zero(q->fd, ld->cl0, cs, 0);
	if (r)
		return load_fail(ld, "%s", strerror(-r));
	const uint8_t *cl0 = ld->cl0;
	for (uint64_t at = h->header_length; at + 8 <= ext_end;) {
		const uint32_t type = get_be32(cl0 + at), len = get_be32(cl0 + at + 4);
		if (type == EXT_END)
			break;
		if (len > ext_end - at - 8)
			return load_fail(ld, "qcow2 header extension %#x overruns the header",
					 type);
		if (type == EXT_BACKING_FORMAT) {
			if (len >= sizeof(ld->backing_format) || memchr(cl0 + at + 8, 0, len))
				return load_fail(ld, "qcow2 backing format extension is invalid");
			memcpy(ld->backing_format, cl0 + at + 8, len);
			ld->backing_format[len] = 0;
		} else if (type == EXT_FEATURE_NAMES) {
			ld->names = cl0 + at + 8;
			ld->names_len = len;
		}
		at += 8 + ((uint64_t)len + 7) / 8 * 8;
	}
	return 0;
}

/* Features. Read-only use of a dirty or corrupt image is safe enough (QEMU
 * allows it); writing is not. */
static int check_features(struct qcow2_load *ld, bool readonly)
{
	const struct qcow2_header *h = &ld->h;
	const uint64_t known = INCOMPAT_DIRTY | INCOMPAT_CORRUPT;
	char what[80] = "";
	if (h->incompatible & INCOMPAT_DATA_FILE)
		snprintf(what, sizeof(what), "external data files are not supported");
	else if (h->incompatible & INCOMPAT_EXTL2)
		snprintf(what, sizeof(what), "extended L2 entries (subclusters) are not supported");
	else if ((h->incompatible & INCOMPAT_COMPRESSION) || h->compression_type)
		snprintf(what, sizeof(what), "compression type %u is not supported (only zlib)",
			 h->compression_type);
	else if (h->incompatible & ~known) {
		unsigned bit = 0;
		while (!(h->incompatible & ~known & (1ull << bit)))
			bit++;
		char name[80];
		feature_name(ld->names, ld->names_len, bit, name, sizeof(name));
		/* %.46s: the message fits `what` (the sanitizer build's -Werror
		 * sees the truncation otherwise). */
		snprintf(what, sizeof(what), "unknown incompatible feature (%.46s)", name);
	} else if (!readonly && (h->incompatible & INCOMPAT_DIRTY))
		snprintf(what, sizeof(what), "qcow2 image is dirty; run qemu-img check -r all");
	else if (!readonly && (h->incompatible & INCOMPAT_CORRUPT))
		snprintf(what, sizeof(what),
			 "qcow2 image is marked corrupt; run qemu-img check -r all");
	else if (h->crypt_method)
		snprintf(what, sizeof(what), "encrypted qcow2 images are not supported");
	return *what ? load_fail(ld, "%s", what) : 0;
}

/* The backing file's name, relative to this image's directory. */
static int load_backing_name(struct qcow2 *q, struct qcow2_load *ld)
{
	const struct qcow2_header *h = &ld->h;
	const uint8_t *cl0 = ld->cl0;
	if (!h->backing_file_offset)
		return 0;
	if (h->backing_file_size == 0 || h->backing_file_size > QCOW2_MAX_BACKING_NAME ||
	    h->backing_file_size > q->cluster_size - h->backing_file_offset ||
	    memchr(cl0 + h->backing_file_offset, 0, h->backing_file_size))
		return load_fail(ld, "qcow2 backing file name is invalid");
	const char *slash = strrchr(q->path, '/');
	const int dir =
	    cl0[h->backing_file_offset] == '/' || !slash ? 0 : (int)(slash - q->path + 1);
	if (asprintf(&ld->backing, "%.*s%.*s", dir, q->path, (int)h->backing_file_size,
		     (const char *)cl0 + h->backing_file_offset) < 0) {
		ld->backing = NULL; /* asprintf leaves it undefined on failure */
		return load_fail(ld, "%s", strerror(ENOMEM));
	}
	return 0;
}

/* Where the two top-level tables (and the snapshot table) are: inside the
 * file, aligned, apart, of sane sizes. */
static int check_tables(struct qcow2 *q, struct qcow2_load *ld)
{
	const struct qcow2_header *h = &ld->h;
	const uint64_t cs = q->cluster_size;
	const uint64_t guest_per_l1 = 1ull << (q->l2_bits + q->cluster_bits);
	const char *bad = NULL;
	if ((uint64_t)h->l1_size * 8 > QCOW2_MAX_L1_BYTES)
		bad = "the L1 table is absurdly large";
	else if (h->size > (uint64_t)h->l1_size * guest_per_l1)
		bad = "the L1 table is too small for the disk size";
	else if (h->l1_size && ((h->l1_table_offset & (cs - 1)) || !h->l1_table_offset ||
				!in_file(ld, h->l1_table_offset, (uint64_t)h->l1_size * 8)))
		bad = "the L1 table lies outside the file";
	else if (!h->refcount_table_clusters ||
		 (uint64_t)h->refcount_table_clusters * cs > QCOW2_MAX_RT_BYTES)
		bad = "the refcount table size is invalid";
	else if ((h->refcount_table_offset & (cs - 1)) || !h->refcount_table_offset ||
		 !in_file(ld, h->refcount_table_offset, (uint64_t)h->refcount_table_clusters * cs))
		bad = "the refcount table lies outside the file";
	else if (ranges_overlap(h->l1_table_offset, (uint64_t)h->l1_size * 8,
				h->refcount_table_offset,
				(uint64_t)h->refcount_table_clusters * cs))
		bad = "the L1 and refcount tables overlap";
	else if (h->nb_snapshots > QCOW2_MAX_SNAPSHOTS ||
		 (h->nb_snapshots && ((h->snapshots_offset & (cs - 1)) || !h->snapshots_offset ||
				      h->snapshots_offset >= q->file_end)))
		bad = "the snapshot table is invalid";
	if (bad)
		return load_fail(ld, "qcow2 image is corrupt: %s", bad);
	q->l1_offset = h->l1_table_offset;
	q->l1_size = h->l1_size;
	q->rt_offset = h->refcount_table_offset;
	q->rt_clusters = h->refcount_table_clusters;
	q->rt_entries = (uint64_t)h->refcount_table_clusters * cs / 8;
	q->nb_snapshots = h->nb_snapshots;
	q->snapshots_offset = h->nb_snapshots ? h->snapshots_offset : 0;
	return 0;
}

/* The index of the highest nonzero refcount in the refcount block rb, plus
 * one (0 when all are zero). Sub-byte entries count from the least
 * significant bit, wider ones are big-endian: either way, the entry holding
 * bit `bit` of byte i is (8 i + bit) >> refcount_order. */
static uint64_t refcounts_used(const struct qcow2 *q, const uint8_t *rb)
{
	for (uint64_t i = q->cluster_size; i-- > 0;) {
		if (!rb[i])
			continue;
		unsigned msb = 7;
		while (!(rb[i] >> msb))
			msb--;
		return ((8 * i + msb) >> q->refcount_order) + 1;
	}
	return 0;
}

/* A truncated image can still count clusters past the end of its file
 * (data QEMU reads as zeros there). New clusters must go past every
 * counted one, or a write would reuse a cluster the image still refers
 * to: file_end moves past the highest cluster with a nonzero refcount.
 * The refcount blocks themselves lie inside the file (load_tables). */
static int count_clusters_in_use(struct qcow2 *q, struct qcow2_load *ld)
{
	uint8_t *rb = malloc(q->cluster_size);
	if (!rb)
		return load_fail(ld, "%s", strerror(ENOMEM));
	int r = 0;
	for (uint64_t ri = q->rt_entries; ri-- > 0 && !r;) {
		if (!q->rt[ri] || (r = disk_pread_zero(q->fd, rb, q->cluster_size, q->rt[ri])))
			continue;
		const uint64_t used = refcounts_used(q, rb);
		if (!used)
			continue;
		/* Past what an entry can address, allocation fails (ENOSPC). */
		const uint64_t max = (ENTRY_OFFSET_MASK >> q->cluster_bits) + 1;
		const uint64_t clusters = (ri << q->rb_bits) + used;
		const uint64_t end = (clusters < max ? clusters : max) << q->cluster_bits;
		if (end > q->file_end)
			q->file_end = end;
		break;
	}
	free(rb);
	return r ? load_fail(ld, "%s", strerror(-r)) : 0;
}

/* Read the L1 and refcount tables into memory, checking every entry. The
 * image is then believed: its size and autoclear bits are taken. */
static int load_tables(struct qcow2 *q, struct qcow2_load *ld)
{
	const struct qcow2_header *h = &ld->h;
	const uint64_t l1_bytes = (uint64_t)h->l1_size * 8, rt_bytes = q->rt_entries * 8;
	const uint64_t cs = q->cluster_size;
	q->l1 = calloc(h->l1_size ? h->l1_size : 1, 8);
	q->rt = calloc(q->rt_entries, 8);
	uint8_t *raw = malloc(rt_bytes > l1_bytes ? rt_bytes : l1_bytes);
	const char *bad = NULL;
	int r = -ENOMEM;
	if (q->l1 && q->rt && raw)
		r = disk_pread_zero(q->fd, raw, (size_t)l1_bytes, q->l1_offset);
	for (uint32_t i = 0; !r && i < h->l1_size && !bad; i++) {
		const uint64_t e = get_be64(raw + 8 * i), off = e & ENTRY_OFFSET_MASK;
		q->l1[i] = e;
		if ((e & L1E_RESERVED) || (off && (!cluster_ok(q, off) || !in_file(ld, off, cs))))
			bad = "an L1 entry is invalid or points outside the file";
	}
	if (!r && !bad)
		r = disk_pread_zero(q->fd, raw, rt_bytes, q->rt_offset);
	for (uint64_t i = 0; !r && !bad && i < q->rt_entries; i++) {
		const uint64_t e = get_be64(raw + 8 * i);
		q->rt[i] = e;
		if ((e & RTE_RESERVED) || (e && (!cluster_ok(q, e) || !in_file(ld, e, cs))))
			bad = "a refcount table entry is invalid or points outside the file";
	}
	free(raw);
	if (r)
		return load_fail(ld, "%s", strerror(-r));
	if (bad)
		return load_fail(ld, "qcow2 image is corrupt: %s", bad);
	q->autoclear = h->autoclear;
	q->dev.size = h->size & ~(uint64_t)(BLOCK_SECTOR_SIZE - 1);
	return count_clusters_in_use(q, ld);
}

/* Open the backing file, if the image names one, read-only. */
static int open_backing(struct qcow2 *q, struct qcow2_load *ld, unsigned depth)
{
	if (!ld->backing)
		return 0;
	char why[256];
	q->backing = disk_open_backing(ld->backing, *ld->backing_format ? ld->backing_format : NULL,
				       depth + 1, why, sizeof(why));
	if (q->backing)
		return 0;
	/* A failure deeper down already names its file. */
	if (!strncmp(why, "backing file ", 13))
		return load_fail(ld, "%s", why);
	return load_fail(ld, "backing file %s: %s", ld->backing, why);
}

/* Everything about the image that can be checked without trusting it, stage
 * by stage; the first stage that refuses the image gives the reason in
 * err. Reads only. What a stage leaves in q is freed by qcow2_close. */
static int qcow2_load(struct qcow2 *q, bool readonly, unsigned depth, uint64_t file_size, char *err,
		      size_t errlen)
{
	struct qcow2_load ld = {.err = err, .errlen = errlen, .file_size = file_size};
	const bool refused = load_header(q, &ld, file_size) || load_extensions(q, &ld) ||
			     check_features(&ld, readonly) || load_backing_name(q, &ld) ||
			     check_tables(q, &ld) || load_tables(q, &ld) ||
			     open_backing(q, &ld, depth);
	free(ld.cl0);
	free(ld.backing);
	return refused ? -1 : 0;
}

/* The permissions QEMU's qcow2 driver takes on its file (measured on QEMU
 * 7.2): read, and when writable also write and resize (clusters are
 * appended); nobody else may write or resize the file under its metadata,
 * even when it only reads. */
static int qcow2_lock(int fd, bool readonly, char *err, size_t errlen)
{
	const unsigned perm =
	    DISK_PERM_CONSISTENT_READ | (readonly ? 0 : DISK_PERM_WRITE | DISK_PERM_RESIZE);
	return disk_lock(fd, perm, DISK_PERM_WRITE | DISK_PERM_RESIZE, err, errlen);
}

struct block_dev *qcow2_open(const char *path, bool readonly, bool locking, unsigned depth,
			     char *err, size_t errlen)
{
	struct qcow2 *q = calloc(1, sizeof(*q));
	if (!q || !(q->path = strdup(path))) {
		free(q);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	q->dev.ops = &qcow2_ops;
	q->dev.readonly = readonly;
	q->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	struct stat st;
	off_t end = -1;
	if (q->fd < 0 || fstat(q->fd, &st) < 0 || (end = lseek(q->fd, 0, SEEK_END)) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		qcow2_close(&q->dev);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s", strerror(EISDIR));
		qcow2_close(&q->dev);
		return NULL;
	}
	if (locking && qcow2_lock(q->fd, readonly, err, errlen)) {
		qcow2_close(&q->dev);
		return NULL;
	}
	if (qcow2_load(q, readonly, depth, (uint64_t)end, err, errlen)) {
		qcow2_close(&q->dev);
		return NULL;
	}
	q->zbuf = malloc(q->cluster_size);
	q->cbuf = malloc(q->cluster_size);
	q->tbuf = malloc(q->cluster_size);
	if (!q->zbuf || !q->cbuf || !q->tbuf) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		qcow2_close(&q->dev);
		return NULL;
	}
	return &q->dev;
}
