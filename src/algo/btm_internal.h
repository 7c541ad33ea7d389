/*
 * src/algo/btm_internal.h - the backtracking TM's structures, shared by the
 * engine (btm.c) and its serialization (btm_io.c).
 */
#ifndef NUPIC_ALGO_BTM_INTERNAL_H
#define NUPIC_ALGO_BTM_INTERNAL_H

#include <nupic/btm.h>
#include <nupic/random.h>

/* Cells4.hpp: _MAX_CELLS */
#define BTM_MAX_CELLS (1u << 18)
#define BTM_NO_SEG    UINT32_MAX
/* Ages whose duty-cycle decay factor is memoized. */
#define BTM_POW_CACHE 4096u

typedef struct btm_syn {
    uint32_t src;
    float perm;
} btm_syn;

/* A segment slot (Segment.hpp).  Slots are never freed: an empty slot is
 * on its cell's free list. */
typedef struct btm_seg {
    btm_syn *syn; /* ascending src */
    uint32_t n, cap;
    uint32_t n_connected;
    uint32_t total_act, pos_act, last_active_it, last_pos_dc_it;
    float last_pos_dc, frequency;
    bool seq;
    uint32_t cell, slot; /* owner */
} btm_seg;

typedef struct btm_cell {
    uint32_t *slots; /* global segment ids, in slot order */
    uint32_t n, cap;
    uint32_t *free; /* free slots, a stack (Cell::_freeSegments) */
    uint32_t n_free, cap_free;
} btm_cell;

/* A CState (or CStateIndexed): one byte per cell and the cells that are on,
 * in the order they were set. */
typedef struct btm_state {
    uint8_t *on;
    uint32_t *list;
    uint32_t n;
    bool sorted;
    bool py_mem; /* fMemoryAllocatedByPython, kept for the bytes */
} btm_state;

/* A float per cell (or column) with the indices that may be nonzero. */
typedef struct btm_conf {
    float *v;
    uint8_t *mark;
    uint32_t *nz;
    uint32_t n_nz;
} btm_conf;

typedef struct btm_pattern {
    uint32_t *cols;
    uint32_t n;
} btm_pattern;

typedef struct btm_queue {
    btm_pattern *p;
    uint32_t n, cap;
} btm_queue;

typedef struct btm_update {
    uint32_t cell, seg, timestamp;
    bool seq, phase1, weakly;
    uint32_t *syn;
    uint32_t n;
} btm_update;

struct nupic_btm {
    nupic_btm_params p;
    uint32_t n_cols, n_cells;
    nupic_random rng;

    /* Cells4 fields. */
    uint32_t n_iterations, n_lrn_iterations;
    uint32_t learned_seq_length, pam_counter;
    float avg_learned_seq_length, avg_input_density, init_seg_freq;
    bool reset_called, owns_memory;
    uint16_t version;

    btm_cell *cells;
    btm_seg *segs;
    uint32_t n_segs, cap_segs;
    /* Forward links: the segments each cell has a synapse onto. */
    uint32_t **out;
    uint32_t *out_n, *out_cap;

    btm_state inf_active_t, inf_active_t1, inf_pred_t, inf_pred_t1;
    btm_state learn_active_t, learn_active_t1, learn_pred_t, learn_pred_t1;
    btm_state inf_active_backup, inf_pred_backup, inf_active_cand,
        inf_pred_cand;
    btm_conf cell_conf_t, cell_conf_t1, cell_conf_cand;
    btm_conf col_conf_t, col_conf_t1, col_conf_cand;

    btm_queue prev_inf, prev_lrn;
    btm_update *updates;
    uint32_t n_updates, cap_updates;

    /* Segment activity of the last forward propagation.  Only segments
     * that reach a threshold (activation_threshold for inferPhase2 and
     * learnPhase2, which ignore lower activities; minThreshold for
     * getBestMatchingCellT1) can matter, so the propagation lists these
     * "hot" segments sorted by cell, then slot; the phases visit only
     * those, in nupic.core's order. */
    /* Per segment id: the propagation's stamp (high 32 bits) and count
     * (low 32 bits).  A count belongs to the last propagation only if its
     * stamp is act_stamp's (see seg_act); older ones read as 0, so nothing
     * needs clearing between propagations. */
    uint64_t *act_seg;
    uint64_t act_stamp; /* the current stamp << 32; never 0 */
    uint32_t
        *seg_cell; /* per segment id: its cell (compact, for propagation) */
    /* The hot segments as cell << 32 | segment id, ascending.  A cell's
     * slots get ascending ids (btm_new_slot appends both), so this is
     * cell then slot order. */
    uint64_t *hot, *hot_tmp;
    uint32_t n_hot;

    /* Scratch. */
    uint8_t *input; /* the step's input, one byte per column */
    uint8_t *tmp_input;
    uint32_t *cur; /* the step's active columns */
    uint32_t *scratch_a, *scratch_b, *scratch_c, *scratch_d; /* n_cells */
    /* adaptSegment's lists (n_cells each). */
    uint32_t *s_dec, *s_decpos, *s_inc, *s_incpos, *s_new, *s_removed;
    float *s_cperm;
    /* Segment::dutyCycle's pow(1 - alpha, age), memoized for the ages
     * below BTM_POW_CACHE of the tier pow_tier (0: none yet); pow_valid
     * has a bit per cached age.  Not part of the state. */
    uint32_t pow_tier;
    uint64_t pow_valid[BTM_POW_CACHE / 64];
    double pow_cache[BTM_POW_CACHE];
    uint32_t *del, cap_del; /* updates to delete */
    uint32_t *bad, cap_bad; /* backtracking: bad start offsets */
    bool nomem;             /* an allocation failed during the step */

    /* Outputs of the last step (sorted). */
    uint32_t *o_output, n_output;
    uint32_t *o_inf_active, n_o_inf_active;
    uint32_t *o_inf_pred, n_o_inf_pred;
    uint32_t *o_learn_active, n_o_learn_active;
    uint32_t *o_pred_cols, n_o_pred_cols;
    uint32_t *o_conf_cols, n_o_conf_cols;
    float anomaly;
};

/* btm.c */
nupic_status btm_validate(const nupic_btm_params *p, const char *prefix,
                          nupic_status st, nupic_error *err);
nupic_status btm_alloc(const nupic_btm_params *p, nupic_btm **out,
                       nupic_error *err);
/* A new empty slot on cell (appended); returns its segment id or
 * BTM_NO_SEG on allocation failure. */
uint32_t btm_new_slot(nupic_btm *t, uint32_t cell);
bool btm_seg_reserve(btm_seg *s, uint32_t n);
bool btm_push_free(btm_cell *c, uint32_t slot);
bool btm_state_set(btm_state *s, uint32_t cell);
void btm_conf_add(btm_conf *c, uint32_t i, float v);
bool btm_rebuild_out(nupic_btm *t);
bool btm_queue_push(btm_queue *q, const uint32_t *cols, uint32_t n);
void btm_refresh_outputs(nupic_btm *t);

#endif /* NUPIC_ALGO_BTM_INTERNAL_H */
