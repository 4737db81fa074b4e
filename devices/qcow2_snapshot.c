/*
 * Internal snapshots of a qcow2 image (devices/disk_snapshot.h, through
 * devices/disk_snapshot.c), as
 * docs/interop/qcow2.txt ("Snapshots") describes them: a snapshot is a
 * copy of the L1 table plus an entry in the snapshot table; every cluster
 * it reaches gains a reference. A cluster's refcount is the number of
 * paths to it: each L1 table (the active one and each snapshot's) counts
 * once for its own clusters, once for every L2 table it names and once
 * for every data cluster those name; that is what qemu-img check counts.
 *
 * Why a rebuild: creating, reverting and deleting change refcounts and the
 * COPIED bits (refcount exactly 1) of the active tables together, and they
 * live in different clusters. Changed in place, a crash between the two
 * writes leaves an image qemu-img check calls corrupt. So each operation
 * computes the new refcounts in memory and writes everything it changes to
 * fresh clusters past the end of the file: copies of the active L2 tables
 * (COPIED bits recomputed), a new active L1 table, a new snapshot table, a
 * new refcount table and blocks. Only then, after a flush, does one write of
 * the header (bytes 36-71: L1 size and offset, refcount table offset and
 * size, snapshot count and offset) switch to them. A crash before it leaves
 * the old image (the fresh clusters are past everything counted); after
 * it, the new one; the old tables are then free (refcount 0), never reused
 * (devices/disk_qcow2.c only appends).
 *
 * Creating: the snapshot takes the active L1 table where it lies (its L2
 * tables keep stale COPIED bits, which inactive tables may have), and the
 * active image goes on with copies that leave out the VM state area, as
 * QEMU discards it after savevm. Reverting: the active tables become copies
 * of the snapshot's, the VM state area included (QEMU's qcow2 does the
 * same). Deleting: the snapshot's paths are dropped.
 */
#define _GNU_SOURCE
#include "disk_snapshot.h"
#include "qcow2_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SNAP_ENTRY_FIXED 40u
/* The extra data we write: VM state size (64 bits), disk size, icount. */
#define SNAP_EXTRA_OURS 24u
/* QEMU's limit on extra data per entry. */
#define SNAP_EXTRA_MAX 1024u
/* Header bytes one write switches: l1_size .. snapshots_offset. */
#define HDR_SWITCH_AT  36
#define HDR_SWITCH_LEN 36

/* One snapshot table entry. */
struct snap {
	uint64_t l1_offset;
	uint32_t l1_size;
	struct disk_snapshot info;
	uint64_t disk_size;
	uint8_t *extra; /* as read (kept past what we know), or NULL */
	uint32_t extra_size;
};

struct snap_table {
	struct snap *s;
	unsigned n;
	uint64_t bytes; /* the table's size in the file */
};

static void table_free(struct snap_table *t)
{
	for (unsigned i = 0; i < t->n; i++)
		free(t->s[i].extra);
	free(t->s);
	t->s = NULL;
	t->n = 0;
}

static uint64_t entry_bytes(const struct snap *s)
{
	const uint64_t extra = s->extra_size > SNAP_EXTRA_OURS ? s->extra_size : SNAP_EXTRA_OURS;
	return (SNAP_ENTRY_FIXED + extra + strlen(s->info.id) + strlen(s->info.name) + 7) & ~7ull;
}

/* Read the snapshot table the header names; each entry checked. */
static int table_load(struct qcow2 *q, struct snap_table *t)
{
	memset(t, 0, sizeof(*t));
	if (!q->nb_snapshots)
		return 0;
	t->s = calloc(q->nb_snapshots, sizeof(*t->s));
	if (!t->s)
		return -ENOMEM;
	uint64_t pos = q->snapshots_offset;
	for (; t->n < q->nb_snapshots; t->n++) {
		struct snap *s = &t->s[t->n];
		uint8_t e[SNAP_ENTRY_FIXED];
		int r = disk_pread_full(q->fd, e, sizeof(e), pos);
		if (r)
			return r;
		s->l1_offset = get_be64(e);
		s->l1_size = get_be32(e + 8);
		const unsigned id_len = (unsigned)e[12] << 8 | e[13];
		const unsigned name_len = (unsigned)e[14] << 8 | e[15];
		s->info.date_sec = get_be32(e + 16);
		s->info.date_nsec = get_be32(e + 20);
		s->info.vm_clock_ns = get_be64(e + 24);
		s->info.vm_state_size = get_be32(e + 32);
		s->extra_size = get_be32(e + 36);
		if (id_len >= DISK_SNAPSHOT_ID_MAX || name_len >= DISK_SNAPSHOT_NAME_MAX ||
		    s->extra_size > SNAP_EXTRA_MAX || (s->l1_offset & (q->cluster_size - 1)) ||
		    (s->l1_size && !s->l1_offset) || (uint64_t)s->l1_size * 8 > (32u << 20))
			return qcow2_corrupt(q, "snapshot table entry %u is invalid", t->n);
		pos += SNAP_ENTRY_FIXED;
		if (s->extra_size) {
			if (!(s->extra = malloc(s->extra_size)))
				return -ENOMEM;
			if ((r = disk_pread_full(q->fd, s->extra, s->extra_size, pos)))
				return r;
			pos += s->extra_size;
		}
		if ((r = disk_pread_full(q->fd, s->info.id, id_len, pos)) ||
		    (r = disk_pread_full(q->fd, s->info.name, name_len, pos + id_len)))
			return r;
		pos = (pos + id_len + name_len + 7) & ~7ull;
		s->info.id[id_len] = s->info.name[name_len] = 0;
		s->disk_size = q->dev.size;
		s->info.icount = UINT64_MAX;
		if (s->extra_size >= 8)
			s->info.vm_state_size = get_be64(s->extra);
		if (s->extra_size >= 16)
			s->disk_size = get_be64(s->extra + 8);
		if (s->extra_size >= 24)
			s->info.icount = get_be64(s->extra + 16);
	}
	t->bytes = pos - q->snapshots_offset;
	return 0;
}

static void entry_put(uint8_t *p, const struct snap *s)
{
	const uint32_t extra = s->extra_size > SNAP_EXTRA_OURS ? s->extra_size : SNAP_EXTRA_OURS;
	const size_t id_len = strlen(s->info.id), name_len = strlen(s->info.name);
	memset(p, 0, entry_bytes(s));
	put_be64(p, s->l1_offset);
	put_be32(p + 8, s->l1_size);
	p[12] = (uint8_t)(id_len >> 8), p[13] = (uint8_t)id_len;
	p[14] = (uint8_t)(name_len >> 8), p[15] = (uint8_t)name_len;
	put_be32(p + 16, s->info.date_sec);
	put_be32(p + 20, s->info.date_nsec);
	put_be64(p + 24, s->info.vm_clock_ns);
	put_be32(p + 32, s->info.vm_state_size > UINT32_MAX ? 0 : (uint32_t)s->info.vm_state_size);
	put_be32(p + 36, extra);
	if (s->extra)
		memcpy(p + 40, s->extra, s->extra_size);
	put_be64(p + 40, s->info.vm_state_size);
	put_be64(p + 48, s->disk_size);
	put_be64(p + 56, s->info.icount);
	memcpy(p + 40 + extra, s->info.id, id_len);
	memcpy(p + 40 + extra + id_len, s->info.name, name_len);
}

/* The first snapshot whose ID or name is tag, or -1. */
static int table_find(const struct snap_table *t, const char *tag)
{
	for (unsigned i = 0; i < t->n; i++)
		if (!strcmp(t->s[i].info.id, tag) || !strcmp(t->s[i].info.name, tag))
			return (int)i;
	return -1;
}

/* An L1 table from the file, host byte order. */
static int l1_load(struct qcow2 *q, uint64_t off, uint32_t size, uint64_t **l1)
{
	*l1 = calloc(size ? size : 1, 8);
	if (!*l1)
		return -ENOMEM;
	const int r = disk_pread_full(q->fd, *l1, (size_t)size * 8, off);
	for (uint32_t i = 0; i < size; i++)
		(*l1)[i] = get_be64((const uint8_t *)&(*l1)[i]);
	return r;
}

/* ---- the rebuild ---- */

struct rebuild {
	struct qcow2 *q;
	uint64_t *rc; /* the new refcounts, by cluster */
	uint64_t nrc;
	uint64_t *before; /* the refcounts the file had, nbefore of them */
	uint64_t nbefore;
	uint64_t end; /* the next fresh cluster */
};

static void rebuild_free(struct rebuild *b)
{
	free(b->rc);
	free(b->before);
}

static int rc_add(struct rebuild *b, uint64_t off, int64_t d)
{
	const uint64_t c = off >> b->q->cluster_bits;
	if (c >= b->nrc) {
		uint64_t n = b->nrc * 2 > c + 1 ? b->nrc * 2 : c + 1;
		uint64_t *rc = realloc(b->rc, n * sizeof(*rc));
		if (!rc)
			return -ENOMEM;
		memset(rc + b->nrc, 0, (n - b->nrc) * sizeof(*rc));
		b->rc = rc;
		b->nrc = n;
	}
	if (d < 0 && b->rc[c] < (uint64_t)-d)
		return qcow2_corrupt(b->q, "cluster %#llx has more references than its refcount",
				     (unsigned long long)off);
	b->rc[c] += (uint64_t)d;
	return 0;
}

static uint64_t rc_of(const struct rebuild *b, uint64_t off)
{
	const uint64_t c = off >> b->q->cluster_bits;
	return c < b->nrc ? b->rc[c] : 0;
}

/* n fresh clusters past everything, referenced once. */
static int fresh(struct rebuild *b, uint64_t n, uint64_t *off)
{
	*off = b->end;
	b->end += n << b->q->cluster_bits;
	int r = 0;
	for (uint64_t i = 0; i < n && !r; i++)
		r = rc_add(b, *off + (i << b->q->cluster_bits), 1);
	return r;
}

static uint64_t clusters_for(const struct qcow2 *q, uint64_t bytes)
{
	return (bytes + q->cluster_size - 1) >> q->cluster_bits;
}

/* Add d to every cluster [off, off+bytes) covers. */
static int rc_range(struct rebuild *b, uint64_t off, uint64_t bytes, int64_t d)
{
	int r = 0;
	for (uint64_t i = 0; i < clusters_for(b->q, bytes) && !r; i++)
		r = rc_add(b, off + (i << b->q->cluster_bits), d);
	return r;
}

/* The data paths through the L2 table at l2_off: d each. */
static int paths_l2(struct rebuild *b, uint64_t l2_off, int64_t d)
{
	struct qcow2 *q = b->q;
	uint8_t *t;
	int r = qcow2_tcache_get(q, &q->l2_cache, l2_off, &t);
	for (uint64_t i = 0; i < q->cluster_size / 8 && !r; i++) {
		const uint64_t e = get_be64(t + 8 * i);
		enum cluster_kind kind;
		uint64_t host;
		if ((r = qcow2_classify(q, e, &kind, &host)))
			break;
		if (kind == C_COMPRESSED) {
			uint64_t off, len;
			qcow2_compressed_extent(q, e, &off, &len);
			const uint64_t first = off & ~(q->cluster_size - 1);
			r = rc_range(b, first, off + len - first, d);
		} else if (host) {
			r = rc_add(b, host, d);
		}
	}
	return r;
}

/* Every path from the L1 table l1 (at off, size entries): d each. */
static int paths(struct rebuild *b, const uint64_t *l1, uint32_t size, uint64_t off, int64_t d)
{
	int r = rc_range(b, off, (uint64_t)size * 8, d);
	for (uint32_t i = 0; i < size && !r; i++) {
		const uint64_t l2 = l1[i] & ENTRY_OFFSET_MASK;
		if (l2 && !(r = rc_add(b, l2, d)))
			r = paths_l2(b, l2, d);
	}
	return r;
}

/* The refcounts as the file has them. */
static int rebuild_begin(struct qcow2 *q, struct rebuild *b)
{
	memset(b, 0, sizeof(*b));
	b->q = q;
	b->end = q->file_end;
	b->nrc = (q->file_end >> q->cluster_bits) + 1;
	if (!(b->rc = calloc(b->nrc, sizeof(*b->rc))))
		return -ENOMEM;
	for (uint64_t ri = 0; ri < q->rt_entries; ri++) {
		if (!q->rt[ri])
			continue;
		uint8_t *rb;
		const int r = qcow2_tcache_get(q, &q->rb_cache, q->rt[ri], &rb);
		if (r)
			return r;
		for (uint64_t i = 0; i < (1ull << q->rb_bits); i++) {
			const uint64_t v = qcow2_refcount_decode(q, rb, i);
			const int e =
			    v ? rc_add(b, ((ri << q->rb_bits) + i) << q->cluster_bits, (int64_t)v)
			      : 0;
			if (e)
				return e;
		}
	}
	b->nbefore = b->nrc;
	if (!(b->before = malloc(b->nrc * sizeof(*b->before))))
		return -ENOMEM;
	memcpy(b->before, b->rc, b->nrc * sizeof(*b->before));
	return 0;
}

/* What the new active image is: the L2 tables of src (src_size entries),
 * the first `keep` of them, in an L1 table of new_size entries. */
struct new_active {
	const uint64_t *src;
	uint32_t src_size, keep, new_size;
};

/* A copy of the L2 table at from, at to, COPIED bits from the new counts. */
static int write_l2_copy(struct rebuild *b, uint64_t from, uint64_t to, uint8_t *buf)
{
	struct qcow2 *q = b->q;
	uint8_t *t;
	int r = qcow2_tcache_get(q, &q->l2_cache, from, &t);
	if (r)
		return r;
	memcpy(buf, t, q->cluster_size);
	for (uint64_t i = 0; i < q->cluster_size / 8; i++) {
		uint64_t e = get_be64(buf + 8 * i);
		enum cluster_kind kind;
		uint64_t host;
		if ((r = qcow2_classify(q, e, &kind, &host)))
			return r;
		e &= ~OFLAG_COPIED;
		if (kind != C_COMPRESSED && host && rc_of(b, host) == 1)
			e |= OFLAG_COPIED;
		put_be64(buf + 8 * i, e);
	}
	return disk_pwrite_full(q->fd, buf, q->cluster_size, to);
}

/* The refcount table and blocks for every cluster up to b->end, placed
 * there too (they count themselves): how many of each. */
static void refcount_layout(const struct rebuild *b, uint64_t *rt_clusters, uint64_t *blocks)
{
	const struct qcow2 *q = b->q;
	uint64_t rtc = 1, nb = 1;
	for (;;) {
		const uint64_t n = (b->end >> q->cluster_bits) + rtc + nb;
		const uint64_t want_nb = (n + (1ull << q->rb_bits) - 1) >> q->rb_bits;
		const uint64_t want_rtc = clusters_for(q, want_nb * 8);
		if (want_nb <= nb && want_rtc <= rtc)
			break;
		nb = want_nb > nb ? want_nb : nb;
		rtc = want_rtc > rtc ? want_rtc : rtc;
	}
	*rt_clusters = rtc;
	*blocks = nb;
}

/* Give the clusters the switch freed back to the file system (QEMU's
 * discard of freed clusters): the file keeps its size, since new clusters
 * never go there (devices/disk_qcow2.c only appends), but a machine state
 * replaced by each savevm no longer costs its size on the disk. Best
 * effort: a file system without holes keeps the bytes. */
static void release_freed(const struct rebuild *b)
{
	const struct qcow2 *q = b->q;
	for (uint64_t c = 0; c < b->nbefore;) {
		if (!b->before[c] || rc_of(b, c << q->cluster_bits)) {
			c++;
			continue;
		}
		uint64_t n = 1;
		while (c + n < b->nbefore && b->before[c + n] &&
		       !rc_of(b, (c + n) << q->cluster_bits))
			n++;
		if (fallocate(q->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)(c << q->cluster_bits), (off_t)(n << q->cluster_bits))) {
			/* not supported here: the bytes stay */
		}
		c += n;
	}
}

/* Drop the old active image's paths and the old snapshot and refcount
 * tables, build the new ones (na, the table t) in fresh clusters, and
 * switch the header to them. */
static int rebuild_finish(struct rebuild *b, const struct new_active *na,
			  const struct snap_table *t, uint64_t old_table_bytes)
{
	struct qcow2 *q = b->q;
	const uint64_t cs = q->cluster_size;
	int r = paths(b, q->l1, q->l1_size, q->l1_offset, -1);
	if (!r && q->nb_snapshots)
		r = rc_range(b, q->snapshots_offset, old_table_bytes, -1);
	if (!r)
		r = rc_range(b, q->rt_offset, (uint64_t)q->rt_clusters * cs, -1);
	for (uint64_t ri = 0; ri < q->rt_entries && !r; ri++)
		if (q->rt[ri])
			r = rc_add(b, q->rt[ri], -1);
	if (r)
		return r;

	uint64_t *l1 = calloc(na->new_size ? na->new_size : 1, 8);
	uint64_t *from = calloc(na->new_size ? na->new_size : 1, 8);
	uint8_t *buf = NULL, *rt = NULL;
	if (!l1 || !from) {
		r = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < na->keep && i < na->src_size && i < na->new_size && !r; i++) {
		from[i] = na->src[i] & ENTRY_OFFSET_MASK;
		if (from[i] && !(r = fresh(b, 1, &l1[i])))
			r = paths_l2(b, from[i], 1);
	}
	uint64_t l1_off = 0, table_off = 0, table_bytes = 0, rt_off, rtc, nb;
	if (!r && na->new_size)
		r = fresh(b, clusters_for(q, (uint64_t)na->new_size * 8), &l1_off);
	for (unsigned i = 0; i < t->n; i++)
		table_bytes += entry_bytes(&t->s[i]);
	if (!r && t->n)
		r = fresh(b, clusters_for(q, table_bytes), &table_off);
	if (r)
		goto out;
	refcount_layout(b, &rtc, &nb);
	if ((r = fresh(b, rtc + nb, &rt_off)))
		goto out;
	const unsigned bits = 1u << q->refcount_order;
	const uint64_t max = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
	for (uint64_t c = 0; c < b->nrc; c++)
		if (b->rc[c] > max) {
			r = -ERANGE; /* QEMU: refcount overflow */
			goto out;
		}

	const uint64_t bufsize =
	    (rtc > clusters_for(q, table_bytes) ? rtc : clusters_for(q, table_bytes)) * cs;
	buf = calloc(1, bufsize > cs * 2 ? bufsize : cs * 2);
	rt = calloc(rtc, cs);
	if (!buf || !rt) {
		r = -ENOMEM;
		goto out;
	}
	/* The new tables, all in fresh clusters. */
	for (uint32_t i = 0; i < na->new_size && !r; i++)
		if (from[i]) {
			r = write_l2_copy(b, from[i], l1[i], buf);
			l1[i] |= OFLAG_COPIED; /* a fresh copy: one reference */
		}
	for (uint32_t i = 0; i < na->new_size && !r; i += (uint32_t)(cs / 8)) {
		const uint32_t n =
		    na->new_size - i < cs / 8 ? na->new_size - i : (uint32_t)(cs / 8);
		memset(buf, 0, cs);
		for (uint32_t j = 0; j < n; j++)
			put_be64(buf + 8 * j, l1[i + j]);
		r = disk_pwrite_full(q->fd, buf, cs, l1_off + (uint64_t)i * 8);
	}
	if (!r && t->n) {
		memset(buf, 0, clusters_for(q, table_bytes) * cs);
		uint64_t at = 0;
		for (unsigned i = 0; i < t->n; i++) {
			entry_put(buf + at, &t->s[i]);
			at += entry_bytes(&t->s[i]);
		}
		r = disk_pwrite_full(q->fd, buf, clusters_for(q, table_bytes) * cs, table_off);
	}
	const uint64_t rb0 = rt_off + rtc * cs;
	for (uint64_t bi = 0; bi < nb && !r; bi++) {
		memset(buf, 0, cs);
		for (uint64_t i = 0; i < (1ull << q->rb_bits); i++) {
			const uint64_t c = (bi << q->rb_bits) + i;
			size_t at, len;
			if (c < b->nrc && b->rc[c])
				qcow2_refcount_store(q, buf, i, b->rc[c], &at, &len);
		}
		put_be64(rt + 8 * bi, rb0 + bi * cs);
		r = disk_pwrite_full(q->fd, buf, cs, rb0 + bi * cs);
	}
	if (!r)
		r = disk_pwrite_full(q->fd, rt, rtc * cs, rt_off);
	if (!r)
		r = disk_fdatasync(q->fd, &q->flush_failed);
	if (r)
		goto out; /* the image is as it was: nothing counts what we wrote */

	/* The switch: one write of the header. */
	uint8_t h[HDR_SWITCH_LEN];
	put_be32(h, na->new_size);
	put_be64(h + 4, l1_off);
	put_be64(h + 12, rt_off);
	put_be32(h + 20, (uint32_t)rtc);
	put_be32(h + 24, t->n);
	put_be64(h + 28, table_off);
	if ((r = disk_pwrite_full(q->fd, h, sizeof(h), HDR_SWITCH_AT))) {
		q->broken = true; /* the header may be half old, half new */
		goto out;
	}
	free(q->l1);
	q->l1 = l1;
	l1 = NULL;
	q->l1_size = na->new_size;
	q->l1_offset = l1_off;
	uint64_t *nrt = calloc(rtc * cs / 8, 8);
	if (!nrt) {
		q->broken = true;
		r = -ENOMEM;
		goto out;
	}
	for (uint64_t i = 0; i < nb; i++)
		nrt[i] = rb0 + i * cs;
	free(q->rt);
	q->rt = nrt;
	q->rt_entries = rtc * cs / 8;
	q->rt_offset = rt_off;
	q->rt_clusters = (uint32_t)rtc;
	q->nb_snapshots = t->n;
	q->snapshots_offset = table_off;
	q->file_end = b->end;
	qcow2_tcache_drop(q);
	release_freed(b);
out:
	free(l1);
	free(from);
	free(buf);
	free(rt);
	return r;
}

/* ---- the operations ---- */

/* Ready to change the image: a writable qcow2 with its unknown autoclear
 * features cleared, as before a guest write. */
static int writable(struct block_dev *dev, struct qcow2 **qp)
{
	struct qcow2 *q = qcow2_of(dev);
	if (!q || dev->readonly)
		return -ENOTSUP;
	if (q->broken)
		return -EIO;
	const int r = qcow2_clear_autoclear(q);
	if (r)
		return r;
	*qp = q;
	return 0;
}

int qcow2_snapshot_list(struct block_dev *dev, struct disk_snapshot **list, unsigned *n)
{
	struct qcow2 *q = qcow2_of(dev);
	*list = NULL;
	*n = 0;
	if (!q)
		return -ENOTSUP;
	struct snap_table t;
	int r = table_load(q, &t);
	if (!r && t.n && !(*list = calloc(t.n, sizeof(**list))))
		r = -ENOMEM;
	for (unsigned i = 0; !r && i < t.n; i++)
		(*list)[i] = t.s[i].info;
	if (!r)
		*n = t.n;
	table_free(&t);
	return r;
}

/* The first L1 entry past the disk: where the VM state starts. */
static uint32_t vmstate_l1_index(const struct qcow2 *q)
{
	const unsigned shift = q->cluster_bits + q->l2_bits;
	return (uint32_t)((q->dev.size + (1ull << shift) - 1) >> shift);
}

int qcow2_snapshot_create(struct block_dev *dev, struct disk_snapshot *sn)
{
	struct qcow2 *q;
	int r = writable(dev, &q);
	if (r)
		return r;
	struct snap_table t;
	struct rebuild b = {0};
	if ((r = table_load(q, &t)))
		goto out;
	/* A new ID: one past the highest numeric one (QEMU's rule). */
	unsigned long max_id = 0;
	for (unsigned i = 0; i < t.n; i++) {
		const unsigned long v = strtoul(t.s[i].info.id, NULL, 10);
		max_id = v > max_id ? v : max_id;
	}
	snprintf(sn->id, sizeof(sn->id), "%lu", max_id + 1);
	struct snap *grown = realloc(t.s, (t.n + 1) * sizeof(*t.s));
	if (!grown) {
		r = -ENOMEM;
		goto out;
	}
	t.s = grown;
	struct snap *s = &t.s[t.n];
	memset(s, 0, sizeof(*s));
	s->info = *sn;
	s->l1_offset = q->l1_offset;
	s->l1_size = q->l1_size;
	s->disk_size = q->dev.size;
	const uint64_t old_bytes = t.bytes;
	t.n++;
	if ((r = rebuild_begin(q, &b)) || (r = paths(&b, q->l1, q->l1_size, q->l1_offset, 1)))
		goto out;
	const struct new_active na = {q->l1, q->l1_size, vmstate_l1_index(q), q->l1_size};
	r = rebuild_finish(&b, &na, &t, old_bytes);
out:
	rebuild_free(&b);
	table_free(&t);
	return r;
}

int qcow2_snapshot_goto(struct block_dev *dev, const char *tag)
{
	struct qcow2 *q;
	int r = writable(dev, &q);
	if (r)
		return r;
	struct snap_table t;
	struct rebuild b = {0};
	uint64_t *l1 = NULL;
	if ((r = table_load(q, &t)))
		goto out;
	const int i = table_find(&t, tag);
	if (i < 0) {
		r = -ENOENT;
		goto out;
	}
	const struct snap *s = &t.s[i];
	if ((r = l1_load(q, s->l1_offset, s->l1_size, &l1)) || (r = rebuild_begin(q, &b)))
		goto out;
	const uint32_t size = s->l1_size > q->l1_size ? s->l1_size : q->l1_size;
	const struct new_active na = {l1, s->l1_size, s->l1_size, size};
	r = rebuild_finish(&b, &na, &t, t.bytes);
out:
	free(l1);
	rebuild_free(&b);
	table_free(&t);
	return r;
}

int qcow2_snapshot_delete(struct block_dev *dev, const char *tag)
{
	struct qcow2 *q;
	int r = writable(dev, &q);
	if (r)
		return r;
	struct snap_table t;
	struct rebuild b = {0};
	uint64_t *l1 = NULL;
	if ((r = table_load(q, &t)))
		goto out;
	const int i = table_find(&t, tag);
	if (i < 0) {
		r = -ENOENT;
		goto out;
	}
	const struct snap gone = t.s[i];
	if ((r = l1_load(q, gone.l1_offset, gone.l1_size, &l1)) || (r = rebuild_begin(q, &b)) ||
	    (r = paths(&b, l1, gone.l1_size, gone.l1_offset, -1)))
		goto out;
	free(gone.extra);
	memmove(&t.s[i], &t.s[i + 1], (t.n - (unsigned)i - 1) * sizeof(*t.s));
	t.n--;
	const struct new_active na = {q->l1, q->l1_size, q->l1_size, q->l1_size};
	r = rebuild_finish(&b, &na, &t, t.bytes);
out:
	free(l1);
	rebuild_free(&b);
	table_free(&t);
	return r;
}

/* The active L1 table grown to size entries (the VM state area). */
static int l1_grow(struct qcow2 *q, uint32_t size)
{
	if (size <= q->l1_size)
		return 0;
	if ((uint64_t)size * 8 > (32u << 20))
		return -EFBIG;
	struct snap_table t;
	struct rebuild b = {0};
	int r = table_load(q, &t);
	if (!r && !(r = rebuild_begin(q, &b))) {
		const struct new_active na = {q->l1, q->l1_size, q->l1_size, size};
		r = rebuild_finish(&b, &na, &t, t.bytes);
	}
	rebuild_free(&b);
	table_free(&t);
	return r;
}

int qcow2_vmstate_write(struct block_dev *dev, uint64_t off, const void *buf, size_t len)
{
	struct qcow2 *q;
	int r = writable(dev, &q);
	if (r || !len)
		return r;
	const unsigned shift = q->cluster_bits + q->l2_bits;
	const uint64_t base = (uint64_t)vmstate_l1_index(q) << shift;
	if ((r = l1_grow(q, (uint32_t)(((base + off + len - 1) >> shift) + 1))))
		return r;
	const uint8_t *p = buf;
	for (uint64_t goff = base + off; len;) {
		const uint64_t in = goff & (q->cluster_size - 1);
		const size_t n = q->cluster_size - in < len ? (size_t)(q->cluster_size - in) : len;
		if ((r = qcow2_write_in_cluster(q, goff, p, n)))
			return r;
		p += n, goff += n, len -= n;
	}
	return 0;
}

int qcow2_snapshot_vmstate_read(struct block_dev *dev, const char *tag, uint64_t off, void *buf,
				size_t len)
{
	struct qcow2 *q = qcow2_of(dev);
	if (!q)
		return -ENOTSUP;
	struct snap_table t;
	uint64_t *l1 = NULL;
	int r = table_load(q, &t);
	const int i = r ? -1 : table_find(&t, tag);
	if (!r && i < 0)
		r = -ENOENT;
	if (!r && off + len > t.s[i].info.vm_state_size)
		r = -EINVAL;
	if (!r)
		r = l1_load(q, t.s[i].l1_offset, t.s[i].l1_size, &l1);
	const unsigned shift = q->cluster_bits + q->l2_bits;
	uint8_t *p = buf;
	for (uint64_t goff = ((uint64_t)vmstate_l1_index(q) << shift) + off; !r && len;) {
		const uint64_t in = goff & (q->cluster_size - 1);
		const size_t n = q->cluster_size - in < len ? (size_t)(q->cluster_size - in) : len;
		r = qcow2_read_in_cluster(q, l1, t.s[i].l1_size, goff, p, n);
		p += n, goff += n, len -= n;
	}
	free(l1);
	table_free(&t);
	return r;
}
