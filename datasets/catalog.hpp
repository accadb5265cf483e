// The paper's data files: one table of every known file (name, size, sha256, where it is published),
// the data search path, and verification of a file on disk against the table.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hds::data {

// How a set uses a file: always, as part of the full official release, as the shared subset used
// when the full release is absent, only for some splits, or as a test fixture (tests/fixtures: the
// first few hundred records, used in place of the file it `stands_for` when that is absent).
enum class Role { kRequired, kFull, kSubset, kOptional, kFixture };

struct KnownFile {
  std::string set;                  // mnist | cifar | connect | adult
  std::string name;                 // the publisher's name, uncompressed
  std::vector<std::string> also;    // other names it may have on disk (each also accepted with .gz)
  uint64_t bytes;                   // uncompressed size
  std::string sha256;               // of the uncompressed content; empty: no reference checksum known
  uint64_t gz_bytes;                // the shared `gzip -n -9` copy; 0 when there is none
  std::string gz_sha256;
  long records;                     // patterns (or labels) in the file
  Role role;
  std::string note;                 // said wherever the file is used (e.g. that it is a subset)
  std::vector<std::string> urls;    // publisher (then mirror) addresses for `hds data fetch`
  std::string stands_for = {};      // kFixture: the file it replaces when that one is not found
};

struct KnownSet {
  std::string name;                 // as in experiment files
  std::string title;                // one line for `hds data list`
  std::vector<std::string> folders; // subfolders of a data directory that may hold its files
};

const std::vector<KnownSet>& known_sets();
const KnownSet& known_set(const std::string& name);  // throws hds::UserError for an unknown name
const std::vector<KnownFile>& known_files();
const KnownFile& known_file(const std::string& name);  // by publisher's name; throws std::logic_error

// The process-wide --data-dir, searched first (`hds run --data-dir` sets it).
void set_data_dir(const std::string& dir);
// Directories searched for data, in order: `override_dir` alone when not empty; otherwise the
// --data-dir, then $HDS_DATA_DIR, then ~/.cache/hds.
std::vector<std::string> search_path(const std::string& override_dir = "");
// Where a file is on the search path (flat or in one of the set's folders, plain or .gz); "" if nowhere.
std::string locate(const KnownFile& file, const std::vector<std::string>& dirs);
// The file to read for `name`: itself when found, else a found fixture that stands for it, else
// itself (so that the error names the real file).
const KnownFile& available(const std::string& name, const std::vector<std::string>& dirs);
// "d1, d1/mnist, d2, ..." for messages.
std::string searched_places(const std::string& set, const std::vector<std::string>& dirs);

struct Verdict {
  enum Status { kMissing, kVerified, kNoReference, kMismatch } status;
  std::string path;    // where it was found
  std::string detail;  // one line: what matched or what differed
};
// Checks the file at `path` (plain or gzip) against the table: the sha256 of the bytes on disk, or
// of the decompressed content, must equal a reference. Without a reference, only the size is checked.
Verdict verify_file(const KnownFile& file, const std::string& path);
// A file without a reference checksum (the full official CIFAR-10 batches) can be checked only in
// part: its size, and for data_batch_1.bin and test_batch.bin their first records against the shared
// subset cut from them. `detail` says what was checked and that the rest is UNVERIFIED.
struct PartialCheck {
  bool ok;
  std::string detail;
};
PartialCheck check_unreferenced(const KnownFile& file, const std::string& content);
// Locates and verifies.
Verdict check_known(const KnownFile& file, const std::vector<std::string>& dirs);

// Every file of a set, located and verified, and whether a loader can use what is there.
struct SetStatus {
  std::vector<std::pair<const KnownFile*, Verdict>> files;  // in table order
  bool usable = false;   // every required file (for CIFAR: the full batches or the subset) is good
  bool subset = false;   // usable only through the shared subset or the fixture files
  bool damaged = false;  // some file was found but does not match its reference
};
SetStatus check_set(const std::string& set, const std::vector<std::string>& dirs);

}  // namespace hds::data
