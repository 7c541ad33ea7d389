/*
 * tests/gen/gen_tool.c - helpers of the code generator's tests (see
 * gen_tool.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "gen_tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *gt_import_dir;

const char *gt_schema(const char *file) {
    static char path[4096];
    const char *dir = getenv("NUPIC_TEST_SCHEMAS");
    if (dir == NULL) fail_msg("NUPIC_TEST_SCHEMAS is not set (run via ctest)");
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return path;
}

/* `capnp VERB [-I DIR] 'SCHEMA' TYPE` into args. */
static void tool_args(char *args, size_t cap, const char *verb,
                      const char *schema, const char *type) {
    char imports[4200] = "";
    if (gt_import_dir)
        snprintf(imports, sizeof imports, "-I '%s' ", gt_import_dir);
    snprintf(args, cap, "%s %s'%s' %s", verb, imports, schema, type);
}

char *gt_decode(const ncp_builder *b, const char *schema, const char *type) {
    assert_int_equal(ncp_builder_status(b), NCP_OK);
    ts_buf m = ts_write_mem(b, 0);
    ts_write_file("decode_in.tmp", m.data, m.len);
    ts_buf_free(&m);
    char args[8800];
    tool_args(args, sizeof args, "decode --short", schema, type);
    int rc = ts_capnp(args, "decode_in.tmp", "decode_out.tmp");
    if (rc != 0) fail_msg("capnp %s failed (%d)", args, rc);
    ts_buf out = ts_read_file("decode_out.tmp");
    char *text = malloc(out.len + 1);
    assert_non_null(text);
    if (out.len) memcpy(text, out.data, out.len);
    while (out.len > 0 && text[out.len - 1] == '\n')
        out.len--;
    text[out.len] = '\0';
    ts_buf_free(&out);
    return text;
}

void gt_assert_decodes_to(const ncp_builder *b, const char *schema,
                          const char *type, const char *expected) {
    char *text = gt_decode(b, schema, type);
    if (strcmp(text, expected) != 0)
        fail_msg("capnp decode %s:\n  got      %s\n  expected %s", type, text,
                 expected);
    free(text);
}

ncp_msg *gt_encode(const char *schema, const char *type, const char *text,
                   ts_buf *keep) {
    ts_write_file("encode_in.tmp", text, strlen(text));
    char args[8800];
    tool_args(args, sizeof args, "encode", schema, type);
    int rc = ts_capnp(args, "encode_in.tmp", "encode_out.tmp");
    if (rc != 0) fail_msg("capnp %s failed (%d) on %s", args, rc, text);
    *keep = ts_read_file("encode_out.tmp");
    return ts_open(keep);
}

ncp_builder *gt_builder(void) {
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    return b;
}

ncp_msg *gt_open_built(const ncp_builder *b) {
    ncp_msg *m = NULL;
    ncp_error err = {NCP_OK, ""};
    if (ncp_builder_open(b, NULL, &m, &err) != NCP_OK)
        fail_msg("ncp_builder_open: %s", err.message);
    return m;
}

void gt_assert_text(ncp_text t, const char *expected) {
    assert_non_null(t.str);
    if (t.len != strlen(expected) || strcmp(t.str, expected) != 0)
        fail_msg("text \"%s\" (%zu bytes), expected \"%s\"", t.str, t.len,
                 expected);
}

void gt_done(ncp_msg *m) {
    if (ncp_msg_status(m) != NCP_OK)
        fail_msg("reading the message: %s", ncp_msg_error(m)->message);
    ncp_msg_free(m);
}
