// SPDX-License-Identifier: Apache-2.0
// A fresh folder under the system temp dir, removed with everything in it when
// the object goes. Set SOTTO_KEEP_TEST_DIRS=1 to keep it (logs, databases) for
// a post-mortem; the path is then printed on stderr.
#pragma once

#include <filesystem>
#include <string>

namespace sotto::testing {

class TempDir {
 public:
  // `prefix` names the folder: <tmp>/<prefix>-XXXXXX. path() is empty if the
  // folder could not be made.
  explicit TempDir(const std::string& prefix = "sotto-system");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sotto::testing
