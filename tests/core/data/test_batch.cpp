// collateBatch: right padding, EOS after source and target, prevOutput = EOS + target shifted.
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "data/batch.h"
#include "data/binarizer.h"
#include "data/token_dataset.h"
#include "model/sinusoidal_positions.h"

using namespace automoe;

class TestBatch final : public QObject {
  Q_OBJECT

  static std::vector<int64_t> row(const at::Tensor& t, int64_t r) {
    const at::Tensor x = t[r].contiguous();
    return std::vector<int64_t>(x.data_ptr<int64_t>(), x.data_ptr<int64_t>() + x.numel());
  }

 private Q_SLOTS:
  void collatesFairseqStyle() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    Binarizer::writeShard(d + "/s.src", {{10, 11, 12}, {20}, {30, 31}});
    Binarizer::writeShard(d + "/s.tgt", {{40}, {50, 51, 52, 53}, {60, 61}});
    const TokenDataset data = TokenDataset::open(d, "s");
    const Batch b = collateBatch(data, {2, 0, 1});
    QCOMPARE(b.src.sizes(), (at::IntArrayRef{3, 4}));     // longest source 3 + EOS
    QCOMPARE(b.target.sizes(), (at::IntArrayRef{3, 5}));  // longest target 4 + EOS
    QCOMPARE(b.prevOutput.sizes(), (at::IntArrayRef{3, 5}));
    QCOMPARE(b.src.scalar_type(), at::kLong);
    const int64_t E = kEosIndex, P = kPadIndex;
    QCOMPARE(row(b.src, 0), (std::vector<int64_t>{30, 31, E, P}));
    QCOMPARE(row(b.src, 1), (std::vector<int64_t>{10, 11, 12, E}));
    QCOMPARE(row(b.src, 2), (std::vector<int64_t>{20, E, P, P}));
    QCOMPARE(row(b.target, 0), (std::vector<int64_t>{60, 61, E, P, P}));
    QCOMPARE(row(b.target, 1), (std::vector<int64_t>{40, E, P, P, P}));
    QCOMPARE(row(b.target, 2), (std::vector<int64_t>{50, 51, 52, 53, E}));
    QCOMPARE(row(b.prevOutput, 0), (std::vector<int64_t>{E, 60, 61, P, P}));
    QCOMPARE(row(b.prevOutput, 1), (std::vector<int64_t>{E, 40, P, P, P}));
    QCOMPARE(row(b.prevOutput, 2), (std::vector<int64_t>{E, 50, 51, 52, 53}));
    QCOMPARE(b.srcTokens, int64_t{3 + 4 + 2});
    QCOMPARE(b.tgtTokens, int64_t{3 + 2 + 5});
    QCOMPARE(b.target.ne(P).sum().item<int64_t>(), b.tgtTokens);
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, collateBatch(data, {3}));
  }
};

QTEST_APPLESS_MAIN(TestBatch)
#include "test_batch.moc"
