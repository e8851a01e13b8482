// SPDX-License-Identifier: Apache-2.0
// A main() for any build (g++ included): feeds every file named on the command
// line, or found in a directory named there, to the fuzz target's
// LLVMFuzzerTestOneInput once. ctest runs it over the committed corpus, so
// every seed and every past crash reproducer is re-checked on each build.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool collect(const fs::path& path, std::vector<fs::path>& files) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    files.push_back(path);
    return true;
  }
  if (!fs::is_directory(path, ec)) {
    std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", path.c_str());
    return false;
  }
  std::vector<fs::path> found;
  for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
    if (entry.is_regular_file()) found.push_back(entry.path());
  }
  if (ec) {
    std::fprintf(stderr, "replay: cannot list %s: %s\n", path.c_str(), ec.message().c_str());
    return false;
  }
  std::sort(found.begin(), found.end());  // a stable order makes failures reproducible
  files.insert(files.end(), found.begin(), found.end());
  return true;
}

bool replay(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
    return false;
  }
  const std::vector<char> contents((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  // An allocation of exactly the input's size, so AddressSanitizer catches a
  // read one byte past the end (a vector might have spare capacity).
  const std::size_t size = contents.size();
  auto data = std::make_unique<std::uint8_t[]>(size);
  std::copy(contents.begin(), contents.end(), data.get());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), size);
  LLVMFuzzerTestOneInput(data.get(), size);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <file-or-directory>...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (!collect(argv[i], files)) return 1;
  }
  if (files.empty()) {
    // An empty corpus would make the ctest pass while checking nothing.
    std::fprintf(stderr, "replay: no inputs found\n");
    return 1;
  }
  for (const auto& file : files) {
    if (!replay(file)) return 1;
  }
  std::fprintf(stderr, "replay: %zu inputs, no failure\n", files.size());
  return 0;
}
