// read_file_bytes(): a file's whole content through zlib, which reads gzip and plain files alike;
// record_file(): what a result records about a file it read.
#include <cerrno>
#include <cstring>
#include <memory>

#include <sys/stat.h>
#include <fmt/format.h>
#include <zlib.h>

#include "core/error.hpp"
#include "datasets/formats.hpp"
#include "datasets/sha256.hpp"

namespace hds::data {

std::string read_file_bytes(const std::string& path, const std::string& advice) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw UserError(fmt::format("{}: cannot open ({}); {}", path, std::strerror(errno), advice));
  if (S_ISDIR(st.st_mode)) throw UserError(fmt::format("{}: is a directory, expected a file; {}", path, advice));
  std::unique_ptr<gzFile_s, decltype(&gzclose)> gz(gzopen(path.c_str(), "rb"), &gzclose);
  if (!gz) throw UserError(fmt::format("{}: cannot open ({}); {}", path, std::strerror(errno), advice));
  gzbuffer(gz.get(), 1 << 20);
  std::string out;
  // A plain file's size is its content size; a gzip file usually expands 3-10x.
  out.reserve(static_cast<size_t>(st.st_size));
  const size_t chunk = 1 << 20;
  for (;;) {
    const size_t old = out.size();
    out.resize(old + chunk);
    const int n = gzread(gz.get(), out.data() + old, static_cast<unsigned>(chunk));
    if (n < 0) {
      int code = 0;
      const char* msg = gzerror(gz.get(), &code);
      throw UserError(fmt::format("{}: corrupt gzip data ({}); {}", path, msg, advice));
    }
    out.resize(old + static_cast<size_t>(n));
    if (n == 0) break;
  }
  int code = 0;
  const char* msg = gzerror(gz.get(), &code);
  if (code != Z_OK && code != Z_STREAM_END)
    throw UserError(fmt::format("{}: gzip data is truncated or corrupt ({}); {}", path, msg, advice));
  return out;
}

FileRecord record_file(const std::string& path, const std::string& note) {
  FileRecord r;
  r.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) r.bytes = static_cast<uint64_t>(st.st_size);
  r.sha256 = sha256_file(path);
  r.note = note;
  return r;
}

}  // namespace hds::data
