/*
 * tests/gen/abi_guard.c - compiled by the test gen_abi_guard, which expects
 * it NOT to compile: a generated header checks the runtime's ABI version
 * and stops with an #error that says to regenerate it.
 */
#include <nupic/ncp.h>

#undef NCP_ABI_VERSION
#define NCP_ABI_VERSION (-1)

#include "codegen_import.capnp.h"
