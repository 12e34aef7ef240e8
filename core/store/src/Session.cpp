// The backend-neutral parts of Session: see Session.h.
#include "ledgerbridge/store/Session.h"

namespace ledgerbridge::store {

Statement::Statement(Session& session, const std::string& sql) : impl_(session.prepare(sql)) {}

Value Session::execAndGet(const std::string& sql) {
    Statement q(*this, sql);
    if (!q.executeStep() || q.getColumnCount() == 0) return {};
    const Column c = q.getColumn(0);
    if (c.isNull()) return {};
    return Value(false, c.getString(), c.getInt64());
}

}  // namespace ledgerbridge::store
