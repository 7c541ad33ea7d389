/*
 * tests/gen/gen_tool.h - helpers of the code generator's tests: the
 * reference tool `capnp` decoding what generated code built and encoding
 * what it reads.  Temporary files go to the current directory (the test's
 * scratch directory).
 */
#ifndef NUPIC_GEN_TOOL_H
#define NUPIC_GEN_TOOL_H

#include "test_support.h"

/* Path of a test schema: $NUPIC_TEST_SCHEMAS/file (static storage,
 * overwritten by the next call). */
const char *gt_schema(const char *file);

/* Import path given to `capnp` as -I (NULL: none).  NuPIC's schemas import
 * each other as "/nupic/proto/...". */
extern const char *gt_import_dir;

/* `capnp decode --short SCHEMA TYPE` of the message being built, without
 * trailing newlines (free() it). */
char *gt_decode(const ncp_builder *b, const char *schema, const char *type);

/* Fails the test unless the reference tool decodes the message to exactly
 * `expected`. */
void gt_assert_decodes_to(const ncp_builder *b, const char *schema,
                          const char *type, const char *expected);

/* The message `capnp encode SCHEMA TYPE` makes of text; its bytes stay in
 * *keep, which the caller frees after the message. */
ncp_msg *gt_encode(const char *schema, const char *type, const char *text,
                   ts_buf *keep);

/* A new builder with default options. */
ncp_builder *gt_builder(void);

/* The builder's message opened for reading (valid until it changes). */
ncp_msg *gt_open_built(const ncp_builder *b);

/* Asserts that t is exactly the C string expected. */
void gt_assert_text(ncp_text t, const char *expected);

/* Asserts that nothing read from m was malformed, and frees it. */
void gt_done(ncp_msg *m);

/* Arguments of a text setter: a C string and its length. */
#define GT_TEXT(s) (s), strlen(s)

#endif
