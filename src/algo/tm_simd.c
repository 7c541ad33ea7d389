/*
 * src/algo/tm_simd.c - the AVX-512 kernel of the temporal memory's
 * learning (see tm_simd.h).
 *
 * A synapse is a 12-byte record (presynaptic cell, permanence, id): sixteen
 * of them are three 64-byte vectors, whose permanence words (every third,
 * from the second) two permutes gather into one vector, and three permutes
 * and masked stores put back.  Tails are handled with masked loads and
 * stores, and a vector that would start past the records is neither loaded
 * nor addressed, so nothing outside v[0..n) is touched and no pointer past
 * the block is formed.
 */
#include "tm_simd.h"

#include "cpu.h"

#ifdef TMS_KERNELS
#include <immintrin.h>
#include <stddef.h>

#define TMS_TARGET                                                             \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,popcnt")))

_Static_assert(sizeof(conn_syn) == 12 && offsetof(conn_syn, perm) == 4,
               "the kernel reads a synapse as three 32-bit words, the "
               "permanence second");

static bool scalar_only;

void tms_force_scalar(bool on) {
    scalar_only = on;
}

bool tms_available(void) {
    return !scalar_only && algo_cpu_avx512();
}

/* The lanes of a 16-lane vector starting at k that lie below n (k < n). */
static inline __mmask16 live16(uint32_t k, uint32_t n) {
    uint32_t r = n - k;
    return (__mmask16)(r >= 16 ? 0xffffu : (1u << r) - 1);
}

TMS_TARGET uint32_t tms_adapt(conn_syn *v, uint32_t n, const uint64_t *active,
                              float inc, float dec, float thr, float eps,
                              uint32_t *flips, uint32_t *n_flips) {
    float *w = (float *)(void *)v; /* the records as 3n words */
    const uint32_t nw = 3 * n;     /* n <= 65535 in a temporal memory */
    /* Synapse r of a block has its presynaptic cell in word 3r and its
     * permanence in word 3r + 1: words 0, 3, ..., 30 (or 1, 4, ..., 31) of
     * the first two vectors (r = 0..10), and 1, 4, ..., 13 (or 2, 5, ...,
     * 14) of the third (r = 11..15). */
    const __m512i pre_ab = _mm512_setr_epi32(0, 3, 6, 9, 12, 15, 18, 21, 24, 27,
                                             30, 0, 0, 0, 0, 0);
    const __m512i pre_c =
        _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 7, 10, 13);
    const __m512i from_ab = _mm512_setr_epi32(1, 4, 7, 10, 13, 16, 19, 22, 25,
                                              28, 31, 0, 0, 0, 0, 0);
    const __m512i from_c =
        _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 5, 8, 11, 14);
    /* And back: the synapse whose permanence each word of a vector holds,
     * with the masks of those words. */
    const __m512i to_a =
        _mm512_setr_epi32(0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0);
    const __m512i to_b =
        _mm512_setr_epi32(5, 0, 0, 6, 0, 0, 7, 0, 0, 8, 0, 0, 9, 0, 0, 10);
    const __m512i to_c =
        _mm512_setr_epi32(0, 0, 11, 0, 0, 12, 0, 0, 13, 0, 0, 14, 0, 0, 15, 0);
    const __mmask16 in_a = 0x2492, in_b = 0x9249, in_c = 0x4924;
    const __m512 vinc = _mm512_set1_ps(inc), one = _mm512_set1_ps(1.0f);
    const __m512 vdec = _mm512_set1_ps(-dec);
    const __m512i c31 = _mm512_set1_epi32(31), c1 = _mm512_set1_epi32(1);
    /* The bitset as 32-bit words (little-endian: word j holds cells 32j to
     * 32j + 31). */
    const int *bits32 = (const int *)(const void *)active;
    const __m512 veps = _mm512_set1_ps(eps), vthr = _mm512_set1_ps(thr);
    const __m512i lane =
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    uint32_t nf = 0, r = 0;
    for (; r < n; r += 16) {
        const uint32_t k = 3 * r;
        const __mmask16 la = live16(k, nw);
        const __mmask16 lb = k + 16 < nw ? live16(k + 16, nw) : 0;
        const __mmask16 lc = k + 32 < nw ? live16(k + 32, nw) : 0;
        const __m512 a = _mm512_maskz_loadu_ps(la, w + k);
        const __m512 b =
            lb ? _mm512_maskz_loadu_ps(lb, w + k + 16) : _mm512_setzero_ps();
        const __m512 c =
            lc ? _mm512_maskz_loadu_ps(lc, w + k + 32) : _mm512_setzero_ps();
        __m512 old = _mm512_permutex2var_ps(a, from_ab, b);
        old = _mm512_mask_permutexvar_ps(old, 0xf800, from_c, c);
        const __mmask16 live = live16(r, n);
        /* p + inc on an active cell's synapse, p + -dec on the others. */
        __m512 delta = vinc;
        if (active != NULL) {
            __m512i pre = _mm512_permutex2var_epi32(
                _mm512_castps_si512(a), pre_ab, _mm512_castps_si512(b));
            pre = _mm512_mask_permutexvar_epi32(pre, 0xf800, pre_c,
                                                _mm512_castps_si512(c));
            const __m512i word = _mm512_mask_i32gather_epi32(
                _mm512_setzero_si512(), live, _mm512_srli_epi32(pre, 5), bits32,
                4);
            const __mmask16 on = _mm512_test_epi32_mask(
                _mm512_srlv_epi32(word, _mm512_and_si512(pre, c31)), c1);
            delta = _mm512_mask_blend_ps(on, vdec, vinc);
        }
        /* min(1, x) is 1 < x ? 1 : x, as the scalar code's; the compares
         * are ordered (false on NaN), as C's < and >=. */
        const __m512 p = _mm512_min_ps(one, _mm512_add_ps(old, delta));
        if (_mm512_mask_cmp_ps_mask(live, p, veps, _CMP_LT_OQ)) break;
        const __mmask16 flip =
            (__mmask16)((_mm512_cmp_ps_mask(old, vthr, _CMP_GE_OQ) ^
                         _mm512_cmp_ps_mask(p, vthr, _CMP_GE_OQ)) &
                        live);
        /* Register compress (the memory form is slow on some CPUs); flips
         * has room for 16 past the last index. */
        _mm512_storeu_si512(
            flips + nf,
            _mm512_maskz_compress_epi32(
                flip, _mm512_add_epi32(lane, _mm512_set1_epi32((int)r))));
        nf += (uint32_t)__builtin_popcount(flip);
        _mm512_mask_storeu_ps(w + k, in_a & la, _mm512_permutexvar_ps(to_a, p));
        if (lb)
            _mm512_mask_storeu_ps(w + k + 16, in_b & lb,
                                  _mm512_permutexvar_ps(to_b, p));
        if (lc)
            _mm512_mask_storeu_ps(w + k + 32, in_c & lc,
                                  _mm512_permutexvar_ps(to_c, p));
    }
    *n_flips = nf;
    return r < n ? r : n;
}
#endif
