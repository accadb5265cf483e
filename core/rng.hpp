// Portable, seedable random numbers: the same seed gives the same bits on every platform and
// standard library (std:: distributions are implementation-defined, so we do not use them).
#pragma once
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace hds {

// SplitMix64 step: used to expand seeds and derive independent sub-seeds.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Seed of a sub-stream: derive_seed(base, {rep, tag}) is a fixed function of its arguments only,
// so a run's random numbers never depend on scheduling or thread count.
inline uint64_t derive_seed(uint64_t base, std::initializer_list<uint64_t> path) {
  uint64_t s = base;
  uint64_t out = splitmix64(s);
  for (uint64_t p : path) {
    s = out ^ (p * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL);
    out = splitmix64(s);
  }
  return out;
}

// Stream tags for derive_seed(rep_seed, {tag}).
enum SeedTag : uint64_t { kInputs = 1, kTargets = 2, kInit = 3, kShuffle = 4 };

// xoshiro256** generator.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t s = seed;
    for (auto& w : s_) w = splitmix64(s);
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n) without modulo bias (Lemire's method with rejection).
  uint64_t below(uint64_t n) {
    if (n == 0) throw std::invalid_argument("Rng::below(0)");
    __uint128_t m = static_cast<__uint128_t>(next()) * n;
    auto low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Standard normal by the Box-Muller transform (one value per call; the pair's twin is discarded
  // so that the stream position does not depend on call history).
  double normal() {
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  bool bernoulli(double p) { return uniform() < p; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// k distinct indices from [0, n), in random order (partial Fisher-Yates).
inline std::vector<int> sample_without_replacement(int n, int k, Rng& rng) {
  if (k > n || k < 0) throw std::invalid_argument("sample_without_replacement: k > n");
  std::vector<int> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  for (int i = 0; i < k; ++i) {
    const int j = i + static_cast<int>(rng.below(static_cast<uint64_t>(n - i)));
    std::swap(idx[i], idx[j]);
  }
  idx.resize(k);
  return idx;
}

}  // namespace hds
