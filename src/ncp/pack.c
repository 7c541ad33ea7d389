/*
 * src/ncp/pack.c - Cap'n Proto packing (encoding.md, "Packing").
 *
 * Each word becomes a tag byte whose bit i says byte i is nonzero, followed
 * by the nonzero bytes.  Tag 0x00 is followed by a count of further zero
 * words; tag 0xff by a count of words copied verbatim.  The packer makes the
 * same choices as the reference C++ packer (a verbatim run continues while
 * words have at most one zero byte, up to 255 words, never across the end of
 * the piece being packed), so both produce identical bytes.
 *
 * The per-word loops live in pack_loops.h, compiled in a portable version
 * and, on x86-64, an SSSE3 version and an AVX-512 (VBMI2) packer, chosen at
 * first use when the CPU has them.
 */
#include <pthread.h>

#include "internal.h"

#define B2(n) n, n + 1, n + 1, n + 2
#define B4(n) B2(n), B2(n + 1), B2(n + 1), B2(n + 2)
#define B6(n) B4(n), B4(n + 1), B4(n + 1), B4(n + 2)
const uint8_t ncp__tag_bytes[256] = {B6(0), B6(1), B6(1), B6(2)};
#undef B2
#undef B4
#undef B6

uint8_t ncp__pack_shuffle[256][16];
uint8_t ncp__unpack_shuffle[256][16];

#if defined(NCP_HAVE_SSSE3)
static bool ssse3_usable(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("ssse3");
}
#endif
#if defined(NCP_HAVE_AVX512_PACK)
static bool avx512_pack_usable(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi") &&
           __builtin_cpu_supports("avx512vbmi2") &&
           __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
}
#endif

static ncp__pack_run_fn pack_run = ncp__pack_run_scalar;
static ncp__unpack_run_fn unpack_run = ncp__unpack_run_scalar;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init(void) {
    for (unsigned t = 0; t < 256; t++) {
        unsigned k = 0;
        memset(ncp__pack_shuffle[t], 0x80, 16);
        memset(ncp__unpack_shuffle[t], 0x80, 16);
        for (unsigned b = 0; b < 8; b++) {
            if (!((t >> b) & 1u)) continue;
            ncp__pack_shuffle[t][k] = (uint8_t)b;
            ncp__unpack_shuffle[t][b] = (uint8_t)k;
            k++;
        }
    }
#if defined(NCP_HAVE_SSSE3)
    if (ssse3_usable()) {
        pack_run = ncp__pack_run_ssse3;
        unpack_run = ncp__unpack_run_ssse3;
    }
#endif
#if defined(NCP_HAVE_AVX512_PACK)
    if (avx512_pack_usable()) pack_run = ncp__pack_run_avx512;
#endif
}

/* Appends one implementation to a caller's arrays (see ncp__pack_impls). */
#define ADD_IMPL(name, fn)                                                     \
    do {                                                                       \
        if (n < cap) {                                                         \
            names[n] = name;                                                   \
            fns[n] = fn;                                                       \
        }                                                                      \
        n++;                                                                   \
    } while (0)

size_t ncp__pack_impls(const char **names, ncp__pack_run_fn *fns, size_t cap) {
    pthread_once(&init_once, init); /* the SIMD loops read its tables */
    size_t n = 0;
    ADD_IMPL("scalar", ncp__pack_run_scalar);
#if defined(NCP_HAVE_SSSE3)
    if (ssse3_usable()) ADD_IMPL("ssse3", ncp__pack_run_ssse3);
#endif
#if defined(NCP_HAVE_AVX512_PACK)
    if (avx512_pack_usable()) ADD_IMPL("avx512", ncp__pack_run_avx512);
#endif
    return n;
}

size_t ncp__unpack_impls(const char **names, ncp__unpack_run_fn *fns,
                         size_t cap) {
    pthread_once(&init_once, init);
    size_t n = 0;
    ADD_IMPL("scalar", ncp__unpack_run_scalar);
#if defined(NCP_HAVE_SSSE3)
    if (ssse3_usable()) ADD_IMPL("ssse3", ncp__unpack_run_ssse3);
#endif
    return n;
}
#undef ADD_IMPL

uint8_t *ncp__pack_run(const uint8_t **in, const uint8_t *end, uint8_t *out,
                       const uint8_t *out_end) {
    pthread_once(&init_once, init);
    return pack_run(in, end, out, out_end);
}

/* Expands the nonzero bytes at s into the word at d, reading only the bytes
 * the tag names. */
static inline const uint8_t *expand_exact(unsigned tag, const uint8_t *s,
                                          uint8_t *d) {
    for (unsigned b = 0; b < 8; b++)
        d[b] = ((tag >> b) & 1u) ? *s++ : 0;
    return s;
}

ncp__unpack_result ncp__unpack_some(const uint8_t *in, size_t in_len,
                                    size_t *ipp, uint8_t *out, size_t out_len,
                                    size_t *opp, size_t *need,
                                    size_t *raw_left) {
    pthread_once(&init_once, init);
    size_t ip = *ipp, op = *opp;
    ncp__unpack_result r = NCP__UNPACK_DONE;
    *need = 0;
    *raw_left = 0;
    while (op < out_len) {
        unpack_run(in, in_len, &ip, out, out_len, &op);
        if (op >= out_len) break;
        /* One element the fast loop left: a run tag, or near the input's
         * end. */
        size_t avail = in_len - ip;
        if (avail == 0) {
            *need = 1;
            r = NCP__UNPACK_NEED;
            break;
        }
        unsigned tag = in[ip];
        size_t len =
            1 + (size_t)ncp__tag_bytes[tag] + (tag == 0 || tag == 0xff);
        if (avail < len) {
            *need = len;
            r = NCP__UNPACK_NEED;
            break;
        }
        /* A run must end inside the region; if it does not, nothing of the
         * element is consumed (a caller growing its output may retry). */
        size_t run = 0;
        if (tag == 0 || tag == 0xff) {
            run = (size_t)in[ip + len - 1] * 8;
            if (run > out_len - op - 8) {
                r = NCP__UNPACK_BAD;
                break;
            }
        }
        ip = (size_t)(expand_exact(tag, in + ip + 1, out + op) - in);
        op += 8;
        if (tag == 0) {
            ip++;
            memset(out + op, 0, run);
            op += run;
        } else if (tag == 0xff) {
            ip++;
            size_t have = in_len - ip;
            if (have >= run) {
                memcpy(out + op, in + ip, run);
                op += run;
                ip += run;
            } else {
                memcpy(out + op, in + ip, have);
                op += have;
                ip += have;
                *raw_left = run - have;
                r = NCP__UNPACK_NEED;
                break;
            }
        }
    }
    *ipp = ip;
    *opp = op;
    return r;
}

size_t ncp_pack(const void *words, size_t n, void *out, size_t cap) {
    const uint8_t *in = words;
    const uint8_t *end = in + n * 8;
    uint8_t *dst = out;
    uint8_t *o = ncp__pack_run(&in, end, dst, dst + cap);
    /* Near the end of the output: one element at a time through a buffer
     * that always has room, copied only if it fits. */
    while (in < end) {
        uint8_t tmp[NCP__PACK_ELEM_MAX];
        uint8_t *t = ncp__pack_run(&in, end, tmp, tmp + sizeof tmp);
        size_t k = (size_t)(t - tmp);
        if (k > cap - (size_t)(o - dst)) return 0;
        memcpy(o, tmp, k);
        o += k;
    }
    return (size_t)(o - dst);
}

ncp_status ncp_unpack(const void *in, size_t in_len, void *out,
                      size_t out_words, size_t *used, ncp_error *err) {
    size_t ip = 0, op = 0, need, raw;
    ncp__unpack_result r =
        ncp__unpack_some(in, in_len, &ip, out, out_words * 8, &op, &need, &raw);
    if (used) *used = ip;
    if (r == NCP__UNPACK_BAD)
        return ncp_error_set(err, NCP_ERR_MALFORMED,
                             "packed input: a run passes the end of the "
                             "output at word %zu",
                             op / 8);
    if (r == NCP__UNPACK_NEED)
        return ncp_error_set(err, NCP_ERR_TRUNCATED,
                             "packed input: ends after %zu bytes, at word %zu "
                             "of %zu",
                             ip, op / 8, out_words);
    return NCP_OK;
}
