// The file loaders behind open_source(): one per format, each in its own file.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "datasets/source.hpp"

namespace hds::data {

// Every pattern of a file source, one per column, already scaled as SCIENCE.md says.
struct LoadedSet {
  Eigen::MatrixXf X;               // dim x N
  std::vector<FileRecord> files;   // what was read, with sha256
  std::string description;         // e.g. "MNIST train (60000 x 784, pixels/255)"
  std::vector<int> labels;         // one per column when the format has labels, else empty
};

// User data. Values are used exactly as stored (uint8 is NOT divided by 255: scale it yourself).
// .npy: 2-d (N x dim), one pattern per row; float16/32/64, (u)int8/16/32/64 or bool, C or Fortran
// order, either byte order; plain or gzip-compressed.
LoadedSet load_npy(const std::string& path);
// .csv: one pattern per row, comma-separated numbers. The first line may be a header when none of
// its fields is a number; lines starting with '#' and blank lines are skipped.
LoadedSet load_csv(const std::string& path);
// .amat (Larochelle et al.): whitespace-separated numbers, one pattern per line, last column the label.
LoadedSet load_amat(const std::string& path);
// The paper's data sets (mnist, cifar, connect, adult), found on the data search path
// (datasets/catalog.hpp) and checked against the known checksums.
LoadedSet load_named(const SourceSpec& spec);

}  // namespace hds::data
