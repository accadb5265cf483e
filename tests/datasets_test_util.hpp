// Helpers shared by the data-set tests: the shared data folder (required, never skipped), temporary
// folders and files, and checking that a call fails with a one-line UserError naming a file.
#pragma once
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"

namespace hds::test {

// The shared data folder from HDS_DATA_DIR; a missing folder fails the test instead of skipping it.
inline std::string shared_data_dir() {
  const char* dir = std::getenv("HDS_DATA_DIR");
  REQUIRE_MESSAGE(dir != nullptr, "HDS_DATA_DIR is not set; ctest sets it to the shared data folder");
  REQUIRE_MESSAGE(std::filesystem::is_directory(dir), "HDS_DATA_DIR=" << dir << " is not a directory");
  return dir;
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
