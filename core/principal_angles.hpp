// Principal subspaces of data and principal angles between subspaces (auto-association measures).
#pragma once
#include <Eigen/Dense>

namespace hds {

// Orthonormal basis (n × k) of the top-k principal subspace of X (n × N, columns = patterns, centred by
// their mean): eigenvectors of the k largest eigenvalues of the scatter matrix, largest first. When
// eigenvalues k and k + 1 are equal the subspace is not unique and one of them is returned. 1 ≤ k ≤ n.
// Serial (Eigen's own threading off), so the result does not depend on the thread count.
Eigen::MatrixXd principal_subspace(const Eigen::MatrixXd& X, int k);

// Orthonormal basis of span(M): the left singular vectors of its non-negligible singular values
// (σ > max(rows, cols) · ε · σ_max); n × 0 for a zero matrix.
Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& M);

// Principal angles θ_1 ≤ … ≤ θ_q (radians) between span(A) and span(B), q = min(A.cols(), B.cols());
// the bases need not be orthonormal. With Q_A, Q_B orthonormal bases, cos θ_i are the singular values of
// Q_Aᵀ Q_B and sin θ_i those of the part of the smaller basis outside the larger span; angles below π/4
// come from the sines, the others from the cosines, so both ends are accurate. A basis of lower rank
// spans fewer dimensions: each missing one counts as π/2.
Eigen::VectorXd principal_angles(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);

}  // namespace hds
