/*
 * src/algo/cpu.h - what the CPU can run, for the algorithms' kernels
 * (sp_simd.h, tm_simd.h).  Internal.
 */
#ifndef NUPIC_ALGO_CPU_H
#define NUPIC_ALGO_CPU_H

#include <stdbool.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) &&        \
    !defined(NCP_PORTABLE_BYTE_ORDER)
/* Whether the CPU and OS run AVX-512 F/BW/VL/DQ, BMI2 and POPCNT code, as
 * the kernels need.  Thread-safe (the CPU's features are read once, before
 * main, by the compiler's runtime). */
bool algo_cpu_avx512(void);
#endif

#endif
