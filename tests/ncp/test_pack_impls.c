/*
 * tests/ncp/test_pack_impls.c - every packing and unpacking loop this CPU
 * can run (portable, SSSE3, AVX-512) gives the same bytes as the portable
 * one, on inputs that mix zero runs, verbatim runs and words of every tag.
 * The loops are picked once per process, so without this test a machine
 * only ever exercises its fastest one.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { MAX_IMPLS = 8, MAX_WORDS = 4096 };

/* A deterministic generator (xorshift64*), so a failure can be replayed. */
static uint64_t next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

/* A word of a kind chosen at random: zero, all bytes set, one zero byte
 * (continues a verbatim run), random bytes, or a random subset of bytes. */
static uint64_t word_of(uint64_t *s) {
    uint64_t r = next(s), x = next(s);
    switch (r % 5) {
    case 0: return 0;
    case 1: return x | 0x0101010101010101ull;
    case 2:
        return (x | 0x0101010101010101ull) & ~(0xffull << (8 * (r >> 8 & 7)));
    case 3: return x;
    default: {
        uint64_t keep = 0;
        for (unsigned b = 0; b < 8; b++)
            if (next(s) & 1) keep |= 0xffull << (8 * b);
        return x & keep;
    }
    }
}

/* Fills n words, in stretches of one kind so that long runs occur. */
static void fill(uint8_t *buf, size_t n, uint64_t *s) {
    size_t i = 0;
    while (i < n) {
        size_t len = 1 + next(s) % 300;
        uint64_t kind = next(s) % 4;
        for (size_t k = 0; k < len && i < n; k++, i++) {
            uint64_t w = kind == 0   ? 0
                         : kind == 1 ? next(s) | 0x0101010101010101ull
                                     : word_of(s);
            memcpy(buf + i * 8, &w, 8);
        }
    }
}

static void same_packing(void **state) {
    (void)state;
    const char *names[MAX_IMPLS];
    ncp__pack_run_fn fns[MAX_IMPLS];
    size_t count = ncp__pack_impls(names, fns, MAX_IMPLS);
    assert_true(count >= 1 && count <= MAX_IMPLS);
    assert_string_equal(names[0], "scalar");
    const size_t cap = MAX_WORDS * 10 + NCP__PACK_ELEM_MAX;
    uint8_t *in = malloc(MAX_WORDS * 8);
    uint8_t *want = malloc(cap), *got = malloc(cap);
    assert_non_null(in);
    assert_non_null(want);
    assert_non_null(got);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < 400; round++) {
        size_t n = round < 64 ? (size_t)round : 1 + next(&seed) % MAX_WORDS;
        fill(in, n, &seed);
        const uint8_t *p = in;
        size_t want_len =
            (size_t)(fns[0](&p, in + n * 8, want, want + cap) - want);
        assert_ptr_equal(p, in + n * 8);
        for (size_t k = 1; k < count; k++) {
            p = in;
            size_t got_len =
                (size_t)(fns[k](&p, in + n * 8, got, got + cap) - got);
            if (p != in + n * 8 || got_len != want_len ||
                memcmp(got, want, want_len) != 0)
                fail_msg("%s packs round %d (%zu words) differently from "
                         "scalar: %zu bytes, want %zu",
                         names[k], round, n, got_len, want_len);
        }
    }
    free(in);
    free(want);
    free(got);
}

static void same_unpacking(void **state) {
    (void)state;
    const char *names[MAX_IMPLS];
    ncp__unpack_run_fn fns[MAX_IMPLS];
    size_t count = ncp__unpack_impls(names, fns, MAX_IMPLS);
    assert_true(count >= 1 && count <= MAX_IMPLS);
    assert_string_equal(names[0], "scalar");
    const size_t cap = MAX_WORDS * 10 + NCP__PACK_ELEM_MAX;
    uint8_t *in = malloc(MAX_WORDS * 8), *packed = malloc(cap);
    uint8_t *want = malloc(MAX_WORDS * 8), *got = malloc(MAX_WORDS * 8);
    assert_non_null(in);
    assert_non_null(packed);
    assert_non_null(want);
    assert_non_null(got);
    uint64_t seed = 0x0123456789abcdefull;
    for (int round = 0; round < 400; round++) {
        size_t n = 1 + next(&seed) % MAX_WORDS;
        fill(in, n, &seed);
        const uint8_t *p = in;
        size_t plen = (size_t)(ncp__pack_run_scalar(&p, in + n * 8, packed,
                                                    packed + cap) -
                               packed);
        /* Each loop stops at a run tag or near the end; compare how far
         * each got and what it wrote, from several starting points. */
        size_t ip0 = 0, op0 = 0;
        for (int start = 0; start < 4 && ip0 < plen; start++) {
            size_t wip = ip0, wop = op0;
            memset(want, 0xa5, MAX_WORDS * 8);
            fns[0](packed, plen, &wip, want, n * 8, &wop);
            for (size_t k = 1; k < count; k++) {
                size_t gip = ip0, gop = op0;
                memset(got, 0xa5, MAX_WORDS * 8);
                fns[k](packed, plen, &gip, got, n * 8, &gop);
                if (gip != wip || gop != wop ||
                    memcmp(got + op0, want + op0, wop - op0) != 0)
                    fail_msg("%s unpacks round %d from byte %zu differently "
                             "from scalar",
                             names[k], round, ip0);
            }
            /* Step over the element the loop stopped at (or one of its
             * elements) and try again from there. */
            if (wip == ip0) {
                unsigned tag = packed[ip0];
                size_t skip = 1 + (size_t)ncp__tag_bytes[tag];
                if (tag == 0) skip = 2;
                if (tag == 0xff) skip = 10 + (size_t)packed[ip0 + 9] * 8;
                if (ip0 + skip > plen) break;
                size_t words = tag == 0      ? 1 + (size_t)packed[ip0 + 1]
                               : tag == 0xff ? 1 + (size_t)packed[ip0 + 9]
                                             : 1;
                ip0 += skip;
                op0 += words * 8;
            } else {
                ip0 = wip;
                op0 = wop;
            }
        }
    }
    free(in);
    free(packed);
    free(want);
    free(got);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_packing),
        cmocka_unit_test(same_unpacking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
