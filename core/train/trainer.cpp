#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <ATen/core/grad_mode.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <nlohmann/json.hpp>
#include <torch/cuda.h>
#include <torch/version.h>

#include "model/bf16_autocast.h"
#include "model/bf16_products.h"
#include "model/bf16_weight_shadow.h"
#include "model/cpu_gemm.h"
#include "model/sinusoidal_positions.h"
#include "model/slice_linear.h"
#include "train/box_norm.h"
#include "train/checkpoint.h"
#include "train/collective.h"
#include "train/label_smoothed_loss.h"
#include "train/metrics_log.h"
#include "util/atomic_file.h"
#include "util/blas_info.h"
#include "util/config_error.h"
#include "util/cpu_bf16.h"
#include "util/file_write_error.h"
#include "util/run_lock.h"
#include "util/heap_allocator.h"
#include "util/huge_pages.h"
#include "util/json_reader.h"
#include "util/openmp_wait.h"
#include "util/rng.h"

namespace automoe {

namespace {

// training.cpu_gemm -> the process-wide backend of fp32 CPU products (model/cpu_gemm.h).
void applyCpuGemm(const std::string& choice) {
  if (choice == "onednn" && !oneDnnGemmCompiledIn())
    throw ConfigError("field 'training.cpu_gemm' is \"onednn\", but this build has no oneDNN (libdnnl-dev); "
                      "use \"auto\" or \"blas\"");
  static const bool agrees = oneDnnGemmCompiledIn() && oneDnnGemmAgreesWithBlas();
  const bool onednn = choice == "onednn" || (choice == "auto" && agrees);
  setCpuGemm(onednn ? CpuGemm::OneDnn : CpuGemm::Blas);
}

ModelOptions checkedModelOptions(const Project& p, const TrainingData& data) {
  if (data.vocabSize() != p.model.vocabSize)
    throw ConfigError((p.path.empty() ? std::string("project") : p.path) + ": field 'model.vocab_size' is " +
                      std::to_string(p.model.vocabSize) + " but the training data has a vocabulary of " +
                      std::to_string(data.vocabSize()));
  return p.model;
}

// The supernet's shape, or for a fixed subnet its exact shape as a model of its own (dropout
// and positions at its own widths, as when HAT/AutoMoE retrain a searched subnet).
ModelShape modelShape(const Project& p, const ModelOptions& mo, const std::optional<ArchConfig>& fixed) {
  const ModelShape super = ModelShape::forSupernet(p.space, mo);
  if (!fixed) return super;
  const std::vector<std::string> problems = fixed->validate(p.space);
  if (!problems.empty())
    throw ConfigError("the architecture to retrain lies outside the project's search space: " + problems.front());
  ModelShape shape = ModelShape::forSubnet(*fixed, super);
  shape.encoder.superEmbedDim = shape.encoder.embedDim;
  shape.decoder.superEmbedDim = shape.decoder.embedDim;
  return shape;
}

}  // namespace

Trainer::Trainer(const Project& project, TrainingOptions options, std::shared_ptr<TrainingData> data,
                 std::string runDir, Collective* collective, std::optional<ArchConfig> fixedArch)
    : m_project(project),
      m_options(std::move(options)),
      m_data(std::move(data)),
      m_runDir(std::move(runDir)),
      m_collective(collective),
      m_fixedArch(std::move(fixedArch)),
      m_sampler(m_fixedArch ? SubnetSampler::fixed(*m_fixedArch)
                            : SubnetSampler(project.space, m_options.sampling, project.seed)),
      m_lr(m_options.lr) {
  const ModelOptions mo = checkedModelOptions(m_project, *m_data);
  if (m_options.threads > 0) at::set_num_threads(m_options.threads);
  applyCpuGemm(m_options.cpuGemm);
  at::manual_seed(m_project.seed);  // identical initial weights on every rank
  m_model = SuperTransformer(SuperTransformerOptions(modelShape(m_project, mo, m_fixedArch), mo));
  const bool cuda = m_options.device == "cuda" || (m_options.device == "auto" && torch::cuda::is_available());
  if (m_options.device == "cuda" && !torch::cuda::is_available())
    throw ConfigError("field 'training.device' is \"cuda\" but this LibTorch has no usable CUDA device");
  if (cuda) {
    m_device = at::Device(at::kCUDA, m_collective ? m_collective->rank() % static_cast<int>(torch::cuda::device_count()) : 0);
    m_model->to(m_device);
  }
  std::vector<std::pair<std::string, at::Tensor>> params;
  for (const auto& p : m_model->named_parameters()) params.emplace_back(p.key(), p.value());
  for (size_t i = 0; i < params.size(); ++i) m_paramIndex[params[i].second.unsafeGetTensorImpl()] = i;
  SliceAdamOptions adam{m_options.adamBeta1, m_options.adamBeta2, m_options.adamEps, m_options.weightDecay};
  adam.eagerState = m_options.optimizerState == "eager";
  m_adam = std::make_unique<SliceAdam>(params, adam);
  // bf16 products on the CPU through oneDNN read weights from bf16 shadows kept by the optimizer
  // (bf16_weight_shadow.h), not from a cast of each weight per use.
  m_useBf16Shadow = m_options.precision == "bf16" && m_device.is_cpu() &&
                    sliceLinearCpuBf16Products() == "onednn_direct" && bf16WeightShadowsEnabled();
  std::filesystem::create_directories(m_runDir);
}

Trainer::~Trainer() = default;

Bf16WeightShadow* Trainer::bf16Shadow() {
  if (m_useBf16Shadow && !m_bf16Shadow) {  // cast from the weights as they are now (loaded, if resumed)
    std::vector<at::Tensor> weights;
    for (const auto& p : m_model->parameters()) weights.push_back(p);
    m_bf16Shadow = std::make_unique<Bf16WeightShadow>(weights);
    m_adam->setBf16Shadow(m_bf16Shadow.get());
  }
  return m_bf16Shadow.get();
}

std::string Trainer::lastCheckpointPath() const { return m_runDir + "/checkpoint_last.pt"; }

std::vector<std::string> Trainer::keptCheckpoints() const {
  std::vector<std::pair<int64_t, std::string>> found;
  if (std::filesystem::is_directory(m_runDir))
    for (const auto& e : std::filesystem::directory_iterator(m_runDir)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("checkpoint_", 0) != 0 || e.path().extension() != ".pt") continue;
      const std::string mid = name.substr(11, name.size() - 14);
      if (mid.empty() || mid.find_first_not_of("0123456789") != std::string::npos) continue;
      found.emplace_back(std::stoll(mid), e.path().string());
    }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

nlohmann::json Trainer::provenance() const {
  return {{"seed", m_project.seed},
          {"automoe_version", AUTOMOE_VERSION},
          {"torch_version", TORCH_VERSION},
          {"blas", detectBlas().toJson()},
          {"precision", m_options.precision},
          {"cpu_bf16", cpuBf16Name(cpuBf16Support())},
          {"cpu_bf16_products", cpuBf16ProductsName()},
          {"cpu_bf16_training_products", sliceLinearCpuBf16Products()},
          {"cpu_bf16_weight_shadows", m_useBf16Shadow},
          {"threads", at::get_num_threads()},
          {"openmp_wait", openMpWaitSetting()},
          {"heap_allocator", heapAllocator()},
          {"heap_pages", hugePageSetting()},
          {"cpu_gemm", cpuGemm() == CpuGemm::OneDnn ? "onednn " + oneDnnVersion() : std::string("blas")},
          {"world_size", m_collective ? m_collective->worldSize() : 1},
          {"distributed_backend", m_collective ? m_collective->backendName() : std::string("none")},
          {"device", m_device.str()}};
}

std::vector<std::pair<std::string, ArchConfig>> Trainer::referenceSubnets() const {
  if (m_fixedArch) return {{"subnet", *m_fixedArch}};
  std::vector<std::pair<std::string, ArchConfig>> out = {{"largest", m_project.space.largest()},
                                                         {"smallest", m_project.space.smallest()}};
  for (int i = 0; i < m_options.referenceSubnets; ++i)
    out.emplace_back("random-" + std::to_string(i + 1),
                     m_project.space.sample(mixSeed(m_project.seed, 1000003ULL + static_cast<uint64_t>(i))));
  return out;
}

void Trainer::nextBatchPosition() {
  if (++m_batchIndex >= m_data->numTrainBatches(m_epoch)) {
    m_batchIndex = 0;
    ++m_epoch;
  }
}

bool Trainer::trainStep(TrainStepStats& st) {
  const auto t0 = std::chrono::steady_clock::now();
  const ForwardContext ctx{m_step, m_options.maxUpdates};
  const std::vector<ArchConfig> archs = m_sampler.forStep(m_step);
  at::manual_seed(mixSeed(m_project.seed, static_cast<uint64_t>(m_step)) >> 1);
  m_model->train();
  m_model->zero_grad(/*set_to_none=*/true);

  const int world = m_collective ? m_collective->worldSize() : 1;
  const int rank = m_collective ? m_collective->rank() : 0;
  std::vector<TrainBatch> batches;
  for (int u = 0; u < m_options.updateFreq; ++u)
    for (int r = 0; r < world; ++r) {
      if (r == rank) batches.push_back(onDevice(m_data->trainBatch(m_epoch, m_batchIndex)));
      nextBatchPosition();
    }
  int64_t localTokens = 0;
  for (const auto& b : batches) localTokens += b.targetTokens;
  std::vector<at::Tensor> tok = {at::full({1}, static_cast<double>(localTokens), at::kDouble)};
  if (m_collective) m_collective->allReduceSum(tok);
  const double N = tok[0].item<double>() * static_cast<double>(archs.size());

  double lossSum = 0, nllSum = 0, auxSum = 0;
  std::map<std::string, double> terms;
  std::vector<at::Tensor> load;
  int64_t encoderRows = 0;
  int64_t dropped = 0;
  bool finite = true;
  SliceRecorder recorder;
  SliceRecorder::Scope recording(recorder);
  Bf16WeightShadow::Scope shadowing(bf16Shadow());
  for (const auto& b : batches) {
    for (size_t a = 0; a < archs.size() && finite; ++a) {
      ModelOutput out;
      LossSums sums;
      {
        Bf16Autocast autocast(m_options.precision == "bf16");
        out = m_model->forward(b.src, b.prevOutput, archs[a], ctx);
        // Nothing reads the logits after backward: their memory takes the gradient.
        sums = labelSmoothedLoss(out.logits, b.target, m_options.labelSmoothing, kPadIndex, /*overwriteLogits=*/true);
      }
      const at::Tensor aux = out.moe.meanAuxLoss();
      const double share = static_cast<double>(b.targetTokens) / N;
      const at::Tensor objective = sums.loss / N + aux * share;
      const double l = sums.loss.item<double>(), al = aux.item<double>();
      if (!std::isfinite(l) || !std::isfinite(al)) {
        finite = false;
        break;
      }
      objective.backward();
      lossSum += l;
      nllSum += sums.nll.item<double>();
      auxSum += al * share;
      for (const auto& kv : out.moe.auxTerms) terms[kv.first] += out.moe.meanTerm(kv.first).item<double>() * share;
      if (a == 0)
        for (size_t i = 0; i < out.moe.layers.size(); ++i) {
          const at::Tensor c = out.moe.layers[i].expertTokens.to(at::kDouble);
          if (load.size() <= i) load.push_back(c); else load[i] = load[i] + c;
          if (!out.moe.layers[i].decoder) encoderRows = std::max<int64_t>(encoderRows, static_cast<int64_t>(i) + 1);
          dropped += out.moe.layers[i].droppedTokens;
        }
    }
    if (!finite) break;
  }
  std::vector<at::Tensor> agg = {at::tensor({lossSum, nllSum, auxSum, finite ? 0.0 : 1.0}, at::kDouble)};
  if (m_collective) m_collective->allReduceSum(agg);
  auto skip = [&](const char* reason) {
    m_model->zero_grad(true);
    ++m_badSteps;
    ++m_skippedTotal;
    m_skipReason = reason;
    st.skippedSteps = m_skippedTotal;
    return false;
  };
  if (agg[0][3].item<double>() > 0) return skip("loss");  // some rank saw a non-finite loss: every rank skips
  // Profiler scopes (bench_train_profile): the update's work outside the model's operators.
  std::vector<SliceAdam::BoxGrad> boxes;
  double gradScale = 1.0;
  {
    RECORD_FUNCTION("automoe::collect_gradients", std::vector<c10::IValue>());
    boxes = collectGradients(recorder);
    gradScale = clipScale(boxes);
  }
  // A gradient that overflowed with a finite loss: applying it would make weights NaN for good
  // (and the next checkpoint would keep them). Seen through the clipping norm (the same on every
  // rank: the gradients are already summed), so without clip_norm it is not checked.
  if (!std::isfinite(gradScale)) return skip("gradient");
  const double lr = m_lr.at(m_step);
  {
    RECORD_FUNCTION("automoe::adam_step", std::vector<c10::IValue>());
    m_adam->step(lr, boxes, gradScale);
  }
  ++m_step;
  m_badSteps = 0;

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  st.step = m_step;
  st.lr = lr;
  st.loss = agg[0][0].item<double>() / N;
  st.nll = agg[0][1].item<double>() / N;
  st.auxLoss = agg[0][2].item<double>();
  st.auxTerms = terms;
  st.secondsPerUpdate = seconds;
  st.targetTokens = static_cast<int64_t>(N / static_cast<double>(archs.size()));
  st.targetTokensPerSecond = static_cast<double>(st.targetTokens) / seconds;
  st.droppedTokens = dropped;
  st.skippedSteps = m_skippedTotal;
  st.arch = archs.front().summary();
  st.expertLoad.clear();
  st.expertLoadEncoderRows = encoderRows;
  for (const auto& c : load) {
    const double total = c.sum().item<double>();
    std::vector<double> shares;
    for (int64_t e = 0; e < c.size(0); ++e) shares.push_back(total > 0 ? c[e].item<double>() / total : 0.0);
    st.expertLoad.push_back(shares);
  }
  return true;
}

std::vector<SliceAdam::BoxGrad> Trainer::collectGradients(const SliceRecorder& recorder) {
  const auto& params = m_adam->params();
  std::vector<at::Tensor> local(params.size());  // gradient box per parameter (undefined = none)
  for (const auto& box : recorder.boxGradients()) local[m_paramIndex.at(box.param.unsafeGetTensorImpl())] = box.grad;
  for (size_t i = 0; i < params.size(); ++i) {
    const at::Tensor& g = params[i].second.grad();
    if (local[i].defined() || !g.defined()) continue;
    const std::vector<int64_t> extent = SliceAdam::nonZeroExtent(g);
    if (extent.empty()) continue;
    at::Tensor box = g;
    for (int64_t d = 0; d < g.dim(); ++d) box = box.narrow(d, 0, extent[d]);
    local[i] = box;
  }
  if (m_collective) {
    // Agree on the boxes (element-wise max of their sizes), pad local ones, sum over ranks.
    const int64_t P = static_cast<int64_t>(params.size());
    at::Tensor sizes = at::zeros({P, 4}, at::kLong);
    for (int64_t i = 0; i < P; ++i)
      if (local[i].defined())
        for (int64_t d = 0; d < local[i].dim(); ++d) sizes[i][d] = local[i].size(d);
    m_collective->allReduceMax(sizes);
    std::vector<at::Tensor> reduce;
    for (int64_t i = 0; i < P; ++i) {
      const at::Tensor& p = params[i].second;
      if (sizes[i][0].item<int64_t>() == 0 && p.dim() > 0) continue;
      std::vector<int64_t> box(p.dim());
      for (int64_t d = 0; d < p.dim(); ++d) box[d] = sizes[i][d].item<int64_t>();
      if (!local[i].defined() || local[i].sizes() != at::IntArrayRef(box)) {
        at::Tensor padded = at::zeros(box, p.options());
        if (local[i].defined()) {
          at::Tensor view = padded;
          for (int64_t d = 0; d < p.dim(); ++d) view = view.narrow(d, 0, local[i].size(d));
          view.copy_(local[i]);
        }
        local[i] = padded;
      } else {
        local[i] = local[i].to(p.scalar_type()).contiguous();  // a bf16 box is summed in p's type
      }
      reduce.push_back(local[i]);
    }
    m_collective->allReduceSum(reduce);
  }
  std::vector<SliceAdam::BoxGrad> boxes;
  for (size_t i = 0; i < params.size(); ++i)
    if (local[i].defined()) boxes.push_back({i, local[i]});
  return boxes;
}

double Trainer::clipScale(const std::vector<SliceAdam::BoxGrad>& boxes) const {
  if (m_options.clipNorm <= 0 || boxes.empty()) return 1.0;
  // One read of each gradient (no squared temporaries): on the CPU the box kernel (bf16 boxes read
  // as they are, boxes at a row stride at full speed); elsewhere one norm per box and one host sync
  // for all of them (a device round trip per parameter would stall CUDA ~270 times per update).
  double squares = 0;
  std::vector<at::Tensor> norms;
  for (const auto& b : boxes) {
    if (const auto s = boxSquaredNorm(b.grad)) {
      squares += *s;
      continue;
    }
    // A bf16 box is reduced in float.
    norms.push_back(at::linalg_vector_norm(b.grad, 2, c10::nullopt, false,
                                           b.grad.scalar_type() == at::kBFloat16 ? c10::optional<at::ScalarType>(at::kFloat)
                                                                                  : c10::nullopt));
  }
  if (!norms.empty()) squares += at::stack(norms).to(at::kDouble).pow(2).sum().item<double>();  // squares in double
  const double norm = std::sqrt(squares);
  if (!std::isfinite(norm)) return std::numeric_limits<double>::quiet_NaN();  // a gradient is inf or NaN
  return norm > m_options.clipNorm ? m_options.clipNorm / (norm + 1e-6) : 1.0;
}

ValidationStats Trainer::validate() {
  ValidationStats v;
  v.step = m_step;
  m_model->eval();
  at::NoGradGuard noGrad;
  Bf16WeightShadow::Scope shadowing(bf16Shadow());
  const size_t nb = std::min<size_t>(static_cast<size_t>(m_options.validBatches), m_data->numValidBatches());
  for (const auto& [name, arch] : referenceSubnets()) {
    ValidationEntry e;
    e.name = name;
    double loss = 0, nll = 0;
    for (size_t i = 0; i < nb; ++i) {
      const TrainBatch b = onDevice(m_data->validBatch(i));
      Bf16Autocast autocast(m_options.precision == "bf16");
      const ModelOutput out = m_model->forward(b.src, b.prevOutput, arch);
      const LossSums s = labelSmoothedLoss(out.logits, b.target, m_options.labelSmoothing, kPadIndex);
      loss += s.loss.item<double>();
      nll += s.nll.item<double>();
      e.tokens += s.tokens;
    }
    e.loss = e.tokens ? loss / static_cast<double>(e.tokens) : 0;
    e.nll = e.tokens ? nll / static_cast<double>(e.tokens) : 0;
    v.subnets.push_back(e);
  }
  m_model->train();
  return v;
}

void Trainer::saveCheckpoint(const std::string& path) const {
  nlohmann::json meta = {{"step", m_step},
                         {"epoch", m_epoch},
                         {"batch_index", m_batchIndex},
                         {"bad_steps", m_badSteps},
                         {"skipped_total", m_skippedTotal},
                         {"search_space", m_project.space.toJson()},
                         {"model_options", m_project.model.toJson()},
                         {"training", m_options.toJson()},
                         {"provenance", provenance()}};
  if (m_fixedArch) meta["fixed_arch"] = m_fixedArch->toJson();
  Checkpoint::save(path, *m_model, m_adam.get(), meta);
}

void Trainer::resume(const std::string& path) {
  // Checked from the header before anything is loaded, so that a refused checkpoint leaves the
  // trainer as it was.
  const nlohmann::json meta = Checkpoint::readMeta(path);
  Checkpoint::checkShape(path, meta, m_model->shape());  // the most specific reason first
  if (valueOr(meta, "search_space", nlohmann::json()) != m_project.space.toJson())
    throw ConfigError(path + ": checkpoint was trained on a different search space than the project's");
  const nlohmann::json provenance = valueOr(meta, "provenance", nlohmann::json());
  if (valueOr(provenance, "seed", uint64_t{0}) != m_project.seed)
    throw ConfigError(path + ": checkpoint was trained with seed " +
                      valueOr(provenance, "seed", nlohmann::json()).dump() + ", the project has " +
                      std::to_string(m_project.seed));
  if (valueOr(meta, "fixed_arch", nlohmann::json()) != (m_fixedArch ? m_fixedArch->toJson() : nlohmann::json()))
    throw ConfigError(path + ": checkpoint was made for " +
                      (meta.contains("fixed_arch") ? "a different retrained architecture" : "the supernet") +
                      ", not for " + (m_fixedArch ? "this architecture" : "the supernet"));
  const JsonReader position(meta, path + " (checkpoint header)");
  const int64_t step = position.getInt("step"), epoch = position.getInt("epoch");
  const int64_t batchIndex = position.getInt("batch_index");
  if (step < 0 || epoch < 0 || batchIndex < 0)
    throw ConfigError(path + ": checkpoint header has a negative step, epoch or batch index");
  Checkpoint::load(path, *m_model, m_adam.get());
  m_step = step;
  m_epoch = static_cast<uint64_t>(epoch);
  m_batchIndex = static_cast<size_t>(batchIndex);
  m_badSteps = valueOr(meta, "bad_steps", int64_t{0});
  m_skippedTotal = valueOr(meta, "skipped_total", int64_t{0});
}

TrainBatch Trainer::onDevice(TrainBatch b) const {
  if (m_device.is_cpu()) return b;
  b.src = b.src.to(m_device);
  b.prevOutput = b.prevOutput.to(m_device);
  b.target = b.target.to(m_device);
  return b;
}

void Trainer::appendMetrics(const nlohmann::json& line) const {
  if (m_collective && m_collective->rank() != 0) return;
  const std::string path = m_runDir + "/metrics.jsonl";
  std::ofstream out(path, std::ios::app);
  out << line.dump() << '\n';
  out.flush();
  if (!out) throw FileWriteError(path + ": cannot append a line (disk full or not writable)");
}

bool Trainer::stopAgreed(const StopToken& stop) const {
  if (!m_collective) return stop.stopRequested();
  // A signal may reach one rank before another (or only one): the ranks stop at the same update,
  // or one would leave while the others wait in the next all-reduce and the lead saves nothing.
  at::Tensor flag = at::full({1}, stop.stopRequested() ? 1.0 : 0.0, at::kDouble);
  m_collective->allReduceMax(flag);
  return flag.item<double>() > 0;
}

void Trainer::claimRunFolder() {
  const bool lead = !m_collective || m_collective->rank() == 0;  // the other ranks write nothing
  if (lead && !m_lock) m_lock = std::make_unique<RunLock>(RunLock::forFolder(m_runDir), m_runDir);
}

TrainResult Trainer::run(const StopToken& stop, TrainingObserver& observer) {
  const bool lead = !m_collective || m_collective->rank() == 0;
  claimRunFolder();
  struct Release {  // the folder is free again when the run ends, however it ends
    std::unique_ptr<RunLock>& lock;
    ~Release() { lock.reset(); }
  } release{m_lock};
  if (lead)
    writeFileAtomically(m_runDir + "/run.json",
                        nlohmann::json{{"project", m_project.toJson()},
                                       {"training", m_options.toJson()},
                                       {"provenance", provenance()},
                                       {"resumed_at_step", m_step}}
                            .dump(2));
  if (lead && m_options.precision == "bf16" && m_device.is_cpu()) {
    const std::string w = cpuBf16Note("training.precision", cpuBf16Support());
    if (!w.empty()) observer.onMessage(w);
  }
  if (lead)
    if (const int64_t dropped = trimMetricsLog(m_runDir + "/metrics.jsonl", m_step); dropped > 0)
      observer.onMessage(m_runDir + "/metrics.jsonl: dropped " + std::to_string(dropped) + " line(s) past update " +
                         std::to_string(m_step) + ", where this run " + (m_step > 0 ? "resumes" : "starts"));
  // The update checkpoint_last.pt holds: the resumed one, if any, until the first save.
  int64_t savedStep = std::filesystem::exists(lastCheckpointPath()) ? m_step : -1;
  try {
    return runUpdates(stop, observer, savedStep);
  } catch (const FileWriteError& e) {  // a full disk: say where a new run picks up
    throw FileWriteError(std::string(e.what()) + "; training stopped at update " + std::to_string(m_step) +
                         (savedStep >= 0 ? ", a run resumes from update " + std::to_string(savedStep)
                                         : ", no checkpoint was saved"));
  }
}

TrainResult Trainer::runUpdates(const StopToken& stop, TrainingObserver& observer, int64_t& savedStep) {
  const bool lead = !m_collective || m_collective->rank() == 0;
  auto checkpoint = [&] {
    if (!lead) return;
    saveCheckpoint(lastCheckpointPath());
    savedStep = m_step;
    observer.onCheckpoint(lastCheckpointPath(), m_step);
    if (m_options.keepCheckpoints > 0) {
      // A numbered copy for checkpoint averaging; the oldest beyond keep_checkpoints are removed.
      const std::string numbered = m_runDir + "/checkpoint_" + std::to_string(m_step) + ".pt";
      copyFileAtomically(lastCheckpointPath(), numbered);
      std::vector<std::string> kept = keptCheckpoints();
      for (size_t i = 0; i + static_cast<size_t>(m_options.keepCheckpoints) < kept.size(); ++i)
        std::filesystem::remove(kept[i]);
    }
  };
  while (m_step < m_options.maxUpdates) {
    if (stopAgreed(stop)) {
      checkpoint();
      return {TrainStatus::Stopped, m_step, "stopped at update " + std::to_string(m_step) + "; checkpoint saved"};
    }
    TrainStepStats st;
    if (!trainStep(st)) {
      observer.onMessage("update " + std::to_string(m_step + 1) + ": non-finite " + m_skipReason + ", skipped (" +
                         std::to_string(m_badSteps) + " in a row)");
      if (m_badSteps >= m_options.maxBadSteps) {
        // Weights that are no longer finite (a gradient overflowed unseen: clip_norm off) would
        // replace the last good checkpoint with a useless one: kept instead.
        const std::vector<at::Tensor> params = m_model->parameters();
        const bool finite = std::all_of(params.begin(), params.end(),
                                        [](const at::Tensor& p) { return at::isfinite(p).all().item<bool>(); });
        if (finite) checkpoint();
        return {TrainStatus::Diverged, m_step,
                "the loss or its gradient was not finite in " + std::to_string(m_badSteps) + " updates in a row; stopped (" +
                    (finite ? std::string("checkpoint of the last good update saved")
                            : "the weights are not finite; " +
                                  (savedStep >= 0 ? "the checkpoint of update " + std::to_string(savedStep) + " is kept"
                                                  : std::string("no checkpoint saved"))) +
                    "). Lower the learning rate or enable clip_norm."};
      }
      continue;
    }
    observer.onStep(st);
    if (m_step % m_options.logEvery == 0 || m_step == 1)
      appendMetrics({{"type", "train"}, {"step", st.step}, {"lr", st.lr}, {"loss", st.loss},
                     {"nll", st.nll}, {"aux", st.auxLoss}, {"aux_terms", st.auxTerms},
                     {"seconds_per_update", st.secondsPerUpdate},
                     {"target_tokens_per_second", st.targetTokensPerSecond},
                     {"expert_load", st.expertLoad}, {"expert_load_encoder_rows", st.expertLoadEncoderRows},
                     {"dropped_tokens", st.droppedTokens},
                     {"skipped_steps", st.skippedSteps}, {"arch", st.arch}});
    if (lead && (m_step % m_options.validateEvery == 0 || m_step == m_options.maxUpdates)) {
      const ValidationStats v = validate();
      observer.onValidation(v);
      nlohmann::json subnets = nlohmann::json::array();
      for (const auto& e : v.subnets)
        subnets.push_back({{"name", e.name}, {"loss", e.loss}, {"nll", e.nll}, {"tokens", e.tokens}});
      appendMetrics({{"type", "valid"}, {"step", v.step}, {"subnets", subnets}});
    }
    if (m_step % m_options.checkpointEvery == 0 || m_step == m_options.maxUpdates) checkpoint();
  }
  return {TrainStatus::Finished, m_step, "finished " + std::to_string(m_step) + " updates"};
}

}  // namespace automoe
