/*
 * src/ncp/pack_loops.h - the hot loops of packing and unpacking, written
 * once and compiled twice: by pack_scalar.c (portable C) and, on x86-64, by
 * pack_ssse3.c (with -mssse3: one pshufb gathers or scatters a word's bytes).
 * The includer defines NCP_PACK_SIMD (0 or 1) and NCP_PACK_NAME(x), and may
 * define NCP_PACK_BLOCKS(in, end, out): a function packing words from *in
 * (advanced) to out (returned) in blocks free of runs, called before each
 * element while the loop's room check holds; it may pack nothing.
 */
#include "internal.h"

#if NCP_PACK_SIMD
#include <tmmintrin.h>
#endif

/* Writes the nonzero bytes of x (those whose bit is set in tag), in order,
 * at out; may write up to 8 bytes. */
static inline void compact(uint8_t *out, uint64_t x, unsigned tag) {
#if NCP_PACK_SIMD
    __m128i v = _mm_cvtsi64_si128((long long)x);
    __m128i m = _mm_loadu_si128((const __m128i *)ncp__pack_shuffle[tag]);
    _mm_storel_epi64((__m128i *)out, _mm_shuffle_epi8(v, m));
#else
    unsigned n = 0;
    for (unsigned b = 0; b < 8; b++) {
        out[n] = (uint8_t)(x >> (8 * b));
        n += (tag >> b) & 1u;
    }
#endif
}

/* Writes the word whose nonzero bytes (per tag) start at in; reads up to 8
 * bytes from in. */
static inline void expand(uint8_t *out, const uint8_t *in, unsigned tag) {
#if NCP_PACK_SIMD
    __m128i v = _mm_loadl_epi64((const __m128i *)in);
    __m128i m = _mm_loadu_si128((const __m128i *)ncp__unpack_shuffle[tag]);
    _mm_storel_epi64((__m128i *)out, _mm_shuffle_epi8(v, m));
#else
    for (unsigned b = 0; b < 8; b++) {
        unsigned bit = (tag >> b) & 1u;
        out[b] = (uint8_t)(in[0] & (0u - bit));
        in += bit;
    }
#endif
}

uint8_t *NCP_PACK_NAME(pack_run)(const uint8_t **inp, const uint8_t *end,
                                 uint8_t *out, const uint8_t *out_end) {
    const uint8_t *in = *inp;
    while (in < end && (size_t)(out_end - out) >= NCP__PACK_ELEM_MAX) {
#ifdef NCP_PACK_BLOCKS
        out = NCP_PACK_BLOCKS(&in, end, out, out_end);
        if (in == end || (size_t)(out_end - out) < NCP__PACK_ELEM_MAX) break;
#endif
        uint64_t x = ncp_load64(in);
        in += 8;
        unsigned tag = ncp__nonzero_bytes(x);
        out[0] = (uint8_t)tag;
        if (tag == 0) {
            /* Further zero words, at most 255, never past the piece. */
            size_t avail = (size_t)(end - in) / 8, n = 0;
            if (avail > 255) avail = 255;
            while (n < avail && ncp_load64(in + n * 8) == 0)
                n++;
            out[1] = (uint8_t)n;
            out += 2;
            in += n * 8;
            continue;
        }
        compact(out + 1, x, tag);
        out += 1 + ncp__tag_bytes[tag];
        if (tag == 0xff) {
            /* Further words with at most one zero byte go verbatim. */
            size_t avail = (size_t)(end - in) / 8, n = 0;
            if (avail > 255) avail = 255;
            while (n < avail &&
                   ncp__tag_bytes[ncp__nonzero_bytes(ncp_load64(in + n * 8))] >=
                       7)
                n++;
            *out++ = (uint8_t)n;
            memcpy(out, in, n * 8);
            out += n * 8;
            in += n * 8;
        }
    }
    *inp = in;
    return out;
}

void NCP_PACK_NAME(unpack_run)(const uint8_t *in, size_t in_len, size_t *ipp,
                               uint8_t *out, size_t out_len, size_t *opp) {
    size_t ip = *ipp, op = *opp;
    while (op < out_len && in_len - ip >= 10) {
        unsigned tag = in[ip];
        if (tag == 0 || tag == 0xff) break;
        expand(out + op, in + ip + 1, tag);
        ip += 1 + (size_t)ncp__tag_bytes[tag];
        op += 8;
    }
    *ipp = ip;
    *opp = op;
}
