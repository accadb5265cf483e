// CIFAR-10 binary batches: 3073-byte records (label, then R, G, B planes of 32x32), turned to gray.
#include <cstdint>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/formats.hpp"

namespace hds::data {

LoadedSet decode_cifar(const std::string& b, const std::string& path, const std::array<double, 3>& gray,
                       const std::string& advice) {
  constexpr size_t kPlane = 1024, kRecord = 1 + 3 * kPlane;
  if (b.empty() || b.size() % kRecord != 0)
    throw UserError(fmt::format("{}: {} bytes, expected a whole number of 3073-byte CIFAR-10 records "
                                "({} records and {} bytes left over); {}",
                                path, b.size(), b.size() / kRecord, b.size() % kRecord, advice));
  const size_t n = b.size() / kRecord;
  LoadedSet out;
  out.X.resize(kPlane, static_cast<long>(n));
  out.labels.resize(n);
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  const double wr = gray[0] / 255.0, wg = gray[1] / 255.0, wb = gray[2] / 255.0;
  for (size_t r = 0; r < n; ++r) {
    const uint8_t* rec = p + r * kRecord;
    if (rec[0] > 9)
      throw UserError(fmt::format("{}: record {} has label {}, expected 0..9 (is this a CIFAR-10 batch?); {}",
                                  path, r, rec[0], advice));
    out.labels[r] = rec[0];
    const uint8_t *R = rec + 1, *G = R + kPlane, *B = G + kPlane;
    for (size_t i = 0; i < kPlane; ++i)
      out.X(static_cast<long>(i), static_cast<long>(r)) = static_cast<float>(wr * R[i] + wg * G[i] + wb * B[i]);
  }
  return out;
}

}  // namespace hds::data
