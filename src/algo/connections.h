/*
 * src/algo/connections.h - cells, dendrite segments and synapses, with
 * nupic.core's Connections semantics.  Internal to the library (the
 * temporal memory owns one).
 *
 * Layout, chosen for the temporal memory's access patterns:
 *  - each segment keeps its synapses in one block, in creation order, as
 *    (presynaptic cell, permanence, synapse id): adaptation, growth and
 *    saving walk a segment's block front to back;
 *  - each cell keeps the synapses it feeds in one block of (segment with a
 *    "connected" bit, synapse id): the activity count walks the blocks of
 *    the active cells and reads nothing else;
 *  - each cell keeps its segment ids in creation order.
 * Blocks come from three pools (one per element type): power-of-two
 * capacities with a free list per size, inside one growable array, so
 * nothing is allocated per cell, segment or synapse; an array of 512 KiB
 * or more grows into whole huge pages (algo_grow_huge).  A pointer into a
 * pool is valid until the next call that may allocate.
 *
 * Segment ids index flat per-segment arrays; destroyed ids are reused
 * last-destroyed-first, as nupic.core reuses them.  Synapse ids only tie a
 * synapse's two records together.
 *
 * Functions that allocate return false when memory (or an id range) runs
 * out, leaving the structure consistent and the operation not done.
 */
#ifndef NUPIC_ALGO_CONNECTIONS_H
#define NUPIC_ALGO_CONNECTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A synapse as its segment holds it. */
typedef struct conn_syn {
    uint32_t presyn;
    float perm;
    uint32_t id;
} conn_syn;

/* A synapse as its presynaptic cell holds it. */
#define CONN_CONNECTED UINT32_C(0x80000000)
typedef struct conn_pre {
    uint32_t seg; /* segment id | CONN_CONNECTED when perm >= threshold */
    uint32_t id;
} conn_pre;

/* A block in a pool: offset and capacity in elements, elements in use. */
typedef struct conn_block {
    uint32_t off, n, cap;
} conn_block;

typedef struct conn_pool {
    uint8_t *data;
    uint32_t used, cap; /* elements */
    uint32_t esize;
    bool in_slab; /* data lies in the connections' slab (not its own) */
    uint32_t free_head[32]; /* per capacity 2^k; UINT32_MAX: none */
} conn_pool;

typedef struct connections {
    uint32_t num_cells;
    float connected; /* the connected threshold of the bits */

    conn_block *cell_segs; /* segment ids, creation order (seg_pool) */
    conn_block *cell_pre;  /* synapses fed (pre_pool) */
    /* A bit per cell, set when its cell_pre block is not empty: a compact
     * index for the activity count, which would otherwise read the blocks
     * of the many active cells that feed nothing. */
    uint64_t *feeds;
    conn_pool seg_pool, pre_pool, syn_pool;

    /* Segments, by id (0 .. seg_len - 1; seg_cap allocated). */
    uint32_t seg_len, seg_cap;
    uint32_t *seg_cell;
    uint32_t *seg_idx;       /* position in its cell's list */
    conn_block *seg_syns;    /* (syn_pool) */
    uint64_t *seg_last_used; /* the TM's lastUsedIterationForSegment */
    /* The TM's numActivePotentialSynapses (high 32 bits) and
     * numActiveConnectedSynapses (low 32 bits) per segment, in one word
     * so that the activity count updates both with one add (whose low
     * half is the connected bit itself, shifted down). */
    uint64_t *seg_counts;
    uint32_t *free_segs, n_free_segs;
    uint32_t live_segments;

    /* Synapses, by id: the position in the presynaptic cell's block. */
    uint32_t syn_len, syn_cap;
    uint32_t *syn_pos;
    bool syn_pos_in_slab;
    uint32_t *free_syns, n_free_syns;
    uint32_t live_synapses;

    /* After a bulk load of many synapses, the synapse pool, the
     * presynaptic pool and syn_pos lie in this one allocation, in whole
     * huge pages (algo_alloc_huge), so that filling them costs a fault
     * every 2 MiB rather than every 4 KiB.  An array that outgrows its
     * room is moved out to memory of its own; the slab lives until
     * conn_free. */
    uint8_t *slab;
    size_t slab_size;

    /* During a bulk load: per cell, the synapses it feeds (4 bytes a cell,
     * a third of cell_pre's stride, so that the random counting stays in
     * the cache), then where its block starts in the presynaptic pool. */
    uint32_t *load_count;
} connections;

/* num_cells cells without segments; `connected` is the permanence at or
 * above which a synapse counts as connected. */
bool conn_init(connections *c, uint32_t num_cells, float connected);
void conn_free(connections *c);

static inline conn_syn *conn_seg_syns(const connections *c, uint32_t seg) {
    return (conn_syn *)(void *)c->syn_pool.data + c->seg_syns[seg].off;
}
static inline uint32_t *conn_cell_segs(const connections *c, uint32_t cell) {
    return (uint32_t *)(void *)c->seg_pool.data + c->cell_segs[cell].off;
}
/* Whether cell feeds any synapse (0 or 1). */
static inline uint32_t conn_feeds(const connections *c, uint32_t cell) {
    return (uint32_t)(c->feeds[cell >> 6] >> (cell & 63)) & 1;
}
/* The two halves of seg_counts. */
static inline uint32_t conn_potential(const connections *c, uint32_t seg) {
    return (uint32_t)(c->seg_counts[seg] >> 32);
}
static inline uint32_t conn_active_connected(const connections *c,
                                             uint32_t seg) {
    return (uint32_t)c->seg_counts[seg];
}
static inline conn_pre *conn_cell_pre(const connections *c, uint32_t cell) {
    return (conn_pre *)(void *)c->pre_pool.data + c->cell_pre[cell].off;
}

/* A new segment at the end of cell's list, its id in *out; per-segment
 * data starts at zero.  want_synapses reserves room for that many. */
bool conn_create_segment(connections *c, uint32_t cell, uint32_t want_synapses,
                         uint32_t *out);
/* Destroys a segment and its synapses. */
void conn_destroy_segment(connections *c, uint32_t seg);
/* A new synapse at the end of the segment's block. */
bool conn_create_synapse(connections *c, uint32_t seg, uint32_t presyn,
                         float perm);
/* Destroys the synapse at position i of the segment's block (the later
 * ones move up). */
void conn_destroy_synapse_at(connections *c, uint32_t seg, uint32_t i);
/* Sets the permanence of synapse s (at some position of a segment),
 * keeping its connected bit. */
static inline void conn_set_perm(connections *c, conn_syn *s, float perm) {
    if ((s->perm >= c->connected) != (perm >= c->connected))
        conn_cell_pre(c, s->presyn)[c->syn_pos[s->id]].seg ^= CONN_CONNECTED;
    s->perm = perm;
}

/* Bulk loading into fresh connections, cell by cell in order:
 * conn_load_begin reserves room for up to max_synapses synapses (their
 * arrays in the slab when they are large); for each cell with segments,
 * conn_load_cell with their number (which grows the segment arrays), then
 * conn_load_segment for each, which returns the block for its n synapses
 * (NULL when n is 0), whose entries the caller sets with conn_load_synapse
 * (ids come later); conn_load_finish builds the presynaptic blocks.  Only
 * conn_load_begin, conn_load_cell and conn_load_finish allocate; each
 * returns false when memory runs out (the connections are then still
 * whole, and conn_free releases them). */
bool conn_load_begin(connections *c, uint32_t max_synapses);
bool conn_load_cell(connections *c, uint32_t cell, uint32_t n_segments);
conn_syn *conn_load_segment(connections *c, uint32_t cell, uint32_t n,
                            uint32_t *out);
bool conn_load_finish(connections *c);

/* Entry k of a block from conn_load_segment, counted for its presynaptic
 * cell (whose block conn_load_finish sizes by the counts).  Until then the
 * entry's id holds its position in that block: the synapses come in
 * segment order, which is the order of each block. */
static inline void conn_load_synapse(connections *c, conn_syn *dst, uint32_t k,
                                     uint32_t presyn, float perm) {
    dst[k] = (conn_syn){presyn, perm, c->load_count[presyn]++};
    c->feeds[presyn >> 6] |= UINT64_C(1) << (presyn & 63);
}

/* The live segments in save order (by cell, then by position on the cell):
 * a malloc'd array of live_segments ids in *segs, which the caller frees
 * (NULL when there are none).  Costs one pass over the segment ids and one
 * over num_cells / 64 words, so that it need not read every cell's record.
 * Returns false, with *segs NULL, when memory runs out (or the per-cell
 * counts disagree with live_segments, which would be a bug). */
bool conn_segments_in_order(const connections *c, uint32_t **segs);

/* Asks the cache for segment seg's synapse block ahead of its use. */
static inline void conn_prefetch_syns(const connections *c, uint32_t seg) {
    const conn_syn *s = conn_seg_syns(c, seg);
    const size_t bytes = (size_t)c->seg_syns[seg].n * sizeof *s;
    for (size_t off = 0; off < bytes; off += 64)
        __builtin_prefetch((const char *)s + off);
}

#endif /* NUPIC_ALGO_CONNECTIONS_H */
