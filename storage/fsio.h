/*
 * fsio — the one seam through which storage touches the filesystem.
 *
 * Every write, fsync, rename and unlink of object data goes through these
 * wrappers so that tests can inject the failures a real disk produces
 * (ENOSPC, EIO, short writes) without a special filesystem: set
 * CAIRN_FAULT_INJECT to "enospc_after=BYTES" or "eio_after=BYTES" and data
 * writes fail once that many bytes have been written by this process;
 * CAIRN_FAULT_INJECT_PATH=/some/drive limits that to files under that
 * directory (one failing drive among healthy ones).  "short_writes" makes
 * every write call return after at most 4000 bytes, as a filesystem may.
 * Blocking: call from worker threads only.
 */
#ifndef CAIRN_FSIO_H
#define CAIRN_FSIO_H

#include <stddef.h>
#include <sys/types.h>

void fsio_init_from_env(void);
/* Write all of buf at offset; returns 0 or -errno (ENOSPC, EIO...). */
int fsio_pwrite_all(int fd, const void *buf, size_t n, off_t off);
/* Whether writes to files at this path are subject to injected faults. */
int fsio_fault_applies(const char *path);
/* fsio_pwrite_all for a file that fsio_fault_applies() said is exempt. */
int fsio_pwrite_all_exempt(int fd, const void *buf, size_t n, off_t off);
/* Read up to n bytes at off; returns bytes read (short only at EOF) or -errno. */
ssize_t fsio_pread_all(int fd, void *buf, size_t n, off_t off);
/* The same for n bytes into buf followed by tail_n into tail (one preadv). */
ssize_t fsio_pread2_all(int fd, void *buf, size_t n, void *tail, size_t tail_n, off_t off);
int fsio_fsync(int fd);
int fsio_fsync_dir(const char *path);
int fsio_rename(const char *from, const char *to);
int fsio_unlink(const char *path);
int fsio_mkdirs(const char *path, int mode);

#endif
