/*
 * src/algo/topology.c - neighbourhoods in nupic.core's order.
 *
 * Each dimension contributes a run of coordinates: without wrapping from
 * max(c - r, 0) to min(c + r, d - 1); with wrapping min(2r + 1, d)
 * coordinates from (c - r) mod d upwards, wrapping at d.  The neighbourhood
 * is their product, the last dimension varying fastest.
 */
#include "topology.h"

typedef struct axes {
    const uint32_t *dims;
    uint32_t ndims;
    uint32_t start[NUPIC_MAX_DIMS];
    uint32_t count[NUPIC_MAX_DIMS];
} axes;

static uint32_t *emit(const axes *a, uint32_t i, uint32_t base, uint32_t *out) {
    const uint32_t d = a->dims[i];
    uint32_t c = a->start[i];
    if (i + 1 == a->ndims) {
        for (uint32_t k = 0; k < a->count[i]; k++) {
            *out++ = base * d + c;
            if (++c == d) c = 0;
        }
        return out;
    }
    for (uint32_t k = 0; k < a->count[i]; k++) {
        out = emit(a, i + 1, base * d + c, out);
        if (++c == d) c = 0;
    }
    return out;
}

/* Each dimension's run of coordinates around the centre. */
static bool init_axes(axes *a, uint32_t center, uint32_t radius,
                      const uint32_t *dims, uint32_t ndims, bool wrap) {
    if (ndims == 0 || ndims > NUPIC_MAX_DIMS) return false;
    a->dims = dims;
    a->ndims = ndims;
    uint32_t cc[NUPIC_MAX_DIMS];
    topo_coords(center, dims, ndims, cc);
    const uint64_t r = radius;
    for (uint32_t i = 0; i < ndims; i++) {
        const uint64_t d = dims[i], c = cc[i];
        if (wrap) {
            a->count[i] = (uint32_t)(2 * r + 1 < d ? 2 * r + 1 : d);
            a->start[i] = (uint32_t)((c + d - r % d) % d);
        } else {
            uint64_t lo = c > r ? c - r : 0;
            uint64_t hi = c + r < d - 1 ? c + r : d - 1;
            a->start[i] = (uint32_t)lo;
            a->count[i] = (uint32_t)(hi - lo + 1);
        }
    }
    return true;
}

uint32_t topo_neighbors(uint32_t center, uint32_t radius, const uint32_t *dims,
                        uint32_t ndims, bool wrap, uint32_t *out) {
    axes a = {dims, ndims, {0}, {0}};
    if (!init_axes(&a, center, radius, dims, ndims, wrap)) return 0;
    return (uint32_t)(emit(&a, 0, 0, out) - out);
}

uint32_t topo_neighbor_runs(uint32_t center, uint32_t radius,
                            const uint32_t *dims, uint32_t ndims, bool wrap,
                            uint32_t *start, uint32_t *len) {
    axes a = {dims, ndims, {0}, {0}};
    if (!init_axes(&a, center, radius, dims, ndims, wrap)) return 0;
    const uint32_t last = ndims - 1, d = dims[last];
    const uint32_t s0 = a.start[last], n = a.count[last];
    const uint32_t first = n < d - s0 ? n : d - s0;
    /* An odometer over the leading dimensions: k[i] runs steps, c[i] the
     * coordinate (wrapping at dims[i]). */
    uint32_t k[NUPIC_MAX_DIMS] = {0}, c[NUPIC_MAX_DIMS] = {0};
    for (uint32_t i = 0; i < last; i++)
        c[i] = a.start[i];
    uint32_t runs = 0;
    for (;;) {
        uint32_t base = 0;
        for (uint32_t i = 0; i < last; i++)
            base = base * dims[i] + c[i];
        base *= d;
        start[runs] = base + s0;
        len[runs++] = first;
        if (n > first) {
            start[runs] = base;
            len[runs++] = n - first;
        }
        uint32_t i = last;
        for (; i-- > 0;) {
            if (++c[i] == dims[i]) c[i] = 0;
            if (++k[i] < a.count[i]) break;
            k[i] = 0;
            c[i] = a.start[i];
        }
        if (i == UINT32_MAX) break; /* every leading dimension wrapped */
    }
    return runs;
}
