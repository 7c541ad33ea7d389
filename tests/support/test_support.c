/*
 * tests/support/test_support.c - helpers shared by the test programs.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ts_buf_free(ts_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

ts_buf ts_read_file(const char *path) {
    ts_buf b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    if (f == NULL) fail_msg("cannot open %s", path);
    size_t cap = 4096;
    b.data = malloc(cap);
    assert_non_null(b.data);
    size_t k;
    while ((k = fread(b.data + b.len, 1, cap - b.len, f)) > 0) {
        b.len += k;
        if (b.len == cap) {
            cap *= 2;
            b.data = realloc(b.data, cap);
            assert_non_null(b.data);
        }
    }
    fclose(f);
    return b;
}

void ts_write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) fail_msg("cannot create %s", path);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

const char *ts_data_path(const char *relative) {
    static char path[4096];
    const char *root = getenv("NUPIC_TEST_DATA");
    if (root == NULL)
        fail_msg("NUPIC_TEST_DATA is not set (run through ctest)");
    snprintf(path, sizeof path, "%s/%s", root, relative);
    return path;
}

int ts_capnp(const char *args, const char *in_path, const char *out_path) {
    const char *tool = getenv("NUPIC_CAPNP");
    if (tool == NULL) tool = "capnp";
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' %s < '%s' > '%s'", tool, args, in_path,
             out_path);
    int rc = system(cmd);
    return rc;
}

ts_buf ts_write_mem(const ncp_builder *b, unsigned flags) {
    ts_buf out = {NULL, 0};
    uint64_t bound = ncp_builder_write_bound(b, flags);
    out.data = malloc((size_t)bound + 1);
    assert_non_null(out.data);
    ncp_error err = {NCP_OK, ""};
    ncp_status st = ncp_builder_write_mem(b, flags, out.data, (size_t)bound,
                                          &out.len, &err);
    if (st != NCP_OK) fail_msg("write_mem: %s", err.message);
    return out;
}

ncp_msg *ts_open(const ts_buf *buf) {
    ncp_msg *m = NULL;
    ncp_error err = {NCP_OK, ""};
    if (ncp_msg_from_buffer(buf->data, buf->len, NULL, &m, &err) != NCP_OK)
        fail_msg("open: %s", err.message);
    return m;
}

void ts_assert_bytes_equal(const void *a, size_t alen, const void *b,
                           size_t blen) {
    const uint8_t *x = a, *y = b;
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            fail_msg("bytes differ at offset %zu: 0x%02x != 0x%02x (lengths "
                     "%zu, %zu)",
                     i, x[i], y[i], alen, blen);
    if (alen != blen)
        fail_msg("lengths differ: %zu != %zu (equal for %zu bytes)", alen, blen,
                 n);
}

ncp_msg *ts_open_words(uint8_t *storage, const uint64_t *words, uint32_t n,
                       const ncp_read_options *options) {
    for (uint32_t i = 0; i < n; i++)
        ncp_store64(storage + (size_t)i * 8, words[i]);
    const void *segs[1] = {storage};
    uint32_t sizes[1] = {n};
    ncp_msg *m = NULL;
    ncp_error err = {NCP_OK, ""};
    if (ncp_msg_from_segments(segs, sizes, 1, options, &m, &err) != NCP_OK)
        fail_msg("open words: %s", err.message);
    return m;
}

ts_buf ts_read_data(const char *relative) {
    const char *path = ts_data_path(relative);
    size_t len = strlen(path);
    if (len < 3 || strcmp(path + len - 3, ".xz") != 0)
        return ts_read_file(path);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "xz -dc '%s'", path);
    FILE *f = popen(cmd, "r");
    if (f == NULL) fail_msg("cannot run %s", cmd);
    ts_buf b = {NULL, 0};
    size_t cap = 1 << 20;
    b.data = malloc(cap);
    assert_non_null(b.data);
    size_t k;
    while ((k = fread(b.data + b.len, 1, cap - b.len, f)) > 0) {
        b.len += k;
        if (b.len == cap) {
            cap *= 2;
            b.data = realloc(b.data, cap);
            assert_non_null(b.data);
        }
    }
    if (pclose(f) != 0) fail_msg("xz failed on %s", path);
    return b;
}

ts_sdrs ts_parse_sdrs(const ts_buf *text) {
    ts_sdrs s = {0, NULL, NULL};
    size_t lines = 0;
    for (size_t i = 0; i < text->len; i++)
        lines += text->data[i] == '\n';
    s.start = calloc(lines + 2, sizeof *s.start);
    s.idx = malloc((text->len / 2 + 1) * sizeof *s.idx);
    assert_non_null(s.start);
    assert_non_null(s.idx);
    size_t n = 0;
    const char *p = (const char *)text->data, *end = p + text->len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL) eol = end;
        while (p < eol) {
            while (p < eol && *p == ' ')
                p++;
            if (p >= eol) break;
            char *q;
            unsigned long v = strtoul(p, &q, 10);
            if (q == p) fail_msg("bad SDR text near line %u", s.steps + 1);
            s.idx[n++] = (uint32_t)v;
            p = q;
        }
        s.steps++;
        s.start[s.steps] = (uint32_t)n;
        p = eol + 1;
    }
    return s;
}

void ts_sdrs_free(ts_sdrs *s) {
    free(s->start);
    free(s->idx);
    s->start = s->idx = NULL;
    s->steps = 0;
}

void ts_assert_sdr(const ts_sdrs *s, uint32_t t, const uint32_t *got, size_t n,
                   const char *what) {
    if (t >= s->steps) fail_msg("%s: no reference line %u", what, t + 1);
    uint32_t a = s->start[t], b = s->start[t + 1];
    if (n != b - a || memcmp(got, s->idx + a, n * sizeof *got) != 0) {
        char msg[512];
        int k =
            snprintf(msg, sizeof msg,
                     "%s, step %u: %zu values, reference %u; first difference",
                     what, t + 1, n, b - a);
        for (size_t i = 0; i < n && i < b - a; i++)
            if (got[i] != s->idx[a + i]) {
                snprintf(msg + k, sizeof msg - (size_t)k, " at %zu: %u != %u",
                         i, got[i], s->idx[a + i]);
                break;
            }
        fail_msg("%s", msg);
    }
}
