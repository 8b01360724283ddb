#include "volume.h"

#include <errno.h>
#include <isa-l/crc.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"

/* ---------- layout ---------- */

int volume_layout(int n, int parity, int *n_sets, int *set_size, int *k, int *m)
{
    if (n < 1 || n > VOL_MAX_DRIVES) return -1;
    int size = n;
    if (n > 16) {
        /* the largest set size from 16 down to 2 that divides n evenly */
        size = 0;
        for (int s = 16; s >= 2; s--) if (n % s == 0) { size = s; break; }
        if (!size) return -1;
    }
    int p = parity;
    if (p < 0) p = size == 1 ? 0 : size <= 3 ? 1 : size <= 5 ? 2 : size <= 7 ? 3 : 4;
    if (size > 1 && (p < 1 || p > size / 2)) return -1;
    if (size == 1 && p != 0) return -1;
    *n_sets = n / size;
    *set_size = size;
    *m = p;
    *k = size - p;
    return 0;
}

int volume_init(volume *v, int n_drives, int parity, int rrs_parity)
{
    memset(v, 0, sizeof *v);
    if (volume_layout(n_drives, parity, &v->n_sets, &v->set_size, &v->k, &v->m) != 0) return -1;
    v->n_drives = n_drives;
    v->read_quorum = v->k;
    v->write_quorum = v->k == v->m ? v->k + 1 : v->k;
    if (rrs_parity < 0) rrs_parity = v->set_size > 1 ? 1 : 0;
    if (rrs_parity > v->m) rrs_parity = v->m;     /* never more parity than standard */
    if (v->set_size > 1 && rrs_parity < 1) rrs_parity = 1;
    v->rrs_parity = rrs_parity;
    for (int i = 0; i < n_drives; i++) atomic_store(&v->state[i], DRIVE_ONLINE);
    if (ec_codec_init(&v->rrs_codec, v->set_size - rrs_parity, rrs_parity) != 0) return -1;
    return ec_codec_init(&v->codec, v->k, v->m);
}

int volume_parity(const volume *v, int reduced) { return reduced ? v->rrs_parity : v->m; }

/* The geometry of one data file. */
typedef struct geometry { int k, m, write_quorum; const ec_codec *codec; } geometry;

static geometry geometry_of(const volume *v, int parity)
{
    geometry g;
    if (parity < 0 || parity == v->m) {
        g.k = v->k;
        g.m = v->m;
        g.codec = &v->codec;
    } else {
        g.k = v->set_size - v->rrs_parity;
        g.m = v->rrs_parity;
        g.codec = &v->rrs_codec;
    }
    g.write_quorum = g.k == g.m ? g.k + 1 : g.k;
    return g;
}

int volume_set_of(const volume *v, const data_id *id) { return id->b[0] % v->n_sets; }

int volume_drive_of(const volume *v, const data_id *id, int shard)
{
    /* rotate shards over the set so data shards do not always land on
     * the same drives */
    int rot = id->b[1] % v->set_size;
    return volume_set_of(v, id) * v->set_size + (shard + rot) % v->set_size;
}

int volume_online(const volume *v, int i)
{
    return v->drives[i] && atomic_load(&((volume *)v)->state[i]) == DRIVE_ONLINE;
}

void volume_mark_offline(volume *v, int i, const char *why)
{
    int old = atomic_exchange(&v->state[i], DRIVE_OFFLINE);
    if (old != DRIVE_OFFLINE && v->drives[i])
        log_warn("drive %s is offline: %s", v->drives[i]->path, why);
}

/* An error that says the drive itself is gone, not that one write failed. */
static int drive_fatal(int e) { return e == -ENOENT || e == -EIO || e == -EROFS || e == -ENOTDIR; }

static size_t full_shard(const geometry *g) { return (VOL_BLOCK + (size_t)g->k - 1) / (size_t)g->k; }

static uint32_t shard_crc(const unsigned char *p, size_t n) { return crc32_iscsi((unsigned char *)p, (int)n, 0xFFFFFFFFu); }

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bytes of the shard file on each drive for an object of `size` bytes. */
static uint64_t shard_file_size(const geometry *g, uint64_t size)
{
    uint64_t full = size / VOL_BLOCK, rest = size % VOL_BLOCK;
    uint64_t total = full * (full_shard(g) + 4);
    if (rest) total += (rest + (uint64_t)g->k - 1) / (uint64_t)g->k + 4;
    return total;
}

static unsigned char **alloc_shards(const volume *v, const geometry *g)
{
    unsigned char **s = calloc((size_t)v->set_size, sizeof *s);
    if (!s) return NULL;
    for (int j = 0; j < v->set_size; j++) {
        s[j] = malloc(full_shard(g) + 4);
        if (!s[j]) {
            for (int i = 0; i < j; i++) free(s[i]);
            free(s);
            return NULL;
        }
    }
    return s;
}

static void free_shards(const volume *v, unsigned char **s)
{
    if (!s) return;
    for (int j = 0; j < v->set_size; j++) free(s[j]);
    free(s);
}

/* Cuts a block into k zero-padded data shards and computes the parity. */
static size_t encode_block(const geometry *g, const unsigned char *block, size_t n, unsigned char **shards)
{
    size_t ss = (n + (size_t)g->k - 1) / (size_t)g->k;
    for (int j = 0; j < g->k; j++) {
        size_t off = (size_t)j * ss, len = off < n ? (n - off < ss ? n - off : ss) : 0;
        if (len) memcpy(shards[j], block + off, len);
        if (len < ss) memset(shards[j] + len, 0, ss - len);
    }
    ec_encode(g->codec, shards, ss);
    for (int j = 0; j < g->k + g->m; j++) put_le32(shards[j] + ss, shard_crc(shards[j], ss));
    return ss;
}

/* ---------- writing ---------- */

struct vol_writer {
    volume *v;
    geometry g;
    data_id id;
    drive_file *files[EC_MAX_SHARDS];   /* by shard index */
    int drive_of[EC_MAX_SHARDS];
    int live;                           /* shards still being written */
    int nospace;
    uint64_t off;
    unsigned char **shards;
};

static int writer_quorum_error(vol_writer *w) { return w->nospace ? -ENOSPC : -EIO; }

static void writer_drop(vol_writer *w, int j, int e)
{
    if (!w->files[j]) return;
    w->v->drives[w->drive_of[j]]->ops->discard(w->files[j]);
    w->files[j] = NULL;
    w->live--;
    if (e == -ENOSPC) w->nospace = 1;
    if (drive_fatal(e)) volume_mark_offline(w->v, w->drive_of[j], strerror(-e));
}

int vol_writer_create(volume *v, const data_id *id, int parity, vol_writer **out)
{
    vol_writer *w = calloc(1, sizeof *w);
    if (!w) return -ENOMEM;
    w->v = v;
    w->g = geometry_of(v, parity);
    w->id = *id;
    w->shards = alloc_shards(v, &w->g);
    if (!w->shards) { free(w); return -ENOMEM; }
    for (int j = 0; j < v->set_size; j++) {
        int d = volume_drive_of(v, id, j);
        w->drive_of[j] = d;
        if (!volume_online(v, d)) continue;
        int e = v->drives[d]->ops->create(v->drives[d], id, &w->files[j]);
        if (e) {
            w->files[j] = NULL;
            if (e == -ENOSPC) w->nospace = 1;
            if (drive_fatal(e)) volume_mark_offline(v, d, strerror(-e));
            continue;
        }
        w->live++;
    }
    if (w->live < w->g.write_quorum) {
        int e = writer_quorum_error(w);
        vol_writer_discard(w);
        return e;
    }
    *out = w;
    return 0;
}

int vol_writer_write(vol_writer *w, const void *block, size_t n)
{
    volume *v = w->v;
    size_t ss = encode_block(&w->g, block, n, w->shards);
    for (int j = 0; j < v->set_size; j++) {
        if (!w->files[j]) continue;
        int e = v->drives[w->drive_of[j]]->ops->write(w->files[j], w->shards[j], ss + 4, w->off);
        if (e) writer_drop(w, j, e);
    }
    w->off += ss + 4;
    return w->live >= w->g.write_quorum ? 0 : writer_quorum_error(w);
}

int vol_writer_commit(vol_writer *w)
{
    volume *v = w->v;
    int committed = 0;
    for (int j = 0; j < v->set_size; j++) {
        if (!w->files[j]) continue;
        int e = v->drives[w->drive_of[j]]->ops->commit(w->files[j]);
        w->files[j] = NULL;
        if (e) {
            if (e == -ENOSPC) w->nospace = 1;
            if (drive_fatal(e)) volume_mark_offline(v, w->drive_of[j], strerror(-e));
        } else {
            committed++;
        }
    }
    int rc = committed >= w->g.write_quorum ? 0 : writer_quorum_error(w);
    if (rc) vol_remove(v, &w->id);
    free_shards(v, w->shards);
    free(w);
    return rc;
}

void vol_writer_discard(vol_writer *w)
{
    for (int j = 0; j < w->v->set_size; j++)
        if (w->files[j]) w->v->drives[w->drive_of[j]]->ops->discard(w->files[j]);
    free_shards(w->v, w->shards);
    free(w);
}

int vol_remove(volume *v, const data_id *id)
{
    int rc = 0;
    for (int j = 0; j < v->set_size; j++) {
        int d = volume_drive_of(v, id, j);
        if (!v->drives[d]) continue;
        int e = v->drives[d]->ops->remove(v->drives[d], id);
        if (e && !rc) rc = e;
    }
    return rc;
}

/* ---------- reading ---------- */

struct vol_reader {
    volume *v;
    geometry g;
    data_id id;
    uint64_t size;
    drive_file *files[EC_MAX_SHARDS];
    int drive_of[EC_MAX_SHARDS];
    int opened[EC_MAX_SHARDS];          /* 0 not tried, 1 open, -1 unavailable */
    int damage;
    unsigned char **shards;
    unsigned char *block;
    int64_t cached;                     /* block index in `block`, or -1 */
    size_t cached_len;
};

int vol_reader_open(volume *v, const data_id *id, uint64_t size, int parity, vol_reader **out)
{
    vol_reader *r = calloc(1, sizeof *r);
    if (!r) return -ENOMEM;
    r->v = v;
    r->g = geometry_of(v, parity);
    r->id = *id;
    r->size = size;
    r->cached = -1;
    r->shards = alloc_shards(v, &r->g);
    r->block = malloc(VOL_BLOCK + (size_t)r->g.k);
    if (!r->shards || !r->block) {
        vol_reader_close(r);
        return -ENOMEM;
    }
    int available = 0, missing = 0;
    for (int j = 0; j < v->set_size; j++) {
        r->drive_of[j] = volume_drive_of(v, id, j);
        /* open the data shards now: a missing object shows up at once */
        if (j < r->g.k || available < r->g.k) {
            int d = r->drive_of[j];
            if (volume_online(v, d) && v->drives[d]->ops->open(v->drives[d], id, &r->files[j]) == 0) {
                r->opened[j] = 1;
                available++;
            } else {
                r->files[j] = NULL;
                r->opened[j] = -1;
                missing++;
            }
        }
    }
    (void)missing;
    *out = r;
    return 0;
}

/* Reads and checks shard j of a block; 1 good, 0 bad or unavailable. */
static int read_shard(vol_reader *r, int j, uint64_t foff, size_t ss)
{
    volume *v = r->v;
    if (r->opened[j] == 0) {
        int d = r->drive_of[j];
        if (volume_online(v, d) && v->drives[d]->ops->open(v->drives[d], &r->id, &r->files[j]) == 0) {
            r->opened[j] = 1;
        } else {
            r->files[j] = NULL;
            r->opened[j] = -1;
        }
    }
    if (r->opened[j] != 1) return 0;
    ssize_t got = v->drives[r->drive_of[j]]->ops->read(r->files[j], r->shards[j], ss + 4, foff);
    if (got != (ssize_t)(ss + 4)) return 0;
    return shard_crc(r->shards[j], ss) == get_le32(r->shards[j] + ss);
}

static size_t block_len(const vol_reader *r, uint64_t b)
{
    return r->size - b * VOL_BLOCK > VOL_BLOCK ? VOL_BLOCK : (size_t)(r->size - b * VOL_BLOCK);
}

/* Every data shard of a block read straight into dst, its padding and
 * checksum into the shard buffer beside: no user-space copy of the block.
 * 1 when all k are there and good; 0 sends the caller to the shard-by-shard
 * path (reconstruction needs whole shards), which reads them again. */
static int read_data_shards_into(vol_reader *r, uint64_t foff, size_t ss, size_t len, unsigned char *dst)
{
    const geometry *g = &r->g;
    for (int j = 0; j < g->k; j++) {
        size_t off = (size_t)j * ss;
        if (off >= len || r->opened[j] != 1) return 0;
        const drive_ops *ops = r->v->drives[r->drive_of[j]]->ops;
        if (!ops->read_split) return 0;
        size_t in_dst = len - off < ss ? len - off : ss, tail_n = ss - in_dst + 4;
        unsigned char *tail = r->shards[j];
        if (ops->read_split(r->files[j], dst + off, in_dst, tail, tail_n, foff) != (ssize_t)(ss + 4)) return 0;
        /* the checksum covers the shard's data and padding, in that order */
        uint32_t crc = crc32_iscsi(dst + off, (int)in_dst, 0xFFFFFFFFu);
        if (tail_n > 4) crc = crc32_iscsi(tail, (int)(tail_n - 4), crc);
        if (crc != get_le32(tail + tail_n - 4)) return 0;
    }
    return 1;
}

/* Block b's bytes, verified (and rebuilt from parity when a shard is bad),
 * assembled into dst. */
static int decode_block_into(vol_reader *r, uint64_t b, unsigned char *dst)
{
    const geometry *g = &r->g;
    size_t len = block_len(r, b);
    size_t ss = (len + (size_t)g->k - 1) / (size_t)g->k;
    uint64_t foff = b * (full_shard(g) + 4);
    if (read_data_shards_into(r, foff, ss, len, dst)) return 0;
    int present[EC_MAX_SHARDS] = { 0 }, good = 0;
    for (int j = 0; j < g->k; j++) {
        present[j] = read_shard(r, j, foff, ss);
        good += present[j];
    }
    if (good < g->k) {
        for (int j = g->k; j < g->k + g->m && good < g->k; j++) {
            present[j] = read_shard(r, j, foff, ss);
            good += present[j];
        }
        /* Damage is a shard missing or corrupt on a drive that is there:
         * an offline drive is nothing a heal could fix now. */
        for (int j = 0; j < g->k + g->m; j++)
            if (!present[j] && r->opened[j] != 0 && volume_online(r->v, r->drive_of[j])) r->damage++;
        if (good < g->k) return -EIO;
        if (ec_reconstruct(g->codec, r->shards, present, ss) != 0) return -EIO;
    }
    for (int j = 0; j < g->k; j++) {
        size_t off = (size_t)j * ss;
        if (off >= len) break;
        memcpy(dst + off, r->shards[j], len - off < ss ? len - off : ss);
    }
    return 0;
}

static int decode_block(vol_reader *r, uint64_t b)
{
    r->cached = -1;
    int e = decode_block_into(r, b, r->block);
    if (e) return e;
    r->cached = (int64_t)b;
    r->cached_len = block_len(r, b);
    return 0;
}

ssize_t vol_reader_read(vol_reader *r, void *buf, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n && off + done < r->size) {
        uint64_t pos = off + done, b = pos / VOL_BLOCK;
        /* a whole block the caller takes at once goes straight into its
         * buffer: one copy of every byte fewer on a streaming GET */
        if (pos == b * VOL_BLOCK && r->cached != (int64_t)b && n - done >= block_len(r, b)) {
            int e = decode_block_into(r, b, (unsigned char *)buf + done);
            if (e) return e;
            done += block_len(r, b);
            continue;
        }
        if (r->cached != (int64_t)b) {
            int e = decode_block(r, b);
            if (e) return e;
        }
        size_t in = (size_t)(pos - b * VOL_BLOCK), take = r->cached_len - in;
        if (take > n - done) take = n - done;
        memcpy((char *)buf + done, r->block + in, take);
        done += take;
    }
    return (ssize_t)done;
}

int vol_reader_damage(const vol_reader *r) { return r->damage; }

int vol_reader_available(const vol_reader *r)
{
    int n = 0;
    for (int j = 0; j < r->v->set_size; j++) n += r->opened[j] == 1;
    return n;
}

void vol_reader_close(vol_reader *r)
{
    if (!r) return;
    for (int j = 0; j < r->v->set_size; j++)
        if (r->files[j]) r->v->drives[r->drive_of[j]]->ops->close(r->files[j]);
    free_shards(r->v, r->shards);
    free(r->block);
    free(r);
}

/* ---------- healing ---------- */

int vol_heal(volume *v, const data_id *id, uint64_t size, int parity, int deep, int *healed, uint64_t *bytes)
{
    *healed = 0;
    *bytes = 0;
    geometry g = geometry_of(v, parity);
    uint64_t want = shard_file_size(&g, size);
    int bad[EC_MAX_SHARDS] = { 0 }, n_bad = 0;
    for (int j = 0; j < v->set_size; j++) {
        int d = volume_drive_of(v, id, j);
        uint64_t have;
        if (!volume_online(v, d)) continue;          /* cannot heal onto it now */
        if (v->drives[d]->ops->size_of(v->drives[d], id, &have) != 0 || have != want) {
            bad[j] = 1;
            n_bad++;
        }
    }
    vol_reader *r;
    int e = vol_reader_open(v, id, size, parity, &r);
    if (e) return e;
    uint64_t blocks = (size + VOL_BLOCK - 1) / VOL_BLOCK;
    if (deep) {
        /* every shard of every block, against its checksum */
        for (uint64_t b = 0; b < blocks; b++) {
            size_t len = size - b * VOL_BLOCK > VOL_BLOCK ? VOL_BLOCK : (size_t)(size - b * VOL_BLOCK);
            size_t ss = (len + (size_t)g.k - 1) / (size_t)g.k;
            for (int j = 0; j < v->set_size; j++) {
                if (bad[j] || !volume_online(v, r->drive_of[j])) continue;
                if (!read_shard(r, j, b * (full_shard(&g) + 4), ss)) { bad[j] = 1; n_bad++; }
            }
        }
    }
    if (!n_bad) { vol_reader_close(r); return 0; }
    drive_file *out[EC_MAX_SHARDS] = { 0 };
    for (int j = 0; j < v->set_size; j++) {
        if (!bad[j]) continue;
        int d = r->drive_of[j];
        if (v->drives[d]->ops->create(v->drives[d], id, &out[j]) != 0) { out[j] = NULL; bad[j] = 0; }
        /* a bad shard must not be read as a good one while rebuilding */
        if (r->files[j]) { v->drives[d]->ops->close(r->files[j]); r->files[j] = NULL; }
        r->opened[j] = -1;
    }
    uint64_t foff = 0;
    int rc = 0;
    for (uint64_t b = 0; b < blocks && !rc; b++) {
        if ((rc = decode_block(r, b)) != 0) break;
        /* re-encode the good block: every shard, including the lost ones */
        size_t ss = encode_block(&g, r->block, r->cached_len, r->shards);
        for (int j = 0; j < v->set_size; j++) {
            if (!out[j]) continue;
            int we = v->drives[r->drive_of[j]]->ops->write(out[j], r->shards[j], ss + 4, foff);
            if (we) { v->drives[r->drive_of[j]]->ops->discard(out[j]); out[j] = NULL; }
            else *bytes += ss + 4;
        }
        foff += ss + 4;
    }
    for (int j = 0; j < v->set_size; j++) {
        if (!out[j]) continue;
        if (rc) { v->drives[r->drive_of[j]]->ops->discard(out[j]); continue; }
        if (v->drives[r->drive_of[j]]->ops->commit(out[j]) == 0) (*healed)++;
    }
    vol_reader_close(r);
    return rc;
}
