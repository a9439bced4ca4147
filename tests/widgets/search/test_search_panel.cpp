// SearchPanel: no history yet is said, not failed; a history's candidates are plotted against the
// project's cost objective (first among the metrics every candidate has), the front is listed, a
// chosen row reports its candidate's architecture, the view follows the file as a search appends
// to it, and a damaged file is named.
#include <QComboBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>

#include "plot/pareto_plot.h"
#include "project/project.h"
#include "search/search_history.h"
#include "search/search_panel.h"

using namespace automoe;
using namespace automoe::widgets;

namespace {

Project demoIn(const QTemporaryDir& dir) {
  Project p = Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json");
  p.path = dir.filePath(QStringLiteral("project.json")).toStdString();
  p.search.costObjective = "predicted_latency";
  return p;
}

SearchCandidate candidate(const Project& p, int id, double fitness, double latency, double flops, bool feasible = true) {
  SearchCandidate c;
  c.id = id;
  c.arch = p.space.sample(100 + static_cast<uint64_t>(id));
  c.fitness = fitness;
  c.metrics = {{"flops", flops}, {"predicted_latency", latency}};
  c.feasible = feasible;
  return c;
}

std::string historyOf(const Project& p) { return p.resolvePath(p.search.runDir) + "/history.jsonl"; }

}  // namespace

class TestSearchPanel final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void noHistoryYet() {
    QTemporaryDir dir;
    SearchPanel panel(demoIn(dir));
    QVERIFY(panel.candidates().empty());
    QVERIFY2(panel.statusText().startsWith(QStringLiteral("No search yet")), qPrintable(panel.statusText()));
    QCOMPARE(panel.frontList()->topLevelItemCount(), 0);
    QVERIFY(panel.costMetric().isEmpty());
  }

  void plotsListsAndChooses() {
    QTemporaryDir dir;
    const Project p = demoIn(dir);
    {
      SearchHistory h = SearchHistory::open(historyOf(p), SearchHistory::makeHeader(1, {}, {}, {}, {}), true);
      h.append(candidate(p, 0, 6.0, 10.0, 9e7));
      h.append(candidate(p, 1, 5.5, 20.0, 5e7));  // on the front by latency
      h.append(candidate(p, 2, 6.5, 15.0, 4e7));  // dominated by latency, best by FLOPs
      h.append(candidate(p, 3, 5.0, 5.0, 1e7, /*feasible=*/false));
    }
    SearchPanel panel(p);
    QCOMPARE(panel.candidates().size(), size_t(4));
    QCOMPARE(panel.costMetric(), QStringLiteral("predicted_latency"));  // the project's objective first
    QCOMPARE(panel.metricBox()->count(), 2);
    QCOMPARE(panel.pareto()->frontIds(), (QVector<int>{0, 1}));
    QCOMPARE(panel.frontList()->topLevelItemCount(), 2);
    QCOMPARE(panel.frontList()->topLevelItem(1)->text(0), QStringLiteral("1"));
    QVERIFY2(panel.statusText().contains(QStringLiteral("4 candidates")) &&
                 panel.statusText().contains(QStringLiteral("lowest loss 5.5000 (candidate 1)")),
             qPrintable(panel.statusText()));
    // By FLOPs the front changes.
    panel.metricBox()->setCurrentIndex(panel.metricBox()->findData(QStringLiteral("flops")));
    QCOMPARE(panel.pareto()->frontIds(), (QVector<int>{2, 1}));
    for (const ParetoPoint& pt : panel.pareto()->points())
      QCOMPARE(pt.cost, panel.candidates()[size_t(pt.id)].metrics.at("flops"));

    // Hovering a candidate names it, its architecture and every metric it carries.
    panel.resize(900, 600);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTest::qWait(2 * 50);
    const QString tip = panel.pareto()->toolTipAt(panel.pareto()->pixelOf(1).toPoint());
    QVERIFY2(tip.startsWith(QStringLiteral("candidate 1 (generation 0, random)\nloss 5.5000\n")), qPrintable(tip));
    QVERIFY2(tip.contains(QString::fromStdString(panel.candidates()[1].arch.summary())), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("FLOPs: 50.00 M")) && tip.contains(QStringLiteral("predicted latency (ms): 20.00")),
             qPrintable(tip));

    // Choosing a row reports that candidate's architecture.
    QSignalSpy chosen(&panel, &SearchPanel::candidateChosen);
    QTreeWidgetItem* row = panel.frontList()->topLevelItem(0);
    panel.frontList()->itemClicked(row, 0);
    QCOMPARE(chosen.size(), 1);
    QVERIFY(chosen.front().at(0).value<ArchConfig>() == panel.candidates()[2].arch);
    QCOMPARE(chosen.front().at(1).toString(), QStringLiteral("candidate 2"));
    QCOMPARE(panel.pareto()->selected(), 2);
  }

  void followsARunningSearch() {
    QTemporaryDir dir;
    const Project p = demoIn(dir);
    SearchPanel panel(p);  // before the search has made its folder
    QSignalSpy reloaded(&panel, &SearchPanel::reloaded);
    SearchHistory h = SearchHistory::open(historyOf(p), SearchHistory::makeHeader(1, {}, {}, {}, {}), true);
    h.append(candidate(p, 0, 6.0, 10.0, 9e7));
    QTRY_COMPARE_WITH_TIMEOUT(panel.candidates().size(), size_t(1), 10000);
    h.append(candidate(p, 1, 5.0, 8.0, 8e7));  // dominates candidate 0
    QTRY_COMPARE_WITH_TIMEOUT(panel.candidates().size(), size_t(2), 10000);
    QCOMPARE(panel.pareto()->frontIds(), (QVector<int>{1}));
    QVERIFY(!reloaded.isEmpty());
  }

  void damagedHistoryIsNamed() {
    QTemporaryDir dir;
    const Project p = demoIn(dir);
    std::filesystem::create_directories(std::filesystem::path(historyOf(p)).parent_path());
    std::ofstream(historyOf(p)) << "{\"kind\":\"header\",\"format_version\":1}\nnot json at all\n{}\n";
    SearchPanel panel(p);
    QVERIFY2(panel.statusText().startsWith(QStringLiteral("Cannot read the search history: ")) &&
                 panel.statusText().contains(QStringLiteral("history.jsonl")),
             qPrintable(panel.statusText()));
    QVERIFY(panel.candidates().empty());
  }
};

QTEST_MAIN(TestSearchPanel)
#include "test_search_panel.moc"
