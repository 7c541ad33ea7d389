/*
 * src/algo/btm.c - the backtracking temporal memory (nupic.core's Cells4),
 * bit-exact.
 *
 * The structure follows Cells4.cpp function by function (comments name
 * them).  Differences are in representation only:
 *  - a segment slot has a global id; the forward links (OutSynapses) of a
 *    cell list segment ids, and a forward propagation counts active
 *    synapses per segment (stamped counts, never cleared) and lists the
 *    segments that reach the threshold that matters, sorted by cell and
 *    slot, so inferPhase2, learnPhase2 and getBestMatchingCellT1 visit only
 *    those (in nupic.core's order, which the confidence sums and the
 *    random draws depend on);
 *  - states keep their list of set cells, confidences their possibly
 *    nonzero indices, so copies and resets cost what is set.
 * Arithmetic is float32 as nupic.core's Real, with the double steps where
 * nupic.core widens (duty cycles, average learned sequence length).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btm_internal.h"
#include "sort.h"

/* Segment.hpp: duty cycle tiers and their alphas. */
#define BTM_TIERS 9
static const uint32_t dc_tiers[BTM_TIERS] = {0,     100,   320,    1000,  3200,
                                             10000, 32000, 100000, 320000};
static const float dc_alphas[BTM_TIERS] = {0.0f,      0.0032f,    0.0010f,
                                           0.00032f,  0.00010f,   0.000032f,
                                           0.000010f, 0.0000032f, 0.0000010f};

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

void nupic_btm_params_default(nupic_btm_params *p) {
    memset(p, 0, sizeof *p);
    p->number_of_cols = 500;
    p->cells_per_column = 10;
    p->initial_perm = 0.11f;
    p->connected_perm = 0.50f;
    p->min_threshold = 8;
    p->new_synapse_count = 15;
    p->permanence_inc = 0.10f;
    p->permanence_dec = 0.10f;
    p->permanence_max = 1.0f;
    p->global_decay = 0.10f;
    p->activation_threshold = 12;
    p->do_pooling = false;
    p->seg_update_valid_duration = 5;
    p->burn_in = 2;
    p->collect_stats = false;
    p->seed = 42;
    p->verbosity = 0;
    p->check_synapse_consistency = false;
    p->pam_length = 1;
    p->max_inf_backtrack = 10;
    p->max_lrn_backtrack = 5;
    p->max_age = 100000;
    p->max_seq_length = 32;
    p->max_segments_per_cell = -1;
    p->max_synapses_per_segment = -1;
    p->output_type = NUPIC_BTM_OUTPUT_NORMAL;
}

static const char *const output_names[] = {"normal", "activeState",
                                           "activeState1CellPerCol"};

const char *nupic_btm_output_type_name(nupic_btm_output_type t) {
    return (unsigned)t < 3 ? output_names[t] : "?";
}

bool nupic_btm_output_type_parse(const char *name, nupic_btm_output_type *out) {
    for (unsigned i = 0; i < 3; i++)
        if (strcmp(name, output_names[i]) == 0) {
            *out = (nupic_btm_output_type)i;
            return true;
        }
    return false;
}

static nupic_status perr(nupic_error *err, nupic_status st, const char *prefix,
                         const char *fmt, ...) NCP_PRINTF(4, 5);
static nupic_status perr(nupic_error *err, nupic_status st, const char *prefix,
                         const char *fmt, ...) {
    char msg[NUPIC_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nupic_error_set(err, st, "%s%s", prefix, msg);
}

nupic_status btm_validate(const nupic_btm_params *p, const char *prefix,
                          nupic_status st, nupic_error *err) {
    if (p->number_of_cols == 0)
        return perr(err, st, prefix, "numberOfCols is 0");
    if (p->cells_per_column == 0)
        return perr(err, st, prefix, "cellsPerColumn is 0");
    if ((uint64_t)p->number_of_cols * p->cells_per_column > BTM_MAX_CELLS)
        return perr(err, st, prefix,
                    "%u columns of %u cells: more than nupic.core's %u cells",
                    p->number_of_cols, p->cells_per_column, BTM_MAX_CELLS);
    const struct {
        const char *name;
        float v;
    } f[] = {{"initialPerm", p->initial_perm},
             {"connectedPerm", p->connected_perm},
             {"permanenceInc", p->permanence_inc},
             {"permanenceDec", p->permanence_dec},
             {"globalDecay", p->global_decay}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!(f[i].v >= 0.0f && f[i].v <= 1e6f))
            return perr(err, st, prefix,
                        "%s is %.9g; it must be finite and >= 0", f[i].name,
                        (double)f[i].v);
    if (!(p->permanence_max > 0.0f && p->permanence_max <= 1e6f))
        return perr(err, st, prefix, "permanenceMax is %.9g; it must be > 0",
                    (double)p->permanence_max);
    if (p->activation_threshold == 0)
        return perr(err, st, prefix,
                    "activationThreshold is 0; it must be >= 1");
    if (p->pam_length == 0)
        return perr(err, st, prefix, "pamLength is 0; it must be > 0");
    if ((unsigned)p->output_type > NUPIC_BTM_OUTPUT_ACTIVE_STATE_1CELL_PER_COL)
        return perr(err, st, prefix, "outputType %d is unknown",
                    (int)p->output_type);
    if (p->max_segments_per_cell != -1 || p->max_synapses_per_segment != -1) {
        if (p->max_segments_per_cell <= 0 || p->max_synapses_per_segment <= 0)
            return perr(err, st, prefix,
                        "maxSegmentsPerCell %d, maxSynapsesPerSegment %d: in "
                        "fixed-size mode both must be > 0",
                        p->max_segments_per_cell, p->max_synapses_per_segment);
        if (p->global_decay != 0.0f || p->max_age != 0)
            return perr(err, st, prefix,
                        "fixed-size mode (maxSegmentsPerCell %d) needs "
                        "globalDecay 0 and maxAge 0, not %.9g and %u",
                        p->max_segments_per_cell, (double)p->global_decay,
                        p->max_age);
        if ((uint32_t)p->max_synapses_per_segment < p->new_synapse_count)
            return perr(err, st, prefix,
                        "maxSynapsesPerSegment %d < newSynapseCount %u",
                        p->max_synapses_per_segment, p->new_synapse_count);
        if (p->cells_per_column < 2)
            return perr(err, st, prefix,
                        "fixed-size mode needs at least 2 cells per column");
    }
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Small containers
 * ------------------------------------------------------------------------ */

static bool grow_u32(uint32_t **a, uint32_t *cap, uint32_t need) {
    if (need <= *cap) return true;
    uint32_t c = *cap ? *cap : 4;
    while (c < need)
        c = c > UINT32_MAX / 2 ? need : c * 2;
    uint32_t *p = realloc(*a, (size_t)c * sizeof *p);
    if (p == NULL) return false;
    *a = p;
    *cap = c;
    return true;
}

bool btm_seg_reserve(btm_seg *s, uint32_t n) {
    if (n <= s->cap) return true;
    uint32_t c = s->cap ? s->cap : 8;
    while (c < n)
        c *= 2;
    btm_syn *p = realloc(s->syn, (size_t)c * sizeof *p);
    if (p == NULL) return false;
    s->syn = p;
    s->cap = c;
    return true;
}

bool btm_push_free(btm_cell *c, uint32_t slot) {
    if (!grow_u32(&c->free, &c->cap_free, c->n_free + 1)) return false;
    c->free[c->n_free++] = slot;
    return true;
}

static void state_reset(btm_state *s) {
    for (uint32_t i = 0; i < s->n; i++)
        s->on[s->list[i]] = 0;
    s->n = 0;
    s->sorted = true;
}

bool btm_state_set(btm_state *s, uint32_t cell) {
    if (s->on[cell]) return false;
    s->on[cell] = 1;
    if (s->sorted && s->n > 0 && cell < s->list[s->n - 1]) s->sorted = false;
    s->list[s->n++] = cell;
    return true;
}

/* dst = src (CState and CStateIndexed operator=). */
static void state_copy(btm_state *dst, const btm_state *src) {
    if (dst == src) return;
    state_reset(dst);
    for (uint32_t i = 0; i < src->n; i++)
        dst->on[src->list[i]] = 1;
    memcpy(dst->list, src->list, (size_t)src->n * sizeof *dst->list);
    dst->n = src->n;
    dst->sorted = src->sorted;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts a[0..n) ascending.  The lists sorted here are mostly sorted
 * already, or short, or a sorted run followed by a few values: the sorted
 * prefix is skipped, short remainders are insertion-sorted, qsort takes
 * the rest. */
static void sort_u32(uint32_t *a, uint32_t n) {
    uint32_t i = 1;
    while (i < n && a[i - 1] <= a[i])
        i++;
    if (i >= n) return;
    if (n > 64) {
        qsort(a, n, sizeof *a, cmp_u32);
        return;
    }
    for (; i < n; i++) {
        uint32_t x = a[i], j = i;
        while (j > 0 && a[j - 1] > x) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* CStateIndexed::cellsOn(true): sorts the list in place. */
static void state_sort(btm_state *s) {
    if (!s->sorted) {
        sort_u32(s->list, s->n);
        s->sorted = true;
    }
}

static void conf_zero(btm_conf *c) {
    for (uint32_t i = 0; i < c->n_nz; i++) {
        c->v[c->nz[i]] = 0.0f;
        c->mark[c->nz[i]] = 0;
    }
    c->n_nz = 0;
}

void btm_conf_add(btm_conf *c, uint32_t i, float v) {
    if (!c->mark[i]) {
        c->mark[i] = 1;
        c->nz[c->n_nz++] = i;
    }
    c->v[i] += v;
}

static void conf_copy(btm_conf *dst, const btm_conf *src) {
    conf_zero(dst);
    for (uint32_t k = 0; k < src->n_nz; k++) {
        uint32_t i = src->nz[k];
        dst->v[i] = src->v[i];
        dst->mark[i] = 1;
        dst->nz[k] = i;
    }
    dst->n_nz = src->n_nz;
}

bool btm_queue_push(btm_queue *q, const uint32_t *cols, uint32_t n) {
    if (q->n == q->cap) {
        uint32_t c = q->cap ? q->cap * 2 : 8;
        btm_pattern *p = realloc(q->p, (size_t)c * sizeof *p);
        if (p == NULL) return false;
        q->p = p;
        q->cap = c;
    }
    uint32_t *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    if (v == NULL) return false;
    if (n) memcpy(v, cols, (size_t)n * sizeof *v);
    q->p[q->n].cols = v;
    q->p[q->n].n = n;
    q->n++;
    return true;
}

static void queue_pop_front(btm_queue *q) {
    if (q->n == 0) return;
    free(q->p[0].cols);
    memmove(q->p, q->p + 1, (size_t)(q->n - 1) * sizeof *q->p);
    q->n--;
}

static void queue_clear(btm_queue *q) {
    for (uint32_t i = 0; i < q->n; i++)
        free(q->p[i].cols);
    q->n = 0;
}

/* ------------------------------------------------------------------------
 * Construction
 * ------------------------------------------------------------------------ */

static void state_free(btm_state *s) {
    free(s->on);
    free(s->list);
}

static void conf_free(btm_conf *c) {
    free(c->v);
    free(c->mark);
    free(c->nz);
}

void nupic_btm_free(nupic_btm *t) {
    if (t == NULL) return;
    if (t->cells)
        for (uint32_t i = 0; i < t->n_cells; i++) {
            free(t->cells[i].slots);
            free(t->cells[i].free);
        }
    free(t->cells);
    for (uint32_t i = 0; i < t->n_segs; i++)
        free(t->segs[i].syn);
    free(t->segs);
    if (t->out)
        for (uint32_t i = 0; i < t->n_cells; i++)
            free(t->out[i]);
    free(t->out);
    free(t->out_n);
    free(t->out_cap);
    btm_state *states[] = {
        &t->inf_active_t,    &t->inf_active_t1,   &t->inf_pred_t,
        &t->inf_pred_t1,     &t->learn_active_t,  &t->learn_active_t1,
        &t->learn_pred_t,    &t->learn_pred_t1,   &t->inf_active_backup,
        &t->inf_pred_backup, &t->inf_active_cand, &t->inf_pred_cand};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        state_free(states[i]);
    btm_conf *confs[] = {&t->cell_conf_t, &t->cell_conf_t1, &t->cell_conf_cand,
                         &t->col_conf_t,  &t->col_conf_t1,  &t->col_conf_cand};
    for (size_t i = 0; i < sizeof confs / sizeof confs[0]; i++)
        conf_free(confs[i]);
    queue_clear(&t->prev_inf);
    queue_clear(&t->prev_lrn);
    free(t->prev_inf.p);
    free(t->prev_lrn.p);
    for (uint32_t i = 0; i < t->n_updates; i++)
        free(t->updates[i].syn);
    free(t->updates);
    free(t->act_seg);
    free(t->seg_cell);
    free(t->hot);
    free(t->hot_tmp);
    free(t->input);
    free(t->tmp_input);
    free(t->cur);
    free(t->scratch_a);
    free(t->scratch_b);
    free(t->scratch_c);
    free(t->scratch_d);
    free(t->del);
    free(t->bad);
    free(t->s_dec);
    free(t->s_decpos);
    free(t->s_inc);
    free(t->s_incpos);
    free(t->s_new);
    free(t->s_removed);
    free(t->s_cperm);
    free(t->o_output);
    free(t->o_inf_active);
    free(t->o_inf_pred);
    free(t->o_learn_active);
    free(t->o_pred_cols);
    free(t->o_conf_cols);
    free(t);
}

static bool state_init(btm_state *s, uint32_t n) {
    s->on = calloc(n, 1);
    s->list = malloc((size_t)n * sizeof *s->list);
    s->n = 0;
    s->sorted = true;
    return s->on && s->list;
}

static bool conf_init(btm_conf *c, uint32_t n) {
    c->v = calloc(n, sizeof *c->v);
    c->mark = calloc(n, 1);
    c->nz = malloc((size_t)n * sizeof *c->nz);
    c->n_nz = 0;
    return c->v && c->mark && c->nz;
}

/* The object with its parameters and per-cell arrays, no segments; the
 * counters as Cells4::initialize leaves them. */
nupic_status btm_alloc(const nupic_btm_params *p, nupic_btm **out,
                       nupic_error *err) {
    *out = NULL;
    nupic_btm *t = calloc(1, sizeof *t);
    if (t == NULL)
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "BacktrackingTM: out of memory");
    t->p = *p;
    t->n_cols = p->number_of_cols;
    t->n_cells = p->number_of_cols * p->cells_per_column;
    const uint32_t nc = t->n_cells, ncol = t->n_cols;
    bool ok = true;
    t->cells = calloc(nc, sizeof *t->cells);
    t->out = calloc(nc, sizeof *t->out);
    t->out_n = calloc(nc, sizeof *t->out_n);
    t->out_cap = calloc(nc, sizeof *t->out_cap);
    ok = t->cells && t->out && t->out_n && t->out_cap;
    btm_state *states[] = {
        &t->inf_active_t,    &t->inf_active_t1,   &t->inf_pred_t,
        &t->inf_pred_t1,     &t->learn_active_t,  &t->learn_active_t1,
        &t->learn_pred_t,    &t->learn_pred_t1,   &t->inf_active_backup,
        &t->inf_pred_backup, &t->inf_active_cand, &t->inf_pred_cand};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        ok = state_init(states[i], nc) && ok;
    ok = conf_init(&t->cell_conf_t, nc) && conf_init(&t->cell_conf_t1, nc) &&
         conf_init(&t->cell_conf_cand, nc) && conf_init(&t->col_conf_t, ncol) &&
         conf_init(&t->col_conf_t1, ncol) &&
         conf_init(&t->col_conf_cand, ncol) && ok;
    t->input = calloc(ncol, 1);
    t->tmp_input = calloc(ncol, 1);
    t->cur = malloc((size_t)ncol * sizeof(uint32_t));
    t->scratch_a = malloc((size_t)nc * sizeof(uint32_t));
    t->scratch_b = malloc((size_t)nc * sizeof(uint32_t));
    t->scratch_c = malloc((size_t)nc * sizeof(uint32_t));
    t->scratch_d = malloc((size_t)nc * sizeof(uint32_t));
    t->s_dec = malloc((size_t)nc * sizeof(uint32_t));
    t->s_decpos = malloc((size_t)nc * sizeof(uint32_t));
    t->s_inc = malloc((size_t)nc * sizeof(uint32_t));
    t->s_incpos = malloc((size_t)nc * sizeof(uint32_t));
    t->s_new = malloc((size_t)nc * sizeof(uint32_t));
    t->s_removed = malloc((size_t)nc * sizeof(uint32_t));
    t->s_cperm = malloc((size_t)nc * sizeof(float));
    ok = ok && t->s_dec && t->s_decpos && t->s_inc && t->s_incpos && t->s_new &&
         t->s_removed && t->s_cperm;
    t->o_output = malloc((size_t)nc * sizeof(uint32_t));
    t->o_inf_active = malloc((size_t)nc * sizeof(uint32_t));
    t->o_inf_pred = malloc((size_t)nc * sizeof(uint32_t));
    t->o_learn_active = malloc((size_t)nc * sizeof(uint32_t));
    t->o_pred_cols = malloc((size_t)ncol * sizeof(uint32_t));
    t->o_conf_cols = malloc((size_t)ncol * sizeof(uint32_t));
    ok = ok && t->input && t->tmp_input && t->cur && t->scratch_a &&
         t->scratch_b && t->scratch_c && t->scratch_d && t->o_output &&
         t->o_inf_active && t->o_inf_pred && t->o_learn_active &&
         t->o_pred_cols && t->o_conf_cols;
    if (!ok) {
        nupic_btm_free(t);
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "BacktrackingTM: out of memory for %u cells",
                               nc);
    }
    t->version = 2;
    t->owns_memory = true;
    t->act_stamp = UINT64_C(1) << 32;
    t->init_seg_freq = 0.5f;
    t->pam_counter = p->pam_length + 1;
    *out = t;
    return NUPIC_OK;
}

nupic_status nupic_btm_new(const nupic_btm_params *params, nupic_btm **out,
                           nupic_error *err) {
    if (out) *out = NULL;
    if (params == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_btm_new: NULL argument");
    nupic_btm_params p = *params;
    /* BacktrackingTM.__init__: without pooling, updates last one step. */
    if (!p.do_pooling) p.seg_update_valid_duration = 1;
    nupic_status st =
        btm_validate(&p, "BacktrackingTM: ", NUPIC_ERR_PARAM, err);
    if (st != NUPIC_OK) return st;
    nupic_btm *t;
    st = btm_alloc(&p, &t, err);
    if (st != NUPIC_OK) return st;
    /* Cells4(seed < 0 ? rand() : seed); a negative seed here picks one
     * from the clock. */
    nupic_random_init(&t->rng, p.seed < 0 ? 0 : (uint64_t)p.seed);
    /* BacktrackingTMCPP then sets pamLength (which resets the counter). */
    t->pam_counter = p.pam_length;
    btm_refresh_outputs(t);
    *out = t;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Segments (Segment.cpp, Cell.cpp)
 * ------------------------------------------------------------------------ */

/* pow(1 - alpha_k, age) as Segment::dutyCycle computes it (double),
 * memoized: the same arguments give the same bits. */
static double decay_factor(nupic_btm *t, uint32_t k, uint32_t age) {
    const double base = 1.0 - (double)dc_alphas[k];
    if (age >= BTM_POW_CACHE) return pow(base, (double)age);
    if (t->pow_tier != k) {
        memset(t->pow_valid, 0, sizeof t->pow_valid);
        t->pow_tier = k;
    }
    const uint64_t bit = UINT64_C(1) << (age & 63);
    if (!(t->pow_valid[age >> 6] & bit)) {
        t->pow_cache[age] = pow(base, (double)age);
        t->pow_valid[age >> 6] |= bit;
    }
    return t->pow_cache[age];
}

/* Segment::dutyCycle */
static float duty_cycle(nupic_btm *t, btm_seg *s, uint32_t it, bool active,
                        bool read_only) {
    if (it <= dc_tiers[1]) {
        float dc = (float)s->pos_act / (float)it;
        if (!read_only) {
            s->last_pos_dc_it = it;
            s->last_pos_dc = dc;
        }
        return dc;
    }
    uint32_t age = it - s->last_pos_dc_it;
    if (age == 0 && !active) return s->last_pos_dc;
    uint32_t k = BTM_TIERS - 1;
    while (k > 0 && !(it > dc_tiers[k]))
        k--;
    const float alpha = dc_alphas[k];
    double prod = decay_factor(t, k, age) * (double)s->last_pos_dc;
    float dc = (float)prod;
    if (active) dc += alpha;
    if (!read_only) {
        s->last_pos_dc = dc;
        s->last_pos_dc_it = it;
    }
    return dc;
}

uint32_t btm_new_slot(nupic_btm *t, uint32_t cell) {
    btm_cell *c = &t->cells[cell];
    if (!grow_u32(&c->slots, &c->cap, c->n + 1)) return BTM_NO_SEG;
    if (t->n_segs == t->cap_segs) {
        uint32_t cap = t->cap_segs ? t->cap_segs * 2 : 1024;
        btm_seg *s = realloc(t->segs, (size_t)cap * sizeof *s);
        if (s == NULL) return BTM_NO_SEG;
        t->segs = s;
        uint64_t *as = realloc(t->act_seg, (size_t)cap * sizeof *as);
        if (as == NULL) return BTM_NO_SEG;
        memset(as + t->cap_segs, 0, (size_t)(cap - t->cap_segs) * sizeof *as);
        t->act_seg = as;
        as = realloc(t->hot, (size_t)cap * sizeof *as);
        if (as == NULL) return BTM_NO_SEG;
        t->hot = as;
        as = realloc(t->hot_tmp, (size_t)cap * sizeof *as);
        if (as == NULL) return BTM_NO_SEG;
        t->hot_tmp = as;
        uint32_t *a;
        a = realloc(t->seg_cell, (size_t)cap * sizeof *a);
        if (a == NULL) return BTM_NO_SEG;
        t->seg_cell = a;
        t->cap_segs = cap;
    }
    uint32_t id = t->n_segs++;
    btm_seg *s = &t->segs[id];
    memset(s, 0, sizeof *s);
    s->cell = cell;
    s->slot = c->n;
    t->seg_cell[id] = cell;
    c->slots[c->n++] = id;
    return id;
}

static inline btm_seg *seg_at(nupic_btm *t, uint32_t cell, uint32_t slot) {
    return &t->segs[t->cells[cell].slots[slot]];
}

/* Cell::releaseSegment */
static void release_segment(nupic_btm *t, uint32_t cell, uint32_t slot) {
    btm_cell *c = &t->cells[cell];
    for (uint32_t i = 0; i < c->n_free; i++)
        if (c->free[i] == slot) return;
    btm_seg *s = seg_at(t, cell, slot);
    s->n = 0;
    s->seq = false;
    s->frequency = 0.0f;
    s->n_connected = 0;
    if (!btm_push_free(c, slot)) t->nomem = true;
    s->total_act = 0;
    s->pos_act = 0;
}

static void add_out(nupic_btm *t, uint32_t src, uint32_t seg) {
    if (!grow_u32(&t->out[src], &t->out_cap[src], t->out_n[src] + 1)) {
        t->nomem = true;
        return;
    }
    t->out[src][t->out_n[src]++] = seg;
}

/* Cells4::eraseOutSynapses (order of the forward links does not matter). */
static void erase_out(nupic_btm *t, uint32_t seg, const uint32_t *srcs,
                      uint32_t n) {
    for (uint32_t k = 0; k < n; k++) {
        uint32_t src = srcs[k];
        uint32_t *o = t->out[src];
        for (uint32_t j = 0; j < t->out_n[src]; j++)
            if (o[j] == seg) {
                o[j] = o[--t->out_n[src]];
                break;
            }
    }
}

bool btm_rebuild_out(nupic_btm *t) {
    for (uint32_t i = 0; i < t->n_cells; i++)
        t->out_n[i] = 0;
    for (uint32_t id = 0; id < t->n_segs; id++) {
        const btm_seg *s = &t->segs[id];
        for (uint32_t k = 0; k < s->n; k++) {
            uint32_t src = s->syn[k].src;
            if (!grow_u32(&t->out[src], &t->out_cap[src], t->out_n[src] + 1))
                return false;
            t->out[src][t->out_n[src]++] = id;
        }
    }
    return true;
}

static uint32_t seg_count_connected(const btm_seg *s, float conn) {
    uint32_t nc = 0;
    for (uint32_t i = 0; i < s->n; i++)
        nc += s->syn[i].perm >= conn;
    return nc;
}

/* Cells4::isActive + Segment::isActive */
static bool seg_is_active(const nupic_btm *t, const btm_seg *s,
                          const uint8_t *on) {
    const uint32_t thr = t->p.activation_threshold;
    if (s->n < thr || s->n_connected < thr) return false;
    uint32_t a = 0;
    for (uint32_t i = 0; i < s->n && a < thr; i++)
        if (s->syn[i].perm >= t->p.connected_perm && on[s->syn[i].src]) a++;
    return a >= thr;
}

/* Segment::_removeSynapses: del ascending positions. */
static void seg_remove(btm_seg *s, const uint32_t *del, uint32_t nd) {
    if (nd == 0) return;
    uint32_t i = del[0], d = 0, j = del[0];
    for (; i < s->n; i++) {
        if (d < nd && del[d] == i) {
            d++;
            continue;
        }
        s->syn[j++] = s->syn[i];
    }
    s->n = j;
}

/* Segment::updateSynapses over the sorted sources srcs; removed sources
 * are appended to removed[*nrem]. */
static void seg_update_synapses(nupic_btm *t, btm_seg *s, const uint32_t *srcs,
                                uint32_t ns, float delta, uint32_t *removed,
                                uint32_t *nrem) {
    const float pmax = t->p.permanence_max, conn = t->p.connected_perm;
    uint32_t *del = t->scratch_d;
    uint32_t nd = 0, i1 = 0, i2 = 0;
    while (i1 < s->n && i2 < ns) {
        if (s->syn[i1].src == srcs[i2]) {
            float old = s->syn[i1].perm;
            float sum = old + delta;
            float np = sum < pmax ? sum : pmax;
            if (np <= 0.0f) {
                removed[(*nrem)++] = s->syn[i1].src;
                del[nd++] = i1;
            }
            s->syn[i1].perm = np;
            int was = old >= conn, is = np >= conn;
            s->n_connected += (uint32_t)(is - was);
            i1++;
            i2++;
        } else if (s->syn[i1].src < srcs[i2]) {
            i1++;
        } else {
            i2++;
        }
    }
    seg_remove(s, del, nd);
}

/* Segment::decaySynapses2 */
static void seg_decay(nupic_btm *t, btm_seg *s, float decay, uint32_t *removed,
                      uint32_t *nrem) {
    const float conn = t->p.connected_perm;
    uint32_t *del = t->scratch_d;
    uint32_t nd = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->syn[i].perm <= decay) {
            if (s->syn[i].perm >= conn) s->n_connected--;
            removed[(*nrem)++] = s->syn[i].src;
            del[nd++] = i;
        } else {
            s->syn[i].perm -= decay;
            if (s->syn[i].perm + decay >= conn && s->syn[i].perm < conn)
                s->n_connected--;
        }
    }
    seg_remove(s, del, nd);
}

/* ------------------------------------------------------------------------
 * Segment updates (SegmentUpdate, Cells4::computeUpdate, adaptSegment)
 * ------------------------------------------------------------------------ */

static void update_free(btm_update *u) {
    free(u->syn);
    u->syn = NULL;
}

/* Stable removal of the updates at the ascending positions del[0..nd). */
static void remove_updates(nupic_btm *t, const uint32_t *del, uint32_t nd) {
    if (nd == 0) return;
    uint32_t j = 0, d = 0;
    for (uint32_t i = 0; i < t->n_updates; i++) {
        if (d < nd && del[d] == i) {
            update_free(&t->updates[i]);
            d++;
            continue;
        }
        t->updates[j++] = t->updates[i];
    }
    t->n_updates = j;
}

static void clear_updates(nupic_btm *t) {
    for (uint32_t i = 0; i < t->n_updates; i++)
        update_free(&t->updates[i]);
    t->n_updates = 0;
}

static bool push_update(nupic_btm *t, uint32_t cell, uint32_t seg, bool seq,
                        const uint32_t *syn, uint32_t n) {
    if (t->n_updates == t->cap_updates) {
        uint32_t c = t->cap_updates ? t->cap_updates * 2 : 64;
        btm_update *u = realloc(t->updates, (size_t)c * sizeof *u);
        if (u == NULL) return false;
        t->updates = u;
        t->cap_updates = c;
    }
    uint32_t *s = malloc((size_t)n * sizeof *s);
    if (s == NULL) return false;
    memcpy(s, syn, (size_t)n * sizeof *s);
    btm_update *u = &t->updates[t->n_updates++];
    u->cell = cell;
    u->seg = seg;
    u->timestamp = t->n_lrn_iterations;
    u->seq = seq;
    u->phase1 = false;
    u->weakly = false;
    u->syn = s;
    u->n = n;
    return true;
}

/* Cells4::chooseCellsToLearnFrom: appends to src[*n] (capacity n_cells). */
static void choose_cells(nupic_btm *t, uint32_t cell, uint32_t slot,
                         uint32_t n_add, btm_state *state, uint32_t *src,
                         uint32_t *n) {
    if (n_add == 0) return;
    state_sort(state);
    uint32_t *pruned = t->scratch_b;
    uint32_t np = 0;
    if (slot != BTM_NO_SEG) {
        const btm_seg *s = seg_at(t, cell, slot);
        uint32_t k = 0;
        for (uint32_t i = 0; i < state->n; i++) {
            uint32_t c = state->list[i];
            while (k < s->n && s->syn[k].src < c)
                k++;
            if (k < s->n && s->syn[k].src == c) continue;
            pruned[np++] = c;
        }
    } else {
        memcpy(pruned, state->list, (size_t)state->n * sizeof *pruned);
        np = state->n;
    }
    if (np == 0) return;
    bool sort_needed = *n > 0;
    if (np <= n_add) {
        memcpy(src + *n, pruned, (size_t)np * sizeof *src);
        *n += np;
    } else if (n_add == 1) {
        src[(*n)++] = pruned[nupic_random_u32(&t->rng, np)];
    } else {
        nupic_random_sample(&t->rng, pruned, np, src + *n, n_add);
        *n += n_add;
        sort_needed = true;
    }
    if (sort_needed) sort_u32(src, *n);
}

/* Cells4::computeUpdate: queues an update; false if it has no synapses. */
static bool compute_update(nupic_btm *t, uint32_t cell, uint32_t slot,
                           btm_state *active, bool seq, bool new_synapses) {
    uint32_t *syn = t->scratch_a;
    uint32_t n = 0;
    if (slot != BTM_NO_SEG) {
        const btm_seg *s = seg_at(t, cell, slot);
        for (uint32_t i = 0; i < s->n; i++)
            if (active->on[s->syn[i].src]) syn[n++] = s->syn[i].src;
    }
    if (new_synapses) {
        int64_t add = (int64_t)t->p.new_synapse_count - (int64_t)n;
        if (add > 0)
            choose_cells(t, cell, slot, (uint32_t)add, active, syn, &n);
    }
    if (n == 0) return false;
    if (!push_update(t, cell, slot, seq, syn, n)) {
        t->nomem = true;
        return false;
    }
    return true;
}

/* Stable insertion sort of (position, permanence) candidates by
 * permanence (std::stable_sort with InPermanenceOrder). */
static void sort_candidates(uint32_t *idx, float *perm, uint32_t n) {
    for (uint32_t i = 1; i < n; i++) {
        uint32_t xi = idx[i];
        float xp = perm[i];
        uint32_t j = i;
        while (j > 0 && xp < perm[j - 1]) {
            idx[j] = idx[j - 1];
            perm[j] = perm[j - 1];
            j--;
        }
        idx[j] = xi;
        perm[j] = xp;
    }
}

/* Cells4::adaptSegment */
static void adapt_segment(nupic_btm *t, const btm_update *u) {
    const uint32_t cell = u->cell;
    if (u->seg != BTM_NO_SEG) {
        btm_seg *s = seg_at(t, cell, u->seg);
        if (s->n == 0) return;
        const uint32_t id = t->cells[cell].slots[u->seg];
        s->last_active_it = t->n_lrn_iterations;
        s->pos_act++;
        duty_cycle(t, s, t->n_lrn_iterations, true, false);

        /* synapsesSet: the update's sources (ascending, distinct) less
         * those already on the segment; dec/inc: the segment's synapses
         * not in / in the update (sources and positions). */
        uint32_t *dec_src = t->s_dec, *inc_src = t->s_inc, *dpos = t->s_decpos,
                 *ipos = t->s_incpos, *newset = t->s_new,
                 *removed = t->s_removed;
        uint32_t nrem = 0, nd, ni, nset;
#define GEN_LISTS()                                                            \
    do {                                                                       \
        nd = ni = nset = 0;                                                    \
        uint32_t k_ = 0;                                                       \
        for (uint32_t i_ = 0; i_ < s->n; i_++) {                               \
            uint32_t c_ = s->syn[i_].src;                                      \
            while (k_ < u->n && u->syn[k_] < c_)                               \
                newset[nset++] = u->syn[k_++];                                 \
            if (k_ < u->n && u->syn[k_] == c_) {                               \
                inc_src[ni] = c_;                                              \
                ipos[ni++] = i_;                                               \
                k_++;                                                          \
            } else {                                                           \
                dec_src[nd] = c_;                                              \
                dpos[nd++] = i_;                                               \
            }                                                                  \
        }                                                                      \
        while (k_ < u->n)                                                      \
            newset[nset++] = u->syn[k_++];                                     \
    } while (0)
        GEN_LISTS();
        /* updateSynapses(decrement), then updateSynapses(increment): the
         * two sets are disjoint and known by position.  When no permanence
         * drops to 0 or below, no synapse is removed and the lists stay
         * valid, so the two calls reduce to updating those positions;
         * otherwise they run as nupic.core makes them. */
        const float pmax = t->p.permanence_max, conn = t->p.connected_perm;
        const float ndec = -t->p.permanence_dec, pinc = t->p.permanence_inc;
        bool removal = false;
        for (uint32_t i = 0; i < nd && !removal; i++) {
            float sum = s->syn[dpos[i]].perm + ndec;
            removal = (sum < pmax ? sum : pmax) <= 0.0f;
        }
        for (uint32_t i = 0; i < ni && !removal; i++) {
            float sum = s->syn[ipos[i]].perm + pinc;
            removal = (sum < pmax ? sum : pmax) <= 0.0f;
        }
        if (!removal) {
            for (uint32_t i = 0; i < nd; i++) {
                btm_syn *y = &s->syn[dpos[i]];
                float sum = y->perm + ndec;
                float np = sum < pmax ? sum : pmax;
                s->n_connected += (uint32_t)((np >= conn) - (y->perm >= conn));
                y->perm = np;
            }
            for (uint32_t i = 0; i < ni; i++) {
                btm_syn *y = &s->syn[ipos[i]];
                float sum = y->perm + pinc;
                float np = sum < pmax ? sum : pmax;
                s->n_connected += (uint32_t)((np >= conn) - (y->perm >= conn));
                y->perm = np;
            }
        } else {
            seg_update_synapses(t, s, dec_src, nd, ndec, removed, &nrem);
            if (nrem > 0) GEN_LISTS();
            seg_update_synapses(t, s, inc_src, ni, pinc, removed, &nrem);
        }
#undef GEN_LISTS
        const int32_t maxs = t->p.max_synapses_per_segment;
        if (maxs > 0 && (uint64_t)nset + s->n > (uint64_t)maxs) {
            /* Segment::freeNSynapses: inactive synapses first (lowest
             * permanence first), then active ones. */
            uint32_t to_free = nset + s->n - (uint32_t)maxs;
            uint32_t *cidx = t->scratch_a;
            float *cp = t->s_cperm;
            uint32_t nc = 0;
            for (uint32_t i = 0; i < nd; i++) {
                cidx[nc] = dpos[i];
                cp[nc++] = s->syn[dpos[i]].perm;
            }
            if (nc < to_free)
                for (uint32_t i = 0; i < ni; i++) {
                    cidx[nc] = ipos[i];
                    cp[nc++] = s->syn[ipos[i]].perm + t->p.permanence_max;
                }
            sort_candidates(cidx, cp, nc);
            if (to_free > nc) to_free = nc;
            for (uint32_t i = 0; i < to_free; i++)
                removed[nrem++] = s->syn[cidx[i]].src;
            sort_u32(cidx, to_free);
            seg_remove(s, cidx, to_free);
        }
        /* Segment::addSynapses: merge the new sources in. */
        if (nset > 0) {
            if (!btm_seg_reserve(s, s->n + nset)) {
                t->nomem = true;
                return;
            }
            uint32_t i = s->n, j = nset, k = s->n + nset;
            while (j > 0) {
                if (i > 0 && s->syn[i - 1].src > newset[j - 1])
                    s->syn[--k] = s->syn[--i];
                else
                    s->syn[--k] = (btm_syn){newset[--j], t->p.initial_perm};
            }
            s->n += nset;
            if (t->p.initial_perm >= t->p.connected_perm)
                s->n_connected += nset;
            for (uint32_t q = 0; q < nset; q++)
                add_out(t, newset[q], id);
        }
        if (nrem > 0) {
            erase_out(t, id, removed, nrem);
            s->n_connected = seg_count_connected(s, t->p.connected_perm);
        }
        if (s->n == 0) release_segment(t, cell, u->seg);
    } else {
        /* Cell::getFreeSegment + a new Segment. */
        btm_cell *c = &t->cells[cell];
        uint32_t id;
        if (c->n_free > 0) {
            id = c->slots[c->free[--c->n_free]];
        } else {
            id = btm_new_slot(t, cell);
            if (id == BTM_NO_SEG) {
                t->nomem = true;
                return;
            }
        }
        btm_seg *s = &t->segs[id];
        if (!btm_seg_reserve(s, u->n)) {
            t->nomem = true;
            s->n = 0;
            return;
        }
        for (uint32_t i = 0; i < u->n; i++)
            s->syn[i] = (btm_syn){u->syn[i], t->p.initial_perm};
        s->n = u->n;
        s->n_connected = t->p.initial_perm >= t->p.connected_perm ? u->n : 0;
        s->seq = u->seq;
        s->frequency = t->init_seg_freq;
        s->last_pos_dc = (float)(1.0 / (double)t->n_lrn_iterations);
        s->last_pos_dc_it = t->n_lrn_iterations;
        s->last_active_it = t->n_lrn_iterations;
        s->pos_act = 1;
        s->total_act = 1;
        for (uint32_t i = 0; i < u->n; i++)
            add_out(t, u->syn[i], id);
    }
}

static bool del_room(nupic_btm *t) {
    return grow_u32(&t->del, &t->cap_del, t->n_updates + 1);
}

static bool bad_room(nupic_btm *t, uint32_t n) {
    return grow_u32(&t->bad, &t->cap_bad, n + 1);
}

/* Cells4::cleanUpdatesList */
static void clean_updates(nupic_btm *t, uint32_t cell, uint32_t slot) {
    if (!del_room(t)) {
        t->nomem = true;
        return;
    }
    uint32_t nd = 0;
    for (uint32_t i = 0; i < t->n_updates; i++)
        if (t->updates[i].cell == cell && t->updates[i].seg == slot)
            t->del[nd++] = i;
    remove_updates(t, t->del, nd);
}

/* Cells4::processSegmentUpdates */
static void process_updates(nupic_btm *t, const uint8_t *input,
                            const btm_state *predicted) {
    if (!del_room(t)) {
        t->nomem = true;
        return;
    }
    uint32_t nd = 0;
    for (uint32_t i = 0; i < t->n_updates; i++) {
        const btm_update *u = &t->updates[i];
        if (t->n_lrn_iterations - u->timestamp >
            t->p.seg_update_valid_duration) {
            t->del[nd++] = i;
        } else {
            uint32_t col = u->cell / t->p.cells_per_column;
            if (input[col]) {
                adapt_segment(t, u);
                t->del[nd++] = i;
            } else if (!(t->p.do_pooling && predicted->on[u->cell])) {
                t->del[nd++] = i;
            }
        }
    }
    remove_updates(t, t->del, nd);
}

/* Applies and drops the update just queued (learnPhase1). */
static void apply_last_update(nupic_btm *t) {
    btm_update *u = &t->updates[t->n_updates - 1];
    adapt_segment(t, u);
    update_free(u);
    t->n_updates--;
}

/* ------------------------------------------------------------------------
 * Forward propagation (Cells4::computeForwardPropagation)
 * ------------------------------------------------------------------------ */

/* The count of segment id in the last propagation. */
static inline uint32_t seg_act(const nupic_btm *t, uint32_t id) {
    uint64_t v = t->act_seg[id];
    return v >= t->act_stamp ? (uint32_t)v : 0;
}

/* Forgets the last propagation: a new stamp, no hot segments. */
static void act_reset(nupic_btm *t) {
    t->act_stamp += UINT64_C(1) << 32;
    if (t->act_stamp == 0) { /* the stamps wrapped: clear them */
        memset(t->act_seg, 0, (size_t)t->n_segs * sizeof *t->act_seg);
        t->act_stamp = UINT64_C(1) << 32;
    }
    t->n_hot = 0;
}

/* Counts the active synapses of every segment with a synapse from a cell
 * of state (act_seg), and lists the hot segments (those whose count
 * reaches thr, if thr > 0), sorted. */
static void propagate(nupic_btm *t, const btm_state *state, uint32_t thr) {
    act_reset(t);
    uint64_t *restrict act = t->act_seg;
    uint64_t *restrict hot = t->hot;
    const uint32_t *restrict seg_cell = t->seg_cell;
    const uint64_t stamp = t->act_stamp;
    uint32_t n_hot = 0;
    const uint32_t ns = state->n;
    const uint32_t *list = state->list;
    for (uint32_t k = 0; k < ns; k++) {
        /* The links of the cells a little ahead, while this one counts. */
        if (k + 8 < ns) {
            __builtin_prefetch(&t->out[list[k + 8]]);
            __builtin_prefetch(&t->out_n[list[k + 8]]);
        }
        if (k + 4 < ns) __builtin_prefetch(t->out[list[k + 4]]);
        uint32_t src = list[k];
        const uint32_t *o = t->out[src];
        const uint32_t no = t->out_n[src];
        for (uint32_t j = 0; j < no; j++) {
            uint32_t id = o[j];
            uint64_t v = act[id];
            v = (v < stamp ? stamp : v) + 1;
            act[id] = v;
            if ((uint32_t)v == thr)
                hot[n_hot++] = (uint64_t)seg_cell[id] << 32 | id;
        }
    }
    t->n_hot = n_hot;
    algo_sort_u64(hot, n_hot, t->hot_tmp);
}

static inline uint32_t key_cell(uint64_t key) {
    return (uint32_t)(key >> 32);
}
static inline uint32_t key_seg(uint64_t key) {
    return (uint32_t)key;
}

/* ------------------------------------------------------------------------
 * Inference (Cells4::inferPhase1, inferPhase2, inferBacktrack,
 * updateInferenceState)
 * ------------------------------------------------------------------------ */

static bool infer_phase1(nupic_btm *t, const btm_pattern *pat,
                         bool use_start_cells) {
    state_reset(&t->inf_active_t);
    const uint32_t cpc = t->p.cells_per_column;
    uint32_t predicted_cols = 0;
    for (uint32_t i = 0; i < pat->n; i++) {
        uint32_t c0 = pat->cols[i] * cpc;
        if (use_start_cells) {
            btm_state_set(&t->inf_active_t, c0);
            continue;
        }
        uint32_t np = 0;
        for (uint32_t c = c0; c < c0 + cpc; c++)
            if (t->inf_pred_t1.on[c]) {
                np++;
                btm_state_set(&t->inf_active_t, c);
            }
        if (np > 0)
            predicted_cols++;
        else
            for (uint32_t c = c0; c < c0 + cpc; c++)
                btm_state_set(&t->inf_active_t, c);
    }
    return use_start_cells || (double)predicted_cols >= 0.50 * (double)pat->n;
}

static bool infer_phase2(nupic_btm *t) {
    propagate(t, &t->inf_active_t, t->p.activation_threshold);
    state_reset(&t->inf_pred_t);
    conf_zero(&t->cell_conf_t);
    conf_zero(&t->col_conf_t);
    const uint32_t cpc = t->p.cells_per_column;
    const uint32_t it = t->n_lrn_iterations;
    uint32_t predicted_cols = 0;
    float sum = 0.0f;
    /* Columns ascending, then cells, then slots: the hot segments in
     * order (the others are below the threshold). */
    const uint64_t *hot = t->hot;
    const uint32_t n_hot = t->n_hot;
    for (uint32_t i = 0; i < n_hot;) {
        const uint32_t col = key_cell(hot[i]) / cpc, c1 = col * cpc + cpc;
        bool col_pred = false;
        for (; i < n_hot && key_cell(hot[i]) < c1; i++) {
            /* The segments (and synapses) a little ahead. */
            if (i + 8 < n_hot)
                __builtin_prefetch(&t->segs[key_seg(hot[i + 8])]);
            if (i + 4 < n_hot) {
                __builtin_prefetch(t->segs[key_seg(hot[i + 4])].syn);
                __builtin_prefetch(&t->cell_conf_t.v[key_cell(hot[i + 4])]);
            }
            const uint32_t cell = key_cell(hot[i]);
            btm_seg *s = &t->segs[key_seg(hot[i])];
            float dc = duty_cycle(t, s, it, false, false);
            btm_conf_add(&t->cell_conf_t, cell, dc);
            btm_conf_add(&t->col_conf_t, col, dc);
            if (seg_is_active(t, s, t->inf_active_t.on)) {
                btm_state_set(&t->inf_pred_t, cell);
                col_pred = true;
            }
        }
        if (t->col_conf_t.mark[col]) sum += t->col_conf_t.v[col];
        predicted_cols += col_pred;
    }
    if (sum > 0.0f) {
        for (uint32_t k = 0; k < t->col_conf_t.n_nz; k++)
            t->col_conf_t.v[t->col_conf_t.nz[k]] /= sum;
        for (uint32_t k = 0; k < t->cell_conf_t.n_nz; k++)
            t->cell_conf_t.v[t->cell_conf_t.nz[k]] /= sum;
    }
    return (double)predicted_cols >= 0.5 * (double)t->avg_input_density;
}

static void infer_backtrack(nupic_btm *t, const btm_pattern *active) {
    (void)active; /* the total confidence nupic.core computes is unused */
    btm_queue *q = &t->prev_inf;
    if (q->n == 0) return;
    const uint32_t current = q->n - 1;
    if (!bad_room(t, q->n)) {
        t->nomem = true;
        return;
    }
    state_copy(&t->inf_active_backup, &t->inf_active_t);
    state_copy(&t->inf_pred_backup, &t->inf_pred_t1);
    uint32_t *bad = t->bad;
    uint32_t nbad = 0;
    int64_t cand = -1;
    for (uint32_t start = 0; start < q->n; start++) {
        bool in_seq = false;
        for (uint32_t off = start; off < q->n; off++) {
            state_copy(&t->inf_pred_t1, &t->inf_pred_t);
            in_seq = infer_phase1(t, &q->p[off], off == start);
            if (!in_seq) break;
            in_seq = infer_phase2(t);
            if (!in_seq) break;
        }
        if (!in_seq) {
            bad[nbad++] = start;
        } else {
            cand = start;
            if (cand == (int64_t)current) break;
            state_copy(&t->inf_active_cand, &t->inf_active_t);
            state_copy(&t->inf_pred_cand, &t->inf_pred_t);
            conf_copy(&t->cell_conf_cand, &t->cell_conf_t);
            conf_copy(&t->col_conf_cand, &t->col_conf_t);
            break;
        }
    }
    if (cand == -1) {
        state_copy(&t->inf_active_t, &t->inf_active_backup);
        infer_phase2(t);
    } else if (cand != (int64_t)current) {
        state_copy(&t->inf_active_t, &t->inf_active_cand);
        state_copy(&t->inf_pred_t, &t->inf_pred_cand);
        conf_copy(&t->cell_conf_t, &t->cell_conf_cand);
        conf_copy(&t->col_conf_t, &t->col_conf_cand);
    }
    /* Drop the useless patterns at the head of the history. */
    const uint32_t n = q->n;
    uint32_t b = 0;
    for (uint32_t i = 0; i < n; i++) {
        while (b < nbad && bad[b] < i)
            b++;
        bool is_bad = b < nbad && bad[b] == i;
        if (is_bad || (cand != -1 && (int64_t)i <= cand))
            queue_pop_front(q);
        else
            break;
    }
    state_copy(&t->inf_pred_t1, &t->inf_pred_backup);
}

static void update_inference(nupic_btm *t, const btm_pattern *active) {
    state_copy(&t->inf_active_t1, &t->inf_active_t);
    state_copy(&t->inf_pred_t1, &t->inf_pred_t);
    conf_copy(&t->cell_conf_t1, &t->cell_conf_t);
    conf_copy(&t->col_conf_t1, &t->col_conf_t);
    if (t->p.max_inf_backtrack > 0) {
        if (t->prev_inf.n > t->p.max_inf_backtrack)
            queue_pop_front(&t->prev_inf);
        if (!btm_queue_push(&t->prev_inf, active->cols, active->n))
            t->nomem = true;
    }
    bool in_seq = infer_phase1(t, active, t->reset_called);
    if (!in_seq) {
        infer_backtrack(t, active);
        return;
    }
    in_seq = infer_phase2(t);
    if (!in_seq) infer_backtrack(t, active);
}

/* ------------------------------------------------------------------------
 * Learning (Cells4::getBestMatchingCellT/T1, getCellForNewSegment,
 * learnPhase1, learnPhase2, learnBacktrackFrom, learnBacktrack,
 * updateLearningState)
 * ------------------------------------------------------------------------ */

/* Cells4::getBestMatchingCellT1: *slot BTM_NO_SEG when none.  The
 * activities (Segment::computeActivity(state, _, false): synapses from
 * cells of the state, any permanence) are act_seg, which must be a
 * propagation of the state that no change to a segment of col has
 * outdated, with hot cells marked at minThreshold.  An empty segment has
 * activity 0 and is never chosen.  A cell below minThreshold cannot win,
 * so with minThreshold > 0 only hot cells are visited (ascending). */
static uint32_t best_matching_t1(nupic_btm *t, uint32_t col, uint32_t *slot) {
    const uint32_t cpc = t->p.cells_per_column;
    const uint32_t c0 = col * cpc, c1 = c0 + cpc;
    uint32_t best_cell = BTM_NO_SEG, best_seg = 0,
             best_act = t->p.min_threshold;
    if (t->p.min_threshold == 0) {
        for (uint32_t i = c0; i < c1; i++) {
            uint32_t max_act = 0, max_seg = 0;
            const btm_cell *c = &t->cells[i];
            for (uint32_t j = 0; j < c->n; j++) {
                uint32_t a = seg_act(t, c->slots[j]);
                if (a > max_act) {
                    max_act = a;
                    max_seg = j;
                }
            }
            if (max_act >= best_act) {
                best_act = max_act;
                best_seg = max_seg;
                best_cell = i;
            }
        }
        /* (With minThreshold 0 nupic.core can name a slot that does not
         * exist; that is "none" here.) */
        if (best_cell == BTM_NO_SEG || best_seg >= t->cells[best_cell].n) {
            *slot = BTM_NO_SEG;
            return BTM_NO_SEG;
        }
        *slot = best_seg;
        return best_cell;
    }
    /* The hot segments of the column (a cell's largest count is a hot
     * segment's when it has one; other cells cannot win), by cell then
     * slot: per cell the first of the largest, across cells the last of
     * the largest. */
    const uint64_t *hot = t->hot;
    uint32_t lo = 0, hi = t->n_hot;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (key_cell(hot[mid]) < c0)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t best_id = BTM_NO_SEG;
    for (uint32_t i = lo; i < t->n_hot && key_cell(hot[i]) < c1;) {
        const uint32_t cell = key_cell(hot[i]);
        uint32_t max_act = 0, max_id = BTM_NO_SEG;
        for (; i < t->n_hot && key_cell(hot[i]) == cell; i++) {
            uint32_t a = seg_act(t, key_seg(hot[i]));
            if (a > max_act) {
                max_act = a;
                max_id = key_seg(hot[i]);
            }
        }
        if (max_act >= best_act) {
            best_act = max_act;
            best_id = max_id;
            best_cell = cell;
        }
    }
    if (best_cell == BTM_NO_SEG) {
        *slot = BTM_NO_SEG;
        return BTM_NO_SEG;
    }
    *slot = t->segs[best_id].slot;
    return best_cell;
}

/* Cells4::getCellForNewSegment */
static uint32_t cell_for_new_segment(nupic_btm *t, uint32_t col) {
    const uint32_t cpc = t->p.cells_per_column;
    if (t->p.max_segments_per_cell < 0) {
        uint32_t k = cpc > 1 ? nupic_random_u32(&t->rng, cpc - 1) + 1 : 0;
        return col * cpc + k;
    }
    uint32_t lo = col * cpc + 1, hi = col * cpc + cpc - 1;
    uint32_t *cand = t->scratch_c;
    uint32_t nc = 0;
    for (uint32_t i = lo; i <= hi; i++)
        if ((int64_t)t->cells[i].n < (int64_t)t->p.max_segments_per_cell)
            cand[nc++] = i;
    if (nc > 0) return cand[nupic_random_u32(&t->rng, nc)];
    uint32_t best_cell = lo, best_slot = BTM_NO_SEG;
    float best_dc = 1.0f;
    for (uint32_t i = lo; i <= hi; i++) {
        const btm_cell *c = &t->cells[i];
        for (uint32_t j = 0; j < c->n; j++) {
            btm_seg *s = &t->segs[c->slots[j]];
            if (s->n == 0) continue;
            float dc = duty_cycle(t, s, t->n_lrn_iterations, false, false);
            if (dc < best_dc) {
                best_cell = i;
                best_dc = dc;
                best_slot = j;
            }
        }
    }
    if (best_slot == BTM_NO_SEG) return best_cell;
    uint32_t id = t->cells[best_cell].slots[best_slot];
    btm_seg *s = &t->segs[id];
    for (uint32_t k = 0; k < s->n; k++)
        t->scratch_d[k] = s->syn[k].src;
    erase_out(t, id, t->scratch_d, s->n);
    clean_updates(t, best_cell, best_slot);
    release_segment(t, best_cell, best_slot);
    return best_cell;
}

static bool learn_phase1(nupic_btm *t, const btm_pattern *pat, bool read_only) {
    state_reset(&t->learn_active_t);
    const uint32_t cpc = t->p.cells_per_column;
    uint32_t unpredicted = 0;
    bool propagated = false;
    for (uint32_t i = 0; i < pat->n; i++) {
        const uint32_t col = pat->cols[i], c0 = col * cpc;
        uint32_t np = 0, pc = cpc;
        for (uint32_t j = 0; j < cpc; j++)
            if (t->learn_pred_t1.on[c0 + j]) {
                np++;
                pc = j;
            }
        if (np == 1) {
            btm_state_set(&t->learn_active_t, c0 + pc);
            continue;
        }
        unpredicted++;
        if (read_only) continue;
        /* One propagation of the state at t-1 serves every column: the
         * updates applied below change only segments of the column being
         * processed, and each column comes once. */
        if (!propagated) {
            propagate(t, &t->learn_active_t1, t->p.min_threshold);
            propagated = true;
        }
        uint32_t slot;
        uint32_t cell = best_matching_t1(t, col, &slot);
        if (slot != BTM_NO_SEG && seg_at(t, cell, slot)->seq) {
            btm_state_set(&t->learn_active_t, cell);
            bool queued =
                compute_update(t, cell, slot, &t->learn_active_t1, true, true);
            seg_at(t, cell, slot)->total_act++;
            if (queued) apply_last_update(t);
        } else {
            uint32_t nc = cell_for_new_segment(t, col);
            btm_state_set(&t->learn_active_t, nc);
            if (compute_update(t, nc, BTM_NO_SEG, &t->learn_active_t1, true,
                               true))
                apply_last_update(t);
        }
    }
    return unpredicted < pat->n / 2;
}

static void learn_phase2(nupic_btm *t, bool read_only) {
    propagate(t, &t->learn_active_t, t->p.activation_threshold);
    state_reset(&t->learn_pred_t);
    const uint32_t cpc = t->p.cells_per_column;
    const uint32_t thr = t->p.activation_threshold;
    const uint64_t *hot = t->hot;
    const uint32_t n_hot = t->n_hot;
    for (uint32_t i = 0; i < n_hot;) {
        /* getBestMatchingCellT: nupic.core visits the cells from the last,
         * the slots in order, and keeps the first of the largest counts
         * above thr - 1 (only hot segments qualify).  Here cells come in
         * ascending order, so a tie goes to a later cell, never to a later
         * slot of the same cell. */
        const uint32_t c1 = (key_cell(hot[i]) / cpc + 1) * cpc;
        uint32_t best_cell = BTM_NO_SEG, best_id = BTM_NO_SEG;
        uint32_t best = thr - 1;
        for (; i < n_hot && key_cell(hot[i]) < c1; i++) {
            const uint32_t cell = key_cell(hot[i]), id = key_seg(hot[i]);
            const uint32_t a = seg_act(t, id);
            if (a > best || (a == best && cell != best_cell)) {
                best = a;
                best_cell = cell;
                best_id = id;
            }
        }
        const uint32_t best_seg = t->segs[best_id].slot;
        btm_state_set(&t->learn_pred_t, best_cell);
        if (!read_only) {
            compute_update(t, best_cell, best_seg, &t->learn_active_t, false,
                           true);
            t->segs[best_id].total_act++;
        }
    }
}

static bool learn_backtrack_from(nupic_btm *t, uint32_t start, bool read_only) {
    btm_queue *q = &t->prev_lrn;
    const uint32_t n = q->n, current = n - 1;
    if (!read_only) clear_updates(t);
    bool in_seq = true;
    for (uint32_t off = start; off < n; off++) {
        state_copy(&t->learn_active_t1, &t->learn_active_t);
        state_copy(&t->learn_pred_t1, &t->learn_pred_t);
        const btm_pattern *pat = &q->p[off];
        if (!read_only) {
            memset(t->tmp_input, 0, t->n_cols);
            for (uint32_t i = 0; i < pat->n; i++)
                t->tmp_input[pat->cols[i]] = 1;
            process_updates(t, t->tmp_input, &t->learn_pred_t);
        }
        if (off == start) {
            state_reset(&t->learn_active_t);
            for (uint32_t i = 0; i < pat->n; i++) {
                btm_state_set(&t->learn_active_t,
                              pat->cols[i] * t->p.cells_per_column);
                in_seq = true;
            }
        } else {
            in_seq = learn_phase1(t, pat, read_only);
        }
        if (!in_seq || off == current) break;
        learn_phase2(t, read_only);
    }
    return in_seq;
}

static uint32_t learn_backtrack(nupic_btm *t) {
    btm_queue *q = &t->prev_lrn;
    const uint32_t n_prev = q->n == 0 ? 0 : q->n - 1;
    if (n_prev == 0) return 0;
    if (!bad_room(t, q->n)) {
        t->nomem = true;
        return 0;
    }
    uint32_t *bad = t->bad;
    uint32_t nbad = 0;
    bool in_seq = false;
    uint32_t start = 0;
    for (; start < n_prev; start++) {
        in_seq = learn_backtrack_from(t, start, true);
        if (in_seq) break;
        bad[nbad++] = start;
    }
    if (!in_seq) {
        queue_clear(q);
        return 0;
    }
    learn_backtrack_from(t, start, false);
    uint32_t b = 0;
    for (uint32_t i = 0; i < n_prev; i++) {
        while (b < nbad && bad[b] < i)
            b++;
        bool is_bad = b < nbad && bad[b] == i;
        if (is_bad || i <= start)
            queue_pop_front(q);
        else
            break;
    }
    return n_prev - start;
}

/* Cells4::_updateAvgLearnedSeqLength */
static void update_avg_seq_length(nupic_btm *t, uint32_t len) {
    float alpha = t->n_lrn_iterations < 100 ? 0.5f : 0.1f;
    float term = alpha * (float)len;
    double v = (1.0 - (double)alpha) * (double)t->avg_learned_seq_length +
               (double)term;
    t->avg_learned_seq_length = (float)v;
}

static void update_learning(nupic_btm *t, const btm_pattern *active) {
    state_copy(&t->learn_active_t1, &t->learn_active_t);
    state_copy(&t->learn_pred_t1, &t->learn_pred_t);
    if (t->p.max_lrn_backtrack > 0) {
        if (t->prev_lrn.n > t->p.max_lrn_backtrack)
            queue_pop_front(&t->prev_lrn);
        if (!btm_queue_push(&t->prev_lrn, active->cols, active->n))
            t->nomem = true;
    }
    process_updates(t, t->input, &t->learn_pred_t);
    if (t->pam_counter > 0) t->pam_counter--;
    t->learned_seq_length++;
    if (!t->reset_called) {
        if (learn_phase1(t, active, false)) t->pam_counter = t->p.pam_length;
    }
    if (t->reset_called || t->pam_counter == 0 ||
        (t->p.max_seq_length != 0 &&
         t->learned_seq_length >= t->p.max_seq_length)) {
        uint32_t len = t->pam_counter == 0
                           ? t->learned_seq_length - t->p.pam_length
                           : t->learned_seq_length;
        update_avg_seq_length(t, len);
        uint32_t back = 0;
        if (!t->reset_called) back = learn_backtrack(t);
        if (t->reset_called || back == 0) {
            state_reset(&t->learn_active_t);
            for (uint32_t i = 0; i < active->n; i++)
                btm_state_set(&t->learn_active_t,
                              active->cols[i] * t->p.cells_per_column);
            queue_clear(&t->prev_lrn);
        }
        t->pam_counter = t->p.pam_length;
        t->learned_seq_length = back;
        clear_updates(t);
    }
    learn_phase2(t, false);
}

/* Cells4::applyGlobalDecay */
static void global_decay(nupic_btm *t) {
    if (t->p.global_decay == 0.0f || t->p.max_age == 0 ||
        t->n_lrn_iterations % t->p.max_age != 0)
        return;
    for (uint32_t cell = 0; cell < t->n_cells; cell++) {
        btm_cell *c = &t->cells[cell];
        for (uint32_t j = 0; j < c->n; j++) {
            uint32_t id = c->slots[j];
            btm_seg *s = &t->segs[id];
            uint32_t age = t->n_lrn_iterations - s->last_active_it;
            if (age <= t->p.max_age) continue;
            uint32_t nrem = 0;
            seg_decay(t, s, t->p.global_decay, t->scratch_c, &nrem);
            if (nrem > 0) erase_out(t, id, t->scratch_c, nrem);
            if (s->n == 0) release_segment(t, cell, j);
        }
    }
}

/* ------------------------------------------------------------------------
 * Compute
 * ------------------------------------------------------------------------ */

static uint32_t sorted_copy(const btm_state *s, uint32_t *dst) {
    memcpy(dst, s->list, (size_t)s->n * sizeof *dst);
    if (!s->sorted) sort_u32(dst, s->n);
    return s->n;
}

void btm_refresh_outputs(nupic_btm *t) {
    const uint32_t cpc = t->p.cells_per_column;
    t->n_o_inf_active = sorted_copy(&t->inf_active_t, t->o_inf_active);
    t->n_o_inf_pred = sorted_copy(&t->inf_pred_t, t->o_inf_pred);
    t->n_o_learn_active = sorted_copy(&t->learn_active_t, t->o_learn_active);
    /* Predicted columns. */
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->n_o_inf_pred; i++) {
        uint32_t col = t->o_inf_pred[i] / cpc;
        if (n == 0 || t->o_pred_cols[n - 1] != col) t->o_pred_cols[n++] = col;
    }
    t->n_o_pred_cols = n;
    n = 0;
    for (uint32_t k = 0; k < t->col_conf_t.n_nz; k++)
        if (t->col_conf_t.v[t->col_conf_t.nz[k]] != 0.0f)
            t->o_conf_cols[n++] = t->col_conf_t.nz[k];
    sort_u32(t->o_conf_cols, n);
    t->n_o_conf_cols = n;
    /* The output. */
    n = 0;
    if (t->p.output_type == NUPIC_BTM_OUTPUT_NORMAL) {
        uint32_t i = 0, j = 0;
        while (i < t->n_o_inf_active || j < t->n_o_inf_pred) {
            uint32_t a =
                i < t->n_o_inf_active ? t->o_inf_active[i] : UINT32_MAX;
            uint32_t b = j < t->n_o_inf_pred ? t->o_inf_pred[j] : UINT32_MAX;
            uint32_t m = a < b ? a : b;
            t->o_output[n++] = m;
            i += a == m;
            j += b == m;
        }
    } else if (t->p.output_type == NUPIC_BTM_OUTPUT_ACTIVE_STATE) {
        memcpy(t->o_output, t->o_inf_active, (size_t)t->n_o_inf_active * 4);
        n = t->n_o_inf_active;
    } else {
        for (uint32_t i = 0; i < t->n_o_inf_active; i++) {
            uint32_t col = t->o_inf_active[i] / cpc;
            if (n > 0 && t->o_output[n - 1] / cpc == col) continue;
            uint32_t best = col * cpc;
            for (uint32_t c = col * cpc + 1; c < col * cpc + cpc; c++)
                if (t->cell_conf_t.v[c] > t->cell_conf_t.v[best]) best = c;
            t->o_output[n++] = best;
        }
    }
    t->n_output = n;
}

nupic_status nupic_btm_compute(nupic_btm *t, const uint32_t *cols, size_t n,
                               bool infer, bool learn, nupic_error *err) {
    if (t == NULL || (cols == NULL && n > 0))
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_btm_compute: NULL argument");
    if (!infer && !learn)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_btm_compute: neither inference nor "
                               "learning is on");
    if (n > t->n_cols)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_btm_compute: %zu active columns, more "
                               "than the %u columns",
                               n, t->n_cols);
    for (size_t i = 0; i < n; i++) {
        if (cols[i] >= t->n_cols)
            return nupic_error_set(err, NUPIC_ERR_ARG,
                                   "nupic_btm_compute: active column %u (at "
                                   "%zu) >= numberOfCols %u",
                                   cols[i], i, t->n_cols);
        if (i > 0 && cols[i] <= cols[i - 1])
            return nupic_error_set(err, NUPIC_ERR_ARG,
                                   "nupic_btm_compute: active columns not "
                                   "ascending and distinct (%u after %u)",
                                   cols[i], cols[i - 1]);
    }
    if (!del_room(t))
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "nupic_btm_compute: out of memory");
    t->nomem = false;
    /* Anomaly: active columns against the confidences of the last step. */
    uint32_t hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += t->col_conf_t.v[cols[i]] != 0.0f;
    t->anomaly = n == 0 ? 0.0f : (float)(n - hits) / (float)n;

    /* The counters saturate where nupic.core's UInt32 would wrap to 0 and
     * then divide by it in the duty cycle (after 2^32 - 1 steps; reachable
     * at once from a saved state). */
    if (learn && t->n_lrn_iterations < UINT32_MAX) t->n_lrn_iterations++;
    if (t->n_iterations < UINT32_MAX) t->n_iterations++;
    if (n > 0) memcpy(t->cur, cols, n * sizeof *cols);
    btm_pattern active = {t->cur, (uint32_t)n};
    for (size_t i = 0; i < n; i++)
        t->input[cols[i]] = 1;
    if (learn) {
        for (uint32_t k = 0; k < BTM_TIERS; k++)
            if (t->n_lrn_iterations == dc_tiers[k]) {
                for (uint32_t id = 0; id < t->n_segs; id++)
                    if (t->segs[id].n > 0)
                        duty_cycle(t, &t->segs[id], t->n_lrn_iterations, false,
                                   false);
                break;
            }
    }
    if (t->avg_input_density == 0.0f) {
        t->avg_input_density = (float)n;
    } else {
        const float cool = 0.99f;
        float a = cool * t->avg_input_density;
        float b = (1 - cool) * (float)n;
        t->avg_input_density = a + b;
    }
    if (infer) update_inference(t, &active);
    if (learn) {
        update_learning(t, &active);
        global_decay(t);
    }
    t->reset_called = false;
    for (size_t i = 0; i < n; i++)
        t->input[cols[i]] = 0;
    btm_refresh_outputs(t);
    if (t->nomem)
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "nupic_btm_compute: out of memory (the step is "
                               "incomplete)");
    return NUPIC_OK;
}

void nupic_btm_reset(nupic_btm *t) {
    btm_state *states[] = {&t->inf_active_t,   &t->inf_active_t1,
                           &t->inf_pred_t,     &t->inf_pred_t1,
                           &t->learn_active_t, &t->learn_active_t1,
                           &t->learn_pred_t,   &t->learn_pred_t1};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        state_reset(states[i]);
    conf_zero(&t->cell_conf_t);
    conf_zero(&t->cell_conf_t1);
    conf_zero(&t->col_conf_t);
    conf_zero(&t->col_conf_t1);
    clear_updates(t);
    t->reset_called = true;
    queue_clear(&t->prev_inf);
    queue_clear(&t->prev_lrn);
    btm_refresh_outputs(t);
    t->anomaly = 0.0f;
}

/* ------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------ */

void nupic_btm_get_params(const nupic_btm *t, nupic_btm_params *out) {
    *out = t->p;
}
uint32_t nupic_btm_num_columns(const nupic_btm *t) {
    return t->n_cols;
}
uint32_t nupic_btm_num_cells(const nupic_btm *t) {
    return t->n_cells;
}
uint32_t nupic_btm_iterations(const nupic_btm *t) {
    return t->n_iterations;
}
uint32_t nupic_btm_learn_iterations(const nupic_btm *t) {
    return t->n_lrn_iterations;
}
uint32_t nupic_btm_num_segments(const nupic_btm *t) {
    uint32_t n = 0;
    for (uint32_t id = 0; id < t->n_segs; id++)
        n += t->segs[id].n > 0;
    return n;
}
uint32_t nupic_btm_num_synapses(const nupic_btm *t) {
    uint32_t n = 0;
    for (uint32_t id = 0; id < t->n_segs; id++)
        n += t->segs[id].n;
    return n;
}

#define OUT_ACCESSOR(name, arr, cnt)                                           \
    const uint32_t *nupic_btm_##name(const nupic_btm *t, size_t *n) {          \
        *n = t->cnt;                                                           \
        return t->arr;                                                         \
    }
OUT_ACCESSOR(output, o_output, n_output)
OUT_ACCESSOR(inf_active_cells, o_inf_active, n_o_inf_active)
OUT_ACCESSOR(inf_predicted_cells, o_inf_pred, n_o_inf_pred)
OUT_ACCESSOR(learn_active_cells, o_learn_active, n_o_learn_active)
OUT_ACCESSOR(predicted_columns, o_pred_cols, n_o_pred_cols)
OUT_ACCESSOR(confident_columns, o_conf_cols, n_o_conf_cols)
#undef OUT_ACCESSOR

const float *nupic_btm_column_confidence(const nupic_btm *t) {
    return t->col_conf_t.v;
}
float nupic_btm_anomaly(const nupic_btm *t) {
    return t->anomaly;
}
