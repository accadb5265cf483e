// Small helpers shared by the text formats (LIBSVM, CSV, .amat): line iteration, exact number
// parsing, and quoting a bad token so that an error message stays one printable line.
#pragma once
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace hds::data {

// Yields the lines of a buffer without their '\n' (and a trailing '\r'), counting from 1.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  size_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// The whole token must be one number that is finite as a float (a leading '+' is allowed, as
// LIBSVM writes "+1").
inline bool parse_finite(std::string_view tok, double& value) {
  if (!tok.empty() && tok.front() == '+') {
    tok.remove_prefix(1);
    if (!tok.empty() && tok.front() == '-') return false;
  }
  if (tok.empty()) return false;
  const auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), value);
  return ec == std::errc() && end == tok.data() + tok.size() && std::isfinite(value) &&
         std::fabs(value) <= 3.4028234663852886e38;
}

// A token for an error message: at most 24 characters, non-printable bytes as \xNN.
inline std::string quoted(std::string_view tok) {
  std::string out = "'";
  const size_t n = tok.size() < 24 ? tok.size() : 24;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(tok[i]);
    if (c >= 32 && c < 127) {
      out += static_cast<char>(c);
    } else {
      const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (tok.size() > n) out += "...";
  return out + "'";
}

}  // namespace hds::data
