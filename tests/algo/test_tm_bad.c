/*
 * tests/algo/test_tm_bad.c - the temporal memory's reader on hostile input.
 *
 * Valid states (small temporal memories after some steps, nupic.core's
 * files) are truncated, corrupted, read as the wrong type, and rebuilt with
 * the generated builder API with one thing wrong: cell counts that disagree
 * with the parameters, synapses from cells that do not exist or twice from
 * one cell, permanences that are NaN, infinite or outside (0, 1], more
 * segments or synapses than the maxima, cell and segment lists out of range
 * or out of order, per-segment lists naming segments that do not exist,
 * invalid parameters, a newer connections version, bad random state.  Each
 * must fail with the status and a message naming the field and the
 * offending value, from memory, a FILE* and a path, return no object and
 * leak nothing (LeakSanitizer in the asan build).  Every state that reads
 * must write back to the same state and bytes, and compute.
 *
 * With NUPIC_TM_CORPUS_OUT=DIR in the environment every message built here
 * is also written to DIR (the source of the mutated seeds of
 * fuzz/corpus/tm/).
 */
#define _POSIX_C_SOURCE 200809L

#include "persist.h"
#include "test_support.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/random.h>
#include <nupic/sp.h>
#include <nupic/tm.h>

#include "nupic/proto/RandomProto.capnp.h"

/* One test (claimed_cells_not_held) asks for far more memory than a
 * machine has, to show that the reader does not: under AddressSanitizer
 * such a request must fail (NULL) rather than abort the program. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TM_BAD_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TM_BAD_ASAN 1
#endif
#ifdef TM_BAD_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "allocator_may_return_null=1";
}
#endif

#define NCOLS        64u /* columns of the main fixture */
#define CPC          4u  /* its cells per column */
#define NCELLS       (NCOLS * CPC)
#define RANDOM_WORDS 31u
#define MAX_DIMS     10u
#define STEPS        60u /* steps of the fixture */
#define K            6u  /* columns drawn per step */
#define PERIOD       10u /* steps of its sequence */

/* ------------------------------------------------------------------------
 * Temporal memories after some steps
 * ------------------------------------------------------------------------ */

static uint32_t xorshift(uint32_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* A sequence of `period` random sets of `k` columns (ascending), the
 * pattern of step t being t % period, one column in eight replaced by noise
 * when noisy. */
static size_t step_columns(uint32_t t, uint32_t columns, uint32_t k,
                           uint32_t period, bool noisy, uint32_t *out) {
    uint8_t *on = calloc(columns, 1);
    assert_non_null(on);
    uint32_t x = 2463534242u + (t % period) * 7919u;
    uint32_t noise = 88172645u + t * 104729u;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t c = xorshift(&x) % columns;
        if (noisy && xorshift(&noise) % 8 == 0) c = xorshift(&noise) % columns;
        on[c] = 1;
    }
    size_t n = 0;
    for (uint32_t c = 0; c < columns; c++)
        if (on[c]) out[n++] = c;
    free(on);
    return n;
}

static nupic_tm *make_tm(const nupic_tm_params *p, uint32_t steps, uint32_t k,
                         uint32_t period) {
    nupic_tm *tm = NULL;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_new(p, &tm, &err) != NUPIC_OK) fail_msg("%s", err.message);
    uint32_t columns = nupic_tm_num_columns(tm);
    uint32_t *cols = calloc(columns, sizeof *cols);
    assert_non_null(cols);
    for (uint32_t t = 0; t < steps; t++) {
        size_t n = step_columns(t, columns, k, period, t % 2 == 1, cols);
        if (nupic_tm_compute(tm, cols, n, t % 7 != 6, &err) != NUPIC_OK)
            fail_msg("step %u: %s", t, err.message);
    }
    free(cols);
    return tm;
}

static void small_params(nupic_tm_params *p) {
    nupic_tm_params_default(p);
    p->column_dimensions[0] = NCOLS;
    p->num_dimensions = 1;
    p->cells_per_column = CPC;
    p->activation_threshold = 3;
    p->min_threshold = 2;
    p->max_new_synapse_count = 6;
    p->initial_permanence = 0.45f;
    p->connected_permanence = 0.5f;
    p->permanence_increment = 0.1f;
    p->permanence_decrement = 0.05f;
    p->predicted_segment_decrement = 0.02f;
    p->max_segments_per_cell = 3;
    p->max_synapses_per_segment = 8;
    p->seed = 42;
}

static ts_buf tm_bytes(const nupic_tm *tm, bool packed) {
    nupic_save_options so = {!packed};
    nupic_error err = {NUPIC_OK, ""};
    void *buf = NULL;
    size_t len = 0;
    if (nupic_tm_write_to_mem(tm, &so, &buf, &len, &err) != NUPIC_OK)
        fail_msg("write: %s", err.message);
    ts_buf b = {buf, len};
    return b;
}

/* ------------------------------------------------------------------------
 * A temporal memory's message as plain arrays, to change and rebuild
 * ------------------------------------------------------------------------ */

typedef struct msyn {
    uint32_t pre;
    float perm;
} msyn;
typedef struct mseg {
    uint32_t n;
    msyn *syn;
} mseg;
typedef struct mcell {
    uint32_t n;
    mseg *seg;
} mcell;
/* A segment path, or a per-segment pair (number unused for paths). */
typedef struct mpath {
    uint32_t cell, idx;
    uint64_t number;
} mpath;
typedef struct mlist {
    uint32_t n, cap;
    mpath *v;
} mlist;
typedef struct mcells {
    uint32_t n, cap;
    uint32_t *v;
} mcells;

typedef struct model {
    uint32_t dims[MAX_DIMS], ndims;
    uint32_t cpc, act, learning_radius, min, max_new;
    float init, conn, inc, dec, psd;
    uint16_t max_seg, max_syn;
    bool check_inputs;
    uint16_t version;
    uint64_t iteration;
    uint64_t seed;
    int64_t state[RANDOM_WORDS + 1];
    uint32_t nstate;
    int64_t rptr, fptr;
    uint32_t ncells;
    mcell *cells;
    mcells active, winner;
    mlist active_segs, matching_segs, potential, last_used;
    /* Encodings other than the schema's (0: the schema's): words of data
     * and pointers of the cell, segment and synapse structs. */
    bool custom;
    uint16_t cell_dw, cell_pc, seg_dw, seg_pc, syn_dw, syn_pc;
    /* A root pointer (0 .. 8) made of the wrong kind, or -1. */
    int odd_ptr;
} model;

static void mcells_init(mcells *c, uint32_t n, uint32_t cap) {
    c->n = n;
    c->cap = cap;
    c->v = calloc(cap ? cap : 1, sizeof *c->v);
    assert_non_null(c->v);
}

static void mlist_init(mlist *l, uint32_t n, uint32_t cap) {
    l->n = n;
    l->cap = cap;
    l->v = calloc(cap ? cap : 1, sizeof *l->v);
    assert_non_null(l->v);
}

static uint32_t model_segments(const model *m) {
    uint32_t n = 0;
    for (uint32_t c = 0; c < m->ncells; c++)
        n += m->cells[c].n;
    return n;
}

/* Room in every list for all cells and segments and some more. */
static uint32_t list_room(const model *m) {
    return m->ncells + model_segments(m) + 16;
}

static void model_of(ncp_msg *msg, model *m) {
    memset(m, 0, sizeof *m);
    m->odd_ptr = -1;
    TemporalMemoryProto_R r = TemporalMemoryProto_read_root(msg);
    ncp_list dims = TemporalMemoryProto_get_columnDimensions(r);
    m->ndims = ncp_list_len(&dims);
    assert_true(m->ndims <= MAX_DIMS);
    TemporalMemoryProto_copy_columnDimensions(r, m->dims, 0, m->ndims);
    m->cpc = TemporalMemoryProto_get_cellsPerColumn(r);
    m->act = TemporalMemoryProto_get_activationThreshold(r);
    m->learning_radius = TemporalMemoryProto_get_learningRadius(r);
    m->init = TemporalMemoryProto_get_initialPermanence(r);
    m->conn = TemporalMemoryProto_get_connectedPermanence(r);
    m->min = TemporalMemoryProto_get_minThreshold(r);
    m->max_new = TemporalMemoryProto_get_maxNewSynapseCount(r);
    m->inc = TemporalMemoryProto_get_permanenceIncrement(r);
    m->dec = TemporalMemoryProto_get_permanenceDecrement(r);
    m->psd = TemporalMemoryProto_get_predictedSegmentDecrement(r);
    m->max_seg = TemporalMemoryProto_get_maxSegmentsPerCell(r);
    m->max_syn = TemporalMemoryProto_get_maxSynapsesPerSegment(r);
    m->check_inputs = TemporalMemoryProto_get_checkInputs(r);
    m->iteration = TemporalMemoryProto_get_iteration(r);

    ConnectionsProto_R cp = TemporalMemoryProto_get_connections(r);
    m->version = ConnectionsProto_get_version(cp);
    ConnectionsProto_CellProto_RList cells = ConnectionsProto_get_cells(cp);
    m->ncells = ConnectionsProto_CellProto_RList_len(cells);
    m->cells = calloc(m->ncells ? m->ncells : 1, sizeof *m->cells);
    assert_non_null(m->cells);
    for (uint32_t c = 0; c < m->ncells; c++) {
        ConnectionsProto_SegmentProto_RList segs =
            ConnectionsProto_CellProto_get_segments(
                ConnectionsProto_CellProto_RList_get(cells, c));
        mcell *mc = &m->cells[c];
        mc->n = ConnectionsProto_SegmentProto_RList_len(segs);
        mc->seg = calloc(mc->n + 1, sizeof *mc->seg);
        assert_non_null(mc->seg);
        for (uint32_t j = 0; j < mc->n; j++) {
            ConnectionsProto_SynapseProto_RList syns =
                ConnectionsProto_SegmentProto_get_synapses(
                    ConnectionsProto_SegmentProto_RList_get(segs, j));
            mseg *s = &mc->seg[j];
            s->n = ConnectionsProto_SynapseProto_RList_len(syns);
            s->syn = calloc(s->n + 1, sizeof *s->syn);
            assert_non_null(s->syn);
            for (uint32_t k = 0; k < s->n; k++) {
                ConnectionsProto_SynapseProto_R y =
                    ConnectionsProto_SynapseProto_RList_get(syns, k);
                s->syn[k].pre =
                    ConnectionsProto_SynapseProto_get_presynapticCell(y);
                s->syn[k].perm =
                    ConnectionsProto_SynapseProto_get_permanence(y);
            }
        }
    }

    RandomProto_R rp = TemporalMemoryProto_get_random(r);
    m->seed = RandomProto_get_seed(rp);
    RandomImplProto_R impl = RandomProto_get_impl(rp);
    ncp_list st = RandomImplProto_get_state(impl);
    m->nstate = ncp_list_len(&st);
    assert_int_equal(m->nstate, RANDOM_WORDS);
    RandomImplProto_copy_state(impl, m->state, 0, m->nstate);
    m->rptr = RandomImplProto_get_rptr(impl);
    m->fptr = RandomImplProto_get_fptr(impl);

    uint32_t room = list_room(m);
    ncp_list l = TemporalMemoryProto_get_activeCells(r);
    mcells_init(&m->active, ncp_list_len(&l), room);
    TemporalMemoryProto_copy_activeCells(r, m->active.v, 0, m->active.n);
    l = TemporalMemoryProto_get_winnerCells(r);
    mcells_init(&m->winner, ncp_list_len(&l), room);
    TemporalMemoryProto_copy_winnerCells(r, m->winner.v, 0, m->winner.n);

    mlist *paths[2] = {&m->active_segs, &m->matching_segs};
    TemporalMemoryProto_SegmentPath_RList pl[2] = {
        TemporalMemoryProto_get_activeSegments(r),
        TemporalMemoryProto_get_matchingSegments(r)};
    for (int i = 0; i < 2; i++) {
        uint32_t n = TemporalMemoryProto_SegmentPath_RList_len(pl[i]);
        mlist_init(paths[i], n, n + room);
        for (uint32_t k = 0; k < n; k++) {
            TemporalMemoryProto_SegmentPath_R e =
                TemporalMemoryProto_SegmentPath_RList_get(pl[i], k);
            paths[i]->v[k].cell = TemporalMemoryProto_SegmentPath_get_cell(e);
            paths[i]->v[k].idx =
                TemporalMemoryProto_SegmentPath_get_idxOnCell(e);
        }
    }
    TemporalMemoryProto_SegmentUInt32Pair_RList pot =
        TemporalMemoryProto_get_numActivePotentialSynapsesForSegment(r);
    uint32_t n = TemporalMemoryProto_SegmentUInt32Pair_RList_len(pot);
    mlist_init(&m->potential, n, n + room);
    for (uint32_t k = 0; k < n; k++) {
        TemporalMemoryProto_SegmentUInt32Pair_R e =
            TemporalMemoryProto_SegmentUInt32Pair_RList_get(pot, k);
        m->potential.v[k].cell =
            TemporalMemoryProto_SegmentUInt32Pair_get_cell(e);
        m->potential.v[k].idx =
            TemporalMemoryProto_SegmentUInt32Pair_get_idxOnCell(e);
        m->potential.v[k].number =
            TemporalMemoryProto_SegmentUInt32Pair_get_number(e);
    }
    TemporalMemoryProto_SegmentUInt64Pair_RList last =
        TemporalMemoryProto_get_lastUsedIterationForSegment(r);
    n = TemporalMemoryProto_SegmentUInt64Pair_RList_len(last);
    mlist_init(&m->last_used, n, n + room);
    for (uint32_t k = 0; k < n; k++) {
        TemporalMemoryProto_SegmentUInt64Pair_R e =
            TemporalMemoryProto_SegmentUInt64Pair_RList_get(last, k);
        m->last_used.v[k].cell =
            TemporalMemoryProto_SegmentUInt64Pair_get_cell(e);
        m->last_used.v[k].idx =
            TemporalMemoryProto_SegmentUInt64Pair_get_idxOnCell(e);
        m->last_used.v[k].number =
            TemporalMemoryProto_SegmentUInt64Pair_get_number(e);
    }
    if (ncp_msg_status(msg) != NCP_OK)
        fail_msg("model: %s", ncp_msg_error(msg)->message);
}

static void model_of_tm(const nupic_tm *tm, model *m) {
    ts_buf b = tm_bytes(tm, false);
    ncp_msg *msg = ts_open(&b);
    model_of(msg, m);
    ncp_msg_free(msg);
    ts_buf_free(&b);
}

static void model_free(model *m) {
    for (uint32_t c = 0; c < m->ncells; c++) {
        for (uint32_t j = 0; j < m->cells[c].n; j++)
            free(m->cells[c].seg[j].syn);
        free(m->cells[c].seg);
    }
    free(m->cells);
    free(m->active.v);
    free(m->winner.v);
    free(m->active_segs.v);
    free(m->matching_segs.v);
    free(m->potential.v);
    free(m->last_used.v);
    memset(m, 0, sizeof *m);
}

static void mcells_copy(mcells *dst, const mcells *src) {
    mcells_init(dst, src->n, src->cap);
    memcpy(dst->v, src->v, (size_t)src->n * sizeof *src->v);
}

static void mlist_copy(mlist *dst, const mlist *src) {
    mlist_init(dst, src->n, src->cap);
    memcpy(dst->v, src->v, (size_t)src->n * sizeof *src->v);
}

static void model_copy(model *dst, const model *src) {
    *dst = *src;
    dst->cells = calloc(src->ncells ? src->ncells : 1, sizeof *dst->cells);
    assert_non_null(dst->cells);
    for (uint32_t c = 0; c < src->ncells; c++) {
        const mcell *sc = &src->cells[c];
        mcell *dc = &dst->cells[c];
        dc->n = sc->n;
        dc->seg = calloc(sc->n + 1, sizeof *dc->seg);
        assert_non_null(dc->seg);
        for (uint32_t j = 0; j < sc->n; j++) {
            dc->seg[j].n = sc->seg[j].n;
            dc->seg[j].syn = calloc(sc->seg[j].n + 1, sizeof(msyn));
            assert_non_null(dc->seg[j].syn);
            memcpy(dc->seg[j].syn, sc->seg[j].syn,
                   (size_t)sc->seg[j].n * sizeof(msyn));
        }
    }
    mcells_copy(&dst->active, &src->active);
    mcells_copy(&dst->winner, &src->winner);
    mlist_copy(&dst->active_segs, &src->active_segs);
    mlist_copy(&dst->matching_segs, &src->matching_segs);
    mlist_copy(&dst->potential, &src->potential);
    mlist_copy(&dst->last_used, &src->last_used);
}

/* Appends a segment with n synapses (from cells pre0, pre0 + 1, ...) to a
 * cell. */
static void model_add_segment(model *m, uint32_t cell, uint32_t n,
                              uint32_t pre0, float perm) {
    mcell *c = &m->cells[cell];
    mseg *segs = realloc(c->seg, (c->n + 2) * sizeof *segs);
    assert_non_null(segs);
    c->seg = segs;
    mseg *s = &c->seg[c->n++];
    s->n = n;
    s->syn = calloc(n + 1, sizeof *s->syn);
    assert_non_null(s->syn);
    for (uint32_t k = 0; k < n; k++)
        s->syn[k] = (msyn){(pre0 + k) % m->ncells, perm};
}

static void model_add_synapse(model *m, uint32_t cell, uint32_t j, uint32_t pre,
                              float perm) {
    mseg *s = &m->cells[cell].seg[j];
    msyn *syn = realloc(s->syn, (s->n + 2) * sizeof *syn);
    assert_non_null(syn);
    s->syn = syn;
    s->syn[s->n++] = (msyn){pre, perm};
}

/* The message of a model, built with the generated builder API. */
static ts_buf model_build(const model *m, bool packed) {
    ncp_builder *b = NULL;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    TemporalMemoryProto_B r = TemporalMemoryProto_new_root(b);
    TemporalMemoryProto_set_columnDimensions(r, m->dims, m->ndims);
    TemporalMemoryProto_set_cellsPerColumn(r, m->cpc);
    TemporalMemoryProto_set_activationThreshold(r, m->act);
    TemporalMemoryProto_set_learningRadius(r, m->learning_radius);
    TemporalMemoryProto_set_initialPermanence(r, m->init);
    TemporalMemoryProto_set_connectedPermanence(r, m->conn);
    TemporalMemoryProto_set_minThreshold(r, m->min);
    TemporalMemoryProto_set_maxNewSynapseCount(r, m->max_new);
    TemporalMemoryProto_set_permanenceIncrement(r, m->inc);
    TemporalMemoryProto_set_permanenceDecrement(r, m->dec);
    TemporalMemoryProto_set_predictedSegmentDecrement(r, m->psd);
    TemporalMemoryProto_set_maxSegmentsPerCell(r, m->max_seg);
    TemporalMemoryProto_set_maxSynapsesPerSegment(r, m->max_syn);
    TemporalMemoryProto_set_checkInputs(r, m->check_inputs);
    TemporalMemoryProto_set_iteration(r, m->iteration);

    ConnectionsProto_B cp = TemporalMemoryProto_init_connections(r);
    ConnectionsProto_set_version(cp, m->version);
    ConnectionsProto_CellProto_BList cells;
    if (m->custom)
        cells.l = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&cp.s, 0),
                                            m->ncells, m->cell_dw, m->cell_pc);
    else
        cells = ConnectionsProto_init_cells(cp, m->ncells);
    for (uint32_t c = 0; c < m->ncells; c++) {
        const mcell *mc = &m->cells[c];
        if (mc->n == 0) continue;
        ConnectionsProto_CellProto_B cb =
            ConnectionsProto_CellProto_BList_get(cells, c);
        ConnectionsProto_SegmentProto_BList segs;
        if (m->custom)
            segs.l = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&cb.s, 0), mc->n,
                                               m->seg_dw, m->seg_pc);
        else
            segs = ConnectionsProto_CellProto_init_segments(cb, mc->n);
        for (uint32_t j = 0; j < mc->n; j++) {
            const mseg *s = &mc->seg[j];
            if (s->n == 0) continue; /* a null list reads as empty */
            ConnectionsProto_SegmentProto_B sb =
                ConnectionsProto_SegmentProto_BList_get(segs, j);
            ConnectionsProto_SynapseProto_BList syns;
            if (m->custom)
                syns.l = ncp_bptr_init_struct_list(ncp_bstruct_ptr(&sb.s, 0),
                                                   s->n, m->syn_dw, m->syn_pc);
            else
                syns = ConnectionsProto_SegmentProto_init_synapses(sb, s->n);
            for (uint32_t k = 0; k < s->n; k++) {
                ConnectionsProto_SynapseProto_B y =
                    ConnectionsProto_SynapseProto_BList_get(syns, k);
                ConnectionsProto_SynapseProto_set_presynapticCell(
                    y, s->syn[k].pre);
                ConnectionsProto_SynapseProto_set_permanence(y, s->syn[k].perm);
            }
        }
    }

    RandomProto_B rp = TemporalMemoryProto_init_random(r);
    RandomProto_set_seed(rp, m->seed);
    RandomImplProto_B impl = RandomProto_init_impl(rp);
    RandomImplProto_set_state(impl, m->state, m->nstate);
    RandomImplProto_set_rptr(impl, m->rptr);
    RandomImplProto_set_fptr(impl, m->fptr);

    TemporalMemoryProto_set_activeCells(r, m->active.v, m->active.n);
    TemporalMemoryProto_set_winnerCells(r, m->winner.v, m->winner.n);
    TemporalMemoryProto_SegmentPath_BList as =
        TemporalMemoryProto_init_activeSegments(r, m->active_segs.n);
    for (uint32_t k = 0; k < m->active_segs.n; k++) {
        TemporalMemoryProto_SegmentPath_B e =
            TemporalMemoryProto_SegmentPath_BList_get(as, k);
        TemporalMemoryProto_SegmentPath_set_cell(e, m->active_segs.v[k].cell);
        TemporalMemoryProto_SegmentPath_set_idxOnCell(e,
                                                      m->active_segs.v[k].idx);
    }
    TemporalMemoryProto_SegmentPath_BList ms =
        TemporalMemoryProto_init_matchingSegments(r, m->matching_segs.n);
    for (uint32_t k = 0; k < m->matching_segs.n; k++) {
        TemporalMemoryProto_SegmentPath_B e =
            TemporalMemoryProto_SegmentPath_BList_get(ms, k);
        TemporalMemoryProto_SegmentPath_set_cell(e, m->matching_segs.v[k].cell);
        TemporalMemoryProto_SegmentPath_set_idxOnCell(
            e, m->matching_segs.v[k].idx);
    }
    TemporalMemoryProto_SegmentUInt32Pair_BList pot =
        TemporalMemoryProto_init_numActivePotentialSynapsesForSegment(
            r, m->potential.n);
    for (uint32_t k = 0; k < m->potential.n; k++) {
        TemporalMemoryProto_SegmentUInt32Pair_B e =
            TemporalMemoryProto_SegmentUInt32Pair_BList_get(pot, k);
        TemporalMemoryProto_SegmentUInt32Pair_set_cell(e,
                                                       m->potential.v[k].cell);
        TemporalMemoryProto_SegmentUInt32Pair_set_idxOnCell(
            e, m->potential.v[k].idx);
        TemporalMemoryProto_SegmentUInt32Pair_set_number(
            e, (uint32_t)m->potential.v[k].number);
    }
    TemporalMemoryProto_SegmentUInt64Pair_BList last =
        TemporalMemoryProto_init_lastUsedIterationForSegment(r, m->last_used.n);
    for (uint32_t k = 0; k < m->last_used.n; k++) {
        TemporalMemoryProto_SegmentUInt64Pair_B e =
            TemporalMemoryProto_SegmentUInt64Pair_BList_get(last, k);
        TemporalMemoryProto_SegmentUInt64Pair_set_cell(e,
                                                       m->last_used.v[k].cell);
        TemporalMemoryProto_SegmentUInt64Pair_set_idxOnCell(
            e, m->last_used.v[k].idx);
        TemporalMemoryProto_SegmentUInt64Pair_set_number(
            e, m->last_used.v[k].number);
    }
    if (m->odd_ptr >= 0) {
        /* A struct where a list belongs, a list where a struct does. */
        ncp_bptr p = ncp_bstruct_ptr(&r.s, (uint32_t)m->odd_ptr);
        if (m->odd_ptr == 1 || m->odd_ptr == 2)
            ncp_bptr_init_list(p, NCP_ELEM_4BYTES, 2);
        else
            ncp_bptr_init_struct(p, 1, 0);
    }
    if (ncp_builder_status(b) != NCP_OK)
        fail_msg("build: %s", ncp_builder_error(b)->message);
    ts_buf out = ts_write_mem(b, packed ? NCP_WRITE_PACKED : 0u);
    ncp_builder_free(b);
    return out;
}

/* ------------------------------------------------------------------------
 * Fixture
 * ------------------------------------------------------------------------ */

typedef struct fixture {
    nupic_tm *tm;            /* 64 columns of 4 cells after STEPS steps */
    ts_buf unpacked, packed; /* its state */
    model m;                 /* and as a model */
    /* A cell with the most segments, one of its segments with the most
     * synapses, and a segment with at least 2 synapses. */
    uint32_t busy_cell, busy_count;
    uint32_t big_cell, big_seg, big_count;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    nupic_tm_params p;
    small_params(&p);
    f->tm = make_tm(&p, STEPS, K, PERIOD);
    f->unpacked = tm_bytes(f->tm, false);
    f->packed = tm_bytes(f->tm, true);
    model_of_tm(f->tm, &f->m);
    const model *m = &f->m;
    for (uint32_t c = 0; c < m->ncells; c++) {
        if (m->cells[c].n > f->busy_count) {
            f->busy_cell = c;
            f->busy_count = m->cells[c].n;
        }
        for (uint32_t j = 0; j < m->cells[c].n; j++)
            if (m->cells[c].seg[j].n > f->big_count) {
                f->big_cell = c;
                f->big_seg = j;
                f->big_count = m->cells[c].seg[j].n;
            }
    }
    /* The fixture must hold what the cases change. */
    assert_true(f->busy_count >= 2);
    assert_true(f->big_count >= 3);
    assert_true(m->active.n >= 2 && m->winner.n >= 2);
    assert_true(m->active_segs.n >= 2 && m->matching_segs.n >= 2);
    assert_true(m->potential.n >= 2 && m->last_used.n >= 2);
    assert_true(m->iteration > 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    if (f == NULL) return 0;
    nupic_tm_free(f->tm);
    ts_buf_free(&f->unpacked);
    ts_buf_free(&f->packed);
    model_free(&f->m);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------------
 * Checking a read
 * ------------------------------------------------------------------------ */

static int g_sentinel;
#define SENTINEL ((nupic_tm *)(void *)&g_sentinel)

static void assert_equal_tm(const nupic_tm *a, const nupic_tm *b,
                            const char *what) {
    char diff[256];
    if (!nupic_tm_equal(a, b, diff, sizeof diff))
        fail_msg("%s: %s", what, diff);
}

/* Writes tm (unpacked and packed), reads it back into an equal object that
 * writes the same bytes. */
static void check_round_trip(const nupic_tm *tm, const char *what) {
    for (int packed = 0; packed < 2; packed++) {
        ts_buf a = tm_bytes(tm, packed != 0);
        nupic_tm *again = NULL;
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_tm_read_from_mem(a.data, a.len, NULL, &again, &err) !=
            NUPIC_OK)
            fail_msg("%s: rereading: %s", what, err.message);
        assert_equal_tm(tm, again, what);
        ts_buf b = tm_bytes(again, packed != 0);
        ts_assert_bytes_equal(a.data, a.len, b.data, b.len);
        nupic_tm_free(again);
        ts_buf_free(&a);
        ts_buf_free(&b);
    }
}

/* Everything a state that reads must do: round trips, and steps (learning
 * and not) after which it still round trips. */
static void check_good_state(nupic_tm *tm, const char *what) {
    check_round_trip(tm, what);
    uint32_t columns = nupic_tm_num_columns(tm);
    if (columns > (1u << 16)) return;
    uint32_t *cols = calloc(columns, sizeof *cols);
    assert_non_null(cols);
    for (uint32_t t = 0; t < 3; t++) {
        size_t n = step_columns(t, columns, columns / 8 + 1, 3, false, cols);
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_tm_compute(tm, cols, n, t != 2, &err) != NUPIC_OK)
            fail_msg("%s: step %u: %s", what, t, err.message);
        size_t na, nw, np;
        const uint32_t *a = nupic_tm_active_cells(tm, &na);
        const uint32_t *w = nupic_tm_winner_cells(tm, &nw);
        const uint32_t *p = nupic_tm_predictive_cells(tm, &np);
        const uint32_t *lists[3] = {a, w, p};
        size_t lens[3] = {na, nw, np};
        for (int l = 0; l < 3; l++)
            for (size_t k = 0; k < lens[l]; k++)
                assert_true(lists[l][k] < nupic_tm_num_cells(tm) &&
                            (k == 0 || lists[l][k] > lists[l][k - 1]));
    }
    free(cols);
    check_round_trip(tm, what);
}

/* Reads data from memory with the given packing: either it fails with a
 * proper error record and no object (returns the status; the message in
 * *err), or it reads a state that passes check_good_state. */
static nupic_status read_any(const void *data, size_t len, ncp_packing packing,
                             nupic_error *err, const char *what) {
    nupic_load_options lo = {.packing = packing};
    nupic_tm *tm = SENTINEL;
    nupic_error_clear(err);
    nupic_status st = nupic_tm_read_from_mem(data, len, &lo, &tm, err);
    if (st == NUPIC_OK) {
        assert_non_null(tm);
        assert_int_equal(err->status, NUPIC_OK);
        check_good_state(tm, what);
        nupic_tm_free(tm);
        return st;
    }
    if (tm != NULL) fail_msg("%s: failed, but *out is not NULL", what);
    if (err->status != st || err->message[0] == '\0')
        fail_msg("%s: returned %s, recorded %s \"%s\"", what,
                 nupic_status_name(st), nupic_status_name(err->status),
                 err->message);
    if (st != NUPIC_ERR_FORMAT && st != NUPIC_ERR_TOO_LARGE)
        fail_msg("%s: %s: %s", what, nupic_status_name(st), err->message);
    return st;
}

static void assert_message(const nupic_error *err, const char *const *subs,
                           const char *what) {
    for (; *subs; subs++)
        if (strstr(err->message, *subs) == NULL)
            fail_msg("%s: message \"%s\" lacks \"%s\"", what, err->message,
                     *subs);
}

/* Saves a message built here when NUPIC_TM_CORPUS_OUT names a folder. */
static void save_for_corpus(const ts_buf *b, const char *name,
                            const char *ext) {
    const char *dir = getenv("NUPIC_TM_CORPUS_OUT");
    if (dir == NULL) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    for (char *p = path + strlen(dir) + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
            *p = '_';
    ts_write_file(path, b->data, b->len);
}

/* Expects the bytes (unpacked or packed framing) to fail with status
 * `want` and a message holding each of subs, from memory (detected and
 * told framing), a FILE* and a path, with the same message each time. */
static void expect_bytes_fail(const ts_buf *b, bool packed, nupic_status want,
                              const char *const *subs, const char *what) {
    nupic_error err;
    nupic_status st = read_any(b->data, b->len, NCP_PACKING_AUTO, &err, what);
    if (st != want)
        fail_msg("%s: %s (\"%s\"), expected %s", what, nupic_status_name(st),
                 err.message, nupic_status_name(want));
    assert_message(&err, subs, what);
    char first[NUPIC_ERROR_MESSAGE_SIZE];
    memcpy(first, err.message, sizeof first);
    if (getenv("TM_BAD_VERBOSE")) print_message("%s: %s\n", what, first);

    nupic_error e2;
    st =
        read_any(b->data, b->len,
                 packed ? NCP_PACKING_PACKED : NCP_PACKING_UNPACKED, &e2, what);
    assert_int_equal(st, want);
    assert_string_equal(e2.message, first);

    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    rewind(f);
    nupic_tm *tm = SENTINEL;
    nupic_error_clear(&e2);
    assert_int_equal(nupic_tm_read_from_file(f, NULL, &tm, &e2), want);
    assert_null(tm);
    assert_string_equal(e2.message, first);
    fclose(f);

    ts_write_file("bad.capnp", b->data, b->len);
    tm = SENTINEL;
    nupic_error_clear(&e2);
    assert_int_equal(nupic_tm_load("bad.capnp", NULL, &tm, &e2), want);
    assert_null(tm);
    assert_string_equal(e2.message, first);
    remove("bad.capnp");
}

static void expect_fail_(const model *m, nupic_status want,
                         const char *const *subs, const char *what) {
    for (int packed = 0; packed < 2; packed++) {
        ts_buf b = model_build(m, packed != 0);
        save_for_corpus(&b, what, packed ? "packed" : "bin");
        expect_bytes_fail(&b, packed != 0, want, subs, what);
        ts_buf_free(&b);
    }
}

/* EXPECT_FAIL(model, status, what, substrings...) */
#define EXPECT_FAIL(m, st, what, ...)                                          \
    expect_fail_((m), (st), (const char *const[]){__VA_ARGS__, NULL}, (what))

/* Expects the model to read (both framings) into a state that passes
 * check_good_state; returns the object read from the unpacked message when
 * out is not NULL. */
static void expect_read(const model *m, const char *what, nupic_tm **out) {
    for (int packed = 0; packed < 2; packed++) {
        ts_buf b = model_build(m, packed != 0);
        save_for_corpus(&b, what, packed ? "packed" : "bin");
        nupic_error err = {NUPIC_OK, ""};
        nupic_tm *tm = NULL;
        if (nupic_tm_read_from_mem(b.data, b.len, NULL, &tm, &err) != NUPIC_OK)
            fail_msg("%s: %s", what, err.message);
        if (out && !packed)
            *out = tm;
        else {
            check_good_state(tm, what);
            nupic_tm_free(tm);
        }
        ts_buf_free(&b);
    }
}

static char *fmt(char *buf, size_t size, const char *f, ...) NCP_PRINTF(3, 4);
static char *fmt(char *buf, size_t size, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, size, f, ap);
    va_end(ap);
    return buf;
}

/* ------------------------------------------------------------------------
 * Valid states
 * ------------------------------------------------------------------------ */

/* The fixture reads, and so does its model rebuilt with the builder API
 * (another layout of the same content), into the same state. */
static void valid_states_read(void **state) {
    fixture *f = *state;
    nupic_error err = {NUPIC_OK, ""};
    const ts_buf *forms[2] = {&f->unpacked, &f->packed};
    for (int i = 0; i < 2; i++) {
        nupic_tm *tm = NULL;
        assert_int_equal(nupic_tm_read_from_mem(forms[i]->data, forms[i]->len,
                                                NULL, &tm, &err),
                         NUPIC_OK);
        assert_equal_tm(f->tm, tm, "fixture");
        nupic_tm_free(tm);
    }
    nupic_tm *tm = NULL;
    expect_read(&f->m, "rebuilt", &tm);
    assert_equal_tm(f->tm, tm, "rebuilt fixture");
    ts_buf b = tm_bytes(tm, false);
    ts_assert_bytes_equal(b.data, b.len, f->unpacked.data, f->unpacked.len);
    ts_buf_free(&b);
    nupic_tm_free(tm);
    expect_read(&f->m, "fixture", NULL); /* (check_good_state on a copy) */
    save_for_corpus(&f->unpacked, "fixture", "bin");
    save_for_corpus(&f->packed, "fixture", "packed");

    /* Smaller ones, of other shapes (the fuzz target's valid seeds). */
    const struct {
        uint32_t d0, d1, cpc, steps, k, period;
        const char *name;
    } shapes[] = {
        {16, 0, 4, 40, 3, 5, "16x4"},    {4, 4, 2, 30, 3, 4, "4x4x2"},
        {32, 0, 1, 30, 4, 6, "32x1"},    {8, 0, 8, 40, 2, 5, "8x8"},
        {4, 0, 1, 10, 1, 3, "4x1"},      {2, 3, 3, 25, 2, 4, "2x3x3"},
        {12, 0, 3, 0, 0, 1, "12x3-new"},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        nupic_tm_params p;
        small_params(&p);
        p.column_dimensions[0] = shapes[i].d0;
        p.column_dimensions[1] = shapes[i].d1;
        p.num_dimensions = shapes[i].d1 ? 2 : 1;
        p.cells_per_column = shapes[i].cpc;
        p.max_segments_per_cell = 2;
        p.max_synapses_per_segment = 5;
        p.activation_threshold = 2;
        p.min_threshold = 1;
        p.max_new_synapse_count = 4;
        p.seed = (int32_t)i + 1;
        nupic_tm *small =
            make_tm(&p, shapes[i].steps, shapes[i].k, shapes[i].period);
        for (int packed = 0; packed < 2; packed++) {
            ts_buf sb = tm_bytes(small, packed != 0);
            save_for_corpus(&sb, shapes[i].name, packed ? "packed" : "bin");
            nupic_error e = {NUPIC_OK, ""};
            nupic_tm *again = NULL;
            assert_int_equal(
                nupic_tm_read_from_mem(sb.data, sb.len, NULL, &again, &e),
                NUPIC_OK);
            assert_equal_tm(small, again, shapes[i].name);
            check_good_state(again, shapes[i].name);
            nupic_tm_free(again);
            ts_buf_free(&sb);
        }
        nupic_tm_free(small);
    }
}

/* ------------------------------------------------------------------------
 * Bytes: truncated, corrupted, of another type
 * ------------------------------------------------------------------------ */

/* The options persist.c opens messages with. */
static ncp_read_options load_options(ncp_packing packing) {
    return persist_read_options(&(nupic_load_options){.packing = packing});
}

/* A prefix fails as the runtime's framing does: NCP_ERR_TRUNCATED, whose
 * message the reader passes on as NUPIC_ERR_FORMAT. */
static void expect_truncated(const uint8_t *data, size_t len, bool packed,
                             const char *what) {
    ncp_packing modes[2] = {NCP_PACKING_AUTO,
                            packed ? NCP_PACKING_PACKED : NCP_PACKING_UNPACKED};
    for (int i = 0; i < 2; i++) {
        ncp_read_options o = load_options(modes[i]);
        ncp_msg *msg = NULL;
        ncp_error e = {NCP_OK, ""};
        ncp_status ns = ncp_msg_from_buffer(data, len, &o, &msg, &e);
        ncp_msg_free(msg);
        if (ns != NCP_ERR_TRUNCATED)
            fail_msg("%s: prefix of %zu bytes: %s", what, len, e.message);
        nupic_error err;
        nupic_status st = read_any(data, len, modes[i], &err, what);
        if (st != NUPIC_ERR_FORMAT || strcmp(err.message, e.message) != 0)
            fail_msg("%s: prefix of %zu bytes: %s \"%s\"", what, len,
                     nupic_status_name(st), err.message);
    }
}

/* Every strict prefix of the fixture, unpacked and packed. */
static void truncated_everywhere(void **state) {
    fixture *f = *state;
    for (size_t len = 0; len < f->unpacked.len; len++)
        expect_truncated(f->unpacked.data, len, false, "unpacked");
    for (size_t len = 0; len < f->packed.len; len++)
        expect_truncated(f->packed.data, len, true, "packed");
}

static const char *const core_files[] = {
    "reference/tm-hotgym/tm_step1000.capnp.xz",
    "reference/generated/tm-1024-learnmod3/tm_step500.capnp.xz",
    "reference/generated/tm-evict/tm_step500.capnp.xz",
    "reference/generated/tm-evict-noisy/tm_step500.capnp.xz",
    "reference/generated/tm-psd01/tm_step500.capnp.xz",
};
#define N_CORE_FILES (sizeof core_files / sizeof core_files[0])

static bool looks_packed(const ts_buf *b) {
    return b->len >= 4 && (b->data[2] != 0 || b->data[3] != 0);
}

/* nupic.core's files, as stored and packed by us, cut at 97 offsets
 * spread over each. */
static void truncated_nupic_core_files(void **state) {
    (void)state;
    for (size_t i = 0; i < N_CORE_FILES; i++) {
        ts_buf raw = ts_read_data(core_files[i]);
        nupic_tm *tm = NULL;
        nupic_error err = {NUPIC_OK, ""};
        assert_int_equal(
            nupic_tm_read_from_mem(raw.data, raw.len, NULL, &tm, &err),
            NUPIC_OK);
        ts_buf packed = tm_bytes(tm, true);
        nupic_tm_free(tm);
        const ts_buf *forms[2] = {&raw, &packed};
        for (int k = 0; k < 2; k++) {
            const ts_buf *b = forms[k];
            for (size_t j = 0; j < 97; j++) {
                size_t len = (size_t)((uint64_t)b->len * j / 97);
                expect_truncated(b->data, len, looks_packed(b), core_files[i]);
            }
            expect_truncated(b->data, b->len - 1, looks_packed(b),
                             core_files[i]);
        }
        ts_buf_free(&raw);
        ts_buf_free(&packed);
    }
}

/* Every byte of the fixture changed in three ways: each read fails cleanly
 * or reads a state that passes check_good_state. */
static void corrupt_all(const ts_buf *orig, bool packed, const char *what) {
    static const uint8_t patterns[3] = {0xff, 0x01, 0x80};
    uint8_t *copy = malloc(orig->len);
    assert_non_null(copy);
    uint32_t ok = 0, failed = 0;
    for (size_t i = 0; i < orig->len; i++)
        for (int p = 0; p < 3; p++) {
            memcpy(copy, orig->data, orig->len);
            copy[i] ^= patterns[p];
            nupic_error err;
            ncp_packing modes[2] = {NCP_PACKING_AUTO,
                                    packed ? NCP_PACKING_PACKED
                                           : NCP_PACKING_UNPACKED};
            for (int k = 0; k < 2; k++) {
                if (read_any(copy, orig->len, modes[k], &err, what) == NUPIC_OK)
                    ok++;
                else
                    failed++;
            }
        }
    /* Most changes of content bytes still read; many others fail. */
    assert_true(ok > 0 && failed > 0);
    free(copy);
}

static void corrupted_bytes(void **state) {
    fixture *f = *state;
    corrupt_all(&f->unpacked, false, "corrupted unpacked");
    corrupt_all(&f->packed, true, "corrupted packed");
}

/* Messages that are not a TemporalMemoryProto. */
static void wrong_root_type(void **state) {
    (void)state;
    /* A spatial pooler. */
    nupic_sp_params sp_p;
    nupic_sp_params_default(&sp_p);
    sp_p.input_dimensions[0] = 32;
    sp_p.column_dimensions[0] = 16;
    sp_p.potential_radius = 8;
    sp_p.num_active_columns_per_inh_area = 3;
    nupic_sp *sp = NULL;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_sp_new(&sp_p, &sp, &err), NUPIC_OK);
    nupic_save_options so = {true};
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(nupic_sp_write_to_mem(sp, &so, &buf, &len, &err),
                     NUPIC_OK);
    nupic_sp_free(sp);
    ts_buf b = {buf, len};
    expect_bytes_fail(&b, false, NUPIC_ERR_FORMAT,
                      (const char *const[]){"TemporalMemoryProto", NULL},
                      "a SpatialPoolerProto");
    ts_buf_free(&b);

    /* A random number generator, an empty message, a list, a text. */
    for (int kind = 0; kind < 4; kind++) {
        ncp_builder *bl = NULL;
        assert_int_equal(ncp_builder_new(NULL, &bl), NCP_OK);
        const char *what = "";
        if (kind == 0) {
            nupic_random rng;
            nupic_random_init(&rng, 42);
            assert_int_equal(
                nupic_random_write(&rng, RandomProto_new_root(bl), &err),
                NUPIC_OK);
            what = "a RandomProto";
        } else if (kind == 1) {
            what = "an empty message";
        } else if (kind == 2) {
            uint32_t v[3] = {64, 4, 3};
            ncp_bptr_init_list_from(ncp_builder_root_ptr(bl), NCP_ELEM_4BYTES,
                                    3, v);
            what = "a list";
        } else {
            ncp_bptr_set_text(ncp_builder_root_ptr(bl), "TemporalMemory", 14);
            what = "a text";
        }
        for (int packed = 0; packed < 2; packed++) {
            ts_buf m = ts_write_mem(bl, packed ? NCP_WRITE_PACKED : 0u);
            save_for_corpus(&m, what, packed ? "packed" : "bin");
            expect_bytes_fail(
                &m, packed != 0, NUPIC_ERR_FORMAT,
                (const char *const[]){"TemporalMemoryProto", NULL}, what);
            ts_buf_free(&m);
        }
        ncp_builder_free(bl);
    }
}

/* ------------------------------------------------------------------------
 * Connections
 * ------------------------------------------------------------------------ */

static void cells_not_matching_columns(void **state) {
    fixture *f = *state;
    model m;
    model_copy(&m, &f->m);
    m.ncells--;
    for (uint32_t j = 0; j < m.cells[m.ncells].n; j++)
        free(m.cells[m.ncells].seg[j].syn);
    free(m.cells[m.ncells].seg);
    m.cells[m.ncells].n = 0;
    m.cells[m.ncells].seg = NULL;
    /* Keep every list within the cells that remain. */
    m.active.n = m.winner.n = 0;
    m.active_segs.n = m.matching_segs.n = m.potential.n = m.last_used.n = 0;
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "one cell missing",
                "TemporalMemoryProto.connections.cells: 255 cells, expected "
                "256 (64 columns of 4)");
    model_free(&m);

    const struct {
        uint32_t dim, cpc;
        const char *msg;
    } cases[] = {
        {64, 5, "256 cells, expected 320 (64 columns of 5)"},
        {64, 3, "256 cells, expected 192 (64 columns of 3)"},
        {65, 4, "256 cells, expected 260 (65 columns of 4)"},
        {32, 8, NULL}, /* 256 cells: reads */
        {256, 1, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        model_copy(&m, &f->m);
        m.dims[0] = cases[i].dim;
        m.cpc = cases[i].cpc;
        char what[64];
        fmt(what, sizeof what, "%u columns of %u", cases[i].dim, cases[i].cpc);
        if (cases[i].msg)
            EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, what, cases[i].msg);
        else
            expect_read(&m, what, NULL);
        model_free(&m);
    }
    /* 2-D: 8 x 8 columns of 4 cells is the same number of cells. */
    model_copy(&m, &f->m);
    m.ndims = 2;
    m.dims[0] = m.dims[1] = 8;
    expect_read(&m, "8 x 8 columns", NULL);
    m.dims[1] = 9;
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "8 x 9 columns",
                "256 cells, expected 288 (72 columns of 4)");
    model_free(&m);
}

static void presynaptic_cell_out_of_range(void **state) {
    fixture *f = *state;
    const uint32_t bad[] = {NCELLS, NCELLS + 1, 65536, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (uint32_t k = 0; k < f->big_count; k += f->big_count - 1) {
            model m;
            model_copy(&m, &f->m);
            m.cells[f->big_cell].seg[f->big_seg].syn[k].pre = bad[i];
            char what[64], msg[160];
            fmt(what, sizeof what, "presynaptic cell %u at %u", bad[i], k);
            fmt(msg, sizeof msg,
                "TemporalMemoryProto.connections.cells[%u].segments[%u]."
                "synapses[%u]: presynaptic cell %u, beyond the 256 cells",
                f->big_cell, f->big_seg, k, bad[i]);
            EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, what, msg);
            model_free(&m);
        }
}

static void duplicate_presynaptic_cell(void **state) {
    fixture *f = *state;
    for (uint32_t k = 1; k < f->big_count; k++) {
        model m;
        model_copy(&m, &f->m);
        mseg *s = &m.cells[f->big_cell].seg[f->big_seg];
        s->syn[k].pre = s->syn[k - 1].pre;
        char what[64], msg[160];
        fmt(what, sizeof what, "synapses %u and %u from one cell", k - 1, k);
        fmt(msg, sizeof msg,
            "TemporalMemoryProto.connections.cells[%u].segments[%u]: two "
            "synapses from cell %u",
            f->big_cell, f->big_seg, s->syn[k].pre);
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, what, msg);
        model_free(&m);
    }
    /* The same cell on two segments of a cell, or on segments of two
     * cells, is fine. */
    model m;
    model_copy(&m, &f->m);
    model_add_segment(&m, 0, 3, 7, 0.3f);
    model_add_segment(&m, 1, 3, 7, 0.3f);
    if (m.cells[0].n <= m.max_seg && m.cells[1].n <= m.max_seg)
        expect_read(&m, "one cell on several segments", NULL);
    model_free(&m);
}

static void bad_permanences(void **state) {
    fixture *f = *state;
    const struct {
        float v;
        const char *text;
    } bad[] = {
        {NAN, "nan"},          {-NAN, "nan"},
        {INFINITY, "inf"},     {-INFINITY, "-inf"},
        {0.0f, "0 "},          {-0.0f, "-0 "},
        {-0.5f, "-0.5"},       {2.0f, "2 "},
        {0x1p100f, "1.26765"}, {-FLT_TRUE_MIN, "-1.4"},
        {-FLT_MAX, "-3.4"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (uint32_t k = 0; k < f->big_count; k += f->big_count - 1) {
            model m;
            model_copy(&m, &f->m);
            m.cells[f->big_cell].seg[f->big_seg].syn[k].perm = bad[i].v;
            char what[64], where[160];
            fmt(what, sizeof what, "permanence %s at %u", bad[i].text, k);
            fmt(where, sizeof where,
                "TemporalMemoryProto.connections.cells[%u].segments[%u]."
                "synapses[%u]: permanence ",
                f->big_cell, f->big_seg, k);
            EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, what, where, bad[i].text,
                        " is not in (0, 1]");
            model_free(&m);
        }
    /* The smallest positive values and 1 are permanences. */
    const float good[] = {FLT_TRUE_MIN, FLT_MIN, 1e-7f, 1.0f};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        model m;
        model_copy(&m, &f->m);
        m.cells[f->big_cell].seg[f->big_seg].syn[0].perm = good[i];
        char what[64];
        fmt(what, sizeof what, "permanence %g", (double)good[i]);
        expect_read(&m, what, NULL);
        model_free(&m);
    }
}

static void too_many_segments(void **state) {
    fixture *f = *state;
    /* A lower maximum than the busiest cell has. */
    model m;
    model_copy(&m, &f->m);
    m.max_seg = (uint16_t)(f->busy_count - 1);
    char msg[160];
    fmt(msg, sizeof msg,
        "TemporalMemoryProto.connections.cells[%u]: %u segments, more than "
        "maxSegmentsPerCell %u",
        f->busy_cell, f->busy_count, f->busy_count - 1);
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "maxSegmentsPerCell lowered", msg);
    model_free(&m);
    /* Segments added to a cell beyond the maximum (3). */
    for (uint32_t cell = 0; cell < NCELLS; cell += 85) {
        model_copy(&m, &f->m);
        while (m.cells[cell].n <= m.max_seg)
            model_add_segment(&m, cell, 2, cell + 1, 0.3f);
        fmt(msg, sizeof msg,
            "TemporalMemoryProto.connections.cells[%u]: 4 segments, more "
            "than maxSegmentsPerCell 3",
            cell);
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "segments added", msg);
        model_free(&m);
    }
}

static void too_many_synapses(void **state) {
    fixture *f = *state;
    model m;
    model_copy(&m, &f->m);
    m.max_syn = (uint16_t)(f->big_count - 1);
    /* Some other segment may hold as many: the message names the first. */
    uint32_t cell = 0, seg = 0;
    for (cell = 0; cell < m.ncells; cell++) {
        for (seg = 0; seg < m.cells[cell].n; seg++)
            if (m.cells[cell].seg[seg].n > m.max_syn) break;
        if (seg < m.cells[cell].n) break;
    }
    char msg[160];
    fmt(msg, sizeof msg,
        "TemporalMemoryProto.connections.cells[%u].segments[%u]: %u synapses, "
        "more than maxSynapsesPerSegment %u",
        cell, seg, m.cells[cell].seg[seg].n, f->big_count - 1);
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "maxSynapsesPerSegment lowered", msg);
    model_free(&m);
    /* Synapses added beyond the maximum (8). */
    model_copy(&m, &f->m);
    uint32_t pre = 0;
    mseg *s = &m.cells[f->big_cell].seg[f->big_seg];
    while (s->n <= m.max_syn) {
        bool used = false;
        for (uint32_t k = 0; k < s->n; k++)
            used |= s->syn[k].pre == pre;
        if (!used) model_add_synapse(&m, f->big_cell, f->big_seg, pre, 0.6f);
        s = &m.cells[f->big_cell].seg[f->big_seg];
        pre++;
    }
    fmt(msg, sizeof msg,
        "TemporalMemoryProto.connections.cells[%u].segments[%u]: 9 synapses, "
        "more than maxSynapsesPerSegment 8",
        f->big_cell, f->big_seg);
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "synapses added", msg);
    model_free(&m);
}

/* A segment without synapses (nupic.core destroys those) is read, and a
 * step destroys it when it learns on it. */
static void segment_without_synapses(void **state) {
    fixture *f = *state;
    model m;
    model_copy(&m, &f->m);
    uint32_t cell = 0;
    while (m.cells[cell].n >= m.max_seg)
        cell++;
    model_add_segment(&m, cell, 0, 0, 0.0f);
    expect_read(&m, "a segment without synapses", NULL);
    model_free(&m);
}

static void newer_connections_version(void **state) {
    fixture *f = *state;
    model m;
    model_copy(&m, &f->m);
    const uint16_t bad[] = {3, 4, 65535};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m.version = bad[i];
        char what[64], msg[128];
        fmt(what, sizeof what, "connections.version %u", bad[i]);
        fmt(msg, sizeof msg,
            "TemporalMemoryProto.connections.version %u is newer than this "
            "reader's (2)",
            bad[i]);
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, what, msg);
    }
    for (uint16_t v = 0; v <= 2; v++) {
        m.version = v;
        nupic_tm *tm = NULL;
        expect_read(&m, "older connections.version", &tm);
        assert_equal_tm(f->tm, tm, "older connections.version");
        nupic_tm_free(tm);
    }
    model_free(&m);
}

/* Struct lists may use larger (or, with no fields read, smaller) elements
 * than the schema's: the same state reads. */
static void encodings_the_schema_allows(void **state) {
    fixture *f = *state;
    const struct {
        uint16_t cell_dw, cell_pc, seg_dw, seg_pc, syn_dw, syn_pc;
    } enc[] = {
        {0, 1, 0, 1, 1, 0}, /* the schema's */
        {1, 1, 0, 1, 1, 0}, {0, 2, 0, 1, 1, 0}, {0, 1, 2, 1, 1, 0},
        {0, 1, 0, 3, 1, 0}, {0, 1, 0, 1, 2, 0}, {0, 1, 0, 1, 1, 1},
        {2, 3, 1, 2, 3, 2},
    };
    for (size_t i = 0; i < sizeof enc / sizeof enc[0]; i++) {
        model m;
        model_copy(&m, &f->m);
        m.custom = true;
        m.cell_dw = enc[i].cell_dw;
        m.cell_pc = enc[i].cell_pc;
        m.seg_dw = enc[i].seg_dw;
        m.seg_pc = enc[i].seg_pc;
        m.syn_dw = enc[i].syn_dw;
        m.syn_pc = enc[i].syn_pc;
        char what[64];
        fmt(what, sizeof what, "encoding %zu", i);
        nupic_tm *tm = NULL;
        expect_read(&m, what, &tm);
        assert_equal_tm(f->tm, tm, what);
        nupic_tm_free(tm);
        model_free(&m);
    }
    /* Synapses of no data read as cell 0 with permanence 0. */
    model m;
    model_copy(&m, &f->m);
    m.custom = true;
    m.cell_pc = m.seg_pc = 1;
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "synapses without data",
                "TemporalMemoryProto.connections.cells[0].segments[0]."
                "synapses[0]: permanence 0 is not in (0, 1]");
    model_free(&m);
}

/* A temporal memory of 4 columns of one cell, no step. */
static void tiny_model(model *m) {
    nupic_tm_params p;
    small_params(&p);
    p.column_dimensions[0] = 4;
    p.cells_per_column = 1;
    p.max_segments_per_cell = 65535;
    nupic_tm *tm = NULL;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_tm_new(&p, &tm, &err), NUPIC_OK);
    model_of_tm(tm, m);
    nupic_tm_free(tm);
}

/* Segments of no size read as segments without synapses. */
static void zero_size_segments(void **state) {
    (void)state;
    model m;
    tiny_model(&m);
    m.custom = true;
    m.cell_pc = 1;
    m.syn_dw = 1;
    for (int i = 0; i < 3; i++)
        model_add_segment(&m, 2, 0, 0, 0.0f);
    nupic_tm *tm = NULL;
    expect_read(&m, "3 segments of no size", &tm);
    assert_int_equal(nupic_tm_num_segments(tm), 3);
    assert_int_equal(nupic_tm_segments_on_cell(tm, 2), 3);
    nupic_tm_free(tm);
    model_free(&m);
}

/* ------------------------------------------------------------------------
 * The last step's cells and segments
 * ------------------------------------------------------------------------ */

static void cell_lists(void **state) {
    fixture *f = *state;
    const char *names[2] = {"activeCells", "winnerCells"};
    for (int which = 0; which < 2; which++) {
        model m;
        char msg[160];
        /* Out of range, first and last. */
        for (int end = 0; end < 2; end++) {
            model_copy(&m, &f->m);
            mcells *l = which ? &m.winner : &m.active;
            uint32_t at = end ? l->n - 1 : 0;
            l->v[at] = end ? NCELLS : UINT32_MAX;
            if (!end) l->n = 1;
            fmt(msg, sizeof msg,
                "TemporalMemoryProto.%s[%u]: cell %u, beyond the 256 cells",
                names[which], at, l->v[at]);
            EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, names[which], msg);
            model_free(&m);
        }
        /* Swapped, repeated. */
        for (int dup = 0; dup < 2; dup++) {
            model_copy(&m, &f->m);
            mcells *l = which ? &m.winner : &m.active;
            uint32_t a = l->v[0], b = l->v[1];
            l->v[0] = dup ? a : b;
            l->v[1] = a;
            fmt(msg, sizeof msg,
                "TemporalMemoryProto.%s: not ascending (%u after %u)",
                names[which], l->v[1], l->v[0]);
            EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, names[which], msg);
            model_free(&m);
        }
        /* More than there are cells. */
        model_copy(&m, &f->m);
        mcells *l = which ? &m.winner : &m.active;
        l->n = NCELLS + 1;
        for (uint32_t i = 0; i < l->n; i++)
            l->v[i] = i;
        fmt(msg, sizeof msg,
            "TemporalMemoryProto.%s: 257 cells, more than the 256 there are",
            names[which]);
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, names[which], msg);
        /* All of them, or none, is fine. */
        l->n = NCELLS;
        expect_read(&m, "every cell", NULL);
        l->n = 0;
        expect_read(&m, "no cell", NULL);
        model_free(&m);
    }
}

static void segment_lists(void **state) {
    fixture *f = *state;
    const char *names[2] = {"activeSegments", "matchingSegments"};
    uint32_t live = model_segments(&f->m);
    for (int which = 0; which < 2; which++) {
        model m;
        char msg[160];
#define PATHS (which ? &m.matching_segs : &m.active_segs)
        /* A cell that does not exist, a segment past the cell's last. */
        const struct {
            uint32_t cell, idx;
        } bad[] = {{NCELLS, 0},
                   {UINT32_MAX, 0},
                   {f->busy_cell, f->busy_count},
                   {f->busy_cell, UINT32_MAX}};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            model_copy(&m, &f->m);
            mlist *l = PATHS;
            l->n = 1;
            l->v[0].cell = bad[i].cell;
            l->v[0].idx = bad[i].idx;
            fmt(msg, sizeof msg,
                "TemporalMemoryProto.%s[0]: cell %u segment %u does not "
                "exist",
                names[which], bad[i].cell, bad[i].idx);
            EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, names[which], msg);
            model_free(&m);
        }
        /* A cell without segments. */
        uint32_t empty = 0;
        while (f->m.cells[empty].n > 0)
            empty++;
        model_copy(&m, &f->m);
        PATHS->v[PATHS->n - 1].cell = empty;
        PATHS->v[PATHS->n - 1].idx = 0;
        PATHS->v[0] = PATHS->v[PATHS->n - 1];
        PATHS->n = 1;
        fmt(msg, sizeof msg,
            "TemporalMemoryProto.%s[0]: cell %u segment 0 does not exist",
            names[which], empty);
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, names[which], msg);
        model_free(&m);
        /* Out of order, repeated. */
        for (int dup = 0; dup < 2; dup++) {
            model_copy(&m, &f->m);
            mlist *l = PATHS;
            mpath a = l->v[0], b = l->v[1];
            l->v[0] = dup ? a : b;
            l->v[1] = a;
            fmt(msg, sizeof msg,
                "TemporalMemoryProto.%s: not sorted by cell and segment "
                "(cell %u segment %u at 1)",
                names[which], a.cell, a.idx);
            EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, names[which], msg);
            model_free(&m);
        }
        /* More than there are segments. */
        model_copy(&m, &f->m);
        mlist *l = PATHS;
        l->n = 0;
        for (uint32_t c = 0; c < m.ncells; c++)
            for (uint32_t j = 0; j < m.cells[c].n; j++)
                l->v[l->n++] = (mpath){c, j, 0};
        assert_int_equal(l->n, live);
        expect_read(&m, "every segment", NULL);
        l->v[l->n] = l->v[l->n - 1];
        l->n++;
        fmt(msg, sizeof msg,
            "TemporalMemoryProto.%s: %u segments, more than the %u there are",
            names[which], live + 1, live);
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, names[which], msg);
        model_free(&m);
#undef PATHS
    }
}

/* numActivePotentialSynapsesForSegment and lastUsedIterationForSegment. */
static void per_segment_lists(void **state) {
    fixture *f = *state;
    const char *names[2] = {"numActivePotentialSynapsesForSegment",
                            "lastUsedIterationForSegment"};
    for (int which = 0; which < 2; which++) {
        model m;
        char msg[200];
#define LIST (which ? &m.last_used : &m.potential)
        const struct {
            uint32_t cell, idx;
        } bad[] = {{NCELLS, 0},
                   {UINT32_MAX, 0},
                   {f->busy_cell, f->busy_count + 1},
                   {f->busy_cell, UINT32_MAX}};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            for (int end = 0; end < 2; end++) {
                model_copy(&m, &f->m);
                mlist *l = LIST;
                uint32_t at = end ? l->n - 1 : 0;
                l->v[at].cell = bad[i].cell;
                l->v[at].idx = bad[i].idx;
                l->v[at].number = 0;
                fmt(msg, sizeof msg,
                    "TemporalMemoryProto.%s[%u]: cell %u segment %u does not "
                    "exist",
                    names[which], at, bad[i].cell, bad[i].idx);
                EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, names[which], msg);
                model_free(&m);
            }
        /* Listed twice (anywhere). */
        model_copy(&m, &f->m);
        mlist *l = LIST;
        mpath first = l->v[0];
        l->v[l->n++] = first;
        fmt(msg, sizeof msg,
            "TemporalMemoryProto.%s[%u]: cell %u segment %u is listed twice",
            names[which], l->n - 1, first.cell, first.idx);
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, names[which], msg);
        model_free(&m);
        /* Entries of destroyed segments (index one past the cell's last,
         * as nupic.core writes them) are skipped, even repeated, whatever
         * their number. */
        model_copy(&m, &f->m);
        l = LIST;
        for (int k = 0; k < 3; k++)
            l->v[l->n++] = (mpath){f->busy_cell, f->busy_count, UINT32_MAX};
        l->v[l->n++] = (mpath){0, m.cells[0].n, 5};
        nupic_tm *tm = NULL;
        expect_read(&m, "destroyed segments", &tm);
        assert_equal_tm(f->tm, tm, "with destroyed segments");
        nupic_tm_free(tm);
        /* Missing entries are 0. */
        l->n = 0;
        expect_read(&m, "no per-segment entries", NULL);
        model_free(&m);
#undef LIST
    }

    /* More active synapses than the segment has. */
    model m;
    model_copy(&m, &f->m);
    uint32_t at = 0;
    while (m.cells[m.potential.v[at].cell].seg[m.potential.v[at].idx].n < 2)
        at++;
    mpath e = m.potential.v[at];
    uint32_t has = m.cells[e.cell].seg[e.idx].n;
    char msg[200];
    m.potential.v[at].number = has;
    expect_read(&m, "all synapses active", NULL);
    const uint64_t too_many[] = {has + 1u, UINT32_MAX};
    for (size_t i = 0; i < 2; i++) {
        m.potential.v[at].number = too_many[i];
        fmt(msg, sizeof msg,
            "TemporalMemoryProto.numActivePotentialSynapsesForSegment[%u]: %u "
            "active synapses on cell %u segment %u, which has %u",
            at, (uint32_t)too_many[i], e.cell, e.idx, has);
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "too many active synapses", msg);
    }
    model_free(&m);

    /* Used after the current iteration. */
    model_copy(&m, &f->m);
    const uint64_t late[] = {f->m.iteration + 1, UINT64_MAX};
    for (size_t i = 0; i < 2; i++) {
        m.last_used.v[1].number = late[i];
        fmt(msg, sizeof msg,
            "TemporalMemoryProto.lastUsedIterationForSegment[1]: iteration "
            "%llu is after the current one (%llu)",
            (unsigned long long)late[i], (unsigned long long)f->m.iteration);
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "used in the future", msg);
    }
    m.last_used.v[1].number = f->m.iteration;
    expect_read(&m, "used now", NULL);
    model_free(&m);
}

/* ------------------------------------------------------------------------
 * Parameters, random state
 * ------------------------------------------------------------------------ */

static void bad_parameters(void **state) {
    fixture *f = *state;
    model m;
    char msg[200];
#define CASE(change, ...)                                                      \
    do {                                                                       \
        model_copy(&m, &f->m);                                                 \
        change;                                                                \
        EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, #change, __VA_ARGS__);               \
        model_free(&m);                                                        \
    } while (0)
    CASE(m.ndims = 0, "TemporalMemoryProto.columnDimensions: 0 dimensions "
                      "(1 to 8 supported)");
    CASE((m.ndims = 9, m.dims[0] = 1),
         "TemporalMemoryProto.columnDimensions: 9 dimensions (1 to 8 "
         "supported)");
    CASE(m.dims[0] = 0, "TemporalMemoryProto.columnDimensions[0] is 0");
    CASE((m.ndims = 3, m.dims[0] = 4, m.dims[1] = 16, m.dims[2] = 0),
         "TemporalMemoryProto.columnDimensions[2] is 0");
    CASE(m.cpc = 0, "TemporalMemoryProto.cellsPerColumn is 0");
    CASE(m.cpc = 1u << 26, "TemporalMemoryProto.",
         "64 columns of 67108864 cells", "more than 2^31-1 cells");
    CASE(m.cpc = UINT32_MAX, "TemporalMemoryProto.",
         "64 columns of 4294967295 cells", "more than 2^31-1 cells");
    CASE((m.ndims = 2, m.dims[1] = 1u << 25), "TemporalMemoryProto.",
         "2147483648 columns of 4 cells", "more than 2^31-1 cells");
    CASE(m.act = 0, "TemporalMemoryProto.activationThreshold is 0");
    CASE(m.min = 0, "TemporalMemoryProto.minThreshold is 0; it must be 1 to "
                    "activationThreshold (3)");
    CASE(m.min = 4, "TemporalMemoryProto.minThreshold is 4; it must be 1 to "
                    "activationThreshold (3)");
    CASE(m.max_seg = 0, "TemporalMemoryProto.maxSegmentsPerCell is 0");
    CASE(m.max_syn = 0, "TemporalMemoryProto.maxSynapsesPerSegment is 0");
    CASE(m.max_new = 1u << 31,
         "TemporalMemoryProto.maxNewSynapseCount 2147483648 is too large");
    CASE(m.init = 0.0f, "TemporalMemoryProto.initialPermanence is 0; it "
                        "must be in (0, 1]");
    const struct {
        const char *name;
        size_t off;
        bool open_low;
    } perms[] = {
        {"initialPermanence", offsetof(model, init), true},
        {"connectedPermanence", offsetof(model, conn), false},
        {"permanenceIncrement", offsetof(model, inc), false},
        {"permanenceDecrement", offsetof(model, dec), false},
        {"predictedSegmentDecrement", offsetof(model, psd), false},
    };
    const struct {
        float v;
        const char *text;
    } bad[] = {{NAN, "nan"},    {INFINITY, "inf"}, {-INFINITY, "-inf"},
               {-0.5f, "-0.5"}, {1.5f, "1.5"},     {-FLT_TRUE_MIN, "-1.4"}};
    for (size_t p = 0; p < sizeof perms / sizeof perms[0]; p++)
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            model_copy(&m, &f->m);
            memcpy((char *)&m + perms[p].off, &bad[i].v, sizeof(float));
            char prefix[96];
            fmt(prefix, sizeof prefix, "TemporalMemoryProto.%s is ",
                perms[p].name);
            fmt(msg, sizeof msg, "; it must be in %s1]",
                perms[p].open_low ? "(0, " : "[0, ");
            EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, perms[p].name, prefix,
                        bad[i].text, msg);
            model_free(&m);
        }
#undef CASE
    /* Edges that are fine. */
    model_copy(&m, &f->m);
    m.conn = 0.0f;
    m.inc = 1.0f;
    m.dec = 0.0f;
    m.psd = 1.0f;
    m.init = 1.0f;
    m.min = m.act;
    m.max_new = 0;
    m.check_inputs = false;
    m.learning_radius = UINT32_MAX;
    expect_read(&m, "edge parameters", NULL);
    model_free(&m);
}

static void bad_random_state(void **state) {
    fixture *f = *state;
    model m;
    model_copy(&m, &f->m);
    m.nstate = 30;
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "30 random words",
                "RandomImplProto.state: 30 words, expected 31");
    m.nstate = 31;
    m.state[4] = -1;
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "random word -1",
                "RandomImplProto.state: word 4 is -1, not a 32-bit value");
    m.state[4] = f->m.state[4];
    m.rptr = 40;
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "random cursor",
                "RandomImplProto: cursors rptr 40 and fptr");
    model_free(&m);
}

/* ------------------------------------------------------------------------
 * nupic.core's files
 * ------------------------------------------------------------------------ */

/* Each loads and round trips.  nupic.core writes its per-segment lists
 * by its internal segment numbering, which can include destroyed segments
 * (entries with an index equal to the cell's segment count, read as
 * skipped); the five files here happen to have none (eviction reuses the
 * slot at once), so per_segment_lists makes some, and here an entry past a
 * cell's last segment is added to a file that has destroyed ones. */
static void nupic_core_files_load(void **state) {
    (void)state;
    for (size_t i = 0; i < N_CORE_FILES; i++) {
        ts_buf raw = ts_read_data(core_files[i]);
        ncp_msg *msg = ts_open(&raw);
        model m;
        model_of(msg, &m);
        ncp_msg_free(msg);
        uint32_t destroyed = 0, live = model_segments(&m);
        for (uint32_t k = 0; k < m.potential.n; k++)
            destroyed +=
                m.potential.v[k].idx == m.cells[m.potential.v[k].cell].n;
        uint32_t unordered = 0;
        for (uint32_t k = 1; k < m.potential.n; k++) {
            const mpath *a = &m.potential.v[k - 1], *b = &m.potential.v[k];
            unordered +=
                a->cell > b->cell || (a->cell == b->cell && a->idx >= b->idx);
        }
        print_message("%s: %u segments, %u entries for destroyed ones, %u "
                      "out of cell order\n",
                      core_files[i], live, destroyed, unordered);
        assert_int_equal(m.potential.n, live + destroyed);
        nupic_tm *tm = NULL;
        nupic_error err = {NUPIC_OK, ""};
        assert_int_equal(
            nupic_tm_read_from_mem(raw.data, raw.len, NULL, &tm, &err),
            NUPIC_OK);
        assert_int_equal(nupic_tm_num_segments(tm), live);
        check_round_trip(tm, core_files[i]);
        /* An entry for a destroyed segment is skipped; one further is an
         * error. */
        if (strstr(core_files[i], "tm-evict/")) {
            uint32_t cell = m.potential.v[0].cell;
            mpath *e = &m.potential.v[m.potential.n++];
            *e = (mpath){cell, m.cells[cell].n, 3};
            ts_buf b = model_build(&m, false);
            nupic_tm *again = NULL;
            assert_int_equal(
                nupic_tm_read_from_mem(b.data, b.len, NULL, &again, &err),
                NUPIC_OK);
            assert_equal_tm(tm, again, "with a destroyed segment's entry");
            nupic_tm_free(again);
            ts_buf_free(&b);
            e->idx++;
            char text[200];
            fmt(text, sizeof text,
                "TemporalMemoryProto.numActivePotentialSynapsesForSegment[%u]"
                ": cell %u segment %u does not exist",
                m.potential.n - 1, e->cell, e->idx);
            b = model_build(&m, false);
            expect_bytes_fail(&b, false, NUPIC_ERR_FORMAT,
                              (const char *const[]){text, NULL},
                              "past a destroyed segment");
            ts_buf_free(&b);
        }
        model_free(&m);
        nupic_tm_free(tm);
        ts_buf_free(&raw);
    }
}

/* A few changes to the largest file, for messages at its scale. */
static void hotgym_mutations(void **state) {
    (void)state;
    ts_buf raw = ts_read_data(core_files[0]);
    ncp_msg *msg = ts_open(&raw);
    model base;
    model_of(msg, &base);
    ncp_msg_free(msg);
    ts_buf_free(&raw);
    uint32_t cell = base.ncells - 1;
    while (base.cells[cell].n == 0)
        cell--;
    uint32_t seg = base.cells[cell].n - 1;
    uint32_t k = base.cells[cell].seg[seg].n - 1;
    model m;
    model_copy(&m, &base);
    m.cells[cell].seg[seg].syn[k].perm = NAN;
    char text[200];
    fmt(text, sizeof text,
        "TemporalMemoryProto.connections.cells[%u].segments[%u].synapses[%u]:"
        " permanence nan is not in (0, 1]",
        cell, seg, k);
    ts_buf b = model_build(&m, true);
    expect_bytes_fail(&b, true, NUPIC_ERR_FORMAT,
                      (const char *const[]){text, NULL}, "hotgym NaN");
    ts_buf_free(&b);
    model_free(&m);

    model_copy(&m, &base);
    m.cells[cell].seg[seg].syn[k].pre = m.ncells;
    fmt(text, sizeof text,
        "synapses[%u]: presynaptic cell 65536, beyond the 65536 cells", k);
    b = model_build(&m, false);
    expect_bytes_fail(&b, false, NUPIC_ERR_FORMAT,
                      (const char *const[]){text, NULL}, "hotgym presynaptic");
    ts_buf_free(&b);
    model_free(&m);
    model_free(&base);
}

/* ------------------------------------------------------------------------
 * Regressions for the fixes in /tmp/h10-fixes (see each)
 * ------------------------------------------------------------------------ */

/* Fix 1: columns x cellsPerColumn was checked in 64 bits after the column
 * product had stopped at 2^31, so products of 2^64 and more wrapped:
 * 131072 x 65536 columns of 2^31 cells passed as 0 cells. */
static void cell_count_overflow(void **state) {
    fixture *f = *state;
    nupic_tm_params p;
    small_params(&p);
    p.num_dimensions = 2;
    p.column_dimensions[0] = 131072;
    p.column_dimensions[1] = 65536;
    p.cells_per_column = 1u << 31;
    nupic_tm *tm = SENTINEL;
    nupic_error err = {NUPIC_OK, ""};
    nupic_status st = nupic_tm_new(&p, &tm, &err);
    if (st == NUPIC_OK) {
        uint32_t cells = nupic_tm_num_cells(tm);
        nupic_tm_free(tm);
        fail_msg("nupic_tm_new accepted 2^33 columns of 2^31 cells (%u "
                 "cells)",
                 cells);
    }
    assert_int_equal(st, NUPIC_ERR_PARAM);
    assert_null(tm);
    assert_non_null(strstr(err.message, "more than 2^31-1 cells"));

    model m;
    model_copy(&m, &f->m);
    m.ndims = 2;
    m.dims[0] = 131072;
    m.dims[1] = 65536;
    m.cpc = 1u << 31;
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "2^33 columns of 2^31 cells",
                "more than 2^31-1 cells");
    m.ndims = 8;
    for (uint32_t i = 0; i < 8; i++)
        m.dims[i] = 256;
    m.cpc = 1;
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "256^8 columns",
                "more than 2^31-1 cells");
    model_free(&m);
}

/* Fix 2: the reader allocated the per-cell arrays for the cells the
 * parameters claim before checking that the message holds them: a message
 * of a few hundred bytes claiming 2^31 - 1 cells made it allocate about
 * 100 GB (NUPIC_ERR_NOMEM, or an abort under a sanitizer without
 * allocator_may_return_null) instead of failing with NUPIC_ERR_FORMAT. */
static void claimed_cells_not_held(void **state) {
    fixture *f = *state;
    model m;
    model_copy(&m, &f->m);
    for (uint32_t c = 0; c < m.ncells; c++) {
        for (uint32_t j = 0; j < m.cells[c].n; j++)
            free(m.cells[c].seg[j].syn);
        free(m.cells[c].seg);
        m.cells[c].seg = NULL;
        m.cells[c].n = 0;
    }
    m.ncells = 0;
    m.active.n = m.winner.n = 0;
    m.active_segs.n = m.matching_segs.n = m.potential.n = m.last_used.n = 0;
    m.dims[0] = INT32_MAX;
    m.cpc = 1;
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "2^31-1 cells claimed",
                "TemporalMemoryProto.connections.cells: 0 cells, expected "
                "2147483647 (2147483647 columns of 1)");
    model_free(&m);
}

/* Fix 3: a learning step at iteration 2^64 - 1 wrapped the iteration to 0
 * while the segments it used were stamped 2^64 - 1, so the state it left
 * did not read back ("lastUsedIterationForSegment...: iteration
 * 18446744073709551615 is after the current one (0)").  The count now
 * stops at 2^64 - 1. */
static void iteration_at_the_end(void **state) {
    fixture *f = *state;
    model m;
    model_copy(&m, &f->m);
    m.iteration = UINT64_MAX;
    nupic_tm *tm = NULL;
    expect_read(&m, "iteration 2^64-1", &tm);
    /* The fixture's next input is predicted: active segments learn. */
    uint32_t cols[NCOLS];
    size_t n = step_columns(STEPS, NCOLS, K, PERIOD, false, cols);
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_tm_compute(tm, cols, n, true, &err), NUPIC_OK);
    assert_true(nupic_tm_active_segments(tm, NULL, 0) > 0);
    assert_true(nupic_tm_iteration(tm) == UINT64_MAX);
    check_round_trip(tm, "after a step at iteration 2^64-1");
    nupic_tm_free(tm);
    model_free(&m);
}

/* Fix 4: messages printed floats with %g (6 digits), so the first value
 * above 1 was "permanence 1 is not in (0, 1]". */
static void float_messages_exact(void **state) {
    fixture *f = *state;
    model m;
    model_copy(&m, &f->m);
    m.cells[f->big_cell].seg[f->big_seg].syn[0].perm = nextafterf(1.0f, 2.0f);
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "just above 1",
                "permanence 1.00000012 is not in (0, 1]");
    model_free(&m);
    model_copy(&m, &f->m);
    m.conn = nextafterf(1.0f, 2.0f);
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "connectedPermanence just above 1",
                "connectedPermanence is 1.00000012; it must be in [0, 1]");
    model_free(&m);
}

/* Fix 4 (also): a cell listing more segments (of no size) than the
 * message has words said only "connections: more segments than the message
 * can hold"; it now names the cell and the numbers. */
static void zero_size_segments_beyond_the_message(void **state) {
    (void)state;
    model m;
    tiny_model(&m);
    m.custom = true;
    m.cell_pc = 1;
    m.syn_dw = 1;
    for (int i = 0; i < 60000; i++)
        model_add_segment(&m, 2, 0, 0, 0.0f);
    EXPECT_FAIL(&m, NUPIC_ERR_FORMAT, "60000 segments of no size",
                "TemporalMemoryProto.connections.cells[2]: 60000 segments, "
                "more than the message (");
    model_free(&m);
}

/* The message the runtime recorded for the bytes when the field at root
 * pointer `ptr` (-1: the root itself) is read. */
static void runtime_message(const ts_buf *b, int ptr, char *out, size_t size) {
    ncp_read_options o = load_options(NCP_PACKING_AUTO);
    ncp_msg *msg = NULL;
    assert_int_equal(ncp_msg_from_buffer(b->data, b->len, &o, &msg, NULL),
                     NCP_OK);
    TemporalMemoryProto_R r = TemporalMemoryProto_read_root(msg);
    switch (ptr) {
    case 0: TemporalMemoryProto_get_columnDimensions(r); break;
    case 1: TemporalMemoryProto_get_connections(r); break;
    case 2: TemporalMemoryProto_get_random(r); break;
    case 3: TemporalMemoryProto_get_activeCells(r); break;
    case 4: TemporalMemoryProto_get_winnerCells(r); break;
    case 5: TemporalMemoryProto_get_activeSegments(r); break;
    case 6: TemporalMemoryProto_get_matchingSegments(r); break;
    case 7:
        TemporalMemoryProto_get_numActivePotentialSynapsesForSegment(r);
        break;
    case 8: TemporalMemoryProto_get_lastUsedIterationForSegment(r); break;
    default: break;
    }
    assert_int_not_equal(ncp_msg_status(msg), NCP_OK);
    snprintf(out, size, "%s", ncp_msg_error(msg)->message);
    ncp_msg_free(msg);
}

/* Fix 5: when the message itself is malformed (a pointer of the wrong
 * kind reads as empty), the reader reported what the empty value broke
 * ("columnDimensions: 0 dimensions", "connections.cells: 0 cells, expected
 * 256") instead of the cause the runtime recorded. */
static void malformed_pointers_reported(void **state) {
    fixture *f = *state;
    for (int ptr = 0; ptr <= 8; ptr++) {
        model m;
        model_copy(&m, &f->m);
        m.odd_ptr = ptr;
        ts_buf b = model_build(&m, false);
        char want[NUPIC_ERROR_MESSAGE_SIZE], what[64];
        runtime_message(&b, ptr, want, sizeof want);
        fmt(what, sizeof what, "root pointer %d of the wrong kind", ptr);
        save_for_corpus(&b, what, "bin");
        expect_bytes_fail(&b, false, NUPIC_ERR_FORMAT,
                          (const char *const[]){want, NULL}, what);
        ts_buf_free(&b);
        model_free(&m);
    }
    /* A root that is not a struct. */
    for (int kind = 0; kind < 2; kind++) {
        ncp_builder *bl = NULL;
        assert_int_equal(ncp_builder_new(NULL, &bl), NCP_OK);
        if (kind == 0) {
            uint32_t v[3] = {64, 4, 3};
            ncp_bptr_init_list_from(ncp_builder_root_ptr(bl), NCP_ELEM_4BYTES,
                                    3, v);
        } else {
            ncp_bptr_set_text(ncp_builder_root_ptr(bl), "TemporalMemory", 14);
        }
        ts_buf b = ts_write_mem(bl, 0u);
        ncp_builder_free(bl);
        char want[NUPIC_ERROR_MESSAGE_SIZE];
        runtime_message(&b, -1, want, sizeof want);
        expect_bytes_fail(&b, false, NUPIC_ERR_FORMAT,
                          (const char *const[]){want, NULL},
                          kind ? "a text root" : "a list root");
        ts_buf_free(&b);
    }
}

/* Fixes 6 and 7: a temporal memory without segments or synapses (new,
 * or read so) formed pointers from NULL in a step (matching_segs + 0 in
 * activateCells, the presynaptic pool's data + 0 in activateDendrites):
 * undefined behaviour, which UndefinedBehaviorSanitizer reports under
 * clang (-fsanitize=pointer-overflow); GCC's does not check it. */
static void empty_states_compute(void **state) {
    (void)state;
    nupic_tm_params p;
    small_params(&p);
    nupic_tm *tm = NULL;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_tm_new(&p, &tm, &err), NUPIC_OK);
    uint32_t cols[NCOLS];
    for (uint32_t t = 0; t < 3; t++) {
        size_t n = step_columns(t, NCOLS, K, PERIOD, false, cols);
        assert_int_equal(nupic_tm_compute(tm, cols, n, t != 1, &err), NUPIC_OK);
    }
    nupic_tm_free(tm);
    /* Read without synapses, then a step. */
    model m;
    tiny_model(&m);
    m.custom = true;
    m.cell_pc = 1;
    m.syn_dw = 1;
    model_add_segment(&m, 1, 0, 0, 0.0f);
    ts_buf b = model_build(&m, false);
    tm = NULL;
    assert_int_equal(nupic_tm_read_from_mem(b.data, b.len, NULL, &tm, &err),
                     NUPIC_OK);
    uint32_t all[4] = {0, 1, 2, 3};
    assert_int_equal(nupic_tm_compute(tm, all, 4, true, &err), NUPIC_OK);
    assert_int_equal(nupic_tm_compute(tm, all, 4, true, &err), NUPIC_OK);
    nupic_tm_free(tm);
    ts_buf_free(&b);
    model_free(&m);
}

/* Whether cell is among the sorted cells[0..n). */
static bool in_sorted(const uint32_t *cells, uint32_t n, uint32_t cell) {
    for (uint32_t i = 0; i < n; i++)
        if (cells[i] == cell) return true;
    return false;
}

/* A file's per-segment activity counts are read as they are (nupic.core
 * grows segments by them), but learning adapts a segment by the cells that
 * were active, as nupic.core's adaptSegment does.  A count claiming that
 * every synapse of an active segment is on an active cell, when one is not,
 * must not make the step take that synapse as active: the shortcut for
 * fully active segments trusts only counts the temporal memory made
 * itself. */
static void claimed_counts_do_not_steer_learning(void **state) {
    fixture *f = *state;
    const model *m0 = &f->m;
    const float inc = m0->inc, dec = m0->dec;
    uint32_t cell = 0, idx = 0, n = 0;
    bool found = false;
    for (uint32_t k = 0; k < m0->active_segs.n && !found; k++) {
        cell = m0->active_segs.v[k].cell;
        idx = m0->active_segs.v[k].idx;
        const mseg *s = &m0->cells[cell].seg[idx];
        n = s->n;
        for (uint32_t j = 0; j < n && !found; j++)
            found = !in_sorted(m0->active.v, m0->active.n, s->syn[j].pre) &&
                    s->syn[j].perm - dec >= 0.001f;
    }
    if (!found)
        fail_msg("the fixture has no active segment with a synapse "
                 "on an inactive cell");
    model m;
    model_copy(&m, m0);
    bool claimed = false;
    for (uint32_t k = 0; k < m.potential.n; k++)
        if (m.potential.v[k].cell == cell && m.potential.v[k].idx == idx) {
            m.potential.v[k].number = n;
            claimed = true;
        }
    assert_true(claimed);
    nupic_tm *tm = NULL;
    expect_read(&m, "claimed_counts", &tm);
    /* One step with only the segment's column active: it was predicted, so
     * the segment learns (and grows at most max_new - n synapses, within
     * the maximum: none of its synapses is destroyed). */
    uint32_t col = cell / m0->cpc;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_tm_compute(tm, &col, 1, true, &err), NUPIC_OK);
    uint32_t pre[64];
    float perm[64];
    nupic_tm_segment seg = {cell, idx};
    size_t got = nupic_tm_synapses(tm, seg, pre, perm, 64);
    assert_true(got >= n && got <= 64);
    const mseg *s = &m0->cells[cell].seg[idx];
    for (uint32_t j = 0; j < n; j++) {
        bool on = in_sorted(m0->active.v, m0->active.n, s->syn[j].pre);
        float want = s->syn[j].perm + (on ? inc : -dec);
        want = 1.0f < want ? 1.0f : want;
        assert_int_equal(pre[j], s->syn[j].pre);
        if (memcmp(&perm[j], &want, sizeof want) != 0)
            fail_msg("synapse %u (cell %u, %sactive): permanence %.9g, "
                     "expected %.9g",
                     j, pre[j], on ? "" : "in", (double)perm[j], (double)want);
    }
    nupic_tm_free(tm);
    model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_states_read),
        cmocka_unit_test(truncated_everywhere),
        cmocka_unit_test(truncated_nupic_core_files),
        cmocka_unit_test(corrupted_bytes),
        cmocka_unit_test(wrong_root_type),
        cmocka_unit_test(cells_not_matching_columns),
        cmocka_unit_test(presynaptic_cell_out_of_range),
        cmocka_unit_test(duplicate_presynaptic_cell),
        cmocka_unit_test(bad_permanences),
        cmocka_unit_test(too_many_segments),
        cmocka_unit_test(too_many_synapses),
        cmocka_unit_test(segment_without_synapses),
        cmocka_unit_test(newer_connections_version),
        cmocka_unit_test(encodings_the_schema_allows),
        cmocka_unit_test(zero_size_segments),
        cmocka_unit_test(cell_lists),
        cmocka_unit_test(segment_lists),
        cmocka_unit_test(per_segment_lists),
        cmocka_unit_test(bad_parameters),
        cmocka_unit_test(bad_random_state),
        cmocka_unit_test(nupic_core_files_load),
        cmocka_unit_test(hotgym_mutations),
        cmocka_unit_test(cell_count_overflow),
        cmocka_unit_test(claimed_cells_not_held),
        cmocka_unit_test(iteration_at_the_end),
        cmocka_unit_test(float_messages_exact),
        cmocka_unit_test(zero_size_segments_beyond_the_message),
        cmocka_unit_test(malformed_pointers_reported),
        cmocka_unit_test(empty_states_compute),
        cmocka_unit_test(claimed_counts_do_not_steer_learning),
    };
    /* The fixture is shared; cases copy what they change. */
    return cmocka_run_group_tests(tests, setup, teardown);
}
