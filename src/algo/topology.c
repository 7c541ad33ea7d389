/*
 * src/algo/topology.c - neighbourhood iteration in nupic.core's order.
 *
 * Offsets run from -radius upwards in each dimension, the last dimension
 * fastest.  Without wrapping they start at the first in-range coordinate and
 * stop at the last; with wrapping every dimension visits at most dims[i]
 * offsets (so a large radius does not visit a position twice) and
 * coordinates wrap around.
 */
#include "topology.h"

void topo_nbr_init(topo_nbr *n, uint32_t center, uint32_t radius,
                   const uint32_t *dims, uint32_t ndims, bool wrap) {
    n->dims = dims;
    n->ndims = ndims;
    n->radius = radius;
    n->wrap = wrap;
    n->done = false;
    topo_coords(center, dims, ndims, n->center);
    for (uint32_t i = 0; i < ndims; i++) {
        int64_t first = -n->radius;
        if (!wrap && first < -(int64_t)n->center[i])
            first = -(int64_t)n->center[i];
        n->offset[i] = first;
    }
}

bool topo_nbr_next(topo_nbr *n, uint32_t *index) {
    if (n->done) return false;
    /* The current position. */
    uint32_t idx = 0;
    for (uint32_t i = 0; i < n->ndims; i++) {
        int64_t c = (int64_t)n->center[i] + n->offset[i];
        int64_t d = n->dims[i];
        if (n->wrap) {
            c %= d;
            if (c < 0) c += d;
        }
        idx = idx * n->dims[i] + (uint32_t)c;
    }
    *index = idx;
    /* Advance, carrying into earlier dimensions. */
    bool overflowed = true;
    for (uint32_t k = n->ndims; k-- > 0;) {
        n->offset[k]++;
        if (n->wrap)
            overflowed = n->offset[k] > n->radius ||
                         n->offset[k] + n->radius >= (int64_t)n->dims[k];
        else
            overflowed = n->offset[k] > n->radius ||
                         (int64_t)n->center[k] + n->offset[k] >=
                             (int64_t)n->dims[k];
        if (!overflowed) break;
        int64_t first = -n->radius;
        if (!n->wrap && first < -(int64_t)n->center[k])
            first = -(int64_t)n->center[k];
        n->offset[k] = first;
    }
    if (overflowed) n->done = true;
    return true;
}
