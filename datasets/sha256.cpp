// sha256 and md5 of files (streamed in 1 MiB chunks) and buffers, with OpenSSL's EVP interface.
#include "datasets/sha256.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "core/error.hpp"

namespace hds::data {
namespace {

using Context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Context new_context(const EVP_MD* md) {
  Context ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
    throw std::runtime_error("OpenSSL could not start a digest");
  return ctx;
}

std::string finish(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &len) != 1) throw std::runtime_error("OpenSSL digest failed");
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string digest_file(const std::string& path, const EVP_MD* md) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw UserError(fmt::format("{}: cannot open for checksum ({})", path, std::strerror(errno)));
  Context ctx = new_context(md);
  std::vector<unsigned char> chunk(1 << 20);
  size_t n;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), f.get())) > 0)
    EVP_DigestUpdate(ctx.get(), chunk.data(), n);
  if (std::ferror(f.get())) throw UserError(fmt::format("{}: read error while computing checksum", path));
  return finish(ctx.get());
}

}  // namespace

std::string sha256_file(const std::string& path) { return digest_file(path, EVP_sha256()); }
std::string md5_file(const std::string& path) { return digest_file(path, EVP_md5()); }

std::string sha256_bytes(const std::string& bytes) {
  Context ctx = new_context(EVP_sha256());
  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  return finish(ctx.get());
}

}  // namespace hds::data
