/*
 * src/algo/hugepages.c - see hugepages.h.
 */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE in <sys/mman.h> */

#include "hugepages.h"

#include <stdint.h>

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
