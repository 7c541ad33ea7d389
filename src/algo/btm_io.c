/*
 * src/algo/btm_io.c - the backtracking TM's state as nupic.core's
 * Cells4Proto (Cells4::write / Cells4::read) and NuPIC's
 * BacktrackingTMCppProto; equality.
 *
 * The writer sets the fields and allocates the objects in Cells4::write's
 * order.  The reader checks every count, index and value against the
 * parameters and the message's size before allocating for it, and builds
 * the free segment lists and forward links as nupic.core rebuilds them.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "btm_internal.h"
#include "persist.h"

#define CSTATE_VERSION 1
#define CELLS4_VERSION 2

/* ------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------ */

static void write_state(const nupic_btm *t, const btm_state *s, CStateProto_B b,
                        bool indexed) {
    CStateProto_set_version(b, CSTATE_VERSION);
    CStateProto_set_fMemoryAllocatedByPython(b, s->py_mem);
    CStateProto_set_pData(b, s->on, t->n_cells);
    if (indexed) {
        CStateProto_set_countOn(b, s->n);
        CStateProto_set_cellsOn(b, s->list, s->n);
    }
}

static void write_patterns(ncp_blist l, const btm_queue *q) {
    for (uint32_t i = 0; i < q->n; i++)
        ncp_bptr_init_list_from(ncp_blist_ptr(&l, i), NCP_ELEM_4BYTES,
                                q->p[i].n, q->p[i].cols);
}

nupic_status nupic_btm_write(const nupic_btm *t, Cells4Proto_B b,
                             nupic_error *err) {
    const nupic_btm_params *p = &t->p;
    Cells4Proto_set_version(b, t->version);
    Cells4Proto_set_ownsMemory(b, t->owns_memory);
    nupic_status st = nupic_random_write(&t->rng, Cells4Proto_init_rng(b), err);
    if (st != NUPIC_OK) return st;
    Cells4Proto_set_nColumns(b, t->n_cols);
    Cells4Proto_set_nCellsPerCol(b, p->cells_per_column);
    Cells4Proto_set_activationThreshold(b, p->activation_threshold);
    Cells4Proto_set_minThreshold(b, p->min_threshold);
    Cells4Proto_set_newSynapseCount(b, p->new_synapse_count);
    Cells4Proto_set_nIterations(b, t->n_iterations);
    Cells4Proto_set_nLrnIterations(b, t->n_lrn_iterations);
    Cells4Proto_set_segUpdateValidDuration(b, p->seg_update_valid_duration);
    Cells4Proto_set_initSegFreq(b, t->init_seg_freq);
    Cells4Proto_set_permInitial(b, p->initial_perm);
    Cells4Proto_set_permConnected(b, p->connected_perm);
    Cells4Proto_set_permMax(b, p->permanence_max);
    Cells4Proto_set_permDec(b, p->permanence_dec);
    Cells4Proto_set_permInc(b, p->permanence_inc);
    Cells4Proto_set_globalDecay(b, p->global_decay);
    Cells4Proto_set_doPooling(b, p->do_pooling);
    Cells4Proto_set_pamLength(b, p->pam_length);
    Cells4Proto_set_maxInfBacktrack(b, p->max_inf_backtrack);
    Cells4Proto_set_maxLrnBacktrack(b, p->max_lrn_backtrack);
    Cells4Proto_set_maxSeqLength(b, p->max_seq_length);
    Cells4Proto_set_learnedSeqLength(b, t->learned_seq_length);
    Cells4Proto_set_avgLearnedSeqLength(b, t->avg_learned_seq_length);
    Cells4Proto_set_maxAge(b, p->max_age);
    Cells4Proto_set_verbosity(b, (uint8_t)p->verbosity);
    Cells4Proto_set_maxSegmentsPerCell(b, (uint32_t)p->max_segments_per_cell);
    Cells4Proto_set_maxSynapsesPerSegment(
        b, (uint32_t)p->max_synapses_per_segment);
    Cells4Proto_set_checkSynapseConsistency(b, p->check_synapse_consistency);
    Cells4Proto_set_resetCalled(b, t->reset_called);
    Cells4Proto_set_avgInputDensity(b, t->avg_input_density);
    Cells4Proto_set_pamCounter(b, t->pam_counter);

    write_state(t, &t->learn_active_t, Cells4Proto_init_learnActiveStateT(b),
                true);
    write_state(t, &t->learn_active_t1, Cells4Proto_init_learnActiveStateT1(b),
                true);
    write_state(t, &t->learn_pred_t, Cells4Proto_init_learnPredictedStateT(b),
                true);
    write_state(t, &t->learn_pred_t1, Cells4Proto_init_learnPredictedStateT1(b),
                true);
    write_state(t, &t->inf_active_t, Cells4Proto_init_infActiveStateT(b),
                false);
    write_state(t, &t->inf_active_t1, Cells4Proto_init_infActiveStateT1(b),
                false);
    write_state(t, &t->inf_pred_t, Cells4Proto_init_infPredictedStateT(b),
                false);
    write_state(t, &t->inf_pred_t1, Cells4Proto_init_infPredictedStateT1(b),
                false);
    Cells4Proto_set_cellConfidenceT(b, t->cell_conf_t.v, t->n_cells);
    Cells4Proto_set_cellConfidenceT1(b, t->cell_conf_t1.v, t->n_cells);
    Cells4Proto_set_colConfidenceT(b, t->col_conf_t.v, t->n_cols);
    Cells4Proto_set_colConfidenceT1(b, t->col_conf_t1.v, t->n_cols);
    write_patterns(Cells4Proto_init_prevInfPatterns(b, t->prev_inf.n),
                   &t->prev_inf);
    write_patterns(Cells4Proto_init_prevLrnPatterns(b, t->prev_lrn.n),
                   &t->prev_lrn);

    CellProto_BList cells = Cells4Proto_init_cells(b, t->n_cells);
    for (uint32_t i = 0; i < t->n_cells; i++) {
        const btm_cell *c = &t->cells[i];
        CellProto_B cb = CellProto_BList_get(cells, i);
        SegmentProto_BList sl = CellProto_init_segments(cb, c->n);
        /* The free slots' order, unless a reader rebuilds it. */
        for (uint32_t k = 1; k < c->n_free; k++)
            if (c->free[k - 1] > c->free[k]) {
                CellProto_set_freeSegments(cb, c->free, c->n_free);
                break;
            }
        for (uint32_t j = 0; j < c->n; j++) {
            const btm_seg *s = &t->segs[c->slots[j]];
            SegmentProto_B sb = SegmentProto_BList_get(sl, j);
            SegmentProto_set_seqSegFlag(sb, s->seq);
            SegmentProto_set_frequency(sb, s->frequency);
            SegmentProto_set_nConnected(sb, s->n_connected);
            SegmentProto_set_totalActivations(sb, s->total_act);
            SegmentProto_set_positiveActivations(sb, s->pos_act);
            SegmentProto_set_lastActiveIteration(sb, s->last_active_it);
            SegmentProto_set_lastPosDutyCycle(sb, s->last_pos_dc);
            SegmentProto_set_lastPosDutyCycleIteration(sb, s->last_pos_dc_it);
            InSynapseProto_BList yl = SegmentProto_init_synapses(sb, s->n);
            for (uint32_t k = 0; k < s->n; k++) {
                InSynapseProto_B y = InSynapseProto_BList_get(yl, k);
                InSynapseProto_set_srcCellIdx(y, s->syn[k].src);
                InSynapseProto_set_permanence(y, s->syn[k].perm);
            }
        }
    }
    SegmentUpdateProto_BList ul =
        Cells4Proto_init_segmentUpdates(b, t->n_updates);
    for (uint32_t i = 0; i < t->n_updates; i++) {
        const btm_update *u = &t->updates[i];
        SegmentUpdateProto_B ub = SegmentUpdateProto_BList_get(ul, i);
        SegmentUpdateProto_set_sequenceSegment(ub, u->seq);
        SegmentUpdateProto_set_cellIdx(ub, u->cell);
        SegmentUpdateProto_set_segIdx(ub, u->seg);
        SegmentUpdateProto_set_timestamp(ub, u->timestamp);
        SegmentUpdateProto_set_synapses(ub, u->syn, u->n);
        SegmentUpdateProto_set_phase1Flag(ub, u->phase1);
        SegmentUpdateProto_set_weaklyPredicting(ub, u->weakly);
    }
    if (ncp_builder_status(b.s.b) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_builder_error(b.s.b));
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------ */

#define FMT(...)                                                               \
    nupic_error_set(err, NUPIC_ERR_FORMAT, "Cells4Proto." __VA_ARGS__)

static nupic_status read_state(nupic_btm *t, CStateProto_R r, const char *name,
                               btm_state *s, bool indexed, nupic_error *err) {
    if (CStateProto_get_version(r) != CSTATE_VERSION)
        return FMT("%s.version is %u, not %u", name, CStateProto_get_version(r),
                   CSTATE_VERSION);
    s->py_mem = CStateProto_get_fMemoryAllocatedByPython(r);
    ncp_data d = CStateProto_get_pData(r);
    if (d.len != t->n_cells)
        return FMT("%s.pData: %zu bytes, expected nCells %u", name, d.len,
                   t->n_cells);
    uint32_t ones = 0;
    for (uint32_t i = 0; i < t->n_cells; i++) {
        if (d.ptr[i] > 1)
            return FMT("%s.pData[%u] is %u, not 0 or 1", name, i, d.ptr[i]);
        ones += d.ptr[i];
    }
    if (!indexed) {
        for (uint32_t i = 0; i < t->n_cells; i++)
            if (d.ptr[i]) btm_state_set(s, i);
        return NUPIC_OK;
    }
    ncp_list on = CStateProto_get_cellsOn(r);
    uint32_t n = ncp_list_len(&on);
    if (CStateProto_get_countOn(r) != n || n != ones)
        return FMT("%s: countOn %u, %u cellsOn, %u cells set in pData", name,
                   CStateProto_get_countOn(r), n, ones);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = ncp_list_u32(&on, i);
        if (c >= t->n_cells)
            return FMT("%s.cellsOn[%u]: cell %u >= nCells %u", name, i, c,
                       t->n_cells);
        if (!d.ptr[c])
            return FMT("%s.cellsOn[%u]: cell %u is not set in pData", name, i,
                       c);
        if (i > 0 && c <= s->list[i - 1])
            return FMT("%s.cellsOn: not ascending (%u after %u)", name, c,
                       s->list[i - 1]);
        btm_state_set(s, c);
    }
    return NUPIC_OK;
}

static nupic_status read_conf(ncp_list l, const char *name, btm_conf *c,
                              uint32_t n, nupic_error *err) {
    if (ncp_list_len(&l) != n)
        return FMT("%s: %u values, expected %u", name, ncp_list_len(&l), n);
    for (uint32_t i = 0; i < n; i++) {
        float v = ncp_list_f32(&l, i);
        if (!(v >= 0.0f && v <= 3.0e38f))
            return FMT("%s[%u] is %.9g; confidences are finite and >= 0", name,
                       i, (double)v);
        if (v != 0.0f) btm_conf_add(c, i, v);
    }
    return NUPIC_OK;
}

/* An ascending list of distinct values below limit. */
static nupic_status check_ascending(const uint32_t *v, uint32_t n,
                                    uint32_t limit, const char *name,
                                    uint32_t index, const char *what,
                                    nupic_error *err) {
    for (uint32_t i = 0; i < n; i++) {
        if (v[i] >= limit)
            return FMT("%s[%u][%u]: %s %u >= %u", name, index, i, what, v[i],
                       limit);
        if (i > 0 && v[i] <= v[i - 1])
            return FMT("%s[%u]: not ascending (%u after %u)", name, index, v[i],
                       v[i - 1]);
    }
    return NUPIC_OK;
}

static nupic_status read_patterns(nupic_btm *t, ncp_list l, const char *name,
                                  btm_queue *q, nupic_error *err) {
    uint32_t n = ncp_list_len(&l);
    for (uint32_t i = 0; i < n; i++) {
        ncp_list e = ncp_ptr_list(ncp_list_ptr(&l, i), NCP_ELEM_4BYTES, name);
        uint32_t len = ncp_list_len(&e);
        if (len > t->n_cols)
            return FMT("%s[%u]: %u columns, more than nColumns %u", name, i,
                       len, t->n_cols);
        uint32_t *buf = t->scratch_a;
        ncp_list_get_u32s(&e, 0, len, buf);
        nupic_status st =
            check_ascending(buf, len, t->n_cols, name, i, "column", err);
        if (st != NUPIC_OK) return st;
        if (!btm_queue_push(q, buf, len))
            return nupic_error_set(err, NUPIC_ERR_NOMEM,
                                   "BacktrackingTM: out of memory reading %s",
                                   name);
    }
    return NUPIC_OK;
}

static nupic_status read_params(Cells4Proto_R r, nupic_btm_params *p,
                                nupic_error *err) {
    nupic_btm_params_default(p);
    p->number_of_cols = Cells4Proto_get_nColumns(r);
    p->cells_per_column = Cells4Proto_get_nCellsPerCol(r);
    p->activation_threshold = Cells4Proto_get_activationThreshold(r);
    p->min_threshold = Cells4Proto_get_minThreshold(r);
    p->new_synapse_count = Cells4Proto_get_newSynapseCount(r);
    p->seg_update_valid_duration = Cells4Proto_get_segUpdateValidDuration(r);
    p->initial_perm = Cells4Proto_get_permInitial(r);
    p->connected_perm = Cells4Proto_get_permConnected(r);
    p->permanence_max = Cells4Proto_get_permMax(r);
    p->permanence_dec = Cells4Proto_get_permDec(r);
    p->permanence_inc = Cells4Proto_get_permInc(r);
    p->global_decay = Cells4Proto_get_globalDecay(r);
    p->do_pooling = Cells4Proto_get_doPooling(r);
    p->pam_length = Cells4Proto_get_pamLength(r);
    p->max_inf_backtrack = Cells4Proto_get_maxInfBacktrack(r);
    p->max_lrn_backtrack = Cells4Proto_get_maxLrnBacktrack(r);
    p->max_seq_length = Cells4Proto_get_maxSeqLength(r);
    p->max_age = Cells4Proto_get_maxAge(r);
    p->verbosity = Cells4Proto_get_verbosity(r);
    p->max_segments_per_cell = (int32_t)Cells4Proto_get_maxSegmentsPerCell(r);
    p->max_synapses_per_segment =
        (int32_t)Cells4Proto_get_maxSynapsesPerSegment(r);
    p->check_synapse_consistency = Cells4Proto_get_checkSynapseConsistency(r);
    p->seed = 0;
    return btm_validate(p, "Cells4Proto: ", NUPIC_ERR_FORMAT, err);
}

/* CellProto.freeSegments (nupic-c's): the order of the free slots, which
 * must be exactly the cell's empty slots (c->free holds them ascending). */
static nupic_status read_free_order(btm_cell *c, ncp_list l, uint32_t cell,
                                    nupic_error *err) {
    uint32_t n = ncp_list_len(&l);
    if (n == 0) return NUPIC_OK;
    if (n != c->n_free)
        return FMT("cells[%u].freeSegments: %u slots, but the cell has %u "
                   "empty segments",
                   cell, n, c->n_free);
    uint32_t *order = malloc((size_t)n * sizeof *order);
    uint8_t *seen = calloc(n, 1);
    if (order == NULL || seen == NULL) {
        free(order);
        free(seen);
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "BacktrackingTM: out of memory");
    }
    ncp_list_get_u32s(&l, 0, n, order);
    for (uint32_t k = 0; k < n; k++) {
        /* c->free is ascending: find order[k] in it. */
        uint32_t lo = 0, hi = n;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (c->free[mid] < order[k])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == n || c->free[lo] != order[k] || seen[lo]) {
            uint32_t v = order[k];
            free(order);
            free(seen);
            return FMT("cells[%u].freeSegments[%u]: slot %u is not an empty "
                       "segment listed once",
                       cell, k, v);
        }
        seen[lo] = 1;
    }
    memcpy(c->free, order, (size_t)n * sizeof *order);
    free(order);
    free(seen);
    return NUPIC_OK;
}

static nupic_status read_cells(nupic_btm *t, CellProto_RList cells,
                               uint64_t bound, nupic_error *err) {
    const float conn = t->p.connected_perm;
    uint64_t total = 0;
    for (uint32_t i = 0; i < t->n_cells; i++) {
        SegmentProto_RList sl =
            CellProto_get_segments(CellProto_RList_get(cells, i));
        uint32_t ns = SegmentProto_RList_len(sl);
        total += ns;
        if (total > bound)
            return FMT("cells[%u]: %u segments, more than the message (%llu "
                       "words) can hold",
                       i, ns, (unsigned long long)bound);
        for (uint32_t j = 0; j < ns; j++) {
            SegmentProto_R sr = SegmentProto_RList_get(sl, j);
            uint32_t id = btm_new_slot(t, i);
            if (id == BTM_NO_SEG)
                return nupic_error_set(err, NUPIC_ERR_NOMEM,
                                       "BacktrackingTM: out of memory reading "
                                       "segments");
            btm_seg *s = &t->segs[id];
            s->seq = SegmentProto_get_seqSegFlag(sr);
            s->frequency = SegmentProto_get_frequency(sr);
            s->total_act = SegmentProto_get_totalActivations(sr);
            s->pos_act = SegmentProto_get_positiveActivations(sr);
            s->last_active_it = SegmentProto_get_lastActiveIteration(sr);
            s->last_pos_dc = SegmentProto_get_lastPosDutyCycle(sr);
            s->last_pos_dc_it = SegmentProto_get_lastPosDutyCycleIteration(sr);
            /* Duty cycles are averages of 0s and 1s: a negative one would
             * make confidences negative. */
            if (!(s->last_pos_dc >= 0.0f && s->last_pos_dc <= FLT_MAX))
                return FMT("cells[%u].segments[%u]: lastPosDutyCycle %.9g is "
                           "negative or not finite",
                           i, j, (double)s->last_pos_dc);
            InSynapseProto_RList yl = SegmentProto_get_synapses(sr);
            uint32_t n = InSynapseProto_RList_len(yl);
            if (n > t->n_cells)
                return FMT("cells[%u].segments[%u]: %u synapses, more than "
                           "nCells %u",
                           i, j, n, t->n_cells);
            if (!btm_seg_reserve(s, n))
                return nupic_error_set(err, NUPIC_ERR_NOMEM,
                                       "BacktrackingTM: out of memory reading "
                                       "synapses");
            for (uint32_t k = 0; k < n; k++) {
                InSynapseProto_R y = InSynapseProto_RList_get(yl, k);
                uint32_t src = InSynapseProto_get_srcCellIdx(y);
                float perm = InSynapseProto_get_permanence(y);
                if (src >= t->n_cells)
                    return FMT(
                        "cells[%u].segments[%u].synapses[%u]: srcCellIdx "
                        "%u >= nCells %u",
                        i, j, k, src, t->n_cells);
                if (k > 0 && src <= s->syn[k - 1].src)
                    return FMT(
                        "cells[%u].segments[%u].synapses[%u]: srcCellIdx "
                        "%u after %u (not ascending)",
                        i, j, k, src, s->syn[k - 1].src);
                /* 0 is reachable: synapses are made with initialPerm,
                 * which may be 0, and removed only when an update takes
                 * them to 0 or below. */
                if (!(perm >= 0.0f && perm <= 1e6f))
                    return FMT(
                        "cells[%u].segments[%u].synapses[%u]: permanence "
                        "%.9g is negative or not finite",
                        i, j, k, (double)perm);
                s->syn[k] = (btm_syn){src, perm};
            }
            s->n = n;
            uint32_t nc = 0;
            for (uint32_t k = 0; k < n; k++)
                nc += s->syn[k].perm >= conn;
            if (SegmentProto_get_nConnected(sr) != nc)
                return FMT("cells[%u].segments[%u]: nConnected %u, but %u "
                           "synapses are connected",
                           i, j, SegmentProto_get_nConnected(sr), nc);
            s->n_connected = nc;
            if (t->p.max_synapses_per_segment > 0 &&
                n > (uint32_t)t->p.max_synapses_per_segment)
                return FMT("cells[%u].segments[%u]: %u synapses, more than "
                           "maxSynapsesPerSegment %d",
                           i, j, n, t->p.max_synapses_per_segment);
            /* Cell::read: empty slots are free, in ascending order. */
            if (n == 0 && !btm_push_free(&t->cells[i], j))
                return nupic_error_set(err, NUPIC_ERR_NOMEM,
                                       "BacktrackingTM: out of memory");
        }
        if (t->p.max_segments_per_cell > 0 &&
            ns > (uint32_t)t->p.max_segments_per_cell)
            return FMT(
                "cells[%u]: %u segments, more than maxSegmentsPerCell %d", i,
                ns, t->p.max_segments_per_cell);
        nupic_status st = read_free_order(
            &t->cells[i],
            CellProto_get_freeSegments(CellProto_RList_get(cells, i)), i, err);
        if (st != NUPIC_OK) return st;
    }
    return NUPIC_OK;
}

static nupic_status read_updates(nupic_btm *t, SegmentUpdateProto_RList ul,
                                 nupic_error *err) {
    uint32_t n = SegmentUpdateProto_RList_len(ul);
    for (uint32_t i = 0; i < n; i++) {
        SegmentUpdateProto_R ur = SegmentUpdateProto_RList_get(ul, i);
        uint32_t cell = SegmentUpdateProto_get_cellIdx(ur);
        uint32_t seg = SegmentUpdateProto_get_segIdx(ur);
        if (cell >= t->n_cells)
            return FMT("segmentUpdates[%u]: cellIdx %u >= nCells %u", i, cell,
                       t->n_cells);
        if (seg != BTM_NO_SEG && seg >= t->cells[cell].n)
            return FMT("segmentUpdates[%u]: segIdx %u, but cell %u has %u "
                       "segments",
                       i, seg, cell, t->cells[cell].n);
        ncp_list sl = SegmentUpdateProto_get_synapses(ur);
        uint32_t len = ncp_list_len(&sl);
        if (len == 0 || len > t->n_cells)
            return FMT("segmentUpdates[%u]: %u synapses (1 to nCells %u)", i,
                       len, t->n_cells);
        ncp_list_get_u32s(&sl, 0, len, t->scratch_a);
        nupic_status st = check_ascending(t->scratch_a, len, t->n_cells,
                                          "segmentUpdates", i, "synapse", err);
        if (st != NUPIC_OK) return st;
        if (t->n_updates == t->cap_updates) {
            uint32_t c = t->cap_updates ? t->cap_updates * 2 : 64;
            btm_update *u = realloc(t->updates, (size_t)c * sizeof *u);
            if (u == NULL) goto nomem;
            t->updates = u;
            t->cap_updates = c;
        }
        btm_update *u = &t->updates[t->n_updates];
        u->syn = malloc((size_t)len * sizeof *u->syn);
        if (u->syn == NULL) goto nomem;
        memcpy(u->syn, t->scratch_a, (size_t)len * sizeof *u->syn);
        u->n = len;
        u->cell = cell;
        u->seg = seg;
        u->timestamp = SegmentUpdateProto_get_timestamp(ur);
        u->seq = SegmentUpdateProto_get_sequenceSegment(ur);
        u->phase1 = SegmentUpdateProto_get_phase1Flag(ur);
        u->weakly = SegmentUpdateProto_get_weaklyPredicting(ur);
        t->n_updates++;
    }
    return NUPIC_OK;
nomem:
    return nupic_error_set(err, NUPIC_ERR_NOMEM,
                           "BacktrackingTM: out of memory reading updates");
}

static nupic_status read_btm(Cells4Proto_R r, nupic_btm **out,
                             nupic_error *err) {
    *out = NULL;
    if (Cells4Proto_get_version(r) != CELLS4_VERSION)
        return FMT("version is %u; this reader knows %u",
                   Cells4Proto_get_version(r), CELLS4_VERSION);
    if (!Cells4Proto_get_ownsMemory(r))
        return FMT("ownsMemory is false: the inference state is not in the "
                   "message (a Python-owned state is not supported)");
    nupic_btm_params p;
    nupic_status st = read_params(r, &p, err);
    if (st != NUPIC_OK) return st;
    /* Every cell takes a word of the message: check before allocating. */
    CellProto_RList cells = Cells4Proto_get_cells(r);
    const uint32_t n_cells = p.number_of_cols * p.cells_per_column;
    if (CellProto_RList_len(cells) != n_cells)
        return FMT("cells: %u cells, expected nColumns %u x nCellsPerCol %u",
                   CellProto_RList_len(cells), p.number_of_cols,
                   p.cells_per_column);
    uint64_t bound = r.s.msg ? ncp_msg_size_words(r.s.msg) : 0;
    nupic_btm *t;
    st = btm_alloc(&p, &t, err);
    if (st != NUPIC_OK) return st;
    st = nupic_random_read(Cells4Proto_get_rng(r), &t->rng, err);
    if (st != NUPIC_OK) goto fail;
    t->n_iterations = Cells4Proto_get_nIterations(r);
    t->n_lrn_iterations = Cells4Proto_get_nLrnIterations(r);
    t->init_seg_freq = Cells4Proto_get_initSegFreq(r);
    t->learned_seq_length = Cells4Proto_get_learnedSeqLength(r);
    t->avg_learned_seq_length = Cells4Proto_get_avgLearnedSeqLength(r);
    t->reset_called = Cells4Proto_get_resetCalled(r);
    t->avg_input_density = Cells4Proto_get_avgInputDensity(r);
    t->pam_counter = Cells4Proto_get_pamCounter(r);
    if (!(t->avg_input_density >= 0.0f && t->avg_input_density <= 1e30f)) {
        st = FMT("avgInputDensity %.9g is not finite and >= 0",
                 (double)t->avg_input_density);
        goto fail;
    }
    st = read_state(t, Cells4Proto_get_learnActiveStateT(r),
                    "learnActiveStateT", &t->learn_active_t, true, err);
    if (st == NUPIC_OK)
        st = read_state(t, Cells4Proto_get_learnActiveStateT1(r),
                        "learnActiveStateT1", &t->learn_active_t1, true, err);
    if (st == NUPIC_OK)
        st = read_state(t, Cells4Proto_get_learnPredictedStateT(r),
                        "learnPredictedStateT", &t->learn_pred_t, true, err);
    if (st == NUPIC_OK)
        st = read_state(t, Cells4Proto_get_learnPredictedStateT1(r),
                        "learnPredictedStateT1", &t->learn_pred_t1, true, err);
    if (st == NUPIC_OK) st = read_cells(t, cells, bound, err);
    if (st == NUPIC_OK)
        st = read_state(t, Cells4Proto_get_infActiveStateT(r),
                        "infActiveStateT", &t->inf_active_t, false, err);
    if (st == NUPIC_OK)
        st = read_state(t, Cells4Proto_get_infActiveStateT1(r),
                        "infActiveStateT1", &t->inf_active_t1, false, err);
    if (st == NUPIC_OK)
        st = read_state(t, Cells4Proto_get_infPredictedStateT(r),
                        "infPredictedStateT", &t->inf_pred_t, false, err);
    if (st == NUPIC_OK)
        st = read_state(t, Cells4Proto_get_infPredictedStateT1(r),
                        "infPredictedStateT1", &t->inf_pred_t1, false, err);
    if (st == NUPIC_OK)
        st = read_conf(Cells4Proto_get_cellConfidenceT(r), "cellConfidenceT",
                       &t->cell_conf_t, t->n_cells, err);
    if (st == NUPIC_OK)
        st = read_conf(Cells4Proto_get_cellConfidenceT1(r), "cellConfidenceT1",
                       &t->cell_conf_t1, t->n_cells, err);
    if (st == NUPIC_OK)
        st = read_conf(Cells4Proto_get_colConfidenceT(r), "colConfidenceT",
                       &t->col_conf_t, t->n_cols, err);
    if (st == NUPIC_OK)
        st = read_conf(Cells4Proto_get_colConfidenceT1(r), "colConfidenceT1",
                       &t->col_conf_t1, t->n_cols, err);
    if (st == NUPIC_OK)
        st = read_patterns(t, Cells4Proto_get_prevInfPatterns(r),
                           "prevInfPatterns", &t->prev_inf, err);
    if (st == NUPIC_OK)
        st = read_patterns(t, Cells4Proto_get_prevLrnPatterns(r),
                           "prevLrnPatterns", &t->prev_lrn, err);
    if (st == NUPIC_OK)
        st = read_updates(t, Cells4Proto_get_segmentUpdates(r), err);
    if (st == NUPIC_OK && r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK)
        st = nupic_error_from_ncp(err, ncp_msg_error(r.s.msg));
    if (st != NUPIC_OK) goto fail;
    if (!btm_rebuild_out(t)) {
        st = nupic_error_set(err, NUPIC_ERR_NOMEM,
                             "BacktrackingTM: out of memory for forward links");
        goto fail;
    }
    btm_refresh_outputs(t);
    *out = t;
    return NUPIC_OK;
fail:
    nupic_btm_free(t);
    return st;
}

nupic_status nupic_btm_read(Cells4Proto_R r, nupic_btm **out,
                            nupic_error *err) {
    if (out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG, "nupic_btm_read: NULL out");
    nupic_error local = {NUPIC_OK, ""};
    nupic_status st = read_btm(r, out, &local);
    if (st == NUPIC_OK) return st;
    if (st == NUPIC_ERR_FORMAT && r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_msg_error(r.s.msg));
    return nupic_error_set(err, st, "%s", local.message);
}
#undef FMT

/* ------------------------------------------------------------------------
 * BacktrackingTMCppProto
 * ------------------------------------------------------------------------ */

nupic_status nupic_btm_write_cpp(const nupic_btm *t, BacktrackingTMCppProto_B b,
                                 nupic_error *err) {
    const nupic_btm_params *p = &t->p;
    BacktrackingTMProto_B base = BacktrackingTMCppProto_init_baseTM(b);
    BacktrackingTMProto_set_version(base, 1);
    nupic_status st =
        nupic_random_write(&t->rng, BacktrackingTMProto_init_random(base), err);
    if (st != NUPIC_OK) return st;
    BacktrackingTMProto_set_numberOfCols(base, p->number_of_cols);
    BacktrackingTMProto_set_cellsPerColumn(base, p->cells_per_column);
    BacktrackingTMProto_set_initialPerm(base, p->initial_perm);
    BacktrackingTMProto_set_connectedPerm(base, p->connected_perm);
    BacktrackingTMProto_set_minThreshold(base, p->min_threshold);
    BacktrackingTMProto_set_newSynapseCount(base, p->new_synapse_count);
    BacktrackingTMProto_set_permanenceInc(base, p->permanence_inc);
    BacktrackingTMProto_set_permanenceDec(base, p->permanence_dec);
    BacktrackingTMProto_set_permanenceMax(base, p->permanence_max);
    BacktrackingTMProto_set_globalDecay(base, p->global_decay);
    BacktrackingTMProto_set_activationThreshold(base, p->activation_threshold);
    BacktrackingTMProto_set_doPooling(base, p->do_pooling);
    BacktrackingTMProto_set_segUpdateValidDuration(
        base, p->seg_update_valid_duration);
    BacktrackingTMProto_set_burnIn(base, p->burn_in);
    BacktrackingTMProto_set_collectStats(base, p->collect_stats);
    BacktrackingTMProto_set_verbosity(base, (uint8_t)p->verbosity);
    BacktrackingTMProto_set_pamLength(base, p->pam_length);
    BacktrackingTMProto_set_maxAge(base, p->max_age);
    BacktrackingTMProto_set_maxInfBacktrack(base, p->max_inf_backtrack);
    BacktrackingTMProto_set_maxLrnBacktrack(base, p->max_lrn_backtrack);
    BacktrackingTMProto_set_maxSeqLength(base, p->max_seq_length);
    BacktrackingTMProto_set_maxSegmentsPerCell(base, p->max_segments_per_cell);
    BacktrackingTMProto_set_maxSynapsesPerSegment(base,
                                                  p->max_synapses_per_segment);
    const char *ot = nupic_btm_output_type_name(p->output_type);
    BacktrackingTMProto_set_outputType(base, ot, strlen(ot));
    BacktrackingTMProto_set_lrnIterationIdx(base, t->n_lrn_iterations);
    BacktrackingTMProto_set_iterationIdx(base, t->n_iterations);
    BacktrackingTMProto_set_pamCounter(base, t->pam_counter);
    BacktrackingTMProto_set_resetCalled(base, t->reset_called);
    BacktrackingTMProto_set_avgInputDensity(base, (double)t->avg_input_density);
    BacktrackingTMProto_set_learnedSeqLength(base, t->learned_seq_length);
    BacktrackingTMProto_set_avgLearnedSeqLength(
        base, (double)t->avg_learned_seq_length);
    write_patterns(
        BacktrackingTMProto_init_prevLrnPatterns(base, t->prev_lrn.n),
        &t->prev_lrn);
    write_patterns(
        BacktrackingTMProto_init_prevInfPatterns(base, t->prev_inf.n),
        &t->prev_inf);
    st = nupic_btm_write(t, BacktrackingTMCppProto_init_cells4(b), err);
    if (st != NUPIC_OK) return st;
    BacktrackingTMCppProto_set_makeCells4Ephemeral(b, false);
    BacktrackingTMCppProto_set_seed(b, p->seed);
    BacktrackingTMCppProto_set_checkSynapseConsistency(
        b, p->check_synapse_consistency);
    if (ncp_builder_status(b.s.b) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_builder_error(b.s.b));
    return NUPIC_OK;
}

nupic_status nupic_btm_read_cpp(BacktrackingTMCppProto_R r, nupic_btm **out,
                                nupic_error *err) {
    if (out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_btm_read_cpp: NULL out");
    *out = NULL;
    if (BacktrackingTMCppProto_get_makeCells4Ephemeral(r))
        return nupic_error_set(
            err, NUPIC_ERR_UNSUPPORTED,
            "BacktrackingTMCppProto.makeCells4Ephemeral: the "
            "engine state is not in the message");
    BacktrackingTMProto_R base = BacktrackingTMCppProto_get_baseTM(r);
    nupic_btm_output_type ot = NUPIC_BTM_OUTPUT_NORMAL;
    ncp_text name = BacktrackingTMProto_get_outputType(base);
    if (name.len > 0) {
        char buf[32];
        bool known = false;
        if (name.len < sizeof buf) {
            memcpy(buf, name.str, name.len);
            buf[name.len] = 0;
            known = nupic_btm_output_type_parse(buf, &ot);
        }
        if (!known)
            return nupic_error_set(err, NUPIC_ERR_FORMAT,
                                   "BacktrackingTMCppProto.baseTM.outputType: "
                                   "unknown (normal, activeState, "
                                   "activeState1CellPerCol)");
    }
    nupic_btm *t;
    nupic_status st =
        nupic_btm_read(BacktrackingTMCppProto_get_cells4(r), &t, err);
    if (st != NUPIC_OK) return st;
    t->p.output_type = ot;
    t->p.burn_in = BacktrackingTMProto_get_burnIn(base);
    t->p.collect_stats = BacktrackingTMProto_get_collectStats(base);
    int64_t seed = BacktrackingTMCppProto_get_seed(r);
    t->p.seed = seed < INT32_MIN || seed > INT32_MAX ? -1 : (int32_t)seed;
    btm_refresh_outputs(t);
    *out = t;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Files, memory, paths
 * ------------------------------------------------------------------------ */

static uint64_t message_words(const nupic_btm *t) {
    uint64_t w = 256 + 4ull * (t->n_cells / 8 + 2) * 2 + t->n_cells +
                 (uint64_t)t->n_cols + 3ull * t->n_cells;
    w += (uint64_t)t->n_segs * 6;
    for (uint32_t id = 0; id < t->n_segs; id++)
        w += t->segs[id].n;
    for (uint32_t i = 0; i < t->n_updates; i++)
        w += 4 + t->updates[i].n / 2;
    for (uint32_t i = 0; i < t->prev_inf.n; i++)
        w += 1 + t->prev_inf.p[i].n / 2;
    for (uint32_t i = 0; i < t->prev_lrn.n; i++)
        w += 1 + t->prev_lrn.p[i].n / 2;
    w += (uint64_t)(t->learn_active_t.n + t->learn_active_t1.n +
                    t->learn_pred_t.n + t->learn_pred_t1.n) /
         2;
    return w;
}

static nupic_status writer(const void *obj, ncp_builder *b, nupic_error *err) {
    return nupic_btm_write(obj, Cells4Proto_new_root(b), err);
}

static nupic_status reader(ncp_msg *m, void **out, nupic_error *err) {
    nupic_btm *t = NULL;
    nupic_status st = nupic_btm_read(Cells4Proto_read_root(m), &t, err);
    *out = t;
    return st;
}

nupic_status nupic_btm_write_to_file(const nupic_btm *t, FILE *f,
                                     const nupic_save_options *o,
                                     nupic_error *err) {
    return persist_to_file(t, writer, message_words(t), f, o, err);
}

nupic_status nupic_btm_read_from_file(FILE *f, const nupic_load_options *o,
                                      nupic_btm **out, nupic_error *err) {
    return persist_from_file(f, reader, o, (void **)out, err);
}

nupic_status nupic_btm_write_to_mem(const nupic_btm *t,
                                    const nupic_save_options *o, void **buf,
                                    size_t *len, nupic_error *err) {
    return persist_to_mem(t, writer, message_words(t), buf, len, o, err);
}

nupic_status nupic_btm_read_from_mem(const void *buf, size_t len,
                                     const nupic_load_options *o,
                                     nupic_btm **out, nupic_error *err) {
    return persist_from_mem(buf, len, reader, o, (void **)out, err);
}

nupic_status nupic_btm_save(const nupic_btm *t, const char *path,
                            const nupic_save_options *o, nupic_error *err) {
    return persist_to_path(t, writer, message_words(t), path, o, err);
}

nupic_status nupic_btm_load(const char *path, const nupic_load_options *o,
                            nupic_btm **out, nupic_error *err) {
    return persist_from_path(path, reader, o, (void **)out, err);
}

/* ------------------------------------------------------------------------
 * Equality
 * ------------------------------------------------------------------------ */

#define DIFF(...)                                                              \
    do {                                                                       \
        if (diff && diff_size) snprintf(diff, diff_size, __VA_ARGS__);         \
        return false;                                                          \
    } while (0)

static bool same_state(const btm_state *a, const btm_state *b, uint32_t n,
                       const char *name, char *diff, size_t diff_size) {
    if (a->n != b->n) DIFF("%s: %u cells on vs %u", name, a->n, b->n);
    if (memcmp(a->on, b->on, n) != 0) DIFF("%s: different cells", name);
    if (a->n > 0 && memcmp(a->list, b->list, (size_t)a->n * 4) != 0)
        DIFF("%s: cells listed in a different order", name);
    if (a->py_mem != b->py_mem)
        DIFF("%s: fMemoryAllocatedByPython differs", name);
    return true;
}

static bool same_conf(const btm_conf *a, const btm_conf *b, uint32_t n,
                      const char *name, char *diff, size_t diff_size) {
    for (uint32_t i = 0; i < n; i++)
        if (memcmp(&a->v[i], &b->v[i], sizeof(float)) != 0)
            DIFF("%s[%u]: %.9g vs %.9g", name, i, (double)a->v[i],
                 (double)b->v[i]);
    return true;
}

static bool same_queue(const btm_queue *a, const btm_queue *b, const char *name,
                       char *diff, size_t diff_size) {
    if (a->n != b->n) DIFF("%s: %u patterns vs %u", name, a->n, b->n);
    for (uint32_t i = 0; i < a->n; i++)
        if (a->p[i].n != b->p[i].n ||
            memcmp(a->p[i].cols, b->p[i].cols, (size_t)a->p[i].n * 4) != 0)
            DIFF("%s[%u] differs", name, i);
    return true;
}

bool nupic_btm_equal(const nupic_btm *a, const nupic_btm *b, char *diff,
                     size_t diff_size) {
    const nupic_btm_params *p = &a->p, *q = &b->p;
#define SAME(field, name)                                                      \
    if (memcmp(&p->field, &q->field, sizeof p->field) != 0)                    \
    DIFF("parameter %s differs", name)
    SAME(number_of_cols, "numberOfCols");
    SAME(cells_per_column, "cellsPerColumn");
    SAME(initial_perm, "initialPerm");
    SAME(connected_perm, "connectedPerm");
    SAME(min_threshold, "minThreshold");
    SAME(new_synapse_count, "newSynapseCount");
    SAME(permanence_inc, "permanenceInc");
    SAME(permanence_dec, "permanenceDec");
    SAME(permanence_max, "permanenceMax");
    SAME(global_decay, "globalDecay");
    SAME(activation_threshold, "activationThreshold");
    SAME(do_pooling, "doPooling");
    SAME(seg_update_valid_duration, "segUpdateValidDuration");
    SAME(pam_length, "pamLength");
    SAME(max_inf_backtrack, "maxInfBacktrack");
    SAME(max_lrn_backtrack, "maxLrnBacktrack");
    SAME(max_age, "maxAge");
    SAME(max_seq_length, "maxSeqLength");
    SAME(max_segments_per_cell, "maxSegmentsPerCell");
    SAME(max_synapses_per_segment, "maxSynapsesPerSegment");
    SAME(output_type, "outputType");
#undef SAME
    /* The seed itself is not in Cells4Proto: compare the generators' state. */
    if (memcmp(a->rng.state, b->rng.state, sizeof a->rng.state) != 0 ||
        a->rng.rptr != b->rng.rptr || a->rng.fptr != b->rng.fptr)
        DIFF("random state differs");
    if (a->n_iterations != b->n_iterations ||
        a->n_lrn_iterations != b->n_lrn_iterations)
        DIFF("iterations %u/%u vs %u/%u", a->n_iterations, a->n_lrn_iterations,
             b->n_iterations, b->n_lrn_iterations);
    if (a->learned_seq_length != b->learned_seq_length)
        DIFF("learnedSeqLength %u vs %u", a->learned_seq_length,
             b->learned_seq_length);
    if (a->pam_counter != b->pam_counter)
        DIFF("pamCounter %u vs %u", a->pam_counter, b->pam_counter);
    if (memcmp(&a->avg_learned_seq_length, &b->avg_learned_seq_length, 4) ||
        memcmp(&a->avg_input_density, &b->avg_input_density, 4) ||
        memcmp(&a->init_seg_freq, &b->init_seg_freq, 4))
        DIFF("avgLearnedSeqLength, avgInputDensity or initSegFreq differs");
    if (a->reset_called != b->reset_called) DIFF("resetCalled differs");
    for (uint32_t i = 0; i < a->n_cells; i++) {
        const btm_cell *x = &a->cells[i], *y = &b->cells[i];
        if (x->n != y->n)
            DIFF("cell %u: %u segment slots vs %u", i, x->n, y->n);
        if (x->n_free != y->n_free ||
            (x->n_free > 0 &&
             memcmp(x->free, y->free, (size_t)x->n_free * 4) != 0))
            DIFF("cell %u: different free segment lists", i);
        for (uint32_t j = 0; j < x->n; j++) {
            const btm_seg *s = &a->segs[x->slots[j]],
                          *t = &b->segs[y->slots[j]];
            if (s->n != t->n)
                DIFF("cell %u segment %u: %u synapses vs %u", i, j, s->n, t->n);
            if (s->seq != t->seq || s->n_connected != t->n_connected ||
                s->total_act != t->total_act || s->pos_act != t->pos_act ||
                s->last_active_it != t->last_active_it ||
                s->last_pos_dc_it != t->last_pos_dc_it ||
                memcmp(&s->last_pos_dc, &t->last_pos_dc, 4) != 0 ||
                memcmp(&s->frequency, &t->frequency, 4) != 0)
                DIFF("cell %u segment %u: counters differ", i, j);
            for (uint32_t k = 0; k < s->n; k++)
                if (s->syn[k].src != t->syn[k].src ||
                    memcmp(&s->syn[k].perm, &t->syn[k].perm, 4) != 0)
                    DIFF("cell %u segment %u synapse %u: (%u, %.9g) vs (%u, "
                         "%.9g)",
                         i, j, k, s->syn[k].src, (double)s->syn[k].perm,
                         t->syn[k].src, (double)t->syn[k].perm);
        }
    }
    const struct {
        const btm_state *x, *y;
        const char *name;
    } st[] = {{&a->inf_active_t, &b->inf_active_t, "infActiveStateT"},
              {&a->inf_active_t1, &b->inf_active_t1, "infActiveStateT1"},
              {&a->inf_pred_t, &b->inf_pred_t, "infPredictedStateT"},
              {&a->inf_pred_t1, &b->inf_pred_t1, "infPredictedStateT1"},
              {&a->learn_active_t, &b->learn_active_t, "learnActiveStateT"},
              {&a->learn_active_t1, &b->learn_active_t1, "learnActiveStateT1"},
              {&a->learn_pred_t, &b->learn_pred_t, "learnPredictedStateT"},
              {&a->learn_pred_t1, &b->learn_pred_t1, "learnPredictedStateT1"}};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        /* Inference states have no serialized cell order. */
        bool indexed = i >= 4;
        if (!indexed) {
            if (memcmp(st[i].x->on, st[i].y->on, a->n_cells) != 0)
                DIFF("%s: different cells", st[i].name);
        } else if (!same_state(st[i].x, st[i].y, a->n_cells, st[i].name, diff,
                               diff_size)) {
            return false;
        }
    }
    if (!same_conf(&a->cell_conf_t, &b->cell_conf_t, a->n_cells,
                   "cellConfidenceT", diff, diff_size) ||
        !same_conf(&a->cell_conf_t1, &b->cell_conf_t1, a->n_cells,
                   "cellConfidenceT1", diff, diff_size) ||
        !same_conf(&a->col_conf_t, &b->col_conf_t, a->n_cols, "colConfidenceT",
                   diff, diff_size) ||
        !same_conf(&a->col_conf_t1, &b->col_conf_t1, a->n_cols,
                   "colConfidenceT1", diff, diff_size) ||
        !same_queue(&a->prev_inf, &b->prev_inf, "prevInfPatterns", diff,
                    diff_size) ||
        !same_queue(&a->prev_lrn, &b->prev_lrn, "prevLrnPatterns", diff,
                    diff_size))
        return false;
    if (a->n_updates != b->n_updates)
        DIFF("%u segment updates vs %u", a->n_updates, b->n_updates);
    for (uint32_t i = 0; i < a->n_updates; i++) {
        const btm_update *u = &a->updates[i], *v = &b->updates[i];
        if (u->cell != v->cell || u->seg != v->seg ||
            u->timestamp != v->timestamp || u->seq != v->seq ||
            u->phase1 != v->phase1 || u->weakly != v->weakly || u->n != v->n ||
            memcmp(u->syn, v->syn, (size_t)u->n * 4) != 0)
            DIFF("segment update %u differs", i);
    }
    return true;
}
#undef DIFF
