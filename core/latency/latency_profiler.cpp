#include "latency/latency_profiler.h"

#include <time.h>

#include <chrono>
#include <cmath>

#include <ATen/core/grad_mode.h>
#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>

#include "arch/arch_config.h"
#include "decode/beam_search.h"
#include "decode/model_stepper.h"
#include "latency/huge_page_parameters.h"
#include "latency/scoped_threads.h"
#include "model/sinusoidal_positions.h"
#include "util/config_error.h"
#include "util/rng.h"
#include "util/stop_token.h"

namespace automoe {

namespace {

double steadyMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// AutoMoE's dummy source: EOS, then token 7 (or the last id of a smaller vocabulary).
at::Tensor dummySource(int64_t batch, int64_t len, int64_t vocab, const at::Device& device) {
  const int64_t token = vocab > 7 ? 7 : vocab - 1;  // vocab >= 5 (ModelOptions)
  at::Tensor src = at::full({batch, len}, token, at::TensorOptions().dtype(at::kLong));  // [B, S]
  src.select(1, 0).fill_(kEosIndex);
  return src.to(device);
}

}  // namespace

LatencyProfiler::LatencyProfiler(HardwareProfile profile, SearchSpace space, ModelOptions model)
    : m_profile(std::move(profile)),
      m_superShape(ModelShape::forSupernet(space, model)),
      m_referenceArch(space.smallest()),
      m_model(std::move(model)),
      m_clock(m_profile.timer == "thread_cpu" ? threadCpuMs : steadyMs) {
  if (m_profile.device == "cuda" && !torch::cuda::is_available())
    throw ConfigError("hardware profile \"" + m_profile.name +
                      "\": device \"cuda\" is not available (this LibTorch has no CUDA or no GPU "
                      "is visible)");
  if (m_profile.srcLen > m_model.maxPositions || m_profile.tgtLen > m_model.maxPositions)
    throw ConfigError("hardware profile \"" + m_profile.name + "\": src_len/tgt_len exceed the " +
                      "model's max_positions " + std::to_string(m_model.maxPositions));
}

SuperTransformer LatencyProfiler::buildModel(const ArchConfig& arch) const {
  const auto problems = m_superShape.fitProblems(arch);
  if (!problems.empty()) {
    std::string msg = "the subnet does not fit the project's supernet:";
    for (const auto& p : problems) msg += "\n  - " + p;
    throw std::invalid_argument(msg);
  }
  // Seeds the global CPU generator (module initialisation draws from it) and puts its state back
  // afterwards, also on an exception. Not locked: initialisation takes the generator's mutex.
  struct SeededGlobalGenerator {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    at::Tensor saved = gen.get_state();
    explicit SeededGlobalGenerator(uint64_t seed) { gen.set_current_seed(seed); }
    ~SeededGlobalGenerator() { gen.set_state(saved); }
  };
  SuperTransformer model{nullptr};
  {
    const SeededGlobalGenerator seeded(m_modelSeed);
    model = SuperTransformer(
        SuperTransformerOptions(ModelShape::forSubnet(arch, m_superShape), m_model));
  }
  model->eval();
  if (m_profile.device != "cpu") model->to(at::Device(m_profile.device));
  else moveParametersToHugePages(*model);  // as a deployed model is loaded: see the header
  return model;
}

void LatencyProfiler::redrawRouters(SuperTransformerImpl& model, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const at::NoGradGuard noGrad;
  auto params = model.named_parameters(/*recurse=*/true);
  for (auto& p : params) {
    const std::string& name = p.key();
    if (name.find(".routers.") == std::string::npos) continue;
    // A router's weight is [experts, width]; its bias takes the bound of the weight beside it.
    const at::Tensor* weight = params.find(name.substr(0, name.rfind('.')) + ".weight");
    if (!weight || weight->dim() != 2) continue;
    const double bound = 1.0 / std::sqrt(static_cast<double>(weight->size(1)));
    at::Tensor& t = p.value();
    t.copy_(at::empty(t.sizes(), t.options().device(at::kCPU)).uniform_(-bound, bound, gen));
  }
}

std::optional<LatencyMeasurement> LatencyProfiler::measure(const ArchConfig& arch) const {
  SuperTransformer model = buildModel(arch);
  std::vector<Subject> subjects = {{model.get(), &arch, [&](int r) {
                                      redrawRouters(*model, mixSeed(m_modelSeed, uint64_t(r)));
                                    }}};
  if (m_profile.driftReference) {
    if (m_referenceModel.is_empty()) m_referenceModel = buildModel(m_referenceArch);
    subjects.push_back({m_referenceModel.get(), &m_referenceArch, [&](int r) {
                          redrawRouters(*m_referenceModel, mixSeed(m_modelSeed, uint64_t(r)));
                        }});
  }
  auto m = runInterleaved(subjects);
  if (!m) return std::nullopt;
  if (m->size() > 1) (*m)[0].setReference(totals((*m)[1]));
  return (*m)[0];
}

std::optional<LatencyMeasurement> LatencyProfiler::measure(const SuperTransformerImpl& model,
                                                           const ArchConfig& arch) const {
  auto m = runInterleaved({{&model, &arch, {}}});
  if (!m) return std::nullopt;
  return (*m)[0];
}

std::vector<double> LatencyProfiler::totals(const LatencyMeasurement& m) {
  std::vector<double> t(m.encoderMs.size());
  for (size_t i = 0; i < t.size(); ++i) t[i] = m.encoderMs[i] + m.decoderMs[i];
  return t;
}

std::optional<std::vector<LatencyMeasurement>> LatencyProfiler::runInterleaved(
    const std::vector<Subject>& subjects) const {
  for (const auto& s : subjects) s.model->checkFits(*s.arch);
  const ScopedThreads threads(m_profile.threads);
  const c10::InferenceMode inference;
  const at::Device device(m_profile.device);
  const bool cuda = device.is_cuda();
  auto now = [&] {
    if (cuda) torch::cuda::synchronize();
    return m_clock();
  };
  const int64_t vocab = subjects.front().model->shape().vocabSize;
  const at::Tensor src = dummySource(m_profile.batchSize, m_profile.srcLen, vocab, device);
  BeamSearchOptions bo;
  bo.beam = m_profile.beam;
  bo.forcedLength = m_profile.tgtLen;
  bo.maxLen = m_profile.tgtLen;
  const BeamSearch search(bo);
  const bool automoe = m_profile.protocol == "automoe";
  const int64_t rows = int64_t{m_profile.batchSize} * m_profile.beam;
  const at::Tensor expand =  // row r of the beam-expanded batch reads sentence r / beam
      at::arange(rows, at::TensorOptions().dtype(at::kLong)).div(m_profile.beam, "floor").to(device);
  const int64_t fixedToken = vocab > 7 ? 7 : vocab - 1;

  // One run of one subject: {encoder ms, decoder ms}.
  auto once = [&](const SuperTransformerImpl& model, const ArchConfig& arch) {
    const double t0 = now();
    EncoderOutput encoded = model.encode(src, arch);
    const double t1 = now();
    if (automoe) {
      // measure_latency: step k feeds prev[k] of prev = [7] * (T - 1) + [EOS] to every row.
      const EncoderOutput rowsOut = encoded.reordered(expand);
      DecoderState state;
      for (int k = 0; k < m_profile.tgtLen; ++k) {
        const int64_t token = k + 1 < m_profile.tgtLen ? fixedToken : kEosIndex;
        model.decodeStep(at::full({rows, 1}, token, expand.options()), rowsOut, arch, state);
      }
    } else {
      ModelStepper stepper(model, arch, std::move(encoded));
      search.run(stepper, m_profile.batchSize);
    }
    return std::make_pair(t1 - t0, now() - t1);
  };

  const size_t n = subjects.size();
  std::vector<std::vector<double>> enc(n), dec(n);
  for (int run = 0; run < m_profile.warmup + m_profile.runs; ++run) {
    for (size_t j = 0; j < n; ++j) {
      // Alternate the order, so neither subject always runs on the other's warm caches.
      const size_t i = run % 2 ? n - 1 - j : j;
      if (m_stop && m_stop->stopRequested()) return std::nullopt;
      if (subjects[i].beforeRun) subjects[i].beforeRun(run);
      const auto [e, d] = once(*subjects[i].model, *subjects[i].arch);
      if (run >= m_profile.warmup) {
        enc[i].push_back(e);
        dec[i].push_back(d);
      }
    }
  }
  std::vector<LatencyMeasurement> out;
  for (size_t i = 0; i < n; ++i) out.push_back(LatencyMeasurement::fromRuns(enc[i], dec[i]));
  return out;
}

}  // namespace automoe
