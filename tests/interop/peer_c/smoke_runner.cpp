// SPDX-License-Identifier: Apache-2.0
// Runs a scripted JSON-lines conversation against a driver process and checks
// every answer. Usage: sotto_peer_c_smoke <driver> <script.jsonl>
//
// Script lines are driver requests plus checker-only keys, which are removed
// before the request is sent:
//   "expect": "ok" (the default) or an error code, e.g. "invalid_message";
//   "expect_fields": {"field": value, ...}  exact values in the response;
//   "expect_hex": {"field": "0801…fb3a4d"}  the base64 field, in hex, must
//        match a pattern whose "…" (or "...") stands for any bytes;
//   "raw": "<text>"  sends <text> as the line instead of the request itself
//        (for malformed input).
// Any string value "@<id>.<path>" is replaced by that field of the response to
// the earlier request whose "id" was <id> (path: dot-separated keys). A
// suffix "^<n>" flips the low bit of byte n of the base64 value (n < 0 counts
// from the end), "^<n>:<hex>" XORs that byte with <hex>, for tampering. "@@"
// escapes a literal "@".
// Blank lines and lines starting with '#' are skipped.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sotto/core/encoding.hpp"

namespace {

using Json = nlohmann::json;

struct Driver {
  pid_t pid = -1;
  FILE* to = nullptr;
  FILE* from = nullptr;
};

std::optional<Driver> spawn(const char* path) {
  int in_pipe[2];
  int out_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) return std::nullopt;
  const pid_t pid = fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    close(in_pipe[0]);
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(out_pipe[1]);
    execl(path, path, static_cast<char*>(nullptr));
    std::perror("exec");
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  return Driver{pid, fdopen(in_pipe[1], "w"), fdopen(out_pipe[0], "r")};
}

std::optional<std::string> read_line(FILE* f) {
  char* buf = nullptr;
  std::size_t cap = 0;
  const ssize_t n = getline(&buf, &cap, f);
  if (n < 0) {
    std::free(buf);
    return std::nullopt;
  }
  std::string line(buf, static_cast<std::size_t>(n));
  std::free(buf);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

class Checker {
 public:
  // Resolves "@id.path^n" references inside `value`, in place. Returns an
  // error text, or empty.
  std::string resolve(Json& value) const {
    if (value.is_object() || value.is_array()) {
      for (auto& child : value) {
        if (auto err = resolve(child); !err.empty()) return err;
      }
      return {};
    }
    if (!value.is_string()) return {};
    const std::string s = value.get<std::string>();
    if (s.rfind("@@", 0) == 0) {
      value = s.substr(1);
      return {};
    }
    if (s.empty() || s[0] != '@') return {};
    std::string ref = s.substr(1);
    std::optional<long> flip;
    unsigned long mask = 0x01;
    if (auto caret = ref.find('^'); caret != std::string::npos) {
      char* end = nullptr;
      flip = std::strtol(ref.c_str() + caret + 1, &end, 10);
      if (*end == ':') mask = std::strtoul(end + 1, nullptr, 16);
      ref.resize(caret);
    }
    const auto dot = ref.find('.');
    if (dot == std::string::npos) return "bad reference " + s;
    auto it = responses_.find(ref.substr(0, dot));
    if (it == responses_.end()) return "no earlier response with id " + ref.substr(0, dot);
    const Json* node = &it->second;
    std::string path = ref.substr(dot + 1);
    while (!path.empty()) {
      const auto next = path.find('.');
      const std::string key = path.substr(0, next);
      if (!node->is_object() || !node->contains(key)) return "reference " + s + " not found";
      node = &(*node)[key];
      path = next == std::string::npos ? "" : path.substr(next + 1);
    }
    value = *node;
    if (flip) {
      if (!value.is_string()) return "cannot tamper a non-string " + s;
      auto bytes = sotto::base64_decode(value.get<std::string>());
      if (!bytes || bytes->empty()) return "cannot tamper " + s;
      const long n = static_cast<long>(bytes->size());
      const long i = *flip < 0 ? n + *flip : *flip;
      if (i < 0 || i >= n) return "tamper index out of range in " + s;
      (*bytes)[static_cast<std::size_t>(i)] ^= static_cast<std::uint8_t>(mask);
      value = sotto::base64_encode(*bytes);
    }
    return {};
  }

  void remember(const Json& request, const Json& response) {
    if (auto id = request.find("id"); id != request.end() && id->is_string())
      responses_[id->get<std::string>()] = response;
  }

 private:
  std::map<std::string, Json> responses_;
};

bool hex_matches(const std::string& hex, const std::string& pattern) {
  // Split at every "..." or U+2026 (the ellipsis of the spec's vectors).
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 3, "...") == 0 || pattern.compare(i, 3, "\xE2\x80\xA6") == 0) {
      parts.emplace_back();
      i += 3;
    } else {
      parts.back().push_back(pattern[i++]);
    }
  }
  if (parts.size() == 1) return hex == parts[0];
  if (hex.rfind(parts.front(), 0) != 0) return false;
  std::size_t pos = parts.front().size();
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    pos = hex.find(parts[i], pos);
    if (pos == std::string::npos) return false;
    pos += parts[i].size();
  }
  const std::string& last = parts.back();
  return hex.size() >= pos + last.size() &&
         hex.compare(hex.size() - last.size(), last.size(), last) == 0;
}

// Returns the failures for one response.
std::vector<std::string> check(const Json& response, const std::string& expect, Json expect_fields,
                               const Json& expect_hex, const Checker& checker) {
  std::vector<std::string> failures;
  if (!response.is_object() || !response.contains("ok") || !response["ok"].is_boolean()) {
    failures.push_back("response has no boolean 'ok'");
    return failures;
  }
  const bool ok = response["ok"].get<bool>();
  if (expect == "ok") {
    if (!ok) failures.push_back("expected ok, got error " + response.value("error", Json()).dump());
  } else {
    const std::string code = ok ? "ok" : response["error"].value("code", std::string("?"));
    if (code != expect)
      failures.push_back("expected error '" + expect + "', got " + (ok ? "ok" : "'" + code + "'"));
  }
  if (auto err = checker.resolve(expect_fields); !err.empty()) failures.push_back(err);
  for (auto& [key, want] : expect_fields.items()) {
    if (!response.contains(key)) {
      failures.push_back("missing field '" + key + "'");
    } else if (response[key] != want) {
      failures.push_back("field '" + key + "' is " + response[key].dump() + ", expected " +
                         want.dump());
    }
  }
  for (auto& [key, pattern] : expect_hex.items()) {
    auto bytes = response.contains(key) && response[key].is_string()
                     ? sotto::base64_decode(response[key].get<std::string>())
                     : sotto::Result<sotto::Bytes>(tl::unexpected(sotto::Error{}));
    if (!bytes) {
      failures.push_back("field '" + key + "' is not base64");
    } else if (!hex_matches(sotto::hex_encode(*bytes), pattern.get<std::string>())) {
      failures.push_back("field '" + key + "' is " + sotto::hex_encode(*bytes) + ", expected " +
                         pattern.get<std::string>());
    }
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " <driver> <script.jsonl>\n";
    return 2;
  }
  std::ifstream script(argv[2]);
  if (!script) {
    std::cerr << "cannot open " << argv[2] << "\n";
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  auto driver = spawn(argv[1]);
  if (!driver || driver->to == nullptr || driver->from == nullptr) {
    std::cerr << "cannot start " << argv[1] << "\n";
    return 2;
  }

  Checker checker;
  int failures = 0;
  int requests = 0;
  std::string line;
  for (int number = 1; std::getline(script, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    Json request = Json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
      std::cerr << argv[2] << ":" << number << ": not a JSON object\n";
      ++failures;
      continue;
    }
    const std::string expect = request.value("expect", std::string("ok"));
    const Json expect_fields = request.value("expect_fields", Json::object());
    const Json expect_hex = request.value("expect_hex", Json::object());
    const std::optional<std::string> raw = request.contains("raw") && request["raw"].is_string()
                                               ? std::optional(request["raw"].get<std::string>())
                                               : std::nullopt;
    request.erase("expect");
    request.erase("expect_fields");
    request.erase("expect_hex");
    if (auto err = checker.resolve(request); !err.empty()) {
      std::cerr << argv[2] << ":" << number << ": " << err << "\n";
      ++failures;
      continue;
    }
    ++requests;
    const std::string sent = raw ? *raw : request.dump();
    std::fprintf(driver->to, "%s\n", sent.c_str());
    std::fflush(driver->to);
    auto answer = read_line(driver->from);
    if (!answer) {
      std::cerr << argv[2] << ":" << number << ": driver closed its output\n";
      ++failures;
      break;
    }
    const Json response = Json::parse(*answer, nullptr, false);
    if (response.is_discarded()) {
      std::cerr << argv[2] << ":" << number << ": response is not JSON: " << *answer << "\n";
      ++failures;
      continue;
    }
    if (!raw && request.contains("id") && response.value("id", Json()) != request["id"]) {
      std::cerr << argv[2] << ":" << number << ": response does not echo the id\n";
      ++failures;
    }
    for (const auto& f : check(response, expect, expect_fields, expect_hex, checker)) {
      std::cerr << argv[2] << ":" << number << " (" << request.value("op", std::string("?"))
                << "): " << f << "\n";
      ++failures;
    }
    checker.remember(request, response);
  }

  std::fclose(driver->to);
  // Nothing more may come out: exactly one response per request.
  if (auto extra = read_line(driver->from)) {
    std::cerr << "driver wrote an extra line: " << *extra << "\n";
    ++failures;
  }
  std::fclose(driver->from);
  int status = 0;
  waitpid(driver->pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "driver did not exit 0 at end of input (status " << status << ")\n";
    ++failures;
  }
  std::cout << requests << " requests, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}
