/*
 * tests/algo/test_sort.c - algo_sort_u64 (src/algo/sort.h), which orders
 * the temporal memories' segments, against qsort: every length from 0 to
 * 300 (the insertion, bucket and radix paths and their borders), keys from
 * narrow and wide ranges, with many and with no duplicates, ascending and
 * descending runs.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "sort.h"

static uint64_t state = 0x243f6a8885a308d3u;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* A key of the given kind, for position i of n. */
static uint64_t key(int kind, uint32_t i, uint32_t n) {
    switch (kind) {
    case 0: return next();                           /* any 64 bits */
    case 1: return next() % 4;                       /* many equal */
    case 2: return (next() % 65536) << 32 | i;       /* cell << 32 | segment */
    case 3: return UINT64_C(1) << 40 | (next() % 7); /* narrow, high */
    case 4: return i;                                /* ascending */
    case 5: return n - i;                            /* descending */
    case 6: return i % 2 ? UINT64_MAX : 0;           /* the extremes */
    default: return 42;                              /* all equal */
    }
}

static void sorts_like_qsort(void **unused) {
    (void)unused;
    uint64_t a[300], want[300], tmp[300];
    for (int kind = 0; kind < 8; kind++)
        for (uint32_t n = 0; n <= 300; n++)
            for (int round = 0; round < 4; round++) {
                for (uint32_t i = 0; i < n; i++)
                    a[i] = key(kind, i, n);
                memcpy(want, a, sizeof a);
                qsort(want, n, sizeof *want, cmp_u64);
                algo_sort_u64(a, n, tmp);
                if (memcmp(a, want, n * sizeof *a) != 0)
                    fail_msg("kind %d, %u keys, round %d: not sorted", kind, n,
                             round);
            }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sorts_like_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
