// Export -> load round trip: the standalone model read back from the folder computes the
// supernet's logits for the subnet (1e-5) and the same beam-search output; the folder holds
// exactly the subnet's tensors and a complete card; bad folders are refused with the file named.
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <ATen/core/grad_mode.h>

#include <cmath>
#include <filesystem>
#include <set>

#include <unistd.h>

#include "arch/arch_stats.h"
#include "decode/beam_search.h"
#include "decode/model_stepper.h"
#include "export/exported_model.h"
#include "export/safetensors_reader.h"
#include "export/safetensors_writer.h"
#include "export/subnet_exporter.h"
#include "eval/translator.h"
#include "export/tensor_codec.h"
#include "model/sinusoidal_positions.h"
#include "model/subnet_extractor.h"
#include "support/tiny_space.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/rng.h"
#include "util/stop_token.h"

using namespace automoe;
namespace fs = std::filesystem;

class TestSubnetExporter final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  SearchSpace m_space = test::tinySpace();
  ModelOptions m_options = test::tinyModelOptions();
  SuperTransformer m_net{nullptr};
  std::string m_spm;

  ExportOptions options() const {
    ExportOptions o;
    o.space = m_space;
    HardwareProfile h;
    h.name = "tiny-cpu";
    h.warmup = 0;
    h.runs = 2;
    h.srcLen = 5;
    h.tgtLen = 3;
    h.beam = 2;
    o.profiles = {h};
    o.measureLatency = false;
    o.seed = 9;
    o.tokenizerFiles = {m_spm};
    o.sourceCheckpoint = "/runs/supernet/checkpoint_last.pt";
    o.sourceStep = 123;
    return o;
  }

  std::string out(const QString& name) const { return m_dir.filePath(name).toStdString(); }

  static at::Tensor tokens(int64_t B, int64_t T, int64_t seed) {
    at::manual_seed(seed);
    return at::randint(4, 50, {B, T}, at::kLong);
  }

  template <typename F>
  static void expectConfigError(F f, const QString& needle) {
    try {
      f();
      QFAIL(qPrintable("no error; expected " + needle));
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains(needle), e.what());
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    at::manual_seed(21);
    m_net = SuperTransformer(SuperTransformerOptions(ModelShape::forSupernet(m_space, m_options), m_options));
    m_net->eval();
    m_spm = out("spm.model");
    writeFileAtomically(m_spm, "not really a sentencepiece model");
  }

  void perLayerRoutingSurvivesExport() {
    nlohmann::json j = m_options.toJson();
    j["layer_routing"] = {{{"stack", "decoder"}, {"layers", {1}}, {"cmr", {{"enabled", true}}}},
                          {{"stack", "encoder"}, {"layers", {0}}, {"cmr", {{"enabled", true}}}}};
    const ModelOptions mo = ModelOptions::fromJson(JsonReader(j, "test", "model"));
    at::manual_seed(4);
    SuperTransformer net(SuperTransformerOptions(ModelShape::forSupernet(m_space, mo), mo));
    net->eval();
    std::set<std::string> cmrLayers;  // layers holding CMR weights
    for (const auto& p : net->named_parameters())
      if (p.key().find(".moe.cmr.") != std::string::npos)
        cmrLayers.insert(p.key().substr(0, p.key().find(".moe.")));
    QCOMPARE(cmrLayers, (std::set<std::string>{"encoder.layers.0", "decoder.layers.1"}));

    const ArchConfig arch = m_space.largest();
    const std::string dir = out("per_layer");
    StopToken stop;
    QVERIFY(SubnetExporter::exportSubnet(*net, arch, options(), dir, stop).has_value());
    const ExportedModel m = ExportedModel::load(dir);
    QCOMPARE(m.card().model.toJson(), mo.toJson());
    at::NoGradGuard noGrad;
    const at::Tensor src = tokens(2, 7, 1);
    const at::Tensor prev = tokens(2, 5, 2);
    const double diff =
        (net->forward(src, prev, arch).logits - m.model().forward(src, prev, arch).logits).abs().max().item<double>();
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    int64_t params = 0;
    for (const auto& p : m.model().parameters()) params += p.numel();
    const auto stats = [&](const CostOptions& c) {
      return computeArchStats(arch, m_space.qkvDim, mo.vocabSize, 1, 1, c).totalParams;
    };
    QCOMPARE(params, stats(mo.costOptions(arch)));
    QVERIFY(params > stats(m_options.costOptions(arch)));          // the two CMR layers count
    QVERIFY(params < stats(mo.forLayer(true, 1).costOptions(arch)));  // not CMR everywhere
  }

  void loadedModelMatchesSupernet() {
    Rng rng(5);
    const at::Tensor src = tokens(3, 8, 1);
    at::Tensor prev = tokens(3, 6, 2);
    prev.select(1, 0).fill_(kEosIndex);
    for (int i = 0; i < 6; ++i) {
      const ArchConfig arch = m_space.sample(rng);
      const std::string dir = out(QString("m%1").arg(i));
      StopToken stop;
      const auto card = SubnetExporter::exportSubnet(*m_net, arch, options(), dir, stop);
      QVERIFY(card.has_value());
      const ExportedModel m = ExportedModel::load(dir);
      QVERIFY(m.arch() == arch);
      QVERIFY(!m.model().is_training());
      at::NoGradGuard noGrad;
      const at::Tensor expected = m_net->forward(src, prev, arch).logits;
      const at::Tensor got = m.model().forward(src, prev, arch).logits;
      const double diff = (expected - got).abs().max().item<double>();
      QVERIFY2(diff < 1e-5, qPrintable(QString("arch %1: max diff %2").arg(i).arg(diff)));
      // Stored tensors are exactly extractSubnet's.
      const SuperTransformer sub = extractSubnet(*m_net, arch);
      QVERIFY(at::equal(sub->forward(src, prev, arch).logits, got));
      int64_t params = 0;
      for (const auto& p : m.model().parameters()) params += p.numel();
      QCOMPARE(params, computeArchStats(arch, m_space.qkvDim, m_options.vocabSize, 1, 1).totalParams);
      // Beam search: the same tokens as on the supernet.
      BeamSearchOptions bo;
      bo.beam = 4;
      bo.maxLen = 9;
      bo.lenPenalty = 0.6;
      ModelStepper onSuper(*m_net, arch, m_net->encode(src, arch));
      ModelStepper onExported(m.model(), arch, m.model().encode(src, arch));
      const BeamSearchResult a = BeamSearch(bo).run(onSuper, 3);
      const BeamSearchResult b = BeamSearch(bo).run(onExported, 3);
      for (size_t s = 0; s < 3; ++s) {
        QCOMPARE(a.sentences[s].size(), b.sentences[s].size());
        for (size_t h = 0; h < a.sentences[s].size(); ++h)
          QCOMPARE(a.sentences[s][h].tokens, b.sentences[s][h].tokens);
      }
    }
  }

  void folderAndCardContents() {
    Rng rng(8);
    const ArchConfig arch = m_space.sample(rng);
    ExportOptions o = options();
    o.measureLatency = true;
    o.candidateId = 17;
    o.validLoss = 3.25;
    const std::string dir = out("card");
    StopToken stop;
    const ModelCard card = *SubnetExporter::exportSubnet(*m_net, arch, o, dir, stop);
    for (const char* f : {"arch.json", "model.safetensors", "spm.model", "model_card.json"})
      QVERIFY2(fs::is_regular_file(dir + "/" + f), f);
    QVERIFY(!fs::exists(dir + ".tmp-" + std::to_string(::getpid())));
    const nlohmann::json j = parseJsonText(readTextFile(dir + "/model_card.json"), "card");
    QCOMPARE(j.at("candidate_id").get<int64_t>(), int64_t{17});
    QCOMPARE(j.at("validation").at("loss").get<double>(), 3.25);
    QCOMPARE(j.at("source").at("step").get<int64_t>(), int64_t{123});
    QCOMPARE(j.at("seed").get<uint64_t>(), uint64_t{9});
    QVERIFY(j.at("provenance").contains("torch_version"));
    const ArchStats stats = computeArchStats(arch, m_space.qkvDim, m_options.vocabSize, 30, 30);
    QCOMPARE(j.at("stats").at("total_params").get<int64_t>(), stats.totalParams);
    QCOMPARE(j.at("stats").at("flops").get<double>(), stats.flops);
    // Latency measured under the profile (2 runs), with the profile recorded.
    const nlohmann::json& lat = j.at("latency").at("tiny-cpu");
    QVERIFY2(lat.contains("mean_ms") && lat.at("mean_ms").get<double>() > 0, lat.dump().c_str());
    QCOMPARE(lat.at("profile").at("runs").get<int>(), 2);
    // The safetensors file holds exactly the standalone model's tensors, in name order, plus metadata.
    const SafetensorsFile f = SafetensorsReader::read(dir + "/model.safetensors");
    const SuperTransformer sub = extractSubnet(*m_net, arch);
    std::vector<std::string> names;
    for (const auto& p : sub->named_parameters(true)) names.push_back(p.key());
    for (const auto& b : sub->named_buffers(true)) names.push_back(b.key());
    std::sort(names.begin(), names.end());
    QCOMPARE(card.tensorNames, names);
    QCOMPARE(f.tensors.size(), names.size());
    QCOMPARE(f.metadata.at("format"), std::string("automoe-subnet"));
    QVERIFY(ModelShape::fromJson(nlohmann::json::parse(f.metadata.at("model_shape")), "m") == sub->shape());
    // --no-latency: every profile listed as skipped.
    const ModelCard quiet = *SubnetExporter::exportSubnet(*m_net, arch, options(), out("quiet"), stop);
    QVERIFY(quiet.latency.at("tiny-cpu").contains("skipped"));
    // Exporting again over an earlier export replaces it.
    o.candidateId = 18;
    QCOMPARE(SubnetExporter::exportSubnet(*m_net, arch, o, dir, stop)->candidateId.value(), int64_t{18});
    QCOMPARE(ExportedModel::load(dir).card().candidateId.value(), int64_t{18});
  }

  void stoppedExportLeavesNothing() {
    Rng rng(3);
    ExportOptions o = options();
    o.measureLatency = true;
    StopToken stop;
    stop.requestStop();
    QVERIFY(!SubnetExporter::exportSubnet(*m_net, m_space.sample(rng), o, out("stopped"), stop).has_value());
    QVERIFY(!fs::exists(out("stopped")));
  }

  void refusesBadOutputAndInputs() {
    Rng rng(4);
    const ArchConfig arch = m_space.sample(rng);
    StopToken stop;
    fs::create_directories(out("occupied"));
    writeFileAtomically(out("occupied/notes.txt"), "mine");
    expectConfigError([&] { SubnetExporter::exportSubnet(*m_net, arch, options(), out("occupied"), stop); },
                      "not an exported model folder");
    QVERIFY(fs::exists(out("occupied/notes.txt")));
    ExportOptions o = options();
    o.tokenizerFiles = {out("nope.model")};
    expectConfigError([&] { SubnetExporter::exportSubnet(*m_net, arch, o, out("x"), stop); }, "nope.model");
    ArchConfig tooBig = m_space.largest();
    tooBig.encoder.embedDim = 999;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             SubnetExporter::exportSubnet(*m_net, tooBig, options(), out("y"), stop));
  }

  void refusesDamagedFolders() {
    Rng rng(6);
    const ArchConfig arch = m_space.sample(rng);
    StopToken stop;
    const std::string good = out("good");
    SubnetExporter::exportSubnet(*m_net, arch, options(), good, stop);
    auto copy = [&](const QString& name) {
      const std::string d = out(name);
      fs::copy(good, d, fs::copy_options::recursive);
      return d;
    };
    expectConfigError([&] { ExportedModel::load(out("absent")); }, "absent");
    {
      const std::string d = copy("no-weights");
      fs::remove(d + "/model.safetensors");
      expectConfigError([&] { ExportedModel::load(d); }, "model.safetensors: missing");
    }
    {
      const std::string d = copy("truncated");
      const std::string bytes = readTextFile(d + "/model.safetensors");
      writeFileAtomically(d + "/model.safetensors", bytes.substr(0, bytes.size() - 10));
      expectConfigError([&] { ExportedModel::load(d); }, "model.safetensors");
    }
    {
      const std::string d = copy("other-arch");
      ArchConfig other = arch;
      other.decoder.layers[0].heads = other.decoder.layers[0].heads == 1 ? 2 : 1;
      writeFileAtomically(d + "/arch.json", other.toJson().dump());
      expectConfigError([&] { ExportedModel::load(d); }, "arch.json: differs");
    }
    SafetensorsFile f = SafetensorsReader::read(good + "/model.safetensors");
    {
      const std::string d = copy("reshaped");
      SafetensorsFile g = f;
      g.tensors["embed_tokens.weight"] = encodeTensor(at::zeros({3, 3}));
      SafetensorsWriter::write(d + "/model.safetensors", g);
      expectConfigError([&] { ExportedModel::load(d); }, "tensor 'embed_tokens.weight' has shape");
    }
    {
      const std::string d = copy("extra");
      SafetensorsFile g = f;
      g.tensors["stray.weight"] = encodeTensor(at::zeros({2}));
      SafetensorsWriter::write(d + "/model.safetensors", g);
      expectConfigError([&] { ExportedModel::load(d); }, "tensor 'stray.weight' is not part of the model");
    }
    {
      const std::string d = copy("missing-tensor");
      SafetensorsFile g = f;
      g.tensors.erase("embed_tokens.weight");
      SafetensorsWriter::write(d + "/model.safetensors", g);
      expectConfigError([&] { ExportedModel::load(d); }, "tensor 'embed_tokens.weight' is missing");
    }
    // A weight that is NaN: refused at load. One that is finite but overflows in the products:
    // loads, and translating reports scores that are not finite, naming the weight (a byte-flip
    // fuzz of model.safetensors crashed the translator this way).
    {
      const std::string d = copy("nan");
      SafetensorsFile g = f;
      at::Tensor w = decodeTensor(g.tensors.at("embed_tokens.weight"), "embed").clone();
      w.view(-1)[5] = std::nanf("");
      g.tensors["embed_tokens.weight"] = encodeTensor(w);
      SafetensorsWriter::write(d + "/model.safetensors", g);
      expectConfigError([&] { ExportedModel::load(d); },
                        "tensor 'embed_tokens.weight' holds NaN or infinite values (the file is damaged)");
    }
    {
      const std::string d = copy("huge");
      SafetensorsFile g = f;
      std::string key;
      for (const auto& t : g.tensors)
        if (t.first.rfind("decoder.layers.0.self_attn.", 0) == 0 && t.first.find("weight") != std::string::npos) key = t.first;
      QVERIFY(!key.empty());
      g.tensors[key] = encodeTensor(at::full(decodeTensor(g.tensors.at(key), key).sizes(), 3e20f));
      SafetensorsWriter::write(d + "/model.safetensors", g);
      const ExportedModel m = ExportedModel::load(d);
      const Translator t(m.model(), m.arch(), TranslatorOptions{});
      const Translator::Ids sources = {{5, 6, 7}, {8, 9, 10, 11}};
      expectConfigError([&] { t.translateIds(sources, stop); }, "the model's scores are not finite on input sentence 2 (");
      expectConfigError([&] { t.translateIds(sources, stop); },
                        "its weights are damaged or too large: the largest |weight| is 3e+20, in " + QString::fromStdString(key));
      // The original weights translate.
      const ExportedModel ok = ExportedModel::load(good);
      QCOMPARE(Translator(ok.model(), ok.arch(), TranslatorOptions{}).translateIds(sources, stop)->size(), size_t{2});
    }
    {
      const std::string d = copy("bad-card");
      writeFileAtomically(d + "/model_card.json", "{\"format\": \"automoe-subnet\"}");
      expectConfigError([&] { ExportedModel::load(d); }, "model_card.json");
    }
  }
};

QTEST_GUILESS_MAIN(TestSubnetExporter)
#include "test_subnet_exporter.moc"
