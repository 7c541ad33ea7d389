/*
 * src/ncp/dynamic.c - generic walks of messages driven by reflection tables:
 * printing as JSON and text, equality, validation (nupic/ncp/dynamic.h).
 *
 * The three walks share a context (`walk`): the path from the root for error
 * messages (field names and list indexes, formatted only when an error is
 * reported), the nesting depth, the messages of pointer defaults, and the
 * first error.  Every pointer is followed through the checked reader with an
 * empty `what`, so that a reader error reads ": <problem>" and is reported as
 * "<path>: <problem>".
 *
 * Printing writes into a buffer that is handed to the sink in chunks.  The
 * pretty forms of the reference break a compound value into lines depending
 * on the sizes of its items, known only once they are printed; so items are
 * first written inline, and when a compound turns out to need lines its
 * items are moved apart in the buffer (see `go_multi`).  Output before the
 * first compound whose layout is still open is final and is flushed.
 *
 * Numbers are formatted without printf: integers with a two-digit table,
 * floats by exact decimal rounding in 128-bit arithmetic (falling back to
 * snprintf/strtod, which is what the reference uses, outside the range that
 * arithmetic covers).
 */
#include "internal.h"

#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/ncp/dynamic.h>

/* ========================================================================
 * Numbers
 * ======================================================================== */

static const char digit_pairs[] = "00010203040506070809"
                                  "10111213141516171819"
                                  "20212223242526272829"
                                  "30313233343536373839"
                                  "40414243444546474849"
                                  "50515253545556575859"
                                  "60616263646566676869"
                                  "70717273747576777879"
                                  "80818283848586878889"
                                  "90919293949596979899";

/* Decimal digits of v at out (at most 20); returns their count. */
static size_t fmt_u64(char *out, uint64_t v) {
    char tmp[20];
    char *p = tmp + sizeof tmp;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, digit_pairs + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(out, p, n);
    return n;
}

static size_t fmt_i64(char *out, int64_t v) {
    if (v < 0) {
        out[0] = '-';
        return 1 + fmt_u64(out + 1, 0 - (uint64_t)v);
    }
    return fmt_u64(out, (uint64_t)v);
}

static const uint64_t pow10_u64[20] = {1u,
                                       10u,
                                       100u,
                                       1000u,
                                       10000u,
                                       100000u,
                                       1000000u,
                                       10000000u,
                                       100000000u,
                                       1000000000u,
                                       10000000000u,
                                       100000000000u,
                                       1000000000000u,
                                       10000000000000u,
                                       100000000000000u,
                                       1000000000000000u,
                                       10000000000000000u,
                                       100000000000000000u,
                                       1000000000000000000u,
                                       10000000000000000000u};

/* Writes `p` significant digits (the value r, 10^(p-1) <= r < 10^p) whose
 * first digit has decimal exponent x, as printf's "%.<p>g" does (trailing
 * zeros dropped, exponential form when x < -4 or x >= p), but without '+'
 * in the exponent, as the reference removes it. */
static size_t fmt_g(char *out, bool neg, uint64_t r, int x, unsigned p) {
    char d[20];
    unsigned i = p;
    for (; i >= 2; i -= 2) {
        memcpy(d + i - 2, digit_pairs + 2 * (r % 100), 2);
        r /= 100;
    }
    if (i) d[0] = (char)('0' + r);
    unsigned n = p;
    while (n > 1 && d[n - 1] == '0')
        n--;
    char *o = out;
    if (neg) *o++ = '-';
    if (x < -4 || x >= (int)p) {
        *o++ = d[0];
        if (n > 1) {
            *o++ = '.';
            memcpy(o, d + 1, n - 1);
            o += n - 1;
        }
        *o++ = 'e';
        unsigned ax = (unsigned)x;
        if (x < 0) {
            *o++ = '-';
            ax = 0u - (unsigned)x;
        }
        if (ax >= 100) {
            *o++ = (char)('0' + ax / 100);
            ax %= 100;
        }
        memcpy(o, digit_pairs + 2 * ax, 2);
        o += 2;
    } else if (x >= 0) {
        unsigned ip = (unsigned)x + 1; /* digits before the point */
        if (n <= ip) {
            memcpy(o, d, n);
            o += n;
            memset(o, '0', ip - n);
            o += ip - n;
        } else {
            memcpy(o, d, ip);
            o += ip;
            *o++ = '.';
            memcpy(o, d + ip, n - ip);
            o += n - ip;
        }
    } else {
        unsigned z = (unsigned)(-x - 1);
        *o++ = '0';
        *o++ = '.';
        memset(o, '0', z);
        o += z;
        memcpy(o, d, n);
        o += n;
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* The reference's text after snprintf: the radix of the locale becomes '.'
 * and '+' leaves the exponent. */
static size_t tidy_libc(char *buf) {
    char *w = buf;
    for (char *r = buf; *r; r++) {
        if (*r == '+') continue;
        *w++ = *r == ',' ? '.' : *r;
    }
    *w = '\0';
    return (size_t)(w - buf);
}

static size_t f64_libc(double v, char *out) {
    snprintf(out, NCP_FLOAT_CHARS, "%.*g", DBL_DIG, v);
    double back = strtod(out, NULL);
    if (back != v) snprintf(out, NCP_FLOAT_CHARS, "%.*g", DBL_DIG + 2, v);
    return tidy_libc(out);
}

static size_t f32_libc(float v, char *out) {
    int saved = errno;
    snprintf(out, NCP_FLOAT_CHARS, "%.*g", FLT_DIG, (double)v);
    char *end;
    errno = 0;
    float back = strtof(out, &end);
    if (out[0] == '\0' || *end != '\0' || errno != 0 || back != v)
        snprintf(out, NCP_FLOAT_CHARS, "%.*g", FLT_DIG + 2, (double)v);
    errno = saved;
    return tidy_libc(out);
}

static size_t put_special(char *out, const char *s) {
    size_t n = strlen(s);
    memcpy(out, s, n + 1);
    return n;
}

#ifdef __SIZEOF_INT128__
#define NCP_DYN_EXACT 1
__extension__ typedef unsigned __int128 u128;

static const uint64_t pow5_u64[28] = {1u,
                                      5u,
                                      25u,
                                      125u,
                                      625u,
                                      3125u,
                                      15625u,
                                      78125u,
                                      390625u,
                                      1953125u,
                                      9765625u,
                                      48828125u,
                                      244140625u,
                                      1220703125u,
                                      6103515625u,
                                      30517578125u,
                                      152587890625u,
                                      762939453125u,
                                      3814697265625u,
                                      19073486328125u,
                                      95367431640625u,
                                      476837158203125u,
                                      2384185791015625u,
                                      11920928955078125u,
                                      59604644775390625u,
                                      298023223876953125u,
                                      1490116119384765625u,
                                      7450580596923828125u};

static unsigned bitlen64(uint64_t x) {
    return x ? 64u - (unsigned)__builtin_clzll(x) : 0u;
}

static unsigned bitlen128(u128 x) {
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? 64u + bitlen64(hi) : bitlen64((uint64_t)x);
}

/* 5^q for q <= 54. */
static u128 pow5_128(unsigned q) {
    unsigned a = q > 27 ? 27 : q;
    return (u128)pow5_u64[a] * pow5_u64[q - a];
}

/* floor(e2 * log10(2)), possibly one less or more near integers. */
static int log10_pow2_estimate(int e2) {
    int64_t t = (int64_t)e2 * 78913;
    return (int)(t >= 0 ? t / 262144 : -((-t + 262143) / 262144));
}

/* v * 10^q for v = m * 2^e, as the exact fraction (ip + rem / den); ulp
 * receives 2^e * 10^q over the same den.  den stays below 2^119, so that
 * rounding can divide ip by 100 and still compare 4 * 100 * den in 128
 * bits.  False when 128 bits do not hold the computation. */
typedef struct scaled {
    u128 ip, rem, den, ulp;
} scaled;

#define DEN_BITS_MAX 118u

static bool scale(uint64_t m, int e, int q, scaled *r) {
    unsigned mb = bitlen64(m);
    if (q >= 0) {
        if (q > 54) return false;
        u128 p5 = pow5_128((unsigned)q);
        if (mb + bitlen128(p5) > 126) return false;
        u128 n = (u128)m * p5;
        int sh = e + q;
        if (sh >= 0) {
            if (bitlen128(n) + (unsigned)sh > 126) return false;
            r->ip = n << sh;
            r->rem = 0;
            r->den = 1;
            r->ulp = p5 << sh;
        } else {
            unsigned s = (unsigned)-sh;
            if (s > DEN_BITS_MAX) return false;
            r->den = (u128)1 << s;
            r->ip = n >> s;
            r->rem = n & (r->den - 1);
            r->ulp = p5;
        }
        return true;
    }
    unsigned t = (unsigned)-q;
    if (t > 35) return false;
    u128 p10 = pow5_128(t) << t;
    if (e >= 0) {
        if (mb + (unsigned)e > 125 || bitlen128(p10) > DEN_BITS_MAX)
            return false;
        u128 n = (u128)m << e;
        r->den = p10;
        r->ip = n / p10;
        r->rem = n % p10;
        r->ulp = (u128)1 << e;
    } else {
        unsigned u = (unsigned)-e;
        if (bitlen128(p10) + u > DEN_BITS_MAX) return false;
        r->den = p10 << u;
        r->ip = (u128)m / r->den;
        r->rem = (u128)m % r->den;
        r->ulp = 1;
    }
    return true;
}

/* Scales v = m * 2^e (m > 0) so that its integer part has exactly p digits;
 * *x receives the decimal exponent of v's first digit.  False when v is
 * outside the range handled exactly. */
static bool scale_to_digits(uint64_t m, int e, unsigned p, scaled *s, int *x) {
    int k = log10_pow2_estimate(e + (int)bitlen64(m) - 1);
    for (int tries = 0; tries < 3; tries++) {
        if (!scale(m, e, (int)p - 1 - k, s)) return false;
        if (s->ip >= pow10_u64[p])
            k++;
        else if (s->ip < pow10_u64[p - 1])
            k--;
        else {
            *x = k;
            return true;
        }
    }
    return false;
}

typedef struct rounded {
    uint64_t digits; /* p digits */
    int exp10;       /* exponent of the first */
    bool roundtrip;
} rounded;

/* Rounds the scaled value, first divided by div (1 or 100, which drops two
 * digits), to the nearest integer, ties to even (as glibc's printf): p
 * significant digits of v.  The result reads back as v when parsing rounds
 * to the nearest of v's neighbours v - 2^e (v - 2^(e-1) when lower_half: v
 * is the first of its binade) and v + 2^e, ties to even mantissa m. */
static rounded round_scaled(const scaled *s, int x, unsigned p, unsigned div,
                            uint64_t m, bool lower_half) {
    uint64_t ip = (uint64_t)s->ip;
    u128 rem = (u128)(ip % div) * s->den + s->rem;
    u128 den = s->den * div;
    ip /= div;
    u128 twice = rem * 2;
    bool up = twice > den || (twice == den && (ip & 1) != 0);
    rounded r = {ip + (up ? 1u : 0u), x, true};
    if (r.digits == pow10_u64[p]) {
        r.digits = pow10_u64[p - 1];
        r.exp10++;
    }
    if (rem != 0) {
        u128 err = (up ? den - rem : rem) * ((!up && lower_half) ? 4u : 2u);
        r.roundtrip = err < s->ulp || (err == s->ulp && (m & 1) == 0);
    }
    return r;
}

/* The reference's choice for v = m * 2^e: `short_p` digits if they read
 * back as v, else short_p + 2.  0 when v is outside the exact range. */
static size_t fmt_exact(char *out, bool neg, uint64_t m, int e, bool lower_half,
                        unsigned short_p) {
    scaled s;
    int x;
    if (!scale_to_digits(m, e, short_p + 2, &s, &x)) return 0;
    rounded r = round_scaled(&s, x, short_p, 100, m, lower_half);
    if (r.roundtrip) return fmt_g(out, neg, r.digits, r.exp10, short_p);
    r = round_scaled(&s, x, short_p + 2, 1, m, lower_half);
    return fmt_g(out, neg, r.digits, r.exp10, short_p + 2);
}
#endif /* __SIZEOF_INT128__ */

size_t ncp_format_f64(double v, char *out) {
    uint64_t bits = ncp_f64_to_bits(v);
    bool neg = (bits >> 63) != 0;
    unsigned be = (unsigned)(bits >> 52) & 0x7ff;
    uint64_t frac = bits & (((uint64_t)1 << 52) - 1);
    if (be == 0x7ff)
        return put_special(out, frac ? "nan" : neg ? "-inf" : "inf");
    if (be == 0 && frac == 0) return put_special(out, neg ? "-0" : "0");
#ifdef NCP_DYN_EXACT
    uint64_t m = be ? frac | ((uint64_t)1 << 52) : frac;
    int e = be ? (int)be - 1075 : -1074;
    size_t n = fmt_exact(out, neg, m, e, be > 1 && frac == 0, DBL_DIG);
    if (n) return n;
#endif
    return f64_libc(v, out);
}

size_t ncp_format_f32(float v, char *out) {
    uint32_t bits = ncp_f32_to_bits(v);
    bool neg = (bits >> 31) != 0;
    unsigned be = (bits >> 23) & 0xff;
    uint32_t frac = bits & 0x7fffffu;
    if (be == 0xff)
        return put_special(out, frac ? "nan" : neg ? "-inf" : "inf");
    if (be == 0 && frac == 0) return put_special(out, neg ? "-0" : "0");
#ifdef NCP_DYN_EXACT
    /* The reference rejects a reading that underflows (strtof sets ERANGE
     * for subnormal results): floats of the lowest binades go to libc. */
    if (be >= 2) {
        size_t n = fmt_exact(out, neg, frac | 0x800000u, (int)be - 150,
                             frac == 0, FLT_DIG);
        if (n) return n;
    }
#endif
    return f32_libc(v, out);
}

/* ========================================================================
 * Walk context: path, depth, defaults, errors
 * ======================================================================== */

enum { PATH_FIELD, PATH_INDEX, PATH_POINTER };

typedef struct path_item {
    const char *name;
    uint32_t index;
    uint32_t kind;
} path_item;

typedef struct default_msg {
    const uint8_t *words;
    ncp_msg *msg;
} default_msg;

typedef struct walk {
    ncp_allocator alloc;
    const char *root; /* name of the root type */
    path_item *path;
    uint32_t path_len, path_cap;
    uint32_t depth;
    default_msg *defaults;
    uint32_t ndefaults, defaults_cap;
    ncp_status status;
    ncp_error *err;
} walk;

static void walk_init(walk *w, const ncp_allocator *alloc, const char *root,
                      ncp_error *err) {
    memset(w, 0, sizeof *w);
    if (alloc) w->alloc = *alloc;
    w->root = root ? root : "?";
    w->err = err;
}

static void walk_free(walk *w) {
    for (uint32_t i = 0; i < w->ndefaults; i++)
        ncp_msg_free(w->defaults[i].msg);
    ncp__free(&w->alloc, w->defaults, w->defaults_cap * sizeof *w->defaults);
    ncp__free(&w->alloc, w->path, w->path_cap * sizeof *w->path);
}

/* One step of a path: ".name", "[3]" or ".<pointer 3>". */
static size_t path_item_text(const path_item *it, char *out, size_t cap) {
    int k;
    if (it->kind == PATH_FIELD)
        k = snprintf(out, cap, ".%s", it->name);
    else if (it->kind == PATH_INDEX)
        k = snprintf(out, cap, "[%u]", it->index);
    else
        k = snprintf(out, cap, ".<pointer %u>", it->index);
    if (k < 0) return 0;
    return (size_t)k < cap ? (size_t)k : cap - 1;
}

/* The path as "Root.field[3].inner" into buf (NCP_ERROR_MESSAGE_SIZE
 * bytes); a long path keeps its start and its end around "...". */
#define PATH_HEAD 64u
#define PATH_TAIL 96u
static void path_format(const walk *w, char *buf, size_t cap) {
    char item[80];
    size_t n = strlen(w->root);
    if (n > PATH_HEAD) n = PATH_HEAD;
    memcpy(buf, w->root, n);
    /* where the tail starts: the last items that fit in PATH_TAIL */
    uint32_t tail = w->path_len;
    size_t tail_len = 0, total = n;
    for (uint32_t i = 0; i < w->path_len; i++)
        total += path_item_text(&w->path[i], item, sizeof item);
    if (total > PATH_HEAD + PATH_TAIL) {
        while (tail > 0) {
            size_t k = path_item_text(&w->path[tail - 1], item, sizeof item);
            if (tail_len + k > PATH_TAIL) break;
            tail_len += k;
            tail--;
        }
    } else {
        tail = 0;
    }
    uint32_t i = 0;
    for (; i < tail; i++) {
        size_t k = path_item_text(&w->path[i], item, sizeof item);
        if (n + k > PATH_HEAD) break;
        memcpy(buf + n, item, k);
        n += k;
    }
    if (i < tail) {
        memcpy(buf + n, "...", 3);
        n += 3;
        i = tail;
    }
    for (; i < w->path_len; i++) {
        size_t k = path_item_text(&w->path[i], item, sizeof item);
        if (n + k >= cap) break;
        memcpy(buf + n, item, k);
        n += k;
    }
    buf[n] = '\0';
}

/* Records the first error: "<path>: <message>". */
static ncp_status walk_fail(walk *w, ncp_status status, const char *fmt, ...)
    NCP_PRINTF(3, 4);
static ncp_status walk_fail(walk *w, ncp_status status, const char *fmt, ...) {
    if (w->status != NCP_OK) return w->status;
    w->status = status;
    char what[NCP_ERROR_MESSAGE_SIZE];
    char path[NCP_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    path_format(w, path, sizeof path);
    ncp_error_set(w->err, status, "%s: %s", path, what);
    return status;
}

/* After following a pointer of msg: false (and the error recorded with the
 * path) if the reader found a problem. */
static inline bool walk_ok(walk *w, const ncp_msg *msg) {
    if (NCP_LIKELY(msg == NULL || ncp_msg_status(msg) == NCP_OK))
        return w->status == NCP_OK;
    const char *m = ncp_msg_error(msg)->message;
    if (m[0] == ':' && m[1] == ' ') m += 2; /* the reader's empty `what` */
    walk_fail(w, ncp_msg_status(msg), "%s", m);
    return false;
}

static bool path_grow(walk *w) {
    uint32_t cap = w->path_cap ? w->path_cap * 2 : 32;
    path_item *p =
        ncp__realloc(&w->alloc, w->path, w->path_cap * sizeof *w->path,
                     cap * sizeof *w->path);
    if (p == NULL) {
        walk_fail(w, NCP_ERR_NOMEM, "out of memory for the path");
        return false;
    }
    w->path = p;
    w->path_cap = cap;
    return true;
}

static inline bool path_push(walk *w, uint32_t kind, const char *name,
                             uint32_t index) {
    if (NCP_UNLIKELY(w->path_len == w->path_cap) && !path_grow(w)) return false;
    path_item *it = &w->path[w->path_len++];
    it->name = name;
    it->index = index;
    it->kind = kind;
    return true;
}

static inline void path_pop(walk *w) {
    w->path_len--;
}

static inline bool walk_enter(walk *w) {
    if (NCP_LIKELY(w->depth < NCP_DYN_MAX_DEPTH)) {
        w->depth++;
        return true;
    }
    walk_fail(w, NCP_ERR_NESTING, "nested deeper than %u structs and lists",
              NCP_DYN_MAX_DEPTH);
    return false;
}

static inline void walk_leave(walk *w) {
    w->depth--;
}

/* Refuses a message that already holds an error (new errors would be
 * invisible behind it). */
static bool walk_msg_usable(walk *w, const ncp_msg *msg) {
    if (msg == NULL || ncp_msg_status(msg) == NCP_OK) return true;
    walk_fail(w, ncp_msg_status(msg), "the message already holds an error: %s",
              ncp_msg_error(msg)->message);
    return false;
}

/* The root of the message holding a pointer field's default value. */
static ncp_ptr default_ptr(walk *w, const ncp_schema_field *f) {
    ncp_ptr none = {NULL, NULL, NULL, 0};
    for (uint32_t i = 0; i < w->ndefaults; i++)
        if (w->defaults[i].words == f->default_words)
            return ncp_msg_root_ptr(w->defaults[i].msg);
    if (w->ndefaults == w->defaults_cap) {
        uint32_t cap = w->defaults_cap ? w->defaults_cap * 2 : 4;
        default_msg *d =
            ncp__realloc(&w->alloc, w->defaults, w->defaults_cap * sizeof *d,
                         cap * sizeof *d);
        if (d == NULL) {
            walk_fail(w, NCP_ERR_NOMEM, "out of memory for a default value");
            return none;
        }
        w->defaults = d;
        w->defaults_cap = cap;
    }
    ncp_read_options o;
    memset(&o, 0, sizeof o);
    o.traversal_limit_words = UINT64_MAX;
    o.alloc = w->alloc;
    const void *seg = f->default_words;
    uint32_t words = f->default_word_count;
    ncp_msg *m = NULL;
    ncp_error e = {NCP_OK, ""};
    if (ncp_msg_from_segments(&seg, &words, 1, &o, &m, &e) != NCP_OK) {
        walk_fail(w, e.status, "default value: %s", e.message);
        return none;
    }
    w->defaults[w->ndefaults].words = f->default_words;
    w->defaults[w->ndefaults].msg = m;
    w->ndefaults++;
    return ncp_msg_root_ptr(m);
}

/* A pointer field as the schema sees it: its default when it is null. */
static ncp_ptr field_ptr(walk *w, const ncp_struct *s,
                         const ncp_schema_field *f) {
    ncp_ptr p = ncp_struct_ptr(s, f->offset);
    if (f->default_words != NULL && ncp_ptr_is_null(p))
        return default_ptr(w, f);
    return p;
}

/* ------------------------------------------------------------------------
 * Schema helpers
 * ------------------------------------------------------------------------ */

static inline bool kind_is_pointer(unsigned k) {
    return k == NCP_TYPE_TEXT || k == NCP_TYPE_DATA || k == NCP_TYPE_LIST ||
           k == NCP_TYPE_STRUCT || k == NCP_TYPE_INTERFACE ||
           k == NCP_TYPE_ANY_POINTER;
}

static inline bool field_is_group(const ncp_schema_field *f) {
    return f->group != NULL;
}

static inline bool in_union(const ncp_schema_field *f) {
    return f->discriminant != NCP_NO_DISCRIMINANT;
}

/* The element encoding a list of t is read as. */
static int list_encoding(const ncp_schema_type *t) {
    switch (t->kind) {
    case NCP_TYPE_VOID: return NCP_ELEM_VOID;
    case NCP_TYPE_BOOL: return NCP_ELEM_BIT;
    case NCP_TYPE_INT8:
    case NCP_TYPE_UINT8: return NCP_ELEM_BYTE;
    case NCP_TYPE_INT16:
    case NCP_TYPE_UINT16:
    case NCP_TYPE_ENUM: return NCP_ELEM_2BYTES;
    case NCP_TYPE_INT32:
    case NCP_TYPE_UINT32:
    case NCP_TYPE_FLOAT32: return NCP_ELEM_4BYTES;
    case NCP_TYPE_INT64:
    case NCP_TYPE_UINT64:
    case NCP_TYPE_FLOAT64: return NCP_ELEM_8BYTES;
    case NCP_TYPE_STRUCT: return NCP_ELEM_COMPOSITE;
    default: return NCP_ELEM_POINTER;
    }
}

/* A data field's value bits (default applied), zero-extended. */
static uint64_t field_bits(const ncp_struct *s, const ncp_schema_field *f) {
    uint32_t off = f->offset;
    uint64_t d = f->default_bits;
    switch (f->type.kind) {
    case NCP_TYPE_BOOL: return (ncp_struct_bool(s, off) ? 1u : 0u) ^ (d & 1);
    case NCP_TYPE_INT8:
    case NCP_TYPE_UINT8: return (ncp_struct_u8(s, off) ^ d) & 0xffu;
    case NCP_TYPE_INT16:
    case NCP_TYPE_UINT16:
    case NCP_TYPE_ENUM: return (ncp_struct_u16(s, off * 2) ^ d) & 0xffffu;
    case NCP_TYPE_INT32:
    case NCP_TYPE_UINT32:
    case NCP_TYPE_FLOAT32:
        return (ncp_struct_u32(s, off * 4) ^ d) & 0xffffffffu;
    case NCP_TYPE_INT64:
    case NCP_TYPE_UINT64:
    case NCP_TYPE_FLOAT64: return ncp_struct_u64(s, off * 8) ^ d;
    default: return 0;
    }
}

/* A list element's value bits, zero-extended. */
static inline uint64_t elem_bits(const ncp_list *l, uint32_t i, unsigned kind) {
    switch (kind) {
    case NCP_TYPE_BOOL: return ncp_list_bool(l, i) ? 1u : 0u;
    case NCP_TYPE_INT8:
    case NCP_TYPE_UINT8: return ncp_list_u8(l, i);
    case NCP_TYPE_INT16:
    case NCP_TYPE_UINT16:
    case NCP_TYPE_ENUM: return ncp_list_u16(l, i);
    case NCP_TYPE_INT32:
    case NCP_TYPE_UINT32:
    case NCP_TYPE_FLOAT32: return ncp_list_u32(l, i);
    case NCP_TYPE_INT64:
    case NCP_TYPE_UINT64:
    case NCP_TYPE_FLOAT64: return ncp_list_u64(l, i);
    default: return 0;
    }
}

/* The union member of t whose discriminant is d, or NULL. */
static const ncp_schema_field *union_member(const ncp_schema_struct *t,
                                            uint16_t d) {
    for (uint16_t i = 0; i < t->field_count; i++)
        if (t->fields[i].discriminant == d) return &t->fields[i];
    return NULL;
}

static inline uint16_t union_tag(const ncp_struct *s,
                                 const ncp_schema_struct *t) {
    return ncp_struct_u16(s, t->discriminant_offset * 2);
}

/* Whether the reference prints a field ("has" it): groups and data fields
 * always, pointer fields when not null. */
static inline bool field_has(const ncp_struct *s, const ncp_schema_field *f) {
    if (field_is_group(f) || !kind_is_pointer(f->type.kind)) return true;
    return !ncp_ptr_is_null(ncp_struct_ptr(s, f->offset));
}

/* Formats a scalar for messages (text format, as the reference's text). */
static size_t fmt_scalar_text(char *out, unsigned kind, uint64_t bits,
                              const ncp_schema_enum *en) {
    switch (kind) {
    case NCP_TYPE_VOID: return put_special(out, "void");
    case NCP_TYPE_BOOL: return put_special(out, bits ? "true" : "false");
    case NCP_TYPE_INT8: return fmt_i64(out, ncp_i8((uint8_t)bits));
    case NCP_TYPE_INT16: return fmt_i64(out, ncp_i16((uint16_t)bits));
    case NCP_TYPE_INT32: return fmt_i64(out, ncp_i32((uint32_t)bits));
    case NCP_TYPE_INT64: return fmt_i64(out, ncp_i64(bits));
    case NCP_TYPE_UINT8:
    case NCP_TYPE_UINT16:
    case NCP_TYPE_UINT32:
    case NCP_TYPE_UINT64: return fmt_u64(out, bits);
    case NCP_TYPE_FLOAT32:
        return ncp_format_f32(ncp_f32_from_bits((uint32_t)bits), out);
    case NCP_TYPE_FLOAT64: return ncp_format_f64(ncp_f64_from_bits(bits), out);
    case NCP_TYPE_ENUM:
        if (en != NULL && bits < en->count) {
            /* out holds at least NCP_FLOAT_CHARS bytes; cut long names */
            int k = snprintf(out, NCP_FLOAT_CHARS, "%s", en->enumerants[bits]);
            return k < 0 ? 0 : strlen(out);
        }
        out[0] = '(';
        size_t n = 1 + fmt_u64(out + 1, bits);
        out[n++] = ')';
        return n;
    default: return 0;
    }
}

/* ========================================================================
 * Printing
 * ======================================================================== */

enum { LAYOUT_UNDECIDED, LAYOUT_INLINE, LAYOUT_LINES };

/* Item size limits of the reference's pretty layouts: text breaks a
 * compound into lines when an item is longer than 24 characters or the
 * items of a struct are longer than 64 together; JSON when it has several
 * items and one is longer than 50. */
#define TEXT_ITEM_MAX   24u
#define TEXT_RECORD_MAX 64u
#define JSON_ITEM_MAX   50u

#define FLUSH_BYTES ((size_t)64 * 1024)

typedef struct frame {
    size_t start;      /* buffer offset after the opening bracket */
    size_t item_start; /* offset of the current item */
    size_t lens_base;  /* first entry of this frame in the lens stack */
    uint32_t count;    /* items */
    uint32_t done;     /* items completed */
    uint32_t total;    /* text records: length of the completed items */
    uint32_t indent;   /* spaces before an item on its own line */
    uint32_t json_level;
    uint8_t layout;
    uint8_t record;
    uint8_t prefixed; /* the value follows a field name */
    uint8_t in_item;
} frame;

typedef struct printer {
    walk w;
    bool json, pretty;
    ncp_write_fn write;
    void *ud;
    char *buf;
    size_t len, cap;
    size_t flush_at; /* try a flush when len reaches this */
    frame *frames;
    uint32_t nframes, frames_cap;
    uint8_t *lens; /* lengths of the completed items of open layouts */
    size_t nlens, lens_cap;
} printer;

static bool out_grow(printer *p, size_t need) {
    size_t cap = p->cap ? p->cap : 4 * FLUSH_BYTES;
    while (cap - p->len < need) {
        if (cap > SIZE_MAX / 2) {
            walk_fail(&p->w, NCP_ERR_NOMEM, "output too large");
            return false;
        }
        cap *= 2;
    }
    char *b = ncp__realloc(&p->w.alloc, p->buf, p->cap, cap);
    if (b == NULL) {
        walk_fail(&p->w, NCP_ERR_NOMEM, "out of memory for the output");
        return false;
    }
    p->buf = b;
    p->cap = cap;
    return true;
}

/* Room for n more bytes at the end of the output; NULL on failure (the
 * error is recorded). */
static inline char *out_room(printer *p, size_t n) {
    if (NCP_UNLIKELY(p->cap - p->len < n) && !out_grow(p, n)) return NULL;
    return p->buf + p->len;
}

static inline void out_put(printer *p, const char *s, size_t n) {
    char *o = out_room(p, n);
    if (o == NULL) return;
    memcpy(o, s, n);
    p->len += n;
}

static inline void out_char(printer *p, char c) {
    char *o = out_room(p, 1);
    if (o == NULL) return;
    *o = c;
    p->len++;
}

static void out_spaces(printer *p, size_t n) {
    char *o = out_room(p, n);
    if (o == NULL) return;
    memset(o, ' ', n);
    p->len += n;
}

/* Hands buf[0..n) to the sink and keeps the rest. */
static void out_flush_to(printer *p, size_t n) {
    if (n == 0 || p->w.status != NCP_OK) return;
    if (p->write(p->ud, p->buf, n) != 0) {
        int e = errno;
        walk_fail(&p->w, NCP_ERR_IO, "writing the output: %s",
                  e ? strerror(e) : "write failed");
        return;
    }
    memmove(p->buf, p->buf + n, p->len - n);
    p->len -= n;
    for (uint32_t i = 0; i < p->nframes; i++) {
        frame *f = &p->frames[i];
        f->start = f->start >= n ? f->start - n : 0;
        f->item_start = f->item_start >= n ? f->item_start - n : 0;
    }
}

/* Breaks frame fi into lines: the items written inline so far (the last
 * one being the current item) are moved apart and their separators ", "
 * replaced by ",\n" and the indent (a prefix before the first). */
static void go_multi(printer *p, uint32_t fi) {
    frame *f = &p->frames[fi];
    uint32_t k = f->done + (f->in_item ? 1u : 0u); /* items in the buffer */
    f->layout = LAYOUT_LINES;
    if (k == 0) return;
    size_t delim = 2 + f->indent;
    size_t prefix = f->prefixed ? 1 + f->indent : 1;
    size_t growth = prefix + (size_t)(k - 1) * (delim - 2);
    if (out_room(p, growth) == NULL) return;
    const uint8_t *lens = p->lens + f->lens_base;
    size_t before = 0; /* lengths of the items before item i */
    for (uint32_t i = 0; i + 1 < k; i++)
        before += lens[i];
    for (uint32_t i = k; i-- > 0;) {
        size_t ostart = f->start + before + 2 * (size_t)i;
        size_t ilen = i + 1 == k ? p->len - ostart : lens[i];
        size_t nstart = f->start + prefix + (size_t)i * delim + before;
        memmove(p->buf + nstart, p->buf + ostart, ilen);
        if (i > 0) {
            char *d = p->buf + nstart - delim;
            d[0] = ',';
            d[1] = '\n';
            memset(d + 2, ' ', f->indent);
            before -= lens[i - 1];
        } else if (f->prefixed) {
            char *d = p->buf + f->start;
            d[0] = '\n';
            memset(d + 1, ' ', f->indent);
        } else {
            p->buf[f->start] = ' ';
        }
    }
    p->len += growth;
    if (f->in_item) f->item_start += growth;
    for (uint32_t j = fi + 1; j < p->nframes; j++) {
        p->frames[j].start += growth;
        p->frames[j].item_start += growth;
    }
}

/* The layout a frame must take given the size of its current item. */
static bool needs_lines(const printer *p, const frame *f, size_t item) {
    if (p->json) return item > JSON_ITEM_MAX;
    return item > TEXT_ITEM_MAX ||
           (f->record && f->total + item > TEXT_RECORD_MAX);
}

/* Writes out what no open layout can change any more. */
static void flush_check(printer *p) {
    if (p->w.status != NCP_OK) return;
    size_t upto = p->len;
    for (uint32_t i = 0; i < p->nframes; i++) {
        frame *f = &p->frames[i];
        if (f->layout != LAYOUT_UNDECIDED) continue;
        if (f->in_item && needs_lines(p, f, p->len - f->item_start)) {
            go_multi(p, i);
            continue;
        }
        upto = f->start;
        break;
    }
    if (p->w.status != NCP_OK) return;
    /* Flush when that moves less than it writes (an open layout holding
     * most of the buffer waits until more is final). */
    if (upto >= p->len - upto) out_flush_to(p, upto);
    p->flush_at = p->len + FLUSH_BYTES;
}

static inline void maybe_flush(printer *p) {
    if (NCP_UNLIKELY(p->len >= p->flush_at)) flush_check(p);
}

static bool frame_open(printer *p, char bracket, uint32_t count, bool record,
                       bool prefixed) {
    out_char(p, bracket);
    if (p->nframes == p->frames_cap) {
        uint32_t cap = p->frames_cap ? p->frames_cap * 2 : 32;
        frame *fr = ncp__realloc(&p->w.alloc, p->frames,
                                 p->frames_cap * sizeof *fr, cap * sizeof *fr);
        if (fr == NULL) {
            walk_fail(&p->w, NCP_ERR_NOMEM, "out of memory");
            return false;
        }
        p->frames = fr;
        p->frames_cap = cap;
    }
    uint32_t level = 0;
    if (p->nframes) {
        const frame *up = &p->frames[p->nframes - 1];
        level = up->json_level + (up->count > 1 ? 1u : 0u);
    }
    frame *f = &p->frames[p->nframes];
    f->start = p->len;
    f->item_start = p->len;
    f->lens_base = p->nlens;
    f->count = count;
    f->done = 0;
    f->total = 0;
    f->json_level = level;
    f->indent = p->json ? 2 * (level + 1) : 2 * (p->nframes + 1);
    f->record = record;
    f->prefixed = prefixed;
    f->in_item = 0;
    if (!p->pretty || count == 0 || (p->json && count == 1))
        f->layout = LAYOUT_INLINE;
    else
        f->layout = LAYOUT_UNDECIDED;
    p->nframes++;
    return p->w.status == NCP_OK;
}

static void item_begin(printer *p) {
    maybe_flush(p);
    if (p->w.status != NCP_OK) return;
    frame *f = &p->frames[p->nframes - 1];
    if (f->layout == LAYOUT_LINES) {
        if (f->done == 0) {
            if (f->prefixed) {
                out_char(p, '\n');
                out_spaces(p, f->indent);
            } else {
                out_char(p, ' ');
            }
        } else {
            out_put(p, ",\n", 2);
            out_spaces(p, f->indent);
        }
    } else if (f->done > 0) {
        if (p->json && !p->pretty)
            out_char(p, ',');
        else
            out_put(p, ", ", 2);
    }
    f->item_start = p->len;
    f->in_item = 1;
}

static void item_end(printer *p) {
    if (p->w.status != NCP_OK) return;
    frame *f = &p->frames[p->nframes - 1];
    if (f->layout == LAYOUT_UNDECIDED) {
        size_t n = p->len - f->item_start;
        if (needs_lines(p, f, n)) {
            go_multi(p, p->nframes - 1);
            f = &p->frames[p->nframes - 1];
        } else {
            if (p->nlens == p->lens_cap) {
                size_t cap = p->lens_cap ? p->lens_cap * 2 : 4096;
                uint8_t *l =
                    ncp__realloc(&p->w.alloc, p->lens, p->lens_cap, cap);
                if (l == NULL) {
                    walk_fail(&p->w, NCP_ERR_NOMEM, "out of memory");
                    return;
                }
                p->lens = l;
                p->lens_cap = cap;
            }
            p->lens[p->nlens++] = (uint8_t)n;
            f->total += (uint32_t)n;
        }
    }
    f->in_item = 0;
    f->done++;
}

static void frame_close(printer *p, char bracket) {
    if (p->w.status != NCP_OK) return;
    frame *f = &p->frames[p->nframes - 1];
    if (f->layout == LAYOUT_LINES && f->done > 0) out_char(p, ' ');
    out_char(p, bracket);
    p->nlens = f->lens_base;
    p->nframes--;
}

/* ---- strings ---------------------------------------------------------- */

static const char hex_digits[] = "0123456789abcdef";

/* A JSON string: '"', '\\' and control characters escaped, other bytes as
 * they are (the reference does not check UTF-8). */
static void put_json_string(printer *p, const uint8_t *s, size_t n) {
    out_char(p, '"');
    while (n > 0) {
        size_t chunk = n < 4096 ? n : 4096;
        char *o = out_room(p, chunk * 6);
        if (o == NULL) return;
        char *start = o;
        for (size_t i = 0; i < chunk; i++) {
            uint8_t c = s[i];
            if (c >= 0x20 && c != '"' && c != '\\') {
                *o++ = (char)c;
                continue;
            }
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            default:
                memcpy(o, "u00", 3);
                o[3] = hex_digits[c >> 4];
                o[4] = hex_digits[c & 15];
                o += 5;
                break;
            }
        }
        p->len += (size_t)(o - start);
        s += chunk;
        n -= chunk;
    }
    out_char(p, '"');
}

/* C escapes of the reference's text format; bytes >= 0x80 are octal in
 * Data and as they are in Text. */
static size_t c_escape(char *o, const uint8_t *s, size_t n, bool octal_high) {
    char *start = o;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        char e = 0;
        switch (c) {
        case '\a': e = 'a'; break;
        case '\b': e = 'b'; break;
        case '\f': e = 'f'; break;
        case '\n': e = 'n'; break;
        case '\r': e = 'r'; break;
        case '\t': e = 't'; break;
        case '\v': e = 'v'; break;
        case '\'': e = '\''; break;
        case '"': e = '"'; break;
        case '\\': e = '\\'; break;
        default: break;
        }
        if (e) {
            *o++ = '\\';
            *o++ = e;
        } else if (c < 0x20 || c == 0x7f || (octal_high && c >= 0x80)) {
            *o++ = '\\';
            *o++ = (char)('0' + (c >> 6));
            *o++ = (char)('0' + ((c >> 3) & 7));
            *o++ = (char)('0' + (c & 7));
        } else {
            *o++ = (char)c;
        }
    }
    return (size_t)(o - start);
}

static void put_text_string(printer *p, const uint8_t *s, size_t n,
                            bool octal_high) {
    out_char(p, '"');
    while (n > 0) {
        size_t chunk = n < 4096 ? n : 4096;
        char *o = out_room(p, chunk * 4);
        if (o == NULL) return;
        p->len += c_escape(o, s, chunk, octal_high);
        s += chunk;
        n -= chunk;
    }
    out_char(p, '"');
}

static void put_json_data(printer *p, const uint8_t *s, size_t n) {
    out_char(p, '[');
    const char *sep = p->pretty ? ", " : ",";
    size_t seplen = p->pretty ? 2 : 1;
    for (size_t i = 0; i < n; i++) {
        char *o = out_room(p, 8);
        if (o == NULL) return;
        char *start = o;
        if (i) {
            memcpy(o, sep, seplen);
            o += seplen;
        }
        o += fmt_u64(o, s[i]);
        p->len += (size_t)(o - start);
        maybe_flush(p);
    }
    out_char(p, ']');
}

/* ---- scalars ---------------------------------------------------------- */

/* Writes a scalar at o (room for 40 bytes); returns its length. */
static size_t scalar_at(const printer *p, char *o, unsigned kind,
                        uint64_t bits) {
    size_t n;
    switch (kind) {
    case NCP_TYPE_VOID:
        if (p->json) {
            memcpy(o, "null", 4);
            return 4;
        }
        memcpy(o, "void", 4);
        return 4;
    case NCP_TYPE_BOOL:
        if (bits) {
            memcpy(o, "true", 4);
            return 4;
        }
        memcpy(o, "false", 5);
        return 5;
    case NCP_TYPE_INT8: return fmt_i64(o, ncp_i8((uint8_t)bits));
    case NCP_TYPE_INT16: return fmt_i64(o, ncp_i16((uint16_t)bits));
    case NCP_TYPE_INT32: return fmt_i64(o, ncp_i32((uint32_t)bits));
    case NCP_TYPE_UINT8:
    case NCP_TYPE_UINT16:
    case NCP_TYPE_UINT32: return fmt_u64(o, bits);
    case NCP_TYPE_INT64:
    case NCP_TYPE_UINT64:
        if (!p->json)
            return kind == NCP_TYPE_INT64 ? fmt_i64(o, ncp_i64(bits))
                                          : fmt_u64(o, bits);
        o[0] = '"';
        n = 1 + (kind == NCP_TYPE_INT64 ? fmt_i64(o + 1, ncp_i64(bits))
                                        : fmt_u64(o + 1, bits));
        o[n] = '"';
        return n + 1;
    case NCP_TYPE_FLOAT32:
    case NCP_TYPE_FLOAT64: {
        double d;
        if (kind == NCP_TYPE_FLOAT32) {
            float f = ncp_f32_from_bits((uint32_t)bits);
            if (!p->json) return ncp_format_f32(f, o);
            d = (double)f;
        } else {
            d = ncp_f64_from_bits(bits);
            if (!p->json) return ncp_format_f64(d, o);
        }
        if (d != d) return put_special(o, "\"NaN\"");
        if (d > DBL_MAX) return put_special(o, "\"Infinity\"");
        if (d < -DBL_MAX) return put_special(o, "\"-Infinity\"");
        return ncp_format_f64(d, o);
    }
    default: return 0;
    }
}

static void put_enum(printer *p, uint64_t v, const ncp_schema_enum *en) {
    if (en != NULL && v < en->count && en->enumerants[v] != NULL) {
        const char *name = en->enumerants[v];
        size_t n = strlen(name);
        char *o = out_room(p, n + 2);
        if (o == NULL) return;
        if (p->json) *o++ = '"';
        memcpy(o, name, n);
        o += n;
        if (p->json) *o++ = '"';
        p->len += n + (p->json ? 2 : 0);
        return;
    }
    char *o = out_room(p, 24);
    if (o == NULL) return;
    size_t n = 0;
    if (!p->json) o[n++] = '(';
    n += fmt_u64(o + n, v);
    if (!p->json) o[n++] = ')';
    p->len += n;
}

static void put_scalar(printer *p, unsigned kind, uint64_t bits,
                       const ncp_schema_enum *en) {
    if (kind == NCP_TYPE_ENUM) {
        put_enum(p, bits, en);
        return;
    }
    char *o = out_room(p, 40);
    if (o == NULL) return;
    p->len += scalar_at(p, o, kind, bits);
}

/* ---- values ----------------------------------------------------------- */

static void print_struct(printer *p, const ncp_struct *s,
                         const ncp_schema_struct *t, bool prefixed);
static void print_pointer(printer *p, ncp_ptr ptr, const ncp_schema_type *t,
                          bool prefixed);

/* A list of numbers, bools or Voids: always on one line. */
static void print_scalar_list(printer *p, const ncp_list *l, unsigned kind) {
    out_char(p, '[');
    const char *sep = p->json && !p->pretty ? "," : ", ";
    size_t seplen = p->json && !p->pretty ? 1 : 2;
    for (uint32_t i = 0; i < l->len; i++) {
        char *o = out_room(p, 48);
        if (o == NULL) return;
        char *start = o;
        if (i) {
            memcpy(o, sep, seplen);
            o += seplen;
        }
        o += scalar_at(p, o, kind, elem_bits(l, i, kind));
        p->len += (size_t)(o - start);
        maybe_flush(p);
    }
    out_char(p, ']');
}

static void print_list(printer *p, const ncp_list *l, const ncp_schema_type *et,
                       bool prefixed) {
    unsigned kind = et->kind;
    if (kind <= NCP_TYPE_FLOAT64) {
        print_scalar_list(p, l, kind);
        return;
    }
    if (!walk_enter(&p->w)) return;
    if (!frame_open(p, '[', l->len, false, prefixed)) return;
    for (uint32_t i = 0; i < l->len && p->w.status == NCP_OK; i++) {
        item_begin(p);
        if (!path_push(&p->w, PATH_INDEX, NULL, i)) return;
        if (kind == NCP_TYPE_ENUM) {
            put_enum(p, ncp_list_u16(l, i), et->enumeration);
        } else if (kind == NCP_TYPE_STRUCT) {
            ncp_struct c = ncp_list_struct(l, i);
            print_struct(p, &c, et->structure, false);
        } else {
            print_pointer(p, ncp_list_ptr(l, i), et, false);
        }
        path_pop(&p->w);
        item_end(p);
    }
    frame_close(p, ']');
    walk_leave(&p->w);
}

static void print_pointer(printer *p, ncp_ptr ptr, const ncp_schema_type *t,
                          bool prefixed) {
    switch (t->kind) {
    case NCP_TYPE_TEXT: {
        ncp_text s = ncp_ptr_text(ptr, "");
        if (!walk_ok(&p->w, ptr.msg)) return;
        if (p->json)
            put_json_string(p, (const uint8_t *)s.str, s.len);
        else
            put_text_string(p, (const uint8_t *)s.str, s.len, false);
        return;
    }
    case NCP_TYPE_DATA: {
        ncp_data d = ncp_ptr_data(ptr, "");
        if (!walk_ok(&p->w, ptr.msg)) return;
        if (p->json)
            put_json_data(p, d.ptr, d.len);
        else
            put_text_string(p, d.ptr, d.len, true);
        return;
    }
    case NCP_TYPE_STRUCT: {
        ncp_struct s = ncp_ptr_struct(ptr, "");
        if (!walk_ok(&p->w, ptr.msg)) return;
        print_struct(p, &s, t->structure, prefixed);
        return;
    }
    case NCP_TYPE_LIST: {
        ncp_list l = ncp_ptr_list(ptr, list_encoding(t->element), "");
        if (!walk_ok(&p->w, ptr.msg)) return;
        print_list(p, &l, t->element, prefixed);
        return;
    }
    case NCP_TYPE_INTERFACE:
        if (p->json && ncp_ptr_is_null(ptr))
            out_put(p, "null", 4);
        else if (p->json)
            out_put(p, "\"<external capability>\"", 23);
        else
            out_put(p, "<external capability>", 21);
        return;
    default: /* AnyPointer */
        if (p->json && ncp_ptr_is_null(ptr))
            out_put(p, "null", 4);
        else if (p->json)
            out_put(p, "\"<opaque pointer>\"", 18);
        else
            out_put(p, "<opaque pointer>", 16);
        return;
    }
}

static void print_member(printer *p, const ncp_struct *s,
                         const ncp_schema_field *f) {
    item_begin(p);
    size_t n = strlen(f->name);
    char *o = out_room(p, n + 4);
    if (o == NULL) return;
    if (p->json) {
        *o++ = '"';
        memcpy(o, f->name, n);
        o += n;
        *o++ = '"';
        *o++ = ':';
        if (p->pretty) *o++ = ' ';
        p->len += n + (p->pretty ? 4 : 3);
    } else {
        memcpy(o, f->name, n);
        memcpy(o + n, " = ", 3);
        p->len += n + 3;
    }
    if (!path_push(&p->w, PATH_FIELD, f->name, 0)) return;
    if (field_is_group(f))
        print_struct(p, s, f->group, true);
    else if (!kind_is_pointer(f->type.kind))
        put_scalar(p, f->type.kind, field_bits(s, f), f->type.enumeration);
    else
        print_pointer(p, field_ptr(&p->w, s, f), &f->type, true);
    path_pop(&p->w);
    item_end(p);
}

static void print_struct(printer *p, const ncp_struct *s,
                         const ncp_schema_struct *t, bool prefixed) {
    if (!walk_enter(&p->w)) return;
    const ncp_schema_field *active = NULL;
    if (t->discriminant_count) {
        uint16_t d = union_tag(s, t);
        active = union_member(t, d);
        /* The reference omits the member of tag 0 when it is not set. */
        if (active && d == 0 && !field_has(s, active)) active = NULL;
    }
    uint32_t count = active ? 1u : 0u;
    for (uint16_t i = 0; i < t->field_count; i++) {
        const ncp_schema_field *f = &t->fields[i];
        if (!in_union(f) && field_has(s, f)) count++;
    }
    if (!frame_open(p, p->json ? '{' : '(', count, true, prefixed)) return;
    for (uint16_t i = 0; i < t->field_count && p->w.status == NCP_OK; i++) {
        const ncp_schema_field *f = &t->fields[i];
        if (in_union(f)) {
            if (f == active && !p->json) print_member(p, s, f);
        } else if (field_has(s, f)) {
            print_member(p, s, f);
        }
    }
    if (active && p->json && p->w.status == NCP_OK) print_member(p, s, active);
    frame_close(p, p->json ? '}' : ')');
    walk_leave(&p->w);
}

static int file_write(void *ud, const void *data, size_t len) {
    FILE *f = ud;
    errno = 0;
    return fwrite(data, 1, len, f) == len ? 0 : -1;
}

ncp_status ncp_dyn_print(const ncp_struct *s, const ncp_schema_struct *type,
                         const ncp_print_options *options, ncp_write_fn write,
                         void *ud, ncp_error *err) {
    if (s == NULL || type == NULL || write == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "print: NULL argument");
    ncp_print_options o;
    memset(&o, 0, sizeof o);
    if (options) o = *options;
    if ((unsigned)o.format > NCP_FORMAT_TEXT_SHORT)
        return ncp_error_set(err, NCP_ERR_ARG, "print: unknown format %d",
                             (int)o.format);
    printer p;
    memset(&p, 0, sizeof p);
    walk_init(&p.w, &o.alloc, type->name, err);
    p.json = o.format == NCP_FORMAT_JSON || o.format == NCP_FORMAT_JSON_SHORT;
    p.pretty = o.format == NCP_FORMAT_JSON || o.format == NCP_FORMAT_TEXT;
    p.write = write;
    p.ud = ud;
    p.flush_at = FLUSH_BYTES;
    if (walk_msg_usable(&p.w, s->msg)) {
        print_struct(&p, s, type, false);
        if (o.flags & NCP_PRINT_NEWLINE) out_char(&p, '\n');
        if (p.w.status == NCP_OK) out_flush_to(&p, p.len);
    }
    ncp_status st = p.w.status;
    ncp__free(&p.w.alloc, p.buf, p.cap);
    ncp__free(&p.w.alloc, p.frames, p.frames_cap * sizeof *p.frames);
    ncp__free(&p.w.alloc, p.lens, p.lens_cap);
    walk_free(&p.w);
    return st;
}

ncp_status ncp_dyn_print_file(const ncp_struct *s,
                              const ncp_schema_struct *type,
                              const ncp_print_options *options, FILE *f,
                              ncp_error *err) {
    if (f == NULL) return ncp_error_set(err, NCP_ERR_ARG, "print: NULL FILE");
    return ncp_dyn_print(s, type, options, file_write, f, err);
}

/* The root struct of msg, or the error (named after the root type). */
static ncp_status root_struct(ncp_msg *msg, const ncp_schema_struct *type,
                              ncp_struct *out, ncp_error *err) {
    if (msg == NULL || type == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "NULL message or type");
    if (ncp_msg_status(msg) != NCP_OK)
        return ncp_error_set(err, ncp_msg_status(msg),
                             "the message already holds an error: %s",
                             ncp_msg_error(msg)->message);
    ncp_ptr root = ncp_msg_root_ptr(msg);
    if (ncp_msg_status(msg) == NCP_OK) *out = ncp_ptr_struct(root, "");
    if (ncp_msg_status(msg) != NCP_OK) {
        const char *m = ncp_msg_error(msg)->message;
        if (m[0] == ':' && m[1] == ' ') m += 2;
        return ncp_error_set(err, ncp_msg_status(msg), "%s: %s", type->name, m);
    }
    return NCP_OK;
}

ncp_status ncp_dyn_print_root(ncp_msg *msg, const ncp_schema_struct *type,
                              const ncp_print_options *options, FILE *f,
                              ncp_error *err) {
    ncp_struct s;
    ncp_status st = root_struct(msg, type, &s, err);
    if (st != NCP_OK) return st;
    return ncp_dyn_print_file(&s, type, options, f, err);
}

/* ========================================================================
 * Equality
 * ======================================================================== */

typedef struct eq {
    walk w;
    unsigned flags;
    bool differ;
    ncp_diff *diff;
} eq;

/* Records the first difference: "<path>: <a> != <b>". */
static bool eq_differ(eq *e, const char *fmt, ...) NCP_PRINTF(2, 3);
static bool eq_differ(eq *e, const char *fmt, ...) {
    if (e->differ) return false;
    e->differ = true;
    if (e->diff == NULL) return false;
    char what[NCP_ERROR_MESSAGE_SIZE];
    char path[NCP_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    path_format(&e->w, path, sizeof path);
    /* "<path>: <what>", cut to the message's size */
    char *out = e->diff->message;
    size_t cap = sizeof e->diff->message, n = strlen(path);
    if (n > cap - 1) n = cap - 1;
    memcpy(out, path, n);
    const char *rest[2] = {": ", what};
    for (int i = 0; i < 2; i++) {
        size_t k = strlen(rest[i]);
        if (k > cap - 1 - n) k = cap - 1 - n;
        memcpy(out + n, rest[i], k);
        n += k;
    }
    out[n] = '\0';
    return false;
}

static bool scalar_equal(const eq *e, unsigned kind, uint64_t a, uint64_t b) {
    if (a == b) return true;
    if (!(e->flags & NCP_EQUAL_FLOAT_VALUES)) return false;
    if (kind == NCP_TYPE_FLOAT32) {
        float x = ncp_f32_from_bits((uint32_t)a),
              y = ncp_f32_from_bits((uint32_t)b);
        return x == y || (x != x && y != y);
    }
    if (kind == NCP_TYPE_FLOAT64) {
        double x = ncp_f64_from_bits(a), y = ncp_f64_from_bits(b);
        return x == y || (x != x && y != y);
    }
    return false;
}

static bool eq_scalar_differ(eq *e, unsigned kind, uint64_t a, uint64_t b,
                             const ncp_schema_enum *en) {
    char x[NCP_FLOAT_CHARS + 8], y[NCP_FLOAT_CHARS + 8];
    x[fmt_scalar_text(x, kind, a, en)] = '\0';
    y[fmt_scalar_text(y, kind, b, en)] = '\0';
    return eq_differ(e, "%s != %s", x, y);
}

/* A short quoted, escaped excerpt of a byte string for messages. */
static void excerpt(char *out, size_t cap, const uint8_t *s, size_t n,
                    bool octal_high) {
    char tmp[24 * 4 + 1];
    size_t take = n > 24 ? 24 : n;
    size_t k = c_escape(tmp, s, take, octal_high);
    tmp[k] = '\0';
    snprintf(out, cap, "\"%s\"%s (%zu bytes)", tmp, n > take ? "..." : "", n);
}

static bool eq_struct(eq *e, const ncp_struct *a, const ncp_struct *b,
                      const ncp_schema_struct *t);
static bool eq_any(eq *e, ncp_ptr a, ncp_ptr b);

static bool eq_bytes(eq *e, const uint8_t *a, size_t an, const uint8_t *b,
                     size_t bn, bool data) {
    if (an == bn && (an == 0 || memcmp(a, b, an) == 0)) return true;
    char x[160], y[160];
    excerpt(x, sizeof x, a, an, data);
    excerpt(y, sizeof y, b, bn, data);
    return eq_differ(e, "%s != %s", x, y);
}

static bool eq_list(eq *e, const ncp_list *a, const ncp_list *b,
                    const ncp_schema_type *et);

/* Two pointers (defaults already applied) read as type t.  A null one
 * reads as the empty value of its type (which ends the recursion of a
 * recursive type when both are null). */
static bool eq_pointer(eq *e, ncp_ptr a, ncp_ptr b, const ncp_schema_type *t) {
    bool na = ncp_ptr_is_null(a), nb = ncp_ptr_is_null(b);
    if (na && nb) return true;
    if ((e->flags & NCP_EQUAL_NULL_DIFFERS) && na != nb)
        return eq_differ(e, "%s != %s", na ? "null" : "set",
                         nb ? "null" : "set");
    switch (t->kind) {
    case NCP_TYPE_TEXT: {
        ncp_text x = ncp_ptr_text(a, ""), y;
        if (!walk_ok(&e->w, a.msg)) return false;
        y = ncp_ptr_text(b, "");
        if (!walk_ok(&e->w, b.msg)) return false;
        return eq_bytes(e, (const uint8_t *)x.str, x.len,
                        (const uint8_t *)y.str, y.len, false);
    }
    case NCP_TYPE_DATA: {
        ncp_data x = ncp_ptr_data(a, ""), y;
        if (!walk_ok(&e->w, a.msg)) return false;
        y = ncp_ptr_data(b, "");
        if (!walk_ok(&e->w, b.msg)) return false;
        return eq_bytes(e, x.ptr, x.len, y.ptr, y.len, true);
    }
    case NCP_TYPE_STRUCT: {
        ncp_struct x = ncp_ptr_struct(a, ""), y;
        if (!walk_ok(&e->w, a.msg)) return false;
        y = ncp_ptr_struct(b, "");
        if (!walk_ok(&e->w, b.msg)) return false;
        return eq_struct(e, &x, &y, t->structure);
    }
    case NCP_TYPE_LIST: {
        int enc = list_encoding(t->element);
        ncp_list x = ncp_ptr_list(a, enc, ""), y;
        if (!walk_ok(&e->w, a.msg)) return false;
        y = ncp_ptr_list(b, enc, "");
        if (!walk_ok(&e->w, b.msg)) return false;
        return eq_list(e, &x, &y, t->element);
    }
    case NCP_TYPE_INTERFACE: {
        uint64_t x = a.p ? ncp_load64(a.p) : 0, y = b.p ? ncp_load64(b.p) : 0;
        if (x == y) return true;
        return eq_differ(e, "capability %llu != %llu",
                         (unsigned long long)(x >> 32),
                         (unsigned long long)(y >> 32));
    }
    default: return eq_any(e, a, b);
    }
}

static bool eq_list(eq *e, const ncp_list *a, const ncp_list *b,
                    const ncp_schema_type *et) {
    if (a->len != b->len)
        return eq_differ(e, "%u elements != %u elements", a->len, b->len);
    if (!walk_enter(&e->w)) return false;
    unsigned kind = et->kind;
    bool ok = true;
    for (uint32_t i = 0; i < a->len && ok; i++) {
        if (kind <= NCP_TYPE_FLOAT64 || kind == NCP_TYPE_ENUM) {
            uint64_t x = elem_bits(a, i, kind), y = elem_bits(b, i, kind);
            if (scalar_equal(e, kind, x, y)) continue;
            if (!path_push(&e->w, PATH_INDEX, NULL, i)) return false;
            ok = eq_scalar_differ(e, kind, x, y, et->enumeration);
            path_pop(&e->w);
            break;
        }
        if (!path_push(&e->w, PATH_INDEX, NULL, i)) return false;
        if (kind == NCP_TYPE_STRUCT) {
            ncp_struct x = ncp_list_struct(a, i), y = ncp_list_struct(b, i);
            ok = eq_struct(e, &x, &y, et->structure);
        } else {
            ok = eq_pointer(e, ncp_list_ptr(a, i), ncp_list_ptr(b, i), et);
        }
        path_pop(&e->w);
    }
    walk_leave(&e->w);
    return ok;
}

static bool eq_field(eq *e, const ncp_struct *a, const ncp_struct *b,
                     const ncp_schema_field *f) {
    if (field_is_group(f)) return eq_struct(e, a, b, f->group);
    unsigned kind = f->type.kind;
    if (!kind_is_pointer(kind)) {
        uint64_t x = field_bits(a, f), y = field_bits(b, f);
        if (scalar_equal(e, kind, x, y)) return true;
        return eq_scalar_differ(e, kind, x, y, f->type.enumeration);
    }
    ncp_ptr pa = ncp_struct_ptr(a, f->offset),
            pb = ncp_struct_ptr(b, f->offset);
    if ((e->flags & NCP_EQUAL_NULL_DIFFERS) &&
        ncp_ptr_is_null(pa) != ncp_ptr_is_null(pb))
        return eq_differ(e, "%s != %s", ncp_ptr_is_null(pa) ? "null" : "set",
                         ncp_ptr_is_null(pb) ? "null" : "set");
    if (f->default_words != NULL) {
        if (ncp_ptr_is_null(pa)) pa = default_ptr(&e->w, f);
        if (ncp_ptr_is_null(pb)) pb = default_ptr(&e->w, f);
        if (e->w.status != NCP_OK) return false;
    }
    return eq_pointer(e, pa, pb, &f->type);
}

static const char *member_name(const ncp_schema_struct *t, uint16_t d,
                               char *buf, size_t cap) {
    const ncp_schema_field *f = union_member(t, d);
    if (f) return f->name;
    snprintf(buf, cap, "#%u", d);
    return buf;
}

static bool eq_struct(eq *e, const ncp_struct *a, const ncp_struct *b,
                      const ncp_schema_struct *t) {
    if (!walk_enter(&e->w)) return false;
    uint16_t da = 0;
    if (t->discriminant_count) {
        da = union_tag(a, t);
        uint16_t db = union_tag(b, t);
        if (da != db) {
            char x[16], y[16];
            walk_leave(&e->w);
            return eq_differ(e, "union member %s != %s",
                             member_name(t, da, x, sizeof x),
                             member_name(t, db, y, sizeof y));
        }
    }
    bool ok = true;
    for (uint16_t i = 0; i < t->field_count && ok; i++) {
        const ncp_schema_field *f = &t->fields[i];
        if (in_union(f) && f->discriminant != da) continue;
        if (!path_push(&e->w, PATH_FIELD, f->name, 0)) return false;
        ok = eq_field(e, a, b, f);
        path_pop(&e->w);
    }
    walk_leave(&e->w);
    return ok;
}

/* Structs of unknown type: data (shorter one zero-extended) and pointers
 * (missing ones null). */
static bool eq_any_struct(eq *e, const ncp_struct *a, const ncp_struct *b) {
    uint32_t n = a->data_bytes > b->data_bytes ? a->data_bytes : b->data_bytes;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t x = ncp_struct_u8(a, i), y = ncp_struct_u8(b, i);
        if (x != y)
            return eq_differ(e, "data byte %u: 0x%02x != 0x%02x", i, x, y);
    }
    uint32_t np = a->ptr_count > b->ptr_count ? a->ptr_count : b->ptr_count;
    for (uint32_t i = 0; i < np; i++) {
        if (!path_push(&e->w, PATH_POINTER, NULL, i)) return false;
        bool ok = eq_any(e, ncp_struct_ptr(a, i), ncp_struct_ptr(b, i));
        path_pop(&e->w);
        if (!ok) return false;
    }
    return true;
}

static const char *ptr_kind_name(ncp_ptr_kind k) {
    switch (k) {
    case NCP_PTR_NULL: return "null";
    case NCP_PTR_STRUCT: return "a struct";
    case NCP_PTR_LIST: return "a list";
    case NCP_PTR_CAPABILITY: return "a capability";
    default: return "an invalid pointer";
    }
}

static bool eq_any(eq *e, ncp_ptr a, ncp_ptr b) {
    ncp_ptr_kind ka = ncp_ptr_type(a);
    if (!walk_ok(&e->w, a.msg)) return false;
    ncp_ptr_kind kb = ncp_ptr_type(b);
    if (!walk_ok(&e->w, b.msg)) return false;
    if (ka != kb)
        return eq_differ(e, "%s != %s", ptr_kind_name(ka), ptr_kind_name(kb));
    if (ka == NCP_PTR_NULL) return true;
    if (ka == NCP_PTR_CAPABILITY) {
        uint64_t x = ncp_load64(a.p), y = ncp_load64(b.p);
        if (x == y) return true;
        return eq_differ(e, "capability %llu != %llu",
                         (unsigned long long)(x >> 32),
                         (unsigned long long)(y >> 32));
    }
    if (!walk_enter(&e->w)) return false;
    bool ok = true;
    if (ka == NCP_PTR_STRUCT) {
        ncp_struct x = ncp_ptr_struct(a, ""), y;
        if (!walk_ok(&e->w, a.msg)) return false;
        y = ncp_ptr_struct(b, "");
        if (!walk_ok(&e->w, b.msg)) return false;
        ok = eq_any_struct(e, &x, &y);
    } else {
        ncp_list x = ncp_ptr_list(a, NCP_LIST_ANY, ""), y;
        if (!walk_ok(&e->w, a.msg)) return false;
        y = ncp_ptr_list(b, NCP_LIST_ANY, "");
        if (!walk_ok(&e->w, b.msg)) return false;
        bool xb = x.elem == NCP_ELEM_BIT, yb = y.elem == NCP_ELEM_BIT;
        if (x.len != y.len) {
            ok = eq_differ(e, "%u elements != %u elements", x.len, y.len);
        } else if (xb != yb) {
            ok = eq_differ(e, "%s != %s", xb ? "List(Bool)" : "another list",
                           yb ? "List(Bool)" : "another list");
        } else {
            for (uint32_t i = 0; i < x.len && ok; i++) {
                if (!path_push(&e->w, PATH_INDEX, NULL, i)) return false;
                if (xb) {
                    bool u = ncp_list_bool(&x, i), v = ncp_list_bool(&y, i);
                    if (u != v)
                        ok = eq_differ(e, "%s != %s", u ? "true" : "false",
                                       v ? "true" : "false");
                } else {
                    ncp_struct u = ncp_list_struct(&x, i);
                    ncp_struct v = ncp_list_struct(&y, i);
                    ok = eq_any_struct(e, &u, &v);
                }
                path_pop(&e->w);
            }
        }
    }
    walk_leave(&e->w);
    return ok;
}

ncp_status ncp_dyn_equal(const ncp_struct *a, const ncp_struct *b,
                         const ncp_schema_struct *type, unsigned flags,
                         bool *equal, ncp_diff *diff, ncp_error *err) {
    if (equal) *equal = false;
    if (diff) diff->message[0] = '\0';
    if (a == NULL || b == NULL || type == NULL || equal == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "equal: NULL argument");
    eq e;
    memset(&e, 0, sizeof e);
    walk_init(&e.w, NULL, type->name, err);
    e.flags = flags;
    e.diff = diff;
    if (walk_msg_usable(&e.w, a->msg) && walk_msg_usable(&e.w, b->msg)) {
        bool same = eq_struct(&e, a, b, type);
        *equal = same && e.w.status == NCP_OK && !e.differ;
    }
    ncp_status st = e.w.status;
    if (st != NCP_OK) {
        *equal = false;
        if (diff) diff->message[0] = '\0';
    }
    walk_free(&e.w);
    return st;
}

ncp_status ncp_dyn_equal_roots(ncp_msg *a, ncp_msg *b,
                               const ncp_schema_struct *type, unsigned flags,
                               bool *equal, ncp_diff *diff, ncp_error *err) {
    if (equal) *equal = false;
    if (diff) diff->message[0] = '\0';
    ncp_struct x, y;
    ncp_status st = root_struct(a, type, &x, err);
    if (st != NCP_OK) return st;
    st = root_struct(b, type, &y, err);
    if (st != NCP_OK) return st;
    return ncp_dyn_equal(&x, &y, type, flags, equal, diff, err);
}

/* ========================================================================
 * Validation
 * ======================================================================== */

typedef struct val {
    walk w;
    unsigned flags;
} val;

static bool val_struct(val *v, const ncp_struct *s, const ncp_schema_struct *t);
static bool val_any(val *v, ncp_ptr p);

static bool val_enum(val *v, uint64_t value, const ncp_schema_enum *en) {
    if (!(v->flags & NCP_VALIDATE_STRICT) || en == NULL || value < en->count)
        return true;
    walk_fail(&v->w, NCP_ERR_MALFORMED, "%llu is not an enumerant of %s",
              (unsigned long long)value, en->name);
    return false;
}

/* Whether structs of type t have enums or unions (directly or in groups). */
static bool has_tags(const ncp_schema_struct *t) {
    if (t->discriminant_count) return true;
    for (uint16_t i = 0; i < t->field_count; i++) {
        const ncp_schema_field *f = &t->fields[i];
        if (f->group ? has_tags(f->group) : f->type.kind == NCP_TYPE_ENUM)
            return true;
    }
    return false;
}

static bool val_list(val *v, const ncp_list *l, const ncp_schema_type *et) {
    unsigned kind = et->kind;
    if (kind == NCP_TYPE_ENUM) {
        if (!(v->flags & NCP_VALIDATE_STRICT)) return true;
        for (uint32_t i = 0; i < l->len; i++) {
            uint16_t x = ncp_list_u16(l, i);
            if (et->enumeration && x >= et->enumeration->count) {
                if (!path_push(&v->w, PATH_INDEX, NULL, i)) return false;
                return val_enum(v, x, et->enumeration);
            }
        }
        return true;
    }
    if (kind <= NCP_TYPE_FLOAT64) return true;
    /* Struct elements without pointers hold nothing to check, unless
     * strict checking looks at their enums and unions. */
    if (kind == NCP_TYPE_STRUCT && l->ptr_count == 0 &&
        (!(v->flags & NCP_VALIDATE_STRICT) || !has_tags(et->structure)))
        return true;
    if (!walk_enter(&v->w)) return false;
    bool ok = true;
    for (uint32_t i = 0; i < l->len && ok; i++) {
        if (!path_push(&v->w, PATH_INDEX, NULL, i)) return false;
        if (kind == NCP_TYPE_STRUCT) {
            ncp_struct c = ncp_list_struct(l, i);
            ok = val_struct(v, &c, et->structure);
        } else {
            ncp_ptr p = ncp_list_ptr(l, i);
            if (!ncp_ptr_is_null(p)) {
                /* a pointer element: checked like a field of type et */
                switch (kind) {
                case NCP_TYPE_TEXT:
                    ncp_ptr_text(p, "");
                    ok = walk_ok(&v->w, p.msg);
                    break;
                case NCP_TYPE_DATA:
                    ncp_ptr_data(p, "");
                    ok = walk_ok(&v->w, p.msg);
                    break;
                case NCP_TYPE_LIST: {
                    ncp_list c =
                        ncp_ptr_list(p, list_encoding(et->element), "");
                    ok = walk_ok(&v->w, p.msg) && val_list(v, &c, et->element);
                    break;
                }
                default: ok = val_any(v, p); break;
                }
            }
        }
        path_pop(&v->w);
    }
    walk_leave(&v->w);
    return ok;
}

static bool val_pointer(val *v, ncp_ptr p, const ncp_schema_type *t) {
    if (ncp_ptr_is_null(p)) return true;
    switch (t->kind) {
    case NCP_TYPE_TEXT: ncp_ptr_text(p, ""); return walk_ok(&v->w, p.msg);
    case NCP_TYPE_DATA: ncp_ptr_data(p, ""); return walk_ok(&v->w, p.msg);
    case NCP_TYPE_STRUCT: {
        ncp_struct s = ncp_ptr_struct(p, "");
        return walk_ok(&v->w, p.msg) && val_struct(v, &s, t->structure);
    }
    case NCP_TYPE_LIST: {
        ncp_list l = ncp_ptr_list(p, list_encoding(t->element), "");
        return walk_ok(&v->w, p.msg) && val_list(v, &l, t->element);
    }
    default: return val_any(v, p);
    }
}

static bool val_struct(val *v, const ncp_struct *s,
                       const ncp_schema_struct *t) {
    if (!walk_enter(&v->w)) return false;
    bool strict = (v->flags & NCP_VALIDATE_STRICT) != 0;
    uint16_t d = 0;
    if (t->discriminant_count) {
        d = union_tag(s, t);
        if (strict && union_member(t, d) == NULL) {
            walk_fail(&v->w, NCP_ERR_MALFORMED,
                      "union discriminant %u names no member of %s", d,
                      t->name);
            return false;
        }
    }
    bool ok = true;
    for (uint16_t i = 0; i < t->field_count && ok; i++) {
        const ncp_schema_field *f = &t->fields[i];
        if (in_union(f) && f->discriminant != d) continue;
        unsigned kind = f->type.kind;
        bool group = field_is_group(f);
        if (!group && !kind_is_pointer(kind) &&
            !(strict && kind == NCP_TYPE_ENUM))
            continue;
        if (!group && kind_is_pointer(kind) &&
            ncp_ptr_is_null(ncp_struct_ptr(s, f->offset)))
            continue;
        if (!path_push(&v->w, PATH_FIELD, f->name, 0)) return false;
        if (group)
            ok = val_struct(v, s, f->group);
        else if (kind == NCP_TYPE_ENUM)
            ok = val_enum(v, field_bits(s, f), f->type.enumeration);
        else
            ok = val_pointer(v, ncp_struct_ptr(s, f->offset), &f->type);
        path_pop(&v->w);
    }
    walk_leave(&v->w);
    return ok;
}

/* An AnyPointer or interface field: anything but a capability, checked
 * throughout. */
static bool val_any(val *v, ncp_ptr p) {
    ncp_ptr_kind k = ncp_ptr_type(p);
    if (!walk_ok(&v->w, p.msg)) return false;
    if (k == NCP_PTR_NULL) return true;
    if (k == NCP_PTR_CAPABILITY) {
        walk_fail(&v->w, NCP_ERR_CAPABILITY,
                  "capability pointer (data messages cannot hold "
                  "capabilities)");
        return false;
    }
    if (!walk_enter(&v->w)) return false;
    bool ok = true;
    if (k == NCP_PTR_STRUCT) {
        ncp_struct s = ncp_ptr_struct(p, "");
        ok = walk_ok(&v->w, p.msg);
        for (uint16_t i = 0; ok && i < s.ptr_count; i++) {
            if (!path_push(&v->w, PATH_POINTER, NULL, i)) return false;
            ok = val_any(v, ncp_struct_ptr(&s, i));
            path_pop(&v->w);
        }
    } else {
        ncp_list l = ncp_ptr_list(p, NCP_LIST_ANY, "");
        ok = walk_ok(&v->w, p.msg);
        for (uint32_t i = 0; ok && l.ptr_count > 0 && i < l.len; i++) {
            ncp_struct c = ncp_list_struct(&l, i);
            if (!path_push(&v->w, PATH_INDEX, NULL, i)) return false;
            for (uint16_t j = 0; ok && j < c.ptr_count; j++) {
                if (!path_push(&v->w, PATH_POINTER, NULL, j)) return false;
                ok = val_any(v, ncp_struct_ptr(&c, j));
                path_pop(&v->w);
            }
            path_pop(&v->w);
        }
    }
    walk_leave(&v->w);
    return ok;
}

ncp_status ncp_dyn_validate(const ncp_struct *s, const ncp_schema_struct *type,
                            unsigned flags, ncp_error *err) {
    if (s == NULL || type == NULL)
        return ncp_error_set(err, NCP_ERR_ARG, "validate: NULL argument");
    val v;
    memset(&v, 0, sizeof v);
    walk_init(&v.w, NULL, type->name, err);
    v.flags = flags;
    if (walk_msg_usable(&v.w, s->msg)) val_struct(&v, s, type);
    ncp_status st = v.w.status;
    walk_free(&v.w);
    return st;
}

ncp_status ncp_dyn_validate_root(ncp_msg *msg, const ncp_schema_struct *type,
                                 unsigned flags, ncp_error *err) {
    ncp_struct s;
    ncp_status st = root_struct(msg, type, &s, err);
    if (st != NCP_OK) return st;
    return ncp_dyn_validate(&s, type, flags, err);
}
