// Reading a result file in a child process (see guarded_read.hpp).
#include "tools/lib/guarded_read.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#include "core/error.hpp"

namespace hds::h5 {
namespace {

std::mutex fork_mutex;

// HDF5 can also loop forever on a damaged file; a child silent this long is stopped.
int timeout_ms() {
  const char* env = std::getenv("HDS_READ_TIMEOUT");
  const int s = env ? std::atoi(env) : 0;
  return 1000 * (s > 0 ? s : 300);
}

bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// In the child: one status byte ('O' the text, 'U' a UserError's message, 'X' another exception's)
// then the text.
[[noreturn]] void child(int fd, const std::function<std::string()>& read) {
  // A crash ends the child plainly, whatever handlers the parent (a test framework) installed.
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) std::signal(sig, SIG_DFL);
  const int null = ::open("/dev/null", O_WRONLY);
  if (null >= 0) {
    ::dup2(null, STDOUT_FILENO);
    if (!std::getenv("HDS_DEBUG_READS") || std::string(std::getenv("HDS_DEBUG_READS")) != "1")
      ::dup2(null, STDERR_FILENO);
  }
  std::string out;
  try {
    out = "O" + read();
  } catch (const UserError& e) {
    out = std::string("U") + e.what();
  } catch (const std::exception& e) {
    out = std::string("X") + e.what();
  }
  // _exit: the parent's atexit handlers and buffers (HDF5's, the test framework's) are not ours to run.
  ::_exit(write_all(fd, out) ? 0 : 1);
}

}  // namespace

std::string guarded_read(const std::string& path, const std::function<std::string()>& read) {
  const std::lock_guard<std::mutex> lock(fork_mutex);
  int fds[2];
  if (::pipe(fds) != 0) throw UserError(fmt::format("{}: cannot read it (no pipe: {})", path, std::strerror(errno)));
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw UserError(fmt::format("{}: cannot read it (fork failed: {})", path, std::strerror(errno)));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child(fds[1], read);
  }
  ::close(fds[1]);
  std::string got;
  char buf[1 << 16];
  bool timed_out = false;
  while (true) {
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_ms());
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    throw UserError(fmt::format("{}: damaged: the HDF5 library did not finish reading it in {} s (HDS_READ_TIMEOUT); "
                                "restore the file from a copy or compute it again",
                                path, timeout_ms() / 1000));
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !got.empty();
  if (!clean) {
    const std::string how = WIFSIGNALED(status) ? fmt::format("signal {}, {}", WTERMSIG(status), strsignal(WTERMSIG(status)))
                                                : fmt::format("exit status {}", WEXITSTATUS(status));
    throw UserError(fmt::format("{}: damaged: the HDF5 library failed reading it ({}); restore the file from a copy "
                                "or compute it again",
                                path, how));
  }
  const std::string text = got.substr(1);
  if (got[0] == 'U') throw UserError(text);
  if (got[0] == 'X') throw std::runtime_error(text);
  return text;
}

}  // namespace hds::h5
