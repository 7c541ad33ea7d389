/*
 * src/algo/hugepages.c - see hugepages.h.
 */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE in <sys/mman.h> */

#include "hugepages.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* n (> 0) rounded up to whole 2 MiB pages at a 2 MiB boundary, advised;
 * NULL when that cannot be had. */
static void *whole_pages(size_t n, size_t *size) {
    const size_t huge = (size_t)2 << 20;
    if (n > SIZE_MAX - huge) return NULL;
    size_t rounded = (n + huge - 1) & ~(huge - 1);
    void *p = aligned_alloc(huge, rounded);
    if (p != NULL) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
        *size = rounded;
    }
    return p;
}

void *algo_alloc_huge(size_t n, size_t *size) {
    if (n >= ALGO_HUGE_ALLOC_MIN) {
        void *p = whole_pages(n, size);
        if (p != NULL) return p;
    }
    *size = n;
    return malloc(n ? n : 1);
}

void *algo_grow_huge(void *p, size_t used, size_t n, size_t *size) {
    if (n >= ALGO_HUGE_GROW_MIN) {
        void *q = whole_pages(n, size);
        if (q != NULL) {
            if (used > 0) memcpy(q, p, used);
            free(p);
            return q;
        }
    }
    void *q = realloc(p, n ? n : 1);
    if (q != NULL) *size = n;
    return q;
}
