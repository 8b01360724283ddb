/*
 * drive — where object data of one drive lives, behind an interface.
 *
 * A drive stores data files named by a 128-bit id (never by the object's
 * key, so no key can reach a path) and keeps in-flight writes in its own
 * tmp area.  The local implementation (drive_local.c) is a directory; a
 * remote drive on another node (cluster/) implements the same operations
 * over internal RPC, and erasure coding writes one shard file per drive
 * through the same calls.  Every call blocks: run them on worker threads.
 *
 * Owns: the layout under DIR/.cairn.sys/{tmp,data}; creating, committing
 * (fsync + rename into place), reading and removing data files; sweeping
 * tmp leftovers at start.  Does not touch metadata (meta.c does).
 */
#ifndef CAIRN_DRIVE_H
#define CAIRN_DRIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct drive drive;
typedef struct drive_file drive_file;

typedef struct data_id { unsigned char b[16]; } data_id;

typedef struct drive_ops {
    /* A new tmp file for id; becomes visible only by commit. */
    int (*create)(drive *d, const data_id *id, drive_file **out);
    int (*write)(drive_file *f, const void *p, size_t n, uint64_t off);
    /* fsync, close, rename into the data area, fsync the directory; frees f. */
    int (*commit)(drive_file *f);
    /* Close and remove a tmp file that will not be committed; frees f. */
    void (*discard)(drive_file *f);
    int (*open)(drive *d, const data_id *id, drive_file **out);
    ssize_t (*read)(drive_file *f, void *p, size_t n, uint64_t off);
    /* Optional: n bytes into p and the next tail_n into tail, in one call
     * (a shard's data straight into a response, its checksum beside). */
    ssize_t (*read_split)(drive_file *f, void *p, size_t n, void *tail, size_t tail_n, uint64_t off);
    void (*close)(drive_file *f);
    int (*remove)(drive *d, const data_id *id);
    /* Size of a committed data file, or -ENOENT. */
    int (*size_of)(drive *d, const data_id *id, uint64_t *out);
} drive_ops;

struct drive {
    const drive_ops *ops;
    char path[1024];      /* the drive's directory */
    char sys[1100];       /* DIR/.cairn.sys */
};

/* Opens (creating if needed) a local drive at path; sweeps its tmp area. */
int drive_local_open(const char *path, drive **out);
void drive_local_close(drive *d);

/* The same operations by id, each opening and closing the file: a peer
 * node's calls (cluster/) hold nothing between calls.  write_at creates
 * the tmp file on first use; commit_id makes it durable and visible. */
int drive_local_write_at(drive *d, const data_id *id, uint64_t off, const void *p, size_t n);
int drive_local_commit_id(drive *d, const data_id *id);
void drive_local_discard_id(drive *d, const data_id *id);
ssize_t drive_local_read_at(drive *d, const data_id *id, uint64_t off, void *p, size_t n);

void data_id_random(data_id *id);
void data_id_hex(const data_id *id, char out[33]);
int data_id_is_zero(const data_id *id);

#endif
