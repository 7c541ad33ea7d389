/*
 * tests/algo/enc_ref.h - reading the encoders' reference vectors
 * (tests/data/encoders, see its README.md), shared by the encoder tests.
 *
 * A reference file holds '#' header lines ("#params {...}": the encoder's
 * NuPIC constructor arguments as JSON) and one case per line:
 * input TAB result TAB bits, where result is a bucket (or buckets, comma
 * separated; "-" for none) or "error" (bits then holds NuPIC's exception).
 */
#ifndef NUPIC_TEST_ENC_REF_H
#define NUPIC_TEST_ENC_REF_H

#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/encoders.h>
#include <nupic/params.h>

typedef struct ref_case {
    const char *input, *result, *bits;
} ref_case;

typedef struct ref_file {
    ts_buf buf;
    const char *params; /* after "#params ", or NULL */
    ref_case *cases;
    size_t n;
} ref_file;

static inline ref_file ref_load(const char *relative) {
    ref_file r;
    memset(&r, 0, sizeof r);
    r.buf = ts_read_data(relative);
    r.buf.data = realloc(r.buf.data, r.buf.len + 1);
    assert_non_null(r.buf.data);
    r.buf.data[r.buf.len] = '\0';
    size_t lines = 1;
    for (size_t i = 0; i < r.buf.len; i++)
        lines += r.buf.data[i] == '\n';
    r.cases = calloc(lines, sizeof *r.cases);
    assert_non_null(r.cases);
    char *s = (char *)r.buf.data;
    while (*s) {
        char *nl = strchr(s, '\n');
        if (nl) *nl = '\0';
        if (strncmp(s, "#params ", 8) == 0) {
            r.params = s + 8;
        } else if (s[0] != '#' && s[0] != '\0') {
            char *t1 = strchr(s, '\t');
            assert_non_null(t1);
            *t1 = '\0';
            char *t2 = strchr(t1 + 1, '\t');
            assert_non_null(t2);
            *t2 = '\0';
            r.cases[r.n].input = s;
            r.cases[r.n].result = t1 + 1;
            r.cases[r.n].bits = t2 + 1;
            r.n++;
        }
        if (nl == NULL) break;
        s = nl + 1;
    }
    return r;
}

static inline void ref_free(ref_file *r) {
    free(r->cases);
    ts_buf_free(&r->buf);
}

static inline bool ref_is_error(const ref_case *c) {
    return strcmp(c->result, "error") == 0;
}

/* output[0..width) holds exactly the bits listed ("1 5 9"). */
static inline void ref_check_bits(const uint8_t *out, uint32_t width,
                                  const char *bits, const char *file,
                                  size_t line) {
    uint8_t *want = calloc(width ? width : 1, 1);
    assert_non_null(want);
    const char *s = bits;
    while (*s) {
        char *end;
        unsigned long b = strtoul(s, &end, 10);
        if (end == s) break;
        if (b >= width)
            fail_msg("%s case %zu: bit %lu beyond width %u", file, line, b,
                     width);
        want[b] = 1;
        s = end;
    }
    for (uint32_t i = 0; i < width; i++)
        if (out[i] != want[i])
            fail_msg("%s case %zu: bit %u is %u, NuPIC's is %u (bits %s)", file,
                     line, i, out[i], want[i], bits);
    free(want);
}

static inline bool ref_is_missing(const char *input) {
    return strcmp(input, "None") == 0;
}

/* "2010-07-02 00:00:00.000000" */
static inline nupic_datetime ref_datetime(const char *s) {
    nupic_datetime d;
    memset(&d, 0, sizeof d);
    int k = sscanf(s, "%d-%d-%d %d:%d:%d.%d", &d.year, &d.month, &d.day,
                   &d.hour, &d.minute, &d.second, &d.microsecond);
    if (k != 7) fail_msg("bad date '%s'", s);
    return d;
}

/* The hotgym CSV's "7/2/10 0:00" (NuPIC's "%m/%d/%y %H:%M"). */
static inline nupic_datetime ref_hotgym_time(const char *s) {
    nupic_datetime d;
    memset(&d, 0, sizeof d);
    int yy = 0;
    if (sscanf(s, "%d/%d/%d %d:%d", &d.month, &d.day, &yy, &d.hour,
               &d.minute) != 5)
        fail_msg("bad timestamp '%s'", s);
    d.year = yy < 69 ? 2000 + yy : 1900 + yy;
    return d;
}

/* Reads one message of a reference .bin (or .bin.xz). */
typedef struct ref_msg {
    ts_buf buf;
    ncp_msg *msg;
} ref_msg;

static inline ref_msg ref_msg_load(const char *relative) {
    ref_msg m;
    m.buf = ts_read_data(relative);
    m.msg = ts_open(&m.buf);
    return m;
}

static inline void ref_msg_free(ref_msg *m) {
    ncp_msg_free(m->msg);
    ts_buf_free(&m->buf);
}

#define REF_OK(call)                                                           \
    do {                                                                       \
        nupic_error err_ = {NUPIC_OK, ""};                                     \
        nupic_error *err = &err_;                                              \
        if ((call) != NUPIC_OK) fail_msg("%s: %s", #call, err_.message);       \
    } while (0)

#endif /* NUPIC_TEST_ENC_REF_H */
