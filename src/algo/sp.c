/*
 * src/algo/sp.c - the spatial pooler, bit-exact with nupic.core.
 *
 * State layout: each column's potential pool is a sorted list of input
 * indices (one array for all columns, with offsets), and its permanences
 * are a parallel array of floats (0 where nupic.core's sparse matrix holds
 * no value).  Connected synapses are a bitset per column, so a step's
 * overlaps are AND + popcount over the input's bitset.
 *
 * Arithmetic follows nupic.core operation by operation: float32 where it
 * uses Real, double where C++ promotes (a float times a double), the C
 * library's expf, powf, roundf, floorf.  Comments name the nupic.core
 * function each part reproduces.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/random.h>
#include <nupic/sp.h>

#include "hugepages.h"
#include "persist.h"
#include "sp_simd.h"
#include "topology.h"

/* nupic.core: static const Real PERMANENCE_EPSILON = 0.000001 */
#define PERMANENCE_EPSILON 0.000001f
/* nupic.core's sparse matrix drops values within this of zero. */
#define SPARSE_EPSILON 1e-6f
#define SP_VERSION     2

#if defined(__GNUC__) || defined(__clang__)
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef int8_t v8b __attribute__((vector_size(8)));
/* m ? a : b, lane by lane (m: all ones or zero); a macro, so that no
 * function passes 32-byte vectors (an ABI that depends on AVX). */
#define SELECT8(m, a, b) ((v8f)(((m) & (v8i)(a)) | (~(m) & (v8i)(b))))
#endif

struct nupic_sp {
    uint32_t ndims;
    uint32_t input_dims[NUPIC_SP_MAX_DIMS];
    uint32_t column_dims[NUPIC_SP_MAX_DIMS];
    uint32_t num_inputs, num_columns;
    uint32_t potential_radius;
    float potential_pct;
    bool global_inhibition;
    uint32_t num_active_columns_per_inh_area;
    float local_area_density;
    uint32_t stimulus_threshold;
    float syn_perm_inactive_dec, syn_perm_active_inc;
    float syn_perm_below_stimulus_inc, syn_perm_connected;
    float min_pct_overlap_duty_cycles, min_pct_active_duty_cycles;
    uint32_t duty_cycle_period;
    float boost_strength;
    uint32_t sp_verbosity;
    bool wrap_around;
    float syn_perm_min, syn_perm_max, syn_perm_trim_threshold;
    uint32_t update_period;
    uint32_t version;
    uint32_t iteration_num, iteration_learn_num;
    uint32_t inhibition_radius;
    nupic_random rng;

    float connected_threshold; /* syn_perm_connected - PERMANENCE_EPSILON */

    /* Potential pools and permanences, by column. */
    uint32_t *pool_start; /* num_columns + 1 offsets */
    uint32_t *pool;       /* input indices, ascending per column */
    float *perm;          /* parallel to pool */
    size_t pool_cap;
    /* Connected synapses: `words` 64-bit words per column. */
    uint32_t words;
    uint64_t *connected;
    uint32_t *connected_counts;
    /* The pools as bitsets over the inputs, with the number of pool inputs
     * before each word: rank queries find an input's place in its pool. */
    uint64_t *pool_bits;
    uint32_t *pool_rank;

    float *tie_breaker, *overlap_duty, *active_duty, *min_overlap_duty, *boost;
    bool boost_all_one; /* every boost factor is exactly 1 */

    /* The last step. */
    uint32_t *overlaps;
    float *boosted;
    uint32_t *active;
    uint32_t num_active;

    /* Scratch. */
    uint64_t *input_bits;
    uint8_t *active_dense;
    float *scores;
    uint32_t *counts;
    uint32_t *active_inputs; /* this step's, ascending */
    uint32_t num_active_inputs;
    uint32_t *apos; /* pool positions of a column's active inputs */
    /* A column's neighbourhood as runs of columns (2 * num_columns). */
    uint32_t *run_start, *run_len;
    float *tmp;   /* a column's new permanences */
    uint64_t *ge; /* words + 2: sps_connected's scratch (learning, reading) */
};

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

void nupic_sp_params_default(nupic_sp_params *p) {
    memset(p, 0, sizeof *p);
    p->num_dimensions = 2;
    p->input_dimensions[0] = p->input_dimensions[1] = 32;
    p->column_dimensions[0] = p->column_dimensions[1] = 64;
    p->potential_radius = 16;
    p->potential_pct = 0.5f;
    p->global_inhibition = true;
    p->local_area_density = -1.0f;
    p->num_active_columns_per_inh_area = 10;
    p->stimulus_threshold = 0;
    p->syn_perm_inactive_dec = 0.008f;
    p->syn_perm_active_inc = 0.05f;
    p->syn_perm_connected = 0.1f;
    p->min_pct_overlap_duty_cycles = 0.001f;
    p->duty_cycle_period = 1000;
    p->boost_strength = 0.0f;
    p->seed = 1;
    p->sp_verbosity = 0;
    p->wrap_around = true;
}

static nupic_status bad(nupic_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static nupic_status bad(nupic_error *err, const char *fmt, ...) {
    char msg[NUPIC_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nupic_error_set(err, NUPIC_ERR_PARAM, "SpatialPooler: %s", msg);
}

static nupic_status check_float(const char *name, float v, nupic_error *err) {
    if (!isfinite(v))
        return bad(err, "%s is %g, not a finite number", name, (double)v);
    return NUPIC_OK;
}

/* Checks the product of dimensions; 0 if it overflows. */
static uint32_t dims_product(const uint32_t *d, uint32_t n) {
    uint64_t p = 1;
    for (uint32_t i = 0; i < n; i++) {
        p *= d[i];
        if (p > INT32_MAX) return 0;
    }
    return (uint32_t)p;
}

static nupic_status validate(const nupic_sp_params *p, nupic_error *err) {
    if (p->num_dimensions < 1 || p->num_dimensions > NUPIC_SP_MAX_DIMS)
        return bad(err,
                   "%u dimensions; inputDimensions and columnDimensions "
                   "need 1 to %d",
                   p->num_dimensions, NUPIC_SP_MAX_DIMS);
    for (uint32_t i = 0; i < p->num_dimensions; i++) {
        if (p->input_dimensions[i] == 0)
            return bad(err, "inputDimensions[%u] is 0", i);
        if (p->column_dimensions[i] == 0)
            return bad(err, "columnDimensions[%u] is 0", i);
    }
    if (dims_product(p->input_dimensions, p->num_dimensions) == 0)
        return bad(err, "inputDimensions hold more than 2^31 inputs");
    if (dims_product(p->column_dimensions, p->num_dimensions) == 0)
        return bad(err, "columnDimensions hold more than 2^31 columns");
    const struct {
        const char *name;
        float v;
    } floats[] = {{"potentialPct", p->potential_pct},
                  {"localAreaDensity", p->local_area_density},
                  {"synPermInactiveDec", p->syn_perm_inactive_dec},
                  {"synPermActiveInc", p->syn_perm_active_inc},
                  {"synPermConnected", p->syn_perm_connected},
                  {"minPctOverlapDutyCycles", p->min_pct_overlap_duty_cycles},
                  {"boostStrength", p->boost_strength}};
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
        if (check_float(floats[i].name, floats[i].v, err))
            return err ? err->status : NUPIC_ERR_PARAM;
    if (!(p->potential_pct > 0 && p->potential_pct <= 1))
        return bad(err, "potentialPct is %g; it must be in (0, 1]",
                   (double)p->potential_pct);
    if (p->num_active_columns_per_inh_area <= 0 &&
        !(p->local_area_density > 0 && p->local_area_density <= 0.5f))
        return bad(err,
                   "numActiveColumnsPerInhArea is %d and localAreaDensity %g: "
                   "one of them must be set (a count > 0, or a density in "
                   "(0, 0.5])",
                   p->num_active_columns_per_inh_area,
                   (double)p->local_area_density);
    float trim = p->syn_perm_active_inc / 2.0f;
    if (!(trim < p->syn_perm_connected))
        return bad(err,
                   "synPermActiveInc / 2 (%g) must be below synPermConnected "
                   "(%g)",
                   (double)trim, (double)p->syn_perm_connected);
    if (!(p->syn_perm_connected > PERMANENCE_EPSILON &&
          p->syn_perm_connected <= 1))
        return bad(err, "synPermConnected is %g; it must be in (1e-6, 1]",
                   (double)p->syn_perm_connected);
    if (p->duty_cycle_period < 1 || p->duty_cycle_period > UINT16_MAX)
        return bad(err, "dutyCyclePeriod is %u; it must be 1 to 65535",
                   p->duty_cycle_period);
    if (p->boost_strength < 0)
        return bad(err, "boostStrength is %g; it must be >= 0",
                   (double)p->boost_strength);
    if (p->sp_verbosity > UINT8_MAX)
        return bad(err, "spVerbosity is %u; it must be at most 255",
                   p->sp_verbosity);
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Allocation
 * ------------------------------------------------------------------------ */

void nupic_sp_free(nupic_sp *sp) {
    if (sp == NULL) return;
    free(sp->pool_start);
    free(sp->pool);
    free(sp->perm);
    free(sp->connected);
    free(sp->connected_counts);
    free(sp->tie_breaker);
    free(sp->overlap_duty);
    free(sp->active_duty);
    free(sp->min_overlap_duty);
    free(sp->boost);
    free(sp->overlaps);
    free(sp->boosted);
    free(sp->active);
    free(sp->input_bits);
    free(sp->active_dense);
    free(sp->scores);
    free(sp->counts);
    free(sp->pool_bits);
    free(sp->pool_rank);
    free(sp->active_inputs);
    free(sp->apos);
    free(sp->run_start);
    free(sp->run_len);
    free(sp->tmp);
    free(sp->ge);
    free(sp);
}

/* Allocates the per-column arrays once the sizes are known; pools are
 * allocated by their builders. */
static nupic_status alloc_columns(nupic_sp *sp, nupic_error *err) {
    size_t n = sp->num_columns;
    sp->words = (sp->num_inputs + 63) / 64;
    sp->pool_start = calloc(n + 1, sizeof *sp->pool_start);
    sp->connected = calloc(n * sp->words, sizeof *sp->connected);
    sp->connected_counts = calloc(n, sizeof *sp->connected_counts);
    sp->tie_breaker = calloc(n, sizeof(float));
    sp->overlap_duty = calloc(n, sizeof(float));
    sp->active_duty = calloc(n, sizeof(float));
    sp->min_overlap_duty = calloc(n, sizeof(float));
    sp->boost = calloc(n, sizeof(float));
    sp->overlaps = calloc(n, sizeof *sp->overlaps);
    sp->boosted = calloc(n, sizeof(float));
    sp->active = calloc(n, sizeof *sp->active);
    sp->input_bits = calloc(sp->words, sizeof *sp->input_bits);
    sp->active_dense = calloc(n, 1);
    sp->scores = calloc(n, sizeof(float));
    sp->counts = calloc((size_t)sp->num_inputs + 2, sizeof *sp->counts);
    sp->pool_bits = calloc(n * sp->words, sizeof *sp->pool_bits);
    sp->pool_rank = calloc(n * sp->words, sizeof *sp->pool_rank);
    sp->active_inputs = calloc((size_t)sp->num_inputs + 1, sizeof(uint32_t));
    sp->apos = calloc((size_t)sp->num_inputs + 1, sizeof(uint32_t));
    sp->run_start = calloc(2 * n, sizeof(uint32_t));
    sp->run_len = calloc(2 * n, sizeof(uint32_t));
    sp->tmp = calloc((size_t)sp->num_inputs + 8, sizeof(float));
    sp->ge = calloc((size_t)sp->words + 2, sizeof *sp->ge);
    if (!sp->pool_start || !sp->connected || !sp->connected_counts ||
        !sp->tie_breaker || !sp->overlap_duty || !sp->active_duty ||
        !sp->min_overlap_duty || !sp->boost || !sp->overlaps || !sp->boosted ||
        !sp->active || !sp->input_bits || !sp->active_dense || !sp->scores ||
        !sp->counts || !sp->pool_bits || !sp->pool_rank || !sp->active_inputs ||
        !sp->apos || !sp->run_start || !sp->run_len || !sp->tmp || !sp->ge)
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "SpatialPooler: out of memory for %u columns",
                               sp->num_columns);
    return NUPIC_OK;
}

/* Makes room for `more` pool entries: exactly, or with room to grow. */
static nupic_status reserve_pool(nupic_sp *sp, size_t used, size_t more,
                                 bool exact, nupic_error *err) {
    if (used + more <= sp->pool_cap) return NUPIC_OK;
    size_t cap = sp->pool_cap ? sp->pool_cap * 2 : 4096;
    while (cap < used + more)
        cap *= 2;
    if (exact) cap = used + more > 0 ? used + more : 1;
    uint32_t *pool = realloc(sp->pool, cap * sizeof *pool);
    if (pool) sp->pool = pool;
    float *perm = realloc(sp->perm, cap * sizeof *perm);
    if (perm) sp->perm = perm;
    if (!pool || !perm)
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "SpatialPooler: out of memory for %zu synapses",
                               cap);
    sp->pool_cap = cap;
    algo_advise_huge(sp->pool, cap * sizeof *sp->pool);
    algo_advise_huge(sp->perm, cap * sizeof *sp->perm);
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Permanences (updatePermanencesForColumn_, raisePermanencesToThreshold_,
 * clip_)
 * ------------------------------------------------------------------------ */

/* How a column's permanences change before they become its state. */
typedef enum {
    CHANGE_NONE,  /* as they are (read, construction) */
    CHANGE_ADAPT, /* + synPermActiveInc on active inputs, - synPermInactiveDec
                     elsewhere (adaptSynapses_) */
    CHANGE_BUMP   /* + synPermBelowStimulusInc (bumpUpWeakColumns_) */
} perm_change;

/* updatePermanencesForColumn_ for column c, after the change: raising (when
 * asked) clips to [min, max] and, while fewer than stimulusThreshold
 * synapses are connected, adds synPermBelowStimulusInc to the whole pool;
 * the connected synapses are those at or above the threshold; values are
 * then clipped to [trim, max] (below trim: min) and, as nupic.core's sparse
 * matrix stores them, values within 1e-6 of zero become zero.  All in one
 * pass unless the threshold loop can run. */
static void update_column(nupic_sp *sp, uint32_t c, perm_change change,
                          bool raise) {
    uint32_t start = sp->pool_start[c], end = sp->pool_start[c + 1];
    float *restrict perm = sp->perm + start;
    const uint32_t *restrict idx = sp->pool + start;
    const uint64_t *restrict in = sp->input_bits;
    uint32_t n = end - start;
    const float max = sp->syn_perm_max, min = sp->syn_perm_min;
    const float trim = sp->syn_perm_trim_threshold;
    const float thr = sp->connected_threshold;
    const float inc = sp->syn_perm_active_inc;
    const float dec = -1.0f * sp->syn_perm_inactive_dec;
    const float bump = sp->syn_perm_below_stimulus_inc;
    bool clamp_first = raise;
    if (change != CHANGE_NONE || raise) {
        bool loop = raise && sp->stimulus_threshold > 0;
        if (loop || !raise) {
            /* Apply the change (and the clamp) alone first. */
            for (uint32_t k = 0; k < n; k++) {
                float v = perm[k];
                if (change == CHANGE_ADAPT)
                    v += ((in[idx[k] >> 6] >> (idx[k] & 63)) & 1) ? inc : dec;
                else if (change == CHANGE_BUMP)
                    v += bump;
                if (raise) {
                    v = v > max ? max : v;
                    v = v < min ? min : v;
                }
                perm[k] = v;
            }
            clamp_first = false;
            change = CHANGE_NONE;
        }
        if (loop) {
            for (;;) {
                uint32_t count = 0;
                for (uint32_t k = 0; k < n; k++)
                    count += perm[k] >= thr;
                if (count >= sp->stimulus_threshold) break;
                for (uint32_t k = 0; k < n; k++)
                    perm[k] += bump;
            }
        }
    }
    uint64_t *bits = sp->connected + (size_t)c * sp->words;
    memset(bits, 0, sp->words * sizeof *bits);
    uint32_t count = 0;
    if (n > 0) {
        uint32_t cur = idx[0] >> 6;
        uint64_t acc = 0;
        for (uint32_t k = 0; k < n; k++) {
            float v = perm[k];
            uint32_t i = idx[k];
            if (change == CHANGE_ADAPT)
                v += ((in[i >> 6] >> (i & 63)) & 1) ? inc : dec;
            if (clamp_first) {
                v = v > max ? max : v;
                v = v < min ? min : v;
            }
            uint32_t w = i >> 6;
            if (w != cur) {
                bits[cur] = acc;
                acc = 0;
                cur = w;
            }
            uint64_t on = v >= thr;
            acc |= on << (i & 63);
            count += (uint32_t)on;
            v = v > max ? max : v;
            v = v < trim ? min : v;
            v = fabsf(v) <= SPARSE_EPSILON ? 0.0f : v;
            perm[k] = v;
        }
        bits[cur] = acc;
    }
    sp->connected_counts[c] = count;
}

/* Column c's connected bits and count from its stored permanences (those
 * at or above the threshold), with the AVX-512 kernel when `simd`, else word
 * by word from the pool's ranks. */
static inline __attribute__((always_inline)) void
rebuild_connected(nupic_sp *sp, uint32_t c, bool simd, uint64_t *ge) {
    uint32_t start = sp->pool_start[c], n = sp->pool_start[c + 1] - start;
    const float *perm = sp->perm + start;
    const float thr = sp->connected_threshold;
    uint64_t *bits = sp->connected + (size_t)c * sp->words;
    const uint64_t *pbits = sp->pool_bits + (size_t)c * sp->words;
    const uint32_t *prank = sp->pool_rank + (size_t)c * sp->words;
#ifdef SPS_KERNELS
    if (simd) {
        sp->connected_counts[c] =
            sps_connected(perm, n, thr, pbits, prank, sp->words, ge, bits);
        return;
    }
#else
    (void)simd;
    (void)pbits;
    (void)ge;
#endif
    const uint32_t *idx = sp->pool + start;
    uint32_t count = 0;
    for (uint32_t w = 0; w < sp->words; w++) {
        uint32_t end = w + 1 < sp->words ? prank[w + 1] : n;
        uint64_t acc = 0;
        for (uint32_t j = prank[w]; j < end; j++)
            acc |= (uint64_t)(perm[j] >= thr) << (idx[j] & 63);
        bits[w] = acc;
        count += (uint32_t)__builtin_popcountll(acc);
    }
    sp->connected_counts[c] = count;
}

/* A column's permanences as read: the final clip of
 * updatePermanencesForColumn_ in vector lanes, then the connected bits from
 * the clipped values (rebuild_connected). */
static inline __attribute__((always_inline)) void
settle_read(nupic_sp *sp, uint32_t c, bool simd, uint64_t *ge) {
    uint32_t start = sp->pool_start[c], n = sp->pool_start[c + 1] - start;
    float *restrict perm = sp->perm + start;
    const float max = sp->syn_perm_max, min = sp->syn_perm_min;
    const float trim = sp->syn_perm_trim_threshold;
    uint32_t k = 0;
#if defined(__GNUC__) || defined(__clang__)
    const v8f vmax = {max, max, max, max, max, max, max, max};
    const v8f vmin = {min, min, min, min, min, min, min, min};
    const v8f vtrim = {trim, trim, trim, trim, trim, trim, trim, trim};
    const float e = SPARSE_EPSILON;
    const v8f veps = {e, e, e, e, e, e, e, e};
    for (; k + 8 <= n; k += 8) {
        v8f v;
        memcpy(&v, perm + k, sizeof v);
        v = SELECT8(v > vmax, vmax, v);
        v = SELECT8(v < vtrim, vmin, v);
        v8f av = (v8f)((v8i)v & 0x7fffffff);
        v = SELECT8(av <= veps, (v8f){0}, v);
        memcpy(perm + k, &v, sizeof v);
    }
#endif
    for (; k < n; k++) {
        float v = perm[k];
        v = v > max ? max : v;
        v = v < trim ? min : v;
        perm[k] = fabsf(v) <= SPARSE_EPSILON ? 0.0f : v;
    }
    /* Connected: the stored values at or above the threshold (see
     * read_permanences). */
    rebuild_connected(sp, c, simd, ge);
}

/* nupic.core's round5_: (Real)(Int)(f * 100000) / 100000.0, back to Real. */
static float round5(float f) {
    float scaled = f * 100000.0f;
    float truncated = (float)(int32_t)scaled;
    return (float)((double)truncated / 100000.0);
}

/* ------------------------------------------------------------------------
 * Construction (initialize, mapColumn_, mapPotential_, initPermanence_)
 * ------------------------------------------------------------------------ */

static uint32_t map_column(const nupic_sp *sp, uint32_t column) {
    uint32_t cc[NUPIC_SP_MAX_DIMS], ic[NUPIC_SP_MAX_DIMS];
    topo_coords(column, sp->column_dims, sp->ndims, cc);
    for (uint32_t i = 0; i < sp->ndims; i++) {
        float ratio = (float)sp->input_dims[i] / (float)sp->column_dims[i];
        float coord = (float)(((double)(float)cc[i] + 0.5) * (double)ratio);
        ic[i] = (uint32_t)floorf(coord);
    }
    return topo_index(ic, sp->input_dims, sp->ndims);
}

static void index_pool(nupic_sp *sp, uint32_t c);

static nupic_status init_column(nupic_sp *sp, uint32_t c, uint32_t *nbr_buf,
                                uint32_t *chosen, uint8_t *dense,
                                nupic_error *err) {
    /* mapPotential_: the neighbourhood of the column's centre, sampled. */
    uint32_t size =
        topo_neighbors(map_column(sp, c), sp->potential_radius, sp->input_dims,
                       sp->ndims, sp->wrap_around, nbr_buf);
    uint32_t want = (uint32_t)roundf((float)size * sp->potential_pct);
    nupic_random_sample(&sp->rng, nbr_buf, size, chosen, want);
    memset(dense, 0, sp->num_inputs);
    for (uint32_t k = 0; k < want; k++)
        dense[chosen[k]] = 1;
    if (want < sp->stimulus_threshold)
        return bad(err,
                   "column %u's potential pool has %u inputs, fewer than "
                   "stimulusThreshold %u (nupic.core would never finish "
                   "raising its permanences)",
                   c, want, sp->stimulus_threshold);
    size_t used = sp->pool_start[c];
    nupic_status st = reserve_pool(sp, used, want, false, err);
    if (st != NUPIC_OK) return st;
    /* initPermanence_: two draws per potential input, in input order. */
    uint32_t n = 0;
    for (uint32_t i = 0; i < sp->num_inputs; i++) {
        if (!dense[i]) continue;
        float p;
        if (nupic_random_real64(&sp->rng) <= (double)0.5f) {
            /* initPermConnected_ */
            double r = nupic_random_real64(&sp->rng);
            p = (float)((double)sp->syn_perm_connected +
                        (double)(sp->syn_perm_max - sp->syn_perm_connected) *
                            r);
        } else {
            /* initPermNonConnected_ */
            double r = nupic_random_real64(&sp->rng);
            p = (float)((double)sp->syn_perm_connected * r);
        }
        p = round5(p);
        p = p < sp->syn_perm_trim_threshold ? 0.0f : p;
        sp->pool[used + n] = i;
        sp->perm[used + n] = p;
        n++;
    }
    sp->pool_start[c + 1] = (uint32_t)(used + n);
    index_pool(sp, c);
    update_column(sp, c, CHANGE_NONE, true);
    return NUPIC_OK;
}

static void update_inhibition_radius(nupic_sp *sp);

nupic_status nupic_sp_new(const nupic_sp_params *p, nupic_sp **out,
                          nupic_error *err) {
    *out = NULL;
    nupic_status st = validate(p, err);
    if (st != NUPIC_OK) return st;
    nupic_sp *sp = calloc(1, sizeof *sp);
    if (sp == NULL)
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "SpatialPooler: out of memory");
    sp->ndims = p->num_dimensions;
    memcpy(sp->input_dims, p->input_dimensions, sizeof sp->input_dims);
    memcpy(sp->column_dims, p->column_dimensions, sizeof sp->column_dims);
    sp->num_inputs = dims_product(sp->input_dims, sp->ndims);
    sp->num_columns = dims_product(sp->column_dims, sp->ndims);
    /* initialize */
    nupic_random_init(&sp->rng, p->seed < 0 ? 0 : (uint64_t)p->seed);
    sp->potential_radius = p->potential_radius > sp->num_inputs
                               ? sp->num_inputs
                               : p->potential_radius;
    sp->potential_pct = p->potential_pct;
    sp->global_inhibition = p->global_inhibition;
    sp->num_active_columns_per_inh_area =
        p->num_active_columns_per_inh_area > 0
            ? (uint32_t)p->num_active_columns_per_inh_area
            : 0;
    sp->local_area_density = p->local_area_density;
    sp->stimulus_threshold = p->stimulus_threshold;
    sp->syn_perm_inactive_dec = p->syn_perm_inactive_dec;
    sp->syn_perm_active_inc = p->syn_perm_active_inc;
    sp->syn_perm_below_stimulus_inc =
        (float)((double)p->syn_perm_connected / 10.0);
    sp->syn_perm_connected = p->syn_perm_connected;
    sp->min_pct_overlap_duty_cycles = p->min_pct_overlap_duty_cycles;
    sp->duty_cycle_period = p->duty_cycle_period;
    sp->boost_strength = p->boost_strength;
    sp->sp_verbosity = p->sp_verbosity;
    sp->wrap_around = p->wrap_around;
    sp->syn_perm_min = 0.0f;
    sp->syn_perm_max = 1.0f;
    sp->syn_perm_trim_threshold = (float)((double)p->syn_perm_active_inc / 2.0);
    sp->update_period = 50;
    sp->version = SP_VERSION;
    sp->connected_threshold = sp->syn_perm_connected - PERMANENCE_EPSILON;

    st = alloc_columns(sp, err);
    uint32_t *nbr_buf = NULL, *chosen = NULL;
    uint8_t *dense = NULL;
    if (st == NUPIC_OK) {
        nbr_buf = malloc((size_t)sp->num_inputs * sizeof *nbr_buf);
        chosen = malloc((size_t)sp->num_inputs * sizeof *chosen);
        dense = malloc(sp->num_inputs);
        if (!nbr_buf || !chosen || !dense)
            st = nupic_error_set(err, NUPIC_ERR_NOMEM,
                                 "SpatialPooler: out of memory");
    }
    if (st == NUPIC_OK) {
        for (uint32_t i = 0; i < sp->num_columns; i++)
            sp->tie_breaker[i] = (float)(0.01 * nupic_random_real64(&sp->rng));
        for (uint32_t i = 0; i < sp->num_columns; i++)
            sp->boost[i] = 1.0f;
        sp->boost_all_one = true;
        for (uint32_t c = 0; c < sp->num_columns && st == NUPIC_OK; c++)
            st = init_column(sp, c, nbr_buf, chosen, dense, err);
    }
    free(nbr_buf);
    free(chosen);
    free(dense);
    if (st != NUPIC_OK) {
        nupic_sp_free(sp);
        return st;
    }
    update_inhibition_radius(sp);
    *out = sp;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Periodic updates (updateInhibitionRadius_, updateMinDutyCycles_, ...)
 * ------------------------------------------------------------------------ */

static uint32_t max_column_dim(const nupic_sp *sp) {
    uint32_t m = 0;
    for (uint32_t i = 0; i < sp->ndims; i++)
        if (sp->column_dims[i] > m) m = sp->column_dims[i];
    return m;
}

/* avgConnectedSpanForColumnND_ */
static float avg_connected_span(const nupic_sp *sp, uint32_t c) {
    uint32_t maxc[NUPIC_SP_MAX_DIMS], minc[NUPIC_SP_MAX_DIMS],
        coord[NUPIC_SP_MAX_DIMS];
    uint32_t maxdim = 0;
    for (uint32_t i = 0; i < sp->ndims; i++)
        if (sp->input_dims[i] > maxdim) maxdim = sp->input_dims[i];
    for (uint32_t i = 0; i < sp->ndims; i++) {
        maxc[i] = 0;
        minc[i] = maxdim;
    }
    const uint64_t *bits = sp->connected + (size_t)c * sp->words;
    bool any = false;
    for (uint32_t w = 0; w < sp->words; w++) {
        for (uint64_t b = bits[w]; b; b &= b - 1) {
            uint32_t in = w * 64 + (uint32_t)__builtin_ctzll(b);
            any = true;
            topo_coords(in, sp->input_dims, sp->ndims, coord);
            for (uint32_t j = 0; j < sp->ndims; j++) {
                if (coord[j] > maxc[j]) maxc[j] = coord[j];
                if (coord[j] < minc[j]) minc[j] = coord[j];
            }
        }
    }
    if (!any) return 0.0f;
    uint32_t total = 0;
    for (uint32_t j = 0; j < sp->ndims; j++)
        total += maxc[j] - minc[j] + 1;
    return (float)total / (float)sp->ndims;
}

/* avgColumnsPerInput_ */
static float avg_columns_per_input(const nupic_sp *sp) {
    float sum = 0.0f;
    for (uint32_t i = 0; i < sp->ndims; i++)
        sum += (float)sp->column_dims[i] / (float)sp->input_dims[i];
    return sum / (float)sp->ndims;
}

static void update_inhibition_radius(nupic_sp *sp) {
    if (sp->global_inhibition) {
        sp->inhibition_radius = max_column_dim(sp);
        return;
    }
    float span = 0.0f;
    for (uint32_t c = 0; c < sp->num_columns; c++)
        span += avg_connected_span(sp, c);
    span /= (float)sp->num_columns;
    float diameter = span * avg_columns_per_input(sp);
    float radius = (float)(((double)diameter - 1) / 2.0);
    if (radius < 1.0f) radius = 1.0f;
    sp->inhibition_radius = (uint32_t)roundf(radius);
}

/* Column c's neighbourhood at the inhibition radius, as runs of columns in
 * nupic.core's order (sp->run_start, sp->run_len); returns their number. */
static uint32_t neighbor_runs(nupic_sp *sp, uint32_t c) {
    return topo_neighbor_runs(c, sp->inhibition_radius, sp->column_dims,
                              sp->ndims, sp->wrap_around, sp->run_start,
                              sp->run_len);
}

static void update_min_duty_cycles(nupic_sp *sp) {
    if (sp->global_inhibition || sp->inhibition_radius > max_column_dim(sp)) {
        float m = sp->overlap_duty[0];
        for (uint32_t c = 1; c < sp->num_columns; c++)
            if (sp->overlap_duty[c] > m) m = sp->overlap_duty[c];
        float v = sp->min_pct_overlap_duty_cycles * m;
        for (uint32_t c = 0; c < sp->num_columns; c++)
            sp->min_overlap_duty[c] = v;
        return;
    }
    for (uint32_t c = 0; c < sp->num_columns; c++) {
        float m = 0.0f;
        uint32_t runs = neighbor_runs(sp, c);
        for (uint32_t r = 0; r < runs; r++) {
            const float *d = sp->overlap_duty + sp->run_start[r];
            for (uint32_t k = 0; k < sp->run_len[r]; k++)
                if (d[k] > m) m = d[k];
        }
        sp->min_overlap_duty[c] = m * sp->min_pct_overlap_duty_cycles;
    }
}

/* The density of winners (inhibitColumns_, updateBoostFactorsGlobal_). */
static float target_density(const nupic_sp *sp) {
    if (sp->num_active_columns_per_inh_area == 0) return sp->local_area_density;
    uint32_t area = (uint32_t)powf((float)(2 * sp->inhibition_radius + 1),
                                   (float)sp->ndims);
    if (area > sp->num_columns) area = sp->num_columns;
    float d = (float)sp->num_active_columns_per_inh_area / (float)area;
    return d < 0.5f ? d : 0.5f;
}

static void update_boost_factors(nupic_sp *sp) {
    if (sp->boost_strength == 0.0f) {
        /* exp((target - duty) * 0) is exactly 1 for finite values. */
        if (!sp->boost_all_one)
            for (uint32_t c = 0; c < sp->num_columns; c++)
                sp->boost[c] = 1.0f;
        sp->boost_all_one = true;
        return;
    }
    bool all_one = true;
    if (sp->global_inhibition) {
        float target = target_density(sp);
        for (uint32_t c = 0; c < sp->num_columns; c++) {
            sp->boost[c] =
                expf((target - sp->active_duty[c]) * sp->boost_strength);
            all_one &= sp->boost[c] == 1.0f;
        }
    } else {
        for (uint32_t c = 0; c < sp->num_columns; c++) {
            /* Summed in nupic.core's order (float addition). */
            float sum = 0.0f;
            uint32_t count = 0, runs = neighbor_runs(sp, c);
            for (uint32_t r = 0; r < runs; r++) {
                const float *d = sp->active_duty + sp->run_start[r];
                for (uint32_t k = 0; k < sp->run_len[r]; k++)
                    sum += d[k];
                count += sp->run_len[r];
            }
            float target = sum / (float)count;
            sp->boost[c] =
                expf((target - sp->active_duty[c]) * sp->boost_strength);
            all_one &= sp->boost[c] == 1.0f;
        }
    }
    sp->boost_all_one = all_one;
}

/* ------------------------------------------------------------------------
 * A step (compute)
 * ------------------------------------------------------------------------ */

/* Hot functions are compiled twice on x86-64, with and without the POPCNT
 * instruction, and the loader picks the one the CPU runs. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) &&        \
    defined(__ELF__) && !defined(NCP_PORTABLE_BYTE_ORDER)
#define SP_HOT        __attribute__((target_clones("avx2", "popcnt", "default")))
#define SP_HOT_POPCNT __attribute__((target_clones("popcnt", "default")))
#else
#define SP_HOT
#define SP_HOT_POPCNT
#endif

/* calculateOverlap_: connected synapses on active inputs, by column: an
 * AND and a population count over each column's bitset.  Kernels for
 * AVX-512 VPOPCNTDQ, AVX2 (nibble lookup) and POPCNT are picked at first
 * use from the CPU's features. */
SP_HOT_POPCNT static void overlaps_scalar(nupic_sp *sp) {
    const uint64_t *restrict in = sp->input_bits;
    const uint64_t *restrict bits = sp->connected;
    uint32_t *restrict overlaps = sp->overlaps;
    const uint32_t words = sp->words, columns = sp->num_columns;
    const uint32_t words4 = words & ~3u;
    for (uint32_t c = 0; c < columns; c++, bits += words) {
        uint64_t n0 = 0, n1 = 0, n2 = 0, n3 = 0;
        uint32_t w = 0;
        for (; w < words4; w += 4) {
            n0 += (uint64_t)__builtin_popcountll(bits[w] & in[w]);
            n1 += (uint64_t)__builtin_popcountll(bits[w + 1] & in[w + 1]);
            n2 += (uint64_t)__builtin_popcountll(bits[w + 2] & in[w + 2]);
            n3 += (uint64_t)__builtin_popcountll(bits[w + 3] & in[w + 3]);
        }
        for (; w < words; w++)
            n0 += (uint64_t)__builtin_popcountll(bits[w] & in[w]);
        overlaps[c] = (uint32_t)(n0 + n1 + n2 + n3);
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) &&        \
    !defined(NCP_PORTABLE_BYTE_ORDER)
#include <immintrin.h>
#define SP_X86_KERNELS 1

__attribute__((target("avx512f,avx512vpopcntdq"))) static void
overlaps_avx512(nupic_sp *sp) {
    const uint64_t *in = sp->input_bits, *bits = sp->connected;
    const uint32_t words = sp->words;
    for (uint32_t c = 0; c < sp->num_columns; c++, bits += words) {
        __m512i acc = _mm512_setzero_si512();
        for (uint32_t w = 0; w < words; w += 8) {
            __mmask8 m =
                (__mmask8)(words - w >= 8 ? 0xffu : (1u << (words - w)) - 1);
            __m512i x = _mm512_and_si512(_mm512_maskz_loadu_epi64(m, bits + w),
                                         _mm512_maskz_loadu_epi64(m, in + w));
            acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
        }
        sp->overlaps[c] = (uint32_t)_mm512_reduce_add_epi64(acc);
    }
}

__attribute__((target("avx2"))) static void overlaps_avx2(nupic_sp *sp) {
    const uint64_t *in = sp->input_bits, *bits = sp->connected;
    const uint32_t words = sp->words, words4 = words & ~3u;
    const __m256i table =
        _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1,
                         1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0f);
    for (uint32_t c = 0; c < sp->num_columns; c++, bits += words) {
        __m256i acc = _mm256_setzero_si256();
        uint32_t w = 0;
        for (; w < words4; w += 4) {
            __m256i x = _mm256_and_si256(
                _mm256_loadu_si256((const __m256i *)(bits + w)),
                _mm256_loadu_si256((const __m256i *)(in + w)));
            __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(x, low));
            __m256i hi = _mm256_shuffle_epi8(
                table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low));
            acc =
                _mm256_add_epi64(acc, _mm256_sad_epu8(_mm256_add_epi8(lo, hi),
                                                      _mm256_setzero_si256()));
        }
        uint64_t q[4];
        _mm256_storeu_si256((__m256i *)q, acc);
        uint64_t n = q[0] + q[1] + q[2] + q[3];
        for (; w < words; w++) {
            uint64_t x = bits[w] & in[w];
            x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
            x = (x & UINT64_C(0x3333333333333333)) +
                ((x >> 2) & UINT64_C(0x3333333333333333));
            x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
            n += (x * UINT64_C(0x0101010101010101)) >> 56;
        }
        sp->overlaps[c] = (uint32_t)n;
    }
}
#endif

static void calculate_overlaps(nupic_sp *sp) {
#if defined(SP_X86_KERNELS)
    static void (*kernel)(nupic_sp *);
    void (*k)(nupic_sp *) = __atomic_load_n(&kernel, __ATOMIC_RELAXED);
    if (k == NULL) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512vpopcntdq"))
            k = overlaps_avx512;
        else if (__builtin_cpu_supports("avx2"))
            k = overlaps_avx2;
        else
            k = overlaps_scalar;
        __atomic_store_n(&kernel, k, __ATOMIC_RELAXED);
    }
    k(sp);
#else
    overlaps_scalar(sp);
#endif
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* inhibitColumnsGlobal_: the k best scores among those at or above the
 * stimulus threshold, a higher index winning a tie. */
static nupic_status inhibit_global(nupic_sp *sp, float density, bool integral,
                                   nupic_error *err) {
    uint32_t k = (uint32_t)(density * (float)sp->num_columns);
    if (k == 0)
        return bad(err, "not enough columns (%u) for the desired density %g",
                   sp->num_columns, (double)density);
    const float *s = sp->boosted;
    const float stim = (float)sp->stimulus_threshold;
    uint32_t n = 0;
    if (integral) {
        /* Scores are the overlaps themselves: count them, find the score t
         * at which the k-th winner lies, take everything above t and the
         * highest indices at t. */
        uint32_t maxv = sp->num_inputs + 1;
        memset(sp->counts, 0, (size_t)(maxv + 1) * sizeof *sp->counts);
        uint32_t eligible = 0;
        for (uint32_t c = 0; c < sp->num_columns; c++)
            if (s[c] >= stim) {
                sp->counts[sp->overlaps[c]]++;
                eligible++;
            }
        if (eligible <= k) {
            for (uint32_t c = 0; c < sp->num_columns; c++)
                if (s[c] >= stim) sp->active[n++] = c;
            sp->num_active = n;
            return NUPIC_OK;
        }
        uint32_t above = 0, t = maxv;
        while (above + sp->counts[t] < k)
            above += sp->counts[t--];
        uint32_t at_t = k - above;
        for (uint32_t c = sp->num_columns; c-- > 0;) {
            if (!(s[c] >= stim)) continue;
            if (sp->overlaps[c] > t) {
                sp->active[n++] = c;
            } else if (sp->overlaps[c] == t && at_t > 0) {
                sp->active[n++] = c;
                at_t--;
            }
        }
    } else {
        /* Boosted scores: nupic.core's winner list itself (isWinner_,
         * addToWinners_), kept to its first k entries - an entry pushed
         * below them never rises again - so ties, NaN and all behave as
         * there. */
        uint32_t w = 0;
        for (uint32_t c = 0; c < sp->num_columns; c++) {
            float score = s[c];
            if (score < stim) continue;
            if (w >= k && !(score >= sp->scores[k - 1])) continue;
            uint32_t p = 0;
            while (p < w && !(score >= sp->scores[p]))
                p++;
            if (p >= k) continue;
            uint32_t moved = (w < k ? w : k - 1) - p;
            memmove(sp->scores + p + 1, sp->scores + p, moved * sizeof(float));
            memmove(sp->active + p + 1, sp->active + p,
                    moved * sizeof(uint32_t));
            sp->scores[p] = score;
            sp->active[p] = c;
            if (w < k) w++;
        }
        n = w;
    }
    qsort(sp->active, n, sizeof *sp->active, cmp_u32);
    sp->num_active = n;
    return NUPIC_OK;
}

/* inhibitColumnsLocal_: a column wins when fewer of its neighbours than its
 * share beat it; a neighbour with an equal score beats it only if it is
 * already active (lower indices win ties). */
static void inhibit_local(nupic_sp *sp, float density) {
    const float *s = sp->boosted;
    const float stim = (float)sp->stimulus_threshold;
    memset(sp->active_dense, 0, sp->num_columns);
    uint32_t n = 0;
    for (uint32_t c = 0; c < sp->num_columns; c++) {
        if (!(s[c] >= stim)) continue;
        /* The neighbourhood holds c itself once: its difference is 0 and
         * it is not active yet, so it never counts as bigger. */
        const float sc = s[c];
        uint32_t count = 0, bigger = 0, runs = neighbor_runs(sp, c);
        for (uint32_t r = 0; r < runs; r++) {
            const float *sr = s + sp->run_start[r];
            const uint8_t *ar = sp->active_dense + sp->run_start[r];
            const uint32_t len = sp->run_len[r];
            for (uint32_t k = 0; k < len; k++) {
                float diff = sr[k] - sc;
                bigger += (uint32_t)((diff > 0) | ((diff == 0) & (ar[k] != 0)));
            }
            count += len;
        }
        const uint32_t neighbours = count - 1;
        uint32_t num_active =
            (uint32_t)(0.5 + (double)(density * (float)(neighbours + 1)));
        if (bigger < num_active) {
            sp->active[n++] = c;
            sp->active_dense[c] = 1;
        }
    }
    sp->num_active = n;
}

/* Column c's pool as a bitset over the inputs, with ranks. */
static void index_pool(nupic_sp *sp, uint32_t c) {
    uint64_t *bits = sp->pool_bits + (size_t)c * sp->words;
    uint32_t *rank = sp->pool_rank + (size_t)c * sp->words;
    memset(bits, 0, sp->words * sizeof *bits);
    const uint32_t *idx = sp->pool + sp->pool_start[c];
    uint32_t n = sp->pool_start[c + 1] - sp->pool_start[c];
    if (n > 0) {
        /* The pool is ascending: build each word in a register. */
        uint32_t cur = idx[0] >> 6;
        uint64_t acc = 0;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t w = idx[k] >> 6;
            if (w != cur) {
                bits[cur] = acc;
                acc = 0;
                cur = w;
            }
            acc |= UINT64_C(1) << (idx[k] & 63);
        }
        bits[cur] = acc;
    }
    uint32_t r = 0;
    for (uint32_t w = 0; w < sp->words; w++) {
        rank[w] = r;
        r += (uint32_t)__builtin_popcountll(bits[w]);
    }
}

/* The value and connected flag of a permanence p changed by d, through
 * raising (clip to [min, max]), the connected test and the final clip, as
 * update_column does them. */
static inline float settle(const nupic_sp *sp, float p, float d,
                           uint8_t *flag) {
    float v = p + d;
    v = v > sp->syn_perm_max ? sp->syn_perm_max : v;
    v = v < sp->syn_perm_min ? sp->syn_perm_min : v;
    *flag = v >= sp->connected_threshold;
    v = v > sp->syn_perm_max ? sp->syn_perm_max : v;
    v = v < sp->syn_perm_trim_threshold ? sp->syn_perm_min : v;
    return fabsf(v) <= SPARSE_EPSILON ? 0.0f : v;
}

/* Whether "connected" equals "stored permanence >= threshold" for every
 * value update_column can store: the threshold lies above min and trim and
 * not above max (always, for parameters nupic.core accepts). */
static bool flags_follow_values(const nupic_sp *sp) {
    const float thr = sp->connected_threshold;
    return sp->syn_perm_min < thr && sp->syn_perm_trim_threshold < thr &&
           thr <= sp->syn_perm_max && thr > SPARSE_EPSILON;
}

/* adaptSynapses_ for one column, when stimulusThreshold is 0 and
 * flags_follow_values(): every pool synapse as if its input were inactive,
 * in a vector loop; then the few on active inputs, exactly, from their old
 * values; then the connected bitset: rebuilt from the values by
 * sps_connected when `rebuild`, else updated where a value crossed the
 * threshold.  The next column's row, next_bytes at next, is prefetched on
 * the way. */
static inline __attribute__((always_inline)) void
adapt_column(nupic_sp *sp, uint32_t c, const char *next, size_t next_bytes,
             bool rebuild) {
    uint32_t start = sp->pool_start[c], n = sp->pool_start[c + 1] - start;
    float *restrict perm = sp->perm + start;
    float *restrict olds = sp->tmp; /* the old values at apos[] */
    uint32_t *restrict apos = sp->apos;
    const uint64_t *pbits = sp->pool_bits + (size_t)c * sp->words;
    const uint32_t *prank = sp->pool_rank + (size_t)c * sp->words;
    const uint32_t *restrict ain = sp->active_inputs;
    const uint32_t nin = sp->num_active_inputs;
    /* Where the active inputs sit in the pool (rank queries). */
    uint32_t na = 0;
    for (uint32_t j = 0; j < nin; j++) {
        uint32_t i = ain[j], w = i >> 6;
        uint64_t below = (UINT64_C(1) << (i & 63)) - 1;
        if (!((pbits[w] >> (i & 63)) & 1)) continue;
        apos[na] = prank[w] + (uint32_t)__builtin_popcountll(pbits[w] & below);
        olds[na] = perm[apos[na]];
        na++;
    }
    const float dec = -1.0f * sp->syn_perm_inactive_dec;
    const float max = sp->syn_perm_max, min = sp->syn_perm_min;
    const float trim = sp->syn_perm_trim_threshold;
    const float thr = sp->connected_threshold;
    uint64_t *bits = sp->connected + (size_t)c * sp->words;
    const uint32_t *restrict idx = sp->pool + start;
    int32_t count = (int32_t)sp->connected_counts[c];
    uint32_t k0 = 0;
#if defined(__GNUC__) || defined(__clang__)
    /* Eight lanes at a time (GCC vector extensions: AVX2 where the CPU has
     * it, SSE pairs otherwise); each ?: of the scalar loop is a compare and
     * a bitwise select, so every value (NaN included) comes out as there.
     * A block where a value crossed the threshold updates its bits. */
    const v8f vdec = {dec, dec, dec, dec, dec, dec, dec, dec};
    const v8f vmax = {max, max, max, max, max, max, max, max};
    const v8f vmin = {min, min, min, min, min, min, min, min};
    const v8f vtrim = {trim, trim, trim, trim, trim, trim, trim, trim};
    const v8f vthr = {thr, thr, thr, thr, thr, thr, thr, thr};
    const float e = SPARSE_EPSILON;
    const v8f veps = {e, e, e, e, e, e, e, e};
    for (; k0 + 8 <= n; k0 += 8) {
        /* A line of the next row per line of this one. */
        if ((k0 & 15) == 0 && (size_t)k0 * sizeof *perm < next_bytes)
            __builtin_prefetch(next + (size_t)k0 * sizeof *perm, 1);
        v8f old, v;
        memcpy(&old, perm + k0, sizeof old);
        v = old + vdec;
        v = SELECT8(v > vmax, vmax, v);
        v = SELECT8(v < vmin, vmin, v);
        v = SELECT8(v > vmax, vmax, v);
        v = SELECT8(v < vtrim, vmin, v);
        v8f av = (v8f)((v8i)v & 0x7fffffff);
        v = SELECT8(av <= veps, (v8f){0}, v);
        memcpy(perm + k0, &v, sizeof v);
        if (rebuild) continue;
        v8i crossed = (old >= vthr) ^ (v >= vthr);
        uint64_t q[4];
        memcpy(q, &crossed, sizeof q);
        if ((q[0] | q[1] | q[2] | q[3]) == 0) continue;
        for (uint32_t t = 0; t < 8; t++)
            if (crossed[t]) {
                uint32_t i = idx[k0 + t];
                bits[i >> 6] ^= UINT64_C(1) << (i & 63);
                count += v[t] >= thr ? 1 : -1;
            }
    }
#endif
    /* The rest of the next row (all of it without the vector loop). */
    for (size_t off = (size_t)k0 * sizeof *perm; off < next_bytes; off += 64)
        __builtin_prefetch(next + off, 1);
    for (uint32_t k = k0; k < n; k++) {
        const float old = perm[k];
        float v = old + dec;
        v = v > max ? max : v;
        v = v < min ? min : v;
        v = v > max ? max : v;
        v = v < trim ? min : v;
        v = fabsf(v) <= SPARSE_EPSILON ? 0.0f : v;
        perm[k] = v;
        if (!rebuild && (old >= thr) != (v >= thr)) {
            uint32_t i = idx[k];
            bits[i >> 6] ^= UINT64_C(1) << (i & 63);
            count += v >= thr ? 1 : -1;
        }
    }
    /* The synapses on active inputs, exactly, from their old values; their
     * bits as the value computed above left them, corrected to the right
     * one. */
    for (uint32_t j = 0; j < na; j++) {
        uint32_t k = apos[j];
        uint8_t unused;
        float v = settle(sp, olds[j], sp->syn_perm_active_inc, &unused);
        if (!rebuild && (perm[k] >= thr) != (v >= thr)) {
            uint32_t i = idx[k];
            bits[i >> 6] ^= UINT64_C(1) << (i & 63);
            count += v >= thr ? 1 : -1;
        }
        perm[k] = v;
    }
    /* Or all the bits at once from the stored values, which they follow
     * (flags_follow_values): with the kernel, a compare per 16 values and a
     * deposit per word, instead of a test of every block for values that
     * crossed. */
    if (rebuild) {
        rebuild_connected(sp, c, true, sp->ge);
        return;
    }
    sp->connected_counts[c] = (uint32_t)count;
}

/* adaptSynapses_ */
SP_HOT static void adapt_synapses(nupic_sp *sp) {
    if (sp->stimulus_threshold > 0 || !flags_follow_values(sp)) {
        for (uint32_t a = 0; a < sp->num_active; a++)
            update_column(sp, sp->active[a], CHANGE_ADAPT, true);
        return;
    }
    /* This step's active inputs, ascending. */
    uint32_t m = 0;
    for (uint32_t w = 0; w < sp->words; w++)
        for (uint64_t b = sp->input_bits[w]; b; b &= b - 1)
            sp->active_inputs[m++] = w * 64 + (uint32_t)__builtin_ctzll(b);
    sp->num_active_inputs = m;
#ifdef SPS_KERNELS
    const bool rebuild = sps_available();
#else
    const bool rebuild = false;
#endif
    /* The next column's permanences are on their way from memory while
     * this one is adapted: the rows (6.7 MB for sp-hotgym) do not stay in
     * cache. */
    for (uint32_t a = 0; a < sp->num_active; a++) {
        const char *next = NULL;
        size_t next_bytes = 0;
        if (a + 1 < sp->num_active) {
            uint32_t nc = sp->active[a + 1];
            next = (const char *)(sp->perm + sp->pool_start[nc]);
            next_bytes = (size_t)(sp->pool_start[nc + 1] - sp->pool_start[nc]) *
                         sizeof *sp->perm;
        }
        /* (Two calls, so that each inlined copy knows `rebuild`.) */
        if (rebuild)
            adapt_column(sp, sp->active[a], next, next_bytes, true);
        else
            adapt_column(sp, sp->active[a], next, next_bytes, false);
    }
}

/* updateDutyCycles_ */
static void update_duty_cycles(nupic_sp *sp) {
    uint32_t period = sp->duty_cycle_period > sp->iteration_num
                          ? sp->iteration_num
                          : sp->duty_cycle_period;
    const float pm1 = (float)(period - 1), pf = (float)period;
    memset(sp->active_dense, 0, sp->num_columns);
    for (uint32_t a = 0; a < sp->num_active; a++)
        sp->active_dense[sp->active[a]] = 1;
    for (uint32_t c = 0; c < sp->num_columns; c++) {
        float ov = sp->overlaps[c] > 0 ? 1.0f : 0.0f;
        float ac = sp->active_dense[c] ? 1.0f : 0.0f;
        sp->overlap_duty[c] = (sp->overlap_duty[c] * pm1 + ov) / pf;
        sp->active_duty[c] = (sp->active_duty[c] * pm1 + ac) / pf;
    }
}

/* bumpUpWeakColumns_ */
static void bump_up_weak_columns(nupic_sp *sp) {
    for (uint32_t c = 0; c < sp->num_columns; c++)
        if (sp->overlap_duty[c] < sp->min_overlap_duty[c])
            update_column(sp, c, CHANGE_BUMP, false);
}

static nupic_status step(nupic_sp *sp, bool learn, nupic_error *err) {
    /* updateBookeepingVars_ */
    sp->iteration_num++;
    if (learn) sp->iteration_learn_num++;
    calculate_overlaps(sp);
    /* boostOverlaps_ (learning only) */
    if (learn && !sp->boost_all_one) {
        for (uint32_t c = 0; c < sp->num_columns; c++)
            sp->boosted[c] = (float)sp->overlaps[c] * sp->boost[c];
    } else {
        for (uint32_t c = 0; c < sp->num_columns; c++)
            sp->boosted[c] = (float)sp->overlaps[c];
    }
    float density = target_density(sp);
    if (sp->global_inhibition || sp->inhibition_radius > max_column_dim(sp)) {
        /* Without boosting the scores are the overlaps: whole numbers. */
        nupic_status st =
            inhibit_global(sp, density, !learn || sp->boost_all_one, err);
        if (st != NUPIC_OK) return st;
    } else {
        inhibit_local(sp, density);
    }
    if (learn) {
        adapt_synapses(sp);
        update_duty_cycles(sp);
        bump_up_weak_columns(sp);
        update_boost_factors(sp);
        if (sp->iteration_num % sp->update_period == 0) {
            update_inhibition_radius(sp);
            update_min_duty_cycles(sp);
        }
    }
    return NUPIC_OK;
}

nupic_status nupic_sp_compute(nupic_sp *sp, const uint32_t *active_inputs,
                              size_t n, bool learn, uint32_t *active_columns,
                              size_t *num_active, nupic_error *err) {
    memset(sp->input_bits, 0, sp->words * sizeof *sp->input_bits);
    for (size_t k = 0; k < n; k++) {
        uint32_t i = active_inputs[k];
        if (i >= sp->num_inputs || ((sp->input_bits[i >> 6] >> (i & 63)) & 1)) {
            bool repeated = i < sp->num_inputs;
            memset(sp->input_bits, 0, sp->words * sizeof *sp->input_bits);
            return nupic_error_set(
                err, NUPIC_ERR_ARG,
                repeated ? "SpatialPooler.compute: input %u appears twice"
                         : "SpatialPooler.compute: input %u is out of range "
                           "(%u inputs)",
                i, sp->num_inputs);
        }
        sp->input_bits[i >> 6] |= UINT64_C(1) << (i & 63);
    }
    nupic_status st = step(sp, learn, err);
    if (st != NUPIC_OK) return st;
    if (active_columns)
        memcpy(active_columns, sp->active, sp->num_active * sizeof *sp->active);
    if (num_active) *num_active = sp->num_active;
    return NUPIC_OK;
}

nupic_status nupic_sp_compute_dense(nupic_sp *sp, const uint32_t *input,
                                    bool learn, uint32_t *output,
                                    nupic_error *err) {
    memset(sp->input_bits, 0, sp->words * sizeof *sp->input_bits);
    for (uint32_t i = 0; i < sp->num_inputs; i++)
        if (input[i]) sp->input_bits[i >> 6] |= UINT64_C(1) << (i & 63);
    nupic_status st = step(sp, learn, err);
    if (st != NUPIC_OK) return st;
    memset(output, 0, (size_t)sp->num_columns * sizeof *output);
    for (uint32_t a = 0; a < sp->num_active; a++)
        output[sp->active[a]] = 1;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------ */

void nupic_sp_get_params(const nupic_sp *sp, nupic_sp_params *p) {
    memset(p, 0, sizeof *p);
    p->num_dimensions = sp->ndims;
    memcpy(p->input_dimensions, sp->input_dims, sizeof sp->input_dims);
    memcpy(p->column_dimensions, sp->column_dims, sizeof sp->column_dims);
    p->potential_radius = sp->potential_radius;
    p->potential_pct = sp->potential_pct;
    p->global_inhibition = sp->global_inhibition;
    p->local_area_density = sp->local_area_density;
    p->num_active_columns_per_inh_area =
        (int32_t)sp->num_active_columns_per_inh_area;
    p->stimulus_threshold = sp->stimulus_threshold;
    p->syn_perm_inactive_dec = sp->syn_perm_inactive_dec;
    p->syn_perm_active_inc = sp->syn_perm_active_inc;
    p->syn_perm_connected = sp->syn_perm_connected;
    p->min_pct_overlap_duty_cycles = sp->min_pct_overlap_duty_cycles;
    p->duty_cycle_period = sp->duty_cycle_period;
    p->boost_strength = sp->boost_strength;
    p->seed = (int32_t)nupic_random_seed(&sp->rng);
    p->sp_verbosity = sp->sp_verbosity;
    p->wrap_around = sp->wrap_around;
}

uint32_t nupic_sp_num_inputs(const nupic_sp *sp) {
    return sp->num_inputs;
}
uint32_t nupic_sp_num_columns(const nupic_sp *sp) {
    return sp->num_columns;
}
uint32_t nupic_sp_iteration_num(const nupic_sp *sp) {
    return sp->iteration_num;
}
uint32_t nupic_sp_iteration_learn_num(const nupic_sp *sp) {
    return sp->iteration_learn_num;
}
uint32_t nupic_sp_inhibition_radius(const nupic_sp *sp) {
    return sp->inhibition_radius;
}
const uint32_t *nupic_sp_connected_counts(const nupic_sp *sp) {
    return sp->connected_counts;
}
const uint32_t *nupic_sp_overlaps(const nupic_sp *sp) {
    return sp->overlaps;
}
const float *nupic_sp_boosted_overlaps(const nupic_sp *sp) {
    return sp->boosted;
}
const float *nupic_sp_overlap_duty_cycles(const nupic_sp *sp) {
    return sp->overlap_duty;
}
const float *nupic_sp_active_duty_cycles(const nupic_sp *sp) {
    return sp->active_duty;
}
const float *nupic_sp_min_overlap_duty_cycles(const nupic_sp *sp) {
    return sp->min_overlap_duty;
}
const float *nupic_sp_boost_factors(const nupic_sp *sp) {
    return sp->boost;
}
const float *nupic_sp_tie_breaker(const nupic_sp *sp) {
    return sp->tie_breaker;
}

static nupic_status check_column(const nupic_sp *sp, uint32_t c,
                                 const void *dense) {
    if (c >= sp->num_columns || dense == NULL) return NUPIC_ERR_ARG;
    return NUPIC_OK;
}

nupic_status nupic_sp_get_permanence(const nupic_sp *sp, uint32_t c,
                                     float *dense) {
    if (check_column(sp, c, dense)) return NUPIC_ERR_ARG;
    memset(dense, 0, (size_t)sp->num_inputs * sizeof *dense);
    for (uint32_t k = sp->pool_start[c]; k < sp->pool_start[c + 1]; k++)
        dense[sp->pool[k]] = sp->perm[k];
    return NUPIC_OK;
}

nupic_status nupic_sp_get_potential(const nupic_sp *sp, uint32_t c,
                                    uint32_t *dense) {
    if (check_column(sp, c, dense)) return NUPIC_ERR_ARG;
    memset(dense, 0, (size_t)sp->num_inputs * sizeof *dense);
    for (uint32_t k = sp->pool_start[c]; k < sp->pool_start[c + 1]; k++)
        dense[sp->pool[k]] = 1;
    return NUPIC_OK;
}

nupic_status nupic_sp_get_connected(const nupic_sp *sp, uint32_t c,
                                    uint32_t *dense) {
    if (check_column(sp, c, dense)) return NUPIC_ERR_ARG;
    const uint64_t *bits = sp->connected + (size_t)c * sp->words;
    for (uint32_t i = 0; i < sp->num_inputs; i++)
        dense[i] = (uint32_t)((bits[i >> 6] >> (i & 63)) & 1);
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Equality
 * ------------------------------------------------------------------------ */

static bool same_floats(const float *a, const float *b, size_t n, size_t *at) {
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof(float)) != 0) {
            *at = i;
            return false;
        }
    return true;
}

#define DIFF(...)                                                              \
    do {                                                                       \
        if (diff && diff_size) snprintf(diff, diff_size, __VA_ARGS__);         \
        return false;                                                          \
    } while (0)

bool nupic_sp_equal(const nupic_sp *a, const nupic_sp *b, char *diff,
                    size_t diff_size) {
    if (diff && diff_size) diff[0] = '\0';
#define SAME_U(f)                                                              \
    if (a->f != b->f)                                                          \
    DIFF(#f ": %llu != %llu", (unsigned long long)a->f,                        \
         (unsigned long long)b->f)
#define SAME_F(f)                                                              \
    if (memcmp(&a->f, &b->f, sizeof(float)) != 0)                              \
    DIFF(#f ": %.9g != %.9g", (double)a->f, (double)b->f)
    SAME_U(ndims);
    SAME_U(num_inputs);
    SAME_U(num_columns);
    for (uint32_t i = 0; i < a->ndims; i++) {
        SAME_U(input_dims[i]);
        SAME_U(column_dims[i]);
    }
    SAME_U(potential_radius);
    SAME_F(potential_pct);
    SAME_U(global_inhibition);
    SAME_U(num_active_columns_per_inh_area);
    SAME_F(local_area_density);
    SAME_U(stimulus_threshold);
    SAME_F(syn_perm_inactive_dec);
    SAME_F(syn_perm_active_inc);
    SAME_F(syn_perm_below_stimulus_inc);
    SAME_F(syn_perm_connected);
    SAME_F(min_pct_overlap_duty_cycles);
    SAME_F(min_pct_active_duty_cycles);
    SAME_U(duty_cycle_period);
    SAME_F(boost_strength);
    SAME_U(sp_verbosity);
    SAME_U(wrap_around);
    SAME_F(syn_perm_min);
    SAME_F(syn_perm_max);
    SAME_F(syn_perm_trim_threshold);
    SAME_U(update_period);
    SAME_U(version);
    SAME_U(iteration_num);
    SAME_U(iteration_learn_num);
    SAME_U(inhibition_radius);
#undef SAME_U
#undef SAME_F
    if (!nupic_random_equal(&a->rng, &b->rng)) DIFF("random: states differ");
    for (uint32_t c = 0; c < a->num_columns; c++) {
        uint32_t na = a->pool_start[c + 1] - a->pool_start[c];
        uint32_t nb = b->pool_start[c + 1] - b->pool_start[c];
        if (na != nb)
            DIFF("potentialPools: column %u has %u and %u inputs", c, na, nb);
        const uint32_t *pa = a->pool + a->pool_start[c],
                       *pb = b->pool + b->pool_start[c];
        if (memcmp(pa, pb, na * sizeof *pa) != 0)
            DIFF("potentialPools: column %u differs", c);
        size_t at;
        if (!same_floats(a->perm + a->pool_start[c], b->perm + b->pool_start[c],
                         na, &at))
            DIFF("permanences: column %u input %u: %.9g != %.9g", c, pa[at],
                 (double)a->perm[a->pool_start[c] + at],
                 (double)b->perm[b->pool_start[c] + at]);
        if (a->connected_counts[c] != b->connected_counts[c])
            DIFF("connected counts: column %u: %u != %u", c,
                 a->connected_counts[c], b->connected_counts[c]);
        if (memcmp(a->connected + (size_t)c * a->words,
                   b->connected + (size_t)c * b->words,
                   a->words * sizeof(uint64_t)) != 0)
            DIFF("connected synapses: column %u differs", c);
    }
    const struct {
        const char *name;
        const float *x, *y;
    } lists[] = {
        {"tieBreaker", a->tie_breaker, b->tie_breaker},
        {"overlapDutyCycles", a->overlap_duty, b->overlap_duty},
        {"activeDutyCycles", a->active_duty, b->active_duty},
        {"minOverlapDutyCycles", a->min_overlap_duty, b->min_overlap_duty},
        {"boostFactors", a->boost, b->boost}};
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        size_t at;
        if (!same_floats(lists[l].x, lists[l].y, a->num_columns, &at))
            DIFF("%s[%zu]: %.9g != %.9g", lists[l].name, at,
                 (double)lists[l].x[at], (double)lists[l].y[at]);
    }
    return true;
}
#undef DIFF

/* ------------------------------------------------------------------------
 * Writing (nupic.core's SpatialPooler::write)
 * ------------------------------------------------------------------------ */

static uint64_t message_words(const nupic_sp *sp) {
    uint64_t synapses = sp->pool_start[sp->num_columns];
    uint64_t cols = sp->num_columns;
    return 128 + synapses / 2 + cols * 2 /* pools: pointers + padding */
           + synapses + cols * 2 + 1     /* permanences */
           + 5 * (cols / 2 + 1);         /* float lists */
}

nupic_status nupic_sp_write(const nupic_sp *sp, SpatialPoolerProto_B b,
                            nupic_error *err) {
    nupic_status st =
        nupic_random_write(&sp->rng, SpatialPoolerProto_init_random(b), err);
    if (st != NUPIC_OK) return st;
    SpatialPoolerProto_set_numInputs(b, sp->num_inputs);
    SpatialPoolerProto_set_numColumns(b, sp->num_columns);
    SpatialPoolerProto_set_columnDimensions(b, sp->column_dims, sp->ndims);
    SpatialPoolerProto_set_inputDimensions(b, sp->input_dims, sp->ndims);
    SpatialPoolerProto_set_potentialRadius(b, sp->potential_radius);
    SpatialPoolerProto_set_potentialPct(b, sp->potential_pct);
    SpatialPoolerProto_set_inhibitionRadius(b, sp->inhibition_radius);
    SpatialPoolerProto_set_globalInhibition(b, sp->global_inhibition);
    SpatialPoolerProto_set_numActiveColumnsPerInhArea(
        b, sp->num_active_columns_per_inh_area);
    SpatialPoolerProto_set_localAreaDensity(b, sp->local_area_density);
    SpatialPoolerProto_set_stimulusThreshold(b, sp->stimulus_threshold);
    SpatialPoolerProto_set_synPermInactiveDec(b, sp->syn_perm_inactive_dec);
    SpatialPoolerProto_set_synPermActiveInc(b, sp->syn_perm_active_inc);
    SpatialPoolerProto_set_synPermBelowStimulusInc(
        b, sp->syn_perm_below_stimulus_inc);
    SpatialPoolerProto_set_synPermConnected(b, sp->syn_perm_connected);
    SpatialPoolerProto_set_minPctOverlapDutyCycles(
        b, sp->min_pct_overlap_duty_cycles);
    SpatialPoolerProto_set_minPctActiveDutyCycles(
        b, sp->min_pct_active_duty_cycles);
    SpatialPoolerProto_set_dutyCyclePeriod(b, (uint16_t)sp->duty_cycle_period);
    SpatialPoolerProto_set_boostStrength(b, sp->boost_strength);
    SpatialPoolerProto_set_wrapAround(b, sp->wrap_around);
    SpatialPoolerProto_set_spVerbosity(b, (uint8_t)sp->sp_verbosity);
    SpatialPoolerProto_set_synPermMin(b, sp->syn_perm_min);
    SpatialPoolerProto_set_synPermMax(b, sp->syn_perm_max);
    SpatialPoolerProto_set_synPermTrimThreshold(b, sp->syn_perm_trim_threshold);
    SpatialPoolerProto_set_updatePeriod(b, (uint16_t)sp->update_period);
    SpatialPoolerProto_set_version(b, (uint16_t)sp->version);
    SpatialPoolerProto_set_iterationNum(b, sp->iteration_num);
    SpatialPoolerProto_set_iterationLearnNum(b, sp->iteration_learn_num);

    SparseBinaryMatrixProto_B pools = SpatialPoolerProto_init_potentialPools(b);
    SparseBinaryMatrixProto_set_numRows(pools, sp->num_columns);
    SparseBinaryMatrixProto_set_numColumns(pools, sp->num_inputs);
    ncp_blist rows =
        SparseBinaryMatrixProto_init_indices(pools, sp->num_columns);
    for (uint32_t c = 0; c < sp->num_columns; c++)
        ncp_bptr_init_list_from(ncp_blist_ptr(&rows, c), NCP_ELEM_4BYTES,
                                sp->pool_start[c + 1] - sp->pool_start[c],
                                sp->pool + sp->pool_start[c]);

    SparseMatrixProto_B perms = SpatialPoolerProto_init_permanences(b);
    SparseMatrixProto_set_numRows(perms, sp->num_columns);
    SparseMatrixProto_set_numColumns(perms, sp->num_inputs);
    SparseFloatList_BList prow =
        SparseMatrixProto_init_rows(perms, sp->num_columns);
#ifdef SPS_KERNELS
    const bool simd = sps_available();
#endif
    for (uint32_t c = 0; c < sp->num_columns; c++) {
        uint32_t start = sp->pool_start[c], end = sp->pool_start[c + 1], nz = 0;
#ifdef SPS_KERNELS
        if (simd) {
            nz = sps_count_nonzero(sp->perm + start, end - start);
            SparseFloat_BList vals = SparseFloatList_init_values_unzeroed(
                SparseFloatList_BList_get(prow, c), nz);
            if (vals.l.start != NULL && vals.l.step_bits == 64)
                sps_join(sp->pool + start, sp->perm + start, end - start,
                         vals.l.start);
            continue;
        }
#endif
        for (uint32_t k = start; k < end; k++)
            nz += sp->perm[k] != 0.0f;
        SparseFloat_BList vals =
            SparseFloatList_init_values(SparseFloatList_BList_get(prow, c), nz);
        /* Each SparseFloat is one data word: the index in bits 0-31, the
         * value's bits in 32-63. */
        uint8_t *dst = vals.l.start;
        if (dst == NULL) continue; /* the builder failed: reported below */
        for (uint32_t k = start; k < end; k++) {
            if (sp->perm[k] == 0.0f) continue;
            ncp_store64(dst, (uint64_t)sp->pool[k] |
                                 (uint64_t)ncp_f32_to_bits(sp->perm[k]) << 32);
            dst += 8;
        }
    }
    SpatialPoolerProto_set_tieBreaker(b, sp->tie_breaker, sp->num_columns);
    SpatialPoolerProto_set_overlapDutyCycles(b, sp->overlap_duty,
                                             sp->num_columns);
    SpatialPoolerProto_set_activeDutyCycles(b, sp->active_duty,
                                            sp->num_columns);
    SpatialPoolerProto_set_minOverlapDutyCycles(b, sp->min_overlap_duty,
                                                sp->num_columns);
    SpatialPoolerProto_set_boostFactors(b, sp->boost, sp->num_columns);
    if (ncp_builder_status(b.s.b) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_builder_error(b.s.b));
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Reading (nupic.core's SpatialPooler::read, checking every value)
 * ------------------------------------------------------------------------ */

#define FMT(...)                                                               \
    nupic_error_set(err, NUPIC_ERR_FORMAT, "SpatialPoolerProto." __VA_ARGS__)

static nupic_status read_dims(ncp_list l, const char *name, uint32_t *dims,
                              uint32_t *ndims, uint32_t product,
                              nupic_error *err) {
    uint32_t n = ncp_list_len(&l);
    if (n < 1 || n > NUPIC_SP_MAX_DIMS)
        return FMT("%s: %u dimensions (1 to %d supported)", name, n,
                   NUPIC_SP_MAX_DIMS);
    ncp_list_get_u32s(&l, 0, n, dims);
    for (uint32_t i = 0; i < n; i++)
        if (dims[i] == 0) return FMT("%s[%u] is 0", name, i);
    if (dims_product(dims, n) != product)
        return FMT("%s: the dimensions' product is not %u", name, product);
    *ndims = n;
    return NUPIC_OK;
}

static nupic_status check_list_len(ncp_list l, const char *name, uint32_t n,
                                   nupic_error *err) {
    if (ncp_list_len(&l) != n)
        return FMT("%s: %u values, expected one per column (%u)", name,
                   ncp_list_len(&l), n);
    return NUPIC_OK;
}

static nupic_status read_float_list(ncp_list l, const char *name, float *dst,
                                    uint32_t n, nupic_error *err) {
    nupic_status st = check_list_len(l, name, n, err);
    if (st != NUPIC_OK) return st;
    ncp_list_get_f32s(&l, 0, n, dst);
    for (uint32_t i = 0; i < n; i++)
        if (!isfinite(dst[i]))
            return FMT("%s[%u] is %g, not a finite number", name, i,
                       (double)dst[i]);
    return NUPIC_OK;
}

/* Scratch for reading pools and permanences with the AVX-512 kernels;
 * simd is false (and the buffers NULL) where they do not run. */
typedef struct {
    bool simd;
    uint32_t *idx;      /* a row's indices (numInputs) */
    float *val;         /* a row's values (numInputs + 16) */
    uint8_t *bytes;     /* 64 * words */
    uint64_t *row_bits; /* words */
    uint64_t *present;  /* words + 1 */
    uint64_t *ge;       /* words + 2: sps_connected's */
#ifdef SPS_KERNELS
    sps_clip clip; /* settle_read's clip and threshold, for sps_place */
#endif
} read_scratch;

static void scratch_free(read_scratch *s) {
    free(s->idx);
    free(s->val);
    free(s->bytes);
    free(s->row_bits);
    free(s->present);
    free(s->ge);
}

static nupic_status scratch_init(read_scratch *s, const nupic_sp *sp,
                                 nupic_error *err) {
    memset(s, 0, sizeof *s);
#ifdef SPS_KERNELS
    if (!sps_available()) return NUPIC_OK;
    size_t words = sp->words;
    s->idx = malloc((size_t)sp->num_inputs * sizeof *s->idx);
    s->val = calloc((size_t)sp->num_inputs + 16, sizeof *s->val);
    s->bytes = malloc(words * 64);
    s->row_bits = malloc(words * sizeof *s->row_bits);
    s->present = malloc((words + 1) * sizeof *s->present);
    s->ge = calloc(words + 2, sizeof *s->ge);
    if (!s->idx || !s->val || !s->bytes || !s->row_bits || !s->present ||
        !s->ge) {
        scratch_free(s);
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "SpatialPooler: out of memory for reading");
    }
    s->simd = true;
    s->clip = (sps_clip){sp->syn_perm_max, sp->syn_perm_min,
                         sp->syn_perm_trim_threshold, SPARSE_EPSILON,
                         sp->connected_threshold};
#else
    (void)sp;
    (void)err;
#endif
    return NUPIC_OK;
}

/* The first position in idx[0..n) that is >= limit or not above the one
 * before; n if none. */
static uint32_t check_sorted(const read_scratch *s, const uint32_t *idx,
                             uint32_t n, uint32_t limit) {
#ifdef SPS_KERNELS
    if (s->simd) return sps_check_sorted(idx, n, limit);
#else
    (void)s;
#endif
    for (uint32_t k = 0; k < n; k++)
        if (idx[k] >= limit || (k > 0 && idx[k] <= idx[k - 1])) return k;
    return n;
}

/* The sizes of the matrices and lists, which must hold one row or value per
 * column: checked before anything is allocated for the numColumns that
 * the message claims. */
static nupic_status check_shapes(const nupic_sp *sp, SpatialPoolerProto_R r,
                                 nupic_error *err) {
    SparseBinaryMatrixProto_R pp = SpatialPoolerProto_get_potentialPools(r);
    if (SparseBinaryMatrixProto_get_numRows(pp) != sp->num_columns ||
        SparseBinaryMatrixProto_get_numColumns(pp) != sp->num_inputs)
        return FMT("potentialPools: %u x %u, expected %u x %u",
                   SparseBinaryMatrixProto_get_numRows(pp),
                   SparseBinaryMatrixProto_get_numColumns(pp), sp->num_columns,
                   sp->num_inputs);
    ncp_list rows = SparseBinaryMatrixProto_get_indices(pp);
    if (ncp_list_len(&rows) != sp->num_columns)
        return FMT("potentialPools.indices: %u rows, expected %u",
                   ncp_list_len(&rows), sp->num_columns);
    SparseMatrixProto_R pm = SpatialPoolerProto_get_permanences(r);
    if (SparseMatrixProto_get_numRows(pm) != sp->num_columns ||
        SparseMatrixProto_get_numColumns(pm) != sp->num_inputs)
        return FMT("permanences: %u x %u, expected %u x %u",
                   SparseMatrixProto_get_numRows(pm),
                   SparseMatrixProto_get_numColumns(pm), sp->num_columns,
                   sp->num_inputs);
    SparseFloatList_RList prows = SparseMatrixProto_get_rows(pm);
    if (SparseFloatList_RList_len(prows) != sp->num_columns)
        return FMT("permanences.rows: %u rows, expected %u",
                   SparseFloatList_RList_len(prows), sp->num_columns);
    const struct {
        const char *name;
        ncp_list l;
    } lists[] = {
        {"tieBreaker", SpatialPoolerProto_get_tieBreaker(r)},
        {"overlapDutyCycles", SpatialPoolerProto_get_overlapDutyCycles(r)},
        {"activeDutyCycles", SpatialPoolerProto_get_activeDutyCycles(r)},
        {"minOverlapDutyCycles",
         SpatialPoolerProto_get_minOverlapDutyCycles(r)},
        {"boostFactors", SpatialPoolerProto_get_boostFactors(r)}};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        nupic_status st =
            check_list_len(lists[i].l, lists[i].name, sp->num_columns, err);
        if (st != NUPIC_OK) return st;
    }
    return NUPIC_OK;
}

/* The error for a permanence row's entry j (index idx, value v, after
 * prev): out of range, out of order or not finite. */
static nupic_status perm_entry_error(uint32_t c, uint32_t j, uint32_t idx,
                                     uint32_t prev, float v,
                                     uint32_t num_inputs, nupic_error *err) {
    if (idx >= num_inputs)
        return FMT("permanences: row %u index %u exceeds numInputs %u", c, idx,
                   num_inputs);
    if (j > 0 && idx <= prev)
        return FMT("permanences: row %u is not in ascending order (%u after "
                   "%u)",
                   c, idx, prev);
    return FMT("permanences: row %u input %u is %g, not a finite number", c,
               idx, (double)v);
}

static nupic_status perm_pool_error(uint32_t c, uint32_t idx,
                                    nupic_error *err) {
    return FMT("permanences: row %u has a permanence for input %u, which is "
               "not in its potential pool",
               c, idx);
}

/* One row of permanences into column c's pool-aligned values, settled
 * (settle_read), in two passes: every entry's index and value checked
 * (range, order, finite), then each placed at its input's rank in the pool
 * (an input outside the pool is an error).  SparseFloat elements are read
 * straight from their words when the encoding is the usual one (one data
 * word: index in bits 0-31, value in 32-63); then the AVX-512 kernels
 * check, place and settle in one pass over a good row. */
static inline __attribute__((always_inline)) nupic_status
read_perm_row(nupic_sp *sp, uint32_t c, SparseFloat_RList vals,
              const read_scratch *s, nupic_error *err) {
    uint32_t n = SparseFloat_RList_len(vals);
    uint32_t start = sp->pool_start[c], end = sp->pool_start[c + 1];
    if (n > end - start)
        return FMT("permanences: row %u has %u values, more than its "
                   "potential pool (%u)",
                   c, n, end - start);
    const uint64_t *pbits = sp->pool_bits + (size_t)c * sp->words;
    const uint32_t *prank = sp->pool_rank + (size_t)c * sp->words;
    const bool raw = vals.l.data_bits >= 64;
    const uint8_t *base = vals.l.start;
    const uint32_t step = vals.l.step_bits / 8;
#ifdef SPS_KERNELS
    if (s->simd && raw && step == 8) {
        /* A merge with the pool when the row is good; the error is found
         * below otherwise. */
        if (sps_place(base, n, sp->pool + start, end - start, &s->clip,
                      sp->perm + start, s->ge)) {
            sp->connected_counts[c] =
                sps_connected_ge(s->ge, pbits, prank, sp->words,
                                 sp->connected + (size_t)c * sp->words);
            return NUPIC_OK;
        }
        uint32_t j = sps_split(base, n, sp->num_inputs, s->idx, s->val);
        if (j < n) {
            uint64_t word = ncp_load64(base + (size_t)j * 8);
            uint32_t prev =
                j > 0 ? (uint32_t)ncp_load64(base + (size_t)(j - 1) * 8) : 0;
            return perm_entry_error(c, j, (uint32_t)word, prev,
                                    ncp_f32_from_bits((uint32_t)(word >> 32)),
                                    sp->num_inputs, err);
        }
        sps_bitset(s->idx, n, s->row_bits, NULL, sp->words, s->bytes);
        for (uint32_t w = 0; w < sp->words; w++) {
            uint64_t out = s->row_bits[w] & ~pbits[w];
            if (out)
                return perm_pool_error(
                    c, w * 64 + (uint32_t)__builtin_ctzll(out), err);
        }
        sps_presence(s->row_bits, pbits, prank, sp->words, end - start,
                     s->present);
        sps_expand(s->val, s->present, end - start, sp->perm + start);
        settle_read(sp, c, true, s->ge);
        return NUPIC_OK;
    }
#else
    (void)s;
#endif
    uint32_t prev = 0;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t idx;
        float v;
        if (raw) {
            uint64_t word = ncp_load64(base + (size_t)j * step);
            idx = (uint32_t)word;
            v = ncp_f32_from_bits((uint32_t)(word >> 32));
        } else {
            SparseFloat_R e = SparseFloat_RList_get(vals, j);
            idx = SparseFloat_get_index(e);
            v = SparseFloat_get_value(e);
        }
        if (idx >= sp->num_inputs || (j > 0 && idx <= prev) || !isfinite(v))
            return perm_entry_error(c, j, idx, prev, v, sp->num_inputs, err);
        prev = idx;
    }
    memset(sp->perm + start, 0, (size_t)(end - start) * sizeof(float));
    for (uint32_t j = 0; j < n; j++) {
        uint32_t idx;
        float v;
        if (raw) {
            uint64_t word = ncp_load64(base + (size_t)j * step);
            idx = (uint32_t)word;
            v = ncp_f32_from_bits((uint32_t)(word >> 32));
        } else {
            SparseFloat_R e = SparseFloat_RList_get(vals, j);
            idx = SparseFloat_get_index(e);
            v = SparseFloat_get_value(e);
        }
        uint32_t w = idx >> 6;
        uint64_t word = pbits[w];
        if (!((word >> (idx & 63)) & 1)) return perm_pool_error(c, idx, err);
        sp->perm[start + prank[w] +
                 (uint32_t)__builtin_popcountll(
                     word & ((UINT64_C(1) << (idx & 63)) - 1))] = v;
    }
    settle_read(sp, c, s->simd, s->ge);
    return NUPIC_OK;
}

/* Room for the pools, from the lengths their pointers declare: each at most
 * numInputs, and all together at most what the message can hold (two 4-byte
 * entries a word).  Exact for the messages nupic-c and nupic.core write; a
 * message that holds more (far pointers, shared rows) grows the arrays. */
static size_t pool_hint(const nupic_sp *sp, const ncp_list *rows) {
    uint64_t total = 0;
    for (uint32_t c = 0; c < sp->num_columns; c++) {
        uint32_t n = ncp_ptr_list_len_hint(ncp_list_ptr(rows, c));
        total += n < sp->num_inputs ? n : sp->num_inputs;
    }
    uint64_t most = rows->msg ? ncp_msg_size_words(rows->msg) * 2 : 0;
    if (total > most) total = most;
    return total > 0 ? (size_t)total : 1;
}

/* Column c's pool, whose n entries are at `row`, copied to `used` and
 * checked (in range, ascending, at least stimulusThreshold of them) and
 * indexed; pool_start[c + 1] must be used + n. */
static nupic_status read_pool(nupic_sp *sp, uint32_t c, const ncp_list *row,
                              size_t used, const read_scratch *s,
                              nupic_error *err) {
    uint32_t n = ncp_list_len(row);
    uint32_t *dst = sp->pool + used;
    uint32_t k;
#ifdef SPS_KERNELS
    if (s->simd && row->step_bits == 32) {
        k = sps_copy_sorted(row->start, n, sp->num_inputs, dst);
    } else
#endif
    {
        ncp_list_get_u32s(row, 0, n, dst);
        k = check_sorted(s, dst, n, sp->num_inputs);
    }
    if (k < n) {
        if (dst[k] >= sp->num_inputs)
            return FMT("potentialPools: row %u index %u exceeds numInputs %u",
                       c, dst[k], sp->num_inputs);
        return FMT("potentialPools: row %u is not in ascending order "
                   "(%u after %u)",
                   c, dst[k], dst[k - 1]);
    }
    if (n < sp->stimulus_threshold)
        return FMT("potentialPools: row %u has %u inputs, fewer than "
                   "stimulusThreshold %u",
                   c, n, sp->stimulus_threshold);
#ifdef SPS_KERNELS
    if (s->simd) {
        uint64_t *bits = sp->pool_bits + (size_t)c * sp->words;
        uint32_t *rank = sp->pool_rank + (size_t)c * sp->words;
        sps_bitset(dst, n, bits, rank, sp->words, s->bytes);
        return NUPIC_OK;
    }
#endif
    index_pool(sp, c);
    return NUPIC_OK;
}

/* The pools and the permanences, whose matrices check_shapes() has checked:
 * every pool, then every row of permanences, each read as it is opened, so
 * that a message read on demand is decoded while its bytes are in the cache
 * (the writers put all the pools before all the permanences).  Errors are
 * those of opening every pool (the first pool longer than numInputs ends
 * the reading), then, column by column, of a pool's content, then of the
 * column's permanences: an error in a row of permanences is reported only
 * when all the pools are good, and the rows of permanences are opened up to
 * the first bad pool, so that the message records its errors in the same
 * order as when all the pools were opened first and each row of
 * permanences read with its pool.  Permanence values are clipped as
 * nupic.core stores them, and the connected synapses are those whose
 * stored value reaches the threshold.  (nupic.core compares before
 * clipping; the two agree on every state it writes, whose values are
 * already clipped, and comparing after makes reading a fixed point: a state
 * that reads writes back to itself.) */
SP_HOT static nupic_status read_columns_seq(nupic_sp *sp, ncp_list rows,
                                            SparseFloatList_RList prows,
                                            const read_scratch *s,
                                            nupic_error *err) {
    nupic_status st = reserve_pool(sp, 0, pool_hint(sp, &rows), true, err);
    if (st != NUPIC_OK) return st;
    nupic_error pool_err = {NUPIC_OK, ""};
    uint32_t bad_pool = sp->num_columns; /* the first bad pool's column */
    size_t used = 0;
    for (uint32_t c = 0; c < sp->num_columns; c++) {
        ncp_list row =
            ncp_ptr_list_transient(ncp_list_ptr(&rows, c), NCP_ELEM_4BYTES,
                                   "SpatialPoolerProto.potentialPools.indices");
        uint32_t n = ncp_list_len(&row);
        if (n > sp->num_inputs)
            return FMT("potentialPools: row %u has %u inputs, more than "
                       "numInputs %u",
                       c, n, sp->num_inputs);
        if (bad_pool < sp->num_columns) continue;
        st = reserve_pool(sp, used, n, false, err);
        if (st != NUPIC_OK) return st;
        sp->pool_start[c + 1] = (uint32_t)(used + n);
        if (read_pool(sp, c, &row, used, s, &pool_err) != NUPIC_OK)
            bad_pool = c;
        else
            used += n;
    }
    nupic_error perm_err = {NUPIC_OK, ""};
    nupic_status perm_st = NUPIC_OK;
    for (uint32_t c = 0; c < bad_pool && perm_st == NUPIC_OK; c++) {
        /* SparseFloatList_get_values, transient. */
        SparseFloatList_R prow = SparseFloatList_RList_get(prows, c);
        SparseFloat_RList vals = {ncp_ptr_list_transient(
            ncp_struct_ptr(&prow.s, 0u), NCP_ELEM_COMPOSITE,
            "SparseFloatList.values")};
        perm_st = read_perm_row(sp, c, vals, s, &perm_err);
    }
    if (bad_pool < sp->num_columns)
        return nupic_error_set(err, pool_err.status, "%s", pool_err.message);
    if (perm_st != NUPIC_OK)
        return nupic_error_set(err, perm_st, "%s", perm_err.message);
    return NUPIC_OK;
}

/* ---- reading the columns in two threads ---------------------------------
 * A large state's pools and permanences are decoded by the calling thread
 * and one more, each through its own view of the message (ncp_msg_view):
 * both take blocks of columns in turn from a shared counter, and decode a
 * block's pools, then its permanences, into the arrays, whose places are
 * known beforehand from the lengths the pools' pointers declare.  Nothing
 * is shared but the counter and a flag, so a thread that the machine does
 * not run leaves the blocks to the other.  Only a message that reads
 * without an error takes this path to its end: anything unexpected (an
 * error, a pool longer than its pointer said, the traversal limit) makes
 * the threads stop, and the columns are read again by read_columns_seq in
 * the calling thread, which meets the same error in the same order as
 * always. */

/* Fewest pool entries for two threads (below, starting the thread costs
 * more than it saves), and blocks of columns per state. */
#define PAR_MIN_ENTRIES ((uint64_t)1 << 17)
#define PAR_BLOCKS      32u

typedef struct par_job {
    nupic_sp *sp;
    ncp_list rows;               /* potentialPools.indices (in m) */
    SparseFloatList_RList prows; /* permanences.rows (in m) */
    uint32_t blocks, per_block;
    atomic_uint next;   /* the next block to take */
    atomic_bool failed; /* a thread met something: both stop */
} par_job;

typedef struct par_worker {
    par_job *job;
    ncp_msg *view;
    read_scratch s;
} par_worker;

/* Columns [c0, c1): pools, then permanences, through w's view.  False at
 * the first thing that does not read as it should. */
SP_HOT static bool par_block(par_worker *w, uint32_t c0, uint32_t c1) {
    nupic_sp *sp = w->job->sp;
    ncp_list rows = w->job->rows;
    rows.msg = w->view;
    SparseFloatList_RList prows = w->job->prows;
    prows.l.msg = w->view;
    nupic_error e = {NUPIC_OK, ""};
    ncp_msg_window_until(w->view, ncp_list_ptr(&rows, c1 - 1));
    for (uint32_t c = c0; c < c1; c++) {
        ncp_list row =
            ncp_ptr_list_transient(ncp_list_ptr(&rows, c), NCP_ELEM_4BYTES,
                                   "SpatialPoolerProto.potentialPools.indices");
        uint32_t used = sp->pool_start[c];
        if (ncp_msg_status(w->view) != NCP_OK ||
            ncp_list_len(&row) != sp->pool_start[c + 1] - used ||
            read_pool(sp, c, &row, used, &w->s, &e) != NUPIC_OK)
            return false;
    }
    SparseFloatList_R last = SparseFloatList_RList_get(prows, c1 - 1);
    ncp_msg_window_until(w->view, ncp_struct_ptr(&last.s, 0u));
    for (uint32_t c = c0; c < c1; c++) {
        SparseFloatList_R prow = SparseFloatList_RList_get(prows, c);
        SparseFloat_RList vals = {ncp_ptr_list_transient(
            ncp_struct_ptr(&prow.s, 0u), NCP_ELEM_COMPOSITE,
            "SparseFloatList.values")};
        if (ncp_msg_status(w->view) != NCP_OK ||
            read_perm_row(sp, c, vals, &w->s, &e) != NUPIC_OK)
            return false;
    }
    return ncp_msg_status(w->view) == NCP_OK;
}

static void par_run(par_worker *w) {
    par_job *j = w->job;
    while (!atomic_load_explicit(&j->failed, memory_order_relaxed)) {
        unsigned b =
            atomic_fetch_add_explicit(&j->next, 1u, memory_order_relaxed);
        if (b >= j->blocks) return;
        uint32_t c0 = b * j->per_block;
        uint32_t c1 = c0 + j->per_block < j->sp->num_columns
                          ? c0 + j->per_block
                          : j->sp->num_columns;
        if (!par_block(w, c0, c1)) {
            atomic_store_explicit(&j->failed, true, memory_order_relaxed);
            return;
        }
    }
}

static void *par_main(void *arg) {
    par_run(arg);
    return NULL;
}

/* The places of the pools from their pointers' declared lengths, and room
 * for them; false (nothing allocated) when these do not look like a message
 * the threads can read: then read_columns_seq reads it. */
static bool par_layout(nupic_sp *sp, const ncp_list *rows) {
    /* (pool_start is rewritten by read_columns_seq if this fails.) */
    const uint64_t most = ncp_msg_size_words(rows->msg) * 2;
    uint64_t total = 0;
    sp->pool_start[0] = 0;
    for (uint32_t c = 0; c < sp->num_columns; c++) {
        uint32_t n = ncp_ptr_list_len_hint(ncp_list_ptr(rows, c));
        total += n;
        if (n > sp->num_inputs || total > most || total > UINT32_MAX)
            return false;
        sp->pool_start[c + 1] = (uint32_t)total;
    }
    nupic_error e = {NUPIC_OK, ""};
    return total >= PAR_MIN_ENTRIES &&
           reserve_pool(sp, 0, (size_t)total, true, &e) == NUPIC_OK;
}

/* The columns in two threads when the state is large and everything reads;
 * false when read_columns_seq is to read them (the message is then as it
 * was). */
static bool read_columns_par(nupic_sp *sp, ncp_list rows,
                             SparseFloatList_RList prows) {
    ncp_msg *m = rows.msg;
    if (m == NULL || ncp_msg_single_thread(m) || sp->num_columns < 2 ||
        ncp_msg_status(m) != NCP_OK || !par_layout(sp, &rows))
        return false;
    par_job job = {.sp = sp, .rows = rows, .prows = prows};
    job.per_block = (sp->num_columns + PAR_BLOCKS - 1) / PAR_BLOCKS;
    job.blocks = (sp->num_columns + job.per_block - 1) / job.per_block;
    atomic_init(&job.next, 0u);
    atomic_init(&job.failed, false);
    par_worker w[2] = {{.job = &job}, {.job = &job}};
    bool ok = true;
    nupic_error e = {NUPIC_OK, ""};
    for (int i = 0; i < 2 && ok; i++) {
        ok = ncp_msg_view(m, &w[i].view, NULL) == NCP_OK &&
             scratch_init(&w[i].s, sp, &e) == NUPIC_OK;
    }
    pthread_t thread;
    bool started = false;
    if (ok) {
        pthread_attr_t attr;
        bool have_attr = pthread_attr_init(&attr) == 0;
        if (have_attr)
            (void)pthread_attr_setstacksize(&attr, (size_t)256 << 10);
        sigset_t all, old;
        sigfillset(&all);
        bool masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
        started = pthread_create(&thread, have_attr ? &attr : NULL, par_main,
                                 &w[1]) == 0;
        if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (have_attr) pthread_attr_destroy(&attr);
        /* Without a thread, the calling thread takes every block. */
        par_run(&w[0]);
        if (started) pthread_join(thread, NULL);
        ok = !atomic_load(&job.failed) && atomic_load(&job.next) >= job.blocks;
    }
    ncp_msg *views[2] = {w[0].view, w[1].view};
    size_t nviews = (views[0] != NULL) + (views[1] != NULL);
    if (ncp_msg_view_merge(m, views, nviews) != NCP_OK) ok = false;
    scratch_free(&w[0].s);
    scratch_free(&w[1].s);
    return ok;
}

/* The pools and permanences: see read_columns_seq (the order of the
 * errors) and read_columns_par. */
static nupic_status read_columns(nupic_sp *sp, SparseBinaryMatrixProto_R pp,
                                 SparseMatrixProto_R pm, const read_scratch *s,
                                 nupic_error *err) {
    ncp_list rows = SparseBinaryMatrixProto_get_indices(pp);
    SparseFloatList_RList prows = SparseMatrixProto_get_rows(pm);
    if (read_columns_par(sp, rows, prows)) return NUPIC_OK;
    return read_columns_seq(sp, rows, prows, s, err);
}

nupic_status nupic_sp_read(SpatialPoolerProto_R r, nupic_sp **out,
                           nupic_error *out_err) {
    *out = NULL;
    /* Checks record in a local error: when the message has recorded an
     * error of its own (a malformed pointer, which reads as empty), that
     * is the cause, and it is what the caller gets. */
    nupic_error local = {NUPIC_OK, ""}, *err = &local;
    nupic_sp *sp = calloc(1, sizeof *sp);
    if (sp == NULL)
        return nupic_error_set(out_err, NUPIC_ERR_NOMEM,
                               "SpatialPooler: out of memory");
    nupic_status st =
        nupic_random_read(SpatialPoolerProto_get_random(r), &sp->rng, err);
    if (st != NUPIC_OK) goto fail;
    sp->num_inputs = SpatialPoolerProto_get_numInputs(r);
    sp->num_columns = SpatialPoolerProto_get_numColumns(r);
    if (sp->num_inputs == 0 || sp->num_columns == 0 ||
        sp->num_inputs > INT32_MAX || sp->num_columns > INT32_MAX) {
        st = FMT("numInputs %u, numColumns %u: each must be 1 to 2^31-1",
                 sp->num_inputs, sp->num_columns);
        goto fail;
    }
    uint32_t nd_in = 0, nd_col = 0;
    st = read_dims(SpatialPoolerProto_get_inputDimensions(r), "inputDimensions",
                   sp->input_dims, &nd_in, sp->num_inputs, err);
    if (st == NUPIC_OK)
        st = read_dims(SpatialPoolerProto_get_columnDimensions(r),
                       "columnDimensions", sp->column_dims, &nd_col,
                       sp->num_columns, err);
    if (st != NUPIC_OK) goto fail;
    if (nd_in != nd_col) {
        st = FMT("inputDimensions has %u dimensions, columnDimensions %u",
                 nd_in, nd_col);
        goto fail;
    }
    sp->ndims = nd_in;
    sp->potential_radius = SpatialPoolerProto_get_potentialRadius(r);
    sp->potential_pct = SpatialPoolerProto_get_potentialPct(r);
    sp->inhibition_radius = SpatialPoolerProto_get_inhibitionRadius(r);
    sp->global_inhibition = SpatialPoolerProto_get_globalInhibition(r);
    sp->num_active_columns_per_inh_area =
        SpatialPoolerProto_get_numActiveColumnsPerInhArea(r);
    sp->local_area_density = SpatialPoolerProto_get_localAreaDensity(r);
    sp->stimulus_threshold = SpatialPoolerProto_get_stimulusThreshold(r);
    sp->syn_perm_inactive_dec = SpatialPoolerProto_get_synPermInactiveDec(r);
    sp->syn_perm_active_inc = SpatialPoolerProto_get_synPermActiveInc(r);
    sp->syn_perm_below_stimulus_inc =
        SpatialPoolerProto_get_synPermBelowStimulusInc(r);
    sp->syn_perm_connected = SpatialPoolerProto_get_synPermConnected(r);
    sp->min_pct_overlap_duty_cycles =
        SpatialPoolerProto_get_minPctOverlapDutyCycles(r);
    sp->min_pct_active_duty_cycles =
        SpatialPoolerProto_get_minPctActiveDutyCycles(r);
    sp->duty_cycle_period = SpatialPoolerProto_get_dutyCyclePeriod(r);
    sp->boost_strength = SpatialPoolerProto_get_boostStrength(r);
    sp->wrap_around = SpatialPoolerProto_get_wrapAround(r);
    sp->sp_verbosity = SpatialPoolerProto_get_spVerbosity(r);
    sp->syn_perm_min = SpatialPoolerProto_get_synPermMin(r);
    sp->syn_perm_max = SpatialPoolerProto_get_synPermMax(r);
    sp->syn_perm_trim_threshold =
        SpatialPoolerProto_get_synPermTrimThreshold(r);
    sp->update_period = SpatialPoolerProto_get_updatePeriod(r);
    sp->version = SpatialPoolerProto_get_version(r);
    sp->iteration_num = SpatialPoolerProto_get_iterationNum(r);
    sp->iteration_learn_num = SpatialPoolerProto_get_iterationLearnNum(r);
    sp->connected_threshold = sp->syn_perm_connected - PERMANENCE_EPSILON;

    const struct {
        const char *name;
        float v;
    } floats[] = {{"potentialPct", sp->potential_pct},
                  {"localAreaDensity", sp->local_area_density},
                  {"synPermInactiveDec", sp->syn_perm_inactive_dec},
                  {"synPermActiveInc", sp->syn_perm_active_inc},
                  {"synPermBelowStimulusInc", sp->syn_perm_below_stimulus_inc},
                  {"synPermConnected", sp->syn_perm_connected},
                  {"minPctOverlapDutyCycles", sp->min_pct_overlap_duty_cycles},
                  {"boostStrength", sp->boost_strength},
                  {"synPermMin", sp->syn_perm_min},
                  {"synPermMax", sp->syn_perm_max},
                  {"synPermTrimThreshold", sp->syn_perm_trim_threshold}};
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
        if (!isfinite(floats[i].v)) {
            st = FMT("%s is %g, not a finite number", floats[i].name,
                     (double)floats[i].v);
            goto fail;
        }
    /* Permanences live in [0, 1] (nupic.core's constants synPermMin and
     * synPermMax): other bounds could make a learning step raise
     * permanences forever, or a read differ from the state it reads. */
    if (!(sp->syn_perm_connected > PERMANENCE_EPSILON &&
          sp->syn_perm_connected <= 1)) {
        st = FMT("synPermConnected is %g; it must be in (1e-6, 1]",
                 (double)sp->syn_perm_connected);
        goto fail;
    }
    if (sp->syn_perm_min != 0 || sp->syn_perm_max != 1) {
        st = FMT("synPermMin %g and synPermMax %g: they must be 0 and 1",
                 (double)sp->syn_perm_min, (double)sp->syn_perm_max);
        goto fail;
    }
    if (sp->duty_cycle_period == 0 || sp->update_period == 0) {
        st = FMT("dutyCyclePeriod %u, updatePeriod %u: both must be at least 1",
                 sp->duty_cycle_period, sp->update_period);
        goto fail;
    }
    if (sp->num_active_columns_per_inh_area == 0 &&
        !(sp->local_area_density > 0 && sp->local_area_density <= 0.5f)) {
        st = FMT("numActiveColumnsPerInhArea is 0 and localAreaDensity %g is "
                 "not in (0, 0.5]",
                 (double)sp->local_area_density);
        goto fail;
    }
    if (sp->stimulus_threshold > 0 &&
        !(sp->syn_perm_below_stimulus_inc >= 1e-6f)) {
        st = FMT("synPermBelowStimulusInc %g is too small to raise "
                 "permanences to stimulusThreshold %u",
                 (double)sp->syn_perm_below_stimulus_inc,
                 sp->stimulus_threshold);
        goto fail;
    }

    st = check_shapes(sp, r, err);
    if (st != NUPIC_OK) goto fail;
    st = alloc_columns(sp, err);
    read_scratch scratch = {0};
    if (st == NUPIC_OK) st = scratch_init(&scratch, sp, err);
    if (st == NUPIC_OK)
        st = read_columns(sp, SpatialPoolerProto_get_potentialPools(r),
                          SpatialPoolerProto_get_permanences(r), &scratch, err);
    scratch_free(&scratch);
    uint32_t n = sp->num_columns;
    if (st == NUPIC_OK)
        st = read_float_list(SpatialPoolerProto_get_tieBreaker(r), "tieBreaker",
                             sp->tie_breaker, n, err);
    if (st == NUPIC_OK)
        st = read_float_list(SpatialPoolerProto_get_overlapDutyCycles(r),
                             "overlapDutyCycles", sp->overlap_duty, n, err);
    if (st == NUPIC_OK)
        st = read_float_list(SpatialPoolerProto_get_activeDutyCycles(r),
                             "activeDutyCycles", sp->active_duty, n, err);
    if (st == NUPIC_OK)
        st = read_float_list(SpatialPoolerProto_get_minOverlapDutyCycles(r),
                             "minOverlapDutyCycles", sp->min_overlap_duty, n,
                             err);
    if (st == NUPIC_OK)
        st = read_float_list(SpatialPoolerProto_get_boostFactors(r),
                             "boostFactors", sp->boost, n, err);
    if (st == NUPIC_OK && r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK)
        st = NUPIC_ERR_FORMAT;
    if (st != NUPIC_OK) goto fail;
    sp->boost_all_one = true;
    for (uint32_t c = 0; c < n; c++)
        sp->boost_all_one &= sp->boost[c] == 1.0f;
    *out = sp;
    return NUPIC_OK;
fail:
    nupic_sp_free(sp);
    if (r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK)
        return nupic_error_from_ncp(out_err, ncp_msg_error(r.s.msg));
    return nupic_error_set(out_err, st, "%s", local.message);
}
#undef FMT

/* ------------------------------------------------------------------------
 * Files, memory, paths
 * ------------------------------------------------------------------------ */

static nupic_status writer(const void *obj, ncp_builder *b, nupic_error *err) {
    return nupic_sp_write(obj, SpatialPoolerProto_new_root(b), err);
}

static nupic_status reader(ncp_msg *m, void **out, nupic_error *err) {
    nupic_sp *sp = NULL;
    nupic_status st = nupic_sp_read(SpatialPoolerProto_read_root(m), &sp, err);
    *out = sp;
    return st;
}

nupic_status nupic_sp_write_to_file(const nupic_sp *sp, FILE *f,
                                    const nupic_save_options *o,
                                    nupic_error *err) {
    return persist_to_file(sp, writer, message_words(sp), f, o, err);
}

nupic_status nupic_sp_read_from_file(FILE *f, const nupic_load_options *o,
                                     nupic_sp **out, nupic_error *err) {
    return persist_from_file(f, reader, o, (void **)out, err);
}

nupic_status nupic_sp_write_to_mem(const nupic_sp *sp,
                                   const nupic_save_options *o, void **buf,
                                   size_t *len, nupic_error *err) {
    return persist_to_mem(sp, writer, message_words(sp), buf, len, o, err);
}

nupic_status nupic_sp_read_from_mem(const void *buf, size_t len,
                                    const nupic_load_options *o, nupic_sp **out,
                                    nupic_error *err) {
    return persist_from_mem(buf, len, reader, o, (void **)out, err);
}

nupic_status nupic_sp_save(const nupic_sp *sp, const char *path,
                           const nupic_save_options *o, nupic_error *err) {
    return persist_to_path(sp, writer, message_words(sp), path, o, err);
}

nupic_status nupic_sp_load(const char *path, const nupic_load_options *o,
                           nupic_sp **out, nupic_error *err) {
    return persist_from_path(path, reader, o, (void **)out, err);
}
