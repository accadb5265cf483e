// Writing .npy files (version 1.0, little-endian) for the Python peers of the benchmarks.
#pragma once
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace hds::bench {

// `data` holds the product of `shape` values of T (double: '<f8', int64_t: '<i8'), in C order, or in
// Fortran order when `fortran` (Eigen's column-major data).
template <typename T>
void write_npy(const std::string& path, const T* data, const std::vector<long>& shape, bool fortran) {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, int64_t>, "float64 or int64 only");
  std::string dims;
  for (long d : shape) dims += std::to_string(d) + ",";
  std::string header = std::string("{'descr': '") + (std::is_same_v<T, double> ? "<f8" : "<i8") +
                       "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + dims + "), }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  f.write(reinterpret_cast<const char*>(&len), 2);
  f << header;
  long n = 1;
  for (long d : shape) n *= d;
  f.write(reinterpret_cast<const char*>(data), n * static_cast<long>(sizeof(T)));
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace hds::bench
