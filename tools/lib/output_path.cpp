// Result-file targets, stale temporaries and the atomic write (see output_path.hpp).
#include "tools/lib/output_path.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.hpp"
#include "tools/lib/result_layout.hpp"

namespace hds::out {
namespace fs = std::filesystem;

namespace {

std::string kind_of(mode_t m) {
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

bool process_alive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// Writes all of `bytes` to a new file at `path` (never an existing one, never through a symlink)
// and fsyncs it; on failure removes what it wrote and returns errno.
int write_new_file(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  size_t off = 0;
  int err = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : ENOSPC;
      break;
    }
    off += static_cast<size_t>(n);
  }
  if (!err && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (err) ::unlink(path.c_str());
  return err;
}

}  // namespace

bool is_regular_file(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void check_target(const std::string& path, bool replace) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return;  // nothing there (a bad parent is reported on creating it)
    throw UserError(fmt::format("{}: cannot check the output ({}); choose another -o", path, std::strerror(errno)));
  }
  if (S_ISLNK(st.st_mode))
    throw UserError(fmt::format("{}: is a symbolic link; hds does not write through links: give the real path "
                                "with -o", path));
  if (!S_ISREG(st.st_mode))
    throw UserError(fmt::format("{}: is {}, not a regular file; choose a file name with -o", path, kind_of(st.st_mode)));
  if (!replace) throw UserError(fmt::format("{}: exists; pass --force to replace it, or choose another -o", path));
}

std::string temporary_name(const std::string& path, long pid) { return fmt::format("{}.tmp.{}", path, pid); }

int remove_stale_temporaries(const std::string& path) {
  const fs::path target(path);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  const std::string prefix = target.filename().string() + ".tmp.";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return 0;
  int removed = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(digits);
    if (pid != static_cast<long>(::getpid()) && process_alive(pid)) continue;  // another writer, still at work
    const std::string full = (fs::path(dir) / name).string();
    if (!is_regular_file(full)) continue;
    if (::unlink(full.c_str()) == 0) {
      fmt::print(stderr, "hds: note: removed {}, left by an hds process ({}) that was killed while writing\n", full,
                 pid);
      ++removed;
    }
  }
  ::closedir(d);
  return removed;
}

std::string derived_name(const std::string& path, const std::string& suffix) {
  fs::path p(path);
  const std::string ext = p.extension().string();
  p.replace_filename(p.stem().string() + suffix + (ext.empty() ? ".h5" : ext));
  return p.string();
}

void make_parent_directories(const std::string& path) {
  const fs::path target(path);
  if (!target.has_parent_path()) return;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec)
    throw UserError(fmt::format("{}: cannot create the directory {} ({}); choose another output with -o", path,
                                target.parent_path().string(), ec.message()));
}

void write_atomically(const std::string& path, bool replace, const std::function<void(h5::File&)>& fill) {
  check_target(path, replace);
  make_parent_directories(path);
  remove_stale_temporaries(path);
  const std::string tmp = temporary_name(path, static_cast<long>(::getpid()));
  std::string image;
  {
    h5::File f(tmp, h5::File::Mode::create);
    fill(f);
    layout::describe(f);  // descriptions, units and named axes of every dataset (result_layout.hpp)
    image = f.take_image();
  }
  if (const int err = write_new_file(tmp, image))
    throw UserError(fmt::format("{}: writing the result failed ({}); nothing was replaced: free disk space (or raise "
                                "the file size limit) and run again", path, std::strerror(err)));
  try {
    check_target(path, replace);  // something may have appeared there while we computed
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw UserError(fmt::format("{}: cannot move the finished result into place ({})", path, why));
  }
  // The rename itself survives a crash only once the directory is on disk.
  const fs::path target(path);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace hds::out
