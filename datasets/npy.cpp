// NumPy .npy user data: a 2-d array of N patterns (rows) x dim, any int/float dtype.
#include <cmath>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/formats.hpp"
#include "datasets/text_scan.hpp"

namespace hds::data {
namespace {

struct Header {
  char kind = 0;         // f, i, u or b
  int size = 0;          // bytes per element
  bool big_endian = false;
  bool fortran = false;
  std::vector<uint64_t> shape;
};

// The value of `key` in numpy's header dict, e.g. "'<f4'" or "(3, 4)" or "False".
std::string_view dict_value(std::string_view dict, std::string_view key) {
  for (const char q : {'\'', '"'}) {
    const std::string quoted_key = std::string(1, q) + std::string(key) + q;
    size_t at = dict.find(quoted_key);
    if (at == std::string_view::npos) continue;
    at = dict.find(':', at + quoted_key.size());
    if (at == std::string_view::npos) return {};
    std::string_view rest = trim(dict.substr(at + 1));
    if (rest.empty()) return {};
    if (rest.front() == '(' || rest.front() == '\'' || rest.front() == '"') {
      const size_t end = rest.find(rest.front() == '(' ? ')' : rest.front(), 1);
      return end == std::string_view::npos ? std::string_view() : rest.substr(0, end + 1);
    }
    return trim(rest.substr(0, rest.find_first_of(",}")));
  }
  return {};
}

Header parse_header(std::string_view dict, const std::string& path, const std::string& advice) {
  auto fail = [&](const std::string& what) {
    throw UserError(fmt::format("{}: {} in the .npy header {}; {}", path, what, quoted(dict), advice));
  };
  Header h;
  std::string_view descr = dict_value(dict, "descr");
  if (descr.size() < 4) fail("no readable 'descr'");
  descr = descr.substr(1, descr.size() - 2);
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '>' && descr[0] != '|' && descr[0] != '='))
    fail(fmt::format("dtype {} not understood", quoted(descr)));
  h.big_endian = descr[0] == '>';
  h.kind = descr[1];
  const std::string_view width = descr.substr(2);
  h.size = width == "1" ? 1 : width == "2" ? 2 : width == "4" ? 4 : width == "8" ? 8 : 0;
  const bool ok = (h.kind == 'f' && h.size >= 2) || ((h.kind == 'i' || h.kind == 'u') && h.size >= 1) ||
                  (h.kind == 'b' && h.size == 1);
  if (!ok) fail(fmt::format("dtype {} is not supported, expected float16/32/64, (u)int8..64 or bool", quoted(descr)));
  const std::string_view order = dict_value(dict, "fortran_order");
  if (order == "True") h.fortran = true;
  else if (order != "False") fail("no readable 'fortran_order'");
  std::string_view shape = dict_value(dict, "shape");
  if (shape.size() < 2 || shape.front() != '(') fail("no readable 'shape'");
  shape = shape.substr(1, shape.size() - 2);
  for (size_t start = 0; start <= shape.size();) {
    size_t comma = shape.find(',', start);
    if (comma == std::string_view::npos) comma = shape.size();
    const std::string_view tok = trim(shape.substr(start, comma - start));
    if (!tok.empty()) {
      uint64_t v = 0;
      for (char c : tok) {
        if (c < '0' || c > '9' || v > (uint64_t(1) << 40)) fail(fmt::format("shape entry {} not understood", quoted(tok)));
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      h.shape.push_back(v);
    }
    start = comma + 1;
  }
  return h;
}

float half_to_float(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  const float sign = (h & 0x8000) ? -1.0f : 1.0f;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
}

// One element as double, from its (possibly byte-swapped) bytes.
double element(const unsigned char* p, const Header& h) {
  unsigned char b[8];
  for (int i = 0; i < h.size; ++i) b[i] = h.big_endian ? p[h.size - 1 - i] : p[i];
  uint64_t u = 0;
  for (int i = h.size - 1; i >= 0; --i) u = (u << 8) | b[i];
  switch (h.kind) {
    case 'b': return u ? 1.0 : 0.0;
    case 'u': return static_cast<double>(u);
    case 'i': {
      const int bits = 8 * h.size;
      const int64_t s = bits == 64 ? static_cast<int64_t>(u)
                                   : static_cast<int64_t>(u << (64 - bits)) >> (64 - bits);
      return static_cast<double>(s);
    }
    default:
      if (h.size == 2) return half_to_float(static_cast<uint16_t>(u));
      if (h.size == 4) {
        float f;
        const auto w = static_cast<uint32_t>(u);
        std::memcpy(&f, &w, 4);
        return f;
      }
      double d;
      std::memcpy(&d, &u, 8);
      return d;
  }
}

}  // namespace

LoadedSet decode_npy(const std::string& bytes, const std::string& path, const std::string& advice) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    throw UserError(fmt::format("{}: not a .npy file (no \\x93NUMPY magic), expected an array saved with "
                                "numpy.save; {}",
                                path, advice));
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  const int major = u[6];
  size_t header_len, offset;
  if (major == 1) {
    header_len = u[8] | (size_t(u[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      throw UserError(fmt::format("{}: truncated .npy header; {}", path, advice));
    header_len = u[8] | (size_t(u[9]) << 8) | (size_t(u[10]) << 16) | (size_t(u[11]) << 24);
    offset = 12;
  } else {
    throw UserError(fmt::format("{}: .npy format version {}, expected 1, 2 or 3; {}", path, major, advice));
  }
  if (bytes.size() < offset + header_len)
    throw UserError(fmt::format("{}: truncated: the .npy header says {} header bytes but the file has {} bytes; {}",
                                path, header_len, bytes.size(), advice));
  const Header h = parse_header(std::string_view(bytes).substr(offset, header_len), path, advice);
  if (h.shape.size() != 2)
    throw UserError(fmt::format("{}: array has {} dimensions, expected 2 (patterns x dim, one pattern per row); {}",
                                path, h.shape.size(), advice));
  const uint64_t n = h.shape[0], dim = h.shape[1];
  if (n == 0 || dim == 0)
    throw UserError(fmt::format("{}: array of shape ({}, {}) is empty; {}", path, n, dim, advice));
  const unsigned __int128 need = static_cast<unsigned __int128>(n) * dim * static_cast<unsigned>(h.size);
  const size_t have = bytes.size() - offset - header_len;
  if (need != have)
    throw UserError(fmt::format("{}: {}: header says shape ({}, {}) of {}-byte elements but the data has {} bytes; {}",
                                path, need > have ? "truncated" : "size mismatch", n, dim, h.size, have, advice));
  LoadedSet out;
  out.X.resize(static_cast<long>(dim), static_cast<long>(n));
  const unsigned char* data = u + offset + header_len;
  for (uint64_t r = 0; r < n; ++r)
    for (uint64_t c = 0; c < dim; ++c) {
      const uint64_t at = h.fortran ? c * n + r : r * dim + c;
      const double v = element(data + at * static_cast<uint64_t>(h.size), h);
      if (!std::isfinite(v) || std::fabs(v) > 3.4028234663852886e38)
        throw UserError(fmt::format("{}: element ({}, {}) is {}, expected a finite float; {}", path, r, c, v, advice));
      out.X(static_cast<long>(c), static_cast<long>(r)) = static_cast<float>(v);
    }
  return out;
}

LoadedSet load_npy(const std::string& path) {
  const std::string advice = "fix the file or the 'file' of this source";
  LoadedSet out = decode_npy(read_file_bytes(path, advice), path, advice);
  out.files.push_back(record_file(path));
  out.description = fmt::format("NPY {} ({} x {})", path, out.X.cols(), out.X.rows());
  return out;
}

}  // namespace hds::data
