#pragma once
// SIGINT/SIGTERM request a clean stop of the running job (it saves its state and the command exits
// with code 130) instead of killing the process.
#include "util/stop_token.h"

namespace automoe::cli {

void installStopSignals(StopToken& token);

}  // namespace automoe::cli
