// SPDX-License-Identifier: Apache-2.0
#include "sotto/cli/terminal/qr.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sotto::cli::terminal {
namespace {

Bytes sample(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 37 + 11);
  return b;
}

bool is_version_width(int width) {
  return width >= 21 && width <= 177 && (width - 21) % 4 == 0;
}

// One line split into code points (UTF-8 sequences).
std::vector<std::string> code_points(const std::string& line) {
  std::vector<std::string> out;
  for (unsigned char c : line) {
    if ((c & 0xC0) == 0x80 && !out.empty()) {
      out.back().push_back(static_cast<char>(c));
    } else {
      out.emplace_back(1, static_cast<char>(c));
    }
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(text.substr(start, nl - start));
  }
  EXPECT_EQ(start, text.size()) << "text must end with a newline";
  return lines;
}

// The 7x7 finder pattern: dark ring, light ring, dark 3x3 core.
bool finder_at(const QrMatrix& m, int x0, int y0) {
  for (int y = 0; y < 7; ++y) {
    for (int x = 0; x < 7; ++x) {
      bool ring = x == 0 || y == 0 || x == 6 || y == 6;
      bool core = x >= 2 && x <= 4 && y >= 2 && y <= 4;
      if (m.dark_at(x0 + x, y0 + y) != (ring || core)) return false;
    }
  }
  return true;
}

TEST(QrMatrix, WidthIsAQrVersion) {
  for (std::size_t n : {1, 2, 14, 32, 80, 200, 1000, 2331}) {
    auto m = qr_matrix(sample(n));
    ASSERT_TRUE(m) << n << ": " << m.error().message;
    EXPECT_TRUE(is_version_width(m->width)) << n << " -> " << m->width;
    EXPECT_EQ(m->dark.size(), static_cast<std::size_t>(m->width * m->width));
  }
  EXPECT_EQ(qr_matrix(sample(1))->width, 21);  // version 1
}

TEST(QrMatrix, FinderPatternsAtThreeCorners) {
  auto m = qr_matrix(as_bytes("sotto safety number"));
  ASSERT_TRUE(m);
  const int w = m->width;
  EXPECT_TRUE(finder_at(*m, 0, 0));
  EXPECT_TRUE(finder_at(*m, w - 7, 0));
  EXPECT_TRUE(finder_at(*m, 0, w - 7));
  EXPECT_FALSE(finder_at(*m, w - 7, w - 7));
  // The separators around them are light.
  for (int i = 0; i < 8; ++i) {
    EXPECT_FALSE(m->dark_at(7, i));
    EXPECT_FALSE(m->dark_at(i, 7));
    EXPECT_FALSE(m->dark_at(w - 8, i));
    EXPECT_FALSE(m->dark_at(i, w - 8));
  }
}

TEST(QrMatrix, ScannableFingerprintSizeStaysSmall) {
  // A scannable fingerprint (CombinedFingerprints) is under 80 bytes.
  auto m = qr_matrix(sample(80));
  ASSERT_TRUE(m);
  EXPECT_LE(m->width, 37);  // version 5: 45 columns with the quiet zone
}

TEST(QrMatrix, EmptyAndOversizedInputAreErrors) {
  auto empty = qr_matrix(ByteView{});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::bad_request);
  auto huge = qr_matrix(sample(2332));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, Errc::limit_exceeded);
}

TEST(QrMatrix, BinaryDataWithNulBytes) {
  Bytes data = {0, 0, 0, 0xff, 0, 1};
  auto a = qr_matrix(data);
  ASSERT_TRUE(a);
  data[5] = 2;
  auto b = qr_matrix(data);
  ASSERT_TRUE(b);
  EXPECT_NE(a->dark, b->dark);  // NUL does not end the input
}

TEST(QrRender, LinesAndColumnsMatchTheSymbol) {
  for (int quiet : {0, 1, 2, 4}) {
    for (std::size_t n : {1, 40, 80}) {
      auto data = sample(n);
      auto m = qr_matrix(data);
      ASSERT_TRUE(m);
      QrRenderOptions options;
      options.quiet_zone = quiet;
      auto text = render_qr(data, options);
      ASSERT_TRUE(text);
      const int size = m->width + 2 * quiet;
      auto lines = lines_of(*text);
      EXPECT_EQ(lines.size(), static_cast<std::size_t>((size + 1) / 2)) << quiet << "/" << n;
      for (const auto& line : lines) {
        EXPECT_EQ(code_points(line).size(), static_cast<std::size_t>(size));
      }
    }
  }
}

// Reads the picture back, module by module, for both plain styles.
TEST(QrRender, TextDrawsExactlyTheMatrix) {
  auto data = as_bytes("https://example.org/sotto?v=1");
  auto m = qr_matrix(data);
  ASSERT_TRUE(m);
  for (auto style : {QrStyle::kDarkBackground, QrStyle::kLightBackground}) {
    QrRenderOptions options{style, 4};
    auto text = render_qr(data, options);
    ASSERT_TRUE(text);
    const bool ink_is_dark = style == QrStyle::kLightBackground;
    auto lines = lines_of(*text);
    const int size = m->width + 8;
    for (int row = 0; row < static_cast<int>(lines.size()); ++row) {
      auto glyphs = code_points(lines[row]);
      ASSERT_EQ(glyphs.size(), static_cast<std::size_t>(size));
      for (int x = 0; x < size; ++x) {
        const auto& g = glyphs[x];
        bool top = g == "\u2588" || g == "\u2580";
        bool bottom = g == "\u2588" || g == "\u2584";
        ASSERT_TRUE(top || bottom || g == " ") << "unexpected glyph " << g;
        int y = 2 * row;
        EXPECT_EQ(top == ink_is_dark, m->dark_at(x - 4, y - 4)) << x << "," << y;
        EXPECT_EQ(bottom == ink_is_dark, m->dark_at(x - 4, y + 1 - 4)) << x << "," << y + 1;
      }
    }
  }
}

TEST(QrRender, DarkBackgroundDrawsTheQuietZoneAsBlocks) {
  auto text = render_qr(as_bytes("x"));
  ASSERT_TRUE(text);
  auto first = code_points(lines_of(*text).front());
  for (const auto& g : first) EXPECT_EQ(g, "\u2588");
  auto light = render_qr(as_bytes("x"), {QrStyle::kLightBackground, 4});
  ASSERT_TRUE(light);
  EXPECT_EQ(lines_of(*light).front(), std::string(29, ' '));
}

TEST(QrRender, AnsiWrapsEachLineInColors) {
  auto plain = render_qr(as_bytes("x"));
  auto ansi = render_qr(as_bytes("x"), {QrStyle::kAnsi, 4});
  ASSERT_TRUE(plain && ansi);
  auto plain_lines = lines_of(*plain);
  auto ansi_lines = lines_of(*ansi);
  ASSERT_EQ(plain_lines.size(), ansi_lines.size());
  for (std::size_t i = 0; i < plain_lines.size(); ++i) {
    EXPECT_EQ(ansi_lines[i], "\x1b[97;40m" + plain_lines[i] + "\x1b[0m");
  }
}

TEST(QrRender, SameInputSameOutput) {
  auto data = sample(64);
  auto a = render_qr(data);
  auto b = render_qr(data);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  auto other = sample(64);
  other[10] ^= 1;
  auto c = render_qr(other);
  ASSERT_TRUE(c);
  EXPECT_NE(*a, *c);
}

TEST(QrRender, ErrorsAreReported) {
  EXPECT_EQ(render_qr(ByteView{}).error().code, Errc::bad_request);
  EXPECT_EQ(render_qr(as_bytes("x"), {QrStyle::kDarkBackground, -1}).error().code, Errc::bad_request);
  EXPECT_EQ(render_qr(as_bytes("x"), {QrStyle::kDarkBackground, kMaxQuietZone + 1}).error().code,
            Errc::bad_request);
  EXPECT_EQ(render_qr(sample(5000)).error().code, Errc::limit_exceeded);
}

}  // namespace
}  // namespace sotto::cli::terminal
