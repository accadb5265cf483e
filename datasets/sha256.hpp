// Checksums of files as stored on disk (sha256 for provenance and verification, md5 where a
// publisher only gives md5), and of byte buffers already in memory.
#pragma once
#include <string>

namespace hds::data {

// Lower-case hex sha256 of the file's bytes on disk (not decompressed). Throws hds::UserError
// naming the file when it cannot be read.
std::string sha256_file(const std::string& path);
// Lower-case hex md5 of the file's bytes on disk.
std::string md5_file(const std::string& path);
// Lower-case hex sha256 of a buffer.
std::string sha256_bytes(const std::string& bytes);

}  // namespace hds::data
