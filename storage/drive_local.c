#include "drive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "fsio.h"

typedef struct local_file {
    drive_file *self_tag;
    drive *d;
    int fd;
    int faults;                 /* writes go through fault injection */
    data_id id;
    char tmp_path[1200];
} local_file;

void data_id_random(data_id *id)
{
    if (RAND_bytes(id->b, sizeof id->b) != 1) abort();
}

void data_id_hex(const data_id *id, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[id->b[i] >> 4];
        out[2 * i + 1] = hex[id->b[i] & 15];
    }
    out[32] = '\0';
}

int data_id_is_zero(const data_id *id)
{
    for (int i = 0; i < 16; i++) if (id->b[i]) return 0;
    return 1;
}

/* data/<first two hex digits>/<id>: 256 directories keep each small. */
static void data_path(drive *d, const data_id *id, char *out, size_t cap)
{
    char hex[33];
    data_id_hex(id, hex);
    snprintf(out, cap, "%s/data/%.2s/%s", d->sys, hex, hex);
}

/* A handle on id's tmp file, opened with extra flags (O_EXCL: a new one). */
static int open_tmp(drive *d, const data_id *id, int flags, local_file **out)
{
    local_file *f = calloc(1, sizeof *f);
    if (!f) return -ENOMEM;
    char hex[33];
    data_id_hex(id, hex);
    snprintf(f->tmp_path, sizeof f->tmp_path, "%s/tmp/%s", d->sys, hex);
    f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);
    if (f->fd < 0) {
        int e = -errno;
        free(f);
        return e;
    }
    f->d = d;
    f->id = *id;
    f->faults = fsio_fault_applies(f->tmp_path);
    *out = f;
    return 0;
}

static int local_create(drive *d, const data_id *id, drive_file **out)
{
    local_file *f = NULL;
    int r = open_tmp(d, id, O_EXCL, &f);
    if (r == 0) *out = (drive_file *)f;
    return r;
}

static int local_write(drive_file *df, const void *p, size_t n, uint64_t off)
{
    local_file *f = (local_file *)df;
    return f->faults ? fsio_pwrite_all(f->fd, p, n, (off_t)off) : fsio_pwrite_all_exempt(f->fd, p, n, (off_t)off);
}

static int local_commit(drive_file *df)
{
    local_file *f = (local_file *)df;
    char final[1200];
    data_path(f->d, &f->id, final, sizeof final);
    int r = fsio_fsync(f->fd);
    close(f->fd);
    f->fd = -1;
    if (r == 0) r = fsio_rename(f->tmp_path, final);
    if (r == 0) {
        /* The rename is durable only once its directory is. */
        char *slash = strrchr(final, '/');
        *slash = '\0';
        r = fsio_fsync_dir(final);
    } else {
        fsio_unlink(f->tmp_path);
    }
    free(f);
    return r;
}

static void local_discard(drive_file *df)
{
    local_file *f = (local_file *)df;
    if (f->fd >= 0) close(f->fd);
    fsio_unlink(f->tmp_path);
    free(f);
}

static int local_open(drive *d, const data_id *id, drive_file **out)
{
    local_file *f = calloc(1, sizeof *f);
    if (!f) return -ENOMEM;
    char path[1200];
    data_path(d, id, path, sizeof path);
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0) {
        int e = -errno;
        free(f);
        return e;
    }
    f->d = d;
    f->id = *id;
    *out = (drive_file *)f;
    return 0;
}

static ssize_t local_read(drive_file *df, void *p, size_t n, uint64_t off)
{
    local_file *f = (local_file *)df;
    return fsio_pread_all(f->fd, p, n, (off_t)off);
}

static ssize_t local_read_split(drive_file *df, void *p, size_t n, void *tail, size_t tail_n, uint64_t off)
{
    local_file *f = (local_file *)df;
    return fsio_pread2_all(f->fd, p, n, tail, tail_n, (off_t)off);
}

static void local_close(drive_file *df)
{
    local_file *f = (local_file *)df;
    if (f->fd >= 0) close(f->fd);
    free(f);
}

static int local_remove(drive *d, const data_id *id)
{
    char path[1200];
    data_path(d, id, path, sizeof path);
    return fsio_unlink(path);
}

static int local_size_of(drive *d, const data_id *id, uint64_t *out)
{
    char path[1200];
    data_path(d, id, path, sizeof path);
    struct stat st;
    if (stat(path, &st) != 0) return -errno;
    *out = (uint64_t)st.st_size;
    return 0;
}

/* ---- by id, for a peer's calls (cluster/rpc_service.c): each call opens
 * and closes the file, so nothing is held between a peer's calls ---- */

static void tmp_path(drive *d, const data_id *id, char *out, size_t cap)
{
    char hex[33];
    data_id_hex(id, hex);
    snprintf(out, cap, "%s/tmp/%s", d->sys, hex);
}

int drive_local_write_at(drive *d, const data_id *id, uint64_t off, const void *p, size_t n)
{
    local_file *f = NULL;
    int r = open_tmp(d, id, 0, &f);
    if (r) return r;
    r = local_write((drive_file *)f, p, n, off);
    local_close((drive_file *)f);
    return r;
}

int drive_local_commit_id(drive *d, const data_id *id)
{
    /* a shard with no bytes was never written: it is created here */
    local_file *f = NULL;
    int r = open_tmp(d, id, 0, &f);
    return r ? r : local_commit((drive_file *)f);
}

void drive_local_discard_id(drive *d, const data_id *id)
{
    char path[1200];
    tmp_path(d, id, path, sizeof path);
    fsio_unlink(path);
}

ssize_t drive_local_read_at(drive *d, const data_id *id, uint64_t off, void *p, size_t n)
{
    char path[1200];
    data_path(d, id, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t r = fsio_pread_all(fd, p, n, (off_t)off);
    close(fd);
    return r;
}

static const drive_ops local_ops = {
    .create = local_create, .write = local_write, .commit = local_commit,
    .discard = local_discard, .open = local_open, .read = local_read, .read_split = local_read_split,
    .close = local_close, .remove = local_remove, .size_of = local_size_of,
};

static void sweep_tmp(drive *d)
{
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s/tmp", d->sys);
    DIR *dir = opendir(tmp);
    if (!dir) return;
    struct dirent *e;
    int swept = 0;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        char p[1500];
        snprintf(p, sizeof p, "%s/%s", tmp, e->d_name);
        if (unlink(p) == 0) swept++;
    }
    closedir(dir);
    if (swept) log_info("drive %s: swept %d unfinished writes from tmp", d->path, swept);
}

int drive_local_open(const char *path, drive **out)
{
    drive *d = calloc(1, sizeof *d);
    if (!d) return -ENOMEM;
    d->ops = &local_ops;
    snprintf(d->path, sizeof d->path, "%s", path);
    snprintf(d->sys, sizeof d->sys, "%s/.cairn.sys", path);
    char p[1200];
    int r = fsio_mkdirs(d->sys, 0700);
    snprintf(p, sizeof p, "%s/tmp", d->sys);
    if (r == 0) r = fsio_mkdirs(p, 0700);
    for (int i = 0; i < 256 && r == 0; i++) {
        snprintf(p, sizeof p, "%s/data/%02x", d->sys, i);
        r = fsio_mkdirs(p, 0700);
    }
    if (r != 0) {
        free(d);
        return r;
    }
    sweep_tmp(d);
    *out = d;
    return 0;
}

void drive_local_close(drive *d) { free(d); }
