// IDX files (MNIST): big-endian header, then uint8 images or labels.
#include <cstdint>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/formats.hpp"

namespace hds::data {
namespace {

uint32_t be32(const std::string& b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
         (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}

void check_header(const std::string& b, const std::string& path, uint32_t magic, size_t header,
                  const char* kind, const std::string& advice) {
  if (b.size() < header)
    throw UserError(fmt::format("{}: truncated: {} bytes, shorter than the {}-byte IDX {} header; {}", path,
                                b.size(), header, kind, advice));
  if (be32(b, 0) != magic)
    throw UserError(fmt::format("{}: wrong magic 0x{:08x}, expected 0x{:08x} (IDX {}); {}", path, be32(b, 0),
                                magic, kind, advice));
}

}  // namespace

LoadedSet decode_idx_images(const std::string& b, const std::string& path, const std::string& advice) {
  check_header(b, path, 0x00000803, 16, "images", advice);
  const uint64_t n = be32(b, 4), rows = be32(b, 8), cols = be32(b, 12);
  if (rows == 0 || cols == 0 || rows * cols > (1u << 24))
    throw UserError(fmt::format("{}: header says images of {}x{}, expected a plausible size such as 28x28; {}",
                                path, rows, cols, advice));
  const uint64_t expected = 16 + n * rows * cols;
  if (b.size() != expected)
    throw UserError(fmt::format("{}: {}: header says {} images of {}x{} ({} bytes) but the file has {} bytes; {}",
                                path, b.size() < expected ? "truncated" : "size mismatch", n, rows, cols,
                                expected, b.size(), advice));
  LoadedSet out;
  const long dim = static_cast<long>(rows * cols);
  out.X.resize(dim, static_cast<long>(n));
  const auto* px = reinterpret_cast<const uint8_t*>(b.data()) + 16;
  float* dst = out.X.data();
  for (uint64_t i = 0; i < n * rows * cols; ++i) dst[i] = static_cast<float>(px[i]) / 255.0f;
  return out;
}

std::vector<int> decode_idx_labels(const std::string& b, const std::string& path, const std::string& advice) {
  check_header(b, path, 0x00000801, 8, "labels", advice);
  const uint64_t n = be32(b, 4);
  if (b.size() != 8 + n)
    throw UserError(fmt::format("{}: {}: header says {} labels ({} bytes) but the file has {} bytes; {}", path,
                                b.size() < 8 + n ? "truncated" : "size mismatch", n, 8 + n, b.size(), advice));
  return std::vector<int>(reinterpret_cast<const uint8_t*>(b.data()) + 8,
                          reinterpret_cast<const uint8_t*>(b.data()) + 8 + n);
}

}  // namespace hds::data
