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
    for (uint32_t i = 0; i < ndims; i++) index = index * dims[i] + coords[i];
    return index;
}

/* A neighbourhood of radius r around a position, clipped at the edges or
 * wrapping around them, visited as nupic.core's Neighborhood and
 * WrappingNeighborhood do. */
typedef struct topo_nbr {
    const uint32_t *dims;
    uint32_t ndims;
    uint32_t center[NUPIC_MAX_DIMS];
    int64_t offset[NUPIC_MAX_DIMS];
    int64_t radius;
    bool wrap;
    bool done;
} topo_nbr;

void topo_nbr_init(topo_nbr *n, uint32_t center, uint32_t radius,
                   const uint32_t *dims, uint32_t ndims, bool wrap);
/* Stores the next position's index; false when the neighbourhood is done. */
bool topo_nbr_next(topo_nbr *n, uint32_t *index);

#endif /* NUPIC_ALGO_TOPOLOGY_H */
