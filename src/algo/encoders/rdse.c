/*
 * src/algo/encoders/rdse.c - NuPIC's RandomDistributedScalarEncoder
 * (nupic/encoders/random_distributed_scalar.py), bit for bit.
 *
 * The first bucket (500) is the first w values of a shuffle of 0..n-1 by
 * nupic.core's Random; each new bucket copies its neighbour towards the
 * middle and replaces the bit at (index mod w) with draws of getUInt32(n)
 * until the overlap rules hold with every bucket made so far (checked with
 * NuPIC's running overlaps, which rely on neighbours differing in exactly
 * that one position; the reader checks it).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../persist.h"
#include "enc.h"

#define MID (NUPIC_RDSE_MAX_BUCKETS / 2)

void nupic_rdse_params_default(nupic_rdse_params *p) {
    memset(p, 0, sizeof *p);
    p->w = 21;
    p->n = 400;
    p->seed = 42;
}

void nupic_rdse_free(nupic_rdse *e) {
    if (e == NULL) return;
    free(e->name);
    free(e->tab);
    free(e->mark);
    free(e);
}

static inline uint32_t *bucket(const nupic_rdse *e, uint32_t i) {
    return e->tab + (size_t)(i - e->tab_lo) * e->w;
}

/* Makes room for buckets lo..hi (within 0..999) in the table. */
static nupic_status reserve(nupic_rdse *e, uint32_t lo, uint32_t hi,
                            nupic_error *err) {
    if (e->tab && lo >= e->tab_lo && hi < e->tab_lo + e->tab_len)
        return NUPIC_OK;
    uint32_t new_lo = e->tab ? (lo < e->tab_lo ? lo : e->tab_lo) : lo;
    uint32_t new_hi =
        e->tab ? (hi > e->tab_lo + e->tab_len - 1 ? hi
                                                  : e->tab_lo + e->tab_len - 1)
               : hi;
    /* Grow by half again on each side that grows, to keep growth cheap. */
    uint32_t span = new_hi - new_lo + 1, extra = span / 2 + 8;
    if (e->tab && new_lo < e->tab_lo)
        new_lo = new_lo > extra ? new_lo - extra : 0;
    if (e->tab && new_hi >= e->tab_lo + e->tab_len)
        new_hi = new_hi + extra < NUPIC_RDSE_MAX_BUCKETS
                     ? new_hi + extra
                     : NUPIC_RDSE_MAX_BUCKETS - 1;
    uint32_t len = new_hi - new_lo + 1;
    uint32_t *t = calloc((size_t)len * e->w, sizeof *t);
    if (t == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM,
                        "RandomDistributedScalarEncoder: out of memory for "
                        "%u buckets of %u bits",
                        len, e->w);
    if (e->tab) {
        memcpy(t + (size_t)(e->tab_lo - new_lo) * e->w, e->tab,
               (size_t)e->tab_len * e->w * sizeof *t);
        free(e->tab);
    }
    e->tab = t;
    e->tab_lo = new_lo;
    e->tab_len = len;
    return NUPIC_OK;
}

static nupic_status check_shape(double resolution, uint32_t w, uint32_t n,
                                const char *who, nupic_status code,
                                nupic_error *err) {
    if (w == 0 || w % 2 == 0)
        return enc_fail(err, code,
                        "%s: w = %u: it must be an odd positive "
                        "integer",
                        who, w);
    if (!(resolution > 0) || !isfinite(resolution))
        return enc_fail(err, code,
                        "%s: resolution %g: it must be a positive number", who,
                        resolution);
    if ((uint64_t)n <= 6 * (uint64_t)w)
        return enc_fail(err, code,
                        "%s: n = %u: it must be strictly greater than 6 * w = "
                        "%llu",
                        who, n, 6 * (unsigned long long)w);
    if (n > NUPIC_ENC_MAX_WIDTH)
        return enc_fail(err, code, "%s: n = %u exceeds %u", who, n,
                        NUPIC_ENC_MAX_WIDTH);
    return NUPIC_OK;
}

nupic_status nupic_rdse_new(const nupic_rdse_params *p, nupic_rdse **out,
                            nupic_error *err) {
    if (p == NULL || out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_rdse_new: NULL");
    *out = NULL;
    const char *who = "RandomDistributedScalarEncoder";
    nupic_status st =
        check_shape(p->resolution, p->w, p->n, who, NUPIC_ERR_PARAM, err);
    if (st != NUPIC_OK) return st;
    if (p->seed < -1)
        return enc_fail(err, NUPIC_ERR_PARAM,
                        "%s: seed %lld: it must be -1 (from the clock) or "
                        "not negative",
                        who, (long long)p->seed);
    if (p->has_offset && !isfinite(p->offset))
        return enc_fail(err, NUPIC_ERR_PARAM, "%s: offset %g is not finite",
                        who, p->offset);
    nupic_rdse *e = calloc(1, sizeof *e);
    if (e == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", who);
    e->resolution = p->resolution;
    e->w = p->w;
    e->n = p->n;
    e->verbosity = p->verbosity;
    e->max_overlap = 2;
    e->seed_param = p->seed;
    /* NuPIC: seed -1 is nupic.core's Random() (a seed from the clock), as
     * is seed 0. */
    nupic_random_init(&e->rng, p->seed < 0 ? 0 : (uint64_t)p->seed);
    e->min_index = e->max_index = MID;
    e->has_offset = p->has_offset;
    e->offset = p->has_offset ? p->offset : 0.0;
    if (p->name) {
        e->name = enc_strdup(p->name);
    } else {
        char r[32], name[40];
        enc_py_str(e->resolution, r, sizeof r);
        snprintf(name, sizeof name, "[%s]", r);
        e->name = enc_strdup(name);
    }
    e->mark = calloc(e->n, 1);
    uint32_t *perm = malloc((size_t)e->n * sizeof *perm);
    if (e->name == NULL || e->mark == NULL || perm == NULL) {
        free(perm);
        nupic_rdse_free(e);
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", who);
    }
    st = reserve(e, MID, MID, err);
    if (st != NUPIC_OK) {
        free(perm);
        nupic_rdse_free(e);
        return st;
    }
    /* _initializeBucketMap: the first w of a shuffled 0..n-1. */
    for (uint32_t i = 0; i < e->n; i++)
        perm[i] = i;
    nupic_random_shuffle(&e->rng, perm, e->n);
    memcpy(bucket(e, MID), perm, (size_t)e->w * sizeof *perm);
    free(perm);
    *out = e;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * New buckets (_createBucket, _newRepresentation, _newRepresentationOK)
 * ------------------------------------------------------------------------ */

static bool overlap_ok(const nupic_rdse *e, int64_t i, int64_t j,
                       int64_t overlap) {
    int64_t d = i > j ? i - j : j - i;
    if (d < e->w) return overlap == e->w - d;
    return overlap <= e->max_overlap;
}

/* Whether rep (w bits) may become bucket idx, next to the buckets made. */
static bool rep_ok(nupic_rdse *e, const uint32_t *rep, int64_t idx) {
    uint32_t w = e->w;
    for (uint32_t k = 0; k < w; k++)
        e->mark[rep[k]] = 1;
    bool ok = true;
    const uint32_t *lo = bucket(e, e->min_index);
    int64_t overlap = 0;
    for (uint32_t k = 0; k < w; k++)
        overlap += e->mark[lo[k]];
    if (!overlap_ok(e, e->min_index, idx, overlap)) ok = false;
    /* Up to the middle, bucket i differs from i - 1 at (i - 1) mod w; above
     * it, at i mod w. */
    for (uint32_t i = e->min_index + 1; ok && i <= e->max_index; i++) {
        uint32_t bit = (i <= MID ? i - 1 : i) % w;
        overlap -= e->mark[bucket(e, i - 1)[bit]];
        overlap += e->mark[bucket(e, i)[bit]];
        if (!overlap_ok(e, i, idx, overlap)) ok = false;
    }
    for (uint32_t k = 0; k < w; k++)
        e->mark[rep[k]] = 0;
    return ok;
}

static bool in_rep(const uint32_t *rep, uint32_t w, uint32_t v) {
    for (uint32_t k = 0; k < w; k++)
        if (rep[k] == v) return true;
    return false;
}

/* Which bits may take position ri of rep (a copy of src), all at once:
 * bucket i's overlap with rep is its overlap f_i with the other w - 1 bits,
 * plus one if it holds the new bit.  So the new bit must lie in every
 * bucket whose rule needs f_i + 1, and outside every bucket whose rule
 * fails with it; ok[b] is 1 exactly when rep_ok() would accept bit b (and
 * b is not in src).  *any tells whether some bit is accepted. */
static void accepted_bits(nupic_rdse *e, uint32_t *rep, const uint32_t *src,
                          uint32_t ri, int64_t idx, uint8_t *ok, bool *any) {
    uint32_t w = e->w, count = e->max_index - e->min_index + 1;
    enum { FREE, AVOID, NEED, NEVER };
    uint8_t cls[NUPIC_RDSE_MAX_BUCKETS];
    for (uint32_t k = 0; k < w; k++)
        if (k != ri) e->mark[rep[k]] = 1;
    int64_t f = 0;
    const uint32_t *lo = bucket(e, e->min_index);
    for (uint32_t k = 0; k < w; k++)
        f += e->mark[lo[k]];
    uint32_t need = UINT32_MAX;
    bool never = false;
    for (uint32_t i = e->min_index; i <= e->max_index; i++) {
        if (i > e->min_index) {
            uint32_t bit = (i <= MID ? i - 1 : i) % w;
            f -= e->mark[bucket(e, i - 1)[bit]];
            f += e->mark[bucket(e, i)[bit]];
        }
        bool without = overlap_ok(e, i, idx, f),
             with = overlap_ok(e, i, idx, f + 1);
        uint8_t c = without ? (with ? FREE : AVOID) : (with ? NEED : NEVER);
        cls[i - e->min_index] = c;
        if (c == NEVER) never = true;
        if (c == NEED && need == UINT32_MAX) need = i;
    }
    for (uint32_t k = 0; k < w; k++)
        if (k != ri) e->mark[rep[k]] = 0;
    *any = false;
    if (never) return;
    if (need != UINT32_MAX) {
        /* Only the bits of that bucket can do. */
        const uint32_t *nb = bucket(e, need);
        for (uint32_t k = 0; k < w; k++) {
            uint32_t b = nb[k];
            if (in_rep(src, w, b)) continue;
            rep[ri] = b;
            if (rep_ok(e, rep, idx)) {
                ok[b] = 1;
                *any = true;
            }
        }
        return;
    }
    memset(ok, 1, e->n);
    for (uint32_t k = 0; k < w; k++)
        ok[src[k]] = 0;
    for (uint32_t j = 0; j < count; j++)
        if (cls[j] == AVOID) {
            const uint32_t *bb = bucket(e, e->min_index + j);
            for (uint32_t k = 0; k < w; k++)
                ok[bb[k]] = 0;
        }
    for (uint32_t b = 0; b < e->n && !*any; b++)
        *any = ok[b] != 0;
}

/* Makes bucket idx next to bucket from (one of min_index, max_index):
 * NuPIC's draws, one check per draw; after a few rejections, the checks
 * come from a table of the accepted bits (the same answers, in constant
 * time, and a clear error where NuPIC would draw for ever). */
static nupic_status new_bucket(nupic_rdse *e, uint32_t from, uint32_t idx,
                               nupic_error *err) {
    const uint32_t *src = bucket(e, from);
    uint32_t *rep = bucket(e, idx);
    memcpy(rep, src, (size_t)e->w * sizeof *rep);
    uint32_t ri = idx % e->w, fails = 0;
    uint8_t *ok = NULL;
    uint32_t bit = nupic_random_u32(&e->rng, e->n);
    rep[ri] = bit;
    for (;;) {
        bool good =
            ok ? ok[bit] != 0 : !in_rep(src, e->w, bit) && rep_ok(e, rep, idx);
        if (good) break;
        if (e->num_tries < UINT32_MAX) e->num_tries++;
        if (ok == NULL && ++fails == 16) {
            bool any = false;
            ok = calloc(e->n, 1);
            if (ok == NULL)
                return enc_fail(err, NUPIC_ERR_NOMEM,
                                "RandomDistributedScalarEncoder: out of "
                                "memory");
            accepted_bits(e, rep, src, ri, idx, ok, &any);
            if (!any) {
                free(ok);
                return enc_fail(err, NUPIC_ERR_TOO_LARGE,
                                "RandomDistributedScalarEncoder '%s': no bit "
                                "can make bucket %u within the overlap rules "
                                "(n = %u, w = %u, maxOverlap = %u)",
                                e->name, idx, e->n, e->w, e->max_overlap);
            }
        }
        bit = nupic_random_u32(&e->rng, e->n);
        rep[ri] = bit;
    }
    rep[ri] = bit;
    free(ok);
    return NUPIC_OK;
}

static nupic_status make_buckets(nupic_rdse *e, uint32_t idx,
                                 nupic_error *err) {
    if (idx >= e->min_index && idx <= e->max_index) return NUPIC_OK;
    nupic_status st = reserve(e, idx < e->min_index ? idx : e->min_index,
                              idx > e->max_index ? idx : e->max_index, err);
    while (st == NUPIC_OK && idx < e->min_index) {
        st = new_bucket(e, e->min_index, e->min_index - 1, err);
        if (st == NUPIC_OK) e->min_index--;
    }
    while (st == NUPIC_OK && idx > e->max_index) {
        st = new_bucket(e, e->max_index, e->max_index + 1, err);
        if (st == NUPIC_OK) e->max_index++;
    }
    return st;
}

/* ------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------ */

void rdse_snap_take(const nupic_rdse *e, rdse_snap *s) {
    s->min_index = e->min_index;
    s->max_index = e->max_index;
    s->num_tries = e->num_tries;
    s->has_offset = e->has_offset;
    s->offset = e->offset;
    s->rng = e->rng;
}

void rdse_snap_restore(nupic_rdse *e, const rdse_snap *s) {
    e->min_index = s->min_index;
    e->max_index = s->max_index;
    e->num_tries = s->num_tries;
    e->has_offset = s->has_offset;
    e->offset = s->offset;
    e->rng = s->rng;
}

/* getBucketIndices: sets the offset on the first value. */
static nupic_status bucket_index(nupic_rdse *e, double x, uint32_t *idx,
                                 nupic_error *err) {
    if (!isfinite(x))
        return enc_fail(err, NUPIC_ERR_ARG,
                        "RandomDistributedScalarEncoder '%s': the input is "
                        "%g%s",
                        e->name, x,
                        isnan(x) ? " (a missing value is encoded with "
                                   "*_encode_missing)"
                                 : "");
    double offset = e->has_offset ? e->offset : x;
    double r = round((x - offset) / e->resolution);
    if (!isfinite(r))
        return enc_fail(err, NUPIC_ERR_ARG,
                        "RandomDistributedScalarEncoder '%s': input %.17g is "
                        "too far from the offset %.17g",
                        e->name, x, offset);
    e->has_offset = true;
    e->offset = offset;
    if (r < -(double)MID)
        *idx = 0;
    else if (r > (double)(NUPIC_RDSE_MAX_BUCKETS - 1 - MID))
        *idx = NUPIC_RDSE_MAX_BUCKETS - 1;
    else
        *idx = (uint32_t)(MID + (int32_t)r);
    return NUPIC_OK;
}

nupic_status nupic_rdse_bucket(nupic_rdse *e, double value,
                               uint32_t *bucket_out, nupic_error *err) {
    return bucket_index(e, value, bucket_out, err);
}

nupic_status nupic_rdse_encode(nupic_rdse *e, double value, uint8_t *output,
                               nupic_error *err) {
    rdse_snap s;
    rdse_snap_take(e, &s);
    uint32_t idx = 0;
    nupic_status st = bucket_index(e, value, &idx, err);
    if (st == NUPIC_OK) st = make_buckets(e, idx, err);
    if (st != NUPIC_OK) {
        rdse_snap_restore(e, &s);
        return st;
    }
    memset(output, 0, e->n);
    const uint32_t *bits = bucket(e, idx);
    for (uint32_t k = 0; k < e->w; k++)
        output[bits[k]] = 1;
    return NUPIC_OK;
}

void nupic_rdse_encode_missing(const nupic_rdse *e, uint8_t *output) {
    memset(output, 0, e->n);
}

/* ------------------------------------------------------------------------
 * Accessors, equality
 * ------------------------------------------------------------------------ */

uint32_t nupic_rdse_width(const nupic_rdse *e) {
    return e->n;
}
const char *nupic_rdse_name(const nupic_rdse *e) {
    return e->name;
}
uint32_t nupic_rdse_num_tries(const nupic_rdse *e) {
    return e->num_tries;
}

void nupic_rdse_get_params(const nupic_rdse *e, nupic_rdse_params *p) {
    memset(p, 0, sizeof *p);
    p->resolution = e->resolution;
    p->w = e->w;
    p->n = e->n;
    p->name = e->name;
    p->has_offset = e->has_offset;
    p->offset = e->offset;
    p->seed = e->seed_param;
    p->verbosity = e->verbosity;
}

bool nupic_rdse_offset(const nupic_rdse *e, double *offset) {
    if (offset) *offset = e->offset;
    return e->has_offset;
}

void nupic_rdse_bucket_range(const nupic_rdse *e, uint32_t *min,
                             uint32_t *max) {
    *min = e->min_index;
    *max = e->max_index;
}

const uint32_t *nupic_rdse_bucket_bits(const nupic_rdse *e, uint32_t i) {
    if (i < e->min_index || i > e->max_index) return NULL;
    return bucket(e, i);
}

bool rdse_equal_ctx(const nupic_rdse *a, const nupic_rdse *b, const char *what,
                    char *diff, size_t diff_size) {
#define SAME_U(f)                                                              \
    if (a->f != b->f)                                                          \
        return enc_diff(diff, diff_size, "%s." #f ": %llu != %llu", what,      \
                        (unsigned long long)a->f, (unsigned long long)b->f);
    SAME_U(w);
    SAME_U(n);
    SAME_U(verbosity);
    SAME_U(min_index);
    SAME_U(max_index);
    SAME_U(max_overlap);
    SAME_U(num_tries);
    SAME_U(has_offset);
#undef SAME_U
    if (!enc_same_double(a->resolution, b->resolution))
        return enc_diff(diff, diff_size, "%s.resolution: %.17g != %.17g", what,
                        a->resolution, b->resolution);
    if (a->has_offset && !enc_same_double(a->offset, b->offset))
        return enc_diff(diff, diff_size, "%s.offset: %.17g != %.17g", what,
                        a->offset, b->offset);
    if (strcmp(a->name, b->name) != 0)
        return enc_diff(diff, diff_size, "%s.name: '%s' != '%s'", what, a->name,
                        b->name);
    if (!nupic_random_equal(&a->rng, &b->rng))
        return enc_diff(diff, diff_size, "%s.random: the states differ", what);
    for (uint32_t i = a->min_index; i <= a->max_index; i++)
        if (memcmp(bucket(a, i), bucket(b, i), a->w * sizeof(uint32_t)) != 0)
            return enc_diff(diff, diff_size, "%s.bucketMap: bucket %u differs",
                            what, i);
    return true;
}

bool nupic_rdse_equal(const nupic_rdse *a, const nupic_rdse *b, char *diff,
                      size_t diff_size) {
    if (diff && diff_size) diff[0] = '\0';
    return rdse_equal_ctx(a, b, "RandomDistributedScalarEncoder", diff,
                          diff_size);
}

/* ------------------------------------------------------------------------
 * Serialization
 * ------------------------------------------------------------------------ */

/* NuPIC writes the bucket map in the order of a Python 2 dict of int keys:
 * made by inserting the contiguous keys one by one (the table grows to
 * the smallest power of two above 4 * used when two thirds full), it lists
 * key k at slot k mod size, and the keys never collide. */
static uint32_t py2_dict_size(uint32_t count) {
    uint32_t size = 8;
    for (uint32_t used = 1; used <= count; used++)
        if (3 * (uint64_t)used >= 2 * (uint64_t)size) {
            uint32_t s = 8;
            while (s <= 4 * used)
                s <<= 1;
            size = s;
        }
    return size;
}

nupic_status rdse_write_ctx(const nupic_rdse *e,
                            RandomDistributedScalarEncoderProto_B b,
                            const char *who, nupic_error *err) {
    float res = 0.0f, off = 0.0f;
    if (!enc_fits_f32(e->resolution, &res))
        return enc_fail(err, NUPIC_ERR_UNSUPPORTED,
                        "%s: resolution %.17g cannot be saved: "
                        "RandomDistributedScalarEncoderProto holds it as a "
                        "Float32 (%.9g)",
                        who, e->resolution, (double)res);
    if (e->has_offset) {
        if (!isfinite(e->offset) || fabs(e->offset) > (double)FLT_MAX)
            return enc_fail(err, NUPIC_ERR_UNSUPPORTED,
                            "%s: offset %.17g cannot be saved: "
                            "RandomDistributedScalarEncoderProto holds it as a "
                            "Float32",
                            who, e->offset);
        off = (float)e->offset;
    }
    RandomDistributedScalarEncoderProto_set_resolution(b, res);
    RandomDistributedScalarEncoderProto_set_w(b, e->w);
    RandomDistributedScalarEncoderProto_set_n(b, e->n);
    RandomDistributedScalarEncoderProto_set_name(b, e->name, strlen(e->name));
    RandomDistributedScalarEncoderProto_offset_B ob =
        RandomDistributedScalarEncoderProto_init_offset(b);
    if (e->has_offset)
        RandomDistributedScalarEncoderProto_offset_set_value(ob, off);
    else
        RandomDistributedScalarEncoderProto_offset_set_none(ob);
    /* The exact values when the Float32 fields do not hold them. */
    if ((double)res != e->resolution)
        RandomDistributedScalarEncoderProto_set_resolutionExact(b,
                                                                e->resolution);
    if (e->has_offset && (double)off != e->offset)
        RandomDistributedScalarEncoderProto_set_offsetExact(b, e->offset);
    nupic_status st = nupic_random_write(
        &e->rng, RandomDistributedScalarEncoderProto_init_random(b), err);
    if (st != NUPIC_OK) return st;
    RandomDistributedScalarEncoderProto_set_verbosity(b, e->verbosity);
    RandomDistributedScalarEncoderProto_set_minIndex(b, e->min_index);
    RandomDistributedScalarEncoderProto_set_maxIndex(b, e->max_index);
    uint32_t count = e->max_index - e->min_index + 1;
    RandomDistributedScalarEncoderProto_BucketMapping_BList list =
        RandomDistributedScalarEncoderProto_init_bucketMap(b, count);
    uint32_t mask = py2_dict_size(count) - 1, at = 0;
    /* Slots 0 .. mask in order; key k sits at k & mask. */
    uint32_t first = e->min_index;
    for (uint32_t k = e->min_index; k <= e->max_index; k++)
        if ((k & mask) < (first & mask)) first = k;
    for (uint32_t j = 0; j < count; j++) {
        uint32_t k = e->min_index + (first - e->min_index + j) % count;
        RandomDistributedScalarEncoderProto_BucketMapping_B m =
            RandomDistributedScalarEncoderProto_BucketMapping_BList_get(list,
                                                                        at++);
        RandomDistributedScalarEncoderProto_BucketMapping_set_key(m, k);
        RandomDistributedScalarEncoderProto_BucketMapping_set_value(
            m, bucket(e, k), e->w);
    }
    RandomDistributedScalarEncoderProto_set_numTries(b, e->num_tries);
    RandomDistributedScalarEncoderProto_set_maxOverlap(b, e->max_overlap);
    return enc_builder_status(b.s, err);
}

nupic_status nupic_rdse_write(const nupic_rdse *e,
                              RandomDistributedScalarEncoderProto_B b,
                              nupic_error *err) {
    return rdse_write_ctx(e, b, "RandomDistributedScalarEncoder", err);
}

/* The bucket map: every bucket min..max once, w distinct bits below n, and
 * neighbours differing in exactly the position the encoder changes. */
static nupic_status read_buckets(nupic_rdse *e,
                                 RandomDistributedScalarEncoderProto_R r,
                                 const char *ctx, nupic_error *err) {
    RandomDistributedScalarEncoderProto_BucketMapping_RList list =
        RandomDistributedScalarEncoderProto_get_bucketMap(r);
    uint32_t count = e->max_index - e->min_index + 1;
    uint32_t len =
        RandomDistributedScalarEncoderProto_BucketMapping_RList_len(list);
    if (len != count)
        return enc_fail(err, NUPIC_ERR_FORMAT,
                        "%s.bucketMap: %u buckets, expected %u (minIndex %u to "
                        "maxIndex %u)",
                        ctx, len, count, e->min_index, e->max_index);
    /* Every bucket's size first: the table is allocated for them. */
    for (uint32_t j = 0; j < count; j++) {
        RandomDistributedScalarEncoderProto_BucketMapping_R m =
            RandomDistributedScalarEncoderProto_BucketMapping_RList_get(list,
                                                                        j);
        ncp_list v =
            RandomDistributedScalarEncoderProto_BucketMapping_get_value(m);
        if (ncp_list_len(&v) != e->w)
            return enc_fail(
                err, NUPIC_ERR_FORMAT,
                "%s.bucketMap: bucket %u has %u bits, expected w = %u", ctx,
                RandomDistributedScalarEncoderProto_BucketMapping_get_key(m),
                ncp_list_len(&v), e->w);
    }
    nupic_status st = reserve(e, e->min_index, e->max_index, err);
    if (st != NUPIC_OK) return st;
    uint8_t *seen = calloc(count, 1);
    if (seen == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", ctx);
    for (uint32_t j = 0; j < count && st == NUPIC_OK; j++) {
        RandomDistributedScalarEncoderProto_BucketMapping_R m =
            RandomDistributedScalarEncoderProto_BucketMapping_RList_get(list,
                                                                        j);
        uint32_t key =
            RandomDistributedScalarEncoderProto_BucketMapping_get_key(m);
        if (key < e->min_index || key > e->max_index) {
            st = enc_fail(err, NUPIC_ERR_FORMAT,
                          "%s.bucketMap[%u]: key %u is outside minIndex %u to "
                          "maxIndex %u",
                          ctx, j, key, e->min_index, e->max_index);
            break;
        }
        if (seen[key - e->min_index]++) {
            st = enc_fail(err, NUPIC_ERR_FORMAT,
                          "%s.bucketMap[%u]: bucket %u appears twice", ctx, j,
                          key);
            break;
        }
        ncp_list v =
            RandomDistributedScalarEncoderProto_BucketMapping_get_value(m);
        uint32_t *bits = bucket(e, key);
        ncp_list_get_u32s(&v, 0, e->w, bits);
        for (uint32_t k = 0; k < e->w; k++) {
            if (bits[k] >= e->n) {
                st = enc_fail(err, NUPIC_ERR_FORMAT,
                              "%s.bucketMap: bucket %u bit %u is %u, not below "
                              "n = %u",
                              ctx, key, k, bits[k], e->n);
                break;
            }
            if (e->mark[bits[k]]) {
                st = enc_fail(err, NUPIC_ERR_FORMAT,
                              "%s.bucketMap: bucket %u holds bit %u twice", ctx,
                              key, bits[k]);
                break;
            }
            e->mark[bits[k]] = 1;
        }
        for (uint32_t k = 0; k < e->w; k++)
            if (bits[k] < e->n) e->mark[bits[k]] = 0;
    }
    free(seen);
    if (st == NUPIC_OK) st = enc_msg_status(r.s, err);
    for (uint32_t i = e->min_index + 1; st == NUPIC_OK && i <= e->max_index;
         i++) {
        uint32_t pos = (i <= MID ? i - 1 : i) % e->w;
        const uint32_t *a = bucket(e, i - 1), *b = bucket(e, i);
        for (uint32_t k = 0; k < e->w; k++)
            if ((k == pos) == (a[k] == b[k])) {
                st = enc_fail(err, NUPIC_ERR_FORMAT,
                              "%s.bucketMap: buckets %u and %u must differ "
                              "exactly at position %u (they %s at %u)",
                              ctx, i - 1, i, pos, k == pos ? "agree" : "differ",
                              k);
                break;
            }
    }
    return st;
}

nupic_status rdse_read_ctx(RandomDistributedScalarEncoderProto_R r,
                           const char *ctx, nupic_rdse **out,
                           nupic_error *err) {
    *out = NULL;
    nupic_rdse *e = calloc(1, sizeof *e);
    if (e == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", ctx);
    e->resolution = RandomDistributedScalarEncoderProto_get_resolution(r);
    double exact = RandomDistributedScalarEncoderProto_get_resolutionExact(r);
    if (exact != 0.0 && isfinite(exact) && (float)exact == (float)e->resolution)
        e->resolution = exact;
    e->w = RandomDistributedScalarEncoderProto_get_w(r);
    e->n = RandomDistributedScalarEncoderProto_get_n(r);
    e->verbosity = RandomDistributedScalarEncoderProto_get_verbosity(r);
    e->min_index = RandomDistributedScalarEncoderProto_get_minIndex(r);
    e->max_index = RandomDistributedScalarEncoderProto_get_maxIndex(r);
    e->max_overlap = RandomDistributedScalarEncoderProto_get_maxOverlap(r);
    e->num_tries = RandomDistributedScalarEncoderProto_get_numTries(r);
    e->seed_param = 0;
    RandomDistributedScalarEncoderProto_offset_R o =
        RandomDistributedScalarEncoderProto_get_offset(r);
    nupic_status st =
        check_shape(e->resolution, e->w, e->n, ctx, NUPIC_ERR_FORMAT, err);
    if (st != NUPIC_OK) goto fail;
    switch (RandomDistributedScalarEncoderProto_offset_which(o)) {
    case RandomDistributedScalarEncoderProto_offset_which_none:
        e->has_offset = false;
        break;
    case RandomDistributedScalarEncoderProto_offset_which_value:
        e->has_offset = true;
        e->offset = RandomDistributedScalarEncoderProto_offset_get_value(o);
        exact = RandomDistributedScalarEncoderProto_get_offsetExact(r);
        if (exact != 0.0 && isfinite(exact) && (float)exact == (float)e->offset)
            e->offset = exact;
        if (!isfinite(e->offset)) {
            st = enc_fail(err, NUPIC_ERR_FORMAT,
                          "%s.offset.value: %g is not finite", ctx, e->offset);
            goto fail;
        }
        break;
    default:
        st = enc_fail(
            err, NUPIC_ERR_FORMAT, "%s.offset: unknown member %u", ctx,
            (unsigned)RandomDistributedScalarEncoderProto_offset_which(o));
        goto fail;
    }
    if (e->min_index > MID || e->max_index < MID ||
        e->max_index >= NUPIC_RDSE_MAX_BUCKETS) {
        st = enc_fail(err, NUPIC_ERR_FORMAT,
                      "%s: minIndex %u and maxIndex %u must enclose bucket %u "
                      "within 0 to %u",
                      ctx, e->min_index, e->max_index, MID,
                      NUPIC_RDSE_MAX_BUCKETS - 1);
        goto fail;
    }
    st = enc_read_text(RandomDistributedScalarEncoderProto_get_name(r), ctx,
                       "name", &e->name, err);
    if (st != NUPIC_OK) goto fail;
    char sub[ENC_CTX_SIZE];
    enc_ctx(sub, ctx, ".random");
    if (!RandomDistributedScalarEncoderProto_has_random(r)) {
        st = enc_fail(err, NUPIC_ERR_FORMAT, "%s: absent", sub);
        goto fail;
    }
    st = nupic_random_read(RandomDistributedScalarEncoderProto_get_random(r),
                           &e->rng, err);
    if (st != NUPIC_OK) goto fail;
    e->seed_param = nupic_random_seed(&e->rng) <= INT64_MAX
                        ? (int64_t)nupic_random_seed(&e->rng)
                        : -1;
    e->mark = calloc(e->n, 1);
    if (e->mark == NULL) {
        st = enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", ctx);
        goto fail;
    }
    st = read_buckets(e, r, ctx, err);
    if (st == NUPIC_OK) st = enc_msg_status(r.s, err);
    if (st != NUPIC_OK) goto fail;
    *out = e;
    return NUPIC_OK;
fail:
    nupic_rdse_free(e);
    return st;
}

nupic_status nupic_rdse_read(RandomDistributedScalarEncoderProto_R r,
                             nupic_rdse **out, nupic_error *err) {
    if (out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_rdse_read: NULL");
    return rdse_read_ctx(r, "RandomDistributedScalarEncoderProto", out, err);
}

uint64_t rdse_words(const nupic_rdse *e) {
    uint64_t count = e->max_index - e->min_index + 1;
    return 64 + strlen(e->name) / 8 + count * (3 + (e->w + 1) / 2);
}

ENC_PERSIST(nupic_rdse, nupic_rdse, RandomDistributedScalarEncoderProto,
            rdse_words)
