/*
 * src/algo/sort.c - see sort.h.
 */
#include "sort.h"

#include <string.h>

void algo_sort_u64(uint64_t *a, uint32_t n, uint64_t *tmp) {
    if (n <= 64) {
        for (uint32_t i = 1; i < n; i++) {
            uint64_t x = a[i];
            uint32_t j = i;
            for (; j > 0 && a[j - 1] > x; j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
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
