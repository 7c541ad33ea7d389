/*
 * src/algo/connections.c - cells, segments and synapses (nupic.core's
 * Connections), in flat tables with per-cell and per-segment id lists.
 */
#include "connections.h"

#include <stdlib.h>
#include <string.h>

/* Grows an array of `size`-byte elements to hold at least `need`. */
static bool grow(void **p, uint32_t *cap, uint32_t need, size_t size) {
    if (need <= *cap) return true;
    uint64_t want = *cap ? (uint64_t)*cap * 2 : 8;
    while (want < need)
        want *= 2;
    if (want > UINT32_MAX) want = UINT32_MAX;
    if (want < need) return false;
    void *q = realloc(*p, (size_t)want * size);
    if (q == NULL) return false;
    *p = q;
    *cap = (uint32_t)want;
    return true;
}

/* Removes position i, keeping the order of the rest. */
static void ids_remove_at(conn_ids *l, uint32_t i) {
    memmove(l->v + i, l->v + i + 1, (size_t)(l->n - i - 1) * sizeof *l->v);
    l->n--;
}

bool conn_init(connections *c, uint32_t num_cells) {
    memset(c, 0, sizeof *c);
    c->num_cells = num_cells;
    c->cell_segments =
        calloc(num_cells ? num_cells : 1, sizeof *c->cell_segments);
    c->presynaptic = calloc(num_cells ? num_cells : 1, sizeof *c->presynaptic);
    if (!c->cell_segments || !c->presynaptic) {
        conn_free(c);
        return false;
    }
    return true;
}

void conn_free(connections *c) {
    if (c->cell_segments)
        for (uint32_t i = 0; i < c->num_cells; i++)
            free(c->cell_segments[i].v);
    if (c->presynaptic)
        for (uint32_t i = 0; i < c->num_cells; i++)
            free(c->presynaptic[i].v);
    if (c->seg_synapses)
        for (uint32_t i = 0; i < c->seg_len; i++)
            free(c->seg_synapses[i].v);
    free(c->cell_segments);
    free(c->presynaptic);
    free(c->seg_cell);
    free(c->seg_idx);
    free(c->seg_synapses);
    free(c->seg_last_used);
    free(c->seg_potential);
    free(c->seg_connected);
    free(c->free_segments.v);
    free(c->syn_presynaptic);
    free(c->syn_segment);
    free(c->syn_pos);
    free(c->free_synapses.v);
    memset(c, 0, sizeof *c);
}

/* The capacity to grow to for `need` elements from `cap`: doubling. */
static bool next_cap(uint32_t cap, uint32_t need, uint32_t *out) {
    uint64_t want = cap ? (uint64_t)cap * 2 : 64;
    while (want < need)
        want *= 2;
    if (want > UINT32_MAX) want = UINT32_MAX;
    if (want < need) return false;
    *out = (uint32_t)want;
    return true;
}

static bool resize(void **p, uint32_t n, size_t size) {
    void *q = realloc(*p, (size_t)n * size);
    if (q == NULL) return false;
    *p = q;
    return true;
}

/* Room for `need` segment ids in every per-segment array and in the free
 * list (which can then hold every id). */
static bool seg_room(connections *c, uint32_t need) {
    if (need <= c->seg_cap) return true;
    uint32_t cap;
    if (!next_cap(c->seg_cap, need, &cap)) return false;
    if (!resize((void **)&c->seg_cell, cap, sizeof *c->seg_cell) ||
        !resize((void **)&c->seg_idx, cap, sizeof *c->seg_idx) ||
        !resize((void **)&c->seg_synapses, cap, sizeof *c->seg_synapses) ||
        !resize((void **)&c->seg_last_used, cap, sizeof *c->seg_last_used) ||
        !resize((void **)&c->seg_potential, cap, sizeof *c->seg_potential) ||
        !resize((void **)&c->seg_connected, cap, sizeof *c->seg_connected) ||
        !resize((void **)&c->free_segments.v, cap, sizeof(uint32_t)))
        return false;
    c->seg_cap = cap;
    c->free_segments.cap = cap;
    return true;
}

static bool syn_room(connections *c, uint32_t need) {
    if (need <= c->syn_cap) return true;
    uint32_t cap;
    if (!next_cap(c->syn_cap, need, &cap)) return false;
    if (!resize((void **)&c->syn_presynaptic, cap,
                sizeof *c->syn_presynaptic) ||
        !resize((void **)&c->syn_segment, cap, sizeof *c->syn_segment) ||
        !resize((void **)&c->syn_pos, cap, sizeof *c->syn_pos) ||
        !resize((void **)&c->free_synapses.v, cap, sizeof(uint32_t)))
        return false;
    c->syn_cap = cap;
    c->free_synapses.cap = cap;
    return true;
}

bool conn_reserve(connections *c, uint32_t n_segments, uint32_t n_synapses) {
    uint64_t segs = (uint64_t)c->seg_len + n_segments;
    uint64_t syns = (uint64_t)c->syn_len + n_synapses;
    if (segs > UINT32_MAX || syns > UINT32_MAX) return false;
    return seg_room(c, (uint32_t)segs) && syn_room(c, (uint32_t)syns);
}

bool conn_create_segment(connections *c, uint32_t cell, uint32_t *out) {
    conn_ids *list = &c->cell_segments[cell];
    /* Room in the cell's list first, so that nothing fails after an id is
     * taken. */
    if (list->n == list->cap &&
        !grow((void **)&list->v, &list->cap, list->n + 1, sizeof *list->v))
        return false;
    uint32_t s;
    if (c->free_segments.n > 0) {
        s = c->free_segments.v[--c->free_segments.n];
    } else {
        if (c->seg_len == UINT32_MAX || !seg_room(c, c->seg_len + 1))
            return false;
        s = c->seg_len++;
        c->seg_synapses[s] = (conn_ids){NULL, 0, 0};
    }
    c->seg_cell[s] = cell;
    c->seg_idx[s] = list->n;
    c->seg_last_used[s] = 0;
    c->seg_potential[s] = 0;
    c->seg_connected[s] = 0;
    c->seg_synapses[s].n = 0;
    list->v[list->n++] = s;
    c->live_segments++;
    *out = s;
    return true;
}

/* Takes a synapse out of its presynaptic cell's list (order there does
 * not matter: the last entry moves into its place). */
static void unlink_presynaptic(connections *c, uint32_t syn) {
    conn_presyn_list *l = &c->presynaptic[c->syn_presynaptic[syn]];
    uint32_t pos = c->syn_pos[syn];
    conn_presyn last = l->v[--l->n];
    if (pos != l->n) {
        l->v[pos] = last;
        c->syn_pos[last.synapse] = pos;
    }
}

void conn_destroy_segment(connections *c, uint32_t segment) {
    conn_ids *syns = &c->seg_synapses[segment];
    for (uint32_t i = 0; i < syns->n; i++) {
        unlink_presynaptic(c, syns->v[i]);
        /* The free lists have room for every id (seg_room, syn_room). */
        c->free_synapses.v[c->free_synapses.n++] = syns->v[i];
    }
    c->live_synapses -= syns->n;
    syns->n = 0;
    conn_ids *list = &c->cell_segments[c->seg_cell[segment]];
    uint32_t idx = c->seg_idx[segment];
    ids_remove_at(list, idx);
    for (uint32_t i = idx; i < list->n; i++)
        c->seg_idx[list->v[i]] = i;
    c->free_segments.v[c->free_segments.n++] = segment;
    c->live_segments--;
}

bool conn_create_synapse(connections *c, uint32_t segment, uint32_t presyn,
                         float permanence) {
    conn_ids *syns = &c->seg_synapses[segment];
    conn_presyn_list *pl = &c->presynaptic[presyn];
    if (syns->n == syns->cap &&
        !grow((void **)&syns->v, &syns->cap, syns->n + 1, sizeof *syns->v))
        return false;
    if (pl->n == pl->cap &&
        !grow((void **)&pl->v, &pl->cap, pl->n + 1, sizeof *pl->v))
        return false;
    uint32_t s;
    if (c->free_synapses.n > 0) {
        s = c->free_synapses.v[--c->free_synapses.n];
    } else {
        if (c->syn_len == UINT32_MAX || !syn_room(c, c->syn_len + 1))
            return false;
        s = c->syn_len++;
    }
    c->syn_presynaptic[s] = presyn;
    c->syn_segment[s] = segment;
    c->syn_pos[s] = pl->n;
    pl->v[pl->n++] = (conn_presyn){segment, permanence, s};
    syns->v[syns->n++] = s;
    c->live_synapses++;
    return true;
}

void conn_destroy_synapse_at(connections *c, uint32_t segment, uint32_t i) {
    conn_ids *syns = &c->seg_synapses[segment];
    uint32_t s = syns->v[i];
    unlink_presynaptic(c, s);
    ids_remove_at(syns, i);
    c->free_synapses.v[c->free_synapses.n++] = s;
    c->live_synapses--;
}
