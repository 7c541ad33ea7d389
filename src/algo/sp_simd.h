/*
 * src/algo/sp_simd.h - AVX-512 kernels for the spatial pooler's loads and
 * saves: the conversions between its in-memory arrays (sorted pool indices,
 * pool-aligned permanences, bitsets over the inputs) and the wire's rows
 * (sorted index lists, SparseFloat {index, value} words); learning uses
 * sps_connected too.  Internal.
 *
 * Every kernel is a pure function of its arguments.  The caller checks
 * sizes; the kernels never read or write outside the ranges documented
 * here.  sps_available() says whether the CPU (and OS) run them; on other
 * hosts, and in portable builds, sp.c uses its scalar code instead.
 */
#ifndef NUPIC_ALGO_SP_SIMD_H
#define NUPIC_ALGO_SP_SIMD_H

#include <stdbool.h>
#include <stdint.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) &&        \
    !defined(NCP_PORTABLE_BYTE_ORDER)
#define SPS_KERNELS 1

/* Whether the CPU runs the kernels (algo_cpu_avx512) and sps_force_scalar
 * has not turned them off. */
bool sps_available(void);

/* For tests and fuzzers that compare the two paths: while `on`, the reader,
 * writer and learning use their scalar code.  Not thread-safe; not for library
 * code. */
void sps_force_scalar(bool on);

/* The first position k < n where idx[k] >= limit or (k > 0) idx[k] <=
 * idx[k - 1]; n when idx[0..n) is strictly ascending below limit. */
uint32_t sps_check_sorted(const uint32_t *idx, uint32_t n, uint32_t limit);

/* sps_check_sorted over n little-endian 32-bit words at src, copying them
 * to dst: all n when the result is n, else at least up to the bad one. */
uint32_t sps_copy_sorted(const uint8_t *src, uint32_t n, uint32_t limit,
                         uint32_t *dst);

/* bits[0..words) = the set {idx[k]}; every idx[k] < 64 * words.  When
 * rank is not NULL, rank[w] = the number of set bits below bit 64 * w.
 * scratch holds 64 * words bytes. */
void sps_bitset(const uint32_t *idx, uint32_t n, uint64_t *bits, uint32_t *rank,
                uint32_t words, uint8_t *scratch);

/* Splits n SparseFloat words (index in bytes 0-3, value in 4-7, little
 * endian) at src into idx[0..n) and val[0..n).  Returns the first position
 * whose index is >= limit, not above the previous one, or whose value is
 * not finite (nothing past it is stored); n when all are good. */
uint32_t sps_split(const uint8_t *src, uint32_t n, uint32_t limit,
                   uint32_t *idx, float *val);

/* How a column's permanences are settled as they are read (settle_read
 * in sp.c), in this order: a value above max becomes max, then one below
 * trim becomes min, then one within eps of zero becomes 0.  The settled
 * values at or above thr are the connected ones. */
typedef struct {
    float max, min, trim, eps, thr;
} sps_clip;

/* Places n SparseFloat words at src (as for sps_split) into a column's
 * pool-aligned values, settled by *clip: dst[r] for r < m is the settled
 * value of the entry whose index is pool[r], or the settled value of 0
 * when no entry names pool[r]; bit r of ge[] is dst[r] >= clip->thr (ge
 * holds (m + 63) / 64 + 1 words, all written).  pool[0..m) is strictly
 * ascending.  Returns true when every entry names a pool input, in
 * ascending order, with a finite value; false otherwise, and then dst[0..m)
 * and ge[] hold unspecified values (the caller finds the error with
 * sps_split). */
bool sps_place(const uint8_t *src, uint32_t n, const uint32_t *pool, uint32_t m,
               const sps_clip *clip, float *dst, uint64_t *ge);

/* A pool's presence bitmap: bit r of present[] is set when the pool's r-th
 * input (in ascending order) is in row_bits.  pool_rank[w] is the number of
 * pool inputs below 64 * w; m the pool's size.  present[] holds
 * (m + 63) / 64 + 1 words. */
void sps_presence(const uint64_t *row_bits, const uint64_t *pool_bits,
                  const uint32_t *pool_rank, uint32_t words, uint32_t m,
                  uint64_t *present);

/* dst[r] for r < m: the next of val[] where present has bit r, else 0.
 * val[] is readable for popcount(present) + 16 floats. */
void sps_expand(const float *val, const uint64_t *present, uint32_t m,
                float *dst);

/* A column's connected bitset out[0..words) from its pool-aligned
 * permanences perm[0..m): the pool inputs with perm >= thr.  ge[] is
 * scratch of (m + 63) / 64 + 1 words.  Returns the number connected. */
uint32_t sps_connected(const float *perm, uint32_t m, float thr,
                       const uint64_t *pool_bits, const uint32_t *pool_rank,
                       uint32_t words, uint64_t *ge, uint64_t *out);

/* The last step of sps_connected: out[0..words) from ge[], whose bit r says
 * whether the pool's r-th input is connected (ge as sps_connected leaves
 * it: (m + 63) / 64 + 1 words, zero past bit m).  Returns the number
 * connected. */
uint32_t sps_connected_ge(const uint64_t *ge, const uint64_t *pool_bits,
                          const uint32_t *pool_rank, uint32_t words,
                          uint64_t *out);

/* The number of val[0..n) that compare != 0. */
uint32_t sps_count_nonzero(const float *val, uint32_t n);

/* Writes one SparseFloat word (idx[k] | bits(val[k]) << 32, little
 * endian) to dst for each k with val[k] != 0, in order: exactly
 * 8 * sps_count_nonzero(val, n) bytes. */
void sps_join(const uint32_t *idx, const float *val, uint32_t n, uint8_t *dst);

#else
static inline void sps_force_scalar(bool on) {
    (void)on;
}
#endif
#endif
