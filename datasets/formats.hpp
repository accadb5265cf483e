// The decoders behind the loaders, one per file format, each working on the file's (decompressed)
// bytes already in memory. `path` is only used in messages; `advice` ends every error message
// ("run 'hds data verify'", "check the file named in inputs:"). Every decoder either returns a
// finite, correctly shaped set or throws hds::UserError with one line naming the file.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "datasets/loaders.hpp"

namespace hds::data {

// Whole content of a plain or gzip-compressed file (zlib tells them apart by the gzip magic).
std::string read_file_bytes(const std::string& path, const std::string& advice);
// Provenance of a file as it is on disk: path, size, sha256 and a note.
FileRecord record_file(const std::string& path, const std::string& note = "");

// NumPy .npy, 2-d (N x dim), C or Fortran order; ints and floats of any width, either byte order.
LoadedSet decode_npy(const std::string& bytes, const std::string& path, const std::string& advice);
// Comma-separated numbers, one pattern per row; optional header line and '#' comment lines.
LoadedSet decode_csv(const std::string& bytes, const std::string& path, const std::string& advice);
// IDX images (magic 0x00000803): X = pixels / 255, one image per column.
LoadedSet decode_idx_images(const std::string& bytes, const std::string& path, const std::string& advice);
// IDX labels (magic 0x00000801).
std::vector<int> decode_idx_labels(const std::string& bytes, const std::string& path,
                                   const std::string& advice);
// CIFAR-10 binary batch (3073-byte records): X = (w_R R + w_G G + w_B B) / 255, labels 0..9.
LoadedSet decode_cifar(const std::string& bytes, const std::string& path, const std::array<double, 3>& gray,
                       const std::string& advice);
// LIBSVM sparse text densified to `dim` rows; indices 1..dim; integer labels.
LoadedSet decode_libsvm(const std::string& bytes, const std::string& path, int dim, const std::string& advice);
// Larochelle et al.'s dense whitespace .amat: one pattern per line, last column the (integer) label.
LoadedSet decode_amat(const std::string& bytes, const std::string& path, const std::string& advice);

}  // namespace hds::data
