// Principal subspaces and principal angles (see principal_angles.hpp).
#include "core/principal_angles.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/parallel.hpp"

namespace hds {

Eigen::MatrixXd principal_subspace(const Eigen::MatrixXd& X, int k) {
  const Eigen::Index n = X.rows(), N = X.cols();
  if (k < 1 || k > n) throw std::invalid_argument("principal_subspace: k must be in [1, rows]");
  EigenSerial serial(1);  // the same bits on any number of threads
  const Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean();
  Eigen::MatrixXd basis(n, k);
  if (n <= N) {
    Eigen::MatrixXd S = Eigen::MatrixXd::Zero(n, n);
    S.selfadjointView<Eigen::Lower>().rankUpdate(Xc);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(S);  // eigenvalues ascending
    for (int j = 0; j < k; ++j) basis.col(j) = eig.eigenvectors().col(n - 1 - j);
    return basis;
  }
  // Fewer patterns than dimensions: the same subspace from the Gram matrix, u = Xc v (normalised). Its
  // rank is at most N, so the columns beyond it (zero) are completed to an orthonormal basis by QR.
  Eigen::MatrixXd G = Eigen::MatrixXd::Zero(N, N);
  G.selfadjointView<Eigen::Lower>().rankUpdate(Xc.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(G);
  for (int j = 0; j < k; ++j) {
    basis.col(j) = j < N ? Eigen::VectorXd(Xc * eig.eigenvectors().col(N - 1 - j)) : Eigen::VectorXd::Zero(n);
    const double norm = basis.col(j).norm();
    if (norm > 0) basis.col(j) /= norm;
  }
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(basis);
  return qr.householderQ() * Eigen::MatrixXd::Identity(n, k);
}

Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& M) {
  if (M.cols() == 0) return Eigen::MatrixXd(M.rows(), 0);
  Eigen::BDCSVD<Eigen::MatrixXd> svd(M, Eigen::ComputeThinU);
  const Eigen::VectorXd& s = svd.singularValues();
  const double tol =
      static_cast<double>(std::max(M.rows(), M.cols())) * std::numeric_limits<double>::epsilon() * s(0);
  Eigen::Index rank = 0;
  while (rank < s.size() && s(rank) > tol && s(rank) > 0.0) ++rank;
  return svd.matrixU().leftCols(rank);
}

Eigen::VectorXd principal_angles(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  if (A.rows() != B.rows()) throw std::invalid_argument("principal_angles: bases of different dimension");
  const Eigen::Index q = std::min(A.cols(), B.cols());
  Eigen::VectorXd theta = Eigen::VectorXd::Constant(q, M_PI / 2);
  const Eigen::MatrixXd QA = orthonormal_basis(A), QB = orthonormal_basis(B);
  const bool a_larger = QA.cols() >= QB.cols();
  const Eigen::MatrixXd& P = a_larger ? QA : QB;  // the larger basis
  const Eigen::MatrixXd& Q = a_larger ? QB : QA;  // the smaller one: r columns
  const Eigen::Index r = Q.cols();
  if (r == 0) return theta;
  const Eigen::MatrixXd M = P.transpose() * Q;
  const Eigen::MatrixXd R = Q - P * M;  // the part of span(Q) outside span(P)
  const Eigen::VectorXd cosines = Eigen::BDCSVD<Eigen::MatrixXd>(M).singularValues();  // descending
  const Eigen::VectorXd sines = Eigen::BDCSVD<Eigen::MatrixXd>(R).singularValues();    // descending
  for (Eigen::Index i = 0; i < r; ++i) {
    const double c = std::min(cosines(i), 1.0);
    const double s = std::min(sines(r - 1 - i), 1.0);  // ascending: pairs with the i-th largest cosine
    theta(i) = c * c >= 0.5 ? std::asin(s) : std::acos(c);
  }
  return theta;
}

}  // namespace hds
