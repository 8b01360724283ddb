#include "fsio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static long long fault_after = -1;
static int fault_errno;
static char fault_path[1024];
static int short_writes;           /* every pwrite writes at most 4000 bytes */
static _Atomic long long bytes_written;

void fsio_init_from_env(void)
{
    const char *f = getenv("CAIRN_FAULT_INJECT");
    if (!f) return;
    if (strncmp(f, "enospc_after=", 13) == 0) { fault_after = atoll(f + 13); fault_errno = ENOSPC; }
    else if (strncmp(f, "eio_after=", 10) == 0) { fault_after = atoll(f + 10); fault_errno = EIO; }
    else if (strcmp(f, "short_writes") == 0) short_writes = 1;
    const char *p = getenv("CAIRN_FAULT_INJECT_PATH");
    if (p) snprintf(fault_path, sizeof fault_path, "%s", p);
}

int fsio_fault_applies(const char *path)
{
    if (fault_after < 0) return 0;
    return !fault_path[0] || strncmp(path, fault_path, strlen(fault_path)) == 0;
}

static int write_all(int fd, const void *buf, size_t n, off_t off);

int fsio_pwrite_all_exempt(int fd, const void *buf, size_t n, off_t off) { return write_all(fd, buf, n, off); }

int fsio_pwrite_all(int fd, const void *buf, size_t n, off_t off)
{
    if (fault_after >= 0) {
        long long done = atomic_fetch_add(&bytes_written, (long long)n);
        if (done + (long long)n > fault_after) return -fault_errno;
    }
    return write_all(fd, buf, n, off);
}

static int write_all(int fd, const void *buf, size_t n, off_t off)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = pwrite(fd, p, short_writes && n > 4000 ? 4000 : n, off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (w == 0) return -EIO;
        p += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

ssize_t fsio_pread_all(int fd, void *buf, size_t n, off_t off)
{
    char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, p + got, n - got, off + (off_t)got);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

ssize_t fsio_pread2_all(int fd, void *buf, size_t n, void *tail, size_t tail_n, off_t off)
{
    struct iovec iov[2] = { { buf, n }, { tail, tail_n } };
    ssize_t r;
    do r = preadv(fd, iov, 2, off);
    while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    size_t got = (size_t)r;
    if (got == n + tail_n || r == 0) return r;
    /* short: finish each part as pread_all would */
    if (got < n) {
        ssize_t more = fsio_pread_all(fd, (char *)buf + got, n - got, off + (off_t)got);
        if (more < 0) return more;
        got += (size_t)more;
        if (got < n) return (ssize_t)got;
    }
    ssize_t more = fsio_pread_all(fd, (char *)tail + (got - n), n + tail_n - got, off + (off_t)got);
    if (more < 0) return more;
    return (ssize_t)(got + (size_t)more);
}

int fsio_fsync(int fd) { return fdatasync(fd) == 0 ? 0 : -errno; }

int fsio_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int r = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return r;
}

int fsio_rename(const char *from, const char *to) { return rename(from, to) == 0 ? 0 : -errno; }

int fsio_unlink(const char *path) { return unlink(path) == 0 || errno == ENOENT ? 0 : -errno; }

int fsio_mkdirs(const char *path, int mode)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n >= sizeof tmp) return -ENAMETOOLONG;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST) return -errno;
        *p = '/';
    }
    if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST) return -errno;
    return 0;
}
