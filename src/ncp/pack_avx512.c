/*
 * src/ncp/pack_avx512.c - the packing loops with AVX-512 VBMI2 (see
 * pack_loops.h).  Compiled with the AVX-512 options on x86-64 only; used
 * when the CPU has them.
 *
 * Eight words at a time: one byte test gives their eight tags; when none is
 * 0x00 or 0xff (which start runs), each half of the block is laid out as
 * four 9-byte slots (the tag, then the word) with one byte permutation, and
 * one byte compression keeps each slot's tag and the bytes its tag names:
 * the same bytes as packing the words one by one.  A block with a run tag
 * goes through the one-word loop.
 */
#include <immintrin.h>

#include "internal.h"

/* Whether any of the eight bytes of x is zero. */
static inline int has_zero_byte(uint64_t x) {
    return ((x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull) != 0;
}

static uint8_t *pack_blocks(const uint8_t **inp, const uint8_t *end,
                            uint8_t *out, const uint8_t *out_end) {
    /* Slot i of a half (four words from word 4h) holds byte 9i = tag
     * 4h + i (index 64 + 4h + i: the second table, the tags), bytes
     * 9i + 1 + b = byte b of word 4h + i. */
    static const uint8_t perm[2][64] = {
        {64, 0,  1,  2,  3,  4,  5,  6,  7,  65, 8,  9,
         10, 11, 12, 13, 14, 15, 66, 16, 17, 18, 19, 20,
         21, 22, 23, 67, 24, 25, 26, 27, 28, 29, 30, 31},
        {68, 32, 33, 34, 35, 36, 37, 38, 39, 69, 40, 41,
         42, 43, 44, 45, 46, 47, 70, 48, 49, 50, 51, 52,
         53, 54, 55, 71, 56, 57, 58, 59, 60, 61, 62, 63}};
    const __m512i p0 = _mm512_loadu_si512(perm[0]);
    const __m512i p1 = _mm512_loadu_si512(perm[1]);
    /* Bits 9i + 1 .. 9i + 8 (a slot's word) and 9i (its tag). */
    const uint64_t word_bits = 0xff7fbfdfeull, tag_bits = 0x8040201ull;
    const uint8_t *in = *inp;
    /* A half stores 64 bytes (at most 36 of them count): far less than the
     * room the loop checks. */
    while ((size_t)(end - in) >= 64 &&
           (size_t)(out_end - out) >= NCP__PACK_ELEM_MAX) {
        __m512i v = _mm512_loadu_si512(in);
        uint64_t tags = _mm512_test_epi8_mask(v, v);
        if (has_zero_byte(tags) || has_zero_byte(~tags)) break;
        __m512i t = _mm512_set1_epi64((long long)tags);
        uint64_t m0 = _pdep_u64(tags & 0xffffffffu, word_bits) | tag_bits;
        uint64_t m1 = _pdep_u64(tags >> 32, word_bits) | tag_bits;
        __m512i s0 =
            _mm512_maskz_compress_epi8(m0, _mm512_permutex2var_epi8(v, p0, t));
        _mm512_storeu_si512(out, s0);
        out += _mm_popcnt_u64(m0);
        __m512i s1 =
            _mm512_maskz_compress_epi8(m1, _mm512_permutex2var_epi8(v, p1, t));
        _mm512_storeu_si512(out, s1);
        out += _mm_popcnt_u64(m1);
        in += 64;
    }
    *inp = in;
    return out;
}

#define NCP_PACK_SIMD    1
#define NCP_PACK_NAME(x) ncp__##x##_avx512
#define NCP_PACK_BLOCKS  pack_blocks
#include "pack_loops.h"
