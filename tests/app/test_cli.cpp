// The `automoe` CLI as a user runs it: outputs, determinism, and exit code 2 with a message that
// names the file and field for every kind of bad input.
#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arch/arch_stats.h"
#include "project/project.h"
#include "util/atomic_file.h"
#include "util/cpu_bf16.h"

#include "support/cli_runner.h"

using namespace automoe;

namespace {

using Run = test::CliRun;

Run cli(const QStringList& args) { return test::runCli(args); }

const QString kDemo = AUTOMOE_SOURCE_DIR "/projects/demo/project.json";

}  // namespace

class TestCli final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;

  QString writeFile(const QString& name, const std::string& text) {
    const QString path = m_dir.filePath(name);
    writeFileAtomically(path.toStdString(), text);
    return path;
  }

 private Q_SLOTS:
  void helpListsCommands() {
    const Run r = cli({"--help"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("space sample"));
    QVERIFY(r.out.contains("arch stats"));
    QVERIFY(r.out.contains("exit codes"));
  }

  void sampleIsSeededAndValid() {
    const Run a = cli({"space", "sample", kDemo, "--seed", "5"});
    const Run b = cli({"space", "sample", kDemo, "--seed", "5"});
    const Run c = cli({"space", "sample", kDemo, "--seed", "6"});
    QCOMPARE(a.code, 0);
    QCOMPARE(a.out, b.out);
    QVERIFY(a.out != c.out);
    const Project p = Project::load(kDemo.toStdString());
    const ArchConfig arch = ArchConfig::fromJson(nlohmann::json::parse(a.out.toStdString()), "stdout");
    QVERIFY(arch.validate(p.space).empty());
    QVERIFY(arch == p.space.sample(uint64_t{5}));
    const Run many = cli({"space", "sample", kDemo, "--count", "4"});
    QCOMPARE(many.out.trimmed().split('\n').size(), 4);
  }

  void archStatsMatchCore() {
    const Project p = Project::load(kDemo.toStdString());
    const ArchConfig arch = p.space.sample(uint64_t{9});
    const QString path = writeFile("arch.json", arch.toJson().dump());
    const Run r = cli({"arch", "stats", kDemo, path, "--json", "--src-len", "20"});
    QCOMPARE(r.code, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    const ArchStats s = computeArchStats(arch, p.space.qkvDim, p.model.vocabSize, 20, 30);
    QCOMPARE(j.at("total_params").get<int64_t>(), s.totalParams);
    QCOMPARE(j.at("flops").get<double>(), s.flops);
    const Run text = cli({"arch", "stats", kDemo, path});
    QCOMPARE(text.code, 0);
    QVERIFY(text.out.contains(QString("total params     %1").arg(s.totalParams)));
    QVERIFY2(text.out.contains("  encoder layer 0: "), qPrintable(text.out));

    // Per-layer routing options: counted, and named on the layers they apply to.
    nlohmann::json pj = p.toJson();
    pj["model"]["layer_routing"] = {{{"stack", "encoder"}, {"layers", {0}}, {"cmr", {{"enabled", true}}},
                                     {"expert_output_masking", {{"eom", 0.25}}}}};
    const QString project = writeFile("routed.json", pj.dump());
    ArchConfig routed = arch;
    routed.encoder.layers[0] = p.space.largest().encoder.layers[0];  // a routed layer 0
    const QString routedPath = writeFile("routed_arch.json", routed.toJson().dump());
    const Project rp = Project::load(project.toStdString());
    const Run withRules = cli({"arch", "stats", project, routedPath, "--json"});
    QCOMPARE(withRules.code, 0);
    QCOMPARE(nlohmann::json::parse(withRules.out.toStdString()).at("total_params").get<int64_t>(),
             computeArchStats(routed, p.space.qkvDim, p.model.vocabSize, 30, 30, rp.model.costOptions(routed)).totalParams);
    const Run routedText = cli({"arch", "stats", project, routedPath});
    const QString layer0 = routedText.out.split('\n').filter("encoder layer 0:").value(0);
    QVERIFY2(layer0.endsWith(QString::fromStdString(routed.encoder.layers[0].router) + " · CMR · EoM 0.25)"),
             qPrintable(routedText.out));
    QVERIFY2(!routedText.out.contains("encoder layer 1:") ||
                 !routedText.out.split('\n').filter("encoder layer 1:").value(0).contains("CMR"),
             qPrintable(routedText.out));
  }

  void blasKernelsAreCheckedAgainstEachOther() {
    const Run info = cli({"blas", "info", "--json"});
    QCOMPARE(info.code, 0);
    const auto j = nlohmann::json::parse(info.out.toStdString());
    QVERIFY(j.contains("core") && j.contains("tuning"));
    // Where the build has oneDNN, its sgemm agrees with the BLAS and the text says it is used.
    const auto& dnn = j.at("onednn_sgemm");
    QCOMPARE(dnn.at("agrees_with_blas").get<bool>(), dnn.at("compiled_in").get<bool>());
    QCOMPARE(dnn.at("version").get<std::string>().empty(), !dnn.at("compiled_in").get<bool>());
    const Run text = cli({"blas", "info"});
    QVERIFY2(text.out.contains(dnn.at("compiled_in").get<bool>() ? "linear layers    oneDNN" : "linear layers    the BLAS"),
             qPrintable(text.out));
    // How bf16 multiplies on this CPU: through the fp32 GEMM exactly where it has no bf16 products.
    const std::string cpuBf16 = cpuBf16Name(cpuBf16Support());
    QCOMPARE(j.at("bf16").at("cpu_bf16").get<std::string>(), cpuBf16);
    QCOMPARE(j.at("bf16").at("products").get<std::string>(), std::string(cpuBf16 == "reference" ? "fp32_gemm" : "libtorch"));
    // Training's linear layers: straight through oneDNN's matmul where the build has oneDNN.
    const std::string training = cpuBf16 == "reference"                   ? "fp32_gemm"
                                 : dnn.at("compiled_in").get<bool>() ? "onednn_direct"
                                                                     : "libtorch";
    QCOMPARE(j.at("bf16").at("training_products").get<std::string>(), training);
    QCOMPARE(text.out.contains("training's linear layers straight through oneDNN"), training == "onednn_direct");
    QVERIFY2(text.out.contains(cpuBf16 == "reference" ? "bf16 products    through the fp32 GEMM" : "bf16 products    LibTorch's"),
             qPrintable(text.out));
    // The generic SSE3 kernel and the current one compute the same GEMMs (summation order aside).
    const Run check = cli({"blas", "check", "--core", "Prescott"});
    QCOMPARE(check.code, 0);
    QVERIFY2(check.out.contains("Prescott kernel agrees with the current one"), qPrintable(check.out));
    // A name OpenBLAS does not know runs its own choice: refused, naming the kernel that ran.
    const Run unknown = cli({"blas", "check", "--core", "NoSuchKernel"});
    QCOMPARE(unknown.code, 2);
    QVERIFY2(unknown.err.contains("option --core: OPENBLAS_CORETYPE=NoSuchKernel loaded OpenBLAS's"), qPrintable(unknown.err));
    QCOMPARE(cli({"--blas", "sometimes", "blas", "info"}).code, 2);
  }

  void badInputExitsTwoNamingTheProblem_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString badHeads = writeFile("heads.json", [] {
      auto j = Project::load(kDemo.toStdString()).toJson();
      j["search_space"]["encoder"]["heads"] = {4, 3};
      return j.dump();
    }());
    const QString badJson = writeFile("broken.json", "{\"format_version\": 1,");
    const QString badType = writeFile("type.json", [] {
      auto j = Project::load(kDemo.toStdString()).toJson();
      j["model"]["dropout"] = "high";
      return j.dump();
    }());
    const QString foreignArch = writeFile("foreign.json", [] {
      auto a = Project::load(kDemo.toStdString()).space.largest();
      a.encoder.embedDim = 640;
      return a.toJson().dump();
    }());
    QTest::newRow("missing file") << QStringList{"space", "sample", "/no/such/project.json"}
                                  << "/no/such/project.json: cannot open file";
    QTest::newRow("bad space") << QStringList{"space", "sample", badHeads}
                               << "search_space.encoder.heads: 3 heads do not divide qkv_dim 128";
    QTest::newRow("invalid json") << QStringList{"space", "describe", badJson} << "broken.json: invalid JSON";
    QTest::newRow("wrong type") << QStringList{"space", "sample", badType}
                                << "field 'model.dropout': expected a number, got string \"high\"";
    QTest::newRow("arch outside space") << QStringList{"arch", "stats", kDemo, foreignArch}
                                        << "encoder.embed_dim = 640 is not one of [128, 96]";
    QTest::newRow("unknown flag") << QStringList{"space", "sample", kDemo, "--sed", "3"}
                                  << "unknown option '--sed'";
    QTest::newRow("non-numeric flag") << QStringList{"space", "sample", kDemo, "--seed", "abc"}
                                      << "option --seed: 'abc' is not an integer";
    QTest::newRow("empty value") << QStringList{"train", kDemo, "--run-dir", ""} << "option --run-dir: the value is empty";
    QTest::newRow("empty inline value") << QStringList{"space", "sample", kDemo, "--seed="}
                                        << "option --seed: the value is empty";
    QTest::newRow("option for a value") << QStringList{"train", kDemo, "--run-dir", "--fresh"}
                                        << "option --run-dir needs a value, got the option '--fresh'";
    QTest::newRow("missing argument") << QStringList{"arch", "stats", kDemo} << "expected PROJECT ARCH.json";
    QTest::newRow("unknown command") << QStringList{"frobnicate"} << "unknown command 'frobnicate'";
  }
  void badInputExitsTwoNamingTheProblem() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = cli(args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
