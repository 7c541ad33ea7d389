/*
 * src/algo/tm.c - the temporal memory, bit-exact with nupic.core.
 *
 * A step follows nupic.core's TemporalMemory::compute: activateCells walks
 * the active columns together with the last step's active and matching
 * segments (both sorted by cell, then creation order), column by column;
 * activateDendrites counts, for every segment, its synapses on active cells
 * (and the connected ones among them) through the presynaptic lists of the
 * active cells, then picks and sorts the active and matching segments.
 * Only segments that some active cell reaches are visited: their counts
 * are reset at the next step, which keeps a step's cost proportional to
 * the activity rather than to the number of segments.
 *
 * Arithmetic is float32 as nupic.core's Permanence: += increments, the
 * clip to [0, 1], EPSILON = 1e-6 for destroying synapses and for the
 * weakest-synapse choice, 1e-5 in the connected test (Connections.cpp).
 * Comments name the nupic.core function each part reproduces.
 *
 * Where the CPU has AVX-512, adaptSegment's arithmetic runs sixteen
 * synapses at a time (tm_simd.h), with the same float32 operations lane by
 * lane; a segment whose synapses the last step counted as all active skips
 * looking its cells up.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/random.h>
#include <nupic/tm.h>

#include "connections.h"
#include "persist.h"
#include "sort.h"
#include "tm_simd.h"

/* TemporalMemory.cpp: static const Permanence EPSILON = 0.000001 */
#define TM_EPSILON 0.000001f
/* Connections.cpp: static const Permanence EPSILON = 0.00001 */
#define CONN_EPSILON        0.00001f
#define CONNECTIONS_VERSION 2

struct nupic_tm {
    nupic_tm_params p;
    uint32_t num_columns, num_cells;
    /* A cell's column, cell / cellsPerColumn, as (cell * cpc_mul) >>
     * cpc_shift (exact for cells below 2^31; see col_of). */
    uint64_t cpc_mul;
    unsigned cpc_shift;
    float connected_threshold; /* connectedPermanence - 1e-5, float32 */
    connections c;
    nupic_random rng;
    uint64_t iteration;

    /* The last step. */
    uint32_t *active_cells, n_active;
    /* The first cells of the columns that burst, ascending: each starts a
     * run of cellsPerColumn cells in active_cells.  Empty after a load,
     * where every active cell is taken alone. */
    uint32_t *burst_first, n_burst;
    uint32_t *winner_cells, n_winner;
    uint32_t *predictive, n_predictive;
    uint32_t *active_segs, n_active_segs;
    uint32_t *matching_segs, n_matching;
    uint32_t seglist_cap; /* of active_segs, matching_segs, touched, keys */
    float anomaly;

    /* Whether seg_counts hold what the last activateDendrites counted
     * (false after a load, whose counts come from the file, and after a
     * reset). */
    bool counts_exact;
    /* Segments whose counts the last activateDendrites made nonzero. */
    uint32_t *touched, n_touched;
    /* Scratch of activateDendrites, one entry per cell. */
    uint32_t *feeders;
    conn_block *feeding;

    /* Scratch. */
    uint64_t *keys, *keys_tmp;   /* sorting segments */
    uint64_t *prev_active_bits;  /* the previous step's active cells */
    uint32_t *prev_active_words; /* the words of prev_active_bits set */
    uint64_t *mark_bits;         /* growSynapses' scratch, all zero */
    uint32_t *prev_winners, n_prev_winners;
    uint32_t *candidates;
    uint32_t *destroy; /* destroyMinPermanenceSynapses candidates */
    /* adaptSegment's kernel (tm_simd.h): whether it runs here, and the
     * synapses whose connected bit it reports changed. */
    bool simd;
    uint32_t *flips;
    uint8_t *predicted_column; /* columns with a predictive cell */
};

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

void nupic_tm_params_default(nupic_tm_params *p) {
    memset(p, 0, sizeof *p);
    p->column_dimensions[0] = 2048;
    p->num_dimensions = 1;
    p->cells_per_column = 32;
    p->activation_threshold = 13;
    p->initial_permanence = 0.21f;
    p->connected_permanence = 0.50f;
    p->min_threshold = 10;
    p->max_new_synapse_count = 20;
    p->permanence_increment = 0.10f;
    p->permanence_decrement = 0.10f;
    p->predicted_segment_decrement = 0.0f;
    p->seed = 42;
    p->max_segments_per_cell = 255;
    p->max_synapses_per_segment = 255;
    p->check_inputs = true;
}

static nupic_status verr(nupic_error *err, nupic_status st, const char *prefix,
                         const char *fmt, ...) NCP_PRINTF(4, 5);
static nupic_status verr(nupic_error *err, nupic_status st, const char *prefix,
                         const char *fmt, ...) {
    char msg[NUPIC_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nupic_error_set(err, st, "%s%s", prefix, msg);
}

/* Checks the parameters; prefix starts the messages ("TemporalMemory: "
 * for the constructor, "TemporalMemoryProto." for files). */
static nupic_status validate(const nupic_tm_params *p, const char *prefix,
                             nupic_status st, uint32_t *num_columns,
                             nupic_error *err) {
    if (p->num_dimensions < 1 || p->num_dimensions > NUPIC_TM_MAX_DIMS)
        return verr(err, st, prefix,
                    "columnDimensions: %u dimensions (1 to %d "
                    "supported)",
                    p->num_dimensions, NUPIC_TM_MAX_DIMS);
    uint64_t cols = 1;
    for (uint32_t i = 0; i < p->num_dimensions; i++) {
        if (p->column_dimensions[i] == 0)
            return verr(err, st, prefix, "columnDimensions[%u] is 0", i);
        /* Stops once past 2^31 - 1: below 2^63, no wrap here or below. */
        if (cols <= INT32_MAX) cols *= p->column_dimensions[i];
    }
    if (p->cells_per_column == 0)
        return verr(err, st, prefix, "cellsPerColumn is 0");
    if (cols > INT32_MAX || cols * p->cells_per_column > INT32_MAX)
        return verr(err, st, prefix,
                    "%llu columns of %u cells: more than 2^31-1 cells",
                    (unsigned long long)cols, p->cells_per_column);
    const struct {
        const char *name;
        float v;
        bool open_low; /* (0, 1] rather than [0, 1] */
    } f[] = {
        {"initialPermanence", p->initial_permanence, true},
        {"connectedPermanence", p->connected_permanence, false},
        {"permanenceIncrement", p->permanence_increment, false},
        {"permanenceDecrement", p->permanence_decrement, false},
        {"predictedSegmentDecrement", p->predicted_segment_decrement, false}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!(f[i].open_low ? f[i].v > 0.0f : f[i].v >= 0.0f) ||
            !(f[i].v <= 1.0f))
            return verr(err, st, prefix, "%s is %.9g; it must be in %s1]",
                        f[i].name, (double)f[i].v,
                        f[i].open_low ? "(0, " : "[0, ");
    if (p->activation_threshold == 0)
        return verr(err, st, prefix,
                    "activationThreshold is 0; it must be at least 1 (at 0 "
                    "nupic.core counts every segment, even destroyed ones, "
                    "as active)");
    if (p->min_threshold == 0 || p->min_threshold > p->activation_threshold)
        return verr(err, st, prefix,
                    "minThreshold is %u; it must be 1 to activationThreshold "
                    "(%u)",
                    p->min_threshold, p->activation_threshold);
    if (p->max_segments_per_cell == 0 || p->max_segments_per_cell > 65535)
        return verr(err, st, prefix,
                    "maxSegmentsPerCell is %u; it must be 1 to 65535",
                    p->max_segments_per_cell);
    if (p->max_synapses_per_segment == 0 || p->max_synapses_per_segment > 65535)
        return verr(err, st, prefix,
                    "maxSynapsesPerSegment is %u; it must be 1 to 65535",
                    p->max_synapses_per_segment);
    if (p->max_new_synapse_count > INT32_MAX)
        return verr(err, st, prefix, "maxNewSynapseCount %u is too large",
                    p->max_new_synapse_count);
    *num_columns = (uint32_t)cols;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Construction and destruction
 * ------------------------------------------------------------------------ */

void nupic_tm_free(nupic_tm *tm) {
    if (tm == NULL) return;
    conn_free(&tm->c);
    free(tm->active_cells);
    free(tm->burst_first);
    free(tm->winner_cells);
    free(tm->predictive);
    free(tm->active_segs);
    free(tm->matching_segs);
    free(tm->touched);
    free(tm->feeding);
    free(tm->feeders);
    free(tm->keys);
    free(tm->keys_tmp);
    free(tm->prev_active_bits);
    free(tm->prev_active_words);
    free(tm->mark_bits);
    free(tm->prev_winners);
    free(tm->candidates);
    free(tm->destroy);
    free(tm->flips);
    free(tm->predicted_column);
    free(tm);
}

static bool seglists_room(nupic_tm *tm);

/* The object with its parameters and per-cell arrays (no segments). */
static nupic_status create(const nupic_tm_params *p, uint32_t num_columns,
                           nupic_tm **out, nupic_error *err) {
    nupic_tm *tm = calloc(1, sizeof *tm);
    if (tm == NULL)
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "TemporalMemory: out of memory");
    tm->p = *p;
    tm->num_columns = num_columns;
    tm->num_cells = num_columns * p->cells_per_column;
    tm->connected_threshold = p->connected_permanence - CONN_EPSILON;
    /* Granlund and Montgomery's multiply for a divisor d < 2^31 and
     * dividends below 2^31: with l = ceil(log2 d), the shift 31 + l and the
     * multiplier ceil(2^(31 + l) / d) (at most 2^32 + 1, so the product
     * stays below 2^64). */
    unsigned l = 0;
    while ((UINT64_C(1) << l) < p->cells_per_column)
        l++;
    tm->cpc_shift = 31 + l;
    tm->cpc_mul = ((UINT64_C(1) << tm->cpc_shift) + p->cells_per_column - 1) /
                  p->cells_per_column;
    size_t cells = tm->num_cells;
    bool ok = conn_init(&tm->c, tm->num_cells, tm->connected_threshold);
    tm->active_cells = malloc(cells * sizeof(uint32_t));
    tm->winner_cells = malloc(cells * sizeof(uint32_t));
    tm->predictive = malloc(cells * sizeof(uint32_t));
    tm->burst_first = malloc((size_t)num_columns * sizeof(uint32_t));
    tm->prev_winners = malloc(cells * sizeof(uint32_t));
    tm->candidates = malloc(cells * sizeof(uint32_t));
    tm->feeding = malloc(cells * sizeof(conn_block));
    tm->feeders = malloc(cells * sizeof(uint32_t));
    tm->destroy =
        malloc(((size_t)p->max_synapses_per_segment + 1) * sizeof(uint32_t));
    tm->flips =
        malloc(((size_t)p->max_synapses_per_segment + 16) * sizeof(uint32_t));
#ifdef TMS_KERNELS
    tm->simd = tms_available();
#endif
    tm->prev_active_bits = calloc(cells / 64 + 1, sizeof(uint64_t));
    tm->prev_active_words = malloc((cells / 64 + 1) * sizeof(uint32_t));
    tm->mark_bits = calloc(cells / 64 + 1, sizeof(uint64_t));
    tm->predicted_column = calloc(num_columns, 1);
    if (!ok || !tm->active_cells || !tm->winner_cells || !tm->predictive ||
        !tm->burst_first || !tm->prev_winners || !tm->candidates ||
        !tm->feeding || !tm->feeders || !tm->destroy || !tm->flips ||
        !tm->prev_active_bits || !tm->mark_bits || !tm->prev_active_words ||
        !tm->predicted_column || !seglists_room(tm)) {
        nupic_tm_free(tm);
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "TemporalMemory: out of memory for %u cells",
                               (unsigned)cells);
    }
    *out = tm;
    return NUPIC_OK;
}

nupic_status nupic_tm_new(const nupic_tm_params *params, nupic_tm **out,
                          nupic_error *err) {
    if (out == NULL || params == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_tm_new: NULL argument");
    *out = NULL;
    uint32_t cols = 0;
    nupic_status st =
        validate(params, "TemporalMemory: ", NUPIC_ERR_PARAM, &cols, err);
    if (st != NUPIC_OK) return st;
    nupic_tm *tm;
    st = create(params, cols, &tm, err);
    if (st != NUPIC_OK) return st;
    /* nupic.core: seed_((UInt64)(seed < 0 ? rand() : seed)) */
    nupic_random_init(&tm->rng, params->seed < 0 ? 0 : (uint64_t)params->seed);
    *out = tm;
    return NUPIC_OK;
}

/* Room for every segment id in the per-step segment lists, and one more:
 * activateDendrites writes one entry past the touched segments.  (The one
 * more also gives the lists memory when there are no segments: a step forms
 * pointers into them, tm->matching_segs + 0, and NULL + 0 is undefined.) */
static bool seglists_room(nupic_tm *tm) {
    uint32_t need = tm->c.seg_len + 1; /* seg_len < 2^31 */
    if (need <= tm->seglist_cap) return true;
    uint32_t cap = tm->c.seg_cap > need ? tm->c.seg_cap : need;
    uint32_t *a = realloc(tm->active_segs, (size_t)cap * sizeof *a);
    if (a) tm->active_segs = a;
    uint32_t *m = realloc(tm->matching_segs, (size_t)cap * sizeof *m);
    if (m) tm->matching_segs = m;
    uint32_t *t = realloc(tm->touched, (size_t)cap * sizeof *t);
    if (t) tm->touched = t;
    uint64_t *k = realloc(tm->keys, (size_t)cap * sizeof *k);
    if (k) tm->keys = k;
    uint64_t *kt = realloc(tm->keys_tmp, (size_t)cap * sizeof *kt);
    if (kt) tm->keys_tmp = kt;
    if (!a || !m || !t || !k || !kt) return false;
    tm->seglist_cap = cap;
    return true;
}

/* ------------------------------------------------------------------------
 * Learning on segments (adaptSegment, destroyMinPermanenceSynapses,
 * growSynapses, createSegment, getLeastUsedCell)
 * ------------------------------------------------------------------------ */

/* Flips the connected bit of synapse s in its presynaptic cell's block. */
static inline void toggle_connected(connections *c, const conn_syn *s) {
    conn_cell_pre(c, s->presyn)[c->syn_pos[s->id]].seg ^= CONN_CONNECTED;
}

/* adaptSegment: returns false when the segment was destroyed (it lost its
 * last synapse).  Arithmetic as nupic.core's: p + inc on a synapse from a
 * previously active cell, else p - dec (which is p + -dec exactly), then
 * std::min(p, 1.0); std::max(p, 0.0) would follow, but a negative p is
 * below TM_EPSILON either way and the synapse goes. */
static bool adapt_segment(nupic_tm *tm, uint32_t seg, float inc, float dec) {
    connections *c = &tm->c;
    const conn_block *b = &c->seg_syns[seg];
    /* No allocation below: the blocks stay where they are. */
    conn_syn *v = conn_seg_syns(c, seg);
    /* The count in a local: the connected-bit stores below could alias
     * b->n for the compiler. */
    uint32_t n = b->n;
    /* When the last activateDendrites counted every synapse of the segment
     * as on an active cell (and nothing has changed the segment since),
     * no cell need be looked up: most learning segments are such. */
    const uint64_t *active = tm->counts_exact && conn_potential(c, seg) == n
                                 ? NULL
                                 : tm->prev_active_bits;
    uint32_t i = 0;
#ifdef TMS_KERNELS
    /* The kernel goes as far as it can without destroying a synapse; the
     * loop below does the rest. */
    if (tm->simd && n <= tm->p.max_synapses_per_segment) {
        uint32_t nf = 0;
        i = tms_adapt(v, n, active, inc, dec, c->connected, TM_EPSILON,
                      tm->flips, &nf);
        for (uint32_t k = 0; k < nf; k++)
            toggle_connected(c, &v[tm->flips[k]]);
    }
#endif
    const float ndec = -dec;
    while (i < n) {
        const uint32_t pre = v[i].presyn;
        const float old = v[i].perm;
        const bool on =
            active == NULL || ((active[pre >> 6] >> (pre & 63)) & 1);
        float p = old + (on ? inc : ndec);
        p = 1.0f < p ? 1.0f : p;
        if (p < TM_EPSILON) {
            conn_destroy_synapse_at(c, seg, i); /* the next moves to i */
            n = b->n;
            continue;
        }
        if ((old >= c->connected) != (p >= c->connected))
            toggle_connected(c, &v[i]);
        v[i].perm = p;
        i++;
    }
    if (b->n == 0) {
        conn_destroy_segment(c, seg);
        return false;
    }
    return true;
}

/* Whether cell is among the sorted cells[0..n). */
static bool contains(const uint32_t *cells, uint32_t n, uint32_t cell) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cells[mid] < cell)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && cells[lo] == cell;
}

/* destroyMinPermanenceSynapses: up to n_destroy synapses whose presynaptic
 * cell is not a previous winner, the weakest first (ties within 1e-6: the
 * earliest). */
static void destroy_min_permanence(nupic_tm *tm, uint32_t seg,
                                   int32_t n_destroy) {
    connections *c = &tm->c;
    const conn_block *b = &c->seg_syns[seg];
    uint32_t *cand = tm->destroy, n = 0; /* positions in the segment */
    for (uint32_t i = 0; i < b->n; i++)
        if (!contains(tm->prev_winners, tm->n_prev_winners,
                      conn_seg_syns(c, seg)[i].presyn))
            cand[n++] = i;
    for (int32_t k = 0; k < n_destroy && n > 0; k++) {
        const conn_syn *syns = conn_seg_syns(c, seg);
        float min = FLT_MAX;
        uint32_t at = 0;
        for (uint32_t j = 0; j < n; j++)
            if (syns[cand[j]].perm < min - TM_EPSILON) {
                at = j;
                min = syns[cand[j]].perm;
            }
        uint32_t pos = cand[at];
        conn_destroy_synapse_at(c, seg, pos);
        memmove(cand + at, cand + at + 1, (size_t)(n - at - 1) * sizeof *cand);
        n--;
        for (uint32_t j = 0; j < n; j++)
            if (cand[j] > pos) cand[j]--;
    }
}

/* growSynapses.  The candidates are the previous winners (ascending)
 * that the segment has no synapse from, found through a bitset of the
 * segment's presynaptic cells. */
static bool grow_synapses(nupic_tm *tm, uint32_t seg, uint32_t n_desired) {
    connections *c = &tm->c;
    const conn_block *b = &c->seg_syns[seg];
    const conn_syn *syns = conn_seg_syns(c, seg);
    uint64_t *mark = tm->mark_bits; /* all zero between calls */
    for (uint32_t i = 0; i < b->n; i++)
        mark[syns[i].presyn >> 6] |= UINT64_C(1) << (syns[i].presyn & 63);
    uint32_t *cand = tm->candidates, n = 0;
    for (uint32_t k = 0; k < tm->n_prev_winners; k++) {
        const uint32_t w = tm->prev_winners[k];
        cand[n] = w;
        n += !((mark[w >> 6] >> (w & 63)) & 1);
    }
    for (uint32_t i = 0; i < b->n; i++)
        mark[syns[i].presyn >> 6] = 0;
    const uint32_t actual = n_desired < n ? n_desired : n;
    const uint32_t max = tm->p.max_synapses_per_segment;
    /* nupic.core: Int32 overrun = numSynapses + nActual - max (unsigned
     * arithmetic, then signed). */
    const int32_t overrun = (int32_t)(uint32_t)(b->n + actual - max);
    if (overrun > 0) destroy_min_permanence(tm, seg, overrun);
    const uint32_t room = (uint32_t)(max - c->seg_syns[seg].n);
    const uint32_t grow = actual < room ? actual : room;
    for (uint32_t k = 0; k < grow; k++) {
        uint32_t i = nupic_random_u32(&tm->rng, n);
        if (!conn_create_synapse(c, seg, cand[i], tm->p.initial_permanence))
            return false;
        memmove(cand + i, cand + i + 1, (size_t)(n - i - 1) * sizeof *cand);
        n--;
    }
    return true;
}

/* createSegment: evicts the cell's least recently used segments (the
 * first of equal ones) while it has maxSegmentsPerCell. */
static bool create_segment(nupic_tm *tm, uint32_t cell, uint32_t want,
                           uint32_t *out) {
    connections *c = &tm->c;
    while (c->cell_segs[cell].n >= tm->p.max_segments_per_cell) {
        const uint32_t *list = conn_cell_segs(c, cell);
        uint32_t lru = list[0];
        for (uint32_t j = 1; j < c->cell_segs[cell].n; j++)
            if (c->seg_last_used[list[j]] < c->seg_last_used[lru])
                lru = list[j];
        conn_destroy_segment(c, lru);
    }
    if (!conn_create_segment(c, cell, want, out)) return false;
    c->seg_last_used[*out] = tm->iteration;
    return true;
}

/* getLeastUsedCell: a random cell among the column's cells with the fewest
 * segments. */
static uint32_t least_used_cell(nupic_tm *tm, uint32_t column) {
    const uint32_t start = column * tm->p.cells_per_column;
    const uint32_t end = start + tm->p.cells_per_column;
    const conn_block *segs = tm->c.cell_segs;
    /* The minimum, then the cells that have it, in passes without
     * branches on the counts (which vary from cell to cell). */
    uint32_t min = UINT32_MAX, tied = 0;
    for (uint32_t cell = start; cell < end; cell++)
        min = segs[cell].n < min ? segs[cell].n : min;
    for (uint32_t cell = start; cell < end; cell++)
        tied += segs[cell].n == min;
    uint32_t pick = nupic_random_u32(&tm->rng, tied), k = 0;
    for (uint32_t cell = start; cell < end; cell++)
        if (segs[cell].n == min && k++ == pick) return cell;
    return start; /* unreachable */
}

/* The growth nupic.core asks for on a learning segment: maxNewSynapseCount
 * minus its active potential synapses of the last step (Int32). */
static int32_t grow_desired(const nupic_tm *tm, uint32_t seg) {
    return (int32_t)(tm->p.max_new_synapse_count - conn_potential(&tm->c, seg));
}

/* ------------------------------------------------------------------------
 * A step
 * ------------------------------------------------------------------------ */

static inline void push_cell(uint32_t *list, uint32_t *n, uint32_t cell) {
    list[(*n)++] = cell;
}

/* The column of a cell (a division costs more than the rest of some of the
 * loops that need it). */
static inline uint32_t col_of(const nupic_tm *tm, uint32_t cell) {
    return (uint32_t)((cell * tm->cpc_mul) >> tm->cpc_shift);
}

/* The bits of cells [a, b) that lie in word w of a bitset (b > a, and the
 * range meets the word). */
static inline uint64_t range_bits(uint32_t a, uint32_t b, uint32_t w) {
    const uint32_t base = w * 64;
    const uint64_t from = a > base ? ~UINT64_C(0) << (a - base) : ~UINT64_C(0);
    const uint64_t to =
        b - base < 64 ? (UINT64_C(1) << (b - base)) - 1 : ~UINT64_C(0);
    return from & to;
}

/* activatePredictedColumn */
static bool activate_predicted(nupic_tm *tm, const uint32_t *segs, uint32_t n,
                               bool learn) {
    connections *c = &tm->c;
    uint32_t k = 0;
    while (k < n) {
        const uint32_t cell = c->seg_cell[segs[k]];
        push_cell(tm->active_cells, &tm->n_active, cell);
        push_cell(tm->winner_cells, &tm->n_winner, cell);
        do {
            uint32_t seg = segs[k];
            if (learn) {
                int32_t want = grow_desired(tm, seg);
                if (adapt_segment(tm, seg, tm->p.permanence_increment,
                                  tm->p.permanence_decrement) &&
                    want > 0 && !grow_synapses(tm, seg, (uint32_t)want))
                    return false;
            }
        } while (++k < n && c->seg_cell[segs[k]] == cell);
    }
    return true;
}

/* burstColumn */
static bool burst(nupic_tm *tm, uint32_t column, const uint32_t *matching,
                  uint32_t n, bool learn) {
    connections *c = &tm->c;
    const uint32_t start = column * tm->p.cells_per_column;
    tm->burst_first[tm->n_burst++] = start;
    /* (In a local count: stores through the list could otherwise alias
     * it, and the loop would reload it for every cell.) */
    uint32_t *active = tm->active_cells, na = tm->n_active;
    for (uint32_t k = 0; k < tm->p.cells_per_column; k++)
        active[na++] = start + k;
    tm->n_active = na;
    /* std::max_element: the first of the largest. */
    uint32_t best = UINT32_MAX;
    for (uint32_t k = 0; k < n; k++)
        if (best == UINT32_MAX ||
            conn_potential(c, best) < conn_potential(c, matching[k]))
            best = matching[k];
    const uint32_t winner =
        best != UINT32_MAX ? c->seg_cell[best] : least_used_cell(tm, column);
    push_cell(tm->winner_cells, &tm->n_winner, winner);
    if (!learn) return true;
    if (best != UINT32_MAX) {
        int32_t want = grow_desired(tm, best);
        if (adapt_segment(tm, best, tm->p.permanence_increment,
                          tm->p.permanence_decrement) &&
            want > 0)
            return grow_synapses(tm, best, (uint32_t)want);
        return true;
    }
    /* No matching segment: a new one, unless it could never match. */
    uint32_t exact = tm->p.max_new_synapse_count < tm->n_prev_winners
                         ? tm->p.max_new_synapse_count
                         : tm->n_prev_winners;
    if (exact == 0) return true;
    uint32_t seg;
    uint32_t want = exact < tm->p.max_synapses_per_segment
                        ? exact
                        : tm->p.max_synapses_per_segment;
    return create_segment(tm, winner, want, &seg) &&
           grow_synapses(tm, seg, exact);
}

/* punishPredictedColumn */
static void punish(nupic_tm *tm, const uint32_t *matching, uint32_t n) {
    if (!(tm->p.predicted_segment_decrement > 0.0f)) return;
    for (uint32_t k = 0; k < n; k++)
        adapt_segment(tm, matching[k], -tm->p.predicted_segment_decrement,
                      0.0f);
}

/* The end of the run of segs[from..n) on cells below `end` (the segments
 * are sorted by cell). */
static uint32_t cell_run(const nupic_tm *tm, const uint32_t *segs,
                         uint32_t from, uint32_t n, uint32_t end) {
    while (from < n && tm->c.seg_cell[segs[from]] < end)
        from++;
    return from;
}

/* How many active segments ahead activateCells asks for their synapses. */
#define PF_AHEAD 4

/* activateCells: the columns that are active or have active or matching
 * segments, in ascending order. */
static bool activate_cells(nupic_tm *tm, const uint32_t *cols, size_t ncols,
                           bool learn) {
    const uint32_t cpc = tm->p.cells_per_column;
    size_t ia = 0;
    uint32_t is = 0, im = 0;
    const uint32_t ns = tm->n_active_segs, nm = tm->n_matching;
    uint32_t pf = 0; /* active segments prefetched */
    while (ia < ncols || is < ns || im < nm) {
        for (; pf < ns && pf < is + PF_AHEAD; pf++)
            conn_prefetch_syns(&tm->c, tm->active_segs[pf]);
        /* The first cell of the next column (cells < 2^31: no overflow). */
        /* (Learning may move tm->c.seg_cell: read it here.) */
        const uint32_t *seg_cell = tm->c.seg_cell;
        uint32_t first = UINT32_MAX;
        if (ia < ncols) first = cols[ia] * cpc;
        if (is < ns && seg_cell[tm->active_segs[is]] < first)
            first = seg_cell[tm->active_segs[is]];
        if (im < nm && seg_cell[tm->matching_segs[im]] < first)
            first = seg_cell[tm->matching_segs[im]];
        const uint32_t col = col_of(tm, first), end = (col + 1) * cpc;
        const uint32_t is_end = cell_run(tm, tm->active_segs, is, ns, end);
        const uint32_t im_end = cell_run(tm, tm->matching_segs, im, nm, end);
        if (ia < ncols && cols[ia] == col) {
            bool ok = is < is_end ? activate_predicted(tm, tm->active_segs + is,
                                                       is_end - is, learn)
                                  : burst(tm, col, tm->matching_segs + im,
                                          im_end - im, learn);
            if (!ok) return false;
            ia++;
        } else if (learn) {
            punish(tm, tm->matching_segs + im, im_end - im);
        }
        is = is_end;
        im = im_end;
    }
    return true;
}

/* Fills list with the segments of keys[0..n) (cell << 32 | segment, sorted),
 * then puts the segments of each cell in the order of their index on it
 * (nupic.core's; ids of reused segments need not follow it).  Keeping the
 * id in the key saves looking it up in the cells' lists. */
static void segments_of_keys(const nupic_tm *tm, const uint64_t *keys,
                             uint32_t n, uint32_t *list) {
    const uint32_t *seg_cell = tm->c.seg_cell, *seg_idx = tm->c.seg_idx;
    for (uint32_t i = 0; i < n; i++)
        list[i] = (uint32_t)keys[i];
    for (uint32_t i = 1; i < n; i++) {
        const uint32_t s = list[i], cell = (uint32_t)(keys[i] >> 32);
        if ((uint32_t)(keys[i - 1] >> 32) != cell) continue;
        uint32_t j = i;
        for (; j > 0 && seg_cell[list[j - 1]] == cell &&
               seg_idx[list[j - 1]] > seg_idx[s];
             j--)
            list[j] = list[j - 1];
        list[j] = s;
    }
}

static inline uint64_t key_of(const nupic_tm *tm, uint32_t seg) {
    return (uint64_t)tm->c.seg_cell[seg] << 32 | tm->c.seg_idx[seg];
}

/* The predictive cells: the distinct cells of the active segments. */
static void update_predictive(nupic_tm *tm) {
    const uint32_t *seg_cell = tm->c.seg_cell, *segs = tm->active_segs;
    uint32_t *out = tm->predictive, n = 0;
    for (uint32_t k = 0; k < tm->n_active_segs; k++) {
        uint32_t cell = seg_cell[segs[k]];
        if (n == 0 || out[n - 1] != cell) out[n++] = cell;
    }
    tm->n_predictive = n;
}

/* activateDendrites */
static bool activate_dendrites(nupic_tm *tm, bool learn) {
    connections *c = &tm->c;
    if (!seglists_room(tm)) return false;
    for (uint32_t i = 0; i < tm->n_touched; i++)
        c->seg_counts[tm->touched[i]] = 0;
    /* The blocks of the active cells that feed synapses: most active cells,
     * the bursting non-winners, feed none, and the bitset says which
     * without reading their blocks (a bursting column's cells a word at a
     * time). */
    uint32_t *feeders = tm->feeders, nf = 0, b = 0;
    const uint32_t cpc = tm->p.cells_per_column;
    for (uint32_t i = 0; i < tm->n_active;) {
        const uint32_t cell = tm->active_cells[i];
        if (b < tm->n_burst && cell == tm->burst_first[b]) {
            const uint32_t end = cell + cpc;
            for (uint32_t w = cell >> 6; w <= (end - 1) >> 6; w++)
                for (uint64_t f = c->feeds[w] & range_bits(cell, end, w); f;
                     f &= f - 1)
                    feeders[nf++] = w * 64 + (uint32_t)__builtin_ctzll(f);
            b++;
            i += cpc;
        } else {
            feeders[nf] = cell;
            nf += conn_feeds(c, cell);
            i++;
        }
    }
    conn_block *feeding = tm->feeding;
    for (uint32_t i = 0; i < nf; i++)
        feeding[i] = c->cell_pre[feeders[i]];
    uint32_t nt = 0;
    uint32_t *restrict touched = tm->touched;
    uint64_t *restrict counts = c->seg_counts;
    const conn_pre *pool = (const conn_pre *)(const void *)c->pre_pool.data;
    for (uint32_t i = 0; i < nf; i++) {
        /* The first and last lines of a block two ahead, while this one
         * counts. */
        if (i + 2 < nf) {
            const conn_pre *ahead = pool + feeding[i + 2].off;
            __builtin_prefetch(ahead);
            __builtin_prefetch(ahead + feeding[i + 2].n - 1);
        }
        const conn_pre *v = pool + feeding[i].off;
        const uint32_t n = feeding[i].n;
        /* Unrolled: the loop's own instructions are a fair share of the
         * few each entry takes, and a step spends a fifth of its time
         * here. */
#pragma GCC unroll 8
        for (uint32_t j = 0; j < n; j++) {
            const uint32_t w = v[j].seg, seg = w & ~CONN_CONNECTED;
            /* +1 potential, +1 connected if the bit is set. */
            const uint64_t add = (UINT64_C(1) << 32) | (w >> 31);
            const uint64_t old = counts[seg];
            counts[seg] = old + add;
            /* Without a branch (the first visit to a segment is common and
             * hard to predict): the list has room for one more. */
            touched[nt] = seg;
            nt += old == 0;
        }
    }
    tm->n_touched = nt;
    tm->counts_exact = true;
    /* Active segments are matching too (connected <= potential and
     * activationThreshold >= minThreshold): one sort serves both. */
    uint32_t na = 0, nm = 0;
    uint64_t *keys = tm->keys;
    for (uint32_t i = 0; i < nt; i++)
        if ((uint32_t)(counts[touched[i]] >> 32) >= tm->p.min_threshold)
            keys[nm++] = (uint64_t)c->seg_cell[touched[i]] << 32 | touched[i];
    algo_sort_u64(keys, nm, tm->keys_tmp);
    segments_of_keys(tm, keys, nm, tm->matching_segs);
    tm->n_matching = nm;
    for (uint32_t i = 0; i < nm; i++)
        if ((uint32_t)counts[tm->matching_segs[i]] >=
            tm->p.activation_threshold)
            tm->active_segs[na++] = tm->matching_segs[i];
    tm->n_active_segs = na;
    if (learn) {
        for (uint32_t k = 0; k < na; k++)
            c->seg_last_used[tm->active_segs[k]] = tm->iteration;
        /* Stops at 2^64 - 1 (nupic.core would wrap to 0, leaving segments
         * used "after" the current iteration: a state no reader accepts). */
        if (tm->iteration < UINT64_MAX) tm->iteration++;
    }
    update_predictive(tm);
    return true;
}

/* Sets the bits of the active cells in prev_active_bits (all zero before)
 * and lists the words set in prev_active_words; returns their number.
 * Word by word, as the cells ascend (or-ing into memory cell by cell would
 * chain every update of a word through a store and a load), and a
 * bursting column's cells a word at a time. */
static uint32_t active_bits(nupic_tm *tm) {
    const uint32_t *cells = tm->active_cells, n = tm->n_active;
    const uint32_t cpc = tm->p.cells_per_column;
    uint64_t *bits = tm->prev_active_bits;
    uint32_t *words = tm->prev_active_words, n_words = 0, b = 0;
    uint32_t cur = UINT32_MAX; /* the word being filled in acc */
    uint64_t acc = 0;
    for (uint32_t i = 0; i < n;) {
        const uint32_t cell = cells[i];
        const bool run = b < tm->n_burst && cell == tm->burst_first[b];
        const uint32_t end = run ? cell + cpc : cell + 1;
        for (uint32_t w = cell >> 6; w <= (end - 1) >> 6; w++) {
            if (w != cur) {
                if (cur != UINT32_MAX) {
                    bits[cur] = acc;
                    words[n_words++] = cur;
                }
                cur = w;
                acc = 0;
            }
            acc |= range_bits(cell, end, w);
        }
        b += run;
        i += end - cell;
    }
    if (cur != UINT32_MAX) {
        bits[cur] = acc;
        words[n_words++] = cur;
    }
    return n_words;
}

nupic_status nupic_tm_compute(nupic_tm *tm, const uint32_t *cols, size_t n,
                              bool learn, nupic_error *err) {
    if (tm == NULL || (cols == NULL && n > 0))
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_tm_compute: NULL argument");
    for (size_t i = 0; i < n; i++) {
        if (cols[i] >= tm->num_columns)
            return nupic_error_set(err, NUPIC_ERR_ARG,
                                   "TemporalMemory: active column %u at "
                                   "position %zu is beyond the %u columns",
                                   cols[i], i, tm->num_columns);
        if (i > 0 && cols[i] <= cols[i - 1])
            return nupic_error_set(err, NUPIC_ERR_ARG,
                                   "TemporalMemory: the active columns must "
                                   "ascend without duplicates (%u after %u "
                                   "at position %zu)",
                                   cols[i], cols[i - 1], i);
    }
    /* computeRawAnomalyScore against the columns predicted after the last
     * step. */
    /* (Locals: a store through the byte array could alias any field.) */
    uint8_t *predicted = tm->predicted_column;
    const uint32_t *pred_cells = tm->predictive, n_pred = tm->n_predictive;
    for (uint32_t k = 0; k < n_pred; k++)
        predicted[col_of(tm, pred_cells[k])] = 1;
    size_t hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += predicted[cols[i]];
    for (uint32_t k = 0; k < n_pred; k++)
        predicted[col_of(tm, pred_cells[k])] = 0;
    tm->anomaly = n == 0 ? 0.0f : (float)(n - hits) / (float)n;

    /* The previous step's active cells as a bitset, its winners kept. */
    const uint32_t n_words = active_bits(tm);
    memcpy(tm->prev_winners, tm->winner_cells,
           (size_t)tm->n_winner * sizeof *tm->prev_winners);
    tm->n_prev_winners = tm->n_winner;
    tm->n_active = 0;
    tm->n_burst = 0;
    tm->n_winner = 0;

    bool ok = activate_cells(tm, cols, n, learn);
    for (uint32_t i = 0; i < n_words; i++)
        tm->prev_active_bits[tm->prev_active_words[i]] = 0;
    tm->n_predictive = 0;
    if (ok) ok = activate_dendrites(tm, learn);
    if (!ok) {
        tm->counts_exact = false;
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "TemporalMemory: out of memory growing "
                               "segments and synapses (the step is "
                               "incomplete)");
    }
    return NUPIC_OK;
}

void nupic_tm_reset(nupic_tm *tm) {
    if (tm == NULL) return;
    tm->n_active = 0;
    tm->n_burst = 0;
    tm->counts_exact = false;
    tm->n_winner = 0;
    tm->n_active_segs = 0;
    tm->n_matching = 0;
    tm->n_predictive = 0;
}

/* ------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------ */

void nupic_tm_get_params(const nupic_tm *tm, nupic_tm_params *out) {
    *out = tm->p;
}
uint32_t nupic_tm_num_columns(const nupic_tm *tm) {
    return tm->num_columns;
}
uint32_t nupic_tm_num_cells(const nupic_tm *tm) {
    return tm->num_cells;
}
uint64_t nupic_tm_iteration(const nupic_tm *tm) {
    return tm->iteration;
}
uint32_t nupic_tm_num_segments(const nupic_tm *tm) {
    return tm->c.live_segments;
}
uint32_t nupic_tm_num_synapses(const nupic_tm *tm) {
    return tm->c.live_synapses;
}
const uint32_t *nupic_tm_active_cells(const nupic_tm *tm, size_t *n) {
    *n = tm->n_active;
    return tm->active_cells;
}
const uint32_t *nupic_tm_winner_cells(const nupic_tm *tm, size_t *n) {
    *n = tm->n_winner;
    return tm->winner_cells;
}
const uint32_t *nupic_tm_predictive_cells(const nupic_tm *tm, size_t *n) {
    *n = tm->n_predictive;
    return tm->predictive;
}
float nupic_tm_anomaly(const nupic_tm *tm) {
    return tm->anomaly;
}

static size_t segment_list(const nupic_tm *tm, const uint32_t *segs, uint32_t n,
                           nupic_tm_segment *out, size_t cap) {
    for (uint32_t i = 0; i < n && i < cap; i++) {
        out[i].cell = tm->c.seg_cell[segs[i]];
        out[i].idx_on_cell = tm->c.seg_idx[segs[i]];
    }
    return n;
}
size_t nupic_tm_active_segments(const nupic_tm *tm, nupic_tm_segment *out,
                                size_t cap) {
    return segment_list(tm, tm->active_segs, tm->n_active_segs, out, cap);
}
size_t nupic_tm_matching_segments(const nupic_tm *tm, nupic_tm_segment *out,
                                  size_t cap) {
    return segment_list(tm, tm->matching_segs, tm->n_matching, out, cap);
}
size_t nupic_tm_segments_on_cell(const nupic_tm *tm, uint32_t cell) {
    if (cell >= tm->num_cells) return SIZE_MAX;
    return tm->c.cell_segs[cell].n;
}
size_t nupic_tm_synapses(const nupic_tm *tm, nupic_tm_segment seg,
                         uint32_t *presynaptic, float *permanence, size_t cap) {
    if (seg.cell >= tm->num_cells ||
        seg.idx_on_cell >= tm->c.cell_segs[seg.cell].n)
        return SIZE_MAX;
    uint32_t id = conn_cell_segs(&tm->c, seg.cell)[seg.idx_on_cell];
    const conn_syn *syns = conn_seg_syns(&tm->c, id);
    uint32_t n = tm->c.seg_syns[id].n;
    for (uint32_t i = 0; i < n && i < cap; i++) {
        if (presynaptic) presynaptic[i] = syns[i].presyn;
        if (permanence) permanence[i] = syns[i].perm;
    }
    return n;
}

/* ------------------------------------------------------------------------
 * Equality
 * ------------------------------------------------------------------------ */

#define DIFF(...)                                                              \
    do {                                                                       \
        if (diff && diff_size) snprintf(diff, diff_size, __VA_ARGS__);         \
        return false;                                                          \
    } while (0)

static bool same_u32s(const uint32_t *a, const uint32_t *b, uint32_t n,
                      uint32_t *at) {
    for (uint32_t i = 0; i < n; i++)
        if (a[i] != b[i]) {
            *at = i;
            return false;
        }
    return true;
}

static bool same_float(float a, float b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

bool nupic_tm_equal(const nupic_tm *a, const nupic_tm *b, char *diff,
                    size_t diff_size) {
    if (diff && diff_size) diff[0] = '\0';
    const nupic_tm_params *p = &a->p, *q = &b->p;
    if (p->num_dimensions != q->num_dimensions ||
        memcmp(p->column_dimensions, q->column_dimensions,
               p->num_dimensions * sizeof p->column_dimensions[0]) != 0)
        DIFF("columnDimensions differ");
#define SAME_U(f, name)                                                        \
    if (p->f != q->f) DIFF("%s: %u != %u", name, (unsigned)p->f, (unsigned)q->f)
#define SAME_F(f, name)                                                        \
    if (!same_float(p->f, q->f))                                               \
    DIFF("%s: %.9g != %.9g", name, (double)p->f, (double)q->f)
    SAME_U(cells_per_column, "cellsPerColumn");
    SAME_U(activation_threshold, "activationThreshold");
    SAME_F(initial_permanence, "initialPermanence");
    SAME_F(connected_permanence, "connectedPermanence");
    SAME_U(min_threshold, "minThreshold");
    SAME_U(max_new_synapse_count, "maxNewSynapseCount");
    SAME_F(permanence_increment, "permanenceIncrement");
    SAME_F(permanence_decrement, "permanenceDecrement");
    SAME_F(predicted_segment_decrement, "predictedSegmentDecrement");
    SAME_U(max_segments_per_cell, "maxSegmentsPerCell");
    SAME_U(max_synapses_per_segment, "maxSynapsesPerSegment");
    SAME_U(check_inputs, "checkInputs");
#undef SAME_U
#undef SAME_F
    if (!nupic_random_equal(&a->rng, &b->rng)) DIFF("random state differs");
    if (a->iteration != b->iteration)
        DIFF("iteration: %llu != %llu", (unsigned long long)a->iteration,
             (unsigned long long)b->iteration);
    const connections *ca = &a->c, *cb = &b->c;
    if (ca->live_segments != cb->live_segments ||
        ca->live_synapses != cb->live_synapses)
        DIFF("%u segments and %u synapses != %u and %u", ca->live_segments,
             ca->live_synapses, cb->live_segments, cb->live_synapses);
    for (uint32_t cell = 0; cell < a->num_cells; cell++) {
        uint32_t na = ca->cell_segs[cell].n, nb = cb->cell_segs[cell].n;
        if (na != nb) DIFF("cell %u: %u segments != %u", cell, na, nb);
        for (uint32_t j = 0; j < na; j++) {
            uint32_t sa = conn_cell_segs(ca, cell)[j],
                     sb = conn_cell_segs(cb, cell)[j];
            uint32_t ya = ca->seg_syns[sa].n, yb = cb->seg_syns[sb].n;
            if (ya != yb)
                DIFF("cell %u segment %u: %u synapses != %u", cell, j, ya, yb);
            if (ca->seg_last_used[sa] != cb->seg_last_used[sb])
                DIFF("cell %u segment %u: last used at %llu != %llu", cell, j,
                     (unsigned long long)ca->seg_last_used[sa],
                     (unsigned long long)cb->seg_last_used[sb]);
            if (conn_potential(ca, sa) != conn_potential(cb, sb))
                DIFF("cell %u segment %u: %u active potential synapses != %u",
                     cell, j, conn_potential(ca, sa), conn_potential(cb, sb));
            const conn_syn *xa = conn_seg_syns(ca, sa),
                           *xb = conn_seg_syns(cb, sb);
            for (uint32_t k = 0; k < ya; k++)
                if (xa[k].presyn != xb[k].presyn ||
                    !same_float(xa[k].perm, xb[k].perm))
                    DIFF("cell %u segment %u synapse %u: (%u, %.9g) != (%u, "
                         "%.9g)",
                         cell, j, k, xa[k].presyn, (double)xa[k].perm,
                         xb[k].presyn, (double)xb[k].perm);
        }
    }
    uint32_t at = 0;
    if (a->n_active != b->n_active ||
        !same_u32s(a->active_cells, b->active_cells, a->n_active, &at))
        DIFF("active cells differ (%u and %u cells; first difference at %u)",
             a->n_active, b->n_active, at);
    if (a->n_winner != b->n_winner ||
        !same_u32s(a->winner_cells, b->winner_cells, a->n_winner, &at))
        DIFF("winner cells differ (%u and %u cells; first difference at %u)",
             a->n_winner, b->n_winner, at);
    const struct {
        const char *name;
        const uint32_t *sa, *sb;
        uint32_t na, nb;
    } lists[] = {{"active segments", a->active_segs, b->active_segs,
                  a->n_active_segs, b->n_active_segs},
                 {"matching segments", a->matching_segs, b->matching_segs,
                  a->n_matching, b->n_matching}};
    for (size_t l = 0; l < 2; l++) {
        if (lists[l].na != lists[l].nb)
            DIFF("%s: %u != %u", lists[l].name, lists[l].na, lists[l].nb);
        for (uint32_t i = 0; i < lists[l].na; i++)
            if (key_of(a, lists[l].sa[i]) != key_of(b, lists[l].sb[i]))
                DIFF("%s differ at %u", lists[l].name, i);
    }
    return true;
}
#undef DIFF

/* ------------------------------------------------------------------------
 * Writing (canonical; see nupic/tm.h)
 * ------------------------------------------------------------------------ */

static uint64_t message_words(const nupic_tm *tm) {
    const connections *c = &tm->c;
    /* At most one segment list per segment: a bound, not a count, so that
     * sizing the message need not read every cell. */
    const uint64_t cells_with =
        c->live_segments < tm->num_cells ? c->live_segments : tm->num_cells;
    return 64 + (uint64_t)tm->num_cells + cells_with +        /* cells */
           2 * (uint64_t)c->live_segments +                   /* segments */
           (uint64_t)c->live_synapses +                       /* synapses */
           4 * (uint64_t)c->live_segments + 4 +               /* per segment */
           (uint64_t)tm->n_active_segs + tm->n_matching + 2 + /* paths */
           ((uint64_t)tm->n_active + tm->n_winner) / 2 + 2;
}

nupic_status nupic_tm_write(const nupic_tm *tm, TemporalMemoryProto_B b,
                            nupic_error *err) {
    const nupic_tm_params *p = &tm->p;
    const connections *c = &tm->c;
    TemporalMemoryProto_set_columnDimensions(b, p->column_dimensions,
                                             p->num_dimensions);
    TemporalMemoryProto_set_cellsPerColumn(b, p->cells_per_column);
    TemporalMemoryProto_set_activationThreshold(b, p->activation_threshold);
    TemporalMemoryProto_set_initialPermanence(b, p->initial_permanence);
    TemporalMemoryProto_set_connectedPermanence(b, p->connected_permanence);
    TemporalMemoryProto_set_minThreshold(b, p->min_threshold);
    TemporalMemoryProto_set_maxNewSynapseCount(b, p->max_new_synapse_count);
    TemporalMemoryProto_set_checkInputs(b, p->check_inputs);
    TemporalMemoryProto_set_permanenceIncrement(b, p->permanence_increment);
    TemporalMemoryProto_set_permanenceDecrement(b, p->permanence_decrement);
    TemporalMemoryProto_set_predictedSegmentDecrement(
        b, p->predicted_segment_decrement);
    TemporalMemoryProto_set_maxSegmentsPerCell(
        b, (uint16_t)p->max_segments_per_cell);
    TemporalMemoryProto_set_maxSynapsesPerSegment(
        b, (uint16_t)p->max_synapses_per_segment);

    /* The segments in save order: only the cells with segments are
     * visited (the others keep the null list that reads as empty), and the
     * synapse blocks, scattered over the pool by learning, are fetched a
     * few segments ahead. */
    uint32_t *order = NULL;
    const uint32_t n_segs = c->live_segments;
    if (!conn_segments_in_order(c, &order))
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "TemporalMemoryProto: out of memory ordering "
                               "%u segments",
                               n_segs);
    enum { AHEAD = 4 };
    for (uint32_t i = 0; i < AHEAD && i < n_segs; i++)
        conn_prefetch_syns(c, order[i]);
    ConnectionsProto_B cp = TemporalMemoryProto_init_connections(b);
    ConnectionsProto_set_version(cp, CONNECTIONS_VERSION);
    ConnectionsProto_CellProto_BList cells =
        ConnectionsProto_init_cells(cp, tm->num_cells);
    ConnectionsProto_SegmentProto_BList sl = {0};
    for (uint32_t i = 0; i < n_segs; i++) {
        const uint32_t seg = order[i], j = c->seg_idx[seg];
        if (i + AHEAD < n_segs) conn_prefetch_syns(c, order[i + AHEAD]);
        if (j == 0) /* the first segment of its cell */
            sl = ConnectionsProto_CellProto_init_segments(
                ConnectionsProto_CellProto_BList_get(cells, c->seg_cell[seg]),
                c->cell_segs[c->seg_cell[seg]].n);
        const uint32_t n = c->seg_syns[seg].n;
        ConnectionsProto_SynapseProto_BList yl =
            ConnectionsProto_SegmentProto_init_synapses_unzeroed(
                ConnectionsProto_SegmentProto_BList_get(sl, j), n);
        uint8_t *dst = yl.l.start;
        if (dst == NULL || yl.l.step_bits != 64) continue;
        const conn_syn *syns = conn_seg_syns(c, seg);
        for (uint32_t k = 0; k < n; k++)
            ncp_store64(dst + (size_t)k * 8,
                        (uint64_t)syns[k].presyn |
                            (uint64_t)ncp_f32_to_bits(syns[k].perm) << 32);
    }
    nupic_status st =
        nupic_random_write(&tm->rng, TemporalMemoryProto_init_random(b), err);
    if (st != NUPIC_OK) {
        free(order);
        return st;
    }
    TemporalMemoryProto_set_activeCells(b, tm->active_cells, tm->n_active);
    TemporalMemoryProto_set_winnerCells(b, tm->winner_cells, tm->n_winner);
    TemporalMemoryProto_SegmentPath_BList as =
        TemporalMemoryProto_init_activeSegments(b, tm->n_active_segs);
    for (uint32_t i = 0; i < tm->n_active_segs; i++) {
        TemporalMemoryProto_SegmentPath_B e =
            TemporalMemoryProto_SegmentPath_BList_get(as, i);
        TemporalMemoryProto_SegmentPath_set_cell(
            e, c->seg_cell[tm->active_segs[i]]);
        TemporalMemoryProto_SegmentPath_set_idxOnCell(
            e, c->seg_idx[tm->active_segs[i]]);
    }
    TemporalMemoryProto_SegmentPath_BList ms =
        TemporalMemoryProto_init_matchingSegments(b, tm->n_matching);
    for (uint32_t i = 0; i < tm->n_matching; i++) {
        TemporalMemoryProto_SegmentPath_B e =
            TemporalMemoryProto_SegmentPath_BList_get(ms, i);
        TemporalMemoryProto_SegmentPath_set_cell(
            e, c->seg_cell[tm->matching_segs[i]]);
        TemporalMemoryProto_SegmentPath_set_idxOnCell(
            e, c->seg_idx[tm->matching_segs[i]]);
    }
    TemporalMemoryProto_SegmentUInt32Pair_BList pot =
        TemporalMemoryProto_init_numActivePotentialSynapsesForSegment(
            b, c->live_segments);
    TemporalMemoryProto_set_iteration(b, tm->iteration);
    TemporalMemoryProto_SegmentUInt64Pair_BList last =
        TemporalMemoryProto_init_lastUsedIterationForSegment(b,
                                                             c->live_segments);
    for (uint32_t i = 0; i < n_segs; i++) {
        const uint32_t seg = order[i];
        const uint32_t cell = c->seg_cell[seg], j = c->seg_idx[seg];
        TemporalMemoryProto_SegmentUInt32Pair_B e =
            TemporalMemoryProto_SegmentUInt32Pair_BList_get(pot, i);
        TemporalMemoryProto_SegmentUInt32Pair_set_cell(e, cell);
        TemporalMemoryProto_SegmentUInt32Pair_set_idxOnCell(e, j);
        TemporalMemoryProto_SegmentUInt32Pair_set_number(
            e, conn_potential(c, seg));
        TemporalMemoryProto_SegmentUInt64Pair_B f =
            TemporalMemoryProto_SegmentUInt64Pair_BList_get(last, i);
        TemporalMemoryProto_SegmentUInt64Pair_set_cell(f, cell);
        TemporalMemoryProto_SegmentUInt64Pair_set_idxOnCell(f, j);
        TemporalMemoryProto_SegmentUInt64Pair_set_number(f,
                                                         c->seg_last_used[seg]);
    }
    free(order);
    if (ncp_builder_status(b.s.b) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_builder_error(b.s.b));
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Reading (nupic.core's TemporalMemory::read, checking every value)
 * ------------------------------------------------------------------------ */

#define FMT(...)                                                               \
    nupic_error_set(err, NUPIC_ERR_FORMAT, "TemporalMemoryProto." __VA_ARGS__)

static nupic_status read_params(TemporalMemoryProto_R r, nupic_tm_params *p,
                                uint32_t *num_columns, nupic_error *err) {
    memset(p, 0, sizeof *p);
    ncp_list dims = TemporalMemoryProto_get_columnDimensions(r);
    uint32_t nd = ncp_list_len(&dims);
    if (nd < 1 || nd > NUPIC_TM_MAX_DIMS)
        return FMT("columnDimensions: %u dimensions (1 to %d supported)", nd,
                   NUPIC_TM_MAX_DIMS);
    ncp_list_get_u32s(&dims, 0, nd, p->column_dimensions);
    p->num_dimensions = nd;
    p->cells_per_column = TemporalMemoryProto_get_cellsPerColumn(r);
    p->activation_threshold = TemporalMemoryProto_get_activationThreshold(r);
    p->initial_permanence = TemporalMemoryProto_get_initialPermanence(r);
    p->connected_permanence = TemporalMemoryProto_get_connectedPermanence(r);
    p->min_threshold = TemporalMemoryProto_get_minThreshold(r);
    p->max_new_synapse_count = TemporalMemoryProto_get_maxNewSynapseCount(r);
    p->permanence_increment = TemporalMemoryProto_get_permanenceIncrement(r);
    p->permanence_decrement = TemporalMemoryProto_get_permanenceDecrement(r);
    p->predicted_segment_decrement =
        TemporalMemoryProto_get_predictedSegmentDecrement(r);
    p->max_segments_per_cell = TemporalMemoryProto_get_maxSegmentsPerCell(r);
    p->max_synapses_per_segment =
        TemporalMemoryProto_get_maxSynapsesPerSegment(r);
    p->check_inputs = TemporalMemoryProto_get_checkInputs(r);
    p->seed = 0; /* the random state is read whole */
    return validate(p, "TemporalMemoryProto.", NUPIC_ERR_FORMAT, num_columns,
                    err);
}

/* The first cell from `cell` on (num if none) whose pointer word, at p +
 * cell * step, is not null: most cells have no segments, so contiguous pointers
 * are tested four at a time. */
static uint32_t next_cell(const uint8_t *p, size_t step, uint32_t cell,
                          uint32_t num) {
    if (step == 8)
        for (; num - cell >= 4; cell += 4) {
            const uint8_t *q = p + (size_t)cell * 8;
            if ((ncp_load64(q) | ncp_load64(q + 8) | ncp_load64(q + 16) |
                 ncp_load64(q + 24)) != 0)
                break;
        }
    for (; cell < num; cell++)
        if (ncp_load64(p + (size_t)cell * step) != 0) break;
    return cell;
}

/* The connections, checked: cell count, segments and synapses within the
 * maxima, presynaptic cells in range and distinct on a segment,
 * permanences in (0, 1].  SynapseProto elements are read straight from
 * their words in the usual encoding (one data word: presynaptic cell in
 * bits 0-31, permanence in 32-63). */
static nupic_status read_connections(nupic_tm *tm, ConnectionsProto_R cp,
                                     uint64_t bound, nupic_error *err) {
    connections *c = &tm->c;
    if (ConnectionsProto_get_version(cp) > CONNECTIONS_VERSION)
        return FMT("connections.version %u is newer than this reader's (%u)",
                   ConnectionsProto_get_version(cp), CONNECTIONS_VERSION);
    ConnectionsProto_CellProto_RList cells = ConnectionsProto_get_cells(cp);
    if (ConnectionsProto_CellProto_RList_len(cells) != tm->num_cells)
        return FMT("connections.cells: %u cells, expected %u (%u columns of "
                   "%u)",
                   ConnectionsProto_CellProto_RList_len(cells), tm->num_cells,
                   tm->num_columns, tm->p.cells_per_column);
    /* Every segment and synapse takes at least a word of the message. */
    if (bound > UINT32_MAX) bound = UINT32_MAX;
    if (!conn_load_begin(c, (uint32_t)bound))
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "TemporalMemory: out of memory reading "
                               "segments");
    /* Raw pointer words of the cells (a null one: no segments). */
    const ncp_list *cl = &cells.l;
    const bool raw_cells = cl->ptr_count >= 1 && cl->step_bits % 64 == 0;
    const size_t cell_step = cl->step_bits / 8, cell_ptr = cl->data_bits / 8;
    uint64_t *seen = tm->prev_active_bits; /* zero; cleared after use */
    uint64_t synapses = 0;
    for (uint32_t cell = 0; cell < tm->num_cells; cell++) {
        if (raw_cells) {
            cell =
                next_cell(cl->start + cell_ptr, cell_step, cell, tm->num_cells);
            if (cell == tm->num_cells) break;
        }
        ConnectionsProto_SegmentProto_RList segs =
            ConnectionsProto_CellProto_get_segments(
                ConnectionsProto_CellProto_RList_get(cells, cell));
        uint32_t ns = ConnectionsProto_SegmentProto_RList_len(segs);
        if (ns == 0) continue;
        if (ns > tm->p.max_segments_per_cell)
            return FMT("connections.cells[%u]: %u segments, more than "
                       "maxSegmentsPerCell %u",
                       cell, ns, tm->p.max_segments_per_cell);
        if ((uint64_t)c->seg_len + ns > bound)
            return FMT("connections.cells[%u]: %u segments, more than the "
                       "message (%llu words) can hold",
                       cell, ns, (unsigned long long)bound);
        if (!conn_load_cell(c, cell, ns))
            return nupic_error_set(err, NUPIC_ERR_NOMEM,
                                   "TemporalMemory: out of memory reading "
                                   "the segments of cell %u",
                                   cell);
        for (uint32_t j = 0; j < ns; j++) {
            ConnectionsProto_SynapseProto_RList syns =
                ConnectionsProto_SegmentProto_get_synapses(
                    ConnectionsProto_SegmentProto_RList_get(segs, j));
            uint32_t n = ConnectionsProto_SynapseProto_RList_len(syns);
            if (n > tm->p.max_synapses_per_segment)
                return FMT("connections.cells[%u].segments[%u]: %u synapses, "
                           "more than maxSynapsesPerSegment %u",
                           cell, j, n, tm->p.max_synapses_per_segment);
            if (synapses + n > bound)
                return FMT("connections.cells[%u].segments[%u]: %u synapses, "
                           "more than the message (%llu words) can hold",
                           cell, j, n, (unsigned long long)bound);
            synapses += n;
            uint32_t seg;
            conn_syn *dst = conn_load_segment(c, cell, n, &seg);
            const bool raw = syns.l.data_bits >= 64;
            const size_t step = syns.l.step_bits / 8;
            nupic_status st = NUPIC_OK;
            uint32_t k = 0;
            for (; k < n; k++) {
                uint32_t pre;
                float perm;
                if (raw) {
                    uint64_t w = ncp_load64(syns.l.start + (size_t)k * step);
                    pre = (uint32_t)w;
                    perm = ncp_f32_from_bits((uint32_t)(w >> 32));
                } else {
                    ConnectionsProto_SynapseProto_R e =
                        ConnectionsProto_SynapseProto_RList_get(syns, k);
                    pre = ConnectionsProto_SynapseProto_get_presynapticCell(e);
                    perm = ConnectionsProto_SynapseProto_get_permanence(e);
                }
                /* One test for the three errors, told apart below: a
                 * cell out of range, a permanence outside (0, 1] (as
                 * bits, ordered like positive floats, 1.0f is 0x3f800000;
                 * NaNs and negatives are above), a second synapse from a
                 * cell. */
                uint32_t in = pre < tm->num_cells ? pre : 0;
                uint64_t bit = UINT64_C(1) << (in & 63);
                if (NCP_UNLIKELY((pre >= tm->num_cells) |
                                 (ncp_f32_to_bits(perm) - 1u >= 0x3f800000u) |
                                 ((seen[in >> 6] & bit) != 0))) {
                    if (pre >= tm->num_cells)
                        st = FMT("connections.cells[%u].segments[%u]."
                                 "synapses[%u]: presynaptic cell %u, beyond "
                                 "the %u cells",
                                 cell, j, k, pre, tm->num_cells);
                    else if (!(perm > 0.0f && perm <= 1.0f))
                        st = FMT("connections.cells[%u].segments[%u]."
                                 "synapses[%u]: permanence %.9g is not in "
                                 "(0, 1]",
                                 cell, j, k, (double)perm);
                    else
                        st = FMT("connections.cells[%u].segments[%u]: two "
                                 "synapses from cell %u",
                                 cell, j, pre);
                    break;
                }
                seen[in >> 6] |= bit;
                conn_load_synapse(c, dst, k, pre, perm);
            }
            for (uint32_t i = 0; i < k; i++)
                seen[dst[i].presyn >> 6] = 0;
            if (st != NUPIC_OK) return st;
        }
    }
    if (!conn_load_finish(c))
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "TemporalMemory: out of memory reading "
                               "synapses");
    return NUPIC_OK;
}

/* A sorted list of distinct cells. */
static nupic_status read_cells(ncp_list l, const char *name, uint32_t *dst,
                               uint32_t *n, uint32_t num_cells,
                               nupic_error *err) {
    uint32_t len = ncp_list_len(&l);
    if (len > num_cells)
        return FMT("%s: %u cells, more than the %u there are", name, len,
                   num_cells);
    ncp_list_get_u32s(&l, 0, len, dst);
    for (uint32_t i = 0; i < len; i++) {
        if (dst[i] >= num_cells)
            return FMT("%s[%u]: cell %u, beyond the %u cells", name, i, dst[i],
                       num_cells);
        if (i > 0 && dst[i] <= dst[i - 1])
            return FMT("%s: not ascending (%u after %u)", name, dst[i],
                       dst[i - 1]);
    }
    *n = len;
    return NUPIC_OK;
}

/* A sorted list of segment paths, into segment ids. */
static nupic_status read_paths(nupic_tm *tm,
                               TemporalMemoryProto_SegmentPath_RList l,
                               const char *name, uint32_t *dst, uint32_t *n,
                               nupic_error *err) {
    uint32_t len = TemporalMemoryProto_SegmentPath_RList_len(l);
    if (len > tm->c.live_segments)
        return FMT("%s: %u segments, more than the %u there are", name, len,
                   tm->c.live_segments);
    uint64_t prev = 0;
    for (uint32_t i = 0; i < len; i++) {
        TemporalMemoryProto_SegmentPath_R e =
            TemporalMemoryProto_SegmentPath_RList_get(l, i);
        uint32_t cell = TemporalMemoryProto_SegmentPath_get_cell(e);
        uint32_t idx = TemporalMemoryProto_SegmentPath_get_idxOnCell(e);
        if (cell >= tm->num_cells || idx >= tm->c.cell_segs[cell].n)
            return FMT("%s[%u]: cell %u segment %u does not exist", name, i,
                       cell, idx);
        uint64_t key = (uint64_t)cell << 32 | idx;
        if (i > 0 && key <= prev)
            return FMT("%s: not sorted by cell and segment (cell %u segment %u "
                       "at %u)",
                       name, cell, idx, i);
        prev = key;
        dst[i] = conn_cell_segs(&tm->c, cell)[idx];
    }
    *n = len;
    return NUPIC_OK;
}

/* The per-segment lists.  nupic.core writes one entry per slot of its
 * internal segment table, destroyed segments included: those name their
 * old cell with an index one past its last segment, and are skipped. */
static nupic_status read_per_segment(nupic_tm *tm, TemporalMemoryProto_R r,
                                     uint8_t *seen, nupic_error *err) {
    connections *c = &tm->c;
    TemporalMemoryProto_SegmentUInt32Pair_RList pl =
        TemporalMemoryProto_get_numActivePotentialSynapsesForSegment(r);
    uint32_t n = TemporalMemoryProto_SegmentUInt32Pair_RList_len(pl);
    memset(seen, 0, c->seg_len);
    for (uint32_t i = 0; i < n; i++) {
        TemporalMemoryProto_SegmentUInt32Pair_R e =
            TemporalMemoryProto_SegmentUInt32Pair_RList_get(pl, i);
        uint32_t cell = TemporalMemoryProto_SegmentUInt32Pair_get_cell(e);
        uint32_t idx = TemporalMemoryProto_SegmentUInt32Pair_get_idxOnCell(e);
        uint32_t num = TemporalMemoryProto_SegmentUInt32Pair_get_number(e);
        if (cell >= tm->num_cells || idx > c->cell_segs[cell].n)
            return FMT("numActivePotentialSynapsesForSegment[%u]: cell %u "
                       "segment %u does not exist",
                       i, cell, idx);
        if (idx == c->cell_segs[cell].n) continue; /* destroyed */
        uint32_t seg = conn_cell_segs(c, cell)[idx];
        if (seen[seg])
            return FMT("numActivePotentialSynapsesForSegment[%u]: cell %u "
                       "segment %u is listed twice",
                       i, cell, idx);
        seen[seg] = 1;
        if (num > c->seg_syns[seg].n)
            return FMT("numActivePotentialSynapsesForSegment[%u]: %u active "
                       "synapses on cell %u segment %u, which has %u",
                       i, num, cell, idx, c->seg_syns[seg].n);
        /* No connected count is stored. */
        c->seg_counts[seg] = (uint64_t)num << 32;
    }
    TemporalMemoryProto_SegmentUInt64Pair_RList ll =
        TemporalMemoryProto_get_lastUsedIterationForSegment(r);
    n = TemporalMemoryProto_SegmentUInt64Pair_RList_len(ll);
    memset(seen, 0, c->seg_len);
    for (uint32_t i = 0; i < n; i++) {
        TemporalMemoryProto_SegmentUInt64Pair_R e =
            TemporalMemoryProto_SegmentUInt64Pair_RList_get(ll, i);
        uint32_t cell = TemporalMemoryProto_SegmentUInt64Pair_get_cell(e);
        uint32_t idx = TemporalMemoryProto_SegmentUInt64Pair_get_idxOnCell(e);
        uint64_t num = TemporalMemoryProto_SegmentUInt64Pair_get_number(e);
        if (cell >= tm->num_cells || idx > c->cell_segs[cell].n)
            return FMT("lastUsedIterationForSegment[%u]: cell %u segment %u "
                       "does not exist",
                       i, cell, idx);
        if (idx == c->cell_segs[cell].n) continue; /* destroyed */
        uint32_t seg = conn_cell_segs(c, cell)[idx];
        if (seen[seg])
            return FMT("lastUsedIterationForSegment[%u]: cell %u segment %u is "
                       "listed twice",
                       i, cell, idx);
        seen[seg] = 1;
        if (num > tm->iteration)
            return FMT("lastUsedIterationForSegment[%u]: iteration %llu is "
                       "after the current one (%llu)",
                       i, (unsigned long long)num,
                       (unsigned long long)tm->iteration);
        c->seg_last_used[seg] = num;
    }
    return NUPIC_OK;
}

static nupic_status read_tm(TemporalMemoryProto_R r, nupic_tm **out,
                            nupic_error *err) {
    if (out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG, "nupic_tm_read: NULL out");
    *out = NULL;
    nupic_tm_params p;
    uint32_t cols = 0;
    nupic_status st = read_params(r, &p, &cols, err);
    if (st != NUPIC_OK) return st;
    /* A cell takes a word of the message: check that it holds the cells
     * the parameters claim before allocating anything for them. */
    ConnectionsProto_R cp = TemporalMemoryProto_get_connections(r);
    uint32_t held =
        ConnectionsProto_CellProto_RList_len(ConnectionsProto_get_cells(cp));
    if (ConnectionsProto_get_version(cp) <= CONNECTIONS_VERSION &&
        held != cols * p.cells_per_column)
        return FMT("connections.cells: %u cells, expected %u (%u columns of "
                   "%u)",
                   held, cols * p.cells_per_column, cols, p.cells_per_column);
    nupic_tm *tm;
    st = create(&p, cols, &tm, err);
    if (st != NUPIC_OK) return st;
    uint8_t *seen = NULL;
    uint64_t bound = r.s.msg ? ncp_msg_size_words(r.s.msg) : 0;
    st = nupic_random_read(TemporalMemoryProto_get_random(r), &tm->rng, err);
    if (st == NUPIC_OK)
        st = read_connections(tm, TemporalMemoryProto_get_connections(r), bound,
                              err);
    if (st != NUPIC_OK) goto fail;
    if (!seglists_room(tm) ||
        (seen = malloc(tm->c.seg_len ? tm->c.seg_len : 1)) == NULL) {
        st = nupic_error_set(err, NUPIC_ERR_NOMEM,
                             "TemporalMemory: out of memory for reading");
        goto fail;
    }
    tm->iteration = TemporalMemoryProto_get_iteration(r);
    st = read_cells(TemporalMemoryProto_get_activeCells(r), "activeCells",
                    tm->active_cells, &tm->n_active, tm->num_cells, err);
    if (st == NUPIC_OK)
        st = read_cells(TemporalMemoryProto_get_winnerCells(r), "winnerCells",
                        tm->winner_cells, &tm->n_winner, tm->num_cells, err);
    if (st == NUPIC_OK)
        st = read_paths(tm, TemporalMemoryProto_get_activeSegments(r),
                        "activeSegments", tm->active_segs, &tm->n_active_segs,
                        err);
    if (st == NUPIC_OK)
        st = read_paths(tm, TemporalMemoryProto_get_matchingSegments(r),
                        "matchingSegments", tm->matching_segs, &tm->n_matching,
                        err);
    if (st == NUPIC_OK) st = read_per_segment(tm, r, seen, err);
    if (st == NUPIC_OK && r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK)
        st = nupic_error_from_ncp(err, ncp_msg_error(r.s.msg));
    if (st != NUPIC_OK) goto fail;
    /* The segments whose counts are nonzero are reset at the next step. */
    for (uint32_t s = 0; s < tm->c.seg_len; s++)
        if (tm->c.seg_counts[s] != 0) tm->touched[tm->n_touched++] = s;
    update_predictive(tm);
    free(seen);
    *out = tm;
    return NUPIC_OK;
fail:
    free(seen);
    nupic_tm_free(tm);
    return st;
}
#undef FMT

/* When the message itself is malformed (a pointer out of bounds or of the
 * wrong kind reads as empty), the runtime's error is the cause; what the
 * empty value then broke is not reported. */
nupic_status nupic_tm_read(TemporalMemoryProto_R r, nupic_tm **out,
                           nupic_error *err) {
    nupic_error local = {NUPIC_OK, ""};
    nupic_status st = read_tm(r, out, &local);
    if (st == NUPIC_OK) return st;
    if (st == NUPIC_ERR_FORMAT && r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_msg_error(r.s.msg));
    return nupic_error_set(err, st, "%s", local.message);
}

/* ------------------------------------------------------------------------
 * Files, memory, paths
 * ------------------------------------------------------------------------ */

static nupic_status writer(const void *obj, ncp_builder *b, nupic_error *err) {
    return nupic_tm_write(obj, TemporalMemoryProto_new_root(b), err);
}

static nupic_status reader(ncp_msg *m, void **out, nupic_error *err) {
    nupic_tm *tm = NULL;
    nupic_status st = nupic_tm_read(TemporalMemoryProto_read_root(m), &tm, err);
    *out = tm;
    return st;
}

nupic_status nupic_tm_write_to_file(const nupic_tm *tm, FILE *f,
                                    const nupic_save_options *o,
                                    nupic_error *err) {
    return persist_to_file(tm, writer, message_words(tm), f, o, err);
}

nupic_status nupic_tm_read_from_file(FILE *f, const nupic_load_options *o,
                                     nupic_tm **out, nupic_error *err) {
    return persist_from_file(f, reader, o, (void **)out, err);
}

nupic_status nupic_tm_write_to_mem(const nupic_tm *tm,
                                   const nupic_save_options *o, void **buf,
                                   size_t *len, nupic_error *err) {
    return persist_to_mem(tm, writer, message_words(tm), buf, len, o, err);
}

nupic_status nupic_tm_read_from_mem(const void *buf, size_t len,
                                    const nupic_load_options *o, nupic_tm **out,
                                    nupic_error *err) {
    return persist_from_mem(buf, len, reader, o, (void **)out, err);
}

nupic_status nupic_tm_save(const nupic_tm *tm, const char *path,
                           const nupic_save_options *o, nupic_error *err) {
    return persist_to_path(tm, writer, message_words(tm), path, o, err);
}

nupic_status nupic_tm_load(const char *path, const nupic_load_options *o,
                           nupic_tm **out, nupic_error *err) {
    return persist_from_path(path, reader, o, (void **)out, err);
}
