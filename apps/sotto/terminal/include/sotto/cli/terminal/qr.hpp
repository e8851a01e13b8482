// SPDX-License-Identifier: Apache-2.0
// QR codes drawn as terminal text, so `sotto verify` can show the scannable
// safety number and a phone camera can read it off the screen.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::cli::terminal {

// A symbol's modules, quiet zone excluded, row-major.
struct QrMatrix {
  int width = 0;                  // 21 + 4 * (version - 1)
  std::vector<std::uint8_t> dark;  // width * width entries; 1 = dark module

  // False (light) outside the symbol, so the quiet zone needs no special case.
  bool dark_at(int x, int y) const {
    if (x < 0 || y < 0 || x >= width || y >= width) return false;
    return dark[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                static_cast<std::size_t>(x)] != 0;
  }
};

// Encodes `data` in 8-bit byte mode at error correction level M (15% of the
// symbol may be lost to glare or a dead pixel, and an 80-byte scannable
// fingerprint still fits version 5, 37 modules) in the smallest version that
// holds it (libqrencode). Thread-safe.
// Errors: bad_request for empty input (a code with nothing in it only invites
// mistakes); limit_exceeded above a version-40 M symbol's 2331 bytes;
// internal if libqrencode fails otherwise (out of memory).
[[nodiscard]] Result<QrMatrix> qr_matrix(ByteView data);

enum class QrStyle {
  // Light modules (and the quiet zone) are drawn in the text color with
  // block glyphs, dark modules are left as background: right for the usual
  // light-text-on-dark terminal. The convention of `qrencode -t UTF8`.
  kDarkBackground,
  // The reverse, for dark text on a light background (`qrencode -t UTF8i`).
  kLightBackground,
  // kDarkBackground's glyphs with the colors forced by ANSI SGR codes (bright
  // white on black, reset at each line end): scans whatever the terminal's
  // theme. Prefer it when stdout is a terminal and NO_COLOR is unset.
  kAnsi,
};

struct QrRenderOptions {
  QrStyle style = QrStyle::kDarkBackground;
  // Light border in modules on each side; ISO/IEC 18004 asks for 4, and
  // scanners lock on less reliably with less. At most kMaxQuietZone.
  int quiet_zone = 4;
};

inline constexpr int kMaxQuietZone = 16;

// Draws a matrix: each text line holds two module rows, using the half
// blocks U+2580 '▀', U+2584 '▄', the full block U+2588 '█' and space, so
// modules come out roughly square. The result has ceil((width + 2q) / 2)
// lines of exactly width + 2q characters (code points), each followed by
// '\n' (kAnsi adds escape sequences around each line). With an odd row
// count the last line's lower half is light, extending the quiet zone.
// REQUIRES: 0 <= quiet_zone <= kMaxQuietZone.
std::string render_matrix(const QrMatrix& matrix, const QrRenderOptions& options = {});

// qr_matrix() then render_matrix(). Errors: those of qr_matrix(), and
// bad_request for a quiet zone outside 0..kMaxQuietZone.
[[nodiscard]] Result<std::string> render_qr(ByteView data, const QrRenderOptions& options = {});

}  // namespace sotto::cli::terminal
