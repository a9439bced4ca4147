#include "latency/latency_measurement.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

double LatencyMeasurement::encoderShare() const {
  const double sum = encoder.mean + decoder.mean;
  return sum > 0 ? encoder.mean / sum : 0.0;
}

void LatencyMeasurement::setReference(std::vector<double> runsMs) {
  reference = runsMs.empty() ? TrimmedStats{} : trimmedStats(runsMs, trim);
  referenceMs = std::move(runsMs);
}

LatencyMeasurement LatencyMeasurement::fromRuns(std::vector<double> encoderMs,
                                                std::vector<double> decoderMs, double trim) {
  if (encoderMs.size() != decoderMs.size() || encoderMs.empty())
    throw std::invalid_argument("LatencyMeasurement: need the same number (>= 1) of encoder and decoder runs");
  std::vector<double> total(encoderMs.size());
  for (size_t i = 0; i < total.size(); ++i) total[i] = encoderMs[i] + decoderMs[i];
  LatencyMeasurement m;
  m.total = trimmedStats(total, trim);
  m.encoder = trimmedStats(encoderMs, trim);
  m.decoder = trimmedStats(decoderMs, trim);
  m.encoderMs = std::move(encoderMs);
  m.decoderMs = std::move(decoderMs);
  m.trim = trim;
  return m;
}

nlohmann::json LatencyMeasurement::toJson() const {
  nlohmann::json j = {{"latency_ms", total.mean},       {"std_ms", total.std},
          {"cv", total.cv},                 {"trim", trim},
          {"encoder_ms", encoder.mean},     {"decoder_ms", decoder.mean},
          {"encoder_share", encoderShare()}, {"encoder_runs_ms", encoderMs},
          {"decoder_runs_ms", decoderMs}};
  if (hasReference()) {
    j["reference_ms"] = reference.mean;
    j["reference_runs_ms"] = referenceMs;
  }
  return j;
}

LatencyMeasurement LatencyMeasurement::fromJson(const nlohmann::json& j, const std::string& source) {
  const JsonReader r(j, source);
  auto list = [&](const char* key) {
    const auto& v = r.raw(key);
    if (!v.is_array()) r.fail(key, "expected a list of numbers");
    std::vector<double> out;
    for (const auto& x : v) {
      if (!x.is_number()) r.fail(key, "expected a list of numbers");
      out.push_back(x.get<double>());
    }
    return out;
  };
  std::vector<double> enc = list("encoder_runs_ms"), dec = list("decoder_runs_ms");
  if (enc.empty() || enc.size() != dec.size())
    r.fail("decoder_runs_ms", "must have as many (>= 1) entries as encoder_runs_ms");
  const double trim = r.getDouble("trim", 0.1);
  if (!(trim >= 0 && trim < 0.5)) r.fail("trim", "must be in [0, 0.5)");
  // The summaries are recomputed from the raw runs, so they cannot disagree with them.
  LatencyMeasurement m = fromRuns(std::move(enc), std::move(dec), trim);
  if (r.has("reference_runs_ms")) m.setReference(list("reference_runs_ms"));
  return m;
}

}  // namespace automoe
