// ArchConfig: JSON round trip and validation that names every bad field and value.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "support/tiny_space.h"
#include "util/config_error.h"
#include "util/rng.h"

using namespace automoe;

class TestArchConfig final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void jsonRoundTrip() {
    const SearchSpace s = test::tinySpace();
    Rng rng(4);
    for (int i = 0; i < 100; ++i) {
      const ArchConfig a = s.sample(rng);
      QVERIFY(ArchConfig::fromJson(nlohmann::json::parse(a.toJson().dump()), "mem") == a);
    }
  }

  void validateListsEveryProblem() {
    const SearchSpace s = test::tinySpace();
    ArchConfig a = s.largest();
    a.encoder.embedDim = 14;
    a.decoder.layers[1].heads = 3;
    a.decoder.layers[2].expertFfnDims = {32, 32, 32, 32};
    a.decoder.layers[0].arbitraryEndeAttn = 0;
    a.encoder.layers[0].router = "hash";
    const auto errs = a.validate(s);
    QCOMPARE(errs.size(), size_t(5));
    QCOMPARE(QString::fromStdString(errs[0]), QString("encoder.embed_dim = 14 is not one of [16, 12]"));
    auto has = [&](const char* text) {
      for (const auto& e : errs)
        if (e.find(text) != std::string::npos) return true;
      return false;
    };
    QVERIFY(has("encoder.layers[0].router = \"hash\""));
    QVERIFY(has("decoder.layers[1].heads = 3 is not one of [4, 2, 1]"));
    QVERIFY(has("decoder.layers[2].experts (count) = 4 is not one of [1, 2, 3]"));
    QVERIFY(has("decoder.layers[0].arbitrary_ende_attn = 0"));
  }

  void sharedWidthSpaceRejectsMixedExperts() {
    const SearchSpace s = test::tinySpace(/*fractional=*/false);
    ArchConfig a = s.largest();
    a.encoder.layers[0].expertFfnDims = {32, 8, 32, 32};
    const auto errs = a.validate(s);
    QCOMPARE(errs.size(), size_t(1));
    QVERIFY(errs[0].find("fractional_experts = false") != std::string::npos);
  }

  void malformedJsonNamesTheField() {
    nlohmann::json j = test::tinySpace().largest().toJson();
    j["decoder"]["layers"][1]["heads"] = "eight";
    try {
      ArchConfig::fromJson(j, "arch.json");
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QCOMPARE(QString(e.what()),
               QString("arch.json: field 'decoder.layers[1].heads': expected an integer, got string \"eight\""));
    }
    j = test::tinySpace().largest().toJson();
    j["encoder"]["layers"][0]["expert_count"] = 2;
    QVERIFY_THROWS_EXCEPTION(ConfigError, ArchConfig::fromJson(j, "arch.json"));
  }
};

QTEST_APPLESS_MAIN(TestArchConfig)
#include "test_arch_config.moc"
