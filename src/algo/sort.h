/*
 * src/algo/sort.h - sorting 64-bit keys, shared by the temporal memories
 * (segments keyed by cell, then id or index).  Internal to the library.
 */
#ifndef NUPIC_ALGO_SORT_H
#define NUPIC_ALGO_SORT_H

#include <stdint.h>

/* Sorts a[0..n) ascending: insertion sort for the usual few dozen keys,
 * else an LSD radix sort on bytes through tmp (room for n keys), skipping
 * the bytes all keys share.  Equal keys are indistinguishable, so the
 * result depends only on the set of keys. */
void algo_sort_u64(uint64_t *a, uint32_t n, uint64_t *tmp);

#endif
