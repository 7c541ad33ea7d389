/*
 * src/algo/sort.c - see sort.h.
 */
#include "sort.h"

#include <string.h>

static void insertion_sort(uint64_t *a, uint32_t n) {
    for (uint32_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        uint32_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* A few dozen keys: one counting pass into 64 buckets by their leading
 * bits (relative to the smallest key) leaves them nearly sorted, and an
 * insertion sort finishes with few moves.  Insertion alone costs about
 * n^2 / 4 moves and a mispredicted branch per key. */
static void small_sort(uint64_t *a, uint32_t n, uint64_t *tmp) {
    uint64_t min = a[0], max = a[0];
    for (uint32_t i = 1; i < n; i++) {
        min = a[i] < min ? a[i] : min;
        max = a[i] > max ? a[i] : max;
    }
    if (min == max) return;
    /* (max - min) >> shift < 64. */
    const int bits = 64 - __builtin_clzll(max - min);
    const unsigned shift = bits > 6 ? (unsigned)(bits - 6) : 0;
    uint8_t count[65] = {0};
    for (uint32_t i = 0; i < n; i++)
        count[((a[i] - min) >> shift) + 1]++;
    for (unsigned d = 1; d < 64; d++)
        count[d] = (uint8_t)(count[d] + count[d - 1]);
    for (uint32_t i = 0; i < n; i++)
        tmp[count[(a[i] - min) >> shift]++] = a[i];
    insertion_sort(tmp, n);
    memcpy(a, tmp, (size_t)n * sizeof *a);
}

void algo_sort_u64(uint64_t *a, uint32_t n, uint64_t *tmp) {
    if (n <= 16) {
        insertion_sort(a, n);
        return;
    }
    if (n <= 64) {
        small_sort(a, n, tmp);
        return;
    }
    uint64_t all_or = 0, all_and = ~UINT64_C(0);
    for (uint32_t i = 0; i < n; i++) {
        all_or |= a[i];
        all_and &= a[i];
    }
    uint32_t count[256];
    uint64_t *src = a, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        if ((((all_or ^ all_and) >> shift) & 0xff) == 0) continue;
        memset(count, 0, sizeof count);
        for (uint32_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xff]++;
        uint32_t sum = 0;
        for (uint32_t d = 0; d < 256; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xff]++] = src[i];
        uint64_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != a) memcpy(a, src, (size_t)n * sizeof *a);
}
