#pragma once
// Per-call information that some layers need besides the subnet: where training stands (routers
// with schedules, e.g. SMoE-Dropout's growing k or CompeteSMoE's competition steps). Default:
// step 0 of 0, i.e. no schedule information (inference, tests).
#include <cstdint>

namespace automoe {

struct ForwardContext {
  int64_t step = 0;        // optimizer updates done so far
  int64_t totalSteps = 0;  // planned updates of the run (0 = unknown)
};

}  // namespace automoe
