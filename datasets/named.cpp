// load_named(): the paper's data sets (MNIST, CIFAR-10 gray, CONNECT, ADULT) from the search path,
// each file checked against the known size and checksum before use.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/catalog.hpp"
#include "datasets/formats.hpp"
#include "datasets/loaders.hpp"
#include "datasets/sha256.hpp"

namespace hds::data {
namespace {

struct Opened {
  std::string bytes;  // decompressed content
  FileRecord record;
};

std::string fix_advice(const std::string& set) {
  return fmt::format("run 'hds data verify' and 'hds data fetch {}'", set);
}

// Reads a known file from the search path; the checks that need the decoded content are done by
// check_records() and check_content() after decoding, so format errors are reported first.
Opened open_known(const KnownFile& f, const std::vector<std::string>& dirs) {
  const std::string path = locate(f, dirs);
  if (path.empty())
    throw UserError(fmt::format("{} data: {} (or {}.gz) not found in {}; run 'hds data fetch {}' or point "
                                "--data-dir / HDS_DATA_DIR at a folder holding it",
                                f.set, f.name, f.name, searched_places(f.set, dirs), f.set));
  Opened o;
  o.bytes = read_file_bytes(path, fix_advice(f.set));
  o.record = record_file(path, f.note);
  return o;
}

// Throws when the content is not the known file's. A file without a reference checksum is checked as
// far as it can be, and said to be unverified: in its provenance note and on stderr, once per load.
void check_content(const KnownFile& f, Opened& o, long records) {
  if (records != f.records)
    throw UserError(fmt::format("{}: has {} records, but {} has {}; {}", o.record.path, records, f.name, f.records,
                                fix_advice(f.set)));
  if (f.sha256.empty()) {
    const PartialCheck c = check_unreferenced(f, o.bytes);
    if (!c.ok) throw UserError(fmt::format("{}: {}; {}", o.record.path, c.detail, fix_advice(f.set)));
    o.record.note = c.detail;
    fmt::print(stderr, "hds: warning: {}: {} (sha256 {} recorded in the result)\n", o.record.path, c.detail,
               o.record.sha256);
    return;
  }
  const std::string got = sha256_bytes(o.bytes);
  if (got != f.sha256)
    throw UserError(fmt::format("{}: checksum mismatch: content sha256 {}, expected {} ({}); the file is damaged or "
                                "another version; {}",
                                o.record.path, got, f.sha256, f.name, fix_advice(f.set)));
}

// Appends the columns and labels of `part` to `all`.
void append(LoadedSet& all, LoadedSet&& part) {
  if (all.X.size() == 0) {
    all.X = std::move(part.X);
  } else {
    const long old = all.X.cols();
    all.X.conservativeResize(Eigen::NoChange, old + part.X.cols());
    all.X.rightCols(part.X.cols()) = part.X;
  }
  all.labels.insert(all.labels.end(), part.labels.begin(), part.labels.end());
  all.files.insert(all.files.end(), part.files.begin(), part.files.end());
}

std::vector<std::string> split_parts(const SourceSpec& spec, const std::vector<std::string>& allowed) {
  for (const std::string& s : allowed)
    if (spec.split == s) return s == "all" ? std::vector<std::string>{"train", "test"} : std::vector<std::string>{s};
  std::string list;
  for (const std::string& s : allowed) list += (list.empty() ? "" : ", ") + s;
  throw UserError(fmt::format("{}: split '{}' is not one of {}", spec.name, spec.split, list));
}

// "; note1; note2" for descriptions, "" without notes.
std::string joined(const std::vector<std::string>& notes) {
  std::string out;
  for (const std::string& n : notes) out += "; " + n;
  return out;
}

LoadedSet load_mnist(const SourceSpec& spec, const std::vector<std::string>& dirs) {
  LoadedSet all;
  std::vector<std::string> notes;
  for (const std::string& part : split_parts(spec, {"train", "test", "all"})) {
    const std::string prefix = part == "train" ? "train" : "t10k";
    const KnownFile& fi = available(prefix + "-images-idx3-ubyte", dirs);
    const KnownFile& fl = available(prefix + "-labels-idx1-ubyte", dirs);
    Opened oi = open_known(fi, dirs);
    LoadedSet set = decode_idx_images(oi.bytes, oi.record.path, fix_advice("mnist"));
    check_content(fi, oi, set.X.cols());
    Opened ol = open_known(fl, dirs);
    set.labels = decode_idx_labels(ol.bytes, ol.record.path, fix_advice("mnist"));
    check_content(fl, ol, static_cast<long>(set.labels.size()));
    set.files = {oi.record, ol.record};
    for (const KnownFile* f : {&fi, &fl})
      if (f->role == Role::kFixture && std::find(notes.begin(), notes.end(), f->note) == notes.end())
        notes.push_back(f->note);
    append(all, std::move(set));
  }
  all.description = fmt::format("MNIST {} ({} x 784, pixels/255{})", spec.split, all.X.cols(), joined(notes));
  return all;
}

LoadedSet load_cifar(const SourceSpec& spec, const std::vector<std::string>& dirs) {
  LoadedSet all;
  std::vector<std::string> notes;
  for (const std::string& part : split_parts(spec, {"train", "test", "all"})) {
    // The full official batches when all of them are present, else the shared subset.
    std::vector<std::string> full = {"test_batch.bin"};
    if (part == "train") full = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                                 "data_batch_5.bin"};
    bool have_full = true;
    for (const std::string& name : full) have_full = have_full && !locate(known_file(name), dirs).empty();
    const std::vector<std::string> names =
        have_full ? full
                  : std::vector<std::string>{part == "train" ? "data_batch_1_first4000.bin" : "test_batch_first1000.bin"};
    for (const std::string& name : names) {
      const KnownFile& f = available(name, dirs);
      Opened o = open_known(f, dirs);
      LoadedSet set = decode_cifar(o.bytes, o.record.path, spec.gray, fix_advice("cifar"));
      check_content(f, o, set.X.cols());
      set.files = {o.record};
      if (!f.note.empty()) notes.push_back(f.note);
      append(all, std::move(set));
    }
  }
  std::string what = notes.empty() ? "full official batches, UNVERIFIED: no reference sha256 known" : "";
  for (const std::string& n : notes) what += (what.empty() ? "" : "; ") + n;
  all.description = fmt::format("CIFAR-10 {} ({} x 1024, gray = ({} R + {} G + {} B)/255; {})", spec.split,
                                all.X.cols(), spec.gray[0], spec.gray[1], spec.gray[2], what);
  return all;
}

// Reads the LIBSVM files; `notes` gets the note of each fixture used in place of one.
LoadedSet load_libsvm_files(const SourceSpec& spec, const std::vector<std::string>& names, int dim,
                            std::vector<std::string>& notes) {
  LoadedSet all;
  const std::vector<std::string> dirs = search_path(spec.data_dir);
  for (const std::string& name : names) {
    const KnownFile& f = available(name, dirs);
    Opened o = open_known(f, dirs);
    LoadedSet set = decode_libsvm(o.bytes, o.record.path, dim, fix_advice(f.set));
    check_content(f, o, set.X.cols());
    if (f.role == Role::kFixture) notes.push_back(f.note);
    set.files = {o.record};
    append(all, std::move(set));
  }
  return all;
}

LoadedSet load_connect(const SourceSpec& spec) {
  // connect-4 has no published test split: train and all are the whole file.
  if (spec.split != "train" && spec.split != "all")
    throw UserError(fmt::format("connect: split '{}' is not one of train, all (connect-4 has no test split)",
                                spec.split));
  std::vector<std::string> notes;
  LoadedSet all = load_libsvm_files(spec, {"connect-4"}, 126, notes);
  all.description = fmt::format("CONNECT (LIBSVM connect-4, {} x 126, binary{})", all.X.cols(), joined(notes));
  return all;
}

LoadedSet load_adult(const SourceSpec& spec) {
  std::vector<std::string> names;
  if (spec.split == "train") names = {"a9a"};
  else if (spec.split == "test") names = {"a9a.t"};
  else if (spec.split == "all") names = {"a9a", "a9a.t"};
  else if (spec.split == "a5a_train" || spec.split == "a5a_valid" || spec.split == "a5a_test")
    names = {spec.split + ".libsvm"};
  else
    throw UserError(fmt::format("adult: split '{}' is not one of train, test, all, a5a_train, a5a_valid, a5a_test",
                                spec.split));
  // The dimension is fixed: a9a.t never uses feature 123, but it is the same encoding.
  std::vector<std::string> notes;
  LoadedSet all = load_libsvm_files(spec, names, 123, notes);
  std::string files;
  for (const std::string& n : names) files += (files.empty() ? "" : " + ") + n;
  all.description =
      fmt::format("ADULT {} (LIBSVM {}, {} x 123, binary{})", spec.split, files, all.X.cols(), joined(notes));
  return all;
}

}  // namespace

LoadedSet load_named(const SourceSpec& spec) {
  const std::vector<std::string> dirs = search_path(spec.data_dir);
  if (spec.name == "mnist") return load_mnist(spec, dirs);
  if (spec.name == "cifar") return load_cifar(spec, dirs);
  if (spec.name == "connect") return load_connect(spec);
  if (spec.name == "adult") return load_adult(spec);
  throw UserError(fmt::format("unknown data source '{}', expected one of rand, randn, npy, csv, mnist, cifar, "
                              "connect, adult",
                              spec.name));
}

}  // namespace hds::data
