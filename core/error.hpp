// Errors that reach the user: one clear line naming what was wrong and how to fix it.
#pragma once
#include <stdexcept>
#include <string>

namespace hds {

// A problem with the user's input (config, data file, argument). main() prints what() and exits 2.
struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace hds
