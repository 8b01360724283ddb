/*
 * store_status — what storage reports back, as values.  s3api maps each to
 * an S3 error; storage never knows HTTP.
 */
#ifndef CAIRN_STORE_STATUS_H
#define CAIRN_STORE_STATUS_H

typedef enum store_status {
    ST_OK = 0,
    ST_NO_SUCH_BUCKET,
    ST_NO_SUCH_KEY,
    ST_BUCKET_EXISTS,
    ST_BUCKET_NOT_EMPTY,
    ST_PRECONDITION_FAILED,
    ST_NO_SPACE,
    ST_IO_ERROR,
    ST_CORRUPT,
    ST_SHUTTING_DOWN,
    ST_NO_SUCH_UPLOAD,
    ST_INVALID_PART,
    ST_UPLOAD_COMPLETED,      /* the upload exists only as a completed record */
    ST_NO_WRITE_QUORUM,       /* too few drives online to write */
    ST_NO_READ_QUORUM,        /* too few drives online to read */
    ST_NO_SUCH_VERSION,
    ST_DELETE_MARKER,         /* the version asked for is a delete marker */
    ST_LOCKED,                /* object lock: retention or legal hold forbids it */
} store_status;

const char *store_status_text(store_status s);

#endif
