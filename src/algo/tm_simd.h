/*
 * src/algo/tm_simd.h - an AVX-512 kernel for the temporal memory's
 * learning: adaptSegment sixteen synapses at a time.  Internal.
 *
 * The kernel is a pure function of its arguments and touches nothing
 * outside them.  tms_available() says whether the CPU (and OS) run it; on
 * other hosts, and in portable builds, tm.c uses its scalar loop, which
 * gives the same results bit for bit (the same float32 additions, minimum
 * and comparisons, lane by lane).
 */
#ifndef NUPIC_ALGO_TM_SIMD_H
#define NUPIC_ALGO_TM_SIMD_H

#include <stdbool.h>
#include <stdint.h>

#include "connections.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) &&        \
    !defined(NCP_PORTABLE_BYTE_ORDER)
#define TMS_KERNELS 1

/* Whether the CPU runs the kernel (algo_cpu_avx512) and tms_force_scalar
 * has not turned it off.  A temporal memory asks once, when it is made. */
bool tms_available(void);

/* For tests that compare the two paths: temporal memories made while `on`
 * use the scalar loop.  Not thread-safe; not for library code. */
void tms_force_scalar(bool on);

/* adaptSegment's arithmetic on v[0..n), in blocks of 16 synapses: the
 * permanence of v[r] becomes min(perm + inc, 1.0f) when its presynaptic
 * cell's bit is set in active[] (or active is NULL: every cell counts as
 * active), else min(perm + -dec, 1.0f).  Stops at the first block holding
 * a synapse whose new permanence would be below eps, storing nothing of
 * that block, and returns the block's first index; returns n when every
 * synapse was adapted.  The indices of the adapted synapses whose state
 * against thr changed (perm >= thr before, not after, or the reverse) are
 * written to flips[], in ascending order, and counted in *n_flips (set,
 * not added to); flips has room for n + 16 entries.  Only the permanences
 * of v[0..n) are written.  active[] covers every presynaptic cell of
 * v[0..n); n is below 2^30. */
uint32_t tms_adapt(conn_syn *v, uint32_t n, const uint64_t *active, float inc,
                   float dec, float thr, float eps, uint32_t *flips,
                   uint32_t *n_flips);

#else
static inline void tms_force_scalar(bool on) {
    (void)on;
}
#endif
#endif
