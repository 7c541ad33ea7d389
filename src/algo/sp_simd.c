/*
 * src/algo/sp_simd.c - AVX-512 kernels for the spatial pooler's loads and
 * saves (see sp_simd.h).
 *
 * Tails are handled with masked loads and stores, so no kernel touches a
 * byte outside its documented ranges, and no pointer past an array's end
 * is formed.  Only register forms of compress and expand are used (their
 * memory forms are slow on some CPUs).
 */
#include "sp_simd.h"

#include "cpu.h"

#ifdef SPS_KERNELS
#include <immintrin.h>
#include <math.h>
#include <string.h>

#define SPS_TARGET                                                             \
    __attribute__((                                                            \
        target("avx512f,avx512bw,avx512vl,avx512dq,bmi,bmi2,popcnt")))

static bool scalar_only;

void sps_force_scalar(bool on) {
    scalar_only = on;
}

bool sps_available(void) {
    return !scalar_only && algo_cpu_avx512();
}

/* The lanes of a 16-lane block starting at k that lie below n. */
static inline __mmask16 live16(uint32_t k, uint32_t n) {
    uint32_t r = n - k;
    return (__mmask16)(r >= 16 ? 0xffffu : (1u << r) - 1);
}

SPS_TARGET uint32_t sps_check_sorted(const uint32_t *idx, uint32_t n,
                                     uint32_t limit) {
    const __m512i vlim = _mm512_set1_epi32((int)limit);
    __m512i prev = _mm512_setzero_si512();
    for (uint32_t k = 0; k < n; k += 16) {
        __mmask16 live = live16(k, n);
        __m512i cur = _mm512_maskz_loadu_epi32(live, idx + k);
        /* Lane i compared with lane i - 1; lane 0 with the previous block's
         * last (none for the first block). */
        __m512i before = _mm512_alignr_epi32(cur, prev, 15);
        __mmask16 asc = _mm512_cmple_epu32_mask(cur, before);
        if (k == 0) asc &= (__mmask16)0xfffe;
        __mmask16 bad =
            (__mmask16)((_mm512_cmpge_epu32_mask(cur, vlim) | asc) & live);
        if (bad) return k + (uint32_t)__builtin_ctz(bad);
        prev = cur;
    }
    return n;
}

SPS_TARGET uint32_t sps_copy_sorted(const uint8_t *src, uint32_t n,
                                    uint32_t limit, uint32_t *dst) {
    const __m512i vlim = _mm512_set1_epi32((int)limit);
    __m512i prev = _mm512_setzero_si512();
    for (uint32_t k = 0; k < n; k += 16) {
        __mmask16 live = live16(k, n);
        __m512i cur = _mm512_maskz_loadu_epi32(live, src + (size_t)k * 4);
        _mm512_mask_storeu_epi32(dst + k, live, cur);
        __mmask16 asc =
            _mm512_cmple_epu32_mask(cur, _mm512_alignr_epi32(cur, prev, 15));
        if (k == 0) asc &= (__mmask16)0xfffe;
        __mmask16 bad =
            (__mmask16)((_mm512_cmpge_epu32_mask(cur, vlim) | asc) & live);
        if (bad) return k + (uint32_t)__builtin_ctz(bad);
        prev = cur;
    }
    return n;
}

SPS_TARGET void sps_bitset(const uint32_t *idx, uint32_t n, uint64_t *bits,
                           uint32_t *rank, uint32_t words, uint8_t *scratch) {
    const __m512i zero = _mm512_setzero_si512();
    for (uint32_t w = 0; w < words; w++)
        _mm512_storeu_si512(scratch + (size_t)w * 64, zero);
    /* Independent byte stores: no chain through a shared word. */
    uint32_t k = 0;
    for (; k + 4 <= n; k += 4) {
        scratch[idx[k]] = 1;
        scratch[idx[k + 1]] = 1;
        scratch[idx[k + 2]] = 1;
        scratch[idx[k + 3]] = 1;
    }
    for (; k < n; k++)
        scratch[idx[k]] = 1;
    uint32_t r = 0;
    for (uint32_t w = 0; w < words; w++) {
        __m512i v = _mm512_loadu_si512(scratch + (size_t)w * 64);
        bits[w] = (uint64_t)_mm512_test_epi8_mask(v, v);
        if (rank) {
            rank[w] = r;
            r += (uint32_t)__builtin_popcountll(bits[w]);
        }
    }
}

SPS_TARGET uint32_t sps_split(const uint8_t *src, uint32_t n, uint32_t limit,
                              uint32_t *idx, float *val) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                           20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21,
                                          23, 25, 27, 29, 31);
    const __m512i vlim = _mm512_set1_epi32((int)limit);
    const __m512i expo = _mm512_set1_epi32(0x7f800000);
    __m512i prev = _mm512_setzero_si512();
    for (uint32_t k = 0; k < n; k += 16) {
        uint32_t r = n - k;
        const uint8_t *p = src + (size_t)k * 8;
        __m512i a, b = _mm512_setzero_si512();
        if (r >= 16) {
            a = _mm512_loadu_si512(p);
            b = _mm512_loadu_si512(p + 64);
        } else {
            __mmask8 ma = (__mmask8)(r >= 8 ? 0xffu : (1u << r) - 1);
            a = _mm512_maskz_loadu_epi64(ma, p);
            if (r > 8)
                b = _mm512_maskz_loadu_epi64((__mmask8)((1u << (r - 8)) - 1),
                                             p + 64);
        }
        __m512i i = _mm512_permutex2var_epi32(a, even, b);
        __m512i v = _mm512_permutex2var_epi32(a, odd, b);
        __mmask16 live = live16(k, n);
        __mmask16 asc =
            _mm512_cmple_epu32_mask(i, _mm512_alignr_epi32(i, prev, 15));
        if (k == 0) asc &= (__mmask16)0xfffe;
        __mmask16 inf =
            _mm512_cmpeq_epi32_mask(_mm512_and_si512(v, expo), expo);
        __mmask16 bad =
            (__mmask16)((_mm512_cmpge_epu32_mask(i, vlim) | asc | inf) & live);
        if (bad) return k + (uint32_t)__builtin_ctz(bad);
        _mm512_mask_storeu_epi32(idx + k, live, i);
        _mm512_mask_storeu_epi32(val + k, live, v);
        prev = i;
    }
    return n;
}

/* The settling of sps_clip, on 16 lanes and on one value. */
typedef struct {
    __m512 max, min, trim, eps;
} clip16;

SPS_TARGET static inline __m512 settle16(__m512 v, const clip16 *k) {
    v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, k->max, _CMP_GT_OQ), v,
                             k->max);
    v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, k->trim, _CMP_LT_OQ), v,
                             k->min);
    __mmask16 zero = _mm512_cmp_ps_mask(_mm512_abs_ps(v), k->eps, _CMP_LE_OQ);
    return _mm512_maskz_mov_ps((__mmask16)~zero, v);
}

static inline float settle1(float v, const sps_clip *c) {
    v = v > c->max ? c->max : v;
    v = v < c->trim ? c->min : v;
    return fabsf(v) <= c->eps ? 0.0f : v;
}

/* ge[] gets the 16 bits of g at bit offset p (the word after p's takes the
 * bits that overflow). */
static inline void or_bits16(uint64_t *ge, uint32_t p, uint32_t g) {
    uint32_t s = p & 63;
    ge[p >> 6] |= (uint64_t)g << s;
    if (s > 48) ge[(p >> 6) + 1] |= (uint64_t)g >> (64 - s);
}

/* The merge: entry j is compared with pool[p] for 16 entries at a time;
 * an entry that differs skips the pool inputs below its index (their
 * values are the settled 0), and must then equal the next.  p only grows,
 * so matched indices are strictly ascending and below the pool's limit. */
SPS_TARGET bool sps_place(const uint8_t *src, uint32_t n, const uint32_t *pool,
                          uint32_t m, const sps_clip *clip, float *dst,
                          uint64_t *ge) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                           20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21,
                                          23, 25, 27, 29, 31);
    const __m512i expo = _mm512_set1_epi32(0x7f800000);
    const clip16 k = {_mm512_set1_ps(clip->max), _mm512_set1_ps(clip->min),
                      _mm512_set1_ps(clip->trim), _mm512_set1_ps(clip->eps)};
    const __m512 thr = _mm512_set1_ps(clip->thr);
    /* What a pool input without an entry gets. */
    const float gap = settle1(0.0f, clip);
    const bool gap_on = gap >= clip->thr;
    if (n > m) return false;
    memset(ge, 0, ((size_t)(m + 63) / 64 + 1) * sizeof *ge);
    uint32_t j = 0, p = 0;
    while (j < n) {
        /* Entries j.. and pool inputs p.. (p - j never shrinks, and m - p >=
         * n - j while a match remains possible). */
        if (m - p < n - j) return false;
        uint32_t r = n - j;
        const uint8_t *s = src + (size_t)j * 8;
        __m512i a, b = _mm512_setzero_si512();
        if (r >= 16) {
            a = _mm512_loadu_si512(s);
            b = _mm512_loadu_si512(s + 64);
        } else {
            __mmask8 ma = (__mmask8)(r >= 8 ? 0xffu : (1u << r) - 1);
            a = _mm512_maskz_loadu_epi64(ma, s);
            if (r > 8)
                b = _mm512_maskz_loadu_epi64((__mmask8)((1u << (r - 8)) - 1),
                                             s + 64);
        }
        __m512i idx = _mm512_permutex2var_epi32(a, even, b);
        __m512i val = _mm512_permutex2var_epi32(a, odd, b);
        __mmask16 live = live16(0, r);
        __m512i pv = _mm512_maskz_loadu_epi32(live, pool + p);
        __mmask16 good =
            (__mmask16)(_mm512_mask_cmpeq_epi32_mask(live, idx, pv) &
                        _mm512_mask_cmpneq_epi32_mask(
                            live, _mm512_and_si512(val, expo), expo));
        /* The lanes stored: all live ones, or those before the first
         * that is not good. */
        uint32_t t = good == live
                         ? (r >= 16 ? 16 : r)
                         : (uint32_t)__builtin_ctz((unsigned)(uint16_t)~good);
        __mmask16 keep = (__mmask16)((1u << t) - 1);
        __m512 v = settle16(_mm512_castsi512_ps(val), &k);
        _mm512_mask_storeu_ps(dst + p, keep, v);
        or_bits16(ge, p, _mm512_mask_cmp_ps_mask(keep, v, thr, _CMP_GE_OQ));
        j += t;
        p += t;
        if (good == live) continue;
        /* Entry j: its value must be finite, and its index one of the pool
         * inputs after p. */
        uint64_t word;
        memcpy(&word, src + (size_t)j * 8, 8);
        uint32_t want = (uint32_t)word;
        if (((uint32_t)(word >> 32) & 0x7f800000u) == 0x7f800000u) return false;
        while (p < m && pool[p] < want) {
            ge[p >> 6] |= (uint64_t)gap_on << (p & 63);
            dst[p++] = gap;
        }
        if (p == m || pool[p] != want) return false;
    }
    for (; p < m; p++) {
        ge[p >> 6] |= (uint64_t)gap_on << (p & 63);
        dst[p] = gap;
    }
    return true;
}

SPS_TARGET void sps_presence(const uint64_t *row_bits,
                             const uint64_t *pool_bits,
                             const uint32_t *pool_rank, uint32_t words,
                             uint32_t m, uint64_t *present) {
    memset(present, 0, ((size_t)(m + 63) / 64 + 1) * sizeof *present);
    for (uint32_t w = 0; w < words; w++) {
        uint64_t x = _pext_u64(row_bits[w], pool_bits[w]);
        if (x == 0) continue; /* then pool_rank[w] < m below */
        uint32_t pos = pool_rank[w], s = pos & 63;
        present[pos >> 6] |= x << s;
        if (s) present[(pos >> 6) + 1] |= x >> (64 - s);
    }
}

SPS_TARGET void sps_expand(const float *val, const uint64_t *present,
                           uint32_t m, float *dst) {
    uint32_t j = 0;
    for (uint32_t k = 0; k < m; k += 16) {
        __mmask16 mk = (__mmask16)(present[k >> 6] >> (k & 63));
        __m512 v = _mm512_maskz_expand_ps(mk, _mm512_loadu_ps(val + j));
        _mm512_mask_storeu_ps(dst + k, live16(k, m), v);
        j += (uint32_t)__builtin_popcount(mk);
    }
}

SPS_TARGET uint32_t sps_connected(const float *perm, uint32_t m, float thr,
                                  const uint64_t *pool_bits,
                                  const uint32_t *pool_rank, uint32_t words,
                                  uint64_t *ge, uint64_t *out) {
    const __m512 vt = _mm512_set1_ps(thr);
    uint64_t acc = 0;
    uint32_t k = 0;
    for (; k < m; k += 16) {
        __mmask16 live = live16(k, m);
        __m512 v = _mm512_maskz_loadu_ps(live, perm + k);
        __mmask16 g = _mm512_mask_cmp_ps_mask(live, v, vt, _CMP_GE_OQ);
        acc |= (uint64_t)g << (k & 63);
        if ((k & 63) == 48) {
            ge[k >> 6] = acc;
            acc = 0;
        }
    }
    /* The last partial word, and one zero word after it for the reads
     * below that straddle. */
    if (k & 63) ge[k >> 6] = acc;
    ge[(m + 63) / 64] = 0;
    return sps_connected_ge(ge, pool_bits, pool_rank, words, out);
}

SPS_TARGET uint32_t sps_connected_ge(const uint64_t *ge,
                                     const uint64_t *pool_bits,
                                     const uint32_t *pool_rank, uint32_t words,
                                     uint64_t *out) {
    uint32_t count = 0;
    for (uint32_t w = 0; w < words; w++) {
        uint64_t mask = pool_bits[w];
        if (mask == 0) {
            out[w] = 0;
            continue;
        }
        uint32_t pos = pool_rank[w], s = pos & 63;
        uint64_t x = ge[pos >> 6] >> s;
        if (s) x |= ge[(pos >> 6) + 1] << (64 - s);
        out[w] = _pdep_u64(x, mask);
        count += (uint32_t)_mm_popcnt_u64(out[w]);
    }
    return count;
}

SPS_TARGET uint32_t sps_count_nonzero(const float *val, uint32_t n) {
    const __m512 zero = _mm512_setzero_ps();
    uint32_t count = 0;
    for (uint32_t k = 0; k < n; k += 16) {
        __mmask16 live = live16(k, n);
        __m512 v = _mm512_maskz_loadu_ps(live, val + k);
        count += (uint32_t)__builtin_popcount(
            _mm512_mask_cmp_ps_mask(live, v, zero, _CMP_NEQ_UQ));
    }
    return count;
}

SPS_TARGET void sps_join(const uint32_t *idx, const float *val, uint32_t n,
                         uint8_t *dst) {
    const __m512 zero = _mm512_setzero_ps();
    for (uint32_t k = 0; k < n; k += 16) {
        __mmask16 live = live16(k, n);
        __m512i vi = _mm512_maskz_loadu_epi32(live, idx + k);
        __m512 vv = _mm512_maskz_loadu_ps(live, val + k);
        __mmask16 nz = _mm512_mask_cmp_ps_mask(live, vv, zero, _CMP_NEQ_UQ);
        if (nz == 0) continue;
        __m512i ci = _mm512_maskz_compress_epi32(nz, vi);
        __m512i cv = _mm512_maskz_compress_epi32(nz, _mm512_castps_si512(vv));
        __m512i lo = _mm512_or_si512(
            _mm512_cvtepu32_epi64(_mm512_castsi512_si256(ci)),
            _mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(cv)),
                              32));
        __m512i hi = _mm512_or_si512(
            _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(ci, 1)),
            _mm512_slli_epi64(
                _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(cv, 1)), 32));
        uint32_t c = (uint32_t)__builtin_popcount(nz);
        if (c >= 8) {
            _mm512_storeu_si512(dst, lo);
            if (c > 8)
                _mm512_mask_storeu_epi64(dst + 64,
                                         (__mmask8)((1u << (c - 8)) - 1), hi);
        } else {
            _mm512_mask_storeu_epi64(dst, (__mmask8)((1u << c) - 1), lo);
        }
        dst += (size_t)c * 8;
    }
}

#else
/* ISO C forbids an empty translation unit. */
typedef int sps_no_kernels;
#endif
