// The piece runner behind the network's parallel products (core/parallel.hpp): every piece exactly once,
// for many jobs in a row, from several calling threads, and the first exception of a piece rethrown.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/parallel.hpp"

using namespace hds;

TEST_CASE("parallel: run_pieces runs every piece exactly once, job after job, with helpers or without") {
  for (int threads : {1, 2, 3}) {
    for (int job = 0; job < 2000; ++job) {
      const Eigen::Index pieces = 1 + job % 9;
      std::vector<std::atomic<int>> hits(pieces);
      run_pieces(pieces, threads, [&](Eigen::Index p) { hits[p].fetch_add(1); });
      int wrong = 0;
      for (auto& h : hits) wrong += h.load() != 1;
      REQUIRE(wrong == 0);
    }
  }
}

TEST_CASE("parallel: run_pieces from two calling threads at once, each with its own helpers") {
  std::atomic<long> total{0};
  auto caller = [&] {
    for (int job = 0; job < 500; ++job) run_pieces(7, 2, [&](Eigen::Index p) { total.fetch_add(p + 1); });
  };
  std::thread a(caller), b(caller);
  a.join();
  b.join();
  CHECK(total.load() == 2L * 500 * 28);
}

TEST_CASE("parallel: a piece's exception reaches the caller after the job, and the next job runs normally") {
  std::atomic<int> ran{0};
  CHECK_THROWS_AS(run_pieces(8, 2,
                             [&](Eigen::Index p) {
                               ran.fetch_add(1);
                               if (p == 3) throw std::runtime_error("piece 3");
                             }),
                  std::runtime_error);
  CHECK(ran.load() == 8);
  std::atomic<int> again{0};
  run_pieces(8, 2, [&](Eigen::Index) { again.fetch_add(1); });
  CHECK(again.load() == 8);
}

TEST_CASE("parallel: for_pieces covers 0..n-1 with the same pieces on 1 and 2 threads") {
  for (Eigen::Index n : {1, 15, 16, 17, 200, 784, 1000}) {
    std::vector<std::pair<Eigen::Index, Eigen::Index>> one, two(64, {-1, -1});
    for_pieces(n, 1e9, 1, [&](Eigen::Index b, Eigen::Index c) { one.emplace_back(b, c); });
    const Eigen::Index step = piece_rows(n);
    for_pieces(n, 1e9, 2, [&](Eigen::Index b, Eigen::Index c) { two[b / step] = {b, c}; });
    two.resize(one.size());
    CHECK(one == two);
    Eigen::Index covered = 0;
    for (auto [b, c] : one) {
      CHECK(b == covered);
      covered += c;
    }
    CHECK(covered == n);
  }
}
