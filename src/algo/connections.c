/*
 * src/algo/connections.c - cells, segments and synapses (nupic.core's
 * Connections) in pooled blocks; see connections.h for the layout.
 */
#include "connections.h"

#include "hugepages.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
/* Segment ids leave the top bit for CONN_CONNECTED. */
#define MAX_SEGMENTS UINT32_C(0x7fffffff)

/* ------------------------------------------------------------------------
 * Pools
 * ------------------------------------------------------------------------ */

static void pool_init(conn_pool *p, uint32_t esize) {
    memset(p, 0, sizeof *p);
    p->esize = esize;
    for (unsigned k = 0; k < 32; k++)
        p->free_head[k] = NONE;
}

/* The size class of a block holding `need` elements: 2^k >= need, k >= 2. */
static unsigned class_of(uint32_t need) {
    unsigned k = 2;
    while (k < 31 && (UINT32_C(1) << k) < need)
        k++;
    return k;
}

/* Makes the pool's array hold at least `want` elements, in memory of its
 * own (an array in the slab is copied out): a large pool grows into whole
 * huge pages (algo_grow_huge), and keeps all the room it is given. */
static bool pool_resize(conn_pool *p, uint32_t want) {
    const size_t used = (size_t)p->used * p->esize;
    size_t got;
    uint8_t *d;
    if (p->in_slab) {
        d = algo_grow_huge(NULL, 0, (size_t)want * p->esize, &got);
        if (d != NULL && used > 0) memcpy(d, p->data, used);
    } else {
        d = algo_grow_huge(p->data, used, (size_t)want * p->esize, &got);
    }
    if (d == NULL) return false;
    const size_t fit = got / p->esize;
    p->data = d;
    p->cap = fit > UINT32_MAX ? UINT32_MAX : (uint32_t)fit;
    p->in_slab = false;
    return true;
}

static uint32_t *link_of(conn_pool *p, uint32_t off) {
    return (uint32_t *)(void *)(p->data + (size_t)off * p->esize);
}

/* A free block of at least `need` elements (n = 0). */
static bool pool_alloc(conn_pool *p, uint32_t need, conn_block *b) {
    if (need > (UINT32_C(1) << 31)) return false;
    unsigned k = class_of(need);
    uint32_t cap = UINT32_C(1) << k;
    uint32_t off;
    if (p->free_head[k] != NONE) {
        off = p->free_head[k];
        p->free_head[k] = *link_of(p, off);
    } else {
        if (cap > UINT32_MAX - p->used) return false;
        if (p->used + cap > p->cap) {
            uint64_t want = (uint64_t)p->cap * 2;
            if (want < (uint64_t)p->used + cap) want = (uint64_t)p->used + cap;
            if (want < 1024) want = 1024;
            if (want > UINT32_MAX) want = UINT32_MAX;
            if (!pool_resize(p, (uint32_t)want)) return false;
        }
        off = p->used;
        p->used += cap;
    }
    b->off = off;
    b->n = 0;
    b->cap = cap;
    return true;
}

static void pool_release(conn_pool *p, conn_block *b) {
    if (b->cap == 0) return;
    /* A block holds at least 2^k elements for k = floor(log2(cap)) (carved
     * blocks have any size). */
    unsigned k = 31;
    while ((UINT32_C(1) << k) > b->cap)
        k--;
    *link_of(p, b->off) = p->free_head[k];
    p->free_head[k] = b->off;
    b->off = b->n = b->cap = 0;
}

/* Moves b's contents to a block of at least `need` > b->cap elements. */
static bool pool_move(conn_pool *p, conn_block *b, uint32_t need) {
    uint32_t want = b->cap > need / 2 ? 2 * b->cap : need;
    conn_block nb;
    if (!pool_alloc(p, want, &nb)) return false;
    if (b->n)
        memcpy(p->data + (size_t)nb.off * p->esize,
               p->data + (size_t)b->off * p->esize, (size_t)b->n * p->esize);
    nb.n = b->n;
    pool_release(p, b);
    *b = nb;
    return true;
}

/* Makes b hold at least `need` elements, moving its contents if needed
 * (the check inline, the move not: most calls have room). */
static inline bool pool_fit(conn_pool *p, conn_block *b, uint32_t need) {
    return need <= b->cap || pool_move(p, b, need);
}

/* Room for `n` more elements at the end of the pool. */
static bool pool_reserve(conn_pool *p, uint32_t n) {
    if (n > UINT32_MAX - p->used) return false;
    if (p->used + n <= p->cap) return true;
    return pool_resize(p, p->used + n);
}

/* A block of exactly n elements at the end (room reserved). */
static conn_block pool_carve(conn_pool *p, uint32_t n) {
    conn_block b = {p->used, 0, n};
    p->used += n;
    return b;
}

static void pool_free(conn_pool *p) {
    if (!p->in_slab) free(p->data);
    memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------------------
 * Setup
 * ------------------------------------------------------------------------ */

bool conn_init(connections *c, uint32_t num_cells, float connected) {
    memset(c, 0, sizeof *c);
    c->num_cells = num_cells;
    c->connected = connected;
    pool_init(&c->seg_pool, sizeof(uint32_t));
    pool_init(&c->pre_pool, sizeof(conn_pre));
    pool_init(&c->syn_pool, sizeof(conn_syn));
    size_t n = num_cells ? num_cells : 1;
    c->cell_segs = calloc(n, sizeof *c->cell_segs);
    c->cell_pre = calloc(n, sizeof *c->cell_pre);
    c->feeds = calloc(n / 64 + 1, sizeof *c->feeds);
    /* A pool always has memory: conn_cell_pre() and the like form a
     * pointer from its data even for an empty block, and NULL + 0 is
     * undefined (UBSan under clang reports it). */
    if (!c->cell_segs || !c->cell_pre || !c->feeds ||
        !pool_reserve(&c->seg_pool, 1) || !pool_reserve(&c->pre_pool, 1) ||
        !pool_reserve(&c->syn_pool, 1)) {
        conn_free(c);
        return false;
    }
    return true;
}

void conn_free(connections *c) {
    free(c->cell_segs);
    free(c->cell_pre);
    free(c->feeds);
    pool_free(&c->seg_pool);
    pool_free(&c->pre_pool);
    pool_free(&c->syn_pool);
    free(c->seg_cell);
    free(c->seg_idx);
    free(c->seg_syns);
    free(c->seg_last_used);
    free(c->seg_counts);
    free(c->free_segs);
    if (!c->syn_pos_in_slab) free(c->syn_pos);
    free(c->free_syns);
    free(c->slab);
    free(c->load_count);
    memset(c, 0, sizeof *c);
}

static bool resize(void **p, uint32_t n, size_t size) {
    void *q = realloc(*p, (size_t)n * size);
    if (q == NULL) return false;
    *p = q;
    return true;
}

static bool next_cap(uint32_t cap, uint32_t need, uint32_t limit,
                     uint32_t *out) {
    uint64_t want = cap ? (uint64_t)cap * 2 : 256;
    while (want < need)
        want *= 2;
    if (want > limit) want = limit;
    if (want < need) return false;
    *out = (uint32_t)want;
    return true;
}

/* Room for segment ids below `need` in every per-segment array. */
static bool seg_room(connections *c, uint32_t need) {
    if (need <= c->seg_cap) return true;
    uint32_t cap;
    if (!next_cap(c->seg_cap, need, MAX_SEGMENTS, &cap)) return false;
    if (!resize((void **)&c->seg_cell, cap, sizeof *c->seg_cell) ||
        !resize((void **)&c->seg_idx, cap, sizeof *c->seg_idx) ||
        !resize((void **)&c->seg_syns, cap, sizeof *c->seg_syns) ||
        !resize((void **)&c->seg_last_used, cap, sizeof *c->seg_last_used) ||
        !resize((void **)&c->seg_counts, cap, sizeof *c->seg_counts) ||
        !resize((void **)&c->free_segs, cap, sizeof *c->free_segs))
        return false;
    c->seg_cap = cap;
    return true;
}

static bool syn_room(connections *c, uint32_t need) {
    if (need <= c->syn_cap) return true;
    uint32_t cap;
    if (!next_cap(c->syn_cap, need, UINT32_MAX, &cap)) return false;
    if (c->syn_pos_in_slab) { /* moved out, ids below syn_len in use */
        uint32_t *own = malloc((size_t)cap * sizeof *own);
        if (own == NULL) return false;
        if (c->syn_len > 0)
            memcpy(own, c->syn_pos, (size_t)c->syn_len * sizeof *own);
        c->syn_pos = own;
        c->syn_pos_in_slab = false;
    }
    if (!resize((void **)&c->syn_pos, cap, sizeof *c->syn_pos) ||
        !resize((void **)&c->free_syns, cap, sizeof *c->free_syns))
        return false;
    c->syn_cap = cap;
    return true;
}

/* ------------------------------------------------------------------------
 * Segments
 * ------------------------------------------------------------------------ */

bool conn_create_segment(connections *c, uint32_t cell, uint32_t want,
                         uint32_t *out) {
    conn_block *list = &c->cell_segs[cell];
    /* Everything that can fail first. */
    if (!pool_fit(&c->seg_pool, list, list->n + 1)) return false;
    uint32_t s;
    bool fresh = c->n_free_segs == 0;
    if (fresh) {
        if (c->seg_len >= MAX_SEGMENTS || !seg_room(c, c->seg_len + 1))
            return false;
        s = c->seg_len;
        c->seg_syns[s] = (conn_block){0, 0, 0};
    } else {
        s = c->free_segs[c->n_free_segs - 1];
    }
    if (want > 0 && !pool_fit(&c->syn_pool, &c->seg_syns[s], want))
        return false;
    if (fresh)
        c->seg_len++;
    else
        c->n_free_segs--;
    c->seg_cell[s] = cell;
    c->seg_idx[s] = list->n;
    c->seg_last_used[s] = 0;
    c->seg_counts[s] = 0;
    c->seg_syns[s].n = 0;
    conn_cell_segs(c, cell)[list->n++] = s;
    c->live_segments++;
    *out = s;
    return true;
}

/* Takes synapse `syn` (fed by `presyn`) out of its presynaptic cell's
 * block; the last entry moves into its place. */
static void unlink_pre(connections *c, uint32_t presyn, uint32_t id) {
    conn_block *b = &c->cell_pre[presyn];
    conn_pre *v = conn_cell_pre(c, presyn);
    uint32_t pos = c->syn_pos[id];
    conn_pre last = v[--b->n];
    if (b->n == 0) c->feeds[presyn >> 6] &= ~(UINT64_C(1) << (presyn & 63));
    if (pos != b->n) {
        v[pos] = last;
        c->syn_pos[last.id] = pos;
    }
}

void conn_destroy_segment(connections *c, uint32_t seg) {
    conn_block *b = &c->seg_syns[seg];
    const conn_syn *syns = conn_seg_syns(c, seg);
    for (uint32_t i = 0; i < b->n; i++) {
        unlink_pre(c, syns[i].presyn, syns[i].id);
        c->free_syns[c->n_free_syns++] = syns[i].id;
    }
    c->live_synapses -= b->n;
    b->n = 0;
    /* The block stays with the segment id, for its next use. */
    uint32_t cell = c->seg_cell[seg];
    conn_block *list = &c->cell_segs[cell];
    uint32_t *ids = conn_cell_segs(c, cell);
    uint32_t idx = c->seg_idx[seg];
    memmove(ids + idx, ids + idx + 1,
            (size_t)(list->n - idx - 1) * sizeof *ids);
    list->n--;
    for (uint32_t i = idx; i < list->n; i++)
        c->seg_idx[ids[i]] = i;
    c->free_segs[c->n_free_segs++] = seg;
    c->live_segments--;
}

/* ------------------------------------------------------------------------
 * Synapses
 * ------------------------------------------------------------------------ */

bool conn_create_synapse(connections *c, uint32_t seg, uint32_t presyn,
                         float perm) {
    conn_block *sb = &c->seg_syns[seg], *pb = &c->cell_pre[presyn];
    if (!pool_fit(&c->syn_pool, sb, sb->n + 1) ||
        !pool_fit(&c->pre_pool, pb, pb->n + 1))
        return false;
    uint32_t id;
    if (c->n_free_syns > 0) {
        id = c->free_syns[--c->n_free_syns];
    } else {
        if (c->syn_len == UINT32_MAX || !syn_room(c, c->syn_len + 1))
            return false;
        id = c->syn_len++;
    }
    c->syn_pos[id] = pb->n;
    c->feeds[presyn >> 6] |= UINT64_C(1) << (presyn & 63);
    conn_cell_pre(c, presyn)[pb->n++] =
        (conn_pre){seg | (perm >= c->connected ? CONN_CONNECTED : 0), id};
    conn_seg_syns(c, seg)[sb->n++] = (conn_syn){presyn, perm, id};
    c->live_synapses++;
    return true;
}

void conn_destroy_synapse_at(connections *c, uint32_t seg, uint32_t i) {
    conn_block *b = &c->seg_syns[seg];
    conn_syn *syns = conn_seg_syns(c, seg);
    unlink_pre(c, syns[i].presyn, syns[i].id);
    c->free_syns[c->n_free_syns++] = syns[i].id;
    memmove(syns + i, syns + i + 1, (size_t)(b->n - i - 1) * sizeof *syns);
    b->n--;
    c->live_synapses--;
}

/* ------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------ */

/* The slab of a load of up to max_synapses synapses: the synapse pool
 * (12 bytes a synapse) with a quarter more room to grow, the presynaptic
 * pool (8) and syn_pos (4), each from a 64-byte boundary. */
#define SLAB_BYTES_PER_SYNAPSE 27u
#define SLAB_SLACK             256u

bool conn_load_begin(connections *c, uint32_t max_synapses) {
    if (c->load_count == NULL &&
        (c->load_count = calloc(c->num_cells ? c->num_cells : 1,
                                sizeof *c->load_count)) == NULL)
        return false;
    if (!syn_room(c, max_synapses)) return false;
    const uint64_t bytes =
        (uint64_t)max_synapses * SLAB_BYTES_PER_SYNAPSE + SLAB_SLACK;
    if (c->slab == NULL && c->syn_pool.used == 0 &&
        bytes >= ALGO_HUGE_ALLOC_MIN && bytes <= SIZE_MAX) {
        c->slab = algo_alloc_huge((size_t)bytes, &c->slab_size);
        if (c->slab == NULL) return false;
        free(c->syn_pool.data);
        c->syn_pool.data = c->slab;
        c->syn_pool.cap = max_synapses;
        c->syn_pool.in_slab = true;
        return true;
    }
    return pool_reserve(&c->syn_pool, max_synapses);
}

/* Once the synapses are read (n of them, in the slab's synapse pool): the
 * synapse pool keeps a quarter more room, and the presynaptic pool and
 * syn_pos follow it (27 bytes a synapse, and the slack, fit them all).
 * False when they do not fit (they then get memory of their own). */
static bool slab_place(connections *c, uint32_t n) {
    uint64_t room = (uint64_t)n + n / 4 + 16;
    if (room > c->syn_pool.cap) room = c->syn_pool.cap;
    const uint64_t at = (room * sizeof(conn_syn) + 63) & ~(uint64_t)63;
    const uint64_t pos =
        at + (((uint64_t)n * sizeof(conn_pre) + 63) & ~(uint64_t)63);
    if (pos + (uint64_t)n * sizeof(uint32_t) > c->slab_size) return false;
    c->syn_pool.cap = (uint32_t)room;
    free(c->pre_pool.data);
    c->pre_pool.data = c->slab + (size_t)at;
    c->pre_pool.cap = n;
    c->pre_pool.used = 0;
    c->pre_pool.in_slab = true;
    free(c->syn_pos);
    c->syn_pos = (uint32_t *)(void *)(c->slab + pos);
    c->syn_pos_in_slab = true;
    c->syn_cap = n;
    return true;
}

conn_syn *conn_load_segment(connections *c, uint32_t cell, uint32_t n,
                            uint32_t *out) {
    uint32_t s = c->seg_len++;
    conn_block *list = &c->cell_segs[cell];
    c->seg_cell[s] = cell;
    c->seg_idx[s] = list->n;
    c->seg_last_used[s] = 0;
    c->seg_counts[s] = 0;
    c->seg_syns[s] = n ? pool_carve(&c->syn_pool, n) : (conn_block){0, 0, 0};
    c->seg_syns[s].n = n;
    conn_cell_segs(c, cell)[list->n++] = s;
    c->live_segments++;
    *out = s;
    return n ? conn_seg_syns(c, s) : NULL;
}

/* The segment arrays grow as the cells come, by doubling: sized by the
 * message's bound instead, they took about 100 times the memory a trained
 * model needs, and the segment pool's 2 MiB huge page cost a load of the
 * hotgym TemporalMemory (2,514 segments) a tenth of its time to clear. */
bool conn_load_cell(connections *c, uint32_t cell, uint32_t n_segments) {
    const uint64_t need = (uint64_t)c->seg_len + n_segments;
    if (need > MAX_SEGMENTS || !seg_room(c, (uint32_t)need)) return false;
    conn_pool *p = &c->seg_pool;
    if (p->used + (uint64_t)n_segments > p->cap &&
        !pool_reserve(p, n_segments > p->used ? n_segments : p->used))
        return false;
    c->cell_segs[cell] = pool_carve(p, n_segments);
    return true;
}

bool conn_load_finish(connections *c) {
    /* conn_load_synapse counted the entries of each presynaptic cell and
     * marked it in feeds: one exact block per marked cell, in cell order,
     * then the entries in segment order. */
    uint64_t total = 0;
    for (uint32_t s = 0; s < c->seg_len; s++)
        total += c->seg_syns[s].n;
    if (total > UINT32_MAX) return false;
    if (!(c->syn_pool.in_slab && slab_place(c, (uint32_t)total)) &&
        !pool_reserve(&c->pre_pool, (uint32_t)total))
        return false;
    /* (Locals: the stores below could otherwise alias the fields.) */
    uint32_t *start = c->load_count;
    conn_block *cell_pre = c->cell_pre;
    for (uint32_t w = 0; w < (c->num_cells + 63) / 64; w++)
        for (uint64_t bits = c->feeds[w]; bits; bits &= bits - 1) {
            uint32_t cell = w * 64 + (uint32_t)__builtin_ctzll(bits);
            uint32_t n = start[cell];
            cell_pre[cell] = pool_carve(&c->pre_pool, n);
            cell_pre[cell].n = n;
            start[cell] = cell_pre[cell].off;
        }
    conn_pre *pre = (conn_pre *)(void *)c->pre_pool.data;
    conn_syn *syn = (conn_syn *)(void *)c->syn_pool.data;
    uint32_t *syn_pos = c->syn_pos;
    const float connected = c->connected;
    uint32_t id = 0;
    for (uint32_t s = 0; s < c->seg_len; s++) {
        conn_syn *v = syn + c->seg_syns[s].off;
        for (uint32_t i = 0, n = c->seg_syns[s].n; i < n; i++, id++) {
            const uint32_t pos = v[i].id;
            syn_pos[id] = pos;
            pre[start[v[i].presyn] + pos] = (conn_pre){
                s | (v[i].perm >= connected ? CONN_CONNECTED : 0), id};
            v[i].id = id;
        }
    }
    c->syn_len = id;
    c->live_synapses = id;
    free(c->load_count);
    c->load_count = NULL;
    return true;
}

/* ------------------------------------------------------------------------
 * Save order
 * ------------------------------------------------------------------------ */

bool conn_segments_in_order(const connections *c, uint32_t **segs) {
    *segs = NULL;
    if (c->live_segments == 0) return true;
    /* Every cell that ever held a segment id gets a bit (a destroyed
     * segment keeps its cell); the bits are then read in order. */
    const size_t words = ((size_t)c->num_cells + 63) / 64;
    uint64_t *bits = calloc(words, sizeof *bits);
    uint32_t *out = malloc((size_t)c->live_segments * sizeof *out);
    if (bits == NULL || out == NULL) {
        free(bits);
        free(out);
        return false;
    }
    for (uint32_t seg = 0; seg < c->seg_len; seg++) {
        const uint32_t cell = c->seg_cell[seg];
        bits[cell / 64] |= UINT64_C(1) << (cell % 64);
    }
    uint32_t k = 0;
    for (size_t w = 0; w < words; w++)
        for (uint64_t b = bits[w]; b != 0; b &= b - 1) {
            const uint32_t cell =
                (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(b);
            const uint32_t n = c->cell_segs[cell].n;
            if (n > c->live_segments - k) break; /* never: n sums to live */
            memcpy(out + k, conn_cell_segs(c, cell), (size_t)n * sizeof *out);
            k += n;
        }
    free(bits);
    if (k != c->live_segments) { /* never: the counts are kept in step */
        free(out);
        return false;
    }
    *segs = out;
    return true;
}
