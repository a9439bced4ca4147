#pragma once
// qcustomplot.h (Debian 2.1.0) uses the lowercase `signals:` and `foreach` keywords, which
// QT_NO_KEYWORDS removes. Map them to Q_SIGNALS / Q_FOREACH for this include only. Include
// qcustomplot.h only through this file, and only from widgets/plot/*.cpp.
#include <QtGlobal>
#if defined(QT_NO_KEYWORDS)
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef foreach
#else
#include <qcustomplot.h>
#endif
