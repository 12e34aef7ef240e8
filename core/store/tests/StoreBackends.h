// The store's tests run on both backends: SQLite always, PostgreSQL when
// LEDGERBRIDGE_TEST_PG_URL (and LEDGERBRIDGE_TEST_PG_PASSWORD) name a server, as
// scripts/with-postgres sets them; otherwise the PostgreSQL cases are skipped, saying so.
// Each PostgreSQL case gets a schema of its own (dropped afterwards) in that database, so cases
// running in parallel never see each other's rows.
//
//   LB_ON_BOTH_BACKENDS(Grants);   // declares the fixture Grants and runs it on both
//   TEST_P(Grants, ...) { auto s = open(); ... }
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "TempDir.h"
#include "ledgerbridge/store/PostgresSession.h"
#include "ledgerbridge/store/StateStore.h"

enum class Backend { SQLite, PostgreSQL };

class BackendTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override;
    void TearDown() override;
    /// A store on this case's database; every call in one case opens the same database again.
    std::unique_ptr<ledgerbridge::store::StateStore> open(int busyTimeoutMs = 10000) const;
    /// A bare session on the same database, without StateStore (no migration): for building a
    /// database at an older schema version.
    std::unique_ptr<ledgerbridge::store::Session> rawSession() const;
    /// Empties this case's database (SQLite: deletes the file; PostgreSQL: a fresh schema).
    void resetDatabase();
    bool postgres() const { return GetParam() == Backend::PostgreSQL; }
    /// This case's PostgreSQL database (its own schema) as the store is told it.
    ledgerbridge::store::PostgresLocation pgLocation() const { return {schemaUrl(), password_}; }
    /// PostgreSQL only: a store on a second schema of the same database (another installation
    /// sharing the server's database), created and dropped with this case.
    std::unique_ptr<ledgerbridge::store::StateStore> openInAnotherSchema(int busyTimeoutMs = 10000);
    /// The local state directory (the SQLite file's directory).
    const TempDir& tmp() const { return tmp_; }

private:
    TempDir tmp_;
    std::string schemaUrl() const;
    std::string schemaUrl(const std::string& schema) const;

    std::string url_, password_, schema_;
    bool anotherSchema_ = false;
    std::unique_ptr<ledgerbridge::store::PostgresSession> admin_;
};

std::string backendName(const ::testing::TestParamInfo<Backend>& info);

#define LB_ON_BOTH_BACKENDS(Suite)           \
    class Suite : public BackendTest {};     \
    INSTANTIATE_TEST_SUITE_P(, Suite, ::testing::Values(Backend::SQLite, Backend::PostgreSQL), backendName)

/// The backend's name in test output and CTest's test names.
inline void PrintTo(Backend b, std::ostream* os) { *os << (b == Backend::SQLite ? "SQLite" : "PostgreSQL"); }

/// The message of the E that `f` threw, or "" when it threw nothing (any other exception
/// propagates and fails the test).
template <class E>
std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "";
}
