# SPDX-License-Identifier: Apache-2.0
# One place for warning flags, sanitizers and fuzzing instrumentation, applied to
# every target of ours through sotto_project_options (never to system headers).
add_library(sotto_project_options INTERFACE)
target_compile_options(sotto_project_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Wunused -Woverloaded-virtual -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 reports false -Wrestrict positives inside libstdc++'s std::string
  # operator+ at -O3 (GCC bug 105329); they are not in our code.
  target_compile_options(sotto_project_options INTERFACE -Wno-restrict)
endif()
if(SOTTO_WERROR)
  target_compile_options(sotto_project_options INTERFACE -Werror)
endif()
if(SOTTO_SANITIZE)
  target_compile_options(sotto_project_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(sotto_project_options INTERFACE -fsanitize=address,undefined)
endif()
if(SOTTO_FUZZ)
  # Everything is instrumented for coverage; only fuzz targets add the libFuzzer main.
  target_compile_options(sotto_project_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(sotto_project_options INTERFACE -fsanitize=address,undefined)
endif()
