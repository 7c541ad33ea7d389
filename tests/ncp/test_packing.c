/*
 * tests/ncp/test_packing.c - the packing scheme: the specification's
 * example, run lengths and their limits, round trips, capacity and
 * malformed input.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

static size_t pack(const uint8_t *in, size_t words, uint8_t *out, size_t cap) {
    return ncp_pack(in, words, out, cap);
}

static void spec_example(void **state) {
    (void)state;
    /* encoding.md: a struct pointer and a text pointer. */
    const uint8_t in[16] = {0x08, 0, 0, 0, 0x03, 0,    0x02, 0,
                            0x19, 0, 0, 0, 0xaa, 0x01, 0,    0};
    const uint8_t want[8] = {0x51, 0x08, 0x03, 0x02, 0x31, 0x19, 0xaa, 0x01};
    uint8_t out[64];
    size_t n = pack(in, 2, out, sizeof out);
    ts_assert_bytes_equal(out, n, want, sizeof want);
    uint8_t back[16];
    size_t used = 0;
    assert_int_equal(ncp_unpack(want, sizeof want, back, 2, &used, NULL),
                     NCP_OK);
    assert_int_equal(used, sizeof want);
    assert_memory_equal(back, in, 16);
}

static void zero_runs(void **state) {
    (void)state;
    uint8_t in[300 * 8];
    memset(in, 0, sizeof in);
    uint8_t out[64];
    /* One zero word: tag 0, count 0. */
    size_t n = pack(in, 1, out, sizeof out);
    const uint8_t one[2] = {0, 0};
    ts_assert_bytes_equal(out, n, one, 2);
    /* 300 zero words: 256 (count 255), then 44 (count 43). */
    n = pack(in, 300, out, sizeof out);
    const uint8_t many[4] = {0, 255, 0, 43};
    ts_assert_bytes_equal(out, n, many, 4);
    uint8_t back[300 * 8];
    memset(back, 0xee, sizeof back);
    assert_int_equal(ncp_unpack(out, n, back, 300, NULL, NULL), NCP_OK);
    assert_memory_equal(back, in, sizeof in);
}

static void verbatim_runs(void **state) {
    (void)state;
    /* Words without zero bytes; then a word with one zero (continues the
     * run); then a word with two zeros (ends it). */
    uint8_t in[4 * 8];
    memset(in, 0x11, 16);
    memset(in + 16, 0x22, 8);
    in[16 + 3] = 0;
    memset(in + 24, 0x33, 8);
    in[24 + 0] = 0;
    in[24 + 5] = 0;
    uint8_t out[64];
    size_t n = pack(in, 4, out, sizeof out);
    /* ff, 8 bytes, count 2, 16 raw bytes, then tag 0xde + 6 bytes. */
    assert_int_equal(n, 1 + 8 + 1 + 16 + 1 + 6);
    assert_int_equal(out[0], 0xff);
    assert_int_equal(out[9], 2);
    assert_memory_equal(out + 10, in + 8, 16);
    assert_int_equal(out[26], 0xde);
    uint8_t back[32];
    assert_int_equal(ncp_unpack(out, n, back, 4, NULL, NULL), NCP_OK);
    assert_memory_equal(back, in, sizeof in);
}

static void verbatim_run_limit(void **state) {
    (void)state;
    enum { W = 600 };
    uint8_t *in = malloc(W * 8);
    assert_non_null(in);
    memset(in, 0x5a, W * 8);
    uint8_t *out = malloc(ncp_packed_bound(W));
    assert_non_null(out);
    size_t n = pack(in, W, out, (size_t)ncp_packed_bound(W));
    /* 600 = (1 + 255) + (1 + 255) + (1 + 87) */
    assert_int_equal(n, 3 * 10 + (255 + 255 + 87) * 8);
    assert_int_equal(out[0], 0xff);
    assert_int_equal(out[9], 255);
    assert_int_equal(out[10 + 255 * 8], 0xff);
    assert_int_equal(out[10 + 255 * 8 + 9], 255);
    uint8_t *back = malloc(W * 8);
    assert_non_null(back);
    assert_int_equal(ncp_unpack(out, n, back, W, NULL, NULL), NCP_OK);
    assert_memory_equal(back, in, W * 8);
    free(back);
    free(out);
    free(in);
}

/* xorshift64 for reproducible pseudo-random words. */
static uint64_t rng(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void random_round_trips(void **state) {
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int trial = 0; trial < 200; trial++) {
        size_t words = 1 + rng(&seed) % 700;
        uint8_t *in = malloc(words * 8);
        assert_non_null(in);
        unsigned density = (unsigned)(rng(&seed) % 9); /* nonzero bytes/8 */
        for (size_t i = 0; i < words * 8; i++)
            in[i] = (rng(&seed) % 8) < density ? (uint8_t)(1 + rng(&seed) % 255)
                                               : 0;
        size_t cap = (size_t)ncp_packed_bound(words);
        uint8_t *out = malloc(cap);
        assert_non_null(out);
        size_t n = pack(in, words, out, cap);
        assert_true(n > 0 && n <= cap);
        uint8_t *back = malloc(words * 8);
        assert_non_null(back);
        size_t used = 0;
        assert_int_equal(ncp_unpack(out, n, back, words, &used, NULL), NCP_OK);
        assert_int_equal(used, n);
        assert_memory_equal(back, in, words * 8);
        /* Exactly enough room works, one byte less fails cleanly. */
        uint8_t *tight = malloc(n);
        assert_non_null(tight);
        assert_int_equal(pack(in, words, tight, n), n);
        assert_memory_equal(tight, out, n);
        assert_int_equal(pack(in, words, tight, n - 1), 0);
        /* Every truncation of the packed bytes is reported. */
        for (size_t cut = 0; cut < n; cut += 1 + n / 16) {
            ncp_error err = {NCP_OK, ""};
            assert_int_equal(ncp_unpack(out, cut, back, words, NULL, &err),
                             NCP_ERR_TRUNCATED);
            assert_non_null(strstr(err.message, "packed input"));
        }
        free(tight);
        free(back);
        free(out);
        free(in);
    }
}

static void runs_past_the_end(void **state) {
    (void)state;
    uint8_t back[16];
    ncp_error err = {NCP_OK, ""};
    /* A zero word followed by 5 more, into a 2-word region. */
    const uint8_t zeros[2] = {0x00, 5};
    assert_int_equal(ncp_unpack(zeros, 2, back, 2, NULL, &err),
                     NCP_ERR_MALFORMED);
    /* A verbatim run of 3 words, into a 2-word region. */
    uint8_t raw[2 + 8 + 24];
    memset(raw, 1, sizeof raw);
    raw[0] = 0xff;
    raw[9] = 3;
    ncp_error_clear(&err);
    assert_int_equal(ncp_unpack(raw, sizeof raw, back, 2, NULL, &err),
                     NCP_ERR_MALFORMED);
    /* The same run fits a 4-word region. */
    uint8_t big[32];
    assert_int_equal(ncp_unpack(raw, sizeof raw, big, 4, NULL, NULL), NCP_OK);
}

/* Packed messages through the full stack: the segment table and each
 * segment are packed as separate pieces. */
static void packed_messages(void **state) {
    (void)state;
    ncp_builder_options o = {0};
    o.first_segment_words = 8;
    o.growth = NCP_GROW_FIXED;
    ncp_builder *b;
    assert_int_equal(ncp_builder_new(&o, &b), NCP_OK);
    ncp_bstruct r = ncp_builder_init_root(b, 2, 2);
    ncp_bstruct_set_u64(&r, 0, 0x0102030405060708ull);
    ncp_blist l =
        ncp_bptr_init_list(ncp_bstruct_ptr(&r, 0), NCP_ELEM_8BYTES, 600);
    for (uint32_t i = 0; i < 600; i += 7)
        ncp_blist_set_u64(&l, i, 0xffffffffffffffffull - i);
    ncp_bptr_set_text(ncp_bstruct_ptr(&r, 1), "packed", 6);
    ts_buf unpacked = ts_write_mem(b, 0);
    ts_buf packed = ts_write_mem(b, NCP_WRITE_PACKED);
    assert_true(packed.len < unpacked.len);
    /* Manual per-piece packing gives the same bytes. */
    uint32_t nsegs = ncp_builder_segment_count(b);
    assert_true(nsegs > 1);
    size_t table = ((size_t)nsegs / 2 + 1) * 8;
    uint8_t *manual = malloc((size_t)ncp_packed_bound(unpacked.len / 8) + 64);
    assert_non_null(manual);
    size_t n = pack(unpacked.data, table / 8, manual, 1 << 20);
    size_t off = table;
    for (uint32_t i = 0; i < nsegs; i++) {
        uint32_t w;
        assert_true(ncp_builder_segment(b, i, NULL, &w));
        n += pack(unpacked.data + off, w, manual + n, 1 << 20);
        off += (size_t)w * 8;
    }
    ts_assert_bytes_equal(packed.data, packed.len, manual, n);
    /* Auto-detection reads both. */
    ncp_msg *m1 = ts_open(&unpacked);
    ncp_msg *m2 = ts_open(&packed);
    assert_int_equal(ncp_msg_consumed(m2), packed.len);
    assert_int_equal(ncp_msg_size_words(m1), ncp_msg_size_words(m2));
    for (uint32_t i = 0; i < nsegs; i++) {
        const uint8_t *d1, *d2;
        uint32_t w1, w2;
        assert_true(ncp_msg_segment(m1, i, &d1, &w1));
        assert_true(ncp_msg_segment(m2, i, &d2, &w2));
        assert_int_equal(w1, w2);
        assert_memory_equal(d1, d2, (size_t)w1 * 8);
    }
    ncp_msg_free(m1);
    ncp_msg_free(m2);
    free(manual);
    ts_buf_free(&packed);
    ts_buf_free(&unpacked);
    ncp_builder_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_example),
        cmocka_unit_test(zero_runs),
        cmocka_unit_test(verbatim_runs),
        cmocka_unit_test(verbatim_run_limit),
        cmocka_unit_test(random_round_trips),
        cmocka_unit_test(runs_past_the_end),
        cmocka_unit_test(packed_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
