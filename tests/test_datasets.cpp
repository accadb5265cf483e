// Data-set loaders: the published content of the shared files, user formats, and clean errors.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "datasets/catalog.hpp"
#include "datasets/formats.hpp"
#include "datasets/loaders.hpp"
#include "datasets/sha256.hpp"
#include "tests/datasets_test_util.hpp"

using namespace hds::data;
using hds::test::contains;
using hds::test::TempDir;
using hds::test::user_error;
using hds::test::write_file;

namespace {

SourceSpec named(const std::string& name, const std::string& split, const std::string& dir) {
  SourceSpec s;
  s.name = name;
  s.split = split;
  s.data_dir = dir;
  return s;
}

bool all_in_unit_interval(const Eigen::MatrixXf& X) {
  return X.allFinite() && X.minCoeff() >= 0.0f && X.maxCoeff() <= 1.0f;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A .npy v1 file with the given dtype and shape; the header is padded to 64 bytes as numpy does.
std::string npy_bytes(const std::string& descr, bool fortran, long rows, long cols, const std::string& data) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                     ", 'shape': (" + std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict + data;
}

template <class T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

}  // namespace

// Each of these runs on the fixtures (the first records of each file) and, when found, on the full
// data: the same assertions, with the counts of each.
TEST_CASE("datasets: mnist: published content (labels 5 and 7, pixels/255, 60000 + 10000 or the fixture's 300 + 100)") {
  for (const auto& d : hds::test::data_dirs()) {
    CAPTURE(d.path);
    const long n_train = d.full ? 60000 : 300, n_test = d.full ? 10000 : 100;
    const LoadedSet train = load_named(named("mnist", "train", d.path));
    REQUIRE(train.X.rows() == 784);
    REQUIRE(train.X.cols() == n_train);
    REQUIRE(static_cast<long>(train.labels.size()) == n_train);
    CHECK(train.labels[0] == 5);
    CHECK(all_in_unit_interval(train.X));
    CHECK(train.X.maxCoeff() == 1.0f);
    // Training image 0: pixel 152 is 3 and pixel 156 is 126; its 784 bytes sum to 27525.
    CHECK(train.X(152, 0) == doctest::Approx(3.0 / 255));
    CHECK(train.X(156, 0) == doctest::Approx(126.0 / 255));
    CHECK(train.X.col(0).cast<double>().sum() * 255 == doctest::Approx(27525).epsilon(1e-6));
    REQUIRE(train.files.size() == 2);
    if (d.full) CHECK(train.files[0].sha256 == "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971");
    else CHECK(contains(train.description, "TEST FIXTURE: the first 300 records of train-images-idx3-ubyte"));
    CHECK(contains(train.description, std::to_string(n_train)));

    const LoadedSet test = load_named(named("mnist", "test", d.path));
    CHECK(test.X.cols() == n_test);
    CHECK(test.labels[0] == 7);

    const LoadedSet all = load_named(named("mnist", "all", d.path));
    REQUIRE(all.X.cols() == n_train + n_test);
    CHECK(all.labels[n_train] == 7);
    CHECK(all.X.col(n_train) == test.X.col(0));
    CHECK(all.X.col(0) == train.X.col(0));
  }
}

TEST_CASE("datasets: cifar: the shared subset or the fixture, its labels, gray conversion and what it is called") {
  for (const auto& d : hds::test::data_dirs()) {
    CAPTURE(d.path);
    const long n_train = d.full ? 4000 : 120, n_test = d.full ? 1000 : 40;
    const LoadedSet test = load_named(named("cifar", "test", d.path));
    REQUIRE(test.X.rows() == 1024);
    REQUIRE(test.X.cols() == n_test);
    CHECK(test.labels[0] == 3);
    CHECK(all_in_unit_interval(test.X));
    // Record 0, pixel 0 of test_batch: R 158, G 112, B 49 (bytes 1, 1025, 2049 of the file).
    const std::string raw_bytes = read_file_bytes(test.files.at(0).path, "");
    const auto R = static_cast<uint8_t>(raw_bytes[1]), G = static_cast<uint8_t>(raw_bytes[1025]),
               B = static_cast<uint8_t>(raw_bytes[2049]);
    CHECK(R == 158);
    CHECK(G == 112);
    CHECK(B == 49);
    CHECK(test.X(0, 0) == doctest::Approx((0.3 * 158 + 0.59 * 112 + 0.11 * 49) / 255).epsilon(1e-6));
    const std::string what = d.full ? "subset: first 1000 records of test_batch.bin"
                                    : "TEST FIXTURE: the first 40 records of test_batch_first1000.bin";
    CHECK(contains(test.description, what));
    CHECK(contains(test.description, "0.3 R + 0.59 G + 0.11 B"));
    REQUIRE(test.files.size() == 1);
    CHECK(contains(test.files[0].note, what));

    const LoadedSet train = load_named(named("cifar", "train", d.path));
    REQUIRE(train.X.cols() == n_train);
    CHECK(std::vector<int>(train.labels.begin(), train.labels.begin() + 5) == std::vector<int>{6, 9, 9, 4, 1});
    CHECK(contains(train.files[0].note, d.full ? "subset" : "TEST FIXTURE"));

    SourceSpec red = named("cifar", "test", d.path);
    red.gray = {1.0, 0.0, 0.0};
    CHECK(load_named(red).X(0, 0) == doctest::Approx(158.0 / 255));

    CHECK(load_named(named("cifar", "all", d.path)).X.cols() == n_train + n_test);
  }
}

TEST_CASE("datasets: connect: 67557 rows (fixture: 300) of 126 binary features, exactly 42 ones each") {
  for (const auto& d : hds::test::data_dirs()) {
    CAPTURE(d.path);
    const LoadedSet c = load_named(named("connect", "train", d.path));
    REQUIRE(c.X.rows() == 126);
    REQUIRE(c.X.cols() == (d.full ? 67557 : 300));
    const Eigen::VectorXf ones = c.X.colwise().sum().transpose();
    CHECK((ones.array() == 42.0f).all());
    CHECK(((c.X.array() == 0.0f) || (c.X.array() == 1.0f)).all());
    // First row: "1 2:1 5:1 ... 37:1 42:1 ..." (label 1 = win for x).
    CHECK(c.labels[0] == 1);
    CHECK(c.X(1, 0) == 1.0f);
    CHECK(c.X(0, 0) == 0.0f);
    CHECK(c.X(36, 0) == 1.0f);
    CHECK(c.X(41, 0) == 1.0f);
    CHECK(c.X(124, 0) == 1.0f);
    CHECK(user_error([&] { load_named(named("connect", "test", d.path)); }).find("split") != std::string::npos);
  }
}

TEST_CASE("datasets: adult: a9a 32561 x 123 (fixture: 300), first row as published; a9a.t; a5a splits") {
  for (const auto& d : hds::test::data_dirs()) {
    CAPTURE(d.path);
    const LoadedSet a = load_named(named("adult", "train", d.path));
    REQUIRE(a.X.rows() == 123);
    REQUIRE(a.X.cols() == (d.full ? 32561 : 300));
    // a9a line 1: "-1 3:1 11:1 14:1 19:1 39:1 42:1 55:1 64:1 67:1 73:1 75:1 76:1 80:1 83:1 "
    CHECK(a.labels[0] == -1);
    const std::vector<int> idx = {3, 11, 14, 19, 39, 42, 55, 64, 67, 73, 75, 76, 80, 83};
    Eigen::VectorXf expect = Eigen::VectorXf::Zero(123);
    for (int i : idx) expect(i - 1) = 1.0f;
    CHECK(a.X.col(0) == expect);
    long positives = 0;
    for (int l : a.labels) positives += l == 1;
    CHECK(positives == (d.full ? 7841 : 70));  // the fixture's: grep -c '^+1' of its 300 lines

    const LoadedSet t = load_named(named("adult", "test", d.path));
    CHECK(t.X.rows() == 123);
    CHECK(t.X.cols() == (d.full ? 16281 : 100));
    CHECK(t.X.row(122).sum() == 0.0f);
    if (d.full) {  // the a5a splits have no fixture
      CHECK(load_named(named("adult", "a5a_train", d.path)).X.cols() == 5000);
      CHECK(load_named(named("adult", "a5a_valid", d.path)).X.cols() == 1414);
      CHECK(load_named(named("adult", "a5a_test", d.path)).X.cols() == 26147);
    } else {
      CHECK(contains(user_error([&] { load_named(named("adult", "a5a_train", d.path)); }), "a5a_train.libsvm"));
    }
    CHECK(contains(user_error([&] { load_named(named("adult", "validation", d.path)); }), "validation"));
  }
}

TEST_CASE("datasets: every shared file and every fixture verifies against the table") {
  for (const auto& d : hds::test::data_dirs()) {
    int checked = 0;
    for (const KnownFile& f : known_files()) {
      if (f.role == Role::kFull) continue;  // the full CIFAR batches are not shared
      if ((f.role == Role::kFixture) == d.full) continue;
      const Verdict v = check_known(f, {d.path});
      CHECK_MESSAGE(v.status == Verdict::kVerified, d.path << ": " << f.name << ": " << v.detail);
      ++checked;
    }
    CHECK(checked == (d.full ? 13 : 9));
    for (const char* set : {"mnist", "cifar", "connect", "adult"}) {
      const SetStatus st = check_set(set, {d.path});
      CHECK(st.usable);
      CHECK(st.subset == (!d.full || std::string(set) == "cifar"));
    }
  }
}

// A full-size test_batch.bin assembled from the first records on hand (the shared subset, or the
// fixture), repeated to 10000 records, with `flip` bytes changed.
std::string assembled_test_batch(const std::string& dir, const std::vector<size_t>& flip) {
  const std::string src = locate(available("test_batch_first1000.bin", {dir}), {dir});
  REQUIRE(!src.empty());
  const std::string first = read_file_bytes(src, "");
  std::string batch;
  while (batch.size() < 30730000) batch += first;
  batch.resize(30730000);
  for (size_t at : flip) batch[at] = static_cast<char>(batch[at] ^ 0x10);
  return batch;
}

TEST_CASE("datasets: cifar: a full batch is checked against the shared subset's records, else called UNVERIFIED") {
  for (const auto& d : hds::test::data_dirs()) {
    CAPTURE(d.path);
    const KnownFile& tb = known_file("test_batch.bin");
    if (d.full) {
      // The first 1000 records are the published ones: accepted, but said to be unverified beyond them.
      TempDir good;
      write_file(good.file("cifar10/test_batch.bin"), assembled_test_batch(d.path, {5000 * 3073 + 7}));
      const LoadedSet set = load_named(named("cifar", "test", good.path.string()));
      CHECK(set.X.cols() == 10000);
      CHECK(contains(set.description, "UNVERIFIED"));
      CHECK(contains(set.files.at(0).note, "first 1000 records verified (sha256 of test_batch_first1000.bin); the "
                                           "other 9000 are UNVERIFIED: no reference checksum is known for "
                                           "test_batch.bin"));
      const Verdict v = check_known(tb, {good.path.string()});
      CHECK(v.status == Verdict::kNoReference);
      CHECK(contains(v.detail, "UNVERIFIED"));
      // One byte changed within those records: refused, though the size is right.
      TempDir bad;
      write_file(bad.file("cifar10/test_batch.bin"), assembled_test_batch(d.path, {500 * 3073 + 100}));
      const std::string msg = user_error([&] { load_named(named("cifar", "test", bad.path.string())); });
      CHECK(contains(msg, bad.file("cifar10/test_batch.bin") + ": its first 1000 records have sha256 "));
      CHECK(contains(msg, "but the published ones (test_batch_first1000.bin) have 8314c96d7cd6...; the file is "
                          "damaged or another version"));
      CHECK(check_known(tb, {bad.path.string()}).status == Verdict::kMismatch);
    } else {
      // The fixture's 40 records repeated are not the published first 1000: refused by content, not size.
      TempDir tmp;
      write_file(tmp.file("cifar10/test_batch.bin"), assembled_test_batch(d.path, {}));
      const std::string msg = user_error([&] { load_named(named("cifar", "test", tmp.path.string())); });
      CHECK(contains(msg, tmp.file("cifar10/test_batch.bin") + ": its first 1000 records have sha256 "));
      CHECK(check_known(tb, {tmp.path.string()}).status == Verdict::kMismatch);
    }
    // A batch without any reference (data_batch_2.bin) is of the right size but UNVERIFIED, never "verified".
    TempDir other;
    write_file(other.file("cifar10/data_batch_2.bin"), assembled_test_batch(d.path, {}));
    const Verdict v = check_known(known_file("data_batch_2.bin"), {other.path.string()});
    CHECK(v.status == Verdict::kNoReference);
    CHECK(v.detail == "UNVERIFIED: no reference checksum is known for data_batch_2.bin; only its size (30730000 "
                      "bytes) was checked");
  }
}

TEST_CASE("datasets: npy: float32, float64, uint8, int16 big-endian and Fortran order round trip") {
  TempDir tmp;
  const std::vector<float> f32 = {0.5f, -1.25f, 3.0f, 4.0f, 5.5f, 6.0f};  // 2 rows x 3 cols
  write_file(tmp.file("a.npy"), npy_bytes("<f4", false, 2, 3, raw(f32)));
  LoadedSet a = load_npy(tmp.file("a.npy"));
  REQUIRE(a.X.rows() == 3);
  REQUIRE(a.X.cols() == 2);
  CHECK(a.X(0, 0) == 0.5f);
  CHECK(a.X(1, 0) == -1.25f);
  CHECK(a.X(0, 1) == 4.0f);
  CHECK(a.X(2, 1) == 6.0f);
  CHECK(a.files.at(0).sha256 == sha256_file(tmp.file("a.npy")));

  const std::vector<double> f64 = {0.125, 0.25, 0.375, 0.5};
  write_file(tmp.file("b.npy"), npy_bytes("<f8", false, 4, 1, raw(f64)));
  LoadedSet b = load_npy(tmp.file("b.npy"));
  REQUIRE(b.X.rows() == 1);
  REQUIRE(b.X.cols() == 4);
  CHECK(b.X(0, 2) == 0.375f);

  const std::vector<uint8_t> u8 = {0, 255, 7, 8};
  write_file(tmp.file("c.npy"), npy_bytes("|u1", false, 2, 2, raw(u8)));
  LoadedSet c = load_npy(tmp.file("c.npy"));
  CHECK(c.X(1, 0) == 255.0f);  // stored values, not divided by 255
  CHECK(c.X(0, 1) == 7.0f);

  write_file(tmp.file("d.npy"), npy_bytes(">i2", false, 1, 2, std::string("\xff\xfe\x01\x00", 4)));
  LoadedSet d = load_npy(tmp.file("d.npy"));
  CHECK(d.X(0, 0) == -2.0f);
  CHECK(d.X(1, 0) == 256.0f);

  // Fortran order: the same 2 x 3 array stored column by column.
  const std::vector<float> fort = {0.5f, 4.0f, -1.25f, 5.5f, 3.0f, 6.0f};
  write_file(tmp.file("e.npy"), npy_bytes("<f4", true, 2, 3, raw(fort)));
  CHECK(load_npy(tmp.file("e.npy")).X == a.X);

  write_file(tmp.file("nan.npy"), npy_bytes("<f4", false, 1, 1, raw(std::vector<float>{NAN})));
  CHECK(contains(user_error([&] { load_npy(tmp.file("nan.npy")); }), "nan.npy"));
  write_file(tmp.file("obj.npy"), npy_bytes("|O", false, 1, 1, "12345678"));
  CHECK(contains(user_error([&] { load_npy(tmp.file("obj.npy")); }), "obj.npy"));
  const std::string short_data = npy_bytes("<f4", false, 2, 3, raw(f32).substr(0, 20));
  write_file(tmp.file("short.npy"), short_data);
  const std::string msg = user_error([&] { load_npy(tmp.file("short.npy")); });
  CHECK(contains(msg, "short.npy"));
  CHECK(contains(msg, "truncated"));
}

TEST_CASE("datasets: csv: header, comments, CRLF, and errors with file and line") {
  TempDir tmp;
  write_file(tmp.file("a.csv"), "# made by hand\nx,y,z\n0.5, 1,2\r\n3,4e-1,-5\n\n");
  LoadedSet a = load_csv(tmp.file("a.csv"));
  REQUIRE(a.X.rows() == 3);
  REQUIRE(a.X.cols() == 2);
  CHECK(a.X(0, 0) == 0.5f);
  CHECK(a.X(1, 1) == doctest::Approx(0.4));
  CHECK(a.X(2, 1) == -5.0f);

  write_file(tmp.file("bad.csv"), "1,2,3\n4,five,6\n");
  std::string msg = user_error([&] { load_csv(tmp.file("bad.csv")); });
  CHECK(contains(msg, "bad.csv:2"));
  CHECK(contains(msg, "'five'"));
  write_file(tmp.file("ragged.csv"), "1,2,3\n4,5\n");
  CHECK(contains(user_error([&] { load_csv(tmp.file("ragged.csv")); }), "ragged.csv:2"));
  write_file(tmp.file("empty.csv"), "a,b\n");
  CHECK(contains(user_error([&] { load_csv(tmp.file("empty.csv")); }), "empty.csv"));
}

TEST_CASE("datasets: amat: last column is the label") {
  TempDir tmp;
  write_file(tmp.file("a.amat"), "0 0.5 1 3\n1 1 0.25 7\n");
  LoadedSet a = load_amat(tmp.file("a.amat"));
  REQUIRE(a.X.rows() == 3);
  REQUIRE(a.X.cols() == 2);
  CHECK(a.X(1, 0) == 0.5f);
  CHECK(a.labels == std::vector<int>{3, 7});
  write_file(tmp.file("b.amat"), "0 0.5 1 3\n1 1 7\n");
  CHECK(contains(user_error([&] { load_amat(tmp.file("b.amat")); }), "b.amat:2"));
}

TEST_CASE("datasets: bad input: each a one-line UserError naming the file") {
  TempDir tmp;
  const std::string advice = "advice";
  // IDX header saying 60000 images of 28x28, but only 1200 bytes.
  std::string idx("\x00\x00\x08\x03\x00\x00\xea\x60\x00\x00\x00\x1c\x00\x00\x00\x1c", 16);
  idx.resize(1200, '\0');
  write_file(tmp.file("mnist/train-images-idx3-ubyte"), idx);
  std::string msg = user_error([&] { load_named([&] {
    SourceSpec s;
    s.name = "mnist";
    s.data_dir = tmp.path.string();
    return s;
  }()); });
  CHECK(contains(msg, tmp.file("mnist/train-images-idx3-ubyte")));
  CHECK(contains(msg, "truncated: header says 60000 images of 28x28 (47040016 bytes) but the file has 1200 bytes"));

  std::string wrong_magic = idx;
  wrong_magic[3] = '\x01';
  msg = user_error([&] { decode_idx_images(wrong_magic, "x.idx", advice); });
  CHECK(contains(msg, "x.idx: wrong magic 0x00000801, expected 0x00000803"));
  msg = user_error([&] { decode_idx_labels(std::string("\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02\x03\x04", 12),
                                           "l.idx", advice); });
  CHECK(contains(msg, "l.idx: size mismatch: header says 3 labels"));
  msg = user_error([&] { decode_cifar(std::string(3074, '\0'), "c.bin", {0.3, 0.59, 0.11}, advice); });
  CHECK(contains(msg, "c.bin"));
  CHECK(contains(msg, "3073-byte"));

  msg = user_error([&] { decode_libsvm("+1 1:1 3:1\n-1 2:1 124:1\n", "adult.txt", 123, advice); });
  CHECK(contains(msg, "adult.txt:2: feature index 124 is outside 1..123"));
  msg = user_error([&] { decode_libsvm("+1 0:1\n", "zero.txt", 123, advice); });
  CHECK(contains(msg, "zero.txt:1: feature index 0"));

  SourceSpec missing;
  missing.name = "connect";
  missing.data_dir = tmp.path.string();
  msg = user_error([&] { load_named(missing); });
  CHECK(contains(msg, "connect-4"));
  CHECK(contains(msg, tmp.path.string()));
  CHECK(contains(user_error([&] { load_csv(tmp.file("nope.csv")); }), tmp.file("nope.csv")));

  // Same number of rows as a9a (or its fixture), one label changed: only the checksum can tell.
  for (const auto& d : hds::test::data_dirs()) {
    TempDir t2;
    const std::string name = d.full ? "a9a" : "a9a_first300";
    const std::string src = locate(known_file(name), {d.path});
    REQUIRE(!src.empty());
    std::string a9a = read_file_bytes(src, "");
    REQUIRE(a9a.compare(0, 2, "-1") == 0);
    a9a.replace(0, 2, "+1");
    write_file(t2.file("adult/" + name), a9a);
    SourceSpec adult;
    adult.name = "adult";
    adult.data_dir = t2.path.string();
    msg = user_error([&] { load_named(adult); });
    CHECK(contains(msg, t2.file("adult/" + name)));
    CHECK(contains(msg, "checksum mismatch"));
    CHECK(check_known(known_file(name), {t2.path.string()}).status == Verdict::kMismatch);

    // A truncated gzip file.
    const std::string gz = slurp(src);
    write_file(t2.file("cut/" + name + ".gz"), gz.substr(0, gz.size() / 2));
    adult.data_dir = t2.file("cut");
    msg = user_error([&] { load_named(adult); });
    CHECK(contains(msg, t2.file("cut/" + name + ".gz")));
    CHECK(contains(msg, "gzip"));
  }
}

TEST_CASE("datasets: search path: --data-dir first, then HDS_DATA_DIR, then ~/.cache/hds") {
  const char* env = std::getenv("HDS_DATA_DIR");
  const std::string saved = env ? env : "";
  set_data_dir("/first");
  setenv("HDS_DATA_DIR", "/second", 1);
  const std::vector<std::string> dirs = search_path();
  set_data_dir("");
  if (env) setenv("HDS_DATA_DIR", saved.c_str(), 1);
  else unsetenv("HDS_DATA_DIR");
  REQUIRE(dirs.size() >= 2);
  CHECK(dirs[0] == "/first");
  CHECK(dirs[1] == "/second");
  CHECK(search_path("/only") == std::vector<std::string>{"/only"});
}
