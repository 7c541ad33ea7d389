/*
 * src/ncp/pack_ssse3.c - the packing loops with SSSE3 (see pack_loops.h).
 * Compiled with -mssse3 on x86-64 only; used when the CPU has SSSE3.
 */
#define NCP_PACK_SIMD    1
#define NCP_PACK_NAME(x) ncp__##x##_ssse3
#include "pack_loops.h"
