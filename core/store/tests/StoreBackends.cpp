// See StoreBackends.h.
#include "StoreBackends.h"

#include <Poco/Random.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "ledgerbridge/store/SqliteSession.h"

using namespace ledgerbridge;

std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::SQLite ? "SQLite" : "PostgreSQL";
}

void BackendTest::SetUp() {
    if (!postgres()) return;
    const char* url = std::getenv("LEDGERBRIDGE_TEST_PG_URL");
    if (!url || !*url)
        GTEST_SKIP() << "LEDGERBRIDGE_TEST_PG_URL is not set: the PostgreSQL backend is not tested here; "
                        "run the suite under scripts/with-postgres (CI does)";
    const char* password = std::getenv("LEDGERBRIDGE_TEST_PG_PASSWORD");
    url_ = url;
    password_ = password ? password : "";
    static std::atomic<int> counter{0};
    Poco::Random random;
    random.seed();
    schema_ = "lbt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(random.next() & 0xffffU);
    admin_ = std::make_unique<store::PostgresSession>(url_, password_, 10000);
    admin_->exec("CREATE SCHEMA " + schema_);
}

void BackendTest::TearDown() {
    if (!admin_) return;
    admin_->exec("DROP SCHEMA " + schema_ + " CASCADE");
    if (anotherSchema_) admin_->exec("DROP SCHEMA " + schema_ + "_b CASCADE");
}

std::string BackendTest::schemaUrl() const { return schemaUrl(schema_); }

std::string BackendTest::schemaUrl(const std::string& schema) const {
    // libpq URI parameter `options`: the schema first on the search path.
    return url_ + (url_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

std::unique_ptr<store::StateStore> BackendTest::openInAnotherSchema(int busyTimeoutMs) {
    if (!postgres()) throw std::logic_error("openInAnotherSchema is for PostgreSQL cases");
    if (!anotherSchema_) {
        admin_->exec("CREATE SCHEMA " + schema_ + "_b");
        anotherSchema_ = true;
    }
    return std::make_unique<store::StateStore>(tmp_.str(), store::PostgresLocation{schemaUrl(schema_ + "_b"), password_},
                                               busyTimeoutMs);
}

std::unique_ptr<store::StateStore> BackendTest::open(int busyTimeoutMs) const {
    if (!postgres()) return std::make_unique<store::StateStore>(tmp_.str(), busyTimeoutMs);
    return std::make_unique<store::StateStore>(tmp_.str(), store::PostgresLocation{schemaUrl(), password_}, busyTimeoutMs);
}

namespace {
// A SQLite session that owns its database.
class OwnedSqliteSession : public store::SqliteSession {
public:
    explicit OwnedSqliteSession(std::unique_ptr<SQLite::Database> db) : SqliteSession(*db), db_(std::move(db)) {}

private:
    std::unique_ptr<SQLite::Database> db_;  // outlives nothing that uses it: the base only refers to it
};
}  // namespace

std::unique_ptr<store::Session> BackendTest::rawSession() const {
    if (postgres()) return std::make_unique<store::PostgresSession>(schemaUrl(), password_, 10000);
    return std::make_unique<OwnedSqliteSession>(
        std::make_unique<SQLite::Database>(tmp_.sub("ledgerbridge.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE));
}

void BackendTest::resetDatabase() {
    if (postgres()) {
        admin_->exec("DROP SCHEMA " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
        return;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(tmp_.sub(std::string("ledgerbridge.db") + suffix));
}
