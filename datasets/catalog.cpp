// The known data files (the one table of names, sizes and checksums), the search path, and
// verification. Checksums are from /work/shared/datasets (README.md, SHA256SUMS); where no reference
// checksum is known (the full official CIFAR-10 files) the entry is empty and verify says so.
#include "datasets/catalog.hpp"

#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>

#include <sys/stat.h>
#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/formats.hpp"
#include "datasets/sha256.hpp"

namespace hds::data {
namespace {

const std::string kLecun = "http://yann.lecun.com/exdb/mnist/";
// The mirror torchvision documents for MNIST, same .gz files.
const std::string kMnistMirror = "https://ossci-datasets.s3.amazonaws.com/mnist/";
const std::string kLibsvm = "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/";
// The CIFAR-10 binary files are published only inside this tarball (fetch.cpp unpacks it).
const std::string kCifarTar = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";

KnownFile fixture(const std::string& set, const std::string& name, uint64_t bytes, const std::string& sha256,
                  long records, const std::string& stands_for) {
  KnownFile f{set, name, {}, bytes, sha256, 0, "", records, Role::kFixture,
              fmt::format("TEST FIXTURE: the first {} records of {} (tests/fixtures), not the full data set", records,
                          stands_for),
              {}};
  f.stands_for = stands_for;
  return f;
}

std::vector<KnownFile> make_table() {
  const std::string cifar_full = "the full official batch";
  std::vector<KnownFile> t = {
      // MNIST: uncompressed content identical to the official release; .gz is the shared copy.
      {"mnist", "train-images-idx3-ubyte", {}, 47040016,
       "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 9719438,
       "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971", 60000, Role::kRequired, "",
       {kLecun + "train-images-idx3-ubyte.gz", kMnistMirror + "train-images-idx3-ubyte.gz"}},
      {"mnist", "train-labels-idx1-ubyte", {}, 60008,
       "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 28857,
       "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203", 60000, Role::kRequired, "",
       {kLecun + "train-labels-idx1-ubyte.gz", kMnistMirror + "train-labels-idx1-ubyte.gz"}},
      {"mnist", "t10k-images-idx3-ubyte", {}, 7840016,
       "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 1616508,
       "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be", 10000, Role::kRequired, "",
       {kLecun + "t10k-images-idx3-ubyte.gz", kMnistMirror + "t10k-images-idx3-ubyte.gz"}},
      {"mnist", "t10k-labels-idx1-ubyte", {}, 10008,
       "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 4517,
       "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b", 10000, Role::kRequired, "",
       {kLecun + "t10k-labels-idx1-ubyte.gz", kMnistMirror + "t10k-labels-idx1-ubyte.gz"}},
      // CIFAR-10: the official batches (no reference sha256 known), or the shared subset.
      {"cifar", "data_batch_1.bin", {}, 30730000, "", 0, "", 10000, Role::kFull, "", {kCifarTar}},
      {"cifar", "data_batch_2.bin", {}, 30730000, "", 0, "", 10000, Role::kFull, "", {kCifarTar}},
      {"cifar", "data_batch_3.bin", {}, 30730000, "", 0, "", 10000, Role::kFull, "", {kCifarTar}},
      {"cifar", "data_batch_4.bin", {}, 30730000, "", 0, "", 10000, Role::kFull, "", {kCifarTar}},
      {"cifar", "data_batch_5.bin", {}, 30730000, "", 0, "", 10000, Role::kFull, "", {kCifarTar}},
      {"cifar", "test_batch.bin", {}, 30730000, "", 0, "", 10000, Role::kFull, "", {kCifarTar}},
      {"cifar", "data_batch_1_first4000.bin", {}, 12292000,
       "0993cf8b8e43bc207603aef9787006995746513f5e3fa5a52e06d1b069926330", 0, "", 4000, Role::kSubset,
       "subset: first 4000 records of data_batch_1.bin (4000 of the 50000 training images)", {}},
      {"cifar", "test_batch_first1000.bin", {}, 3073000,
       "8314c96d7cd65618193bab23acdd5d4c4af15bf6dd00a1781d55beedf3be1ef5", 0, "", 1000, Role::kSubset,
       "subset: first 1000 records of test_batch.bin (1000 of the 10000 test images)", {}},
      {"cifar", "batches.meta.txt", {}, 61, "558e74b5e208382e186da55784b4bac2cd52e558448e1b5800990fdb28ed8033", 0,
       "", 10, Role::kOptional, "class names only, not needed for loading", {kCifarTar}},
      // CONNECT: LIBSVM connect-4 (shared as connect-4.libsvm.gz, same content).
      {"connect", "connect-4", {"connect-4.libsvm"}, 14744061,
       "6fd5ca7fb3d027ab19412a3ee4af7f9198a699064bc478cfc915b208a7addcac", 374238,
       "1125313a88af3cdec142530851bbf296c79882405a408373037d1e096a640592", 67557, Role::kRequired, "",
       {kLibsvm + "multiclass/connect-4"}},
      // ADULT: LIBSVM a9a and a9a.t; the a5a splits (Fuel) only from a local copy.
      {"adult", "a9a", {}, 2329875, "f5d5ffd8d865ff41328e7ee043e4b020816914ff6843ff15b98905ddbedce906", 197533,
       "b301f3e87350539f3ebc751d07b4691a8c66f0bf38c1d179c86bbf5e2d9623b2", 32561, Role::kRequired, "",
       {kLibsvm + "binary/a9a"}},
      {"adult", "a9a.t", {}, 1164628, "1f448a153f0320399a7e40836eb207655b0bde0f21fc941cc472193daa9f5de9", 99153,
       "92967561181c73a60149cc8221b936eb746573fda8cbf483115d673f42b26c3f", 16281, Role::kRequired, "",
       {kLibsvm + "binary/a9a.t"}},
      {"adult", "a5a_train.libsvm", {}, 357718, "fec00da4593cec3adea33986d958ceb3434c0e635e6e7495f3c1f6d4a64b54fa",
       30961, "cf6f5f0bab722f8470464361fb4191b7c4941ff7421b3ef6513591e02cf33467", 5000, Role::kOptional,
       "Larochelle-style split as shipped with Fuel", {}},
      {"adult", "a5a_valid.libsvm", {}, 101174, "c54b5973ca19d03a8d153ffbdf0a5114fff5d587ea1d2589dfa4865526b91826",
       9025, "9cc622fad445e7b4654201446e6dfc47d1c4cfe9c530d54d3abf991efd11d5a6", 1414, Role::kOptional,
       "Larochelle-style split as shipped with Fuel", {}},
      {"adult", "a5a_test.libsvm", {}, 1870983, "9ddbc60c0a3c5a8249e51f663d7110c4050e40d67301640418e9f44186db1bd1",
       158741, "2ddf16e6150c326847ee69aa0e438a7bb5bafa7ea383fed504293e6ee66a43fc", 26147, Role::kOptional,
       "Larochelle-style split as shipped with Fuel; overlaps a9a's training rows", {}},
      // Test fixtures (tests/fixtures/make_fixtures.py): the first records of the files they stand for.
      fixture("mnist", "train-images-idx3-ubyte_first300", 235216,
              "f04278f7eeed20dddd03166a02df7b54f590a2edd1fce84ec19546d736971d2c", 300, "train-images-idx3-ubyte"),
      fixture("mnist", "train-labels-idx1-ubyte_first300", 308,
              "e3a52ff91522f3a4f74e3a413a2dda110cc30f335950da02f1ef99b23e3cf0e6", 300, "train-labels-idx1-ubyte"),
      fixture("mnist", "t10k-images-idx3-ubyte_first100", 78416,
              "806da1c8626ed91a2ec572ed80666121226e1de20cec504c2787812cac71d159", 100, "t10k-images-idx3-ubyte"),
      fixture("mnist", "t10k-labels-idx1-ubyte_first100", 108,
              "1a053e1de7d8946ac62b3ae5a196d52d2e96bc66fd695815a7e29f0310f9c031", 100, "t10k-labels-idx1-ubyte"),
      fixture("cifar", "data_batch_1_first120.bin", 368760,
              "f936a798592299678caa70b6469b35d648ccd64820ae353b28a312e1be01efe7", 120, "data_batch_1_first4000.bin"),
      fixture("cifar", "test_batch_first40.bin", 122920,
              "64d120645d7ab46d482fd959afcec14a3e9fe78df6077c87ce7961e9a37abbea", 40, "test_batch_first1000.bin"),
      fixture("connect", "connect-4_first300", 65473,
              "d107c218e0607d9b25daf7d2c183eabacd9e894134454fbc9d16f87532c470cc", 300, "connect-4"),
      fixture("adult", "a9a_first300", 21463, "2aae08bd238103a6536a9fa393153c47c0e4b34fb4cd8539dff356a5d072d4b1",
              300, "a9a"),
      fixture("adult", "a9a.t_first100", 7136, "c713091b489824f78b64662cc3ea38c3a913d0409f2c0ccc83ea93d755d15d2e",
              100, "a9a.t"),
  };
  return t;
}

std::mutex dir_mutex;
std::string& data_dir_override() {
  static std::string dir;
  return dir;
}

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string short_hash(const std::string& h) { return h.substr(0, 12) + "..."; }

}  // namespace

const std::vector<KnownSet>& known_sets() {
  static const std::vector<KnownSet> sets = {
      {"mnist", "MNIST handwritten digits, 784-d, pixels/255", {"mnist"}},
      {"cifar", "CIFAR-10 in gray, 1024-d, (w_R R + w_G G + w_B B)/255",
       {"cifar10", "cifar-10-batches-bin", "cifar10/cifar-10-batches-bin"}},
      {"connect", "CONNECT (LIBSVM connect-4), 126-d binary", {"connect"}},
      {"adult", "ADULT (LIBSVM a9a), 123-d binary", {"adult"}},
  };
  return sets;
}

const KnownSet& known_set(const std::string& name) {
  for (const KnownSet& s : known_sets())
    if (s.name == name) return s;
  throw UserError(fmt::format("unknown data set '{}', expected one of mnist, cifar, connect, adult", name));
}

const std::vector<KnownFile>& known_files() {
  static const std::vector<KnownFile> table = make_table();
  return table;
}

const KnownFile& known_file(const std::string& name) {
  for (const KnownFile& f : known_files())
    if (f.name == name) return f;
  throw std::logic_error("no known data file named " + name);
}

void set_data_dir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(dir_mutex);
  data_dir_override() = dir;
}

std::vector<std::string> search_path(const std::string& override_dir) {
  if (!override_dir.empty()) return {override_dir};
  std::vector<std::string> dirs;
  {
    std::lock_guard<std::mutex> lock(dir_mutex);
    if (!data_dir_override().empty()) dirs.push_back(data_dir_override());
  }
  if (const char* env = std::getenv("HDS_DATA_DIR"); env && *env) dirs.emplace_back(env);
  if (const char* home = std::getenv("HOME"); home && *home) dirs.push_back(std::string(home) + "/.cache/hds");
  return dirs;
}

std::string locate(const KnownFile& file, const std::vector<std::string>& dirs) {
  std::vector<std::string> names = {file.name};
  names.insert(names.end(), file.also.begin(), file.also.end());
  std::vector<std::string> folders = {""};
  for (const std::string& f : known_set(file.set).folders) folders.push_back(f + "/");
  for (const std::string& dir : dirs)
    for (const std::string& folder : folders)
      for (const std::string& name : names)
        for (const char* ext : {"", ".gz"}) {
          const std::string path = dir + "/" + folder + name + ext;
          if (is_file(path)) return path;
        }
  return "";
}

const KnownFile& available(const std::string& name, const std::vector<std::string>& dirs) {
  const KnownFile& f = known_file(name);
  if (!locate(f, dirs).empty()) return f;
  for (const KnownFile& g : known_files())
    if (g.role == Role::kFixture && g.stands_for == name && !locate(g, dirs).empty()) return g;
  return f;
}

std::string searched_places(const std::string& set, const std::vector<std::string>& dirs) {
  if (dirs.empty()) return "(no data directory: set --data-dir or HDS_DATA_DIR)";
  std::string out;
  for (const std::string& dir : dirs) {
    out += (out.empty() ? "" : ", ") + dir;
    for (const std::string& f : known_set(set).folders) out += ", " + dir + "/" + f;
  }
  return out;
}

Verdict verify_file(const KnownFile& file, const std::string& path) {
  const std::string disk = sha256_file(path);
  if (!file.gz_sha256.empty() && disk == file.gz_sha256)
    return {Verdict::kVerified, path, "sha256 matches the shared .gz copy"};
  if (!file.sha256.empty() && disk == file.sha256) return {Verdict::kVerified, path, "sha256 matches"};
  std::string content;
  try {
    content = read_file_bytes(path, "");
  } catch (const UserError& e) {
    return {Verdict::kMismatch, path, e.what()};
  }
  if (file.sha256.empty()) {
    const PartialCheck c = check_unreferenced(file, content);
    return {c.ok ? Verdict::kNoReference : Verdict::kMismatch, path, c.detail};
  }
  const std::string got = sha256_bytes(content);
  if (got == file.sha256) return {Verdict::kVerified, path, "sha256 of the decompressed content matches"};
  return {Verdict::kMismatch, path,
          fmt::format("sha256 {} ({} bytes), expected {} ({} bytes); the file is damaged or another version",
                      short_hash(got), content.size(), short_hash(file.sha256), file.bytes)};
}

PartialCheck check_unreferenced(const KnownFile& file, const std::string& content) {
  if (content.size() != file.bytes)
    return {false, fmt::format("no reference checksum, and the size is {} bytes, expected {}", content.size(), file.bytes)};
  // The shared subsets are the first records of these two batches, with known checksums.
  const char* subset = file.name == "data_batch_1.bin" ? "data_batch_1_first4000.bin"
                       : file.name == "test_batch.bin" ? "test_batch_first1000.bin"
                                                       : nullptr;
  if (subset == nullptr)
    return {true, fmt::format("UNVERIFIED: no reference checksum is known for {}; only its size ({} bytes) was "
                              "checked", file.name, file.bytes)};
  const KnownFile& part = known_file(subset);
  const std::string got = sha256_bytes(content.substr(0, part.bytes));
  if (got != part.sha256)
    return {false, fmt::format("its first {} records have sha256 {}, but the published ones ({}) have {}; the file is "
                               "damaged or another version",
                               part.records, short_hash(got), subset, short_hash(part.sha256))};
  return {true, fmt::format("first {} records verified (sha256 of {}); the other {} are UNVERIFIED: no reference "
                            "checksum is known for {}",
                            part.records, subset, file.records - part.records, file.name)};
}

Verdict check_known(const KnownFile& file, const std::vector<std::string>& dirs) {
  const std::string path = locate(file, dirs);
  if (path.empty()) return {Verdict::kMissing, "", "not found"};
  return verify_file(file, path);
}

SetStatus check_set(const std::string& set, const std::vector<std::string>& dirs) {
  known_set(set);
  SetStatus st;
  std::map<std::string, bool> good;  // by file name
  for (const KnownFile& f : known_files()) {
    if (f.set != set) continue;
    const Verdict v = check_known(f, dirs);
    good[f.name] = v.status == Verdict::kVerified || v.status == Verdict::kNoReference;
    st.damaged = st.damaged || v.status == Verdict::kMismatch;
    st.files.emplace_back(&f, v);
  }
  // A file is usable itself, or through a good fixture standing for it.
  auto usable = [&](const KnownFile& f, bool& through_fixture) {
    if (good[f.name]) return true;
    for (const KnownFile& g : known_files())
      if (g.role == Role::kFixture && g.stands_for == f.name && good[g.name]) return through_fixture = true;
    return false;
  };
  bool required = true, full = true, subset = true, via_fixture = false, subset_via_fixture = false;
  for (const KnownFile& f : known_files()) {
    if (f.set != set) continue;
    if (f.role == Role::kRequired) required = usable(f, via_fixture) && required;
    if (f.role == Role::kFull) full = good[f.name] && full;
    if (f.role == Role::kSubset) subset = usable(f, subset_via_fixture) && subset;
  }
  const bool has_variants = set == "cifar";
  st.usable = required && (!has_variants || full || subset);
  st.subset = via_fixture || (has_variants && !full && subset);
  return st;
}

}  // namespace hds::data
