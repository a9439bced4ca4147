#pragma once
// Errors about user input (project files, search spaces, architectures, CLI flags). The message
// always names where the problem is (file and/or field) and what is wrong; front ends turn it into
// exit code 2 (CLI) or an error dialog (GUI).
#include <stdexcept>
#include <string>

namespace automoe {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace automoe
