#pragma once
// A collective operation that failed under way: a peer rank ended (killed, crashed) or the
// connection to it broke. The rank that throws it is not the cause; the data-parallel launcher
// reports the rank that failed first for another reason.
#include <stdexcept>
#include <string>

namespace automoe {

class CollectiveError : public std::runtime_error {
 public:
  explicit CollectiveError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace automoe
