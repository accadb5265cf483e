// Helpers shared by the data-set tests: the fixture and full data folders, temporary
// folders and files, and checking that a call fails with a one-line UserError naming a file.
#pragma once
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <vector>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"

namespace hds::test {

// The fixture data folder in the repository (tests/fixtures/data): the first records of each set.
inline std::string fixture_data_dir() {
  const std::string dir = std::string(HDS_SOURCE_DIR) + "/tests/fixtures/data";
  REQUIRE_MESSAGE(std::filesystem::is_directory(dir), dir << " is missing; run tests/fixtures/make_fixtures.py");
  return dir;
}

// A data folder the tests run on: the fixtures always, the full data (HDS_DATA_DIR, which ctest sets to
// ../shared/datasets when that exists) whenever it is there. Says which on stdout.
struct DataDir {
  std::string path;
  bool full;
};
inline std::vector<DataDir> data_dirs() {
  std::vector<DataDir> dirs = {{fixture_data_dir(), false}};
  const char* env = std::getenv("HDS_DATA_DIR");
  if (env && *env && std::filesystem::is_directory(env)) {
    dirs.push_back({env, true});
    std::printf("full-data checks: ran on %s\n", env);
  } else {
    std::printf("full-data checks: not run, no data set directory found (HDS_DATA_DIR=%s); fixture checks ran\n",
                env ? env : "(unset)");
  }
  return dirs;
}

// A fresh empty directory, removed when the object goes out of scope.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hds-data-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline void write_file(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// The message of the UserError that `fn` throws; fails when it throws nothing or something else.
template <class Fn>
std::string user_error(Fn&& fn) {
  try {
    fn();
  } catch (const hds::UserError& e) {
    const std::string msg = e.what();
    CHECK_MESSAGE(msg.find('\n') == std::string::npos, "message is not one line: " << msg);
    return msg;
  } catch (const std::exception& e) {
    FAIL("expected hds::UserError, got another exception: " << e.what());
  }
  FAIL("expected hds::UserError, nothing was thrown");
  return "";
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace hds::test
