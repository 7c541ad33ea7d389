/*
 * src/algo/connections.h - cells, dendrite segments and synapses, with
 * nupic.core's Connections semantics.  Internal to the library (the
 * temporal memory owns one).
 *
 * Segments and synapses live in flat tables indexed by id; ids of destroyed
 * ones are reused last-destroyed-first, as nupic.core reuses them.  Each
 * cell lists its segments in creation order and each segment its synapses
 * in creation order (destruction keeps the order of the rest).  For the
 * activity computation every cell also lists the synapses it is
 * presynaptic to, as (segment, permanence) pairs: that list holds the
 * permanence, and a synapse knows its place in it.  Nothing is allocated
 * per synapse; the per-cell and per-segment lists grow geometrically.
 *
 * Per-segment data the temporal memory keeps (last use, activity counts)
 * sits here too, so that all per-segment arrays grow together.
 *
 * Errors: the functions that allocate return false when memory runs out,
 * leaving the structure consistent (the operation not done).
 */
#ifndef NUPIC_ALGO_CONNECTIONS_H
#define NUPIC_ALGO_CONNECTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable list of ids. */
typedef struct conn_ids {
    uint32_t *v;
    uint32_t n, cap;
} conn_ids;

/* One synapse as its presynaptic cell sees it. */
typedef struct conn_presyn {
    uint32_t segment;
    float permanence;
    uint32_t synapse;
} conn_presyn;

typedef struct conn_presyn_list {
    conn_presyn *v;
    uint32_t n, cap;
} conn_presyn_list;

typedef struct connections {
    uint32_t num_cells;
    conn_ids *cell_segments;       /* per cell: segment ids, creation order */
    conn_presyn_list *presynaptic; /* per cell: synapses it feeds */

    /* Segments, by id (0 .. seg_len - 1; seg_cap allocated). */
    uint32_t seg_len, seg_cap;
    uint32_t *seg_cell;
    uint32_t *seg_idx; /* position in its cell's list */
    conn_ids *seg_synapses;
    uint64_t *seg_last_used; /* the TM's lastUsedIterationForSegment */
    uint32_t *seg_potential; /* the TM's numActivePotentialSynapses... */
    uint32_t *seg_connected; /* ... and numActiveConnectedSynapses... */
    conn_ids free_segments;  /* destroyed ids, reused from the end */
    uint32_t live_segments;

    /* Synapses, by id. */
    uint32_t syn_len, syn_cap;
    uint32_t *syn_presynaptic; /* presynaptic cell */
    uint32_t *syn_segment;
    uint32_t *syn_pos; /* position in its presynaptic cell's list */
    conn_ids free_synapses;
    uint32_t live_synapses;
} connections;

/* Allocates the per-cell lists of num_cells cells (no segments). */
bool conn_init(connections *c, uint32_t num_cells);
void conn_free(connections *c);

/* A new segment at the end of cell's list: its id in *out.  Per-segment
 * data starts at zero. */
bool conn_create_segment(connections *c, uint32_t cell, uint32_t *out);
/* Destroys a segment and its synapses (they leave their presynaptic
 * cells' lists; ids freed in the segment's synapse order). */
void conn_destroy_segment(connections *c, uint32_t segment);
/* A new synapse at the end of the segment's list. */
bool conn_create_synapse(connections *c, uint32_t segment, uint32_t presyn,
                         float permanence);
/* Destroys the synapse at position i of the segment's list. */
void conn_destroy_synapse_at(connections *c, uint32_t segment, uint32_t i);

static inline float conn_permanence(const connections *c, uint32_t synapse) {
    return c->presynaptic[c->syn_presynaptic[synapse]]
        .v[c->syn_pos[synapse]]
        .permanence;
}
static inline void conn_set_permanence(connections *c, uint32_t synapse,
                                       float p) {
    c->presynaptic[c->syn_presynaptic[synapse]]
        .v[c->syn_pos[synapse]]
        .permanence = p;
}

/* Makes room for n more segments and m more synapses without failing
 * later (used by readers to allocate up front). */
bool conn_reserve(connections *c, uint32_t n_segments, uint32_t n_synapses);

#endif /* NUPIC_ALGO_CONNECTIONS_H */
