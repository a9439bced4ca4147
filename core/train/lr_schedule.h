#pragma once
// Learning-rate schedules of fairseq/AutoMoE: linear warm-up from warmupInitLr to maxLr, then
// cosine decay to minLr over the remaining updates, or inverse square root decay.
#include <cstdint>
#include <string>

namespace automoe {

struct LrScheduleOptions {
  std::string kind = "cosine";  // "cosine" | "inverse_sqrt" | "constant"
  double maxLr = 1e-3;
  double minLr = 1e-7;
  double warmupInitLr = 1e-7;
  int64_t warmupUpdates = 10000;
  int64_t totalUpdates = 40000;  // cosine period = totalUpdates - warmupUpdates
};

class LrSchedule {
 public:
  explicit LrSchedule(LrScheduleOptions o) : m_o(std::move(o)) {}
  // Learning rate for the update with 0-based index `step`.
  double at(int64_t step) const;

 private:
  LrScheduleOptions m_o;
};

}  // namespace automoe
