#pragma once
// A target machine and the way latency is measured on it: device, intra-op threads, input shape
// (batch, source and target length, beam) and the number of warm-up and measured runs. Every
// latency figure (measurement, dataset row, predictor) is tied to one named profile. Torch-free:
// the project file and the GUI read it.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

class JsonReader;

struct HardwareProfile {
  std::string name = "cpu-1-thread";
  std::string device = "cpu";  // "cpu" or "cuda" (only when LibTorch was built with CUDA)
  int threads = 1;             // intra-op threads during the measurement
  int batchSize = 1;
  int srcLen = 30;  // AutoMoE/HAT protocol: 30-token source, 30 incremental decoder steps, beam 5
  int tgtLen = 30;
  int beam = 5;
  int warmup = 5;
  int runs = 20;  // measured runs; the top and bottom 10% are trimmed
  // "wall": elapsed time (the latency a user sees). "thread_cpu": CPU time of the measuring
  // thread, for threads = 1 on a shared machine: time while other jobs hold the core is not
  // counted, so the figure estimates the latency on an idle machine with far less noise.
  std::string timer = "wall";
  // "beam_search": a real beam search forced to tgtLen steps (what a user runs). "automoe": the
  // AutoMoE/HAT recipe for comparison with published figures: all beam rows decode the same
  // fixed prefix (token 7 ..., EOS) without beam bookkeeping, so every row of a sentence routes to
  // the same experts; it underestimates MoE decoding, where the beams' rows differ.
  std::string protocol = "beam_search";
  // Measure the space's smallest subnet run by run between the runs of every subnet. On a shared
  // machine the speed drifts over minutes (other jobs' memory traffic, by 5-10% here); the
  // predictor divides that drift out (sample latency x median reference / its own reference).
  bool driftReference = false;

  static HardwareProfile fromJson(const JsonReader& r);
  nlohmann::json toJson() const;
  bool operator==(const HardwareProfile& o) const;
  bool operator!=(const HardwareProfile& o) const { return !(*this == o); }

  // File-name-safe form of the name (used for the files under runs/latency/).
  std::string fileStem() const;
};

// The "hardware_profiles" list of a project: parses every entry, rejects duplicate names. A
// missing list gives defaultHardwareProfiles().
std::vector<HardwareProfile> hardwareProfilesFromJson(const JsonReader& project, const char* key);
std::vector<HardwareProfile> defaultHardwareProfiles();

// The profiles' names, comma-separated, for messages that list the known ones.
std::string hardwareProfileNames(const std::vector<HardwareProfile>& profiles);

// The profile called `name`, or the first one when `name` is empty. Throws ConfigError naming
// `source` and listing the known names.
const HardwareProfile& findHardwareProfile(const std::vector<HardwareProfile>& profiles,
                                           const std::string& name, const std::string& source);

}  // namespace automoe
