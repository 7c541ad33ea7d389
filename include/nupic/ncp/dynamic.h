/*
 * nupic/ncp/dynamic.h - generic walks of messages driven by the reflection
 * tables of generated code (schema.h): printing as JSON or as Cap'n Proto
 * text, deep equality, validation.
 *
 * Printing produces exactly what the reference tool prints (capnp 0.9.2):
 *
 *   NCP_FORMAT_JSON         capnp convert binary:json
 *   NCP_FORMAT_JSON_SHORT   capnp convert binary:json --short
 *   NCP_FORMAT_TEXT         capnp convert binary:text
 *   NCP_FORMAT_TEXT_SHORT   capnp convert binary:text --short
 *
 * Conventions of the reference (JSON):
 *  - fields in schema order (by ordinal; a group where its first member
 *    is), the active member of the unnamed union last; groups and named
 *    unions as nested objects;
 *  - every data field is printed, also at its default (Void as null); a
 *    pointer field only when it is not null (a null pointer that is the
 *    active union member is printed as its default value);
 *  - Int64 and UInt64 as strings ("-5"); other integers as numbers; floats
 *    (Float32 widened to double) with 15 significant digits when that reads
 *    back as the same double, else 17, the exponent without '+' ("1e-07",
 *    "1.0000000150474662e30"), NaN and infinities as the strings "NaN",
 *    "Infinity", "-Infinity";
 *  - Data as an array of byte values; enums by name, values the schema does
 *    not name as numbers; a union discriminant the schema does not name
 *    prints no member;
 *  - AnyPointer: the reference fails ("don't know how to JSON-encode
 *    AnyPointer"); here a non-null AnyPointer or capability prints as the
 *    string "<opaque pointer>" / "<external capability>", a null one that is
 *    the active union member as null.
 * Text differs: the union member stays at its place among the fields, Void
 * is `void`, 64-bit integers are bare numbers, Float32 is printed as a float
 * with 6 significant digits, or 8 if 6 do not read back (0.1, not
 * 0.10000000149011612; 8 digits do not always read back - the reference's
 * choice, kept here; JSON output always does), nan/inf/-inf, Data as
 * a C-escaped string, unknown enumerants as (7), AnyPointer as
 * <opaque pointer>.  The pretty forms break lines exactly as the reference
 * does.
 *
 * Errors: every pointer is followed with the reader's checks (reader.h), and
 * the walk stops at the first malformed one with the reader's status and a
 * message that starts with the field path, e.g.
 *   "SpatialPoolerProto.permanences.rows[17].values: struct list of 9
 *    words at word 400 lies outside segment 0 of 390 words".
 * A message that already holds an error (ncp_msg_status) is refused.  Walks
 * charge the message's traversal budget like any reader; a message walked
 * twice (validated, then printed) needs twice its size in budget (see
 * ncp_read_options.traversal_limit_per_message_word).  Struct and list
 * nesting deeper than NCP_DYN_MAX_DEPTH gives NCP_ERR_NESTING.
 *
 * Ownership: the functions borrow everything they are given; nothing is
 * kept after they return.  Memory (the output buffer, the path of the walk)
 * comes from the allocator of the options, or malloc.
 *
 * Thread-safety: the functions are reentrant.  The messages walked (and a
 * FILE* written) must not be used by another thread during a call, as
 * reading updates a message's traversal budget and error record.
 */
#ifndef NUPIC_NCP_DYNAMIC_H
#define NUPIC_NCP_DYNAMIC_H

#include <stdio.h>

#include "base.h"
#include "reader.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deepest nesting of structs and lists a walk follows. */
#define NCP_DYN_MAX_DEPTH 1024u

/* ------------------------------------------------------------------------
 * Printing
 * ------------------------------------------------------------------------ */

typedef enum ncp_format {
    NCP_FORMAT_JSON = 0,   /* pretty JSON, as capnp convert binary:json */
    NCP_FORMAT_JSON_SHORT, /* one-line JSON (--short) */
    NCP_FORMAT_TEXT,       /* pretty text format, as binary:text */
    NCP_FORMAT_TEXT_SHORT  /* one-line text format (--short) */
} ncp_format;

/* Flags of ncp_print_options. */
#define NCP_PRINT_NEWLINE 1u /* end with '\n', as the reference tool does */

/* Options of the printing functions; a zeroed struct (or NULL) means pretty
 * JSON without a final newline, memory from malloc. */
typedef struct ncp_print_options {
    ncp_format format;
    unsigned flags;
    ncp_allocator alloc;
} ncp_print_options;

/* An output sink: writes data[0..len); returns 0 on success, anything else
 * on failure (the print then stops with NCP_ERR_IO). */
typedef int (*ncp_write_fn)(void *ud, const void *data, size_t len);

/* Prints the struct s, read as `type`, through `write`.  Output is buffered
 * and handed to `write` in chunks of tens of KiB (the pretty forms keep a
 * value whose layout is not yet decided in memory; that is at most the
 * largest run of short siblings).  On an error the output stops where the
 * error was found; what was written is not taken back. */
NCP_API NCP_NODISCARD ncp_status ncp_dyn_print(const ncp_struct *s,
                                               const ncp_schema_struct *type,
                                               const ncp_print_options *options,
                                               ncp_write_fn write, void *ud,
                                               ncp_error *err);

/* The same, into f (not flushed, not closed; write errors are reported). */
NCP_API NCP_NODISCARD ncp_status
ncp_dyn_print_file(const ncp_struct *s, const ncp_schema_struct *type,
                   const ncp_print_options *options, FILE *f, ncp_error *err);

/* Prints the root of msg, read as `type`, into f. */
NCP_API NCP_NODISCARD ncp_status
ncp_dyn_print_root(ncp_msg *msg, const ncp_schema_struct *type,
                   const ncp_print_options *options, FILE *f, ncp_error *err);

/* Formats a double or a float as the reference's text and JSON do (KJ's
 * conversion: "%.15g", or "%.17g" if that does not read back as v; "%.6g"
 * or "%.8g" for floats; no '+' in the exponent; "inf", "-inf", "nan").
 * out must hold NCP_FLOAT_CHARS bytes; it is NUL-terminated.  Returns the
 * length.  Exact and fast for the usual magnitudes (the C library's
 * snprintf and strtod elsewhere). */
#define NCP_FLOAT_CHARS 32
NCP_API size_t ncp_format_f64(double v, char *out);
NCP_API size_t ncp_format_f32(float v, char *out);

/* ------------------------------------------------------------------------
 * Equality
 * ------------------------------------------------------------------------ */

/* Flags of ncp_dyn_equal. */
/* Floats compare as numbers (0 == -0; a NaN equals any NaN) instead of by
 * their bits (the default: -0 != 0, a NaN equals the same NaN). */
#define NCP_EQUAL_FLOAT_VALUES 1u
/* A null pointer differs from a non-null one even when both read as the
 * same value (by default null text equals "", a null list an empty one, a
 * null struct one whose fields are all at their defaults). */
#define NCP_EQUAL_NULL_DIFFERS 2u

/* The first difference found: the path, both values (text format, cut to a
 * reasonable length), e.g.
 *   "SpatialPoolerProto.permanences.rows[17].values[3].value: 0.5 != 0.25"
 *   "Tree.children: 3 elements != 4 elements"
 *   "Tree.u: union member a != b" */
typedef struct ncp_diff {
    char message[NCP_ERROR_MESSAGE_SIZE];
} ncp_diff;

/* Compares a and b, both read as `type`: equal when every field the schema
 * defines reads the same (defaults applied; of a union, the discriminant
 * and the active member; AnyPointers compare by their contents).  Fields
 * the schema does not know (data beyond its sections) are ignored.
 * Returns NCP_OK with *equal set (and *diff, which may be NULL, describing
 * the first difference, or empty), or the error of a malformed message (in
 * *err; *equal is then false).  a and b may belong to one message or two. */
NCP_API NCP_NODISCARD ncp_status ncp_dyn_equal(const ncp_struct *a,
                                               const ncp_struct *b,
                                               const ncp_schema_struct *type,
                                               unsigned flags, bool *equal,
                                               ncp_diff *diff, ncp_error *err);

/* The same for the roots of two messages. */
NCP_API NCP_NODISCARD ncp_status ncp_dyn_equal_roots(
    ncp_msg *a, ncp_msg *b, const ncp_schema_struct *type, unsigned flags,
    bool *equal, ncp_diff *diff, ncp_error *err);

/* ------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------ */

/* Flags of ncp_dyn_validate. */
/* Also reject enum values and union discriminants the schema does not name
 * (valid Cap'n Proto - a newer schema may name them - hence not default). */
#define NCP_VALIDATE_STRICT 1u

/* Follows every pointer the schema reaches from s (the active union member
 * only; AnyPointers by their structure) with the reader's checks - bounds,
 * pointer kinds, list encodings against the field types, NUL-terminated
 * text, far pointers, the traversal and nesting limits - and rejects
 * capability pointers.  Returns NCP_OK or the first error, whose message
 * starts with the field path. */
NCP_API NCP_NODISCARD ncp_status ncp_dyn_validate(const ncp_struct *s,
                                                  const ncp_schema_struct *type,
                                                  unsigned flags,
                                                  ncp_error *err);

/* The same for the root of msg (which must be a struct pointer). */
NCP_API NCP_NODISCARD ncp_status
ncp_dyn_validate_root(ncp_msg *msg, const ncp_schema_struct *type,
                      unsigned flags, ncp_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_NCP_DYNAMIC_H */
