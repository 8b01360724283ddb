/*
 * volume — object data across the drives of a deployment: which erasure
 * set a data file belongs to, its Reed-Solomon shards (one file per drive,
 * each 1 MiB block's shard followed by its CRC32C for bitrot detection),
 * writing them with a write quorum, reading them back (data shards only
 * when healthy, reconstruction when a shard is missing, short or corrupt),
 * and rebuilding the shards a drive lacks (healing).
 *
 * One drive is the degenerate geometry k=1, m=0: the same format, with
 * bitrot detection and no redundancy.
 *
 * Every call blocks (file I/O, hashing, coding): worker threads only.
 * Drive states are shared with the event loop through atomics.
 */
#ifndef CAIRN_VOLUME_H
#define CAIRN_VOLUME_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "drive.h"
#include "erasure.h"

enum { VOL_BLOCK = 1024 * 1024, VOL_MAX_DRIVES = 64 };

typedef enum { DRIVE_ONLINE = 0, DRIVE_OFFLINE = 1, DRIVE_HEALING = 2 } drive_state;

typedef struct volume {
    int n_drives;
    int n_sets, set_size, k, m;             /* the standard storage class */
    int write_quorum, read_quorum;
    int rrs_parity;                         /* REDUCED_REDUNDANCY (EC:1 by default) */
    drive *drives[VOL_MAX_DRIVES];          /* NULL when the drive could not be opened */
    _Atomic int state[VOL_MAX_DRIVES];
    ec_codec codec;
    ec_codec rrs_codec;
} volume;

/* Parity of a data file: VOL_PARITY_STANDARD, or the reduced one. */
enum { VOL_PARITY_STANDARD = -1 };

/* Layout for n drives: the most even split into sets of 2..16 (one set
 * for up to 16 drives), parity by set size as MinIO chooses it unless
 * parity >= 0 is given.  Returns 0 or -1 for an impossible geometry. */
int volume_layout(int n_drives, int parity, int *n_sets, int *set_size, int *k, int *m);
int volume_init(volume *v, int n_drives, int parity, int rrs_parity);
/* The parity a class resolves to (standard when reduced is not asked). */
int volume_parity(const volume *v, int reduced);

/* The set a data file lives in and the drive holding shard j of it. */
int volume_set_of(const volume *v, const data_id *id);
int volume_drive_of(const volume *v, const data_id *id, int shard);

int volume_online(const volume *v, int drive_index);
void volume_mark_offline(volume *v, int drive_index, const char *why);

typedef struct vol_writer vol_writer;
/* Tmp shard files on every online drive of the id's set; fails when fewer
 * than the write quorum could be created. */
int vol_writer_create(volume *v, const data_id *id, int parity, vol_writer **out);
/* Blocks in order, each VOL_BLOCK bytes except the last. */
int vol_writer_write(vol_writer *w, const void *block, size_t n);
/* fsync + rename on every drive still writing; 0 when a write quorum
 * committed (the others are marked offline), else -EIO/-ENOSPC. */
int vol_writer_commit(vol_writer *w);
void vol_writer_discard(vol_writer *w);

typedef struct vol_reader vol_reader;
int vol_reader_open(volume *v, const data_id *id, uint64_t size, int parity, vol_reader **out);
/* parity: the data file's (its record says; VOL_PARITY_STANDARD when
 * absent).  Reads n bytes at off (inside the object); returns n or -errno.
 * -EIO when fewer than k good shards remain for some block. */
ssize_t vol_reader_read(vol_reader *r, void *buf, size_t n, uint64_t off);
/* Shards found missing or corrupt so far (the object needs healing). */
int vol_reader_damage(const vol_reader *r);
/* Shard files that could be opened so far. */
int vol_reader_available(const vol_reader *r);
void vol_reader_close(vol_reader *r);

int vol_remove(volume *v, const data_id *id);

/* Checks every shard of a data file and rebuilds the bad ones on their
 * drives.  *healed = shards rewritten; returns 0, or -errno when the file
 * cannot be rebuilt (fewer than k good shards).  deep = verify checksums
 * (else only presence and size). */
int vol_heal(volume *v, const data_id *id, uint64_t size, int parity, int deep, int *healed, uint64_t *bytes);

#endif
