# Warning flags for the project's own code.
set(NUPIC_WARNING_FLAGS
  -Wall -Wextra -Wpedantic
  -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
  -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef -Wvla
  -Wformat=2 -Wconversion -Wno-sign-conversion
  -Wimplicit-fallthrough -Wnull-dereference)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(APPEND NUPIC_WARNING_FLAGS -Wlogical-op -Wduplicated-cond -Wduplicated-branches)
endif()
if(NUPIC_WERROR)
  list(APPEND NUPIC_WARNING_FLAGS -Werror)
endif()
