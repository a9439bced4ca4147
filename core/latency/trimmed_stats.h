#pragma once
// Robust summary of repeated timings: sort, drop the lowest and the highest round(trim * n) values
// (AutoMoE/HAT drop 10% at each end), at least one at each end from 5 values on, then mean, sample
// standard deviation and coefficient of variation of what is left.
#include <vector>

namespace automoe {

struct TrimmedStats {
  double mean = 0;
  double std = 0;  // sample standard deviation (n - 1) of the kept values; 0 for one value
  double cv = 0;   // std / mean
  int kept = 0;    // values left after trimming
  int dropped = 0; // values dropped in total (both ends)
};

// Throws std::invalid_argument for an empty input or trim outside [0, 0.5).
TrimmedStats trimmedStats(std::vector<double> values, double trim = 0.1);

}  // namespace automoe
