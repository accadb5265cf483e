// A sweep over the ranks of an MPI job (see sweep_mpi.hpp; the design is in docs/cluster.md).
//
// Messages are byte strings whose first byte says what they are. To rank 0 (tag kToRoot):
//   H greeting (build, host, threads, sweep hash, data files, or why this rank cannot take part)
//   B the scores of a block of grid points (every repetition), and a request for more work
//   C a finished cell as a journal record (encode_cell): a whole cell's, or a winner's detail
//   E an error (text), I interrupted on that rank, Y goodbye (the answer to S, and the last message)
// From rank 0 (tag kToWorker):
//   P compute a block of grid points, D compute the detail of a cell's winner, S stop
// Each rank holds up to two jobs: while it computes one, the next is already there, so no rank waits
// for an answer between two jobs; every B or C frees a place that rank 0 fills when it has work.
// P and D carry the cells whose trainers the rank may drop. An adaptive sweep's jobs are whole cells
// (P of every grid point): the rank runs its adaptive rounds too and answers with C, one cell at a
// time. Rank 0's own worker is a thread that speaks the same messages through a queue in memory, so
// there is one worker, not two.
#include "tools/lib/sweep_mpi.hpp"

#include <fcntl.h>
#include <mpi.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "core/error.hpp"
#include "hds_version.hpp"
#include "tools/lib/journal.hpp"
#include "tools/lib/launch.hpp"

namespace hds::sweep::mpi {
namespace {

constexpr int kToRoot = 11, kToWorker = 12;
const char kGreeting[] = "hds-sweep-mpi-1";  // changes with the messages' layout

// ---- bytes -----------------------------------------------------------------------------------------

struct Out {
  std::string b;
  explicit Out(char type) : b(1, type) {}
  template <class T> Out& num(T v) {
    b.append(reinterpret_cast<const char*>(&v), sizeof v);
    return *this;
  }
  Out& str(const std::string& s) {
    num<int64_t>(static_cast<int64_t>(s.size()));
    b += s;
    return *this;
  }
  Out& bytes(const void* p, size_t n) {
    b.append(static_cast<const char*>(p), n);
    return *this;
  }
};

// Reads a message; std::runtime_error when it ends early.
struct In {
  const std::string& b;
  size_t pos = 1;
  template <class T> T num() {
    if (b.size() - pos < sizeof(T)) throw std::runtime_error("a message ends early");
    T v;
    std::memcpy(&v, b.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  std::string str() {
    const auto n = num<int64_t>();
    if (n < 0 || static_cast<uint64_t>(n) > b.size() - pos) throw std::runtime_error("a message ends early");
    std::string s = b.substr(pos, n);
    pos += n;
    return s;
  }
  void bytes(void* p, size_t n) {
    if (b.size() - pos < n) throw std::runtime_error("a message ends early");
    if (n) std::memcpy(p, b.data() + pos, n);
    pos += n;
  }
};

// Waits between polls: short after a message, longer (up to 1 ms) while nothing comes, so that a
// waiting rank costs its core next to nothing and answers within about a millisecond.
class Backoff {
 public:
  void reset() { us_ = 50; }
  std::chrono::microseconds next() {
    const auto d = std::chrono::microseconds(us_);
    us_ = std::min(us_ * 2, 1000);
    return d;
  }

 private:
  int us_ = 50;
};

// ---- identity: what every rank must share ---------------------------------------------------------

std::string build_id() {
  std::string cpu;
#ifdef __AVX2__
  cpu += " avx2";
#endif
#ifdef __FMA__
  cpu += " fma";
#endif
#ifdef __AVX512F__
  cpu += " avx512f";
#endif
  return fmt::format("hds {} ({}), {}, gcc {}, Eigen {}.{}.{},{}", HDS_VERSION, HDS_GIT_COMMIT, launch::mpi_version(),
                     __VERSION__, EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION,
                     cpu.empty() ? " generic" : cpu);
}

// The data files of the sweep, each once, in the order the cells first name them.
std::vector<data::FileRecord> data_of(const SweepDefinition& s) {
  std::vector<data::FileRecord> out;
  std::set<std::string> seen;
  for (const auto& cell : s.cells)
    for (auto& f : cell.experiment->data_files())
      if (seen.insert(f.path).second) out.push_back(std::move(f));
  return out;
}

struct Greeting {
  std::string magic, build, host, why, hash;
  int threads = 0;
  std::vector<data::FileRecord> data;
};

std::string greeting(const SweepDefinition* s, std::string why, int threads) {
  std::vector<data::FileRecord> data;
  if (s && why.empty()) {
    try {
      data = data_of(*s);
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  Out m('H');
  m.str(kGreeting).str(build_id()).str(prov::host_name()).num<int64_t>(threads).str(why).str(s ? s->hash : "");
  m.num<int64_t>(static_cast<int64_t>(data.size()));
  for (const auto& f : data) m.str(f.path).str(f.sha256);
  return m.b;
}

Greeting read_greeting(const std::string& msg) {
  Greeting g;
  In in{msg};
  g.magic = in.str();
  if (g.magic != kGreeting) return g;
  g.build = in.str();
  g.host = in.str();
  g.threads = static_cast<int>(in.num<int64_t>());
  g.why = in.str();
  g.hash = in.str();
  const auto n = in.num<int64_t>();
  if (n < 0 || static_cast<uint64_t>(n) > msg.size()) throw std::runtime_error("a greeting ends early");
  for (int64_t i = 0; i < n; ++i) {
    data::FileRecord f;
    f.path = in.str();
    f.sha256 = in.str();
    g.data.push_back(std::move(f));
  }
  return g;
}

// ---- the worker: the same on rank 0 (a thread) and on every other rank ----------------------------

// The worker's end of its connection to rank 0.
class Link {
 public:
  virtual ~Link() = default;
  virtual void send(std::string msg) = 0;
  virtual bool poll(std::string& msg) = 0;  // a message from rank 0, if one is there
  virtual std::string wait() = 0;
};

class MpiLink : public Link {
 public:
  explicit MpiLink(Session& s) : s_(s) {}
  void send(std::string msg) override { s_.send(0, msg); }
  bool poll(std::string& msg) override {
    int from = 0;
    return s_.probe(from, msg);
  }
  std::string wait() override {
    Backoff backoff;
    std::string msg;
    while (!poll(msg)) std::this_thread::sleep_for(backoff.next());
    return msg;
  }

 private:
  Session& s_;
};

// Rank 0's own worker and rank 0 in one process: two queues.
class LocalLink : public Link {
 public:
  void send(std::string msg) override {
    {
      std::lock_guard<std::mutex> lock(m_);
      to_root_.push_back(std::move(msg));
    }
    root_cv_.notify_one();
  }
  bool poll(std::string& msg) override { return pop(to_worker_, msg); }
  std::string wait() override {
    std::unique_lock<std::mutex> lock(m_);
    worker_cv_.wait(lock, [&] { return !to_worker_.empty(); });
    std::string msg = std::move(to_worker_.front());
    to_worker_.pop_front();
    return msg;
  }
  // Rank 0's end.
  void post(std::string msg) {
    {
      std::lock_guard<std::mutex> lock(m_);
      to_worker_.push_back(std::move(msg));
    }
    worker_cv_.notify_one();
  }
  bool take(std::string& msg, std::chrono::microseconds wait_at_most) {
    std::unique_lock<std::mutex> lock(m_);
    if (to_root_.empty() && wait_at_most.count() > 0)
      root_cv_.wait_for(lock, wait_at_most, [&] { return !to_root_.empty(); });
    if (to_root_.empty()) return false;
    msg = std::move(to_root_.front());
    to_root_.pop_front();
    return true;
  }

 private:
  bool pop(std::deque<std::string>& q, std::string& msg) {
    std::lock_guard<std::mutex> lock(m_);
    if (q.empty()) return false;
    msg = std::move(q.front());
    q.pop_front();
    return true;
  }
  std::mutex m_;
  std::condition_variable worker_cv_, root_cv_;
  std::deque<std::string> to_worker_, to_root_;
};

std::string error_message(const std::string& text) { return Out('E').str(text).b; }

class Worker {
 public:
  // `progress`, when given, counts every run this worker finishes (rank 0's own, for its progress line).
  Worker(const SweepDefinition& s, int threads, Link& link, const std::atomic<bool>& interrupt,
         std::atomic<long>* progress)
      : s_(s), threads_(threads), link_(link), interrupt_(interrupt), progress_(progress) {}

  // Computes what rank 0 hands out until it says stop.
  void serve() {
    while (true) {
      if (queue_.empty()) queue_.push_back(link_.wait());
      const std::string msg = std::move(queue_.front());
      queue_.pop_front();
      if (msg.empty()) continue;
      try {
        In in{msg};
        if (msg[0] == 'S') {
          link_.send("Y");
          return;
        }
        if (msg[0] != 'P' && msg[0] != 'D') throw std::runtime_error(fmt::format("unknown message '{}'", msg[0]));
        if (interrupt_) {  // stopped by a signal here: no new work, rank 0 answers with a stop
          interrupted();
          continue;
        }
        const auto drop = in.num<int64_t>();
        for (int64_t i = 0; i < drop; ++i) cells_.erase(static_cast<int>(in.num<int64_t>()));
        const int c = static_cast<int>(in.num<int64_t>());
        if (c < 0 || c >= static_cast<int>(s_.cells.size())) throw std::runtime_error("a cell index out of range");
        if (msg[0] == 'P') {
          const int g0 = static_cast<int>(in.num<int64_t>()), g1 = static_cast<int>(in.num<int64_t>());
          if (g0 < 0 || g1 <= g0 || g1 > s_.grid_size) throw std::runtime_error("a block out of range");
          block(c, g0, g1);
          if (stopped_) {
            link_.send("Y");
            return;
          }
        } else {
          detail(c, static_cast<int>(in.num<int64_t>()));
        }
      } catch (const std::exception& e) {
        link_.send(error_message(e.what()));
      }
    }
  }

 private:
  struct Held {
    std::unique_ptr<kind::CellTrainer> trainer;
    CellResult r;
  };

  void block(int c, int g0, int g1) {
    Held& h = cells_[c];
    if (!h.trainer) h.trainer = make_trainer(s_, c, threads_);
    std::atomic<bool> halt{false};
    long counted = 0;
    const bool whole = run_block(s_, c, *h.trainer, g0, g1, threads_, &halt,
                                 [&](long d) {
                                   if (progress_) *progress_ += d - counted;
                                   counted = d;
                                   if (interrupt_) halt = true;
                                   // The next job may come in now; a stop ends this one.
                                   std::string m;
                                   while (!stopped_ && link_.poll(m)) {
                                     if (!m.empty() && m[0] == 'S') {
                                       stopped_ = true;
                                       halt = true;
                                     } else {
                                       queue_.push_back(std::move(m));
                                     }
                                   }
                                 },
                                 h.r);
    if (stopped_) return;
    if (!whole) {  // interrupted here: rank 0 stops the sweep
      interrupted();
      return;
    }
    const int R = static_cast<int>(h.r.score.cols());
    if (g0 == 0 && g1 == s_.grid_size) {
      if (s_.adaptive()) {
        // An adaptive cell is handed out whole: its rounds run here, one after the other.
        long shown = 0, runs = 0;  // runs: of the finished rounds (run_rounds adds them)
        const bool done = run_rounds(s_, c, h.trainer, threads_, &halt,
                                     [&](long d) {
                                       if (progress_) *progress_ += runs + d - shown;
                                       shown = runs + d;
                                       if (interrupt_) halt = true;
                                       std::string m;
                                       while (!stopped_ && link_.poll(m)) {
                                         if (!m.empty() && m[0] == 'S') {
                                           stopped_ = true;
                                           halt = true;
                                         } else {
                                           queue_.push_back(std::move(m));
                                         }
                                       }
                                     },
                                     h.r, &runs);
        if (stopped_) return;
        if (!done) {
          interrupted();
          return;
        }
      } else {
        finish_cell(s_, c, *h.trainer, threads_, h.r);
      }
      const std::string record = encode_cell(c, h.r);
      cells_.erase(c);
      link_.send(Out('C').bytes(record.data(), record.size()).b);
      return;
    }
    Out m('B');
    m.num<int64_t>(c).num<int64_t>(g0).num<int64_t>(g1).num<int64_t>(R);
    for (int g = g0; g < g1; ++g)
      for (int r = 0; r < R; ++r) m.num<double>(h.r.score(g, r));
    for (int g = g0; g < g1; ++g)
      for (int r = 0; r < R; ++r) m.num<uint8_t>(h.r.diverged(g, r));
    link_.send(std::move(m.b));
  }

  void interrupted() {
    if (!told_) link_.send("I");
    told_ = true;
  }

  void detail(int c, int w) {
    auto it = cells_.find(c);
    if (it == cells_.end() || w < 0 || w >= s_.grid_size)
      throw std::runtime_error(fmt::format("asked for the winner of cell {}, which this rank did not run", c));
    CellResult r;
    r.best.index = w;
    r.detail = it->second.trainer->detail(w, threads_);
    cells_.erase(it);
    const std::string record = encode_cell(c, r);
    link_.send(Out('C').bytes(record.data(), record.size()).b);
  }

  const SweepDefinition& s_;
  const int threads_;
  Link& link_;
  const std::atomic<bool>& interrupt_;
  std::atomic<long>* progress_;
  std::map<int, Held> cells_;
  std::deque<std::string> queue_;  // jobs that came while another was computed
  bool stopped_ = false, told_ = false;
};

// ---- rank 0 ----------------------------------------------------------------------------------------

// What every rank holds, kept up to date in OUTPUT.journal.held (a line per rank that holds work), so
// that the next run can say what a job that died had handed out (run_sweep reads it) even when the
// launcher killed rank 0 before it could say so itself. Rewritten in place at every change, without
// fsync: it only informs, and a killed process loses nothing already written.
class HeldFile {
 public:
  explicit HeldFile(const std::string& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644)), path_(path) {
    struct stat st;
    if (fd_ >= 0 && (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))) {  // never a FIFO or a device
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~HeldFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  void write(const std::string& text) {
    if (fd_ < 0 || text == last_) return;
    last_ = text;
    if (::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
        ::ftruncate(fd_, static_cast<off_t>(text.size())) != 0) {
      ::close(fd_);  // a note that cannot be kept is not kept
      fd_ = -1;
    }
  }
  void remove() {
    if (fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
    ::unlink(path_.c_str());
  }

 private:
  int fd_;
  std::string path_, last_;
};

// A job handed to a rank: a block of grid points of a cell ('P'), or its winner's detail ('D').
struct Job {
  char type = 0;
  int cell = -1, g0 = 0, g1 = 0;  // for 'D', g0 is the winner
};

constexpr size_t kJobsHeld = 2;  // per rank: the one it computes and the next

struct RankState {
  std::string host;
  int threads = 1;
  std::deque<Job> jobs;                     // handed out, in order: the first is being computed
  std::vector<int> drop;                    // cells whose trainers it may drop
  std::deque<std::pair<int, int>> details;  // (cell, winner) it is to compute next
};

struct CellState {
  CellResult r;             // the scores as they come in
  std::vector<int> holder;  // the rank that ran each grid point
  std::set<int> touched;    // ranks that hold a trainer of this cell
  int next = 0;             // the first grid point not handed out
  long missing = 0;         // runs not yet in
};

class Coordinator : public Backend {
 public:
  Coordinator(Session& session, const SweepDefinition& s, const SweepOptions& opt) : session_(session), s_(s) {
    const int N = session.size();
    ranks_.resize(N);
    ranks_[0].host = prov::host_name();
    ranks_[0].threads = resolve_threads(opt.threads);
    session_.describe = [this](int k) { return about(k); };
    greet();
  }

  void compute(const SweepDefinition& s, const SweepOptions& opt, const std::vector<int>& todo,
               const std::atomic<bool>& stop, Progress& progress, long runs_done,
               const std::function<void(int, CellResult&&)>& finished) override {
    const int N = session_.size();
    for (int c : todo) {
      CellState& st = cells_[c];
      const int G = s.grid_size, R = s.cells[c].experiment->repetitions();
      st.r.score.resize(G, R);
      st.r.diverged.resize(G, R);
      st.holder.assign(G, -1);
      st.missing = cell_runs(s, c);
      unassigned_ += st.missing;
    }
    order_ = todo;
    open_ = static_cast<int>(todo.size());
    for (const RankState& r : ranks_) all_threads_ += r.threads;
    HeldFile held(opt.output + ".journal.held");
    std::atomic<long> local_runs{0};
    std::thread local([&] {
      Worker w(s_, ranks_[0].threads, link_, stop, &local_runs);
      w.serve();  // answers errors with E, and returns when stopped
    });
    try {
      for (int k = 0; k < N; ++k) assign(k);
      held.write(held_text());
      Backoff backoff;
      while (open_ > 0 && !stop && !interrupted_) {
        int from = 0;
        std::string msg;
        if (receive(from, msg, backoff)) {
          backoff.reset();
          handle(from, msg, finished);
          held.write(held_text());
        }
        progress.show(runs_done + remote_runs_ + local_runs.load());
      }
      if (open_ > 0) {
        progress.finish();
        report_held(opt.output);
      }
      shutdown();
      if (open_ == 0) held.remove();
    } catch (...) {  // the error is reported: nothing was lost, so no note of handed-out work
      held.remove();
      try {
        shutdown();
      } catch (...) {
      }
      local.join();
      throw;
    }
    local.join();
  }

  std::vector<prov::Rank> ranks(const SweepOptions&) const override {
    std::vector<prov::Rank> out;
    for (const RankState& r : ranks_) out.push_back({r.host, r.threads});
    return out;
  }

  std::string how() const override {
    std::set<std::string> hosts;
    int threads = 0;
    for (const RankState& r : ranks_) {
      hosts.insert(r.host);
      threads += r.threads;
    }
    const double kb = session_.bytes / 1000.0;
    return fmt::format("on {} ranks ({} threads, {} host{}); {} MPI messages, {:.1f} kB{}", ranks_.size(), threads,
                       hosts.size(), hosts.size() == 1 ? "" : "s", session_.messages, kb,
                       remote_runs_ > 0
                           ? fmt::format(" ({:.0f} B per run computed by ranks 1-{})",
                                         session_.bytes / double(remote_runs_), ranks_.size() - 1)
                           : "");
  }

 private:
  // Every rank's greeting; the first problem (by rank) is the error, once all have answered.
  void greet() {
    const int N = session_.size();
    const std::string build = build_id();
    const std::vector<data::FileRecord> data = data_of(s_);
    std::vector<std::string> problems(N);
    int heard = 0;
    std::vector<char> greeted(N, 0);
    const auto start = std::chrono::steady_clock::now();
    bool noted = false;
    Backoff backoff;
    while (heard < N - 1) {
      int from = 0;
      std::string msg;
      if (!session_.probe(from, msg)) {
        std::this_thread::sleep_for(backoff.next());
        if (!noted && std::chrono::steady_clock::now() - start > std::chrono::seconds(30)) {
          noted = true;
          std::string silent;
          for (int k = 1; k < N; ++k)
            if (!greeted[k]) silent += fmt::format("{}{}", silent.empty() ? "" : ", ", k);
          fmt::print(stderr, "hds: note: rank(s) {} have not answered for 30 s (still loading the sweep and its data? "
                             "a rank running an hds built without MPI never answers: 'hds --version' says mpi: yes "
                             "or no)\n", silent);
        }
        continue;
      }
      ++heard;
      greeted[from] = 1;
      Greeting g;
      try {
        if (msg.empty() || msg[0] != 'H') throw std::runtime_error("not a greeting");
        g = read_greeting(msg);
      } catch (const std::runtime_error&) {
        g.magic.clear();
      }
      ranks_[from].host = g.host.empty() ? "unknown host" : g.host;
      ranks_[from].threads = std::max(g.threads, 1);
      problems[from] = check(from, g, build, data);
    }
    for (const std::string& p : problems)
      if (!p.empty()) throw UserError(p);
  }

  std::string check(int k, const Greeting& g, const std::string& build,
                    const std::vector<data::FileRecord>& data) const {
    const std::string who = fmt::format("rank {} (host {})", k, ranks_[k].host);
    if (g.magic != kGreeting)
      return fmt::format("rank {} answered in a way this hds does not understand: every rank must run the same hds "
                         "build (one shared build directory is simplest)", k);
    if (g.build != build)
      return fmt::format("{} runs another hds build ({}) than rank 0 ({}): every rank must run the same build (one "
                         "shared build directory is simplest)", who, g.build, build);
    if (!g.why.empty()) return fmt::format("{}: {}", who, g.why);
    if (g.hash != s_.hash)
      return fmt::format("{} reads another sweep definition (sha256 {:.12}, rank 0 {:.12}): every rank must see the same "
                         "sweep file and the same --set options", who, g.hash, s_.hash);
    for (size_t i = 0; i < std::max(g.data.size(), data.size()); ++i) {
      if (i >= g.data.size() || i >= data.size() || g.data[i].sha256 != data[i].sha256)
        return fmt::format("{} reads other data than rank 0 ({}: sha256 {:.12} there, {:.12} on rank 0): every host "
                           "must see the same data sets (a shared directory, or copies checked with 'hds data verify')",
                           who, i < data.size() ? data[i].path : g.data[i].path,
                           i < g.data.size() ? g.data[i].sha256 : "none", i < data.size() ? data[i].sha256 : "none");
    }
    return {};
  }

  std::string job_text(const Job& j) const {
    const auto& cell = s_.cells[j.cell];
    if (j.type == 'D') return fmt::format("the winner's detail of cell {} '{}'", j.cell, cell.label);
    if (s_.adaptive())
      return fmt::format("cell {} '{}' (its initial grid and adaptive rounds, {}-{} runs)", j.cell, cell.label,
                         cell_runs(s_, j.cell), cell_runs(s_, j.cell, true));
    return fmt::format("cell {} '{}' grid points {}-{} ({} runs)", j.cell, cell.label, j.g0, j.g1 - 1,
                       static_cast<long>(j.g1 - j.g0) * cell.experiment->repetitions());
  }

  std::string about(int k) const {
    const RankState& r = ranks_[k];
    std::string s = fmt::format("rank {} (host {}, {} thread{})", k, r.host, r.threads, r.threads == 1 ? "" : "s");
    if (r.jobs.empty()) return s + " held no runs";
    s += " held " + job_text(r.jobs.front());
    for (size_t i = 1; i < r.jobs.size(); ++i) s += ", then " + job_text(r.jobs[i]);
    return s;
  }

  std::string held_text() const {
    std::string text;
    for (size_t k = 0; k < ranks_.size(); ++k)
      if (!ranks_[k].jobs.empty()) text += about(static_cast<int>(k)) + "\n";
    return text;
  }

  // Said first when the sweep stops early (Ctrl-C, or the launcher ending the job because a rank
  // died), since the launcher may kill this process before anything else is said.
  void report_held(const std::string& output) const {
    std::string held;
    for (size_t k = 0; k < ranks_.size(); ++k)
      if (!ranks_[k].jobs.empty()) held += fmt::format("; {}", about(static_cast<int>(k)));
    fmt::print(stderr, "hds: stopping the sweep: finished cells are kept in {}.journal (run the same command again "
                       "to resume){}\n", output, held);
    std::fflush(stderr);
  }

  void send(int k, const std::string& msg) {
    if (k == 0) link_.post(msg);
    else session_.send(k, msg);
  }

  bool receive(int& from, std::string& msg, Backoff& backoff) {
    if (link_.take(msg, std::chrono::microseconds(0))) {
      from = 0;
      return true;
    }
    if (session_.probe(from, msg)) return true;
    if (link_.take(msg, backoff.next())) {  // sleeps unless rank 0's own worker speaks
      from = 0;
      return true;
    }
    return false;
  }

  // Fills rank k's places for jobs with what there is to do: a winner's detail it owes first, then
  // the next block of grid points.
  void assign(int k) {
    RankState& rk = ranks_[k];
    // A whole adaptive cell takes long against a message's way there: one at a time, so that the last
    // cells go to ranks that are free rather than wait behind another cell.
    const size_t places = s_.adaptive() ? 1 : kJobsHeld;
    while (rk.jobs.size() < places) {
      Job job;
      if (!rk.details.empty()) {
        job = {'D', rk.details.front().first, rk.details.front().second, 0};
        rk.details.pop_front();
      } else {
        // The first cell with grid points not handed out (finished cells are no longer in cells_).
        while (cursor_ < order_.size()) {
          const auto it = cells_.find(order_[cursor_]);
          if (it != cells_.end() && it->second.next < s_.grid_size) break;
          ++cursor_;
        }
        if (cursor_ == order_.size()) return;  // nothing to hand out now
        const int c = order_[cursor_];
        CellState& st = cells_[c];
        job = {'P', c, st.next, st.next + block_size(k, c)};
        st.next = job.g1;
        st.touched.insert(k);
        unassigned_ -= static_cast<long>(job.g1 - job.g0) * s_.cells[c].experiment->repetitions();
      }
      Out m(job.type);
      m.num<int64_t>(static_cast<int64_t>(rk.drop.size()));
      for (int c : rk.drop) m.num<int64_t>(c);
      m.num<int64_t>(job.cell).num<int64_t>(job.g0);
      if (job.type == 'P') m.num<int64_t>(job.g1);
      rk.drop.clear();
      rk.jobs.push_back(job);
      send(k, m.b);
    }
  }

  // Guided self-scheduling: a rank gets about half its share (by threads) of the runs not yet handed
  // out, at least one run per thread, in whole grid points of one cell; large blocks while much is
  // left, small ones at the end so that all ranks finish together.
  int block_size(int k, int c) const {
    const CellState& st = cells_.at(c);
    const long R = s_.cells[c].experiment->repetitions();
    const long t = ranks_[k].threads, left = s_.grid_size - st.next;
    if (s_.adaptive()) return static_cast<int>(left);  // whole cells: the rounds depend on every score
    const long share = static_cast<long>(std::ceil(static_cast<double>(unassigned_) * t / (2.0 * all_threads_)));
    const long runs = std::max(share, t);
    long b = std::min(left, std::max(1L, (runs + R - 1) / R));
    if ((left - b) * R < runs / 2) b = left;  // no sliver left behind
    return static_cast<int>(b);
  }

  void handle(int from, const std::string& msg, const std::function<void(int, CellResult&&)>& finished) {
    RankState& rk = ranks_[from];
    const char type = msg.empty() ? '?' : msg[0];
    const std::string who = fmt::format("rank {} (host {})", from, rk.host);
    auto odd = [&](const std::string& what) {
      return UserError(fmt::format("{} sent {}; every rank must run the same hds build", who, what));
    };
    if (type == 'E') {
      In in{msg};
      std::string text;
      try {
        text = in.str();
      } catch (const std::runtime_error&) {
        text = "an unreadable error";
      }
      throw UserError(fmt::format("{}: {}", who, text));
    }
    if (type == 'I') {
      fmt::print(stderr, "hds: {} was interrupted\n", who);
      interrupted_ = true;
      return;
    }
    const Job job = rk.jobs.empty() ? Job{} : rk.jobs.front();
    try {
      if (type == 'B') {
        In in{msg};
        const int c = static_cast<int>(in.num<int64_t>()), g0 = static_cast<int>(in.num<int64_t>()),
                  g1 = static_cast<int>(in.num<int64_t>()), R = static_cast<int>(in.num<int64_t>());
        if (job.type != 'P' || job.cell != c || job.g0 != g0 || job.g1 != g1 ||
            R != s_.cells[c].experiment->repetitions())
          throw odd(fmt::format("scores of cell {} grid points {}-{} it was not computing", c, g0, g1 - 1));
        CellState& st = cells_[c];
        for (int g = g0; g < g1; ++g)
          for (int r = 0; r < R; ++r) st.r.score(g, r) = in.num<double>();
        for (int g = g0; g < g1; ++g)
          for (int r = 0; r < R; ++r) {
            const auto d = in.num<uint8_t>();
            if (d > 1) throw odd("a divergence flag that is neither 0 nor 1");
            st.r.diverged(g, r) = d;
          }
        if (in.pos != msg.size()) throw odd("a block of scores with bytes after its end");
        for (int g = g0; g < g1; ++g) st.holder[g] = from;
        const long n = static_cast<long>(g1 - g0) * R;
        count_runs(from, n);
        st.missing -= n;
        rk.jobs.pop_front();
        if (st.missing == 0) scores_complete(c);
        assign(from);
        return;
      }
      if (type == 'C') {
        int64_t c = -1;
        CellResult r;
        if (const std::string why = decode_cell(msg.substr(1), c, r); !why.empty())
          throw odd(fmt::format("a cell record that cannot be read ({})", why));
        const bool whole = job.type == 'P' && job.cell == c && job.g0 == 0 && job.g1 == s_.grid_size;
        const bool detail = job.type == 'D' && job.cell == c && job.g0 == r.best.index;
        if (!whole && !detail) throw odd(fmt::format("a record of cell {} it was not computing", c));
        CellState& st = cells_[c];
        if (whole) {
          count_runs(from, static_cast<long>(r.score.size()));  // with an adaptive cell's added runs
          st.missing = 0;
          st.r = std::move(r);
        } else {
          st.r.detail = std::move(r.detail);
        }
        if (const std::string why = check_cell(s_, c, st.r); !why.empty())
          throw odd(fmt::format("a result of cell {} that does not check out: {}", c, why));
        rk.jobs.pop_front();
        --open_;
        for (int k : st.touched)
          if (k != from) ranks_[k].drop.push_back(static_cast<int>(c));
        CellResult out = std::move(st.r);
        cells_.erase(c);
        finished(static_cast<int>(c), std::move(out));
        assign(from);
        return;
      }
    } catch (const UserError&) {
      throw;
    } catch (const std::runtime_error& e) {  // a message that ends early
      throw odd(fmt::format("a message that cannot be read ({})", e.what()));
    }
    throw odd(fmt::format("an unexpected message '{}'", type));
  }

  void count_runs(int from, long n) {
    runs_ += n;
    if (from != 0) remote_runs_ += n;
  }

  // Every score of cell c is in: the winner is known; the rank that ran it computes its detail.
  void scores_complete(int c) {
    CellState& st = cells_[c];
    select_winner(s_, c, st.r);
    const int w = st.r.best.index, h = st.holder[w];
    ranks_[h].details.emplace_back(c, w);
    assign(h);
  }

  // Every rank (rank 0's own worker too) is told to stop; returns when each has said goodbye.
  void shutdown() {
    const int N = session_.size();
    const std::string stop = "S";
    if (!local_stopped_) {
      link_.post(stop);
      local_stopped_ = true;
    }
    for (int k = 1; k < N; ++k)
      if (!session_.is_stopped(k)) {
        session_.send(k, stop);
        session_.stopped(k);
      }
    int left = N;  // rank 0's worker included
    std::vector<char> gone(N, 0);
    Backoff backoff;
    while (left > 0) {
      int from = 0;
      std::string msg;
      if (!receive(from, msg, backoff)) continue;
      backoff.reset();
      if (msg == "Y" && !gone[from]) {
        gone[from] = 1;
        if (from > 0) session_.gone(from);
        --left;
      }
    }
    session_.release();  // nothing left to do there: every rank is stopped and gone
  }

  Session& session_;
  const SweepDefinition& s_;
  std::vector<RankState> ranks_;
  std::map<int, CellState> cells_;
  std::vector<int> order_;
  size_t cursor_ = 0;
  long unassigned_ = 0, runs_ = 0, remote_runs_ = 0;
  int all_threads_ = 0, open_ = 0;
  bool interrupted_ = false, local_stopped_ = false;
  LocalLink link_;
};

}  // namespace

// ---- the session -----------------------------------------------------------------------------------

Session::Session() {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  stopped_.assign(size_, 0);
  gone_.assign(size_, 0);
}

Session::~Session() {
  if (rank_ == 0 && size_ > 1 && !released_) {
    try {
      release();
    } catch (...) {
    }
  }
  MPI_Finalize();
}

void Session::fail(int rc, const std::string& what, int peer) {
  char text[MPI_MAX_ERROR_STRING];
  int n = 0;
  if (MPI_Error_string(rc, text, &n) != MPI_SUCCESS) n = 0;
  const std::string whom = describe && rank_ == 0 ? describe(peer) : fmt::format("rank {}", peer);
  fmt::print(stderr, "hds: error: MPI failed {} {}: {}; finished cells are kept in the journal: run the same command "
                     "again to resume\n", what, whom, std::string(text, static_cast<size_t>(n)));
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 2);
  std::abort();
}

void Session::send(int to, const std::string& msg) {
  if (msg.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw UserError(fmt::format("a message of {} bytes is too large for MPI (a cell's detail this large cannot "
                                "travel to rank 0: run this sweep in one process)", msg.size()));
  const int rc = MPI_Send(msg.data(), static_cast<int>(msg.size()), MPI_BYTE, to, rank_ == 0 ? kToWorker : kToRoot,
                          MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) fail(rc, "sending to", to);
  ++messages;
  bytes += msg.size();
}

bool Session::probe(int& from, std::string& msg) {
  const int source = rank_ == 0 ? MPI_ANY_SOURCE : 0, tag = rank_ == 0 ? kToRoot : kToWorker;
  int flag = 0;
  MPI_Status st;
  int rc = MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &st);
  if (rc != MPI_SUCCESS) fail(rc, "waiting for", source == MPI_ANY_SOURCE ? 0 : source);
  if (!flag) return false;
  int n = 0;
  MPI_Get_count(&st, MPI_BYTE, &n);
  msg.assign(static_cast<size_t>(n), '\0');
  rc = MPI_Recv(msg.data(), n, MPI_BYTE, st.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (rc != MPI_SUCCESS) fail(rc, "receiving from", st.MPI_SOURCE);
  from = st.MPI_SOURCE;
  ++messages;
  bytes += msg.size();
  return true;
}

void Session::release() {
  if (rank_ != 0 || released_) return;
  released_ = true;
  const std::string stop = "S";
  for (int k = 1; k < size_; ++k)
    if (!stopped_[k]) {
      send(k, stop);
      stopped_[k] = 1;
    }
  Backoff backoff;
  while (std::count(gone_.begin() + 1, gone_.end(), 0) > 0) {
    int from = 0;
    std::string msg;
    if (!probe(from, msg)) {
      std::this_thread::sleep_for(backoff.next());
      continue;
    }
    if (msg == "Y") gone_[from] = 1;
  }
}

std::unique_ptr<Backend> coordinator(Session& session, const SweepDefinition& s, const SweepOptions& opt) {
  return std::make_unique<Coordinator>(session, s, opt);
}

void serve(Session& session, const SweepDefinition* s, const std::string& why, const SweepOptions& opt,
           const std::atomic<bool>& interrupt) {
  MpiLink link(session);
  const int threads = resolve_threads(opt.threads);
  link.send(greeting(s, why, threads));
  if (!s || !why.empty()) {
    while (true) {  // rank 0 refuses the sweep: wait for its stop
      const std::string msg = link.wait();
      if (!msg.empty() && msg[0] == 'S') {
        link.send("Y");
        return;
      }
    }
  }
  Worker w(*s, threads, link, interrupt, nullptr);
  w.serve();
}

}  // namespace hds::sweep::mpi
