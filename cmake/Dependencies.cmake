# SPDX-License-Identifier: Apache-2.0
# Every dependency comes from a Debian 12 package; .ci/run installs them.
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Protobuf REQUIRED)
find_package(GTest REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
# Beast and Asio (lib/transport) are header-only; Boost's own CMake config
# (libboost1.81-all-dev) provides Boost::headers.
find_package(Boost 1.81 REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
if(SOTTO_BENCH)
  find_package(benchmark REQUIRED)
endif()
if(SOTTO_INTEROP)
  pkg_check_modules(SIGNAL_C REQUIRED IMPORTED_TARGET libsignal-protocol-c)
endif()
# tl::expected is header-only (libexpected-dev).
find_path(TL_EXPECTED_INCLUDE_DIR tl/expected.hpp REQUIRED)
