/*
 * src/algo/hugepages.c - see hugepages.h.
 */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE in <sys/mman.h> */

#include "hugepages.h"

#include <stdint.h>
#include <stdlib.h>

#ifdef __linux__
#include <sys/mman.h>
#endif

void algo_advise_huge(void *p, size_t n) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (p == NULL || n < ALGO_HUGE_MIN) return;
    uintptr_t start = (uintptr_t)p, end = start + n;
    if (end < start) return;
    uintptr_t first = (start + huge - 1) & ~(huge - 1),
              last = end & ~(huge - 1);
    if (last > first) (void)madvise((void *)first, last - first, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

void *algo_alloc_huge(size_t n, size_t *size) {
    const size_t huge = (size_t)2 << 20;
    if (n >= ALGO_HUGE_ALLOC_MIN && n <= SIZE_MAX - huge) {
        size_t rounded = (n + huge - 1) & ~(huge - 1);
        void *p = aligned_alloc(huge, rounded);
        if (p != NULL) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
            (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
            *size = rounded;
            return p;
        }
    }
    *size = n;
    return malloc(n ? n : 1);
}
