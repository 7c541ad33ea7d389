/*
 * tests/support/test_support.h - helpers shared by the test programs.
 */
#ifndef NUPIC_TEST_SUPPORT_H
#define NUPIC_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <nupic/ncp.h>

/* A growable byte buffer. */
typedef struct ts_buf {
    uint8_t *data;
    size_t len;
} ts_buf;

void ts_buf_free(ts_buf *b);

/* Reads a whole file; fails the test if it cannot. */
ts_buf ts_read_file(const char *path);
/* Writes a whole file; fails the test if it cannot. */
void ts_write_file(const char *path, const void *data, size_t len);

/* Path of a file in the test data folder (static storage, overwritten by the
 * next call). */
const char *ts_data_path(const char *relative);

/* Runs `capnp ARGS < in > out` through the shell; returns its exit status.
 * args must not contain untrusted text. */
int ts_capnp(const char *args, const char *in_path, const char *out_path);

/* Serializes a builder to memory (fails the test on error). */
ts_buf ts_write_mem(const ncp_builder *b, unsigned flags);

/* Opens a message over a buffer with default options (fails the test on
 * error). */
ncp_msg *ts_open(const ts_buf *buf);

/* Asserts that a and b hold equal bytes, printing the first difference. */
void ts_assert_bytes_equal(const void *a, size_t alen, const void *b,
                           size_t blen);

/* Opens a one-segment message over hand-written words: words[0..n) are
 * stored little-endian into storage (8 * n bytes, owned by the caller and
 * kept alive while the message is used).  options may be NULL. */
ncp_msg *ts_open_words(uint8_t *storage, const uint64_t *words, uint32_t n,
                       const ncp_read_options *options);

/* Reads a file, decompressing it with xz when its name ends in ".xz". */
ts_buf ts_read_data(const char *relative);

/* SDRs in the reference text format: one step per line, ascending indices
 * separated by spaces (an empty line is an empty SDR). */
typedef struct ts_sdrs {
    uint32_t steps;
    uint32_t *start; /* steps + 1 offsets into idx */
    uint32_t *idx;
} ts_sdrs;

ts_sdrs ts_parse_sdrs(const ts_buf *text);
void ts_sdrs_free(ts_sdrs *s);
/* Asserts that step t (0-based) of s holds exactly got[0..n). */
void ts_assert_sdr(const ts_sdrs *s, uint32_t t, const uint32_t *got, size_t n,
                   const char *what);

#endif
