// `hds data fetch`: import from a local copy or download with the curl program (a separate program
// rather than libcurl: no extra build dependency, and curl already does retries, resume and progress).
#include "datasets/fetch.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.hpp"
#include "datasets/sha256.hpp"

extern char** environ;

namespace hds::data {
namespace fs = std::filesystem;
namespace {

// md5 of cifar-10-binary.tar.gz as published on https://www.cs.toronto.edu/~kriz/cifar.html.
const char* kCifarTarMd5 = "c32a1d4ab5d03f1284b67883e8d87530";

std::string folder_of(const std::string& set) { return known_set(set).folders.front(); }

void remove_quietly(const fs::path& p) {
  std::error_code ec;
  fs::remove_all(p, ec);
}

// Checks a freshly written temporary file, then renames it to `final_path`; removes it when bad.
void verify_and_commit(const KnownFile& f, const fs::path& tmp, const fs::path& final_path, std::FILE* log) {
  const Verdict v = verify_file(f, tmp.string());
  if (v.status == Verdict::kMismatch || v.status == Verdict::kMissing) {
    remove_quietly(tmp);
    throw UserError(fmt::format("{}: {}; nothing was kept", final_path.string(), v.detail));
  }
  fs::rename(tmp, final_path);
  fmt::print(log, "  {:<28} {}  ({})\n", f.name, final_path.string(),
             v.status == Verdict::kVerified ? "verified" : v.detail);
}

void import_from(const std::string& set, const std::string& from_dir, const fs::path& dest, std::FILE* log) {
  int copied = 0;
  for (const KnownFile& f : known_files()) {
    if (f.set != set) continue;
    const std::string src = locate(f, {from_dir});
    if (src.empty()) continue;
    const fs::path final_path = dest / fs::path(src).filename();
    if (fs::exists(final_path) && fs::equivalent(src, final_path)) continue;
    const fs::path tmp = final_path.string() + ".part";
    std::error_code ec;
    fs::copy_file(src, tmp, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      remove_quietly(tmp);
      throw UserError(fmt::format("{}: cannot copy to {} ({})", src, tmp.string(), ec.message()));
    }
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                             fs::perms::others_read, ec);
    verify_and_commit(f, tmp, final_path, log);
    ++copied;
  }
  if (copied == 0)
  {
    std::string names;
    for (const KnownFile& f : known_files())
      if (f.set == set) names += (names.empty() ? "" : ", ") + f.name;
    throw UserError(fmt::format("{}: no file of the {} data set ({}, plain or .gz) found in {}; point --from at "
                                "the folder holding them",
                                from_dir, set, names, searched_places(set, {from_dir})));
  }
}

// Runs curl; returns its exit status (127 when curl cannot be started).
int run_curl(const std::string& url, const fs::path& out) {
  std::vector<std::string> args = {"curl", "-fL", "--retry", "3", "--retry-delay", "2", "--connect-timeout", "20",
                                   "-C", "-", "-o", out.string(), url};
  args.insert(args.begin() + 1, isatty(STDERR_FILENO) ? "--progress-bar" : "-s");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, "curl", nullptr, nullptr, argv.data(), environ) != 0) return 127;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string curl_reason(int code) {
  static const std::map<int, std::string> reasons = {
      {6, "could not resolve the host: no network?"}, {7, "could not connect: no network?"},
      {22, "the server answered with an HTTP error"}, {28, "timed out"},
      {35, "TLS handshake failed"},                   {56, "the connection broke"},
      {127, "the 'curl' program was not found; install curl"}};
  const auto it = reasons.find(code);
  return it == reasons.end() ? fmt::format("curl exit status {}", code) : it->second;
}

// Downloads one address into `part` (resuming it), trying each address in turn.
void download(const std::vector<std::string>& urls, const fs::path& part, const std::string& set, std::FILE* log) {
  std::string failures;
  for (const std::string& url : urls) {
    fmt::print(log, "  downloading {}\n", url);
    std::fflush(log);
    int code = run_curl(url, part);
    if (code == 33 || code == 36) {  // the server cannot resume: start over
      remove_quietly(part);
      code = run_curl(url, part);
    }
    if (code == 0) return;
    failures += fmt::format("{}{} ({})", failures.empty() ? "" : "; ", url, curl_reason(code));
    if (code == 127) break;
  }
  throw UserError(fmt::format("could not download {}: {}; download the files elsewhere and run 'hds data fetch {} "
                              "--from DIR'",
                              part.stem().string(), failures, set));
}

void download_cifar(const fs::path& dest, std::FILE* log) {
  const fs::path part = dest / "cifar-10-binary.tar.gz.part";
  download({known_file("test_batch.bin").urls.front()}, part, "cifar", log);
  const std::string md5 = md5_file(part.string());
  if (md5 != kCifarTarMd5) {
    remove_quietly(part);
    throw UserError(fmt::format("{}: md5 {}, expected {} as published; the download is damaged, run the fetch again",
                                part.string(), md5, kCifarTarMd5));
  }
  const fs::path unpack = dest / ".unpack.tmp";
  remove_quietly(unpack);
  fs::create_directories(unpack);
  std::vector<std::string> args = {"tar", "-xzf", part.string(), "-C", unpack.string()};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  int status = 0;
  if (posix_spawnp(&pid, "tar", nullptr, nullptr, argv.data(), environ) != 0 || waitpid(pid, &status, 0) < 0 ||
      !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    remove_quietly(unpack);
    throw UserError(fmt::format("{}: could not unpack with 'tar -xzf'; check that tar is installed", part.string()));
  }
  for (const KnownFile& f : known_files()) {
    if (f.set != "cifar" || f.role == Role::kSubset) continue;
    const fs::path src = unpack / "cifar-10-batches-bin" / f.name;
    if (!fs::exists(src)) continue;
    verify_and_commit(f, src, dest / f.name, log);
  }
  remove_quietly(unpack);
  remove_quietly(part);
}

void download_set(const std::string& set, const fs::path& dest, std::FILE* log) {
  if (set == "cifar") return download_cifar(dest, log);
  for (const KnownFile& f : known_files()) {
    if (f.set != set || f.urls.empty()) continue;
    const bool gz = f.urls.front().size() > 3 && f.urls.front().compare(f.urls.front().size() - 3, 3, ".gz") == 0;
    const fs::path final_path = dest / (f.name + (gz ? ".gz" : ""));
    if (fs::exists(final_path) && verify_file(f, final_path.string()).status == Verdict::kVerified) {
      fmt::print(log, "  {:<28} {}  (already present, verified)\n", f.name, final_path.string());
      continue;
    }
    const fs::path part = final_path.string() + ".part";
    download(f.urls, part, set, log);
    verify_and_commit(f, part, final_path, log);
  }
}

}  // namespace

std::string default_fetch_dir() {
  const std::vector<std::string> dirs = search_path();
  if (dirs.empty()) throw UserError("no data directory: set --data-dir, HDS_DATA_DIR or HOME");
  return dirs.front();
}

void fetch_set(const std::string& set, const std::string& from_dir, const std::string& dest_dir, std::FILE* log) {
  known_set(set);
  const fs::path dest = fs::path(dest_dir) / folder_of(set);
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) throw UserError(fmt::format("{}: cannot create the data folder ({})", dest.string(), ec.message()));
  fmt::print(log, "{}: {} into {}\n", set, from_dir.empty() ? "downloading" : "importing from " + from_dir,
             dest.string());
  if (from_dir.empty()) download_set(set, dest, log);
  else import_from(set, from_dir, dest, log);
  const SetStatus st = check_set(set, {dest_dir});
  if (!st.usable)
    throw UserError(fmt::format("{}: after the fetch, the {} data set is still incomplete in {}; run 'hds data list' "
                                "to see what is missing",
                                dest.string(), set, dest_dir));
  fmt::print(log, "{}: ready{}\n", set, st.subset ? " (SUBSET files only)" : "");
}

}  // namespace hds::data
