// SPDX-License-Identifier: Apache-2.0
#include "sotto/testing/temp_dir.hpp"

#include <stdlib.h>

#include <cstring>
#include <iostream>
#include <system_error>

namespace sotto::testing {

TempDir::TempDir(const std::string& prefix) {
  std::error_code ec;
  const auto base = std::filesystem::temp_directory_path(ec);
  if (ec) return;
  std::string pattern = (base / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  const char* keep = std::getenv("SOTTO_KEEP_TEST_DIRS");
  if (keep != nullptr && std::strcmp(keep, "1") == 0) {
    std::cerr << "kept test dir " << path_.string() << "\n";
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace sotto::testing
