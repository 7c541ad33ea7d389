/*
 * src/ncp/pack_scalar.c - the portable packing loops (see pack_loops.h).
 */
#define NCP_PACK_SIMD    0
#define NCP_PACK_NAME(x) ncp__##x##_scalar
#include "pack_loops.h"
