/*
 * tests/ncp/test_copy_out.c - every copy-out loop this CPU can run (memcpy,
 * SSE2 and AVX-512 streaming) copies exactly the bytes asked for, whatever
 * the alignment of either side and the length, and touches nothing around
 * the destination.  The loop is picked once per process, so without this
 * test a machine only ever exercises its fastest one.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { MAX_IMPLS = 4, SPAN = 4096, GUARD = 80 };

static void every_alignment_and_length(void **state) {
    (void)state;
    const char *names[MAX_IMPLS];
    ncp__copy_out_fn fns[MAX_IMPLS];
    size_t count = ncp__copy_out_impls(names, fns, MAX_IMPLS);
    assert_true(count >= 1 && count <= MAX_IMPLS);
    assert_string_equal(names[0], "memcpy");
    uint8_t *src = malloc(SPAN + 128);
    uint8_t *dst = malloc(SPAN + 128 + 2 * GUARD);
    assert_non_null(src);
    assert_non_null(dst);
    for (size_t i = 0; i < SPAN + 128; i++)
        src[i] = (uint8_t)(i * 131u + 7u);
    /* Lengths around the 64- and 256-byte steps of the loops, and longer;
     * offsets that put each side anywhere in a cache line. */
    static const size_t lens[] = {0,   1,   7,    63,   64,   65,  127,
                                  128, 255, 256,  257,  320,  511, 512,
                                  513, 777, 1024, 2049, 3000, SPAN};
    for (size_t k = 0; k < count; k++)
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++)
            for (size_t so = 0; so < 64; so += 9)
                for (size_t d_off = 0; d_off < 64; d_off += 5) {
                    size_t n = lens[li];
                    memset(dst, 0xa5, SPAN + 128 + 2 * GUARD);
                    uint8_t *d = dst + GUARD + d_off;
                    fns[k](d, src + so, n);
                    if (memcmp(d, src + so, n) != 0)
                        fail_msg("%s: %zu bytes, source offset %zu, "
                                 "destination offset %zu: wrong bytes",
                                 names[k], n, so, d_off);
                    for (uint8_t *q = dst; q < d; q++)
                        if (*q != 0xa5)
                            fail_msg("%s: wrote before the destination "
                                     "(%zu bytes, offsets %zu/%zu)",
                                     names[k], n, so, d_off);
                    for (uint8_t *q = d + n; q < dst + SPAN + 128 + 2 * GUARD;
                         q++)
                        if (*q != 0xa5)
                            fail_msg("%s: wrote past the destination "
                                     "(%zu bytes, offsets %zu/%zu)",
                                     names[k], n, so, d_off);
                }
    free(src);
    free(dst);
}

/* The dispatched copy is one of them and copies a large buffer right. */
static void dispatched_copy_is_exact(void **state) {
    (void)state;
    size_t n = ((size_t)3 << 20) + 37;
    uint8_t *src = malloc(n), *dst = malloc(n + 64);
    assert_non_null(src);
    assert_non_null(dst);
    for (size_t i = 0; i < n; i++)
        src[i] = (uint8_t)(i ^ (i >> 11));
    memset(dst, 0, n + 64);
    ncp__copy_out(dst + 3, src, n);
    assert_memory_equal(dst + 3, src, n);
    assert_int_equal(dst[2], 0);
    assert_int_equal(dst[n + 3], 0);
    free(src);
    free(dst);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_alignment_and_length),
        cmocka_unit_test(dispatched_copy_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
