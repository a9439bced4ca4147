#include "arch/search_space_view.h"

#include <QHeaderView>

#include "arch/search_space.h"

namespace automoe::widgets {

namespace {

QString join(const std::vector<int>& v) {
  QStringList parts;
  for (int x : v) parts << QString::number(x);
  return parts.join(QStringLiteral(", "));
}

QString join(const std::vector<std::string>& v) {
  QStringList parts;
  for (const auto& s : v) parts << QString::fromStdString(s);
  return parts.join(QStringLiteral(", "));
}

QTreeWidgetItem* addRow(QTreeWidgetItem* parent, const QString& key, const QString& value,
                        const QString& tip) {
  auto* item = new QTreeWidgetItem(parent, {key, value});
  item->setToolTip(0, tip);
  item->setToolTip(1, value);
  return item;
}

}  // namespace

SearchSpaceView::SearchSpaceView(QWidget* parent) : QTreeWidget(parent) {
  setObjectName(QStringLiteral("searchSpaceView"));
  setColumnCount(2);
  setHeaderLabels({tr("Dimension"), tr("Choices")});
  setRootIsDecorated(true);
  setUniformRowHeights(true);
  setAlternatingRowColors(true);
  setSelectionMode(QAbstractItemView::NoSelection);
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  header()->setStretchLastSection(true);
}

void SearchSpaceView::setSpace(const SearchSpace& space) {
  clear();
  auto* top = new QTreeWidgetItem(this, {QStringLiteral("space")});
  addRow(top, QStringLiteral("qkv_dim"), QString::number(space.qkvDim),
         tr("Q/K/V projection width, fixed; heads only change the head dim"));
  addRow(top, QStringLiteral("fractional_experts"), space.fractionalExperts ? tr("yes") : tr("no"),
         tr("Each expert draws its own FFN width"));
  const double lg = space.log10Size();
  addRow(top, QStringLiteral("size"), tr("≈ 10^%1 architectures").arg(lg, 0, 'f', 1),
         tr("log10 of the number of distinct subnets: %1").arg(lg, 0, 'f', 3));
  addStack(QStringLiteral("encoder"), space.encoder, false);
  addStack(QStringLiteral("decoder"), space.decoder, true);
  expandAll();
}

void SearchSpaceView::addStack(const QString& name, const StackSpace& s, bool decoder) {
  auto* g = new QTreeWidgetItem(this, {name});
  addRow(g, QStringLiteral("embed_dim"), join(s.embedDim), tr("Model width of the stack"));
  addRow(g, QStringLiteral("layers"), join(s.layers), tr("Number of layers"));
  addRow(g, QStringLiteral("ffn_dim"), join(s.ffnDim), tr("FFN hidden width (per expert)"));
  addRow(g, QStringLiteral("heads"), join(s.heads), tr("Self-attention heads"));
  if (decoder) {
    addRow(g, QStringLiteral("ende_heads"), join(s.endeHeads), tr("Encoder-decoder heads"));
    addRow(g, QStringLiteral("arbitrary_ende_attn"), join(s.arbitraryEndeAttn),
           tr("-1: last encoder layer, 1: last two, 2: last three"));
  }
  addRow(g, QStringLiteral("experts"), join(s.experts), tr("Experts per layer (1 = dense)"));
  addRow(g, QStringLiteral("top_k"), join(s.topK), tr("Experts each token is routed to"));
  addRow(g, QStringLiteral("routers"), join(s.routers), tr("Router type per layer"));
}

QTreeWidgetItem* SearchSpaceView::group(const QString& name) const {
  for (int i = 0; i < topLevelItemCount(); ++i)
    if (topLevelItem(i)->text(0) == name) return topLevelItem(i);
  return nullptr;
}

QStringList SearchSpaceView::dimensions(const QString& groupName) const {
  QStringList out;
  if (const QTreeWidgetItem* g = group(groupName))
    for (int i = 0; i < g->childCount(); ++i) out << g->child(i)->text(0);
  return out;
}

QString SearchSpaceView::choices(const QString& groupName, const QString& dimension) const {
  if (const QTreeWidgetItem* g = group(groupName))
    for (int i = 0; i < g->childCount(); ++i)
      if (g->child(i)->text(0) == dimension) return g->child(i)->text(1);
  return {};
}

}  // namespace automoe::widgets
