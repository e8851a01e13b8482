// SPDX-License-Identifier: Apache-2.0
#include "sotto/cli/terminal/qr.hpp"

#include <qrencode.h>

#include <cerrno>
#include <climits>
#include <memory>
#include <string_view>

namespace sotto::cli::terminal {
namespace {

constexpr std::string_view kFullBlock = "\u2588";
constexpr std::string_view kUpperHalf = "\u2580";
constexpr std::string_view kLowerHalf = "\u2584";
constexpr std::string_view kBlank = " ";
// Bright white text on a black background; then back to the terminal's own.
constexpr std::string_view kAnsiColors = "\x1b[97;40m";
constexpr std::string_view kAnsiReset = "\x1b[0m";

struct QrcodeFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

std::string_view glyph(bool top_inked, bool bottom_inked) {
  if (top_inked) return bottom_inked ? kFullBlock : kUpperHalf;
  return bottom_inked ? kLowerHalf : kBlank;
}

}  // namespace

Result<QrMatrix> qr_matrix(ByteView data) {
  if (data.empty()) return fail(Errc::bad_request, "nothing to encode in a QR code");
  if (data.size() > static_cast<std::size_t>(INT_MAX)) {
    return fail(Errc::limit_exceeded, "too much data for a QR code");
  }
  errno = 0;
  std::unique_ptr<QRcode, QrcodeFree> code(
      QRcode_encodeData(static_cast<int>(data.size()), data.data(), /*version=*/0, QR_ECLEVEL_M));
  if (!code) {
    if (errno == ERANGE) return fail(Errc::limit_exceeded, "too much data for a QR code");
    if (errno == EINVAL) return fail(Errc::bad_request, "libqrencode refused the input");
    return fail(Errc::internal, "libqrencode failed");
  }
  QrMatrix matrix;
  matrix.width = code->width;
  const auto cells = static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width);
  matrix.dark.resize(cells);
  // Bit 0 of each libqrencode byte is the module's color; the others say
  // which function pattern it belongs to.
  for (std::size_t i = 0; i < cells; ++i) matrix.dark[i] = code->data[i] & 1;
  return matrix;
}

std::string render_matrix(const QrMatrix& matrix, const QrRenderOptions& options) {
  const int q = options.quiet_zone;
  const int size = matrix.width + 2 * q;
  const bool ink_is_dark = options.style == QrStyle::kLightBackground;
  const bool ansi = options.style == QrStyle::kAnsi;
  // Rows past the symbol (the odd last half line) read as light.
  auto inked = [&](int x, int y) { return matrix.dark_at(x - q, y - q) == ink_is_dark; };

  std::string out;
  const auto lines = static_cast<std::size_t>((size + 1) / 2);
  out.reserve(lines * (static_cast<std::size_t>(size) * kFullBlock.size() + 16));
  for (int y = 0; y < size; y += 2) {
    if (ansi) out.append(kAnsiColors);
    for (int x = 0; x < size; ++x) out.append(glyph(inked(x, y), inked(x, y + 1)));
    if (ansi) out.append(kAnsiReset);
    out.push_back('\n');
  }
  return out;
}

Result<std::string> render_qr(ByteView data, const QrRenderOptions& options) {
  if (options.quiet_zone < 0 || options.quiet_zone > kMaxQuietZone) {
    return fail(Errc::bad_request, "QR quiet zone must be 0.." + std::to_string(kMaxQuietZone));
  }
  auto matrix = qr_matrix(data);
  if (!matrix) return tl::unexpected(matrix.error());
  return render_matrix(*matrix, options);
}

}  // namespace sotto::cli::terminal
