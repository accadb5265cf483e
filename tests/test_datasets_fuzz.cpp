// Fuzz-style robustness of every decoder: truncations and random byte mutations of valid files must
// give either a one-line hds::UserError or a finite, correctly shaped set (deterministic seed).
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <iterator>

#include <zlib.h>

#include "core/rng.hpp"
#include "datasets/formats.hpp"
#include "tests/datasets_test_util.hpp"

using namespace hds::data;

namespace {

// What a decoder returned, to be checked for shape; throws only hds::UserError.
using Decoder = std::function<LoadedSet(const std::string&)>;
using ShapeCheck = std::function<bool(const LoadedSet&)>;

struct Tally {
  int errors = 0, accepted = 0;
};

void run_case(const Decoder& decode, const ShapeCheck& shape, const std::string& input, Tally& tally) {
  try {
    const LoadedSet s = decode(input);
    const bool labels_ok = s.labels.empty() || static_cast<long>(s.labels.size()) == s.X.cols();
    const bool ok = s.X.rows() > 0 && s.X.cols() > 0 && s.X.allFinite() && labels_ok && shape(s);
    CHECK_MESSAGE(ok, "accepted a badly shaped or non-finite result (" << s.X.rows() << " x " << s.X.cols() << ")");
    ++tally.accepted;
  } catch (const hds::UserError& e) {
    const std::string msg = e.what();
    CHECK_MESSAGE(msg.find('\n') == std::string::npos, "multi-line message: " << msg);
    CHECK_MESSAGE(msg.find("FUZZ") != std::string::npos, "message does not name the file: " << msg);
    ++tally.errors;
  }
}

// `cuts` truncations spread over the input, then `mutations` copies with 1-4 bytes replaced.
Tally fuzz(const std::string& valid, const Decoder& decode, const ShapeCheck& shape, int cuts, int mutations,
           uint64_t seed) {
  Tally tally;
  run_case(decode, shape, valid, tally);
  REQUIRE_MESSAGE(tally.accepted == 1, "the unmutated input must decode");
  hds::Rng rng(seed);
  for (int i = 0; i < cuts; ++i) {
    const size_t at = i < 16 ? static_cast<size_t>(i) : rng.below(valid.size());
    run_case(decode, shape, valid.substr(0, at), tally);
  }
  const std::string special = "\n\r:,.-+e0919 \t\xff\x00";
  for (int i = 0; i < mutations; ++i) {
    std::string m = valid;
    const int n = 1 + static_cast<int>(rng.below(4));
    for (int k = 0; k < n; ++k) {
      // Mutations mostly near the start, where the headers are.
      const size_t limit = rng.below(2) ? std::min<size_t>(m.size(), 64) : m.size();
      const size_t pos = rng.below(limit);
      m[pos] = rng.below(2) ? special[rng.below(special.size())] : static_cast<char>(rng.below(256));
    }
    run_case(decode, shape, m, tally);
  }
  return tally;
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

const std::string kAdvice = "advice";
const std::string kPath = "FUZZ";

}  // namespace

TEST_CASE("datasets fuzz: IDX images and labels") {
  std::string images = be32(0x803) + be32(3) + be32(5) + be32(4);
  for (int i = 0; i < 60; ++i) images += static_cast<char>(i * 4);
  const Tally t = fuzz(images, [](const std::string& b) { return decode_idx_images(b, kPath, kAdvice); },
                       [](const LoadedSet& s) { return s.X.minCoeff() >= 0 && s.X.maxCoeff() <= 1; }, 80, 600, 1);
  CHECK(t.errors > 0);
  std::string labels = be32(0x801) + be32(6) + std::string("\x01\x02\x03\x04\x05\x06", 6);
  auto decode_labels = [](const std::string& b) {
    LoadedSet s;
    s.labels = decode_idx_labels(b, kPath, kAdvice);
    s.X = Eigen::MatrixXf::Zero(1, static_cast<long>(s.labels.size()));
    return s;
  };
  fuzz(labels, decode_labels, [](const LoadedSet&) { return true; }, 20, 200, 2);
}

TEST_CASE("datasets fuzz: CIFAR-10 records") {
  std::string batch;
  for (int r = 0; r < 2; ++r) {
    batch += static_cast<char>(r + 3);
    for (int i = 0; i < 3072; ++i) batch += static_cast<char>((i * 7 + r) & 0xff);
  }
  fuzz(batch, [](const std::string& b) { return decode_cifar(b, kPath, {0.3, 0.59, 0.11}, kAdvice); },
       [](const LoadedSet& s) { return s.X.rows() == 1024 && s.X.minCoeff() >= 0 && s.X.maxCoeff() <= 1; }, 150, 300,
       3);
}

TEST_CASE("datasets fuzz: LIBSVM (the first lines of a9a, from its fixture)") {
  const std::string a9a = read_file_bytes(hds::test::fixture_data_dir() + "/adult/a9a_first300.gz", "");
  const std::string head = a9a.substr(0, a9a.find('\n', 1500) + 1);
  const Tally t = fuzz(head, [](const std::string& b) { return decode_libsvm(b, kPath, 123, kAdvice); },
                       [](const LoadedSet& s) { return s.X.rows() == 123; }, 200, 800, 4);
  CHECK(t.errors > 0);
  CHECK(t.accepted > 0);
}

TEST_CASE("datasets fuzz: npy, csv and amat") {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string npy = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(dict.size()) + '\0' + dict;
  for (int i = 0; i < 12; ++i) {
    const float v = 0.25f * static_cast<float>(i);
    npy.append(reinterpret_cast<const char*>(&v), 4);
  }
  fuzz(npy, [](const std::string& b) { return decode_npy(b, kPath, kAdvice); },
       [](const LoadedSet&) { return true; }, 100, 800, 5);
  fuzz("a,b,c\n0.5,1,2\n3,4e-1,-5\n# note\n6,7,8\n",
       [](const std::string& b) { return decode_csv(b, kPath, kAdvice); }, [](const LoadedSet&) { return true; }, 40,
       400, 6);
  fuzz("0 0.5 1 3\n1 1 0.25 7\n0.125 0 1 2\n", [](const std::string& b) { return decode_amat(b, kPath, kAdvice); },
       [](const LoadedSet&) { return true; }, 30, 300, 7);
}

TEST_CASE("datasets fuzz: gzip files truncated and mutated") {
  hds::test::TempDir tmp;
  const std::string content = read_file_bytes(hds::test::fixture_data_dir() + "/adult/a9a_first300.gz", "").substr(0, 4000);
  // A gzip wrapper written with gzopen, so the file is what `gzip` would make.
  const std::string path = tmp.file("FUZZ.gz");
  gzFile gz = gzopen(path.c_str(), "wb9");
  REQUIRE(gz != nullptr);
  gzwrite(gz, content.data(), static_cast<unsigned>(content.size()));
  gzclose(gz);
  std::string gz_bytes;
  {
    std::ifstream in(path, std::ios::binary);
    gz_bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto decode_file = [&](const std::string& bytes) {
    hds::test::write_file(path, bytes);
    return decode_libsvm(read_file_bytes(path, kAdvice), path, 123, kAdvice);
  };
  const Tally t = fuzz(gz_bytes, decode_file, [](const LoadedSet& s) { return s.X.rows() == 123; }, 60, 200, 8);
  CHECK(t.errors > 0);
}
