/*
 * src/algo/hugepages.h - asking for transparent huge pages for the large
 * arrays of a model's state.  Internal to the library.
 */
#ifndef NUPIC_ALGO_HUGEPAGES_H
#define NUPIC_ALGO_HUGEPAGES_H

#include <stddef.h>

/* The size from which algo_advise_huge() asks anything: 4 MiB, so that the
 * array holds at least one whole 2 MiB page. */
#define ALGO_HUGE_MIN ((size_t)4 << 20)

/* Advises the kernel that the 2 MiB-aligned pages inside [p, p + n), an
 * array the caller owns and is about to fill, be backed by transparent huge
 * pages when they are first touched: one fault for each 2 MiB instead of
 * one for each 4 KiB, which is most of the cost of filling fresh memory.
 * Pages already in memory are left as they are, and nothing outside the
 * array is touched.  Linux only (madvise MADV_HUGEPAGE, which has effect
 * when /sys/kernel/mm/transparent_hugepage/enabled is "madvise" or
 * "always"); elsewhere, and for n below ALGO_HUGE_MIN, it does nothing.  A
 * failure is ignored: the advice changes only the speed.  Thread-safe. */
void algo_advise_huge(void *p, size_t n);

/* The size from which algo_alloc_huge() rounds an array up to whole 2 MiB
 * pages: 1 MiB, so that the rounding at most doubles it. */
#define ALGO_HUGE_ALLOC_MIN ((size_t)1 << 20)

/* Memory for an array of n bytes that the caller is about to fill: from
 * ALGO_HUGE_ALLOC_MIN on, n rounded up to whole 2 MiB pages at a 2 MiB
 * boundary, advised as by algo_advise_huge (so that a 2 MiB page is one
 * fault, and becomes resident whole when any byte of it is touched); below
 * that, or where such memory cannot be had, malloc(n).  *size receives the
 * bytes given (n or more).  The memory is not initialised; release it with
 * free().  NULL when memory runs out.  Thread-safe. */
void *algo_alloc_huge(size_t n, size_t *size);

/* The size from which algo_grow_huge() moves an array into whole 2 MiB
 * pages: 512 KiB, so that a growing array takes at most 1.5 MiB more
 * memory than it asked for. */
#define ALGO_HUGE_GROW_MIN ((size_t)512 << 10)

/* Grows an array whose first `used` bytes are in use (p: NULL, or memory
 * from malloc, realloc or these functions; used <= the bytes it holds) to
 * n >= used bytes.  From ALGO_HUGE_GROW_MIN on, the array moves to memory
 * given as by algo_alloc_huge (whole 2 MiB pages at a 2 MiB boundary,
 * advised), its used bytes copied: an array grown by doubling then fills
 * fresh memory with a fault for each 2 MiB instead of each 4 KiB, the copy
 * included.  Below, or where such memory cannot be had, realloc(p, n).
 * Returns the array, p then released, with *size the bytes it holds (n or
 * more); NULL when memory runs out, p then untouched (and still owned by
 * the caller).  Release the result with free().  Thread-safe. */
void *algo_grow_huge(void *p, size_t used, size_t n, size_t *size);

#endif
