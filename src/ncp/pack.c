/*
 * src/ncp/pack.c - Cap'n Proto packing (encoding.md, "Packing").
 *
 * Each word becomes a tag byte whose bit i says byte i is nonzero, followed
 * by the nonzero bytes.  Tag 0x00 is followed by a count of further zero
 * words; tag 0xff by a count of words copied verbatim.  The packer makes the
 * same choices as the reference C++ packer (a verbatim run continues while
 * words have at most one zero byte, up to 255 words, never across the end of
 * the piece being packed), so both produce identical bytes.
 */
#include "internal.h"

static inline unsigned popcount8(unsigned v) {
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_popcount(v);
#else
    unsigned c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
#endif
}

/* Expands the nonzero bytes at s into the word at d.  `s` must have eight
 * readable bytes (the caller checked it); bytes are consumed branch-free. */
static inline const uint8_t *expand_fast(unsigned tag, const uint8_t *s,
                                         uint8_t *d) {
    for (unsigned b = 0; b < 8; b++) {
        unsigned bit = (tag >> b) & 1u;
        d[b] = (uint8_t)(s[0] & (0u - bit));
        s += bit;
    }
    return s;
}

/* The same, reading only the bytes the tag names. */
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
    size_t ip = *ipp, op = *opp;
    ncp__unpack_result r = NCP__UNPACK_DONE;
    *need = 0;
    *raw_left = 0;
    while (op < out_len) {
        size_t avail = in_len - ip;
        unsigned tag;
        if (NCP_LIKELY(avail >= 10)) {
            /* A whole element (tag, up to 8 bytes, a count) is present. */
            tag = in[ip];
            ip = (size_t)(expand_fast(tag, in + ip + 1, out + op) - in);
        } else {
            if (avail == 0) {
                *need = 1;
                r = NCP__UNPACK_NEED;
                break;
            }
            tag = in[ip];
            size_t len = 1 + popcount8(tag) + (tag == 0 || tag == 0xff);
            if (avail < len) {
                *need = len;
                r = NCP__UNPACK_NEED;
                break;
            }
            ip = (size_t)(expand_exact(tag, in + ip + 1, out + op) - in);
        }
        op += 8;
        if (tag == 0) {
            size_t run = (size_t)in[ip++] * 8;
            if (run > out_len - op) {
                r = NCP__UNPACK_BAD;
                break;
            }
            memset(out + op, 0, run);
            op += run;
        } else if (tag == 0xff) {
            size_t run = (size_t)in[ip++] * 8;
            if (run > out_len - op) {
                r = NCP__UNPACK_BAD;
                break;
            }
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

/* Number of zero bytes in a word. */
static inline unsigned zero_bytes(uint64_t w) {
    unsigned z = 0;
    for (unsigned b = 0; b < 8; b++)
        z += ((w >> (8 * b)) & 0xff) == 0;
    return z;
}

size_t ncp__pack_elem(const uint8_t **inp, const uint8_t *end, uint8_t *out) {
    const uint8_t *in = *inp;
    uint8_t *o = out + 1;
    unsigned tag = 0;
    for (unsigned b = 0; b < 8; b++) {
        uint8_t v = in[b];
        unsigned nz = v != 0;
        *o = v;
        o += nz;
        tag |= nz << b;
    }
    out[0] = (uint8_t)tag;
    in += 8;
    if (tag == 0) {
        size_t avail = (size_t)(end - in) / 8, n = 0;
        if (avail > 255) avail = 255;
        while (n < avail && ncp_load64(in + n * 8) == 0)
            n++;
        *o++ = (uint8_t)n;
        in += n * 8;
    } else if (tag == 0xff) {
        size_t avail = (size_t)(end - in) / 8, n = 0;
        if (avail > 255) avail = 255;
        while (n < avail && zero_bytes(ncp_load64(in + n * 8)) < 2)
            n++;
        *o++ = (uint8_t)n;
        memcpy(o, in, n * 8);
        o += n * 8;
        in += n * 8;
    }
    *inp = in;
    return (size_t)(o - out);
}

size_t ncp_pack(const void *words, size_t n, void *out, size_t cap) {
    const uint8_t *in = words;
    const uint8_t *end = in + n * 8;
    uint8_t *dst = out;
    size_t len = 0;
    while (in < end) {
        if (cap - len >= NCP__PACK_ELEM_MAX) {
            len += ncp__pack_elem(&in, end, dst + len);
        } else {
            uint8_t tmp[NCP__PACK_ELEM_MAX];
            size_t k = ncp__pack_elem(&in, end, tmp);
            if (k > cap - len) return 0;
            memcpy(dst + len, tmp, k);
            len += k;
        }
    }
    return len;
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
