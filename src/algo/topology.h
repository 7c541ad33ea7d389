/*
 * src/algo/topology.h - coordinates in N-dimensional grids and the
 * neighbourhoods nupic.core iterates (row-major, last dimension fastest).
 */
#ifndef NUPIC_ALGO_TOPOLOGY_H
#define NUPIC_ALGO_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>

#define NUPIC_MAX_DIMS 8

/* Index -> coordinates, row-major. */
static inline void topo_coords(uint32_t index, const uint32_t *dims,
                               uint32_t ndims, uint32_t *coords) {
    for (uint32_t i = ndims; i-- > 1;) {
        coords[i] = index % dims[i];
        index /= dims[i];
    }
    coords[0] = index;
}

static inline uint32_t topo_index(const uint32_t *coords, const uint32_t *dims,
                                  uint32_t ndims) {
    uint32_t index = 0;
    for (uint32_t i = 0; i < ndims; i++)
        index = index * dims[i] + coords[i];
    return index;
}

/* The neighbourhood of radius r around position `center` (an index into
 * a grid of `dims`), clipped at the edges or wrapping around them, written
 * to out[] in the order nupic.core's Neighborhood / WrappingNeighborhood
 * visit it: offsets from -r upwards in each dimension, the last dimension
 * fastest; with wrapping each dimension visits at most dims[i] positions,
 * so none twice.  The centre is included.  Returns the count, at most the
 * product of dims (out must have room for it, or for the product of
 * min(2r + 1, dims[i])). */
uint32_t topo_neighbors(uint32_t center, uint32_t radius, const uint32_t *dims,
                        uint32_t ndims, bool wrap, uint32_t *out);

/* The same neighbourhood as runs of consecutive indices: run k covers
 * start[k] .. start[k] + len[k] - 1, and the runs in order list exactly the
 * positions topo_neighbors lists, in its order.  start[] and len[] need room
 * for 2 * (the product of min(2r + 1, dims[i]) over all but the last
 * dimension) runs; 2 * (product of dims) / dims[ndims - 1] always
 * suffices.  Returns the number of runs. */
uint32_t topo_neighbor_runs(uint32_t center, uint32_t radius,
                            const uint32_t *dims, uint32_t ndims, bool wrap,
                            uint32_t *start, uint32_t *len);

#endif /* NUPIC_ALGO_TOPOLOGY_H */
