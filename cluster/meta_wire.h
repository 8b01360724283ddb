/*
 * meta_wire — a metadata operation (storage/meta.h's meta_op) and its
 * result as JSON, for applying it to a drive on another node.  Binary
 * records travel base64-encoded.  Decoding allocates the op's strings and
 * records (meta_wire_op_free releases them); it validates every field, so
 * a malformed body is refused, not applied.
 */
#ifndef CAIRN_META_WIRE_H
#define CAIRN_META_WIRE_H

#include <stddef.h>

#include "../storage/meta.h"

/* malloc'd JSON text of the op's request fields, or NULL */
char *meta_wire_encode_op(const meta_op *op);
/* 0, or -1 for a malformed body; on success free with meta_wire_op_free
 * (the record and done_record are meta's to free once applied, as for a
 * local op; everything else is the decoder's). */
int meta_wire_decode_op(const char *text, size_t len, meta_op *out);
void meta_wire_op_free(meta_op *op);

/* the result fields (status, replaced, versions, garbage) of n ops (one
 * op applied to n drives of a node), as a JSON array */
char *meta_wire_encode_results(meta_op *const *ops, int n);
/* fills each op's result fields (garbage malloc'd, as meta does); 0, or
 * -1 when the text is not n well-formed results */
int meta_wire_decode_results(const char *text, size_t len, meta_op *const *ops, int n);

#endif
